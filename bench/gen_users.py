#!/usr/bin/env python3
"""Writes a deterministic users CSV for the ingest benchmark.

Usage: gen_users.py ROWS OUT.csv

Names carry accents, quotes and commas (so fields need quoting); emails are written in mixed
case, so that every one of them differs only in case from the address Roster stores. All emails
are distinct after normalisation, so the file is valid and applies whole.
"""
import random
import sys

FIRST = ["José", "Zoë", "Ana", "Łukasz", "Søren", "Chloé", "Mateus", "Jane", "Chris", "Björn",
         "Anaïs", "Dmitri", "Émile", "Ines", "Kenji", "Olu", "Priya", "Raúl", "Sinéad", "Tomás"]
LAST = ["Álvarez", "O'Brien", "Doe", "Müller", "Nguyễn", "Smith, Jr.", "da Silva", "Kowalczyk",
        "Øster", "Dubois", "Papadopoulos", "Ólafsson", "Chen", "Singh", "García", "Ivanova"]
NICK = ['"JJ"', '"Doc"', '"The Hammer"', ""]
DOMAINS = ["Acme-Corp.com", "ACME.org", "Corp.Initech.NET", "mail.globex.io"]


def mixed_case(text, rng):
    return "".join(c.upper() if rng.random() < 0.3 else c for c in text)


def main():
    rows = int(sys.argv[1])
    out = sys.argv[2]
    rng = random.Random(42)
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write("full_name,email,other_emails\n")
        for i in range(rows):
            first = rng.choice(FIRST)
            last = rng.choice(LAST)
            nick = rng.choice(NICK)
            name = f"{first} {nick} {last}" if nick else f"{first} {last}"
            local = f"{first}.{last}".replace(" ", "").replace("'", "").replace(",", "").replace(".", ".")
            local = "".join(ch for ch in local if ch.isascii() and (ch.isalnum() or ch == ".")) or "user"
            while ".." in local:
                local = local.replace("..", ".")
            email = mixed_case(f"{local}.{i}@{rng.choice(DOMAINS)}", rng)
            other = f"u{i}@alt.example.com" if i % 5 == 0 else ""
            if any(c in name for c in ',"\n'):
                name = '"' + name.replace('"', '""') + '"'
            f.write(f"{name},{email},{other}\n")


if __name__ == "__main__":
    main()
