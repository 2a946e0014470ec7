#!/usr/bin/env bash
# bench/osd-memory.sh — on demand, not in CI: each OSD's resident memory in a local cluster holding
# OBJECTS (default 100000) small objects, idle and under a 4 MiB write bench.
#   LOLIGO_HOME=/tmp/osdmem OBJECTS=100000 bench/osd-memory.sh [fill|idle|load|restart|all]
# The cluster is left running (./loligo down / purge with the same LOLIGO_HOME to end it). Baseline
# runs: restart with LOLIGO_DAEMON_JAVA_OPTS (appended after the budget's flags, so they win).
# The load bench writes 4 MiB objects for LOAD_SECONDS (15): mind the 1 GiB block files of `loligo up`.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
export LOLIGO_HOME=${LOLIGO_HOME:-/tmp/loligo-osd-memory}
OBJECTS=${OBJECTS:-100000}
L="$ROOT/loligo"

rss() {   # one line per OSD: name, RSS and peak RSS in MiB
  for f in "$LOLIGO_HOME"/run/osd.*.pid; do
    pid=$(cat "$f")
    awk -v n="$(basename "$f" .pid)" '/VmRSS/{r=$2}/VmHWM/{h=$2}END{printf "%s rss=%dMiB hwm=%dMiB\n", n, r/1024, h/1024}' \
        "/proc/$pid/status"
  done
}

objects() {
  "$L" rados df --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_objects"])'
}

fill() {
  local i=0
  while [ "$(objects)" -lt "$OBJECTS" ]; do
    i=$((i + 1))
    "$L" rados -p rbd bench 60 write -b 1024 -t 32 --no-cleanup --run-name "fill$i" | tail -3
    echo "objects: $(objects)"
  done
}

idle() {   # RSS after 20 s idle, and after 45 s (the OSDs trim their heap after 30 s without ops)
  sleep 20
  echo "idle 20 s, $(objects) objects:"; rss
  sleep 25
  echo "idle 45 s:"; rss
}

restart() {
  "$L" down >/dev/null
  "$L" up --no-rgw >/dev/null || true   # after a load that filled the OSDs: OSD_FULL, never HEALTH_OK
  echo "restarted:"; idle
}

load() {
  "$L" rados -p rbd bench "${LOAD_SECONDS:-15}" write -t 16 --run-name load >/tmp/osd-memory-load.$$ 2>&1 &
  local b=$! max=0
  while kill -0 "$b" 2>/dev/null; do
    sleep 5
    rss | sed 's/^/  load: /'
  done
  wait "$b" || true
  tail -4 /tmp/osd-memory-load.$$; rm -f /tmp/osd-memory-load.$$
  echo "after load:"; rss
}

"$L" status >/dev/null 2>&1 || "$L" up --no-rgw >/dev/null
case "${1:-all}" in
  fill) fill ;;
  idle) idle ;;
  load) load ;;
  restart) restart ;;
  all) fill; idle; load; idle; restart ;;
  *) echo "usage: $0 [fill|idle|load|restart|all]" >&2; exit 2 ;;
esac
