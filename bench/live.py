"""python -m bench.live --db FILE: each page's view worked out live (not read from what the import stored), for the
whole company and for one country, in one process: the wait after a person changes anything on a page.

Prints the first run and the median of two more per page and filter (milliseconds). Not part of the bench table:
that one times the default view a meeting opens."""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from cockpit import churn, db, kpis
from cockpit import complaints as cx
from cockpit import overview as ov
from cockpit import records as rx
from cockpit import regions as rg
from cockpit.filters import Filters


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.live")
    ap.add_argument("--db", required=True)
    ap.add_argument("--country", default="DE")
    args = ap.parse_args(argv)
    con = db.connect(args.db)
    q = Filters(dt.date(2026, 7, 1), dt.date(2026, 9, 30), all_customers=True)
    one = Filters(q.date_from, q.date_to, countries=(args.country,), all_customers=True)

    def overview(f):
        # Two quarters at a time, as the page does (cockpit/ui.py kpi_series).
        ov.quarter_series(lambda x: kpis.compute(con, x, stored=False), f, workers=2)
        ov.movers(con, f, f.previous_period(), stored=False)
        ov.revenue_by_month(con, f, stored=False)
    pages = {"overview": overview, "regions": lambda f: rg.view(con, f, stored=False),
             "complaints": lambda f: cx.view(con, f, stored=False), "customers": lambda f: rx.view(con, f, stored=False),
             "churn": lambda f: churn.view(con, f, stored=False)}
    for name, fn in pages.items():
        for label, f in (("whole company", q), (f"country {args.country}", one)):
            ms = []
            for _ in range(3):
                started = time.perf_counter()
                fn(f)
                ms.append((time.perf_counter() - started) * 1000)
            print(f"{name:11s} {label:14s} first {ms[0]:7,.0f} ms   then {statistics.median(ms[1:]):7,.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
