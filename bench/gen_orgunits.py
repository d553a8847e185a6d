#!/usr/bin/env python3
"""Writes a users CSV with attributes and a roster.toml with 50 org units of 3 filters each, for
the store part of bench/orgunits.sh; and, with --change, a users CSV that changes some of them.

Usage: gen_orgunits.py ROWS DIR [--change N]
"""
import random
import sys


def main():
    rows = int(sys.argv[1])
    out = sys.argv[2]
    change = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--change" else 0
    rng = random.Random(42 if not change else 7)
    if not change:
        with open(f"{out}/roster.toml", "w") as f:
            for key, kind in [("team", "string"), ("department", "string"), ("site", "string"),
                              ("level", "number"), ("start", "date")]:
                f.write(f'[[attributes]]\nkey = "{key}"\ntype = "{kind}"\n\n')
            for i in range(50):
                f.write(f'[[org_units]]\nname = "unit-{i}"\n')
                if i % 5 == 4:
                    f.write(f'parent = "unit-{i - 1}"\n')
                f.write(f'[[org_units.filters]]\nfield = "department"\noperator = "equals"\n'
                        f'value = "Department {i % 20}"\n')
                if i % 2 == 0:
                    f.write(f'[[org_units.filters]]\nfield = "team"\noperator = "starts_with"\n'
                            f'value = "team {i % 9}"\n')
                else:
                    f.write(f'[[org_units.filters]]\nfield = "site"\noperator = "equals"\n'
                            f'values = ["Site {i % 30}", "Site {(i + 7) % 30}"]\n')
                if i % 3 == 0:
                    f.write('[[org_units.filters]]\nfield = "start"\noperator = "between"\n'
                            'values = ["2019-01-01", "2023-12-31"]\n\n')
                else:
                    f.write(f'[[org_units.filters]]\nfield = "level"\noperator = "between"\n'
                            f'values = ["{i % 5 + 1}", "{i % 5 + 4}"]\n\n')
                if i % 7 == 0:
                    f.write('[[org_units.filters]]\ngroup = 2\nfield = "integration"\noperator = "equals"\n'
                            'value = "jira"\n\n')
    name = "change.csv" if change else "users.csv"
    with open(f"{out}/{name}", "w") as f:
        # Two people in five have a Jira account, so that the units with a second filter group on
        # integrations (every seventh) hold many members, as in the in-memory benchmark.
        f.write("full_name,email,team,department,site,level,start,integration:jira\n")
        ids = rng.sample(range(rows), change) if change else range(rows)
        for i in ids:
            f.write(f"Person {i},person{i}@example.com,Team {rng.randrange(300)},"
                    f"Department {rng.randrange(20)},Site {rng.randrange(30)},{rng.randrange(10) + 1},"
                    f"20{10 + rng.randrange(15)}-0{rng.randrange(9) + 1}-1{rng.randrange(9)},"
                    f"{f'J{i}' if rng.random() < 0.4 else ''}\n")


if __name__ == "__main__":
    main()
