#!/usr/bin/env bash
# RollCall against the peer (PyPI face_recognition 1.3.0 on prebuilt dlib-bin), on the same images, on this
# machine, in one run. Not part of `make test`.
#
#   benchmarks/run.sh            set up the peer, build RollCall (release), run everything, print the tables
#   benchmarks/run.sh --write    ... and refresh BENCHMARKS.md and the DET pictures benchmarks/det_*.svg
#   benchmarks/run.sh --fresh    ignore cached results (benchmarks/.cache/) and measure again
#
# RollCall is measured with its default pack (sface, test-time flip), with the sface-dlib pack (SFace and
# dlib's ResNet fused; slower, more accurate) and with the w600k-mbf pack (YuNet + InsightFace's w600k_mbf, flip
# by default; its weights are for non-commercial research only); the dlib pack, and sface and w600k-mbf without
# flip, are measured for the table of accuracy changes.
# Every measurement is cached under benchmarks/.cache/ (scores files, JSON reports, the peer's encodings),
# so a second run only redoes what is missing: the peer needs ~25 min of CPU for LFW alone. The speed
# measurements (images/s on a fixed LFW subset, the 4-face frame) are always taken again, in interleaved rounds.
# Long jobs run under `nice` (BENCH_NICE, default 15) so that a shared machine stays usable.
#
# Environment: ROLLCALL_SHARED (default ../shared: the faces/ data), ROLLCALL_MODELS (model packs;
# fetched if missing), BENCH_SCRATCH (SwiftPM scratch path, default .build-bench), BENCH_BIN (a rollcall
# binary to measure instead of building one, e.g. on a machine without the package sources' network),
# BENCH_BIN_NOTE (what that binary is, e.g. "a release build of commit abc1234": the report then names the
# binary by this note instead of its path).
set -euo pipefail
cd "$(dirname "$0")/.."
write=0 fresh=0
for arg in "$@"; do
    case "$arg" in
        --write) write=1 ;;
        --fresh) fresh=1 ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "unknown option: $arg" >&2; exit 2 ;;
    esac
done

shared="${ROLLCALL_SHARED:-../shared}"
lfw="$shared/faces/lfw"; lfw_images="$lfw/lfw-deepfunneled"; asian="$shared/faces/asian"
for f in "$lfw/pairs.txt" "$lfw/pairsDevTrain.txt" "$lfw/lfw-names.txt" "$asian/labels.tsv"; do
    [ -f "$f" ] || { echo "missing $f (set ROLLCALL_SHARED to the folder holding faces/)" >&2; exit 1; }
done
export ROLLCALL_MODELS="${ROLLCALL_MODELS:-$HOME/.cache/rollcall/models}"
cache=benchmarks/.cache
mkdir -p "$cache"
nice_cmd=(nice -n "${BENCH_NICE:-15}")
peer_py=benchmarks/.venv-peer/bin/python
step() { printf '\n== %s\n' "$*" >&2; }

step "peer: private venv with face_recognition 1.3.0 on dlib-bin"
benchmarks/peer/setup.sh

if [ -n "${BENCH_BIN:-}" ]; then
    bin="$BENCH_BIN"
    step "RollCall: $bin (BENCH_BIN, not built)"
else
    step "RollCall: release build"
    scratch="${BENCH_SCRATCH:-.build-bench}"
    "${nice_cmd[@]}" swift build -c release --scratch-path "$scratch" --product rollcall 2>&1 | tail -1
    bin="$scratch/release/rollcall"
fi
for pack in sface dlib sface-dlib w600k-mbf; do   # fetch (and convert) only what is not installed and intact
    "$bin" models verify --pack "$pack" >/dev/null 2>&1 || "$bin" models fetch --pack "$pack" >&2
done
[ -f "$ROLLCALL_MODELS/test-photos/obama.jpg" ] || "$bin" models fetch --manifest Fixtures/test-photos.json >&2

step "protocol lists"
python3 benchmarks/make_lfw_1n.py "$lfw" "$cache/lfw1n"
python3 benchmarks/make_lfw_1n.py "$lfw" "$cache/lfw1n_dev" --people "$lfw/peopleDevTrain.txt"   # 1:N development
cat "$cache/lfw1n.gallery.tsv" "$cache/lfw1n.probes.tsv" > "$cache/lfw_all.tsv"   # every LFW image, for eval embed
tail -n +2 "$asian/labels.tsv" | awk -F'\t' '{print $1 "\t" $5}' > "$cache/asian_all.tsv"   # path, person_key
python3 benchmarks/make_asian_pairs.py "$asian/labels.tsv" "$cache/asian.pairs.tsv" > "$cache/asian.protocol.json"
cat "$cache/asian.protocol.json" >&2
# Speed subset: the first 600 distinct images of pairs.txt, as 300 pairs (the same images for both systems).
python3 - "$lfw/pairs.txt" "$cache/speed.pairs.tsv" <<'PY'
import sys
seen = []
for line in open(sys.argv[1]).read().splitlines()[1:]:
    x = line.split("\t")
    names = [(x[0], x[1]), (x[0], x[2])] if len(x) == 3 else [(x[0], x[1]), (x[2], x[3])]
    for n, i in names:
        p = f"{n}/{n}_{int(i):04d}.jpg"
        if p not in seen:
            seen.append(p)
    if len(seen) >= 600:
        break
seen = seen[:600]
open(sys.argv[2], "w").write("".join(f"{seen[i]}\t{seen[i+1]}\t0\n" for i in range(0, 600, 2)))
PY

have() { [ "$fresh" = 0 ] && [ -s "$1" ]; }

# rc NAME PACK FLIP LIST FORMAT ROOT [extra args]: one `rollcall eval pairs` run, cached. FLIP: `flip` (--flip),
# `-` (--no-flip), or `pack` (neither: each network keeps the pack's own setting, as sface-dlib needs).
rc() {
    local name=$1 pack=$2 flip=$3 list=$4 format=$5 root=$6; shift 6
    local out="$cache/rc_$name"
    if have "$out.json"; then echo "  cached: $out.json" >&2; return; fi
    step "RollCall $name"
    local args=(eval pairs "$list" --root "$root" --format "$format" --pack "$pack" --json --scores "$out.scores")
    case "$flip" in
        flip) args+=(--flip) ;;
        -) args+=(--no-flip) ;;   # explicit: the pack has a default
        pack) ;;
        *) echo "rc: FLIP must be flip, - or pack, not $flip" >&2; exit 2 ;;
    esac
    "${nice_cmd[@]}" "$bin" "${args[@]}" "$@" > "$out.json.tmp"
    mv "$out.json.tmp" "$out.json"
}

# rc1n NAME PACK LISTS [extra args]: one `rollcall eval identify` run (the pack's defaults unless told), cached.
# LISTS: the prefix of the gallery and probe lists in the cache.
rc1n() {
    local name=$1 pack=$2 lists=$3; shift 3
    local out="$cache/rc_$name.json"
    if have "$out"; then echo "  cached: $out" >&2; return; fi
    step "RollCall $name (1:N)"
    "${nice_cmd[@]}" "$bin" eval identify --gallery "$cache/$lists.gallery.tsv" --probes "$cache/$lists.probes.tsv" \
        --root "$lfw_images" --pack "$pack" --json "$@" > "$out.tmp"
    mv "$out.tmp" "$out"
}

# peer NAME ARGS...: one peer_eval.py run, cached (its encodings are cached separately and reused).
peer() {
    local name=$1; shift
    local out="$cache/peer_$name.json"
    if have "$out"; then echo "  cached: $out" >&2; return; fi
    step "peer: $name"
    "${nice_cmd[@]}" "$peer_py" benchmarks/peer/peer_eval.py "$@" > "$out.tmp"
    mv "$out.tmp" "$out"
}
[ "$fresh" = 1 ] && rm -f "$cache"/peer_*.npz

# det_curves SET LABEL=SCORES...: the other curves of SET's DET picture (det_SET.svg), in `plot_with`. The picture
# comes from the run of the default configuration (sface with flip, the pack's setting); that run's cached result
# is dropped, so the picture is redrawn, when a curve it draws is newer than the picture.
det_curves() {
    local set=$1; shift
    plot_with=()
    for curve in "$@"; do
        plot_with+=("--plot-with" "$curve")
        [ -f "${curve#*=}" ] && [ "${curve#*=}" -nt "$cache/det_$set.svg" ] && rm -f "$cache/rc_sface_flip_$set.json"
    done
    return 0
}

# --- Development split: LFW View 1 (pairsDevTrain) and the Asian protocol's fold 1 are inside the
# --- Asian runs below (the report splits the scores by fold). Each change is chosen there.
rc sface_dev      sface -    "$lfw/pairsDevTrain.txt" lfw "$lfw_images"
rc sface_flip_dev sface flip "$lfw/pairsDevTrain.txt" lfw "$lfw_images"
rc dlib_dev       dlib  -    "$lfw/pairsDevTrain.txt" lfw "$lfw_images"
rc sface_dlib_dev sface-dlib pack "$lfw/pairsDevTrain.txt" lfw "$lfw_images"
rc w600k_mbf_dev        w600k-mbf pack "$lfw/pairsDevTrain.txt" lfw "$lfw_images"
rc w600k_mbf_noflip_dev w600k-mbf -    "$lfw/pairsDevTrain.txt" lfw "$lfw_images"

# --- East-Asian protocol (10 people-disjoint folds; fold 1 = development).
rc sface_asian      sface -    "$cache/asian.pairs.tsv" tsv "$asian"
rc dlib_asian       dlib  -    "$cache/asian.pairs.tsv" tsv "$asian"
rc sface_dlib_asian sface-dlib pack "$cache/asian.pairs.tsv" tsv "$asian"
rc w600k_mbf_asian        w600k-mbf pack "$cache/asian.pairs.tsv" tsv "$asian"
rc w600k_mbf_noflip_asian w600k-mbf -    "$cache/asian.pairs.tsv" tsv "$asian"
peer asian pairs "$cache/asian.pairs.tsv" --format tsv --root "$asian" --cache "$cache/peer_asian.npz" \
    --scores "$cache/peer_asian.scores"
# The East-Asian DET picture, drawn as LFW's below (from the default configuration's run, redrawn when a curve is newer).
det_curves asian "face_recognition 1.3.0 (peer)=$cache/peer_asian.scores" "RollCall dlib pack=$cache/rc_dlib_asian.scores" \
    "RollCall sface, no flip=$cache/rc_sface_asian.scores" "RollCall sface-dlib pack=$cache/rc_sface_dlib_asian.scores" \
    "RollCall w600k-mbf pack=$cache/rc_w600k_mbf_asian.scores"
rc sface_flip_asian sface flip "$cache/asian.pairs.tsv" tsv "$asian" --plot "$cache/det_asian.svg" "${plot_with[@]}"

# --- LFW View 2 (pairs.txt, the test folds) and LFW 1:N. The peer encodes all 13,233 LFW images once.
peer lfw pairs "$lfw/pairs.txt" --root "$lfw_images" --cache "$cache/peer_lfw.npz" --scores "$cache/peer_lfw.scores"
peer lfw1n identify --gallery "$cache/lfw1n.gallery.tsv" --probes "$cache/lfw1n.probes.tsv" --root "$lfw_images" \
    --cache "$cache/peer_lfw.npz"
peer lfw1n_dev identify --gallery "$cache/lfw1n_dev.gallery.tsv" --probes "$cache/lfw1n_dev.probes.tsv" \
    --root "$lfw_images" --cache "$cache/peer_lfw.npz"
rc dlib_lfw       dlib  -    "$lfw/pairs.txt" lfw "$lfw_images"
rc sface_lfw      sface -    "$lfw/pairs.txt" lfw "$lfw_images"
rc sface_dlib_lfw sface-dlib pack "$lfw/pairs.txt" lfw "$lfw_images"
rc w600k_mbf_lfw        w600k-mbf pack "$lfw/pairs.txt" lfw "$lfw_images"
rc w600k_mbf_noflip_lfw w600k-mbf -    "$lfw/pairs.txt" lfw "$lfw_images"
det_curves lfw "face_recognition 1.3.0 (peer)=$cache/peer_lfw.scores" "RollCall dlib pack=$cache/rc_dlib_lfw.scores" \
    "RollCall sface, no flip=$cache/rc_sface_lfw.scores" "RollCall sface-dlib pack=$cache/rc_sface_dlib_lfw.scores" \
    "RollCall w600k-mbf pack=$cache/rc_w600k_mbf_lfw.scores"
rc sface_flip_lfw sface flip "$lfw/pairs.txt" lfw "$lfw_images" --plot "$cache/det_lfw.svg" "${plot_with[@]}"
# LFW 1:N at each pack's defaults: the development people (peopleDevTrain, where sface-dlib's weight was chosen)
# and everyone (the test protocol; one DET picture per pack).
rc1n sface_noflip_dev1n sface      lfw1n_dev --no-flip
rc1n sface_dev1n        sface      lfw1n_dev
rc1n sface_dlib_dev1n   sface-dlib lfw1n_dev
rc1n sface_noflip_1n    sface      lfw1n --no-flip
rc1n sface_1n           sface      lfw1n --plot "$cache/det_lfw1n.svg"
rc1n sface_dlib_1n      sface-dlib lfw1n --plot "$cache/det_lfw1n_sface_dlib.svg"
rc1n w600k_mbf_noflip_dev1n w600k-mbf lfw1n_dev --no-flip
rc1n w600k_mbf_dev1n        w600k-mbf lfw1n_dev
rc1n w600k_mbf_noflip_1n    w600k-mbf lfw1n --no-flip
rc1n w600k_mbf_1n           w600k-mbf lfw1n --plot "$cache/det_lfw1n_w600k_mbf.svg"

# --- Several enrollment photos per delegate (1:N, people with >= 3 images; LFW and the East-Asian faces): every image's
# embedding once per pack (`rollcall eval embed`), then one, two (best of) or the mean of two templates
# (benchmarks/multi_template.py; the packs' `template_fusion` was chosen on its development people).
for pack in sface sface-dlib w600k-mbf; do
    for set in lfw asian; do
        case "$set" in   # what to embed, and what the script needs besides the embeddings and the pack's manifest
            lfw)   list="$cache/lfw_all.tsv"   root="$lfw_images" suffix=""       extra=("$lfw") ;;
            asian) list="$cache/asian_all.tsv" root="$asian"      suffix="_asian" extra=() ;;
        esac
        emb="$cache/rc_${pack//-/_}_${set}_all.emb" out="$cache/multi_template_${pack//-/_}$suffix.json"
        if have "$out"; then echo "  cached: $out" >&2; continue; fi
        step "RollCall $pack: several photos per delegate ($set 1:N)"
        if ! have "$emb"; then
            "${nice_cmd[@]}" "$bin" eval embed "$list" --root "$root" --pack "$pack" -o "$emb.tmp"
            mv "$emb.tmp" "$emb"
        fi
        "$peer_py" benchmarks/multi_template.py "$set" "$emb" "Sources/FaceEngine/Resources/packs/$pack.json" \
            "${extra[@]}" > "$out.tmp"
        mv "$out.tmp" "$out"
    done
done

# --- Speed, always measured again, both systems using both cores. On a shared machine one run can be slowed by
# whatever else runs, so every speed measurement is taken in BENCH_SPEED_ROUNDS (default 3) interleaved rounds
# and each system keeps its best round (the same rule for RollCall and the peer).
# best OUT KEY max|min CMD...: run CMD (JSON on stdout) and keep in OUT whichever of it and OUT's is better by KEY.
best() {
    local out=$1 key=$2 better=$3; shift 3
    "$@" > "$out.round"
    python3 - "$out" "$out.round" "$key" "$better" <<'PY'
import json, os, sys
out, new, key, better = sys.argv[1:]
n = json.load(open(new))
if os.path.exists(out + ".keep"):
    o = json.load(open(out + ".keep"))
    if (o[key] >= n[key]) if better == "max" else (o[key] <= n[key]):
        n = o
json.dump(n, open(out + ".keep", "w"))
PY
    rm -f "$out.round"
}
rounds="${BENCH_SPEED_ROUNDS:-3}"
photos=(obama.jpg biden.jpg obama2.jpg obama3.jpg)   # the photos and layout of `rollcall bench`
paths=(); for p in "${photos[@]}"; do paths+=("$ROLLCALL_MODELS/test-photos/$p"); done
boxes=$("$bin" detect --json "${paths[@]}" | python3 -c '
import json, sys
print(json.dumps([max((f["box"] for f in img["faces"]), key=lambda b: b[2] * b[3]) for img in json.load(sys.stdin)]))')
speed_files=(rc_speed rc_speed_noflip rc_speed_sface_dlib rc_speed_w600k_mbf rc_speed_w600k_mbf_noflip peer_speed
             rc_speed_opencv_conv rc_speed_w600k_mbf_opencv_conv
             rc_bench rc_bench_sface_dlib rc_bench_w600k_mbf peer_frame)
for f in "${speed_files[@]}"; do rm -f "$cache/$f.json.keep"; done
speed_args=(eval pairs "$cache/speed.pairs.tsv" --format tsv --root "$lfw_images" --json)
for round in $(seq 1 "$rounds"); do
    step "speed, round $round of $rounds: 600 LFW images, both cores; 640x480 frame with 4 faces"
    best "$cache/rc_speed.json" images_per_second max "${nice_cmd[@]}" "$bin" "${speed_args[@]}"
    best "$cache/rc_speed_noflip.json" images_per_second max "${nice_cmd[@]}" "$bin" "${speed_args[@]}" --no-flip
    best "$cache/rc_speed_sface_dlib.json" images_per_second max "${nice_cmd[@]}" "$bin" "${speed_args[@]}" \
        --pack sface-dlib
    best "$cache/rc_speed_w600k_mbf.json" images_per_second max "${nice_cmd[@]}" "$bin" "${speed_args[@]}" \
        --pack w600k-mbf
    best "$cache/rc_speed_w600k_mbf_noflip.json" images_per_second max "${nice_cmd[@]}" "$bin" "${speed_args[@]}" \
        --pack w600k-mbf --no-flip
    # Before RollCall's depthwise kernel (OpenCV's own kernels everywhere), same round.
    best "$cache/rc_speed_opencv_conv.json" images_per_second max "${nice_cmd[@]}" "$bin" "${speed_args[@]}" \
        --opencv-convolution
    best "$cache/rc_speed_w600k_mbf_opencv_conv.json" images_per_second max "${nice_cmd[@]}" "$bin" "${speed_args[@]}" \
        --pack w600k-mbf --opencv-convolution
    best "$cache/peer_speed.json" images_per_second max "${nice_cmd[@]}" "$peer_py" benchmarks/peer/peer_eval.py \
        speed "$cache/speed.pairs.tsv" --format tsv --root "$lfw_images" --limit 600
    best "$cache/rc_bench.json" frames_4faces_per_second_all_cores max "${nice_cmd[@]}" "$bin" bench --json
    best "$cache/rc_bench_sface_dlib.json" frames_4faces_per_second_all_cores max "${nice_cmd[@]}" "$bin" bench --json --pack sface-dlib
    best "$cache/rc_bench_w600k_mbf.json" frames_4faces_per_second_all_cores max "${nice_cmd[@]}" "$bin" bench --json --pack w600k-mbf
    best "$cache/peer_frame.json" frames_per_second max "${nice_cmd[@]}" "$peer_py" benchmarks/peer/peer_eval.py \
        frame --photos "${paths[@]}" --boxes "$boxes" --save "$cache/frame_4faces.png"
done
for f in "${speed_files[@]}"; do mv "$cache/$f.json.keep" "$cache/$f.json"; done
echo "$rounds" > "$cache/speed_rounds.txt"
"$bin" detect --json "$cache/frame_4faces.png" | python3 -c '
import json, sys; n = len(json.load(sys.stdin)[0]["faces"]); print(f"  RollCall finds {n} faces in the peer'"'"'s frame", file=sys.stderr)'

step "report"
if [ -n "${BENCH_BIN:-}" ] && [ -n "${BENCH_BIN_NOTE:-}" ]; then
    command_line="BENCH_BIN=… benchmarks/run.sh${*:+ $*}"
else
    command_line="${BENCH_BIN:+BENCH_BIN=$BENCH_BIN }benchmarks/run.sh${*:+ $*}"
fi
note_args=(); [ -n "${BENCH_BIN:-}" ] && [ -n "${BENCH_BIN_NOTE:-}" ] && note_args=(--bin-note "$BENCH_BIN_NOTE")
if [ "$write" = 1 ]; then
    python3 benchmarks/report.py --cache "$cache" --command "$command_line" "${note_args[@]}" --write BENCHMARKS.md
    cp "$cache/det_lfw.svg" benchmarks/det_lfw.svg
    cp "$cache/det_asian.svg" benchmarks/det_asian.svg
    for f in det_lfw1n.svg det_lfw1n_sface_dlib.svg det_lfw1n_w600k_mbf.svg; do [ -s "$cache/$f" ] && cp "$cache/$f" "benchmarks/$f"; done
    echo "wrote BENCHMARKS.md, benchmarks/det_lfw.svg, benchmarks/det_asian.svg, benchmarks/det_lfw1n*.svg" >&2
else
    python3 benchmarks/report.py --cache "$cache" --command "$command_line" "${note_args[@]}"
    echo "(BENCHMARKS.md left as it is: pass --write to refresh it)" >&2
fi
