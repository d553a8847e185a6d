#!/usr/bin/env bash
# Builds the libFuzzer target (Fuzz/FuzzEntry.swift plus the RosterCore sources, with
# AddressSanitizer) and runs each target for SECONDS (default 60) on its seed corpus.
#   scripts/fuzz.sh [SECONDS] [TARGET...]     TARGET: csv, recognise, json (default: all three)
# Findings are written to .build-fuzz/findings/<target>/crash-*; the summary line of each run
# (executions, time, crashes) is printed at the end. Exit status 1 when any target crashed.
# New inputs libFuzzer finds are kept in .build-fuzz/corpus/<target> (not committed); copy the
# interesting ones into Fuzz/corpus/<target>.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(csv recognise json)

out=.build-fuzz
binary=$out/roster-fuzz
mkdir -p "$out"
sources=$(find Sources/RosterCore -name '*.swift' | sort)
newest=$(ls -t $sources Fuzz/FuzzEntry.swift | head -1)
if [ ! -x "$binary" ] || [ "$newest" -nt "$binary" ]; then
    echo "== building $binary"
    # shellcheck disable=SC2086
    swiftc -sanitize=fuzzer,address -parse-as-library -swift-version 6 -O -g \
        -enable-upcoming-feature ExistentialAny \
        -module-name RosterFuzz $sources Fuzz/FuzzEntry.swift -o "$binary" > "$out/build.log" 2>&1 ||
        { grep -v 'Cannot export local symbol' "$out/build.log" >&2; exit 2; }
fi

status=0
summary=""
for target in "${targets[@]}"; do
    corpus=$out/corpus/$target
    findings=$out/findings/$target
    mkdir -p "$corpus" "$findings"
    log=$out/$target.log
    echo "== fuzzing $target for ${seconds}s"
    started=$(date +%s)
    set +e
    ROSTER_FUZZ_TARGET=$target "$binary" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
        -timeout=10 -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" "Fuzz/corpus/$target" \
        > "$log" 2>&1
    rc=$?
    set -e
    elapsed=$(( $(date +%s) - started ))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    crashes=$(find "$findings" -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' | wc -l)
    line="$target: ${runs:-?} executions in ${elapsed}s, exit $rc, findings $crashes, corpus $(ls "$corpus" | wc -l)"
    summary="$summary$line"$'\n'
    if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
        status=1
        tail -40 "$log"
    fi
done
echo "== summary"
printf '%s' "$summary"
exit "$status"
