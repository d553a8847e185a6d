#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, from Debian's `postgresql` package.
#
#   scripts/pg-test-server.sh start DIR   initdb into DIR (when needed), start, print the URL of roster_test
#   scripts/pg-test-server.sh stop DIR    stop the server and remove DIR
#   scripts/pg-test-server.sh down DIR    stop the server, keeping its data (start brings it back)
#
# The server listens only on a unix socket inside DIR, so several can run at once without
# fighting over a port, and trusts every local connection: it holds nothing but test data.
# fsync is off because a crash only loses data the tests throw away anyway.
set -euo pipefail

usage() { echo "usage: $0 start|stop|down DIR" >&2; exit 64; }
[ $# -eq 2 ] || usage
command=$1
dir=$2

# pg_config comes with libpq-dev and may name a version whose server isn't installed.
bindir=$(pg_config --bindir 2>/dev/null || true)
if [ ! -x "$bindir/initdb" ]; then
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
if [ ! -x "$bindir/initdb" ]; then
    echo "Can't start a test PostgreSQL server: initdb was not found. Install it with 'apt-get install postgresql'." >&2
    exit 69
fi

# PostgreSQL refuses to run as root: use the package's own system user then.
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The server lives on after this script: it must not keep the caller's descriptors open (Foundation's
# Process, for one, learns that the script ended when a descriptor it passed along closes).
without_inherited_descriptors() {
    local fd
    for fd in /proc/$BASHPID/fd/*; do
        fd=${fd##*/}
        if [ "$fd" -gt 2 ] && [ -e "/proc/$BASHPID/fd/$fd" ]; then eval "exec $fd>&-"; fi
    done
    "$@"
}

data=$dir/data
socket=$dir/socket

case $command in
start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    data=$dir/data
    socket=$dir/socket
    if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
    if [ ! -f "$data/PG_VERSION" ]; then
        as_owner "$bindir/initdb" --pgdata="$data" --username=postgres --auth=trust \
            --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || {
            cat "$dir/initdb.log" >&2
            exit 1
        }
        as_owner mkdir -p "$socket"
        cat >>"$data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$socket'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    fi
    if ! as_owner "$bindir/pg_ctl" --pgdata="$data" status >/dev/null 2>&1; then
        (without_inherited_descriptors as_owner "$bindir/pg_ctl" --pgdata="$data" --log="$dir/server.log" \
            --wait --silent start) >/dev/null || {
            cat "$dir/server.log" >&2
            exit 1
        }
    fi
    exists=$(as_owner "$bindir/psql" --host="$socket" --username=postgres --dbname=postgres --no-psqlrc \
        --tuples-only --no-align --command="SELECT 1 FROM pg_database WHERE datname = 'roster_test'")
    if [ "$exists" != 1 ]; then
        as_owner "$bindir/createdb" --host="$socket" --username=postgres roster_test
    fi
    echo "postgresql://postgres@/roster_test?host=$socket"
    ;;
down)
    as_owner "$bindir/pg_ctl" --pgdata="$data" --mode=fast --wait --silent stop >/dev/null 2>&1 </dev/null
    ;;
stop)
    if [ -f "$data/postmaster.pid" ]; then
        as_owner "$bindir/pg_ctl" --pgdata="$data" --mode=fast --wait --silent stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    usage
    ;;
esac
