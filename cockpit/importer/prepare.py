"""Parsing and validating one file's values into canonical columns (dates, money, countries, currencies), with
bad optional values blanked and bad rows quarantined; event-log complaints pivoted to one row each."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import countries as ctry
from ..parse import arrow_data, clean_text, distinct, expand_strings, parse_dates, parse_money
from ..readers import RawTable
from ..schema import field_map, missing_required, normalise_stage
from .model import ImportFailed, Prepared, Spec
from ..parse import _CURRENCY_SYMBOLS


def _describe(table: str, fname: str) -> str:
    aliases = field_map(table)[fname].aliases[1:]
    english = [a for a in aliases if a.isascii()][:4]
    chinese = [a for a in aliases if not a.isascii()][:3]
    return f"'{fname}' (a header such as {', '.join(repr(a) for a in english + chinese)})"


def prepare(raw: RawTable, table: str, mapping: dict[str, str], spec: Spec | None, sha: str) -> Prepared:
    base = "orders" if table in ("order_lines", "order_headers") else table
    fields = field_map(base)
    frame = raw.frame
    n = len(frame)
    label = raw.label
    notes = list(raw.notes)
    present = set(mapping) | set((spec.defaults if spec else {}).keys())
    problems: list[str] = []

    required_missing = []
    if table == "orders":
        required_missing = [f for f in missing_required("orders", present) if not (f == "amount" and "unit_price" in present)]
    elif table == "order_lines":
        required_missing = [] if ({"amount", "unit_price"} & present) else ["amount"]
        required_missing += [] if "order_id" in present else ["order_id"]
    elif table == "order_headers":
        required_missing = [f for f in ("order_id", "customer_id", "ordered_on") if f not in present]
    else:
        required_missing = missing_required(base, present)

    out = pd.DataFrame(index=frame.index)
    quarantine: list[dict] = []
    # 4-byte row numbers while they fit (ten million rows: 40 MB less at the import's memory peak).
    row_numbers = np.arange(raw.header_rows + 1, n + raw.header_rows + 1,
                            dtype="int32" if n + raw.header_rows < 2 ** 31 else "int64")
    drop = np.zeros(n, dtype=bool)
    date_order = spec.date_order if spec else None
    currency_hint = None
    dates: dict[str, str] = {}

    def q(mask: np.ndarray, column: str, src: str, values: pd.Series, reason: str, action: str):
        idx = np.flatnonzero(mask)
        for i in idx:
            v = values.iloc[i]
            quarantine.append({"file": label, "row_number": int(row_numbers[i]), "column_name": src,
                               "value": None if pd.isna(v) else str(v)[:200], "reason": reason, "action": action})

    required_fields = {"customers": {"customer_id"}, "orders": {"customer_id", "ordered_on", "amount", "unit_price", "quantity"},
                       "order_lines": {"order_id", "amount", "unit_price", "quantity"},
                       "order_headers": {"order_id", "customer_id", "ordered_on"},
                       "complaints": {"complaint_id", "received_at", "first_response_at", "resolved_at"},
                       "pipeline_events": {"customer_id", "stage", "happened_on"},
                       "fx_rates": {"currency", "valid_from", "rate_to_reporting"}}[table]

    # Columns are parsed two at a time (the Arrow kernels doing the work release the GIL: 2 cores). Big files were
    # parsed one column at a time while two columns' temporaries set the import's peak (10 M lines: 1.98 GB); since
    # the blank-marker check no longer copies a column (_holds_blank_marker), two at a time peak at 1.63 GB there,
    # under the orders write's and customer_day's, and the parse takes 1.4 s instead of 2.3.
    def parse_column(fname: str, src: str):
        kind = fields[fname].kind
        if kind in ("date", "timestamp"):
            return parse_dates(frame[src], order=date_order, days=kind == "date")
        if kind in ("money", "number"):
            return parse_money(frame[src])
        return clean_text(frame[src])
    with ThreadPoolExecutor(max_workers=2) as pool:
        parsed_columns = {fname: pool.submit(parse_column, fname, src) for fname, src in mapping.items() if fname in fields}

    order = list(mapping.items())
    headers = list(frame.columns)  # as read (parsed columns' text is dropped below)

    def later_sources(fname: str) -> set:
        """Source columns mapped to fields after this one (their text must stay)."""
        after = [s for f, s in order[[f for f, _ in order].index(fname) + 1:]]
        return set(after)

    def source(fname: str) -> pd.Series:
        """The text a field came from, for quarantine messages; the parsed values once that text is dropped."""
        src = mapping.get(fname)
        return frame[src] if src is not None and src in frame.columns else out[fname]

    for fname, src in mapping.items():
        f = fields.get(fname)
        if f is None:
            continue
        col = frame[src]
        is_required = fname in required_fields
        action = "row quarantined" if is_required else "value blanked"
        if f.kind in ("date", "timestamp"):
            parsed = parsed_columns[fname].result()
            if parsed.decision and parsed.decision not in ("typed date column",):
                dates[fname] = parsed.decision  # (in the plan)
            if parsed.bad.any():
                expect = "a date such as 2024-03-05, 05/03/2024 or 2024年3月5日"
                q(parsed.bad, fname, src, col, f"not a date: expected {expect}", action)
                if is_required:
                    drop |= parsed.bad
            out[fname] = parsed.values  # a date field's values are days already (parse_dates(days=True))
        elif f.kind in ("money", "number"):
            parsed = parsed_columns[fname].result()
            infinite = np.isinf(parsed.values.to_numpy(dtype="float64", na_value=np.nan))
            if infinite.any():
                parsed.values[infinite] = np.nan
                parsed.bad = parsed.bad | infinite
            if parsed.bad.any():
                expect = "an amount such as 1,234.56 or 1.234,56" if f.kind == "money" else "a number"
                q(parsed.bad, fname, src, col, f"not {'an amount' if f.kind == 'money' else 'a number'}: expected {expect}", action)
                if is_required:
                    drop |= parsed.bad
            out[fname] = parsed.values
            if fname in ("amount", "unit_price") and parsed.values.attrs.get("currency") is not None:
                currency_hint = parsed.values.attrs["currency"]
        else:
            out[fname] = parsed_columns[fname].result()
            if f.kind == "text":
                data = arrow_data(out[fname])
                # Bytes bound characters: only a column holding a value over 2,000 bytes is measured per value.
                longest = pc.max(pc.binary_length(data)).as_py() if data is not None and len(data) else None
                long = (out[fname].str.len().fillna(0).to_numpy() > 2000) if data is None or (longest or 0) > 2000 \
                    else np.zeros(0, dtype=bool)
                if long.any():
                    notes.append(f"{label}: column '{src}': {int(long.sum())} cell(s) longer than 2,000 characters cut")
                    out[fname] = out[fname].str.slice(0, 2000)
        if f.kind in ("date", "timestamp", "money", "number") and src not in later_sources(fname) and not parsed.bad.any():
            # Parsed cleanly: the text it came from is no longer needed (ten million dates or amounts as text
            # hold ~150 MB each until the file's parse ends otherwise).
            frame = frame.drop(columns=[src])
            raw.frame = frame

    for fname, value in (spec.defaults if spec else {}).items():
        if fname not in out.columns or out[fname].isna().all():
            out[fname] = value
        else:
            out[fname] = out[fname].fillna(value)

    if required_missing:
        for fname in required_missing:
            problems.append(f"{label}: required column {_describe(base, fname)} is missing; "
                            f"headers found: {', '.join(map(str, headers[:30]))}")
        bad_rows = [f"{x['file']} row {x['row_number']}, column '{x['column_name']}': '{x['value']}' is {x['reason']}"
                    for x in quarantine[:10]]
        raise ImportFailed(f"{label} cannot be imported as {table.replace('_', ' ')}: required column(s) missing "
                           "(add them to the file, or name them in a mapping file with --mapping)", problems + bad_rows)

    # Required identifiers must be present.
    for fname in ("customer_id", "order_id", "complaint_id", "ordered_on", "received_at", "happened_on", "currency",
                  "valid_from", "rate_to_reporting", "stage"):
        if fname in out.columns and fname in required_fields and fname in mapping:
            empty = out[fname].isna().to_numpy() & ~drop
            if empty.any():
                q(empty, fname, mapping.get(fname, fname), source(fname),
                  f"missing {fname}", "row quarantined")
                drop |= empty

    if base == "orders":
        if "amount" not in out.columns or out["amount"].isna().all():
            if "unit_price" in out.columns:
                qty = out["quantity"] if "quantity" in out.columns else pd.Series(1.0, index=out.index)
                disc = out["discount"] if "discount" in out.columns else pd.Series(0.0, index=out.index)
                disc = disc.fillna(0.0).where(disc.fillna(0.0) <= 1, disc / 100.0)
                out["amount"] = qty * out["unit_price"] * (1 - disc)
                how = "quantity × unit price" if "quantity" in out.columns else "unit price (no quantity column: 1 each)"
                notes.append(f"{label}: amount computed as {how}" + (" × (1 − discount)" if "discount" in out.columns else ""))
                if "quantity" in out.columns:
                    miss = out["quantity"].isna().to_numpy() & ~drop
                    if miss.any():
                        q(miss, "quantity", mapping.get("quantity", "quantity"), out["quantity"], "missing quantity", "row quarantined")
                        drop |= miss
        if table != "order_headers" and "amount" in out.columns:
            miss = out["amount"].isna().to_numpy() & ~drop
            if miss.any():
                q(miss, "amount", mapping.get("amount", mapping.get("unit_price", "amount")), out["amount"], "missing amount", "row quarantined")
                drop |= miss
        if "currency" not in out.columns:
            out["currency"] = currency_hint if currency_hint is not None else None
        elif currency_hint is not None:
            out["currency"] = out["currency"].fillna(currency_hint)
        out["currency"] = _currency_codes(out["currency"])
    if base == "fx_rates":
        out["currency"] = _currency_codes(out["currency"])
        nonpos = (out["rate_to_reporting"].fillna(1) <= 0).to_numpy() & ~drop
        if nonpos.any():
            q(nonpos, "rate_to_reporting", mapping["rate_to_reporting"], source("rate_to_reporting"), "a rate must be above 0", "row quarantined")
            drop |= nonpos
    if base == "pipeline_events":
        stages = out["stage"].map(lambda v: normalise_stage(v) if v is not None and not pd.isna(v) else None)
        unknown = stages.isna().to_numpy() & out["stage"].notna().to_numpy() & ~drop
        if unknown.any():
            q(unknown, "stage", mapping["stage"], source("stage"), "unknown stage: expected inquiry, quote, sample or order", "row quarantined")
            drop |= unknown
        out["stage"] = stages
    if base == "complaints":
        for end in ("first_response_at", "resolved_at"):
            if end in out.columns and "received_at" in out.columns:
                before = (out[end] < out["received_at"]).fillna(False).to_numpy() & ~drop
                if before.any():
                    q(before, end, mapping.get(end, end), source(end),
                      f"{end.replace('_', ' ')} is before received", "value blanked")
                    out.loc[before, end] = pd.NaT

    if "country" in out.columns:
        out["country_raw"] = out["country"]
        codes = _countries(out["country"])
        out["country_code"] = codes
        out = out.drop(columns=["country"])

    for b in raw.bad_rows:
        quarantine.append({"file": label, "row_number": int(b["row_number"]), "column_name": "(whole row)",
                           "value": b["value"], "reason": b["reason"], "action": "row quarantined"})
    keep = ~drop
    prepared = out.loc[keep].copy() if drop.any() else out
    prepared["row_number"] = row_numbers[keep] if drop.any() else row_numbers
    # One file name repeated on every row: a categorical holds it once (10 M rows: 8 bytes a row instead of 25).
    prepared["source_file"] = pd.Categorical.from_codes(np.zeros(len(prepared), dtype="int8"), categories=[label])
    for fname in list(prepared.columns):
        if prepared[fname].dtype == object:
            prepared[fname] = prepared[fname].astype("string")
    return Prepared(raw=raw, table=table, mapping=mapping, frame=prepared, rows_read=n, quarantine=quarantine,
                    notes=notes, sha256=sha, dates=dates)


def _currency_codes(series: pd.Series) -> pd.Series:
    if series.isna().all():
        return series.astype("string")

    def norm(v):
        if v is None or pd.isna(v):
            return None
        t = str(v).strip()
        if t in _CURRENCY_SYMBOLS:
            return _CURRENCY_SYMBOLS[t]
        t = t.upper()
        return {"RMB": "CNY", "人民币": "CNY", "美元": "USD", "欧元": "EUR", "英镑": "GBP", "日元": "JPY"}.get(t, t)
    # Cleaned as text (clean_text) and then coded, both once per distinct value.
    return _map_distinct(series.astype("string"), norm, clean=True)


def _countries(series: pd.Series) -> pd.Series:
    return _map_distinct(series, ctry.to_iso2)


def _map_distinct(series: pd.Series, fn, clean: bool = False) -> pd.Series:
    """fn applied once per distinct value (after clean_text when clean); a column this leaves unchanged (ISO codes
    already, the usual case) is kept as it is, found from the distinct values alone (a hash of the column, not an
    encoding of every row)."""
    def apply(uniques: pd.Series) -> list:
        values = clean_text(uniques) if clean else uniques
        return [fn(v) if not pd.isna(v) else None for v in values]
    data = arrow_data(series)
    if data is not None and (pa.types.is_string(data.type) or pa.types.is_large_string(data.type)):
        uniques = pd.Series(pd.arrays.ArrowStringArray(pc.drop_null(pc.unique(data)).cast(pa.large_string())))
        if all(m == u for m, u in zip(apply(uniques), uniques)):
            return series.astype("string")
    codes, uniques = distinct(series)
    mapped = apply(uniques)
    if all(m == u for m, u in zip(mapped, uniques)):
        return series.astype("string")
    return expand_strings(codes, mapped, series.index)


def pivot_events(raw: RawTable, spec: Spec) -> RawTable:
    """Turn a ticket event log (one row per status change) into one row per complaint.

    spec.events: {case: <col>, activity: <col>, at: <col>, received: [activities], first_response: [...],
    resolved: [...]}, optional {customer: <col>, owner: <col>, severity: <col>, category: <col>}.
    received = first matching event (or the case's first event when the list is empty); the others = first
    matching event after it."""
    ev = spec.events or {}
    f = raw.frame
    for key in ("case", "activity", "at"):
        col = ev.get(key)
        if not col or col not in f.columns:
            raise ImportFailed(f"{raw.label}: the mapping's events.{key} must name a column of the file "
                               f"(found: {', '.join(map(str, f.columns[:20]))})")
    at = parse_dates(f[ev["at"]])
    frame = pd.DataFrame({"case": clean_text(f[ev["case"]]), "activity": clean_text(f[ev["activity"]]), "at": at.values})
    extra = {k: ev[k] for k in ("customer", "owner", "severity", "category", "department") if ev.get(k) in f.columns}
    for k, col in extra.items():
        frame[k] = clean_text(f[col])
    frame = frame.dropna(subset=["case", "at"]).sort_values(["case", "at"], kind="stable")

    def first_of(names):
        if not names:
            return frame.groupby("case")["at"].min()
        names = [names] if isinstance(names, str) else list(names)
        return frame[frame["activity"].isin(names)].groupby("case")["at"].min()

    out = pd.DataFrame({"complaint_id": frame["case"].drop_duplicates().to_numpy()})
    out = out.set_index("complaint_id")
    out["received_at"] = first_of(ev.get("received"))
    out["received_at"] = out["received_at"].fillna(frame.groupby("case")["at"].min())
    out["first_response_at"] = first_of(ev.get("first_response"))
    out["resolved_at"] = first_of(ev.get("resolved"))
    for k in extra:
        out[{"customer": "customer_id"}.get(k, k)] = frame.groupby("case")[k].last()
    out = out.reset_index()
    if "customer_id" not in out.columns:
        out["customer_id"] = spec.defaults.get("customer_id")
    for col in ("received_at", "first_response_at", "resolved_at"):
        out[col] = out[col].astype("datetime64[us]")
    notes = raw.notes + [f"{raw.label}: event log of {len(f):,} events pivoted to {len(out):,} complaints"]
    return RawTable(raw.path, out, encoding=raw.encoding, sheet=raw.sheet, header_rows=raw.header_rows, notes=notes)
