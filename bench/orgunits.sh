#!/usr/bin/env bash
# Org unit benchmark: 50 units with 3 filters each over generated people (default 1,000,000),
# recomputed in full, then after CHANGES people change (default 1,000). Release build.
#
# Usage: bench/orgunits.sh [PEOPLE] [CHANGES]
set -euo pipefail
cd "$(dirname "$0")/.."
people=${1:-1000000}
changes=${2:-1000}
swift build -c release --product roster >/dev/null
.build/release/roster bench-org-units --people "$people" --units 50 --changes "$changes"
