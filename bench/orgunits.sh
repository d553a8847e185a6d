#!/usr/bin/env bash
# Org unit benchmark: 50 units with 3 filters each over PEOPLE people (default 1,000,000).
#
# 1. In memory: a full recomputation, then the re-evaluation of CHANGES changed people only
#    (default 1,000), through roster's hidden bench-org-units command.
# 2. With --store: the same units over a real store: ingest PEOPLE rows, time `roster org-units
#    list` (a full evaluation read from SQLite), then ingest a CHANGES-row change, which rewrites
#    the exports and the member lists that changed.
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
    /usr/bin/time -f "ingest of $people rows (with exports and member lists): %e s, %M KB" \
        "$roster" ingest --state state users.csv 2>&1 | grep -v " info "
    /usr/bin/time -f "org-units list (full evaluation from the store): %e s, %M KB" \
        "$roster" org-units list --state state >/dev/null
    /usr/bin/time -f "ingest of $changes changed rows (with exports and member lists): %e s" \
        "$roster" ingest --state state change.csv 2>&1 | grep -v " info "
fi
