#!/usr/bin/env bash
# Builds the package once under AddressSanitizer, with the shim (CShims/) also under UndefinedBehaviorSanitizer, and
# runs the shim's tests (FaceEngineTests: decode, detect, align, embed, capture, the convolution kernels) there.
# Not part of `make test`: a separate build folder (.build-asan, ~2x the normal build time) and ~3x slower tests.
#
#   benchmarks/fuzz/sanitize_shim.sh [--filter REGEX]      (default: FaceEngineTests)
#
# Any ASan report or UBSan "runtime error" fails the run; the log is .build-asan/sanitize.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
FILTER=FaceEngineTests
[ "${1:-}" = --filter ] && FILTER=$2
export ROLLCALL_SHIM_UBSAN=1
export ROLLCALL_MODELS=${ROLLCALL_MODELS:-$HOME/.cache/rollcall/models}
# The Swift runtime's backtracer would compete with the sanitizers' reports.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
nice swift build --scratch-path .build-asan --sanitize=address --build-tests
mkdir -p .build-asan
set +e
nice swift test --scratch-path .build-asan --sanitize=address --skip-build --filter "$FILTER" 2>&1 | tee .build-asan/sanitize.log
status=${PIPESTATUS[0]}
set -e
reports=$(grep -cE "ERROR: AddressSanitizer|runtime error:" .build-asan/sanitize.log || true)
echo "sanitize_shim: tests exit $status, sanitizer reports: $reports (log .build-asan/sanitize.log)"
[ "$status" = 0 ] && [ "$reports" = 0 ]
