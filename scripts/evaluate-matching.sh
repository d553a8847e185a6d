#!/usr/bin/env bash
# Runs the matching quality protocol on the identity development set and prints the scores.
#
#   scripts/evaluate-matching.sh [data-folder]
#
# Needs the shared data folder (default: ../shared/data/identity-dev beside the repository, with
# github.csv, jira.csv, slack.csv, truth.csv, truth_strict.csv and score.py), python3, and a built
# roster (ROSTER=path, default .build/release/roster, else .build/debug/roster).
#
# Protocol: ingest the three files into an empty store; accept every unflagged proposal with
# confidence >= 0.9; score accounts.csv against truth.csv and truth_strict.csv. Then, on a copy of
# the store before any decision, accept every proposal whatever its confidence (flagged ones too)
# and score again (recall). Also prints the share of correct proposals per confidence band.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
data=${1:-$repo/../shared/data/identity-dev}
data=$(cd "$data" && pwd)
roster=${ROSTER:-}
if [ -z "$roster" ]; then
    if [ -x "$repo/.build/release/roster" ]; then roster=$repo/.build/release/roster; else roster=$repo/.build/debug/roster; fi
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

start=$(date +%s.%N)
"$roster" ingest --log-level warning "$data/github.csv" "$data/jira.csv" "$data/slack.csv" >/dev/null
end=$(date +%s.%N)
echo "ingest + proposals: $(python3 -c "print(f'{$end - $start:.2f}')") s"
cp -r state state-all
"$roster" proposals list --json --state state >proposals.json

python3 - "$data/truth.csv" proposals.json <<'PY'
import csv, json, sys
truth = {}
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        truth[f"{row['integration']}:{row['account_id']}"] = row["person_id"]
proposals = json.load(open(sys.argv[2]))
bands = [(0.9, 1.01), (0.8, 0.9), (0.7, 0.8), (0.6, 0.7), (0.5, 0.6), (0.0, 0.5)]
counts = {b: [0, 0] for b in bands}
for p in proposals:
    labels = {truth.get(a) for person in p["people"] for a in person["accounts"]}
    ok = len(labels) == 1 and None not in labels
    for b in bands:
        if b[0] <= p["confidence"] < b[1]:
            counts[b][0] += 1
            counts[b][1] += ok
flagged = sum(1 for p in proposals if p["flags"])
print(f"open proposals: {len(proposals)} (flagged: {flagged})")
print("confidence band   proposals  correct  share")
for b in bands:
    n, ok = counts[b]
    share = f"{ok / n:.3f}" if n else "-"
    print(f"[{b[0]:.1f}, {min(b[1], 1.0):.1f}{']' if b[1] > 1 else ')'}        {n:9d}  {ok:7d}  {share}")
PY

"$roster" proposals accept --all --min-confidence 0.9 --log-level warning --state state >/dev/null
echo
echo "== accept confidence >= 0.9, against truth.csv"
python3 "$data/score.py" "$data/truth.csv" state/exports/accounts.csv
echo "== the same, against truth_strict.csv"
python3 "$data/score.py" "$data/truth_strict.csv" state/exports/accounts.csv | grep -E "pairwise|B-cubed"

"$roster" proposals accept --all --include-flagged --log-level warning --state state-all >/dev/null
echo
echo "== accept every proposal, against truth.csv"
python3 "$data/score.py" "$data/truth.csv" state-all/exports/accounts.csv | grep -E "pairwise|B-cubed"
