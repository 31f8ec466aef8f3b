"""Views stored at import: the whole company's default view of a recent quarter, worked out by a page's own view()
function and kept as JSON in a table of one row per quarter (`<page>_views`, docs/data-model.md), read back only
when the filters ask for exactly that view (a calendar quarter, no filter, a viewer who sees every customer).

One codec for every page: DataFrames (with their date columns and any named index), dicts (keys of any JSON type,
order kept), tuples, lists and scalars. Python's float repr round-trips exactly (pandas' to_json rounds to 10
digits), so a stored view equals a fresh one."""
from __future__ import annotations

import contextlib
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np
import pandas as pd

from . import db


def _frame(frame: pd.DataFrame) -> dict:
    dates = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c].dtype)]
    out = {"columns": list(frame.columns), "dates": dates,
           "rows": frame.astype({c: str for c in dates}).astype(object).values.tolist()}
    if not (isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 and frame.index.step == 1):
        out |= {"index": list(frame.index), "index_name": frame.index.name, "columns_name": frame.columns.name}
    return out


def _unframe(held: dict) -> pd.DataFrame:
    frame = pd.DataFrame(held["rows"], columns=held["columns"]) if held["rows"] else pd.DataFrame(columns=held["columns"])
    for c in held.get("dates", []):
        frame[c] = pd.to_datetime(frame[c]).astype("datetime64[us]")
    if "index" in held:
        frame.index = pd.Index(held["index"], name=held["index_name"])
        frame.columns.name = held["columns_name"]
    return frame


def _encode(value):
    if isinstance(value, pd.DataFrame):
        return {"frame": _frame(value)}
    if isinstance(value, dict):
        return {"dict": [[k, _encode(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    (kind, held), = value.items()
    if kind == "frame":
        return _unframe(held)
    if kind == "tuple":
        return tuple(_decode(v) for v in held)
    return {k: _decode(v) for k, v in held}


def _scalar(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store a {type(value).__name__}")


def to_json(value) -> str:
    return json.dumps(_encode(value), default=_scalar)


def from_json(text: str):
    return _decode(json.loads(text))


# The statements that (re)create and fill each page's table of stored views, written out whole (a table name cannot
# be a bound parameter; no SQL is put together from strings).
_SAVE_SQL = {
    "regions_views": ("create or replace table regions_views (quarter_start date primary key, view_json varchar)",
                      "insert into regions_views values (?, ?)"),
    "complaints_views": ("create or replace table complaints_views (quarter_start date primary key, view_json varchar)",
                         "insert into complaints_views values (?, ?)"),
    "churn_views": ("create or replace table churn_views (quarter_start date primary key, view_json varchar)",
                    "insert into churn_views values (?, ?)"),
    "customers_views": ("create or replace table customers_views (quarter_start date primary key, view_json varchar)",
                        "insert into customers_views values (?, ?)"),
}


def save(con, table: str, views: list[tuple]) -> None:
    """(quarter start, view) pairs into `table` (one of _SAVE_SQL's), replacing what was there."""
    create, insert = _SAVE_SQL[table]
    con.execute(create)
    for start, view in views:
        con.execute(insert, [start, to_json(view)])


def load(con, query: str, filters):
    """The stored view queries/<query>.sql gives for these filters, or None when they do not ask for a stored one."""
    start = filters.stored_quarter()
    if start is None:
        return None
    row = db.first_row(con, query, {"quarter_start": start} | filters.viewer())
    return None if row is None else from_json(row["view_json"])


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
        from . import complaints, kpis
        self.quarters = kpis.quarters_to_store(self.con)
        self.memo = self._open.enter_context(db.memoised(self.con))
        self.pool = self._open.enter_context(ThreadPoolExecutor(max_workers=2))
        self.jobs["complaints_views"] = [(f.date_from, self.pool.submit(complaints.stored_view, self.con, f))
                                         for f in self.quarters[-complaints.STORED_QUARTERS:]]
        return self

    def finish(self, find_duplicates: Callable[[], None]) -> None:
        from . import churn, kpis, records, regions
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
        kpi_rows = [pool.submit(kpis.stored_row, con, f) for f in quarters]
        kpis.save_quarters(con, [job.result() for job in kpi_rows])
        for table, views in self.jobs.items():
            save(con, table, [(start, job.result()) for start, job in views])

    def close(self) -> None:
        """Wait for every view started (however start() or finish() ended), then forget the memo."""
        self._open.close()
