#!/usr/bin/env python3
"""Writes three integration exports for the accounts benchmark, from a users CSV made by gen_users.py.

Usage: gen_accounts.py USERS.csv TOTAL OUTDIR

A third of the accounts (github-bench.csv) carry the email of a person in USERS.csv, a third
(jira-bench.csv) carry new emails, a third (harness-bench.csv, generic layout) carry no email.
"""
import csv
import sys


def main():
    users, total, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    third = total // 3
    with open(users, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        emails = []
        for row in reader:
            emails.append((row[0], row[1]))
            if len(emails) >= third:
                break
    with open(f"{out}/github-bench.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["account_id", "login", "name", "email"])
        for i, (name, email) in enumerate(emails):
            w.writerow([100000000 + i, f"user{i}", name, email])
    with open(f"{out}/jira-bench.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["account_id", "display_name", "email", "active"])
        for i in range(third):
            w.writerow([f"5b10{i:020x}", f"Contractor {i}", f"contractor.{i}@partner.umbrella.io", "true" if i % 7 else "false"])
    with open(f"{out}/harness-bench.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["integration", "account_id", "login", "display_name", "email"])
        for i in range(total - 2 * third):
            w.writerow(["harness-code", f"hc-{i}", f"dev{i}", f"Developer {i}", ""])


if __name__ == "__main__":
    main()
