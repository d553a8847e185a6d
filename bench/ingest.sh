#!/usr/bin/env bash
# Ingest benchmark: roster ingest of a generated users CSV, next to the sqlite3 shell importing the
# same file and indexing lower(email), in one run on the same machine.
#
# Then 1,000,000 accounts across three integration files (a third matching people by email, a
# third with new emails, a third without email) are ingested into that store of ROWS people.
#
# With POSTGRES=1, the same users file is then ingested into a PostgreSQL store on a throwaway
# local server (scripts/pg-test-server.sh, unix socket) and the two are printed side by side.
#
# Usage: [POSTGRES=1] bench/ingest.sh [ROWS] [ACCOUNTS]      (defaults 1000000 1000000)
# Needs: python3, sqlite3, /usr/bin/time (Debian package "time"), and for POSTGRES=1 Debian's
# postgresql; builds roster in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rows=${1:-1000000}
accounts=${2:-1000000}

swift build -c release --product roster >/dev/null
roster=.build/release/roster
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 bench/gen_users.py "$rows" "$work/users.csv"
cp "$work/users.csv" "$work/shell.csv"
bytes=$(stat -c %s "$work/users.csv")
echo "input: $rows rows, $((bytes / 1000000)) MB"

# roster: validate, reconcile into the store (one transaction with the journal), audit log,
# export users.csv, report; --move so that keeping the input is a rename, not a copy.
/usr/bin/time -f "%e %M" -o "$work/roster.time" \
    "$roster" ingest --move --state "$work/state" "$work/users.csv" >"$work/roster.out" 2>"$work/roster.log"
read -r roster_s roster_kb <"$work/roster.time"
cat "$work/roster.out"
# Where the time went, from the agent's own log lines.
phases "$work/roster.log"

# The sqlite3 shell: plain import plus an index on lower(email).
shell_import "$work/shell.csv" "$work/shell.sqlite"

people=$(sqlite3 "$work/state/roster.sqlite" "SELECT count(*) FROM person")
export_rows=$(($(wc -l <"$work/state/exports/users.csv") - 1))
printf '%-28s %8s s   peak RSS %6d MB\n' "roster ingest (release)" "$roster_s" $((roster_kb / 1024))
printf '%-28s %8s s   peak RSS %6d MB\n' "sqlite3 .import + index" "$shell_s" $((shell_kb / 1024))
echo "  roster: apply ${apply_s:-?} s, users/accounts exports ${exports_s:-?} s, merge proposals pass ${proposals_s:-?} s"
python3 -c "print(f'ratio without the proposals pass: {(float(\"${apply_s:-0}\") + float(\"${exports_s:-0}\")) / float($shell_s):.2f}x')"
python3 -c "print(f'ratio roster / sqlite3: {float($roster_s) / float($shell_s):.2f}x   (goal: <= 1.5x, peak RSS < 200 MB)')"
echo "store: $people people; export: $export_rows rows; throughput $(python3 -c "print(round($rows / float($roster_s)))") rows/s"

if [ "${POSTGRES:-0}" = 1 ]; then
    chmod 755 "$work"  # the test server runs as the postgres user when this runs as root
    url=$(scripts/pg-test-server.sh start "$work/pg")
    trap 'scripts/pg-test-server.sh stop "$work/pg" >/dev/null 2>&1; rm -rf "$work"' EXIT
    cp "$work/state/archive/users.csv" "$work/pg-users.csv"
    /usr/bin/time -f "%e %M" -o "$work/pg.time" "$roster" ingest --move --state "$work/pg-state" --store "$url" \
        "$work/pg-users.csv" >"$work/pg.out" 2>"$work/pg.log"
    read -r pg_s pg_kb <"$work/pg.time"
    pg_apply=$(grep "Applied file" "$work/pg.log" | grep -o 'seconds=[0-9.]*' | tail -1 | cut -d= -f2)
    pg_exports=$(grep "Wrote the users and accounts exports" "$work/pg.log" | grep -o 'seconds=[0-9.]*' | tail -1 | cut -d= -f2)
    pg_proposals=$(grep "Refreshed merge proposals" "$work/pg.log" | grep -o 'seconds=[0-9.]*' | tail -1 | cut -d= -f2)
    cmp -s "$work/state/exports/users.csv" "$work/pg-state/exports/users.csv" && same="identical" || same="DIFFERENT"
    printf '%-28s %8s s   peak RSS %6d MB\n' "roster ingest, PostgreSQL" "$pg_s" $((pg_kb / 1024))
    echo "  PostgreSQL: apply ${pg_apply:-?} s, exports ${pg_exports:-?} s, merge proposals pass ${pg_proposals:-?} s; users.csv $same to SQLite's"
    python3 -c "print(f'PostgreSQL / SQLite, apply: {float(\"${pg_apply:-0}\") / float(\"${apply_s:-1}\"):.2f}x, whole ingest: {float($pg_s) / float($roster_s):.2f}x   (goal: within 2x)')"
fi

# Integration exports into the store that now holds the people.
python3 bench/gen_accounts.py "$work/state/archive/users.csv" "$accounts" "$work"
/usr/bin/time -f "%e %M" -o "$work/accounts.time" "$roster" ingest --move --state "$work/state" \
    "$work/github-bench.csv" "$work/jira-bench.csv" "$work/harness-bench.csv" >"$work/accounts.out"
read -r accounts_s accounts_kb <"$work/accounts.time"
cat "$work/accounts.out"
printf '%-28s %8s s   peak RSS %6d MB\n' "roster ingest of accounts" "$accounts_s" $((accounts_kb / 1024))
python3 -c "
u = float($roster_s) / $rows; a = float($accounts_s) / $accounts
print(f'per row: users {u * 1e6:.1f} us, accounts {a * 1e6:.1f} us, ratio {a / u:.2f}x   (goal: <= 1.5x, peak RSS < 250 MB)')"
