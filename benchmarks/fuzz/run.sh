#!/usr/bin/env bash
# Fuzzes RollCall's parsers with libFuzzer, each for a bounded time, one after the other (not part of `make test`).
#
#   benchmarks/fuzz/run.sh [--minutes N] [--replay] [HARNESS...]
#
# Harnesses (default: all):
#   image_decode   the shim's rc_image_decode_bytes with the engine's 50-megapixel budget (C++, ASan + UBSan)
#   roster_csv     Roster.parse, the roster CSV import (Swift, ASan)
#   serve_config   ServerConfiguration's YAML decoding and validation (Swift, ASan)
#   pair_lists     PairList.parseLFW / parseTSV and LabeledImageList.parse (Swift, ASan)
#
# Each harness starts from its seed corpus (corpus/NAME, committed, small) and grows a working corpus in
# .work/NAME (not committed). A crash, hang (-timeout) or allocation over -malloc_limit_mb is written to
# findings/NAME-* and the fuzzer restarted for the time left; every finding fixed so far is kept in regressions/NAME/
# and replayed first (--replay replays them only). The summary table (executions, executions per second, coverage,
# corpus, new findings) is printed at the end and appended to .work/summary.tsv.
#
# Needs: the Swift toolchain's clang (libFuzzer and the sanitizers come with it), Debian's OpenCV, and a debug
# `swift build` of the package (the Swift harnesses link its builds of the modules they do not fuzz: Texts, Yams,
# Spreadsheets and its ZIP/XML readers).
set -euo pipefail
cd "$(dirname "$0")"
FUZZ_DIR=$(pwd)
ROOT=$(cd ../.. && pwd)
MINUTES=10
REPLAY_ONLY=0
HARNESSES=()
while [ $# -gt 0 ]; do
    case "$1" in
        --minutes) MINUTES=$2; shift 2 ;;
        --replay) REPLAY_ONLY=1; shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) HARNESSES+=("$1"); shift ;;
    esac
done
[ ${#HARNESSES[@]} -gt 0 ] || HARNESSES=(image_decode roster_csv serve_config pair_lists)

# A crash must not wait on the Swift runtime's interactive backtracer (up to 30 s each).
export SWIFT_BACKTRACE=enable=no
# Swift's runtime and Foundation keep process-lifetime caches that LeakSanitizer reports at every exit (each -fork job);
# a leak that grows per input still ends the run through -rss_limit_mb.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
TOOLCHAIN=$(dirname "$(readlink -f "$(command -v swiftc)")")
CLANGXX="$TOOLCHAIN/clang++"
SWIFTC="$TOOLCHAIN/swiftc"
BUILD="$FUZZ_DIR/.build"
mkdir -p "$BUILD" .work findings

# Builds one harness into $BUILD/NAME (skipped when the binary is newer than every source it is made of).
build() {
    local name=$1
    case "$name" in
        image_decode)
            local sources=(harness/image_decode.cpp "$ROOT/CShims/src/image.cpp")
            up_to_date "$name" "${sources[@]}" && return
            nice "$CLANGXX" -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
                -I"$ROOT/CShims/include" -I/usr/include/opencv4 "${sources[@]}" -o "$BUILD/$name" \
                -lopencv_core -lopencv_imgcodecs -lopencv_imgproc 2> >(grep -v "Cannot export local symbol" >&2)
            ;;
        roster_csv)
            swift_harness "$name" "$ROOT"/Sources/RollCall/{Roster,RosterColumn,RosterError,CSVRecordReader,Delegate}.swift ;;
        serve_config)
            swift_harness "$name" "$ROOT"/Sources/RollCallServer/{ServerConfiguration,ConfigurationKeys,GateConfiguration,PipelineConfiguration,ServerError}.swift ;;
        pair_lists)
            swift_harness "$name" "$ROOT/Sources/Evaluation/PairList.swift" "$ROOT/Sources/Evaluation/LabeledImageList.swift" ;;
        *) echo "unknown harness $name" >&2; exit 2 ;;
    esac
}

up_to_date() {
    local name=$1; shift
    [ -x "$BUILD/$name" ] || return 1
    for s in "$@"; do [ "$s" -nt "$BUILD/$name" ] && return 1; done
    return 0
}

# The package's debug build of MODULE...: the flags to import them and their objects, for what a harness links
# without instrumenting (the catalogue of texts, the YAML and spreadsheet readers).
package_modules() {
    local debug="$ROOT/.build/debug"
    [ -d "$debug/Modules" ] || { echo "the Swift harnesses need a debug build first: swift build" >&2; exit 2; }
    local flags=(-I "$debug/Modules")
    for m in "$@"; do
        case "$m" in
            Yams) flags+=(-Xcc -fmodule-map-file="$ROOT/.build/checkouts/Yams/Sources/CYaml/include/module.modulemap"
                          -Xcc -I"$ROOT/.build/checkouts/Yams/Sources/CYaml/include" "$debug"/CYaml.build/src/*.o) ;;
            ZIPFoundation) flags+=(-Xcc -fmodule-map-file="$ROOT/.build/checkouts/ZIPFoundation/Sources/CZLib/module.modulemap" -lz) ;;
        esac
        flags+=("$debug/$m.build"/*.swift.o)
    done
    printf '%s\n' "${flags[@]}"
}

# A Swift harness: harness/NAME.swift compiled together with the sources it exercises (one module, so internal
# types are reachable), instrumented for coverage and ASan; the modules those sources import are linked from the
# package's debug build (not instrumented: their code runs, but coverage does not steer into it).
swift_harness() {
    local name=$1; shift
    local sources=("harness/$name.swift" "$@")
    local existing=()
    for s in "${sources[@]}"; do [ -f "$s" ] && existing+=("$s"); done
    up_to_date "$name" "${existing[@]}" harness/FaceEngineStub.swift harness/ResourcesStub.swift && return
    local extra=()
    if [ "$name" = roster_csv ]; then
        mapfile -t extra < <(package_modules Texts Spreadsheets XMLCoder ZIPFoundation)
    fi
    if [ "$name" = serve_config ]; then
        # GateConfiguration imports FaceEngine for one constant: compile a copy without the import, with the stub.
        grep -q 'rotations: Set<Int> = \[0, 90, 180, 270\]' "$ROOT/Sources/FaceEngine/VideoSource.swift" \
            || { echo "harness/FaceEngineStub.swift no longer matches VideoSource.rotations" >&2; exit 2; }
        mkdir -p "$BUILD/src"
        local copied=()
        for s in "${existing[@]}"; do
            sed '/^import FaceEngine$/d' "$s" > "$BUILD/src/$(basename "$s")"; copied+=("$BUILD/src/$(basename "$s")")
        done
        existing=("${copied[@]}" harness/FaceEngineStub.swift harness/ResourcesStub.swift)
        mapfile -t extra < <(package_modules Texts Yams)
    fi
    nice "$SWIFTC" -parse-as-library -module-name Fuzz"$name" -Onone -g -sanitize=fuzzer,address \
        "${existing[@]}" "${extra[@]}" -o "$BUILD/$name" 2> >(grep -v "Cannot export local symbol" >&2)
}

# One row per run, appended (earlier runs stay, with their date).
[ -f .work/summary.tsv ] || printf "date\tharness\tminutes\texecutions\texec_per_s\tcoverage\tcorpus\tfindings\n" > .work/summary.tsv
for name in "${HARNESSES[@]}"; do
    echo "== $name: building" >&2
    build "$name"
    flags=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 -print_final_stats=1)
    if [ -d "regressions/$name" ] && [ -n "$(ls -A "regressions/$name")" ]; then
        echo "== $name: replaying regressions/$name" >&2
        "$BUILD/$name" "${flags[@]}" regressions/"$name"/* > ".work/$name.replay.log" 2>&1 \
            || { echo "$name: a fixed finding crashes again, see .work/$name.replay.log" >&2; exit 1; }
    fi
    [ "$REPLAY_ONLY" = 1 ] && continue
    mkdir -p ".work/$name"
    before=$(ls findings | grep -c "^$name-" || true)
    echo "== $name: fuzzing for $MINUTES minute(s)" >&2
    # One process at a time, restarted after a finding until the time is used up, so one run reports every distinct
    # finding it meets (libFuzzer's -fork mode does that too, but restarts its job processes so often that a slow
    # target such as serve_config ran ten times slower).
    : > ".work/$name.log"
    deadline=$(( $(date +%s) + MINUTES * 60 ))
    execs=0
    while [ "$(date +%s)" -lt "$deadline" ]; do
        left=$(( deadline - $(date +%s) ))
        nice -n 10 "$BUILD/$name" "${flags[@]}" -max_total_time="$left" -artifact_prefix="findings/$name-" \
            ".work/$name" "corpus/$name" >> ".work/$name.log" 2>&1 || true
        # stat::number_of_executed_units of the process that just ended.
        ran=$(grep -E "^stat::number_of_executed_units" ".work/$name.log" | tail -1 | grep -oE "[0-9]+$" || echo 0)
        execs=$(( execs + ran ))
        sed -i 's/^stat::number_of_executed_units/stat::counted_units/' ".work/$name.log"
    done
    after=$(ls findings | grep -c "^$name-" || true)
    last=$(grep -E "^#[0-9]+" ".work/$name.log" | grep "cov:" | tail -1)
    cov=$(echo "$last" | sed -E 's/.*cov: ([0-9]+).*/\1/')
    corp=$(ls ".work/$name" | wc -l)
    eps=$(( execs / (MINUTES * 60) ))
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$(date -u +%FT%TZ)" "$name" "$MINUTES" "$execs" "$eps" "$cov" "$corp" "$((after - before))" >> .work/summary.tsv
    echo "$name: $execs executions in $MINUTES minute(s) ($eps/s), coverage $cov, corpus $corp; new findings: $((after - before))" >&2
done
column -t -s $'\t' .work/summary.tsv
