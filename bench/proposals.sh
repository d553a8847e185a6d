#!/usr/bin/env bash
# Matching benchmark: the matching core alone, then a full proposals pass over a roster of PEOPLE
# people (default 1000000) with realistic name collisions, and the incremental refresh after a
# 1,000-row ingest into that store.
#
# Usage: bench/proposals.sh [PEOPLE]    (SKIP_FULL=1 leaves out the separate full pass)
# Needs: python3, /usr/bin/time (Debian package "time"); builds roster in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
people=${1:-1000000}
swift build -c release --product roster >/dev/null
roster=$PWD/.build/release/roster
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

python3 "$OLDPWD/bench/gen_people_accounts.py" "$people" accounts.csv
python3 "$OLDPWD/bench/gen_people_accounts.py" 1000 more.csv --offset "$people"
echo "input: $(($(wc -l <accounts.csv) - 1)) accounts for $people people"

# The matching core alone (profiles, blocking, scoring, grouping): no store, no proposal files.
/usr/bin/time -f "%e %M" -o core.time "$roster" bench-matching accounts.csv
read -r core_s core_kb <core.time
printf '%-44s %8s s   peak RSS %6d MB\n' "matching core alone" "$core_s" $((core_kb / 1024))

/usr/bin/time -f "%e %M" -o ingest.time "$roster" ingest --log-level info accounts.csv >/dev/null 2>ingest.log
read -r ingest_s ingest_kb <ingest.time
index_s=$(grep 'Refreshed merge proposals' ingest.log | grep -o 'index.seconds=[0-9.]*' | tail -1 | cut -d= -f2)
full_s=skipped full_kb=0
if [ "${SKIP_FULL:-0}" != 1 ]; then
    /usr/bin/time -f "%e %M" -o full.time "$roster" proposals refresh --full --log-level info >full.out 2>full.log
    read -r full_s full_kb <full.time
    cat full.out
    # The phases of the pass (read and profiles, keys and index, matching with its scoring, grouping
    # and drafting, recording, files).
    grep 'Refreshed merge proposals' full.log | tail -1 | grep -o '[a-z.]*\.seconds=[0-9.]*' | tr '\n' ' '
    echo
fi
/usr/bin/time -f "%e %M" -o more.time "$roster" ingest --log-level info more.csv >/dev/null 2>more.log
read -r more_s more_kb <more.time
# The proposals refresh itself, as the agent logs it at info level.
refresh=$(grep 'Refreshed merge proposals' more.log | tail -1)
refresh_s=$(grep -o ' seconds=[0-9.]*' <<<"$refresh" | cut -d= -f2)
echo "$refresh"

printf '%-44s %8s s   peak RSS %6d MB\n' "ingest $people people + first proposals pass" "$ingest_s" $((ingest_kb / 1024))
echo "of which the blocking keys and the index write (a first index before the matching): ${index_s:-?} s"
printf '%-44s %8s s   peak RSS %6d MB\n' "proposals refresh --full (full pass)" "$full_s" $((full_kb / 1024))
printf '%-44s %8s s   peak RSS %6d MB\n' "ingest 1,000 rows + incremental refresh" "$more_s" $((more_kb / 1024))
echo "of which the proposals refresh: ${refresh_s:-?} s (goal: full pass < 30 s, < 1 GB; refresh well under 1 s)"
