#!/usr/bin/env bash
# The main job on the bundled defaults: a roster enrolled from real photos, a session opened, the
# entrance camera watching people walk in, and the attendance report. Real photos: the test images of
# PyPI face_recognition 1.3.0, fetched and pinned by `rollcall models fetch --manifest Fixtures/test-photos.json`.
# Usage: scripts/demo.sh path/to/rollcall
set -euo pipefail
rollcall=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
photos="${ROLLCALL_MODELS:-$HOME/.cache/rollcall/models}/test-photos"
work=$(mktemp -d /tmp/rollcall-demo.XXXXXX)
cd "$work"
export ROLLCALL_DB="$work/rollcall.db" ROLLCALL_KEY_FILE="$work/template.key"
step() { printf '\n== %s\n' "$*"; }

step "Roster: three delegates; Obama enrolled from two photos, one delegate has no photo yet"
cat > roster.csv <<CSV
id,name,unit,seat,photo
D-001,Barack Obama,Đoàn Hoa Kỳ,A1,$photos/obama2.jpg;$photos/obama3.jpg
D-002,Nguyễn Thị Ánh Tuyết,Đoàn Hà Nội,B1,
D-003,Trần Văn Bình,Đoàn Huế,B2,
CSV
"$rollcall" roster import roster.csv
"$rollcall" enroll --roster roster.csv

step "Session opened with a quorum of at least one third (an exact fraction: 1 of 3)"
"$rollcall" session open "Phiên họp toàn thể" --quorum 1/3

step "Entrance camera: Obama (photographed differently) walks in, then Biden, who is not on the roster"
"$rollcall" make-clip "$photos/obama.jpg" "$photos/biden.jpg" --out entrance.avi
"$rollcall" watch entrance.avi --gate "Cổng chính"

step "Attendance report (CSV for tools; the .xlsx and the A4 sign-in sheet for people, in Vietnamese)"
"$rollcall" report --format csv --no-bom
"$rollcall" report --format xlsx -o bao-cao.xlsx
"$rollcall" report --format html --document sign-in -o danh-sach-ky-ten.html
"$rollcall" audit verify
printf '\n(demo files in %s)\n' "$work"
