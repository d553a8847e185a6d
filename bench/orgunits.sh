#!/usr/bin/env bash
# Org unit benchmark: 50 units with 3 filters each over PEOPLE people (default 1,000,000).
#
# 1. In memory: a full recomputation, then the re-evaluation of CHANGES changed people only
#    (default 1,000), through roster's hidden bench-org-units command.
# 2. With --store: the same units over a real store: ingest PEOPLE rows (the first org units
#    refresh is full), `roster org-units list` (stored counts), a CHANGES-row change (an
#    incremental refresh), then a forced full refresh. Each run prints its time and the org-unit
#    part of it, from the pipeline's "Refreshed org units" log line.
#
# Usage: bench/orgunits.sh [PEOPLE] [CHANGES] [--store]
# Needs: python3 and /usr/bin/time for --store. Builds roster in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
people=${1:-1000000}
changes=${2:-1000}
swift build -c release --product roster >/dev/null
roster=$PWD/.build/release/roster
"$roster" bench-org-units --people "$people" --units 50 --changes "$changes"

if [[ "${3:-}" == "--store" ]]; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    python3 bench/gen_orgunits.py "$people" "$work"
    python3 bench/gen_orgunits.py "$people" "$work" --change "$changes"
    cd "$work"
    # The pipeline logs "Refreshed org units" with its mode and seconds: the org-unit part of
    # each run, apart from users.csv, accounts.csv and the merge proposals pass.
    units() { grep "Refreshed org units" "$1" | grep -o "files.written.*" | sed 's/^/    org units: /' || true; }
    /usr/bin/time -f "ingest of $people rows (with exports and member lists): %e s, %M KB" \
        "$roster" ingest --state state users.csv 2>"$work/log1" | grep -v " info " || true
    tail -n 1 "$work/log1"; units "$work/log1"
    /usr/bin/time -f "org-units list (stored counts, current): %e s, %M KB" \
        "$roster" org-units list --state state >/dev/null
    /usr/bin/time -f "ingest of $changes changed rows (with exports and member lists): %e s, %M KB" \
        "$roster" ingest --state state change.csv 2>"$work/log2" | grep -v " info " || true
    tail -n 1 "$work/log2"; units "$work/log2"
    # A full rebuild of the same roster: with the index gone, the change (applied already)
    # rewrites the outputs, every member file evaluated again.
    rm state/exports/org-units.csv
    /usr/bin/time -f "outputs rebuilt with a full org units refresh: %e s, %M KB" \
        "$roster" ingest --state state change.csv 2>"$work/log3" | grep -v " info " || true
    tail -n 1 "$work/log3"; units "$work/log3"
fi
