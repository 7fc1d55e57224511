#!/usr/bin/env bash
# Screenshots and printed pages of what a Vietnamese secretariat sees, for looking at (not part of `make test`):
# the dashboard at 1280×900, the greeting screen after a real face check-in at a gate, and the A4 sign-in sheet and
# absentee list printed to PDF by Chromium, each page as a PNG.
#   scripts/screenshots.sh path/to/rollcall OUTDIR
# A 40-delegate congress in four delegations (two-thirds quorum); Barack Obama, enrolled from two photos, walks
# through the main gate in a clip made from a third photo; the side gate's camera is dead, as the dashboard says.
# The screens are opened as the hall's monitors would be once tokens exist: with a viewer's token in the address
# (?token=…), which the pages pass on to their event streams and refreshes.
set -euo pipefail
rollcall=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out=$(mkdir -p "$2" && cd "$2" && pwd)
photos="${ROLLCALL_MODELS:-$HOME/.cache/rollcall/models}/test-photos"
work=$(mktemp -d /tmp/rollcall-screens.XXXXXX)
cd "$work"
export ROLLCALL_DB="$work/rollcall.db" ROLLCALL_KEY_FILE="$work/template.key" ROLLCALL_LANG=vi
chrome() { chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --user-data-dir="$work/chromium" "$@" 2>/dev/null; }

surnames=(Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô)
middles=("Văn" "Thị" "Hoàng" "Minh" "Thị Thu" "Quốc" "Ngọc" "Đức" "Thanh" "Hữu")
givens=(An Bình Châu Dũng Giang Hà Hường Khánh Lâm Mai Nam Oanh Phúc Quỳnh Sơn Tâm Tuyết Uyên Việt Yến Ánh Đạt Hiếu Ưng)
units=("Đoàn Hà Nội" "Đoàn TP. Hồ Chí Minh" "Đoàn Thừa Thiên Huế" "Đoàn Cần Thơ")
letters=(A B C D)
{
    echo "STT;Mã đại biểu;Họ và tên;Đoàn;Ghế;Ảnh"
    echo "1;ĐB-001;Barack Obama;Đoàn Hà Nội;A1;\"$photos/obama2.jpg;$photos/obama3.jpg\""
    for i in $(seq 2 40); do
        u=$(( (i - 1) / 10 ))
        name="${surnames[$((i % 14))]} ${middles[$(((i / 3) % 10))]} ${givens[$(((i * 7) % 24))]}"
        [ "$i" -eq 5 ] && name="Tôn Nữ Thị Phương Thảo Nguyên Khánh Linh"
        echo "$i;ĐB-$(printf %03d "$i");$name;${units[$u]};${letters[$u]}$(( (i - 1) % 10 + 1 ));"
    done
} > danh-sach.csv
"$rollcall" roster import danh-sach.csv
"$rollcall" enroll --roster danh-sach.csv
"$rollcall" session open "Đại hội đại biểu lần thứ XVII — phiên khai mạc" --quorum 2/3
# 25 delegates at the desk (the side gate's camera is dead), two of whom leave early; two excused beforehand.
for i in $(seq 2 26); do "$rollcall" checkin "ĐB-$(printf %03d "$i")" --reason "điểm danh tại bàn lễ tân" > /dev/null; done
"$rollcall" checkout ĐB-012 --reason "về sớm: họp đột xuất tại Thành ủy" > /dev/null
"$rollcall" checkout ĐB-025 --reason "về sớm: lý do sức khỏe" > /dev/null
"$rollcall" checkout ĐB-038 --reason "công tác nước ngoài, có đơn xin phép" > /dev/null
"$rollcall" checkout ĐB-039 --reason "ốm, có giấy xác nhận" > /dev/null

"$rollcall" make-clip "$photos/obama.jpg" --out entrance.avi > /dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > cong.yaml <<YAML
database: rollcall.db
lang: vi
greeting_seconds: 120
gate_stale_seconds: 5
http: { port: $port }
gates:
  - { name: cong-chinh, source: entrance.avi, realtime: true }
  - { name: cong-phu, source: /dev/video97 }
YAML
# A viewer's token for the hall's screens: once one exists, nothing is served without a token, even on loopback.
token=$("$rollcall" tokens add "Màn hình hội trường" --role viewer)
"$rollcall" serve --config cong.yaml --log-level error &
serve=$!
trap 'kill "$serve" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
    kill -0 "$serve" 2>/dev/null || { echo "serve stopped" >&2; exit 1; }
    curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/attendance" 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if any(r["delegate_id"]=="ĐB-001" and r["status"]=="present" for r in d["delegates"]) else 1)' 2>/dev/null && break
    sleep 0.5
done
sleep 6   # let the dead side gate pass its 5 s, so the dashboard says so
chrome --timeout=3000 --hide-scrollbars --window-size=1280,900 --screenshot="$out/dashboard-1280x900.png" "http://127.0.0.1:$port/?token=$token"
chrome --timeout=3000 --hide-scrollbars --window-size=1280,720 --screenshot="$out/greeting-cong-chinh.png" "http://127.0.0.1:$port/greeting?gate=cong-chinh&token=$token"
chrome --timeout=3000 --hide-scrollbars --window-size=1280,720 --screenshot="$out/greeting-idle-cong-phu.png" "http://127.0.0.1:$port/greeting?gate=cong-phu&token=$token"
curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/healthz" > "$out/healthz.json" || true
# Without the token: refused, and nothing of the roll call in the answer.
curl -s -o "$out/without-token.txt" -w "%{http_code}\n" "http://127.0.0.1:$port/" > "$out/without-token.status" || true
kill "$serve"; wait "$serve" 2>/dev/null || true
trap - EXIT

for document in sign-in absentees record; do
    "$rollcall" report --format html --document "$document" -o "$document.html"
    chrome --no-pdf-header-footer --print-to-pdf="$out/$document.pdf" "file://$work/$document.html"
    pdftoppm -r 100 -png "$out/$document.pdf" "$out/$document-page"
done
"$rollcall" report --format xlsx -o "$out/bao-cao.xlsx"
printf 'screens in %s (work files in %s)\n' "$out" "$work"
