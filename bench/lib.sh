# Shared by the users-CSV benchmarks (sourced, not run).

# phases LOG: sets apply_s, exports_s and proposals_s from roster's own log lines (empty when a
# line is missing): applying the file, writing users.csv/accounts.csv, the merge-proposals pass.
phases() {
    phase() { grep "$2" "$1" | grep -o 'seconds=[0-9.]*' | tail -1 | cut -d= -f2; }
    apply_s=$(phase "$1" "Applied file")
    exports_s=$(phase "$1" "Wrote the users and accounts exports")
    proposals_s=$(phase "$1" "Refreshed merge proposals")
}

# shell_import CSV DB: the baseline of the users-CSV goal, the sqlite3 shell's plain import plus an
# index on lower(email); sets shell_s and shell_kb (seconds, peak RSS in KB).
shell_import() {
    /usr/bin/time -f "%e %M" -o "$2.time" sqlite3 "$2" <<SQL
.import --csv $1 users
CREATE INDEX users_email ON users(lower(email));
SQL
    read -r shell_s shell_kb <"$2.time"
}
