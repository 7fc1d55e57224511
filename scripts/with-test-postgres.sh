#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server: initdb in a temporary folder, loopback only on a free port,
# password authentication, stopped and deleted at the end (also when the command fails or is interrupted).
#   scripts/with-test-postgres.sh swift test
# The command gets ROLLCALL_TEST_POSTGRES=postgres://rollcall:PASSWORD@127.0.0.1:PORT/postgres and
# ROLLCALL_REQUIRE_POSTGRES=1 (the PostgreSQL tests then fail instead of skipping when the server is missing).
# PostgreSQL refuses to run as root, so under root (CI) the server runs as the unprivileged user `nobody`.
set -euo pipefail
(($#)) || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }

bindir=""
for candidate in "${ROLLCALL_PG_BINDIR:-}" /usr/lib/postgresql/*/bin; do
    [ -n "$candidate" ] && [ -x "$candidate/initdb" ] && { bindir=$candidate; break; }
done
[ -n "$bindir" ] || { echo "with-test-postgres: no PostgreSQL server found (install it: scripts/install-system-packages.sh)" >&2; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/rollcall-pg.XXXXXX")
password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
as_server=()
if [ "$(id -u)" -eq 0 ]; then
    chown nobody "$dir"
    as_server=(runuser -u nobody --)
fi
printf '%s\n' "$password" >"$dir/pwfile"
[ "$(id -u)" -eq 0 ] && chown nobody "$dir/pwfile"

stop() {
    "${as_server[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

"${as_server[@]}" "$bindir/initdb" -D "$dir/data" --username=rollcall --pwfile="$dir/pwfile" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
rm -f "$dir/pwfile"
"${as_server[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
echo "with-test-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir)" >&2

export ROLLCALL_TEST_POSTGRES="postgres://rollcall:$password@127.0.0.1:$port/postgres"
export ROLLCALL_REQUIRE_POSTGRES=1
set +e
"$@"
status=$?
set -e
exit $status
