"""python -m bench.duplicates [--customers 200000]

The duplicate search over customer lists of awkward shapes (the import runs it once per import, beside the orders'
write): names that follow one pattern ('X Trading 1', 'X Trading 2', … — a chain's branches, which are not
duplicates), and realistic company names of which about 5 % are shared by two records under other spellings
(legal forms, case, umlauts written out). Prints seconds and the clusters found; a benchmark, never a test."""
from __future__ import annotations

import argparse
import random
import time

import pandas as pd

from cockpit.records import _duplicate_clusters

WORDS = ["Global", "Ocean", "Eastern", "Pacific", "Golden", "Star", "United", "Royal", "Green", "Silver", "Prime",
         "Delta", "Nordic", "Alpine", "Sun", "Harbor", "Crown", "Union", "Liberty", "Summit", "Müller", "Schäfer",
         "Jürgen", "Bäcker", "Köhler", "Dubois", "Lefèvre", "García", "Núñez", "São", "Kraków", "Łódź"]
TRADES = ["Trading", "Textiles", "Machinery", "Electronics", "Foods", "Logistics", "Imports", "Chemicals", "Tools"]
FORMS = ["Ltd", "GmbH", "Inc.", "S.A.", "LLC", "Co., Ltd.", "BV", "SARL", ""]
RESPELL = {"ü": "ue", "ä": "ae", "ö": "oe", "ß": "ss"}


def patterned(n: int) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [f"C{i:07d}" for i in range(n)],
                         "customer_name": [f"X Trading {i}" for i in range(n)],
                         "email": [None] * n, "phone": [None] * n, "sales_rep": [None] * n})


def realistic(n: int, shared: float = 0.05, seed: int = 7) -> pd.DataFrame:
    rnd = random.Random(seed)
    names = []
    for i in range(n):
        if names and rnd.random() < shared:
            base = rnd.choice(names)
            for a, b in RESPELL.items():
                base = base.replace(a, b)
            names.append(base.upper() if rnd.random() < 0.3 else base.rstrip(".") + " " + rnd.choice(FORMS))
        else:
            names.append(f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {rnd.choice(TRADES)} {rnd.randint(1, 999)} "
                         f"{rnd.choice(FORMS)}".strip())
    return pd.DataFrame({"customer_id": [f"C{i:07d}" for i in range(n)], "customer_name": names,
                         "email": [None] * n, "phone": [None] * n, "sales_rep": [None] * n})


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.duplicates")
    ap.add_argument("--customers", type=int, default=200_000)
    args = ap.parse_args(argv)
    for label, frame in (("patterned names", patterned(args.customers)),
                         ("realistic names, ~5 % shared", realistic(args.customers))):
        started = time.perf_counter()
        found = _duplicate_clusters(frame)
        print(f"{label:30s} {args.customers:,} customers: {time.perf_counter() - started:5.1f} s, "
              f"{found['cluster'].nunique() if len(found) else 0:,} clusters of {len(found):,} customers")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
