"""python -m bench.live --db FILE: each page's view worked out (nothing cached), for the whole company, for one country and for one rep, in one process: the wait after a person changes anything on a page.

Also times the Customers page's three clicks that are worked out alone (another rep, other migration quarters,
another customer). Prints the first run and the median of two more per page and filter (milliseconds). Not part of the bench table:
that one times the default view a meeting opens."""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from cockpit import churn, db
from cockpit import complaints as cx
from cockpit import overview as ov
from cockpit import records as rx
from cockpit import regions as rg
from cockpit.filters import Filters


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.live")
    ap.add_argument("--db", required=True)
    ap.add_argument("--country", default="DE")
    ap.add_argument("--rep", default="Li Wei")
    args = ap.parse_args(argv)
    con = db.connect(args.db)
    q = Filters(dt.date(2026, 7, 1), dt.date(2026, 9, 30), all_customers=True)
    one = Filters(q.date_from, q.date_to, countries=(args.country,), all_customers=True)
    # A rep's own customers, as a signed-in rep sees them (cockpit/auth.py: row-level visibility).
    rep = Filters(q.date_from, q.date_to, all_customers=False, visible_reps=(args.rep,))

    def overview(f):
        # As the page does: what it shows of eight quarters (cockpit/overview.py quarters), movers, months.
        ov.quarters(con, f)
        ov.movers(con, f, f.previous_period())
        ov.revenue_by_month(con, f)
    pages = {"overview": overview, "regions": lambda f: rg.view(con, f),
             "complaints": lambda f: cx.view(con, f), "customers": lambda f: rx.view(con, f),
             "churn": lambda f: churn.view(con, f)}

    # The three clicks on the Customers page that are worked out alone, each put into the view the page holds
    # already (records.with_parts, as cockpit/ui.py does; that view is not timed): another rep's fix list, other
    # migration quarters, another customer in the 360.
    def another_rep(f):
        base = bases[f]
        other = next(r for r in base["reps"] if r != base["fix_rep"])
        rx.with_parts(base, fix=rx.fix_part(con, f, other))

    def other_quarters(f):
        base = bases[f]
        rx.with_parts(base, migration=rx.migration_part(con, f, (base["quarters"][4], base["quarters"][1])))

    def another_customer(f):
        base = bases[f]
        rx.with_parts(base, one=rx.customer_360(con, f, list(base["choices"])[1]))
    pages |= {"customers: another rep": another_rep, "customers: quarters": other_quarters,
              "customers: a customer": another_customer}
    bases = {f: rx.view(con, f) for f in (q, one, rep)}  # the view the page holds already (cached), not timed
    for name, fn in pages.items():
        for label, f in (("whole company", q), (f"country {args.country}", one), (f"rep {args.rep}", rep)):
            if name == "customers: another rep" and len(bases[f]["reps"]) < 2:
                continue  # a rep's own customers have no other rep's list to pick
            ms = []
            for _ in range(3):
                started = time.perf_counter()
                fn(f)
                ms.append((time.perf_counter() - started) * 1000)
            print(f"{name:22s} {label:16s} first {ms[0]:7,.0f} ms   then {statistics.median(ms[1:]):7,.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
