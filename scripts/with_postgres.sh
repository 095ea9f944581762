#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server: started in a temporary
# directory on a free loopback port, stopped and removed afterwards, whatever happens.
# The command sees EOI_TEST_DATABASE_URL; the script exits with the command's status.
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "error: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

dir=$(mktemp -d /tmp/eoi-pg.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# initdb and postgres refuse to run as root: run them as the postgres user, from a
# directory it can read.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir"
    as_owner=(runuser -u postgres --)
fi
pg() { (cd "$dir" && "${as_owner[@]}" "$bin/$@"); }

stop() {
    pg pg_ctl -D "$dir/data" -m fast -w stop > /dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pg initdb -D "$dir/data" -U eoi --auth=trust -E UTF8 --locale=C.UTF-8 > "$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
pg pg_ctl -D "$dir/data" -l "$dir/server.log" -w -o \
    "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start > /dev/null || { cat "$dir/server.log" >&2; exit 1; }

echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') started on 127.0.0.1:$port"
export EOI_TEST_DATABASE_URL="postgresql+psycopg://eoi@127.0.0.1:$port/postgres"
status=0
"$@" || status=$?
exit "$status"
