"""This import's order lines as one table: order headers joined to their lines, parts of one order kept
together, and the Arrow tables written to DuckDB (conform)."""

from __future__ import annotations


import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..parse import arrow_data, arrow_of, distinct
from .model import ImportFailed, Prepared
from .report import Report


def assemble_orders(prepared: list[Prepared], report: Report) -> pd.DataFrame | None:
    parts = []
    headers = [p for p in prepared if p.table == "order_headers"]
    header_frame = None
    if headers:
        header_frame = pd.concat([p.frame for p in headers], ignore_index=True)
        header_frame = header_frame.drop_duplicates(subset=["order_id"], keep="last")
    for p in prepared:
        if p.table == "orders":
            parts.append(p.frame)
        elif p.table == "order_lines":
            if header_frame is None:
                raise ImportFailed(f"{p.raw.label}: order lines without customer and date: import them together with "
                                   "the orders file that has order id, customer id and order date")
            cols = [c for c in header_frame.columns if c not in p.frame.columns or c == "order_id"]
            cols = [c for c in cols if c not in ("row_number", "source_file")]
            merged = p.frame.merge(header_frame[cols], on="order_id", how="left")
            orphan = merged["customer_id"].isna().to_numpy()
            if orphan.any():
                for rn, oid in zip(merged.loc[orphan, "row_number"], merged.loc[orphan, "order_id"]):
                    p.quarantine.append({"file": p.raw.label, "row_number": int(rn), "column_name": p.mapping.get("order_id", "order_id"),
                                         "value": str(oid), "reason": "order id not found in the orders file", "action": "row quarantined"})
                merged = merged.loc[~orphan]
            if "ordered_on" in merged.columns:
                nodate = merged["ordered_on"].isna().to_numpy()
                merged = merged.loc[~nodate]
            parts.append(merged)
            p.frame = merged
    if not parts:
        return None
    # One orders file (the usual case) is used as it is: concatenating would copy every column.
    frame = parts[0].copy(deep=False) if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    if "order_id" not in frame.columns or frame["order_id"].isna().any():
        # Exports without an order number: one order per customer and day (documented in data-model.md).
        synth = frame["customer_id"].astype(str) + "|" + pd.to_datetime(frame["ordered_on"]).dt.strftime("%Y-%m-%d")
        if "order_id" in frame.columns:
            frame["order_id"] = frame["order_id"].where(frame["order_id"].notna(), synth)
        else:
            frame["order_id"] = synth
            report.notes.append("orders have no order number: each customer's lines of one day form one order")
    if frame.empty:
        frame["line_no"] = pd.Series(dtype="int64")
        return frame
    source = frame["source_file"]
    # The file of each line as small integer codes (a categorical's own codes: no ten-million-value copy).
    file_code = source.cat.codes.to_numpy() if isinstance(source.dtype, pd.CategoricalDtype) else pd.factorize(source)[0]
    files = int(file_code.max()) + 1
    generated_only = "line_no" not in frame.columns or frame["line_no"].isna().all()
    if generated_only and files == 1:
        # One file without line numbers (the usual export): when each order's lines are listed together, the line
        # numbers follow from where the order id changes, and no (order, line) can repeat.
        position, starts = _positions_in_runs(frame["order_id"])
        if position is not None:
            frame["line_no"] = pd.Series(position, index=frame.index)
            frame.attrs["one_part_per_order"] = _runs_share_their_order_keys(frame, starts)
            return frame
    if files == 1 and not generated_only and not frame["line_no"].isna().any():
        # Numbered lines of one file, each order's lines one unbroken run with rising numbers (how exports list
        # them): no (order, line) can repeat, and the hash of every pair below is not needed (10 M lines of the
        # bench's long shape: assembling 3.4 s -> ~1 s).
        starts = _run_starts(frame["order_id"]) if len(frame) < 2 ** 31 else None
        if starts is not None:
            line = frame["line_no"].to_numpy(dtype="int64")
            if bool(np.all((line[1:] > line[:-1]) | starts[1:])):
                return _mark_one_part_per_order(_with_int_line_no(frame), starts)
    # Integer codes for the order ids: counting and comparing ten million strings would dominate the import.
    order_code = distinct(frame["order_id"])[0]
    if "line_no" not in frame.columns or frame["line_no"].isna().any():
        key = order_code if files == 1 else order_code * files + file_code.astype("int64")
        position = _position_in_group(key)
        position = pd.Series(np.add(position, 1, out=position) if position.flags.writeable else position + 1,
                             index=frame.index)
        if "line_no" in frame.columns:
            frame["line_no"] = frame["line_no"].where(frame["line_no"].notna(), position)
        else:
            frame["line_no"] = position
    frame = _with_int_line_no(frame)
    if generated_only and files == 1:
        # Numbered here, within a single file: every (order, line) is distinct by construction. Ids held in Arrow
        # came here because an order's lines are apart (_positions_in_runs): not one part each, no need to look again.
        if arrow_data(frame["order_id"]) is not None:
            frame.attrs["one_part_per_order"] = False
            return frame
        return _mark_one_part_per_order(frame)
    line = frame["line_no"].to_numpy()
    span = int(line.max()) - int(line.min()) + 1
    if span * (int(order_code.max()) + 1) < 2 ** 62:
        dup = pd.Series(order_code * span + (line - int(line.min()))).duplicated(keep="last").to_numpy()
    else:
        dup = frame.duplicated(subset=["order_id", "line_no"], keep="last").to_numpy()
    if dup.any():
        report.notes.append(f"{int(dup.sum()):,} order line(s) repeated in the files: the later row kept")
        frame = frame.loc[~dup]
    return _mark_one_part_per_order(frame)


# The columns that make an order line's part of customer_day (build_derived.sql, order_parts) besides its order id.
_PART_KEYS = ("customer_id", "ordered_on", "country_code", "country_raw", "currency")


def _with_int_line_no(frame: pd.DataFrame) -> pd.DataFrame:
    """orders.line_no is an integer column: four bytes a line are enough (and 40 MB less at ten million lines)."""
    frame["line_no"] = frame["line_no"].astype("int64" if frame["line_no"].max() >= 2 ** 31 else "int32")
    return frame


def _mark_one_part_per_order(frame: pd.DataFrame, starts: np.ndarray | None = None) -> pd.DataFrame:
    """frame.attrs["one_part_per_order"]: whether _runs_share_their_order_keys holds for these lines (starts: their
    _run_starts when known)."""
    if starts is None:
        starts = _run_starts(frame["order_id"]) if len(frame) < 2 ** 31 else None
    frame.attrs["one_part_per_order"] = starts is not None and _runs_share_their_order_keys(frame, starts)
    return frame


def _changes(data) -> np.ndarray:
    """True at the first value and wherever a value differs from the one before it (a null differs from a value,
    not from another null), compared chunk by chunk: no contiguous copy of ten million values at the import's peak."""
    n = len(data)
    changes = np.ones(n, dtype=bool)
    if n > 1:
        after, before = data.slice(1), data.slice(0, n - 1)
        changes[1:] = pc.or_kleene(pc.fill_null(pc.not_equal(after, before), False),
                                   pc.xor(pc.is_null(after), pc.is_null(before))).to_numpy(zero_copy_only=False)
    return changes


def _run_starts(order_id: pd.Series) -> np.ndarray | None:
    """Where each order's run of lines starts (a mask), when every order's lines are one unbroken run of rows;
    None when an order id comes back later or is missing. Compares neighbouring ids and counts the distinct ids at
    run starts only (a few million strings hashed instead of ten million encoded)."""
    data = arrow_of(order_id)
    if data.null_count or len(data) == 0:
        return None
    changes = _changes(data)
    # The ids at run starts, filtered chunk by chunk (a take would first join the chunks: a copy of every id).
    if not _all_distinct(data.filter(pa.array(changes))):
        return None
    return changes


def _runs_share_their_order_keys(frame: pd.DataFrame, starts: np.ndarray) -> bool:
    """Whether every line has its run's customer, order date, destination and currency (starts: _run_starts).
    Then each order is one part of customer_day, and an order's total is that part's revenue: the import, when it
    fills an empty orders table, builds customer_day without the window that adds up each order's parts (10 M
    lines: ~1.5 of that statement's ~5 CPU seconds). A null is a value like any other here; a column the lines do
    not have cannot differ."""
    return not any((_changes(arrow_of(frame[name])) & ~starts).any() for name in _PART_KEYS if name in frame.columns)


def _positions_in_runs(order_id: pd.Series) -> tuple[np.ndarray | None, np.ndarray | None]:
    """1, 2, 3... along each order's lines when every order's lines are one unbroken run of rows (int32 while
    positions fit), and the runs' starts (_run_starts); (None, None) otherwise."""
    n = len(order_id)
    if arrow_data(order_id) is None or n == 0 or n >= 2 ** 31:
        return None, None
    changes = _run_starts(order_id)
    if changes is None:
        return None, None
    position = _run_positions(np.flatnonzero(changes), n)
    return np.add(position, 1, out=position), changes


def _all_distinct(values) -> bool:
    """No value twice in an Arrow text array without nulls. Counted by DuckDB's grouping (both cores, short ids
    packed into integers) rather than Arrow's unique (one core): 3.17 M order ids, 0.71 s → 0.29 s."""
    con = duckdb.connect()  # in memory, without a cap of its own (Arrow's unique had none either)
    try:
        con.register("run_ids", pa.table({"id": values}))
        groups = con.execute("select count(*) from (select id from run_ids group by id)").fetchone()[0]
        return groups == len(values)
    finally:
        con.close()


def _run_positions(starts: np.ndarray, n: int) -> np.ndarray:
    """0, 1, 2... from each run start (sorted, the first 0) to the next, in place in one array of 4-byte integers
    while positions fit (ten million lines: 40 MB)."""
    kind = "int32" if n < 2 ** 31 else "int64"
    position = np.zeros(n, dtype=kind)
    position[starts] = starts
    np.maximum.accumulate(position, out=position)
    np.subtract(np.arange(n, dtype=kind), position, out=position)
    return position


def _position_in_group(key: np.ndarray) -> np.ndarray:
    """0, 1, 2... within each key, in row order. Exports list an order's lines together, so when every key is one
    unbroken run this is arithmetic on the run starts; otherwise a grouped count."""
    if len(key) == 0:
        return np.zeros(0, dtype="int64")
    starts = np.flatnonzero(key[1:] != key[:-1]) + 1
    if not pd.Series(key[np.r_[0, starts]]).duplicated().any():
        return _run_positions(np.r_[0, starts], len(key))
    return pd.Series(key).groupby(key, sort=False).cumcount().to_numpy()


_COLUMNS = {
    "customers": ["customer_id", "customer_name", "country_code", "country_raw", "city", "sales_region", "sales_rep",
                  "segment", "industry", "source_channel", "created_on", "updated_on", "last_contact_on", "email",
                  "phone", "website", "record_source", "source_file", "import_id"],
    "orders": ["order_id", "line_no", "customer_id", "ordered_on", "ordered_at", "shipped_on", "product", "category",
               "quantity", "unit_price", "amount", "currency", "amount_reporting", "country_code", "country_raw",
               "sales_rep", "source_file", "import_id"],
    "complaints": ["complaint_id", "customer_id", "order_id", "received_at", "first_response_at", "resolved_at",
                   "category", "severity", "department", "status", "root_cause", "corrective_action", "action_due_on",
                   "action_verified_on", "owner", "source_file", "import_id"],
    "pipeline_events": ["customer_id", "stage", "happened_on", "source_file", "import_id"],
    "fx_rates": ["currency", "valid_from", "rate_to_reporting", "source_file", "import_id"],
}


def conform(frame: pd.DataFrame, table: str, import_id: int, extra: tuple[str, ...] = ()) -> pa.Table:
    """The frame as an Arrow table with the target table's columns (missing ones all null) and the import id.
    Text already in Arrow buffers is passed on without a copy: ten million Python strings are never made."""
    n = len(frame)
    columns = {}
    for name in [*_COLUMNS[table], *extra]:
        if name == "import_id":
            columns[name] = pa.array(np.full(n, import_id, dtype="int32"))
        elif name not in frame.columns:
            columns[name] = pa.nulls(n)
        else:
            data = arrow_data(frame[name])
            columns[name] = data if data is not None else pa.Array.from_pandas(frame[name])
    return pa.table(columns)
