#!/usr/bin/env bash
# s3-vs-radosgw.sh — the S3 gateway against Ceph's radosgw, same machine, same client, same run.
#
#   bench/s3-vs-radosgw.sh [ceph|loligo|both]     (from the repository root; default both)
#
# ceph:   ../shared/anchors/ceph/cluster.sh up (8 GiB OSD files, its own dir), s3bench.sh against
#         radosgw on :7480 with the anchor user, then cluster.sh purge.
# loligo: ./loligo up in a fresh temporary dir (1 monitor, 3 OSDs of LOLIGO_OSD_SIZE MiB, default 8192 as
#         the radosgw side's 8 GiB BlueStore files, rgw.0 on :7480 exactly as `up`
#         starts it), s3bench.sh with the first user's keys, then loligo purge.
# Results go to stdout and, with OUT=FILE, are appended there too. REPEATS (default 1) goes to
# s3bench.sh. Run each under /work/tools/bench-exclusive; both systems' data sits on /tmp.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
ANCHORS=${ANCHORS:-$(readlink -f "$ROOT/../../shared/anchors" 2>/dev/null || true)}
[[ -x $ANCHORS/s3bench.sh ]] || ANCHORS=/work/shared/anchors
export REPEATS=${REPEATS:-1}
WHAT=${1:-both}
load() { cut -d' ' -f1-3 /proc/loadavg; }

ceph_run() {
  export CEPH_ANCHOR_DIR=${CEPH_ANCHOR_DIR:-/tmp/cephanchor-s3bench-$$}
  export CEPH_ANCHOR_OSD_BLOCK_BYTES=${CEPH_ANCHOR_OSD_BLOCK_BYTES:-8589934592}
  "$ANCHORS/ceph/cluster.sh" up >/dev/null
  echo "# radosgw: load before $(load)"
  local rc=0
  "$ANCHORS/s3bench.sh" http://127.0.0.1:7480 ANCHORACCESSKEY00001 anchorSecretKey0000000000000000000000001 || rc=$?
  echo "# radosgw: load after $(load)"
  "$ANCHORS/ceph/cluster.sh" purge >/dev/null 2>&1 || true
  return $rc
}

loligo_run() {
  local dir; dir=$(mktemp -d /tmp/loligo-s3bench.XXXXXX)
  local json
  json=$("$ROOT/loligo" up --dir "$dir" --osd-size "${LOLIGO_OSD_SIZE:-8192}" --rgw-port 7480 --format json)
  local access secret
  access=$(jq -r '.s3.access_key' <<<"$json")
  secret=$(jq -r '.s3.secret_key' <<<"$json")
  echo "# loligo: load before $(load)"
  local rc=0
  "$ANCHORS/s3bench.sh" http://127.0.0.1:7480 "$access" "$secret" || rc=$?
  echo "# loligo: load after $(load)"
  "$ROOT/loligo" purge --dir "$dir" >/dev/null 2>&1 || true
  rm -rf "$dir"
  return $rc
}

case $WHAT in
  ceph) ceph_run ;;
  loligo) loligo_run ;;
  both) ceph_run; loligo_run ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac 2>&1 | tee -a "${OUT:-/dev/null}"
