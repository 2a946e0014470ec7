#!/usr/bin/env bash
# Regenerates the crushtool oracle vectors in this folder with Ceph's own crushtool (16.2.15).
# usage: ./make.sh   (needs crushtool and python3 on PATH)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
rm -f maps/* expected/*
printf 'case_id\tmap\targs\n' > cases.tsv
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=0
for spec in $(seq 1 40 | sed 's/$/:plain/') $(seq 1 30 | sed 's/$/:choose_args/'); do
  seed=${spec%%:*}; mode=${spec##*:}
  meta=$(python3 randmap.py "$seed" "$mode" 2>&1 >"$tmp/src.txt")
  ndev=${meta% *}
  crushtool -c "$tmp/src.txt" -o "$tmp/map.bin" 2>/dev/null || continue   # the generator may make maps crushtool refuses
  id="$mode-$seed"
  crushtool -d "$tmp/map.bin" -o "maps/$id.txt"
  w=""
  for i in $(seq 1 $((seed % 4))); do w="$w --weight $(( (seed * 7 + i * 13) % ndev )) 0.$(( (seed + i) % 10 ))"; done
  pool=""; [ $((seed % 5)) -eq 0 ] && pool=" --pool-id $((seed % 3 + 1))"
  args="--test --show-mappings --show-statistics --min-x 0 --max-x 99 --num-rep $((seed % 8 + 1))$w$pool"
  crushtool -i "$tmp/map.bin" $args > "expected/$id.out"
  crushtool -i "$tmp/map.bin" --tree > "expected/$id.tree.txt"
  printf '%s\tmaps/%s.txt\t%s\n' "$id" "$id" "$args" >> cases.tsv
  n=$((n + 1))
done
echo "$n cases"
