#!/usr/bin/env bash
# The planar-photo cue measured (issue 16, item 7): bona fide tracks from the real Hamilton clip, attack tracks of
# still photos (LFW, East-Asian, the misc photos) held up to the camera by a synthetic hand over the clip's frames.
# Usage: benchmarks/photo_attack.sh ROLLCALL_BINARY [FACES_DIR] [PRESENTATIONS_PER_PHOTO]
# Writes benchmarks/.cache/photo_attack/{photos.tsv,presentations.tsv,result.txt} and prints the report.
set -euo pipefail
rollcall=$(realpath "$1")
faces=$(realpath "${2:-../shared/faces}")
per_photo=${3:-1}
out=benchmarks/.cache/photo_attack
mkdir -p "$out"
video="$faces/video/github-ageitgey-face_recognition/examples/short_hamilton_clip.mp4"
{
    # LFW: every 150th person (sorted), their first photo.
    ls "$faces/lfw/lfw-deepfunneled" | sort | awk 'NR % 150 == 1' | while read -r person; do
        printf '%s\t%s\n' "$faces/lfw/lfw-deepfunneled/$person/${person}_0001.jpg" "lfw:$person"
    done
    # East-Asian: the first photo of every 20th identity.
    awk -F'\t' 'NR > 1 && !seen[$5]++ { print $1 "\t" $5 }' "$faces/asian/labels.tsv" | awk 'NR % 20 == 1' \
        | while IFS=$'\t' read -r path id; do printf '%s\t%s\n' "$faces/asian/$path" "$id"; done
    # Real photos of single people (Lin-Manuel Miranda is the singer of the bona fide clip).
    m="$faces/misc"
    printf '%s\t%s\n' "$m/github-ageitgey-face_recognition/examples/lin-manuel-miranda.png" "misc:lin-manuel-miranda" \
        "$m/github-ageitgey-face_recognition/examples/alex-lacamoire.png" "misc:alex-lacamoire" \
        "$m/github-ageitgey-face_recognition/examples/obama-720p.jpg" "misc:obama" \
        "$m/pypi-face_recognition-1.3.0/tests/test_images/biden.jpg" "misc:biden" \
        "$m/github-davisking-dlib/examples/faces/Tom_Cruise_avp_2014_4.jpg" "misc:tom-cruise"
} > "$out/photos.tsv"
echo "$(wc -l < "$out/photos.tsv") photos" >&2
"$rollcall" eval photo-attack --bona-fide-video "$video" --backgrounds "$video" --photos "$out/photos.tsv" \
    --presentations "$per_photo" --presentations-out "$out/presentations.tsv" | tee "$out/result.txt"
