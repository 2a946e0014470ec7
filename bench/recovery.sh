#!/usr/bin/env bash
# bench/recovery.sh — on demand, not in CI: issue 6's "recovery that clients barely notice" at the
# issue's scale. A local cluster (1 mon, 4 OSDs, pool rbd size 3 / min_size 2) holding GIB GiB of
# 4 MiB objects; an open-loop client at RATE ops/s (`rados bench mixed`: 4 KiB and 4 MiB writes and
# reads) for BASE seconds of baseline, then osd.3 is killed (-9), marked down and out (one command,
# one epoch; TWO_STEPS=1: `osd down` then `osd out`, two epochs), and the same
# workload runs on until every PG is active+clean. Prints baseline vs. during-recovery ops/s and p99,
# the recovery time, and each OSD's RSS (peak and median of 2 s samples).
#   LOLIGO_HOME=/work/tmp/rec GIB=10 bench/recovery.sh fill      # heavy: cluster + fill (slow)
#   LOLIGO_HOME=/work/tmp/rec bench/recovery.sh measure           # the measured phases (bench-exclusive)
#   LOLIGO_HOME=/work/tmp/rec bench/recovery.sh purge
# OSD_SIZE (MiB per OSD block file) defaults to what 3 OSDs need to hold GIB after the loss, +30 %.
# One measure per fill: OSDs never delete stray PG copies (docs/osd.md, "Not yet"), so after osd.3
# is back in, killing it again finds the survivors holding nearly current copies and recovers only
# the difference. Purge and fill again for a comparable run.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
export LOLIGO_HOME=${LOLIGO_HOME:-/tmp/loligo-recovery}
GIB=${GIB:-10}
RATE=${RATE:-25}
BASE=${BASE:-60}
VICTIM=${VICTIM:-3}
OSD_SIZE=${OSD_SIZE:-$((GIB * 1024 * 13 / 10))}
L="$ROOT/loligo"
OUT="$LOLIGO_HOME/recovery-bench"

now() { date +%s.%N; }

stored_mib() {
  "$L" rados df --format json | python3 -c 'import json,sys; print(sum(p["stored_bytes"] for p in json.load(sys.stdin)["pools"] if p["name"] == "rbd") // 2**20)'
}

fill() {
  "$L" status >/dev/null 2>&1 || "$L" up --osds 4 --osd-size "$OSD_SIZE" --no-rgw --timeout 600
  local i done_runs
  done_runs=$(find "$LOLIGO_HOME" -maxdepth 1 -name 'fill-run.*' | wc -l)
  i=$done_runs
  local left secs
  while left=$((GIB * 1024 - $(stored_mib))); [ "$left" -gt 0 ]; do
    i=$((i + 1))
    # at most 60 s, and about the time the rest takes at 100 MiB/s: a 60 s run overshot 10 GiB by
    # 5 GiB and filled an OSD (ENOSPC) before trim_last could run
    secs=$((left / 100 + 3)); secs=$((secs > ${FILL_SECONDS:-60} ? ${FILL_SECONDS:-60} : secs))
    "$L" rados -p rbd bench "$secs" write -t 16 --no-cleanup --run-name "fill$i" | tail -4
    touch "$LOLIGO_HOME/fill-run.$i"
    echo "stored: $(stored_mib) MiB"
  done
  trim_last "$i"
}

# The last run overshoots GIB: remove its surplus objects and record the shorter run.
trim_last() {
  local run="fill$1" meta prefix ops surplus keep
  meta=$("$L" rados -p rbd get "$run" -)
  prefix=$(sed -n 's/^prefix=//p' <<<"$meta")
  ops=$(sed -n 's/^num_ops=//p' <<<"$meta")
  sleep 5   # the pool stats reach the monitor every 2 s
  surplus=$(( ($(stored_mib) - GIB * 1024) / 4 ))
  [ "$surplus" -gt 0 ] || return 0
  keep=$(( ops > surplus ? ops - surplus : 0 ))
  sed "s/^num_ops=.*/num_ops=$keep/" <<<"$meta" >"$LOLIGO_HOME/$run.meta"
  "$L" rados -p rbd put "$run" "$LOLIGO_HOME/$run.meta"
  seq "$keep" $((ops - 1)) | sed "s/^/${prefix}_object/" | xargs -n 200 "$L" rados -p rbd rm
  echo "trimmed $run to $keep objects"
}

runs() { ls "$LOLIGO_HOME"/fill-run.* | sed 's/.*fill-run\./fill/' | paste -sd, ; }

rss_sample() {   # t name rss_kib
  local t f pid
  t=$(now)
  for f in "$LOLIGO_HOME"/run/osd.*.pid; do
    pid=$(cat "$f")
    [ -r "/proc/$pid/status" ] || continue
    awk -v t="$t" -v n="$(basename "$f" .pid)" '/VmRSS/{print t, n, $2}' "/proc/$pid/status"
  done
}

clean() {   # every PG active+clean
  "$L" pg stat --format json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
n = d["num_pgs"]
ok = sum(s["count"] for s in d["pgs_by_state"] if s["state_name"] == "active+clean")
sys.exit(0 if n > 0 and ok == n else 1)'
}

measure() {
  mkdir -p "$OUT"
  rm -f "$OUT"/*
  echo "load before: $(cat /proc/loadavg)" | tee "$OUT/events"
  "$L" rados -p rbd bench 3600 mixed --rate "$RATE" --run-name "$(runs)" --latency-log "$OUT/ops" >"$OUT/bench.out" 2>&1 &
  local bench=$!
  ( while kill -0 "$bench" 2>/dev/null; do rss_sample >>"$OUT/rss"; sleep 2; done ) &
  local sampler=$!
  sleep "$BASE"
  echo "kill $(now)" >>"$OUT/events"
  kill -9 "$(cat "$LOLIGO_HOME/run/osd.$VICTIM.pid")"
  if [ -n "${TWO_STEPS:-}" ]; then   # as before 2026-12-07 (2nd session): two epochs, two peerings
    "$L" osd down "$VICTIM" >/dev/null
    "$L" osd out "$VICTIM" >/dev/null
  else
    "$L" osd down --out "$VICTIM" >/dev/null   # one epoch: the PGs re-peer once
  fi
  echo "out $(now)" >>"$OUT/events"
  sleep 10   # the PGs' last reports from before the kill still say active+clean
  local give_up=$(( $(date +%s) + ${MAX_RECOVERY:-480} ))
  until clean; do
    if [ "$(date +%s)" -gt "$give_up" ]; then echo "recovery not complete after MAX_RECOVERY=${MAX_RECOVERY:-480} s" | tee -a "$OUT/events"; break; fi
    sleep 5
  done
  echo "clean $(now)" >>"$OUT/events"
  sleep 5
  touch "$OUT/ops.stop"
  wait "$bench" || true
  kill "$sampler" 2>/dev/null || true
  echo "load after: $(cat /proc/loadavg)" | tee -a "$OUT/events"
  report
}

report() {
  cat "$OUT/bench.out"
  python3 - "$OUT" "$BASE" "$RATE" <<'EOF'
import sys, statistics
out, base, rate = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
ev = {l.split()[0]: float(l.split()[1]) for l in open(out + "/events") if l.split()[0] in ("kill", "out", "clean")}
ops = [l.split() for l in open(out + "/ops")]
ops = [(int(a) / 1000, int(b) / 1000, k, c == "1") for a, b, k, c in ops]
t0 = min(o[0] for o in ops)
def window(lo, hi, kinds=None):
    w = [o for o in ops if lo <= o[0] < hi and (kinds is None or o[2] in kinds)]
    lat = sorted(o[1] for o in w)
    p = lambda q: lat[min(len(lat) - 1, int(len(lat) * q))] if lat else float("nan")
    return len(w) / (hi - lo), p(0.5), p(0.99), sum(1 for o in w if not o[3])
rows = [("baseline", t0 + 5, ev["kill"]), ("recovery", ev["kill"], ev["clean"])]
print(f"rate {rate} ops/s; baseline {ev['kill'] - t0 - 5:.0f} s; kill -> active+clean {ev['clean'] - ev['kill']:.1f} s")
res = {}
for name, lo, hi in rows:
    for kinds, label in ((None, "all"), (("w4k", "r4k"), "4k"), (("w4m", "r4m"), "4m")):
        r = window(lo, hi, kinds)
        res[(name, label)] = r
        print(f"  {name:8s} {label:3s}: {r[0]:7.1f} ops/s  p50 {r[1]:8.1f} ms  p99 {r[2]:8.1f} ms  errors {r[3]}")
for label in ("all", "4k", "4m"):
    b, d = res[("baseline", label)], res[("recovery", label)]
    print(f"  ratio {label:3s}: throughput {d[0] / b[0]:.2f}x  p99 {d[2] / b[2]:.2f}x")
# the first seconds (failure, peering) vs the rest
r5 = window(ev["kill"] + 5, ev["clean"])
slow = sum(1 for o in ops if ev["kill"] <= o[0] < ev["kill"] + 5 and o[1] > 2 * res[("baseline", "all")][2])
print(f"  recovery without its first 5 s: p99 {r5[2]:.1f} ms ({r5[2] / res[('baseline', 'all')][2]:.2f}x); "
      f"ops due in the first 5 s slower than 2x baseline p99: {slow}")
print("  p99 per 5 s after the kill (ms):", " ".join(f"{window(s, s + 5)[2]:.0f}" for s in
      [ev["kill"] + 5 * i for i in range(int((ev["clean"] - ev["kill"]) // 5))]))
# the worst 10 s of the recovery window
worst = max(((window(s, s + 10)[2], s) for s in range(int(ev["kill"]), int(ev["clean"]) - 9, 5)), default=None)
if worst:
    print(f"  worst 10 s window p99: {worst[0]:.1f} ms at kill+{worst[1] - ev['kill']:.0f} s")
rss = {}
for l in open(out + "/rss"):
    t, n, kib = l.split()
    rss.setdefault(n, []).append((float(t), int(kib) / 1024))
for n in sorted(rss):
    s = rss[n]
    bs = [m for t, m in s if t < ev["kill"]] or [0]
    rs = [m for t, m in s if ev["kill"] <= t <= ev["clean"]] or [0]
    print(f"  {n} RSS MiB: baseline median {statistics.median(bs):.0f} peak {max(bs):.0f}; "
          f"recovery median {statistics.median(rs):.0f} peak {max(rs):.0f}")
EOF
}

case "${1:-}" in
  fill) fill ;;
  measure) measure ;;
  report) report ;;
  purge) "$L" purge ;;
  *) echo "usage: $0 fill|measure|report|purge" >&2; exit 2 ;;
esac
