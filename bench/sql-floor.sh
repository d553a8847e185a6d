#!/usr/bin/env bash
# The SQL floor of a users-CSV ingest: how long SQLite alone takes to write the rows that Roster's
# data model needs for the benchmark's file, with no CSV parsing and no client code at all, next
# to the sqlite3 shell's `.import` + `lower(email)` index of the same file (the #2 benchmark's
# baseline).
#
# roster ingests the generated file first, so the rows are exactly the ones it writes. Then, in
# the sqlite3 shell, an empty database with roster's schema (and roster's pragmas) receives those
# rows table by table, copied by INSERT … SELECT from the finished store in one transaction:
#   - the data model: person, email (unique normalised address, two indexes by person), audit log
#     (one row per person and per added address, indexed by person), ingest journal;
#   - the blocking-key index that the merge-proposals pass keeps (matchKey, matchKeyList).
# `WHERE 1` keeps SQLite from its transfer optimisation (which copies B-tree pages instead of
# inserting rows); each table is read in its stored order (its key order).
#
# Usage: bench/sql-floor.sh [ROWS]      (default 1000000)
# Needs: python3, sqlite3, /usr/bin/time (Debian package "time"); builds roster in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rows=${1:-1000000}

swift build -c release --product roster >/dev/null
roster=$PWD/.build/release/roster
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 bench/gen_users.py "$rows" "$work/users.csv"
cp "$work/users.csv" "$work/shell.csv"
echo "input: $rows rows, $(($(stat -c %s "$work/users.csv") / 1000000)) MB"

/usr/bin/time -f "%e" -o "$work/roster.time" \
    "$roster" ingest --state "$work/state" "$work/users.csv" >/dev/null 2>"$work/roster.log"
roster_s=$(cat "$work/roster.time")
phases "$work/roster.log"
shell_import "$work/shell.csv" "$work/shell.sqlite"

# roster's schema, without the table SQLite makes for AUTOINCREMENT itself.
sqlite3 "$work/state/roster.sqlite" .schema | grep -v '^CREATE TABLE sqlite_sequence' >"$work/schema.sql"
sqlite3 "$work/floor.sqlite" <"$work/schema.sql"

copy() { # copy TABLE...: one transaction, each table inserted row by row from the finished store
    {
        echo "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA cache_size = -65536;"
        echo "ATTACH '$work/state/roster.sqlite' AS roster; BEGIN;"
        for table in "$@"; do echo "INSERT INTO main.$table SELECT * FROM roster.$table WHERE 1;"; done
        echo "COMMIT;"
    } | sqlite3 "$work/floor.sqlite" >/dev/null
}
timed() { # timed COMMAND...: runs it and prints its wall time in seconds
    local TIMEFORMAT=%R
    { time "$@"; } 2>&1
}

model_s=$(timed copy ingest person email audit)
keys_s=$(timed copy matchKey matchKeyList)

count() { sqlite3 "$work/state/roster.sqlite" "SELECT count(*) FROM $1"; }
echo "rows written: person $(count person), email $(count email), audit $(count audit), matchKey $(count matchKey), matchKeyList $(count matchKeyList)"
printf '%-52s %8s s\n' "sqlite3 .import + lower(email) index (baseline)" "$shell_s"
printf '%-52s %8s s\n' "SQLite inserting roster's data-model rows only" "$model_s"
printf '%-52s %8s s\n' "SQLite inserting the blocking-key index only" "$keys_s"
printf '%-52s %8s s\n' "roster ingest (release), for reference" "$roster_s"
echo "  roster: apply ${apply_s:-?} s, exports ${exports_s:-?} s, merge proposals pass ${proposals_s:-?} s"
python3 -c "
shell, model, keys = float($shell_s), float($model_s), float($keys_s)
print(f'floor / baseline: data model {model / shell:.2f}x, with the key index {(model + keys) / shell:.2f}x   (the #2 goal: roster <= 1.5x)')"
