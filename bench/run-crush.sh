#!/usr/bin/env bash
# Mappings per second: Loligo's CrushMapper (JMH) beside Ceph's crushtool, in the same run, on the
# 18-OSD hierarchical map from testvectors/crush. Needs: apt-get install -y ceph-base time.
# Usage (from the repository root): bench/run-crush.sh [N]   N = x values for the crushtool runs
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$ROOT"
export JAVA_HOME=${LOLIGO_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
N=${1:-4000000}
command -v crushtool >/dev/null || { echo "crushtool missing: apt-get install -y ceph-base" >&2; exit 2; }
mvn -B -q -Dstyle.color=never -DskipTests package -pl bench -am >&2
MAP=testvectors/crush/maps/hier18
crushtool -c $MAP.txt -o /tmp/hier18.$$.bin
trap 'rm -f /tmp/hier18.$$.bin /tmp/crushcpu.$$' EXIT

# crushtool: time N mappings, minus its start-up (x = 0..0), per rule.
ceph_rate() {  # $1 = rule
  local t0 t1 s0 s1
  s0=$(date +%s.%N); crushtool -i /tmp/hier18.$$.bin --test --rule "$1" --num-rep 3 --min-x 0 --max-x 0 2>/dev/null; s1=$(date +%s.%N)
  t0=$(date +%s.%N); crushtool -i /tmp/hier18.$$.bin --test --rule "$1" --num-rep 3 --min-x 0 --max-x $((N - 1)) 2>/dev/null; t1=$(date +%s.%N)
  awk -v n="$N" -v a="$t0" -v b="$t1" -v c="$s0" -v d="$s1" 'BEGIN { printf "%.0f", n / ((b - a) - (d - c)) }'
}
# CPU time per mapping: crushtool's user+sys for N mappings minus its start-up, best of 3, against
# CrushCpuTime's thread CPU time for the same loop, best of 3 rounds. Robust on a busy machine.
ceph_cpu_rate() {  # $1 = rule
  local best=0 r base full rate
  for r in 1 2 3; do
    /usr/bin/time -o /tmp/crushcpu.$$ -f "%U %S" crushtool -i /tmp/hier18.$$.bin --test --rule "$1" --num-rep 3 --min-x 0 --max-x 0 >/dev/null 2>&1
    base=$(tail -1 /tmp/crushcpu.$$)
    /usr/bin/time -o /tmp/crushcpu.$$ -f "%U %S" crushtool -i /tmp/hier18.$$.bin --test --rule "$1" --num-rep 3 --min-x 0 --max-x $((N - 1)) >/dev/null 2>&1
    full=$(tail -1 /tmp/crushcpu.$$)
    rate=$(awk -v n="$N" -v b="$base" -v f="$full" 'BEGIN { split(b, x, " "); split(f, y, " "); printf "%.0f", n / ((y[1] + y[2]) - (x[1] + x[2])) }')
    best=$(awk -v a="$best" -v b="$rate" 'BEGIN { print (b > a ? b : a) }')
  done
  echo "$best"
}
printf '\n| rule | Loligo doRule mappings per CPU-second | Ceph crushtool mappings per CPU-second | Loligo / Ceph |\n|---|---:|---:|---:|\n'
for r in 0 1; do
  l=$("$JAVA_HOME/bin/java" -XX:+UseSerialGC -cp "bench/target/loligo-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
      io.loligo.bench.CrushCpuTime $MAP.txt "$r" 3 "$N" 3)
  c=$(ceph_cpu_rate "$r")
  awk -v r="$r" -v l="$l" -v c="$c" 'BEGIN { printf "| %s | %.0f | %.0f | %.2f |\n", r, l, c, l / c }'
done

JMH_OUT=$(mktemp)
"$JAVA_HOME/bin/java" -Dloligo.root="$ROOT" -cp "bench/target/loligo-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
    org.openjdk.jmh.Main CrushMapperBench -rf text -rff "$JMH_OUT" >&2
printf '\n| rule | Loligo doRule (JMH) mappings/s | Ceph crushtool mappings/s (wall) | JMH / Ceph |\n|---|---:|---:|---:|\n'
for r in 0 1; do
  jmh=$(awk -v r="$r" '$1 ~ /map3/ && $2 == r {print $5}' "$JMH_OUT" | tr -d ,)
  c=$(ceph_rate "$r")
  awk -v r="$r" -v j="$jmh" -v c="$c" 'BEGIN { printf "| %s | %.0f | %.0f | %.2f |\n", r, j, c, j / c }'
done
rm -f "$JMH_OUT"
