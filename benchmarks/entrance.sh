#!/usr/bin/env bash
# The roll call at the door, measured as the user lives it (issue 13), on this machine, in one run. Not part of
# `make test`.
#
#   benchmarks/entrance.sh            run what is not cached yet, print the door section
#   benchmarks/entrance.sh --write    ... and put it into BENCHMARKS.md (between the entrance markers)
#   benchmarks/entrance.sh --fresh    measure everything again
#
# What it runs (each result a JSON file under benchmarks/.cache/entrance/):
# - East-Asian entrances from ../shared/faces/asian (make_entrance.py): the development split (475 delegates, 110 of
#   them walking in, 70 people on no roster) and the held-out split, as `rollcall eval entrance` builds them
#   (spaced, queue, crowd), for sface, sface-dlib and w600k-mbf, enrolled from one portrait, two photos, or at the
#   desk; sface also at the threshold `rollcall calibrate` proposes for the roster;
# - an LFW entrance (peopleDevTrain: 1,000 delegates, 300 walkers, 1,000 strangers) for stranger rates;
# - the Hamilton clip with who is in it; detection size and full-resolution landmarks switched off (ablations);
# - the enrollment-photo curves (`rollcall eval enrollment`) and calibration against measured FPIR;
# - with BASE_BIN (a release build of the commit before, e.g. 216d167): the same entrances written as videos and
#   read by that binary's `watch` with its own enrollment, and speed of both binaries in interleaved rounds.
# Environment: ROLLCALL_SHARED (default ../shared), ROLLCALL_MODELS, BENCH_BIN (default: a release build here),
# BASE_BIN, BENCH_SPEED_ROUNDS (default 3), BENCH_NICE (default 15).
set -euo pipefail
cd "$(dirname "$0")/.."
write=0 fresh=0
for arg in "$@"; do
    case "$arg" in
        --write) write=1 ;;
        --fresh) fresh=1 ;;
        -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
        *) echo "unknown option: $arg" >&2; exit 2 ;;
    esac
done
shared="${ROLLCALL_SHARED:-../shared}"; faces="$shared/faces"
[ -f "$faces/asian/labels.tsv" ] || { echo "missing $faces/asian/labels.tsv (set ROLLCALL_SHARED)" >&2; exit 1; }
export ROLLCALL_MODELS="${ROLLCALL_MODELS:-$HOME/.cache/rollcall/models}"
cache=benchmarks/.cache/entrance; mkdir -p "$cache"
# What the figures were measured on (the report quotes it): speeds differ with the CPU's vector unit and the load.
vector=$(grep -m1 -o -w avx512f /proc/cpuinfo || grep -m1 -o -w avx2 /proc/cpuinfo || echo "no AVX2")
printf '%s, %s cores (%s), load average at the start: %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$vector" \
    "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$cache/machine.txt"
nice_cmd=(nice -n "${BENCH_NICE:-15}")
step() { printf '\n== %s\n' "$*" >&2; }
if [ -n "${BENCH_BIN:-}" ]; then bin="$BENCH_BIN"; else
    step "release build"; "${nice_cmd[@]}" swift build -c release --product rollcall 2>&1 | tail -1; bin=.build/release/rollcall
fi
for pack in sface sface-dlib w600k-mbf; do "$bin" models verify --pack "$pack" >/dev/null 2>&1 || "$bin" models fetch --pack "$pack" >&2; done

# run NAME CMD...: CMD's stdout into $cache/NAME.json unless cached.
run() {
    local name=$1; shift
    if [ "$fresh" = 0 ] && [ -s "$cache/$name.json" ]; then return; fi
    step "$name"
    "${nice_cmd[@]}" "$@" > "$cache/$name.json.part" && mv "$cache/$name.json.part" "$cache/$name.json"
}

step "lists"
for split in dev test; do
    python3 benchmarks/make_entrance.py asian "$cache/asian-$split" --faces "$faces" --split "$split" >&2
done
python3 benchmarks/make_entrance.py lfw "$cache/lfw-dev" --faces "$faces" --split dev --delegates 1000 --walkers 300 --strangers 1000 >&2

entrance() {   # entrance NAME SET PACK COMPOSITION [extra args]
    local name=$1 set=$2 pack=$3 composition=$4; shift 4
    run "$name" "$bin" eval entrance --pack "$pack" --gallery "$cache/$set/gallery.tsv" --walkers "$cache/$set/walkers.tsv" \
        --root "$faces" --composition "$composition" --json "$@"
}
step "Hamilton clip: Lin-Manuel Miranda and Barack Obama walk in (Alex Lacamoire only in near profile)"
m="misc/github-ageitgey-face_recognition/examples"; p="misc/pypi-face_recognition-1.3.0/tests/test_images"
printf '%s\n' "$m/lin-manuel-miranda.png	lin-manuel-miranda" "$p/obama.jpg	barack-obama" "$m/alex-lacamoire.png	alex-lacamoire" \
    "$p/biden.jpg	joe-biden" "$m/knn_examples/train/kit_harington/john1.jpeg	kit-harington" \
    "$m/knn_examples/train/rose_leslie/img1.jpg	rose-leslie" > "$cache/hamilton.gallery.tsv"
printf 'lin-manuel-miranda\nbarack-obama\nalex-lacamoire\n' > "$cache/hamilton.truth.txt"
clip="$faces/video/github-ageitgey-face_recognition/examples/short_hamilton_clip.mp4"
for pack in sface sface-dlib w600k-mbf; do
    run "hamilton-$pack" "$bin" eval entrance --pack "$pack" --gallery "$cache/hamilton.gallery.tsv" --root "$faces" \
        --video "$clip" --truth "$cache/hamilton.truth.txt" --json
done
run hamilton-sface-320 "$bin" eval entrance --gallery "$cache/hamilton.gallery.tsv" --root "$faces" --video "$clip" \
    --truth "$cache/hamilton.truth.txt" --detection-width 320 --json
run hamilton-sface-norefine "$bin" eval entrance --gallery "$cache/hamilton.gallery.tsv" --root "$faces" --video "$clip" \
    --truth "$cache/hamilton.truth.txt" --no-refine --json

for composition in queue spaced crowd; do
    entrance "asian-dev-sface-$composition" asian-dev sface "$composition" --evidence "$cache/asian-dev-sface-$composition.evidence.jsonl"
done
for pack in sface sface-dlib w600k-mbf; do
    entrance "asian-dev-$pack-queue-desk" asian-dev "$pack" queue --desk
    run "asian-dev-$pack-queue-two" "$bin" eval entrance --pack "$pack" --gallery "$cache/asian-dev/gallery2.tsv" \
        --walkers "$cache/asian-dev/walkers.tsv" --root "$faces" --composition queue --json
    [ "$pack" = sface ] || entrance "asian-dev-$pack-queue" asian-dev "$pack" queue
done
for composition in spaced queue; do
    entrance "asian-test-sface-$composition" asian-test sface "$composition"
done
entrance lfw-dev-sface-queue lfw-dev sface queue --evidence "$cache/lfw-dev-sface-queue.evidence.jsonl"
step "decision rules on the same embeddings: fused best views against K-of-track"
for name in asian-dev-sface-spaced asian-dev-sface-queue asian-dev-sface-crowd lfw-dev-sface-queue; do
    run "rules-$name" python3 benchmarks/track_rules.py "$cache/$name.evidence.jsonl"
done
# Ablations: the detector at the old fixed 320 px width, and landmarks kept from the scaled-down frame.
entrance asian-dev-sface-queue-320 asian-dev sface queue --detection-width 320
entrance asian-dev-sface-queue-norefine asian-dev sface queue --no-refine

step "calibration: the roster's own operating point"
for set in asian-dev asian-test; do
    work=$(mktemp -d)
    python3 - "$cache/$set/gallery.tsv" "$faces" "$work/roster.csv" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
seen = set()
with open(sys.argv[3], "w") as f:
    f.write("id,name,photo\n")
    for path, key in rows:
        if key not in seen:
            seen.add(key); f.write('"%s","%s","%s/%s"\n' % (key, key, sys.argv[2], path))
PY
    ROLLCALL_KEY_FILE="$work/key" "$bin" roster import "$work/roster.csv" --db "$work/r.db" --lang en >/dev/null
    ROLLCALL_KEY_FILE="$work/key" "$bin" enroll --roster "$work/roster.csv" --db "$work/r.db" --lang en >/dev/null 2>&1 || true
    run "calibrate-$set" env ROLLCALL_KEY_FILE="$work/key" "$bin" calibrate --db "$work/r.db" --json
    rm -rf "$work"
done
t=$(python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["proposed"]["threshold"])' "$cache/calibrate-asian-dev.json")
for composition in spaced queue; do
    entrance "asian-dev-sface-$composition-calibrated" asian-dev sface "$composition" --identify-threshold "$t"
done
python3 benchmarks/make_lfw_1n.py "$faces/lfw" "$cache/lfw1n_dev" --people "$faces/lfw/peopleDevTrain.txt" >&2
python3 benchmarks/make_lfw_1n.py "$faces/lfw" "$cache/lfw1n" >&2
python3 - "$faces/asian/labels.tsv" "$cache/asian1n" <<'PY'
import collections, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
people = collections.defaultdict(list)
for r in rows: people[r[4]].append(r[0])
with open(sys.argv[2] + ".gallery.tsv", "w") as g, open(sys.argv[2] + ".probes.tsv", "w") as p:
    for key, paths in sorted(people.items()):
        paths.sort()
        if len(paths) >= 2:
            g.write("%s\t%s\n" % (paths[0], key)); p.writelines("%s\t%s\n" % (x, key) for x in paths[1:])
        else:
            p.write("%s\t-\n" % paths[0])
PY
for pack in sface w600k-mbf; do
    run "identify-lfw1n-dev-$pack" "$bin" eval identify --pack "$pack" --gallery "$cache/lfw1n_dev.gallery.tsv" \
        --probes "$cache/lfw1n_dev.probes.tsv" --root "$faces/lfw/lfw-deepfunneled" --json
    run "identify-lfw1n-$pack" "$bin" eval identify --pack "$pack" --gallery "$cache/lfw1n.gallery.tsv" \
        --probes "$cache/lfw1n.probes.tsv" --root "$faces/lfw/lfw-deepfunneled" --json
    run "identify-asian1n-$pack" "$bin" eval identify --pack "$pack" --gallery "$cache/asian1n.gallery.tsv" \
        --probes "$cache/asian1n.probes.tsv" --root "$faces/asian" --json
done

step "enrollment photos: misses against face size and yaw"
run enrollment-lfw-dev "$bin" eval enrollment --gallery "$cache/lfw1n_dev.gallery.tsv" --probes "$cache/lfw1n_dev.probes.tsv" \
    --root "$faces/lfw/lfw-deepfunneled" --json
run enrollment-asian "$bin" eval enrollment --gallery "$cache/asian1n.gallery.tsv" --probes "$cache/asian1n.probes.tsv" \
    --root "$faces/asian" --json

if [ -n "${BASE_BIN:-}" ]; then
    step "before: $BASE_BIN's watch on the same entrances, written as videos"
    for composition in spaced queue crowd; do
        video="$cache/asian-dev-$composition.avi"
        [ -s "$video" ] || "${nice_cmd[@]}" "$bin" eval entrance --gallery "$cache/asian-dev/gallery.tsv" \
            --walkers "$cache/asian-dev/walkers.tsv" --root "$faces" --composition "$composition" --write-video "$video" --json >/dev/null
        for who in base new; do
            [ "$who" = base ] && b="$BASE_BIN" || b="$bin"
            name="watch-$who-asian-dev-$composition"
            if [ "$fresh" = 1 ] || [ ! -s "$cache/$name.json" ]; then
                step "$name"
                work=$(mktemp -d)
                python3 - "$cache/asian-dev/gallery.tsv" "$faces" "$work/roster.csv" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
with open(sys.argv[3], "w") as f:
    f.write("id,name,photo\n"); f.writelines('"%s","%s","%s/%s"\n' % (k, k, sys.argv[2], p) for p, k in rows)
PY
                export ROLLCALL_KEY_FILE="$work/key" ROLLCALL_DB="$work/r.db" ROLLCALL_LANG=en
                "$b" roster import "$work/roster.csv" >/dev/null
                enrolled=$("$b" enroll --roster "$work/roster.csv" 2>/dev/null | tail -1 || true)
                "$b" session open entrance >/dev/null
                "${nice_cmd[@]}" "$b" watch "$video" --json > "$work/watch.jsonl" 2>/dev/null
                python3 - "$cache/asian-dev/walkers.tsv" "$work/watch.jsonl" "$enrolled" > "$cache/$name.json" <<'PY'
import json, sys
walked = {k for p, k in (l.rstrip("\n").split("\t") for l in open(sys.argv[1])) if k != "-"}
lines = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
ids = [l["delegate_id"] for l in lines if "delegate_id" in l]
summary = [l for l in lines if "frames_per_second" in l][-1]
json.dump({"check_ins": len(ids), "right": sum(i in walked for i in ids), "wrong": sorted(i for i in ids if i not in walked),
           "frames_per_second": summary["frames_per_second"], "enrollment": sys.argv[3]}, sys.stdout)
PY
                unset ROLLCALL_KEY_FILE ROLLCALL_DB ROLLCALL_LANG
                rm -rf "$work"
            fi
        done
    done
    step "speed, both binaries, interleaved rounds: 600 LFW images (pairs), the 4-face 640x480 frame"
    python3 - "$faces/lfw/pairs.txt" "$cache/speed.pairs.tsv" <<'PY'
import sys
seen = []
for line in open(sys.argv[1]).read().split("\n")[1:]:
    f = line.split("\t")
    names = ["%s/%s_%04d.jpg" % (f[0], f[0], int(f[1])), "%s/%s_%04d.jpg" % (f[0], f[0], int(f[2]))] if len(f) == 3 else \
            ["%s/%s_%04d.jpg" % (f[0], f[0], int(f[1])), "%s/%s_%04d.jpg" % (f[2], f[2], int(f[3]))] if len(f) == 4 else []
    for n in names:
        if n not in seen: seen.append(n)
    if len(seen) >= 600: break
open(sys.argv[2], "w").write("".join("%s\t%s\t0\n" % (seen[i], seen[i + 1]) for i in range(0, 600, 2)))
PY
    rounds="${BENCH_SPEED_ROUNDS:-3}"
    for round in $(seq 1 "$rounds"); do
        for who in base new; do
            [ "$who" = base ] && b="$BASE_BIN" || b="$bin"
            for pack in sface sface-dlib w600k-mbf; do
                "${nice_cmd[@]}" "$b" eval pairs "$cache/speed.pairs.tsv" --format tsv --root "$faces/lfw/lfw-deepfunneled" \
                    --pack "$pack" --json > "$cache/speed-$who-$pack-lfw-$round.json"
                "${nice_cmd[@]}" "$b" bench --json --pack "$pack" > "$cache/speed-$who-$pack-bench-$round.json"
            done
        done
    done
    echo "$rounds" > "$cache/speed_rounds.txt"
fi

step "report"
if [ "$write" = 1 ]; then python3 benchmarks/entrance_report.py --cache "$cache" --write BENCHMARKS.md
else python3 benchmarks/entrance_report.py --cache "$cache"; fi
