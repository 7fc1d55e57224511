#!/usr/bin/env bash
# The main job on the bundled defaults: a small roster enrolled from real photos, a session, recognition
# of new photos, and the attendance report. Works in a throw-away folder; prints what it does.
set -euo pipefail
rollcall=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
photos="${ROLLCALL_MODELS:-$HOME/.cache/rollcall/models}/test-photos"
work=$(mktemp -d /tmp/rollcall-demo.XXXXXX)
cd "$work"
export ROLLCALL_DB="$work/rollcall.db" ROLLCALL_KEY_FILE="$work/template.key"

echo "== roster: 3 delegates, photos from PyPI face_recognition 1.3.0's test images"
cat > roster.csv <<CSV
id,name,unit,seat,photo
D-001,Barack Obama,Đoàn Hoa Kỳ,A1,$photos/obama.jpg
D-002,Joe Biden,Đoàn Hoa Kỳ,A2,$photos/biden.jpg
D-003,Nguyễn Thị Ánh Tuyết,Đoàn Hà Nội,B1,
CSV
"$rollcall" roster import roster.csv
"$rollcall" enroll --roster roster.csv
"$rollcall" session open "Phiên họp toàn thể" --quorum 0.5
echo "== the entrance sees new photos"
"$rollcall" identify "$photos/obama3.jpg" "$photos/obama_partial_face2.jpg"
echo "== attendance report"
"$rollcall" report --format csv
echo "(demo files in $work)"
