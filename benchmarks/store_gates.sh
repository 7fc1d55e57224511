#!/usr/bin/env bash
# Many gates, one record: GATES simulated gates (default 16) writing confirmed sightings of DELEGATES (default 2000)
# as fast as they can, each with its own connection, into a throwaway PostgreSQL over loopback, then the same load
# on one SQLite file (a handle per gate, as separate processes would have). Prints bench-store's line for each.
# Not a test. Usage: benchmarks/store_gates.sh [path/to/rollcall]   (default .build/release/rollcall)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/release/rollcall}
gates=${GATES:-16} delegates=${DELEGATES:-2000} per_gate=${PER_GATE:-500}
ROLLCALL_KEY=$(head -c 32 /dev/urandom | base64)
export ROLLCALL_KEY bin gates delegates per_gate
scripts/with-test-postgres.sh bash -c '
    "$bin" bench-store --db "$ROLLCALL_TEST_POSTGRES" --gates "$gates" --delegates "$delegates" --sightings-per-gate "$per_gate" "${@}"
' _ "${@:2}"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$bin" bench-store --db "$scratch/bench.db" --busy-timeout 30 --gates "$gates" --delegates "$delegates" --sightings-per-gate "$per_gate" "${@:2}"
