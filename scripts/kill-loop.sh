#!/bin/sh
# kill -9 the agent at random moments while it takes large files, ITERATIONS times (default 50),
# restarting it each time; then check SQLite's integrity_check, that every dropped file was applied
# exactly once (the ingest journal), and that exports/users.csv equals `roster export --out -`.
# Uses the release binary (built if missing). ROSTER_SEED reproduces a run; ROSTER_ROWS sizes files.
set -eu
cd "$(dirname "$0")/.."
exec python3 scripts/reliability.py kill-loop "${1:-50}"
