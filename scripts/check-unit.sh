#!/bin/sh
# Checks deploy/roster.service: `systemd-analyze verify` must print nothing at all (it exits 0 on
# some unknown settings), and `systemd-analyze security --offline=yes` must rate the exposure at
# 2.0 or less.
set -eu
cd "$(dirname "$0")/.."
unit=deploy/roster.service
limit=${ROSTER_UNIT_EXPOSURE_LIMIT:-2.0}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# verify resolves ExecStart= and the unit's name: check a copy named like the installed unit,
# with a stand-in executable where the unit expects one.
cp "$unit" "$work/roster.service"
exec_path=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
if [ ! -x "$exec_path" ]; then
    mkdir -p "$work/bin"
    printf '#!/bin/sh\n' > "$work/bin/roster"
    chmod +x "$work/bin/roster"
    sed -i "s|^ExecStart=$exec_path|ExecStart=$work/bin/roster|" "$work/roster.service"
fi

status=0
if ! systemd-analyze verify "$work/roster.service" > "$work/verify.out" 2> "$work/verify.err"; then
    echo "check-unit: systemd-analyze verify failed" >&2
    status=1
fi
if [ -s "$work/verify.err" ]; then
    echo "check-unit: systemd-analyze verify printed warnings:" >&2
    cat "$work/verify.err" >&2
    status=1
fi

systemd-analyze security --offline=yes "$work/roster.service" > "$work/security.out" 2>&1 || true
score=$(sed -n 's/.*Overall exposure level for roster.service: \([0-9.]*\).*/\1/p' "$work/security.out")
if [ -z "$score" ]; then
    echo "check-unit: could not read the exposure score:" >&2
    cat "$work/security.out" >&2
    exit 1
fi
if awk -v s="$score" -v l="$limit" 'BEGIN { exit !(s > l) }'; then
    echo "check-unit: exposure $score is above $limit:" >&2
    grep '✗' "$work/security.out" >&2 || true
    status=1
fi
[ "$status" -eq 0 ] && echo "check-unit: $unit verifies cleanly; exposure $score (limit $limit)"
exit "$status"
