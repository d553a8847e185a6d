#!/bin/sh
# The quick reliability checks for CI, after `make test` (which already runs the bad-input corpus
# in HostileInputTests and the pipeline fault tests): a short kill -9 loop and the fault runs
# (disk full, read-only and removed state folder, read-only drop folder; skipped without root),
# on the debug binary that `swift build` made. About 1–2 minutes on 2 cores.
#   scripts/reliability-quick.sh            call from .ci/run after `make test`
set -eu
cd "$(dirname "$0")/.."
[ -x .build/debug/roster ] || swift build --product roster
export ROSTER_BIN="${ROSTER_BIN:-$PWD/.build/debug/roster}"
status=0
ROSTER_ROWS=${ROSTER_ROWS:-3000} python3 scripts/reliability.py kill-loop "${ROSTER_KILL_ITERATIONS:-8}" || status=1
python3 scripts/reliability.py faults || status=1
exit "$status"
