"""At import: every stored view worked out and written (the Overview's quarter KPIs and each page's default view),
by the pages' own functions. Only the importer imports this module; the pages read what it wrote through
cockpit/stored.py and kpis.stored_quarter."""
from __future__ import annotations

import contextlib
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from . import churn, complaints, db, kpis, records, regions, stored
from .filters import Filters, data_range, quarters_ending
from .overview import movers, revenue_by_month


# The quarters whose whole-company view the import stores: the quarter of the latest order and the eight before it,
# which covers the Overview's eight quarters (sparklines, previous quarter, same quarter last year) for the default
# period (the latest complete quarter) and for the quarter in progress.
STORED_QUARTERS = 9


def quarters_to_store(con) -> list[Filters]:
    _, last, _ = data_range(con)
    if last is None:
        return []
    return quarters_ending(Filters(last, last, all_customers=True), STORED_QUARTERS)


def stored_rows(con, quarters: list[Filters]) -> list[tuple]:
    """At import (StoredViews): the whole company's KPIs of each quarter (kpis.compute_many, one query per KPI file
    for all of them: nine quarters at 10 M lines 3.2 → 1.1 s against one compute per quarter), movers
    (overview.movers) and months, by the live definitions, so that the Overview's first view reads nine rows of
    quarter_kpis instead of running its queries. A filtered view (country, region, rep, segment, restricted viewer)
    or another period still computes live. Reads the duplicate clusters the import stored."""
    rows = []
    for f, values in zip(quarters, kpis.compute_many(con, quarters, stored=False)):
        countries, customers = movers(con, f, f.previous_period(), stored=False)
        rows.append((f.date_from, f.date_to, json.dumps(values), stored.to_json(countries), stored.to_json(customers),
                     stored.to_json(revenue_by_month(con, f, stored=False))))
    return rows


def save_quarters(con, rows: list[tuple]) -> None:
    con.execute("create or replace table quarter_kpis (quarter_start date primary key, quarter_end date, "
                "kpis_json varchar, country_movers_json varchar, customer_movers_json varchar, monthly_json varchar)")
    for row in rows:
        con.execute("insert into quarter_kpis values (?, ?, ?, ?, ?, ?)", list(row))


class StoredViews:
    """The stored views of one import, worked out on two threads (each view mixes DuckDB queries, which leave a core
    idle while Python works, with pandas, which leaves one idle while DuckDB works; at 10 M lines the lot took 12 s
    one after the other and 5-7 s this way).

    start() (after the summary tables) begins the views that read neither the reorder rhythm, the snapshot nor the
    duplicate clusters, the Complaints page's, beside the import's last statements (the rhythm's table and the
    snapshot: DuckDB on both cores, which these views' pandas work shares; tests/test_quarter_kpis.py runs them on a
    copy without those tables). The Regions page's views read the snapshot (churn status by country) and wait.
    finish(find_duplicates) (after the snapshot) runs find_duplicates (which stores the duplicate clusters, waiting
    for the import's search if it is still at work) beside the Regions and Churn views; the KPI cards and the
    Customers page, which read the clusters, start when it has finished. Every query runs on its own cursor (db.run,
    which answers a query asked again with the same parameters from memory: db.memoised); the views are written by
    the calling thread, the clusters by find_duplicates on its own cursor. close() (always) waits for whatever was
    started."""

    def __init__(self, con):
        self.con = con
        self.jobs: dict[str, list] = {}
        # Closed in reverse: the pool first (waiting for every view started), then the memo.
        self._open = contextlib.ExitStack()

    def start(self) -> "StoredViews":
        self.quarters = quarters_to_store(self.con)
        self.memo = self._open.enter_context(db.memoised(self.con))
        self.pool = self._open.enter_context(ThreadPoolExecutor(max_workers=2))
        self.jobs["complaints_views"] = [(f.date_from, self.pool.submit(complaints.stored_view, self.con, f))
                                         for f in self.quarters[-complaints.STORED_QUARTERS:]]
        return self

    def finish(self, find_duplicates: Callable[[], None]) -> None:
        con, pool, quarters = self.con, self.pool, self.quarters
        # The rhythm and the snapshot were written since start(): nothing remembered may predate a change to the
        # database (the Complaints views read neither, but the memo does not know that).
        self.memo.clear()
        duplicates = pool.submit(find_duplicates)
        for table, page in {"regions_views": regions, "churn_views": churn}.items():
            self.jobs[table] = [(f.date_from, pool.submit(page.stored_view, con, f)) for f in quarters[-page.STORED_QUARTERS:]]
        duplicates.result()
        # The duplicate clusters are stored now: forget any answer given before.
        self.memo.clear()
        self.jobs["customers_views"] = [(f.date_from, pool.submit(records.stored_view, con, f))
                                        for f in quarters[-records.STORED_QUARTERS:]]
        kpi_rows = pool.submit(stored_rows, con, quarters)
        save_quarters(con, kpi_rows.result())
        for table, views in self.jobs.items():
            stored.save(con, table, [(start, job.result()) for start, job in views])

    def close(self) -> None:
        """Wait for every view started (however start() or finish() ended), then forget the memo."""
        self._open.close()
