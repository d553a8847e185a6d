#!/usr/bin/env python3
"""Generates a generic accounts CSV of people with realistic name collisions, for the matching benchmark.

Usage: gen_people_accounts.py PEOPLE OUT.csv [--offset N]

Names come from 300 given names x 2000 surnames (600k combinations, Zipf-weighted, so common names
collide often, as in a large organisation). Each person has a GitHub-like account with a work email;
about 15% also have a Jira account without email (the duplicate to find), 5% a Slack account with a
personal address. Deterministic (seeded).
"""
import random
import sys

people = int(sys.argv[1])
out = sys.argv[2]
offset = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--offset" else 0
rng = random.Random(42 + offset)
syll = ["an", "be", "ca", "do", "el", "fi", "ga", "ho", "is", "ju", "ka", "lo", "ma", "ne", "or", "pa", "ri", "sa", "ta", "vi"]
given = sorted({(rng.choice(syll) + rng.choice(syll) + rng.choice(["", "n", "s", "l"])).capitalize() for _ in range(400)})[:300]
given[:12] = ["William", "Robert", "James", "John", "Michael", "David", "Mary", "Jennifer", "Linda", "Maria", "Wei", "Anna"]
surnames = sorted({(rng.choice(syll) + rng.choice(syll) + rng.choice(syll) + rng.choice(["", "son", "er", "ez", "ski"])).capitalize() for _ in range(3000)})[:2000]
gw = [1 / (i + 1) ** 0.8 for i in range(len(given))]
sw = [1 / (i + 1) ** 0.6 for i in range(len(surnames))]
with open(out, "w") as f:
    f.write("integration,account_id,login,display_name,email\n")
    firsts = rng.choices(given, gw, k=people)
    lasts = rng.choices(surnames, sw, k=people)
    for i in range(people):
        n = i + offset
        first, last = firsts[i], lasts[i]
        login = f"{first[0]}{last}{n}".lower()
        f.write(f"github,g{n},{login},{first} {last},{first.lower()}.{last.lower()}.{n}@corp.example.org\n")
        r = rng.random()
        if r < 0.15:
            f.write(f"jira,j{n},,{first} {last},\n")
        elif r < 0.20:
            f.write(f"slack,s{n},{first.lower()}{n},{first} {last},{first.lower()}{n}@gmail.com\n")
