"""Views stored at import, read and written: the whole company's default view of a recent quarter, worked out by a
page's own view() function (cockpit/import_views.py, at import) and kept as JSON in a table of one row per quarter
(`<page>_views`, docs/data-model.md), read back only when the filters ask for exactly that view (a calendar quarter,
no filter, a viewer who sees every customer).

One codec for every page: DataFrames (with their date columns and any named index), dicts (keys of any JSON type,
order kept), tuples, lists and scalars. Python's float repr round-trips exactly (pandas' to_json rounds to 10
digits), so a stored view equals a fresh one."""
from __future__ import annotations

import json

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
