#!/usr/bin/env bash
# Matching benchmark: the matching core alone, then a full proposals pass over a roster of PEOPLE
# people (default 1000000) with realistic name collisions, and the refresh after a 1,000-row
# ingest into that store.
#
# Usage: bench/proposals.sh [PEOPLE]
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

/usr/bin/time -f "%e %M" -o ingest.time "$roster" ingest --log-level warning accounts.csv >/dev/null
read -r ingest_s ingest_kb <ingest.time
/usr/bin/time -f "%e %M" -o full.time "$roster" proposals refresh --log-level warning >full.out
read -r full_s full_kb <full.time
cat full.out
/usr/bin/time -f "%e %M" -o more.time "$roster" ingest --log-level info more.csv >/dev/null 2>more.log
read -r more_s more_kb <more.time
refresh_s=$(grep -o 'seconds=[0-9.]*' more.log | tail -1 | cut -d= -f2)

printf '%-44s %8s s   peak RSS %6d MB\n' "ingest $people people + first proposals pass" "$ingest_s" $((ingest_kb / 1024))
printf '%-44s %8s s   peak RSS %6d MB\n' "proposals refresh (full pass)" "$full_s" $((full_kb / 1024))
printf '%-44s %8s s   peak RSS %6d MB\n' "ingest 1,000 rows + refresh" "$more_s" $((more_kb / 1024))
echo "of which the proposals refresh: ${refresh_s:-?} s (goal: full pass < 30 s, < 1 GB)"
