#!/bin/sh
# The long reliability runs (not in CI): fuzzing, the kill loop, the faults (disk full, read-only
# and removed state folder, read-only drop folder; need root) and a 50 MB single line.
#   scripts/reliability-long.sh [FUZZ_SECONDS] [KILL_ITERATIONS]
set -eu
cd "$(dirname "$0")/.."
status=0
scripts/fuzz.sh "${1:-300}" || status=1
python3 scripts/reliability.py kill-loop "${2:-100}" || status=1
python3 scripts/reliability.py faults || status=1
python3 scripts/reliability.py long-line 50 || status=1
exit "$status"
