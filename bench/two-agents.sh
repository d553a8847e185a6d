#!/usr/bin/env bash
# Two agents, one PostgreSQL store: FILES users CSVs (10 people each, overlapping windows, half of
# the west host's files the same bytes as the east host's) dropped into each agent's folder at
# once. Prints the time until every file is taken (throughput), and until both hosts' exports are
# identical.
#
# Usage: bench/two-agents.sh [FILES]      (default 1000 per agent)
# Needs: python3 and Debian's postgresql; builds roster in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-1000}
swift build -c release --product roster >/dev/null
roster=$PWD/.build/release/roster
work=$(mktemp -d)
chmod 755 "$work"  # the test server runs as the postgres user when this runs as root
url=$(scripts/pg-test-server.sh start "$work/pg")
cleanup() {
    kill "${east:-0}" "${west:-0}" 2>/dev/null || true
    wait 2>/dev/null || true
    [ -n "${KEEP_LOGS:-}" ] && cp "$work/east.log" "$work/west.log" "$KEEP_LOGS"/ 2>/dev/null
    scripts/pg-test-server.sh stop "$work/pg" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

for host in east west; do mkdir -p "$work/$host/watch" "$work/$host/incoming"; done
python3 - "$work" "$files" <<'PY'
import sys
work, n = sys.argv[1], int(sys.argv[2])
def body(i):
    first = i * 6
    return "full_name,email,integration:github\n" + "".join(
        f"Person {k},p{k}@example.com,gh-{k}\n" for k in range(first, first + 10))
for host, indices in (("east", range(n)), ("west", range(n // 2, n // 2 + n))):
    for i in indices:
        with open(f"{work}/{host}/incoming/f{i}.csv", "w") as f:
            f.write(body(i))
PY

"$roster" watch --watch "$work/east/watch" --state "$work/east/state" --store "$url" 2>"$work/east.log" &
east=$!
"$roster" watch --watch "$work/west/watch" --state "$work/west/state" --store "$url" 2>"$work/west.log" &
west=$!
until grep -q "Watching the drop folder" "$work/east.log" && grep -q "Watching the drop folder" "$work/west.log"; do
    sleep 0.1
done

start=$(date +%s.%N)
for host in east west; do
    for f in "$work/$host/incoming"/*.csv; do mv "$f" "$work/$host/watch/"; done
done
while [ -n "$(ls "$work/east/watch")" ] || [ -n "$(ls "$work/west/watch")" ]; do sleep 0.2; done
taken=$(date +%s.%N)
until cmp -s "$work/east/state/exports/users.csv" "$work/west/state/exports/users.csv" \
    && [ "$(grep -c . "$work/east/state/exports/users.csv")" -gt 1 ] \
    && ! grep -q "" <(find "$work"/*/watch -type f); do
    sleep 0.2
done
agreed=$(date +%s.%N)
# One more look after the last refresh: still identical?
sleep 3
cmp -s "$work/east/state/exports/users.csv" "$work/west/state/exports/users.csv" && same=yes || same=NO

applied=$("$roster" status --store "$url" --state "$work/status" | awk -F: '/Files applied/ {gsub(/ /, "", $2); print $2}')
people=$(($(wc -l <"$work/east/state/exports/users.csv") - 1))
python3 - "$start" "$taken" "$agreed" "$files" <<PY
import sys
start, taken, agreed, n = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
print(f"{2 * n} files dropped ({n} per agent), {$applied} distinct contents applied, {$people} people")
print(f"every file taken after {taken - start:.1f} s: {2 * n / (taken - start):.1f} files/s over both agents")
print(f"both hosts' exports identical after {agreed - start:.1f} s ({agreed - taken:.1f} s after the last file); still identical 3 s later: $same")
PY
