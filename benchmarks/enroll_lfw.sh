#!/usr/bin/env bash
# Times enrolling N LFW people (one photo each, the first) into a fresh store: issue "roll call"'s
# "1,000 photos ≤ 90 s on 2 cores". Usage: benchmarks/enroll_lfw.sh ROLLCALL_BINARY [N] [LFW_DIR]
set -euo pipefail
rollcall=$(realpath "$1")
n=${2:-1000}
lfw=$(realpath "${3:-../shared/faces/lfw}")
work=$(mktemp -d /tmp/rollcall-enroll-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
{
    echo "id,name,photo"
    # sed, not head: head would close the pipe early and pipefail would stop the script
    ls "$lfw/lfw-deepfunneled" | sort | sed -n "1,${n}p" | while read -r person; do
        echo "$person,${person//_/ },$lfw/lfw-deepfunneled/$person/${person}_0001.jpg"
    done
} > "$work/roster.csv"
export ROLLCALL_DB="$work/bench.db" ROLLCALL_KEY_FILE="$work/key"
"$rollcall" roster import "$work/roster.csv" > /dev/null
start=$(date +%s.%N)
"$rollcall" enroll --roster "$work/roster.csv" --largest || true   # exit 2 when some photos are refused; they are counted below
end=$(date +%s.%N)
echo "enrolled photos of $n people in $(awk "BEGIN { printf \"%.1f\", $end - $start }") s (wall clock, $(nproc) cores)"
