#!/usr/bin/env bash
# Resident memory of `rollcall serve` with two gates reading a video file in real time (issue 4: ≤ 200 MB).
# Builds nothing. Not part of `make test`.
#
#   benchmarks/serve_rss.sh path/to/rollcall [VIDEO] [SECONDS]
#
# Creates a throw-away database (one delegate enrolled from the test photos, a session open), starts
# `serve` with gates `left` and `right` on VIDEO (default: the Hamilton clip under ROLLCALL_SHARED,
# default ../shared), samples VmRSS every 0.5 s for SECONDS (default 25), then sends SIGTERM. Prints:
#   start   VmRSS once `serve` announces itself (models loaded, before the first frame), and VmHWM then
#   steady  median VmRSS over the samples taken while the gates were reading frames (and the largest)
#   peak    VmHWM (the kernel's high-water mark of RSS over the whole life of the process)
#   cpu     CPU seconds (user + system) the process used up to SIGTERM
#
# Environment:
#   ROLLCALL_MODELS  the model pack and the test-photos pack (default ~/.cache/rollcall/models)
#   ROLLCALL_PACK    the model pack to serve with (default sface)
#   LOOPS            VIDEO is played this many times back to back (default 4), so that the gates are
#                    still reading when sampling stops
#   BLANK            seconds of a face-less test pattern appended to VIDEO first (default 0). An entrance
#                    camera mostly sees an empty doorway, and on a frame without a face the detector
#                    looks again on a padded copy, with a network of its own.
#   SERVE_ENV        extra VAR=value words for the serve process only, e.g. "MALLOC_ARENA_MAX=1"
#   RSS_TRACE=1      print every sample (RSS, anonymous, file-backed) on standard error, 50 ms apart
#                    during start-up
#   RSS_DETAIL=1     print /proc/PID/smaps_rollup and the largest mappings at the end of the run
set -euo pipefail
rollcall=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shared="${ROLLCALL_SHARED:-$(cd "$(dirname "$0")/.." && pwd)/../shared}"
video="${2:-$shared/faces/video/github-ageitgey-face_recognition/examples/short_hamilton_clip.mp4}"
seconds="${3:-25}"
loops="${LOOPS:-4}"
photos="${ROLLCALL_MODELS:-$HOME/.cache/rollcall/models}/test-photos"
[ -f "$video" ] || { echo "no video at $video" >&2; exit 1; }
[ -f "$photos/obama2.jpg" ] || { echo "no test photos in $photos (rollcall models fetch --manifest Fixtures/test-photos.json)" >&2; exit 1; }

work=$(mktemp -d /tmp/rollcall-rss.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export ROLLCALL_DB="$work/rollcall.db" ROLLCALL_KEY_FILE="$work/template.key"
printf 'id,name,unit,seat,photo\nD-001,Barack Obama,US,A1,%s\n' "$photos/obama2.jpg" > "$work/roster.csv"
"$rollcall" roster import "$work/roster.csv" >/dev/null
"$rollcall" enroll --roster "$work/roster.csv" >/dev/null
"$rollcall" session open "RSS" >/dev/null
if [ "${BLANK:-0}" != 0 ]; then
    size=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$video")
    rate=$(ffprobe -v error -select_streams v:0 -show_entries stream=r_frame_rate -of csv=p=0 "$video")
    ffmpeg -loglevel error -i "$video" -f lavfi -i "testsrc=size=$size:rate=$rate:duration=$BLANK" \
        -filter_complex "[0:v]format=yuv420p,setsar=1[a];[1:v]format=yuv420p,setsar=1[b];[a][b]concat=n=2:v=1:a=0[v]" \
        -map "[v]" -c:v libx264 -preset veryfast -crf 23 "$work/blank.mp4"
    video="$work/blank.mp4"
fi
if [ "$loops" -gt 1 ]; then
    # A longer clip without re-encoding: the gates read the same frames, only for longer.
    ffmpeg -loglevel error -stream_loop $((loops - 1)) -i "$video" -an -c copy "$work/clip.mp4"
    video="$work/clip.mp4"
fi
port=$((18000 + RANDOM % 2000))
cat > "$work/serve.yaml" <<YAML
database: $work/rollcall.db
key_file: $work/template.key
pack: ${ROLLCALL_PACK:-sface}
http: { host: 127.0.0.1, port: $port }
gates:
  - { name: left, source: "$video", realtime: true }
  - { name: right, source: "$video", realtime: true }
YAML

# shellcheck disable=SC2086
env ${SERVE_ENV:-} "$rollcall" serve --config "$work/serve.yaml" --log-level warning 2> "$work/serve.log" &
pid=$!
kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status" 2>/dev/null || true; }
trace() { [ "${RSS_TRACE:-0}" = 1 ] && printf 't=%5.2fs rss %6d anon %6d file %6d kB\n' "$(bc <<< "$(date +%s.%N) - $t0")" \
    "$(kb VmRSS)" "$(kb RssAnon)" "$(kb RssFile)" >&2 || true; }
t0=$(date +%s.%N)
# Start-up: wait for the banner (printed once the engine and the matcher are built).
for _ in $(seq 1 600); do
    grep -q "rollcall serve: session" "$work/serve.log" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    trace
    sleep 0.05
done
start=$(kb VmRSS) start_peak=$(kb VmHWM)
samples=()
end=$((SECONDS + seconds))
while [ $SECONDS -lt $end ] && kill -0 "$pid" 2>/dev/null; do
    samples+=("$(kb VmRSS)")
    trace
    sleep 0.5
done
peak=$(kb VmHWM)
cpu=$(awk '{ printf "%.1f", ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$pid/stat")
if [ "${RSS_DETAIL:-0}" = 1 ]; then
    cat "/proc/$pid/smaps_rollup"
    pmap -x "$pid" | sort -k3 -n -r | head -25
fi
kill -TERM "$pid"
wait "$pid" || true
pid=
steady=$(printf '%s\n' "${samples[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
max=$(printf '%s\n' "${samples[@]}" | sort -n | tail -1)
printf 'serve, 2 gates: start %d MB (peak %d MB), steady %d MB (median of %d samples, max %d MB), peak (VmHWM) %d MB, cpu %s s\n' \
    $((start / 1024)) $((start_peak / 1024)) $((steady / 1024)) ${#samples[@]} $((max / 1024)) $((peak / 1024)) "$cpu"
grep -E "error|warning" "$work/serve.log" | head -5 >&2 || true
