"""The import engine: export files -> one validated, merged DuckDB database, swapped in atomically.

Steps: discover files -> read (readers.py) -> decide each file's table and header mapping (schema.py, mapping
file) -> parse and validate values (parse.py, countries.py), quarantining bad rows -> load into a copy of the
database, merge by key, rebuild derived tables -> rename the copy over the original.
A failure at any step leaves the original file untouched.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
import functools
import getpass
import json
import os
import re
import shutil
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from . import countries as ctry
from .parse import arrow_data, clean_text, distinct, expand_strings, parse_dates, parse_money
from .readers import SUPPORTED, FileProblem, RawTable, read_any, sha256_of
from .schema import TABLES, field_map, match_headers, missing_required, normalise_stage

SQL_DIR = Path(__file__).parent / "sql"
KEEP_VERSIONS = int(os.environ.get("COCKPIT_KEEP_VERSIONS", "5"))

Progress = Callable[[float, str], None]


class ImportFailed(Exception):
    """The import was refused; the database was not changed. str() is the message for the user."""

    def __init__(self, message: str, problems: list[str] | None = None, plan: list[dict] | None = None):
        self.problems = problems or []
        self.plan = plan or []   # what the importer had decided before it refused (plan_text)
        full = message + ("".join("\n  - " + p for p in self.problems[:20]) if self.problems else "")
        if len(self.problems) > 20:
            full += f"\n  … and {len(self.problems) - 20} more"
        super().__init__(full)


@dataclass
class Spec:
    """How to read one kind of file: from the mapping file, or empty for automatic detection."""
    name: str = ""
    table: str | None = None
    pattern: str | None = None
    sheet: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    date_order: str | None = None
    events: dict | None = None  # event-log complaints (one row per status change)
    exact: bool = False         # columns are complete: do not add alias matches (a reviewed mapping)


@dataclass
class Prepared:
    """One source table after parsing: canonical columns, ready to load."""
    raw: RawTable
    table: str                  # customers | orders | order_headers | order_lines | complaints | pipeline_events | fx_rates
    mapping: dict[str, str]
    frame: pd.DataFrame
    rows_read: int
    quarantine: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sha256: str = ""
    dates: dict[str, str] = field(default_factory=dict)   # date field -> how its day/month order was decided


@dataclass
class Report:
    plan: list[dict] = field(default_factory=list)   # what the importer decided, per file and sheet (plan_text)
    files: list[dict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)
    unresolved_countries: Counter = field(default_factory=Counter)
    quarantine_sample: list[dict] = field(default_factory=list)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    placeholder_customers: int = 0
    import_id: int | None = None
    database: str = ""
    written: bool = False
    seconds: float = 0.0
    table_counts: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "database": self.database, "written": self.written, "import_id": self.import_id,
            "plan": self.plan, "files": self.files, "skipped": self.skipped, "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded, "rows_quarantined": self.rows_quarantined,
            "reasons": dict(self.reasons), "unresolved_countries": dict(self.unresolved_countries),
            "placeholder_customers": self.placeholder_customers, "notes": self.notes,
            "table_counts": self.table_counts, "seconds": round(self.seconds, 2),
        }

    def text(self) -> str:
        lines = plan_text(self.plan)
        for f in self.files:
            lines.append(f"  {f['file']}: {f['table']}, {f['rows_read']:,} rows read, {f['rows_loaded']:,} loaded, "
                         f"{f['rows_quarantined']:,} quarantined" + (f" ({f['encoding']})" if f.get("encoding") else ""))
        for s in self.skipped:
            lines.append(f"  skipped {s}")
        head = "Checked" if not self.written else "Imported"
        lines.insert(len(plan_text(self.plan)), f"{head} {len(self.files)} file(s): {self.rows_read:,} rows read, {self.rows_loaded:,} loaded, "
                        f"{self.rows_quarantined:,} quarantined" + (f" in {self.seconds:.1f} s" if self.seconds else ""))
        if self.reasons:
            lines.append("Quarantine reasons:")
            lines += [f"  {n:,} × {r}" for r, n in self.reasons.most_common()]
        if self.quarantine_sample:
            lines.append("Examples:")
            lines += [f"  {q['file']} row {q['row_number']}, column '{q['column_name']}': {q['reason']}"
                      for q in self.quarantine_sample[:10]]
        if self.unresolved_countries:
            lines.append("Countries that are not one country (kept as 'unknown'):")
            lines += [f"  '{v}' × {n:,}" for v, n in self.unresolved_countries.most_common()]
        if self.placeholder_customers:
            lines.append(f"{self.placeholder_customers:,} new customer(s) appear in orders or complaints but not in a "
                         "customer file: added with unknown details (or the details the orders carry)")
        lines += [f"Note: {n}" for n in self.notes]
        if self.table_counts:
            lines.append(("Database now holds: " if self.written else "After this import the database would hold: ")
                         + ", ".join(f"{k} {v:,}" for k, v in self.table_counts.items()))
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------- mapping file

def load_mapping(path: str | Path | None) -> list[Spec]:
    if not path:
        return []
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ImportFailed(f"mapping file {path}: cannot be read ({exc})") from exc
    if not isinstance(doc, dict):
        raise ImportFailed(f"mapping file {path}: expected sections such as 'orders:' and 'customers:'")
    specs = []
    for name, body in doc.items():
        body = body or {}
        if not isinstance(body, dict):
            raise ImportFailed(f"mapping file {path}: section '{name}' must be a mapping of settings")
        table = body.get("table", name)
        if table in ("order_lines", "order_headers"):
            pass
        elif table not in TABLES:
            raise ImportFailed(f"mapping file {path}: section '{name}': unknown table '{table}' "
                               f"(expected one of {', '.join(TABLES)}, order_lines, order_headers)")
        columns = {str(k): str(v) for k, v in (body.get("columns") or {}).items()}
        known = set(field_map("orders" if table in ("order_lines", "order_headers") else table))
        unknown = [k for k in columns if k not in known]
        if unknown:
            raise ImportFailed(f"mapping file {path}: section '{name}': unknown field(s) {', '.join(unknown)} "
                               f"(fields of {table}: {', '.join(sorted(known))})")
        specs.append(Spec(name=str(name), table=table, pattern=body.get("file"), sheet=body.get("sheet"),
                          columns=columns, defaults={str(k): str(v) for k, v in (body.get("defaults") or {}).items()},
                          date_order=body.get("date_order"), events=body.get("events"), exact=bool(body.get("exact"))))
    return specs


def load_mapping_text(text: str, origin: str = "preset") -> list[Spec]:
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as fh:
        fh.write(text)
    try:
        return load_mapping(fh.name)
    except ImportFailed as exc:
        raise ImportFailed(str(exc).replace(fh.name, origin)) from exc
    finally:
        Path(fh.name).unlink(missing_ok=True)


def specs_to_yaml(specs: list[Spec]) -> str:
    doc = {}
    for s in specs:
        body = {"table": s.table, "file": s.pattern}
        if s.sheet:
            body["sheet"] = s.sheet
        if s.columns:
            body["columns"] = dict(s.columns)
        if s.defaults:
            body["defaults"] = dict(s.defaults)
        if s.date_order:
            body["date_order"] = s.date_order
        if s.events:
            body["events"] = s.events
        if s.exact:
            body["exact"] = True
        doc[s.name or f"{s.table}_{len(doc) + 1}"] = body
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


# --------------------------------------------------------------------------------------------- discovery

def discover(paths: list[str | Path], specs: list[Spec]) -> list[tuple[Path, Spec | None, bool]]:
    """Expand folders; pair each file with the mapping section whose glob matches it.
    Returns (path, spec, explicit) where explicit means the user named the file itself."""
    found: list[tuple[Path, Spec | None, bool]] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            base, explicit = p, False
        elif p.exists():
            files, base, explicit = [p], p.parent, True
        else:
            raise ImportFailed(f"{p}: no such file or folder")
        for f in files:
            rel = f.relative_to(base).as_posix()
            spec = next((s for s in specs if s.pattern and (fnmatch.fnmatch(rel, s.pattern) or fnmatch.fnmatch(f.name, s.pattern))), None)
            found.append((f, spec, explicit))
    return found


# --------------------------------------------------------------------------------------------- table detection

_DISTINCTIVE = {
    "orders": {"order_id", "ordered_on", "amount", "unit_price", "quantity", "product", "shipped_on", "discount", "line_no", "category"},
    "complaints": {"complaint_id", "received_at", "first_response_at", "resolved_at", "severity", "root_cause",
                   "corrective_action", "action_due_on", "action_verified_on", "department", "status"},
    "customers": {"email", "phone", "website", "industry", "segment", "source_channel", "created_on", "updated_on",
                  "last_contact_on", "city", "sales_region", "customer_name"},
    "pipeline_events": {"stage", "happened_on"},
    "fx_rates": {"rate_to_reporting", "valid_from"},
}


# Words in a file's name that say what it holds (English and Chinese exports), a piece of evidence beside its headers.
_NAME_HINTS = {
    "orders": ("order", "sales", "invoice", "订单", "销售", "发票", "出货"),
    "complaints": ("complaint", "ticket", "incident", "case", "claim", "客诉", "投诉", "工单", "售后"),
    "customers": ("customer", "client", "account", "crm", "客户", "买家"),
}
# Fields only an order export carries: money, quantities, order numbers. A file holding one is an orders file, even
# when its date is missing (it is then refused as an orders file without ordered_on, never read as customers).
_ORDER_EVIDENCE = ("amount", "unit_price", "quantity", "order_id")


def name_hint(name: str | None) -> str | None:
    """The kind a file's name points to (its words, English or Chinese), if exactly one."""
    if not name:
        return None
    low = Path(name).stem.casefold()
    hits = [table for table, words in _NAME_HINTS.items() if any(w in low for w in words)]
    return hits[0] if len(hits) == 1 else None


def decide_table(headers: list[str], spec: Spec | None, name: str | None = None) -> tuple[str | None, dict[str, str]]:
    """The kind of table a file holds (customers, orders, order_lines, order_headers, complaints, pipeline_events,
    fx_rates) and its header of each field, from the mapping when it names the kind, else from the headers' evidence
    (fields only that kind has) and the file's name. An orders file whose only customer key is a name takes the
    name as the key (kind_evidence says so)."""
    explicit = dict(spec.columns) if spec else {}
    if spec and spec.table:
        base = "orders" if spec.table in ("order_lines", "order_headers") else spec.table
        mapping = {k: v for k, v in explicit.items() if v in headers} if spec.exact else _complete(base, headers, explicit)
        return _orders_kind(base, _name_as_key(base, mapping), spec.table), _name_as_key(base, mapping)
    scores = {}
    candidates = {}
    hint = name_hint(name)
    for table in TABLES:
        mapping = _complete(table, headers, explicit)
        candidates[table] = mapping
        distinct = len(set(mapping) & _DISTINCTIVE[table])
        scores[table] = distinct + (0.5 if "customer_id" in mapping and table in ("customers", "orders", "complaints") else 0) \
            + (1.5 if table == hint else 0)
    # fx files carry a currency and a rate and nothing about customers.
    if {"rate_to_reporting", "currency"} <= set(candidates["fx_rates"]) and "customer_id" not in candidates["orders"]:
        return "fx_rates", candidates["fx_rates"]
    if {"stage", "customer_id"} <= set(candidates["pipeline_events"]) and not ({"amount", "unit_price"} & set(candidates["orders"])):
        return "pipeline_events", candidates["pipeline_events"]
    best = max(scores, key=scores.get)
    if scores[best] < 0.5:  # nothing but a customer id still makes a (thin) customer list
        return None, {}
    if "complaint_id" in candidates["complaints"] and "received_at" in candidates["complaints"] and best != "complaints":
        if scores["complaints"] >= scores[best] - 1:
            best = "complaints"
    if best == "customers" and hint != "customers" and set(_ORDER_EVIDENCE) & set(candidates["orders"]):
        best = "orders"
    mapping = _name_as_key(best, candidates[best])
    return _orders_kind(best, mapping, None), mapping


def _name_as_key(table: str, mapping: dict[str, str]) -> dict[str, str]:
    """An orders file without a customer id column: the customer name is the key."""
    if table == "orders" and "customer_id" not in mapping and "customer_name" in mapping:
        return {"customer_id": mapping["customer_name"]} | mapping
    return mapping


def kind_evidence(headers: list[str], table: str | None, mapping: dict[str, str], spec: Spec | None,
                  name: str | None) -> str:
    """Why decide_table chose `table`, in words (for the import plan)."""
    if spec and spec.table:
        return f"named in the mapping ({spec.name or spec.pattern})"
    if table is None:
        return "no kind fits its headers"
    base = "orders" if table in ("order_lines", "order_headers") else table
    fields = sorted(set(mapping) & _DISTINCTIVE[base])
    parts = [f"headers {', '.join(repr(mapping[f]) for f in fields)}" if fields else "its customer id"]
    if name_hint(name) == base:
        parts.append(f"the file name '{Path(name).name}'")
    if base == "orders" and mapping.get("customer_id") is not None and mapping.get("customer_id") == mapping.get("customer_name"):
        parts.append(f"no customer id column: the customer name '{mapping['customer_name']}' is the key")
    return "; ".join(parts)


def _complete(table: str, headers: list[str], explicit: dict[str, str]) -> dict[str, str]:
    mapping = {k: v for k, v in explicit.items() if v in headers}
    rest = [h for h in headers if h not in set(mapping.values())]
    for k, v in match_headers(table, rest).items():
        mapping.setdefault(k, v)
    return mapping


def _orders_kind(table: str, mapping: dict[str, str], forced: str | None) -> str:
    if forced in ("order_lines", "order_headers"):
        return forced
    if table != "orders":
        return table
    has_value = bool({"amount", "unit_price"} & set(mapping))
    if "order_id" in mapping and "customer_id" not in mapping and has_value:
        return "order_lines"
    if "order_id" in mapping and "customer_id" in mapping and "ordered_on" in mapping and not has_value and "quantity" not in mapping:
        return "order_headers"
    return "orders"


# --------------------------------------------------------------------------------------------- preparing values

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
    from .parse import _CURRENCY_SYMBOLS
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


# --------------------------------------------------------------------------------------------- event logs

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


# --------------------------------------------------------------------------------------------- the import

def _noop(_f: float, _m: str) -> None:
    pass


@dataclass
class Inspection:
    """What the importer would do with one file (or sheet): shown on the data page for review."""
    path: Path
    label: str
    sheet: str | None
    encoding: str | None
    table: str | None
    mapping: dict[str, str]
    headers: list[str]
    preview: pd.DataFrame
    rows: int
    problem: str | None = None
    plan: dict | None = None     # file_plan: what the importer decided and why


def inspect_files(paths, specs: list[Spec], preview_rows: int = 8) -> list[Inspection]:
    out = []
    for path, spec, _explicit in discover(paths, specs):
        try:
            raws = read_any(path, spec.sheet if spec else None)
        except FileProblem as exc:
            out.append(Inspection(path, path.name, None, None, None, {}, [], pd.DataFrame(), 0, str(exc)))
            continue
        for raw in raws:
            if spec and spec.events:
                try:
                    raw = pivot_events(raw, spec)
                except ImportFailed as exc:
                    out.append(Inspection(path, raw.label, raw.sheet, raw.encoding, None, {}, [], pd.DataFrame(), 0, str(exc)))
                    continue
                spec_for = Spec(name=spec.name, table="complaints", defaults=spec.defaults)
            else:
                spec_for = spec
            headers = list(map(str, raw.frame.columns))
            table, mapping = decide_table(headers, spec_for, path.name)
            out.append(Inspection(path, raw.label, raw.sheet, raw.encoding, table, mapping, headers,
                                  raw.frame.head(preview_rows).astype("string"), len(raw.frame),
                                  plan=file_plan(raw, table, mapping, spec_for)))
    return out


def suggest_country(value: str) -> str | None:
    """The closest country name (English or Chinese) to an unresolved value, for the data page."""
    from rapidfuzz import process
    names = {}
    for lang in ("en", "zh"):
        for code, name in ctry.country_names(lang).items():
            names[name] = code
    hit = process.extractOne(str(value), list(names), score_cutoff=70)
    return f"{hit[0]} ({names[hit[0]]})" if hit else None


# --------------------------------------------------------------------------------------------- the import plan

# Amount headers that name what the buyer actually paid: preferred over an order total (a documented rule; the
# plan says when it decided).
_PAID = ("amountpaid", "paidamount", "buyerpaid", "买家实际支付金额", "实付金额", "实收金额")
_PLAN_SAMPLE_ROWS = 200_000


def _candidates(base: str, headers: list[str], mapping: dict[str, str]) -> dict[str, list[str]]:
    """For each mapped field, the other headers that could also be it (an alias of the field, not mapped)."""
    from .schema import normalise_header
    taken = set(mapping.values())
    out = {}
    for fname, src in mapping.items():
        f = field_map(base).get(fname)
        if f is None:
            continue
        aliases = {normalise_header(a) for a in f.aliases}
        others = [h for h in headers if h not in taken and normalise_header(h) in aliases]
        if others:
            out[fname] = others
    return out


def _markers_seen(frame: pd.DataFrame, columns: list[str]) -> dict[str, dict[str, int]]:
    """The blank markers ('?', 'N/A', '无', …) in these columns' first rows, by column: read as empty."""
    from .parse import BLANK_MARKERS
    markers = [m for m in BLANK_MARKERS if m]
    out = {}
    for col in columns:
        if col not in frame.columns or not (frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col].dtype)):
            continue
        head = frame[col].iloc[:_PLAN_SAMPLE_ROWS].astype("string").str.strip().str.casefold()
        counts = head[head.isin(markers)].value_counts()
        if len(counts):
            out[col] = {str(k): int(v) for k, v in counts.items()}
    return out


def file_plan(raw: RawTable, table: str | None, mapping: dict[str, str], spec: Spec | None) -> dict:
    """What the importer decided for one file or sheet: the kind and why, every header's field or that it is
    ignored, other headers that could be a field and which rule chose, the encoding and why, the blank markers."""
    headers = list(map(str, raw.frame.columns))
    base = "orders" if table in ("order_lines", "order_headers") else table
    base_kind = "orders" if table in ("order_lines", "order_headers") else table
    plan = {"file": raw.label, "kind": table, "evidence": kind_evidence(headers, table, mapping, spec, raw.path.name),
            # The same evidence as data, for the Data page's sentences in either language.
            "evidence_headers": [mapping[f] for f in sorted(set(mapping) & _DISTINCTIVE.get(base_kind, set()))]
            if base_kind else [],
            "evidence_name": bool(base_kind) and name_hint(raw.path.name) == base_kind and not (spec and spec.table),
            "name_key": mapping.get("customer_name") if base_kind == "orders" and mapping.get("customer_id") is not None
            and mapping.get("customer_id") == mapping.get("customer_name") else None,
            "encoding": raw.encoding, "encoding_why": raw.encoding_why,
            "columns": [[src, f] for f, src in mapping.items()],
            "ignored": [h for h in headers if h not in set(mapping.values())],
            "choices": [], "markers": {}, "dates": {}}
    if base is None:
        return plan
    for fname, others in _candidates(base, headers, mapping).items():
        from .schema import normalise_header
        chosen = mapping[fname]
        if fname in ("amount", "unit_price") and normalise_header(chosen) not in _PAID:
            plan.setdefault("split", []).append({"field": fname, "candidates": [chosen, *others]})
            continue
        rule = ("the amount actually paid is preferred" if normalise_header(chosen) in _PAID
                else "the first of the field's aliases (docs/data-model.md) wins")
        plan["choices"].append({"field": fname, "chosen": chosen, "over": others, "rule": rule})
    plan["markers"] = _markers_seen(raw.frame, list(mapping.values()))
    return plan


def _split_refusal(plan: dict, spec: Spec | None) -> str | None:
    """Two headers that could both be an amount, with no rule to choose: the message, with the mapping lines that
    would settle it."""
    split = plan.get("split")
    if not split or (spec and spec.columns and all(s["field"] in spec.columns for s in split)):
        return None
    lines = [f"{plan['file']}: the evidence is split: " + "; ".join(
        f"{s['field']} could be {' or '.join(repr(c) for c in s['candidates'])}" for s in split)
        + ". Name the one to use in a mapping file (--mapping), for example:",
        f"  {plan['kind']}:", f"    file: \"{Path(plan['file'].split(' [')[0]).name}\"",
        "    columns: {" + ", ".join(f"{s['field']}: {s['candidates'][0]}" for s in split) + "}"]
    return "\n".join(lines)


def plan_text(plan: list[dict]) -> list[str]:
    """The import plan in lines, per file and sheet."""
    out = ["Plan:"] if plan else []
    for p in plan:
        kind = (p["kind"] or "not imported").replace("_", " ")
        out.append(f"  {p['file']} → {kind} ({p['evidence']})")
        if p.get("encoding"):
            out.append(f"    encoding: {p['encoding']}" + (f" — {p['encoding_why']}" if p.get("encoding_why") else ""))
        if p["columns"]:
            out.append("    columns: " + ", ".join(f"{src} → {f}" for src, f in p["columns"]))
        if p["ignored"]:
            out.append("    ignored: " + ", ".join(p["ignored"]))
        for c in p.get("choices", []):
            out.append(f"    {c['field']}: '{c['chosen']}' over {', '.join(repr(o) for o in c['over'])} ({c['rule']})")
        for field_name, decision in p.get("dates", {}).items():
            out.append(f"    dates in {field_name}: {decision}")
        for col, seen in p.get("markers", {}).items():
            out.append(f"    read as empty in '{col}': " + ", ".join(f"'{m}' × {n:,}" for m, n in seen.items()))
    return out


# Files in an export folder that may be notes rather than tables: skipped (and listed) when they are not one.
_NOTES_SUFFIXES = {".txt"}


def read_sources(paths, specs: list[Spec], progress: Progress = _noop) -> tuple[list[Prepared], Report]:
    report = Report()
    found = discover(paths, specs)
    if not found:
        raise ImportFailed("no importable files found (expected .csv, .xlsx, .xls or .parquet files)")
    # Every file's SHA-256 (kept in the import log) is worked out on a thread of its own, in the files' order, while
    # they are read and prepared: at 10 M lines the orders file alone takes ~0.4 s to hash.
    with ThreadPoolExecutor(max_workers=1) as hasher:
        digests = [hasher.submit(sha256_of, path) for path, _, _ in found]
        return _read_found(found, digests, report, progress)


def _read_found(found, digests: list, report: Report, progress: Progress) -> tuple[list[Prepared], Report]:
    prepared: list[Prepared] = []
    problems: list[str] = []
    for i, (path, spec, explicit) in enumerate(found):
        progress(0.05 + 0.55 * i / len(found), f"reading {path.name}")
        try:
            started = time.perf_counter()
            raws = read_any(path, spec.sheet if spec else None)
            _timing(f"read {path.name}", started)
        except FileProblem as exc:
            # A data file that cannot be read refuses the import; a text file in a folder (README.txt) that is no
            # table is listed as skipped.
            if explicit or spec or path.suffix.lower() not in _NOTES_SUFFIXES:
                problems.append(str(exc))
            else:
                report.skipped.append(f"{path.name}: {exc}")
            continue
        sha = digests[i].result()
        for raw in raws:
            if spec and spec.events:
                raw = pivot_events(raw, spec)
                spec_for = Spec(name=spec.name, table="complaints", columns={}, defaults=spec.defaults,
                                date_order=spec.date_order)
            else:
                spec_for = spec
            table, mapping = decide_table(list(map(str, raw.frame.columns)), spec_for, path.name)
            plan = file_plan(raw, table, mapping, spec_for)
            report.plan.append(plan)
            split = _split_refusal(plan, spec_for)
            if split:
                problems.append(split)
                continue
            if table is None:
                msg = (f"{raw.label}: cannot tell which table this file holds (customers, orders, complaints, "
                       f"pipeline or fx rates) from its headers {', '.join(map(str, raw.frame.columns[:15]))}; "
                       "name it in a mapping file")
                if raw.sheet or (not explicit and path.suffix.lower() in _NOTES_SUFFIXES):
                    report.skipped.append(msg)  # another sheet of a workbook, or notes beside the exports
                else:
                    problems.append(msg)
                continue
            try:
                started = time.perf_counter()
                prepared.append(prepare(raw, table, mapping, spec_for, sha))
                plan["dates"] = prepared[-1].dates
                _timing(f"prepare {raw.label}", started)
                # The parsed frame is what is imported; the text cells it came from can go (memory at 10 M rows).
                raw.frame = raw.frame.iloc[:0]
            except ImportFailed as exc:
                problems.append(str(exc))
    if problems:
        raise ImportFailed("import refused; the database was not changed", problems, plan=report.plan)
    if not prepared:
        raise ImportFailed("import refused; the database was not changed: nothing to import (no file held customers, "
                           "orders, complaints, pipeline events or exchange rates)", report.skipped, plan=report.plan)
    for p in prepared:
        report.notes.extend(p.notes)
    return prepared, report


def _assemble_orders(prepared: list[Prepared], report: Report) -> pd.DataFrame | None:
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
    # orders.line_no is an integer column: four bytes a line are enough (and 40 MB less at ten million lines).
    frame["line_no"] = frame["line_no"].astype("int64" if frame["line_no"].max() >= 2 ** 31 else "int32")
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


def _mark_one_part_per_order(frame: pd.DataFrame) -> pd.DataFrame:
    """frame.attrs["one_part_per_order"]: whether _runs_share_their_order_keys holds for these lines."""
    starts = _run_starts(frame["order_id"]) if len(frame) < 2 ** 31 else None
    frame.attrs["one_part_per_order"] = starts is not None and _runs_share_their_order_keys(frame, starts)
    return frame


def _arrow_of(column: pd.Series):
    """The column's Arrow data: its own buffers when it is held that way (arrow_data), else converted."""
    data = arrow_data(column)
    return data if data is not None else pa.chunked_array([pa.Array.from_pandas(column)])


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
    data = _arrow_of(order_id)
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
    return not any((_changes(_arrow_of(frame[name])) & ~starts).any() for name in _PART_KEYS if name in frame.columns)


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


def _conform(frame: pd.DataFrame, table: str, import_id: int, extra: tuple[str, ...] = ()) -> pa.Table:
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


def _split_sql(text: str) -> list[str]:
    return [s.strip() for s in text.split("\n;\n") if s.strip() and not all(
        line.strip().startswith("--") or not line.strip() for line in s.strip().splitlines())]


def run_import(paths, db: str | Path, mapping: str | Path | None = None, currency: str | None = None,
               replace: bool = False, check_only: bool = False, progress: Progress = _noop,
               imported_by: str | None = None, _after_write: Callable[[], None] | None = None,
               specs: list[Spec] | None = None) -> Report:
    """Import export files into the database at db. Raises ImportFailed (database unchanged) on refusal."""
    started = time.time()
    db = Path(db)
    specs = (specs or []) + load_mapping(mapping)
    progress(0.02, "finding files")
    prepared, report = read_sources(paths, specs, progress)
    report.database = str(db)
    try:
        return _import_prepared(prepared, report, db, currency, replace, check_only, progress, imported_by,
                                _after_write, started)
    except ImportFailed as exc:
        exc.plan = exc.plan or report.plan
        raise


def _import_prepared(prepared: list[Prepared], report: Report, db: Path, currency: str | None, replace: bool,
                     check_only: bool, progress: Progress, imported_by: str | None,
                     _after_write: Callable[[], None] | None, started: float) -> Report:
    """run_import after the files are read: merge them into a copy of the database and swap it in."""

    started_assembly = time.perf_counter()
    orders = _assemble_orders(prepared, report)
    _timing("assemble orders", started_assembly)
    for p in prepared:
        report.files.append({"file": p.raw.label, "sha256": p.sha256, "table": p.table, "encoding": p.raw.encoding,
                             "sheet": p.raw.sheet, "rows_read": p.rows_read, "rows_loaded": len(p.frame),
                             "rows_quarantined": len({(x["row_number"]) for x in p.quarantine if x["action"] == "row quarantined"}),
                             "mapping": p.mapping})
        for x in p.quarantine:
            report.reasons[f"{x['reason']} ({x['action']})"] += 1
        report.quarantine_sample.extend(p.quarantine[:5])
        if "country_raw" in p.frame.columns:
            unresolved = p.frame.loc[p.frame["country_code"].isna() & p.frame["country_raw"].notna(), "country_raw"]
            report.unresolved_countries.update(unresolved.astype(str).tolist())
    report.rows_read = sum(f["rows_read"] for f in report.files)
    report.rows_loaded = sum(f["rows_loaded"] for f in report.files)
    report.rows_quarantined = sum(f["rows_quarantined"] for f in report.files)

    frames: dict[str, list[pd.DataFrame]] = {t: [] for t in ("customers", "complaints", "pipeline_events", "fx_rates")}
    for p in prepared:
        if p.table in frames:
            frames[p.table].append(p.frame)

    progress(0.62, "checking currencies")
    reporting = (currency or "").upper() or None

    tmp = db.with_name(f".{db.name}.importing-{os.getpid()}")
    lock = _lock(db)
    _remove_stale_temporaries(db)
    try:
        if db.exists() and not replace:
            shutil.copy2(db, tmp)
        elif tmp.exists():
            tmp.unlink()
        con = _writer(tmp)
        duplicates = None
        try:
            _conform_canonical(con, db)
            stored = con.execute("select value from settings where key = 'reporting_currency'").fetchone()
            if stored and reporting and stored[0] != reporting:
                raise ImportFailed(f"the database reports in {stored[0]}; this import asks for {reporting}. "
                                   "Use --replace to rebuild the database in the new currency")
            reporting = reporting or (stored[0] if stored else "USD")
            con.execute("insert or replace into settings values ('reporting_currency', ?)", [reporting])
            import_id = (con.execute("select coalesce(max(import_id), 0) + 1 from import_log").fetchone()[0])
            report.import_id = import_id

            progress(0.7, "merging records")
            empty_columns = _merge_all(con, frames, orders, import_id, report)
            # The customer list is final: its duplicate search (Python and rapidfuzz, on its own cursor and thread)
            # runs beside the orders write. Beside the summary tables instead, it met `customer_day` at that
            # statement's memory peak: the import reached 2.05 GB in some runs (1.75-1.87 GB this way).
            duplicates = _duplicate_search(con)
            # Known of this import's lines; it holds for the whole table only when the table held no other line.
            one_part_per_order = _write_orders(con, reporting, empty_columns) and orders is not None \
                and bool(orders.attrs.get("one_part_per_order"))
            # The order lines are in the database now: free their memory before the summary tables are built.
            con.execute("drop view if exists new_orders")
            con.unregister("src_orders")
            # The staging tables are done with: their memory (~110 MB at 10 M lines) goes back to DuckDB's cap.
            for statement in _DROP_STAGING:
                con.execute(statement)
            orders = None
            for p in prepared:
                if p.table in ("orders", "order_lines", "order_headers"):
                    p.frame = p.frame.iloc[:0]
            frames = None
            pa.default_memory_pool().release_unused()
            progress(0.8, "building summary tables")
            _build_derived(con, duplicates, one_part_per_order)
            report.table_counts = dict(zip(("customers", "orders", "complaints", "pipeline_events", "fx_rates"), con.execute(
                "select (select count(*) from customers), (select count(*) from orders), (select count(*) from complaints),"
                " (select count(*) from pipeline_events), (select count(*) from fx_rates)").fetchone()))
            quarantine_rows = [dict(x, import_id=import_id) for p in prepared for x in p.quarantine]
            if quarantine_rows:
                qf = pd.DataFrame(quarantine_rows)[["import_id", "file", "row_number", "column_name", "value", "reason", "action"]]
                con.register("q_new", qf)
                con.execute("insert into quarantine select * from q_new")
                con.unregister("q_new")
            con.execute("insert into import_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                import_id, dt.datetime.fromtimestamp(started), dt.datetime.now(),
                imported_by or _whoami(), "replace" if replace else "merge", reporting,
                json.dumps([{k: v for k, v in f.items() if k != "mapping"} for f in report.files], ensure_ascii=False),
                report.rows_read, report.rows_loaded, report.rows_quarantined,
                json.dumps(dict(report.reasons), ensure_ascii=False),
                json.dumps({"notes": report.notes, "unresolved_countries": dict(report.unresolved_countries),
                            "placeholder_customers": report.placeholder_customers, "skipped": report.skipped},
                           ensure_ascii=False)])
            con.execute("checkpoint")
        finally:
            if duplicates is not None:
                # A failed import must not close the connection under the search's cursor (_Beside.wait).
                duplicates.wait()
            con.close()
        if check_only:
            report.seconds = time.time() - started
            return report
        if _after_write:
            _after_write()
        progress(0.95, "swapping in the new database")
        _fsync(tmp)
        _keep_version(db)
        os.replace(tmp, db)
        _fsync_dir(db.parent)
        report.written = True
    except duckdb.Error as exc:
        raise ImportFailed(f"import refused; the database was not changed ({exc})") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
        for extra in (tmp.with_name(tmp.name + ".wal"),):
            if extra.exists():
                extra.unlink()
        _unlock(lock)
    report.seconds = time.time() - started
    progress(1.0, "done")
    return report


def _import_memory() -> str:
    """DuckDB's memory cap while importing (COCKPIT_IMPORT_MEMORY, default 1GB)."""
    return os.environ.get("COCKPIT_IMPORT_MEMORY", "1GB")


def _write_memory() -> str:
    """DuckDB's cap while the order lines are written (COCKPIT_IMPORT_WRITE_MEMORY; else COCKPIT_IMPORT_MEMORY when
    set; else 600MB)."""
    return os.environ.get("COCKPIT_IMPORT_WRITE_MEMORY") or os.environ.get("COCKPIT_IMPORT_MEMORY") or "600MB"


def _writer(path: Path) -> "_Fetching":
    """The connection that writes a database copy. Rows need no particular order inside a table (every query orders
    what it shows): letting DuckDB write them as they come saves time and memory; its memory is capped."""
    return _Fetching(duckdb.connect(str(path), config={
        "preserve_insertion_order": False, "memory_limit": _import_memory()}))


_TIMINGS = bool(os.environ.get("COCKPIT_IMPORT_TIMINGS"))


_CPU_SEEN = [0.0, 0.0]


def _timing(what: str, started: float) -> None:
    """COCKPIT_IMPORT_TIMINGS=1 prints each import step's seconds to stderr (used to profile bench/), with the
    process's user and system CPU seconds since the previous line (on two cores, CPU is what the import runs out of)."""
    if _TIMINGS:
        t = os.times()
        user, system = t.user - _CPU_SEEN[0], t.system - _CPU_SEEN[1]
        _CPU_SEEN[:] = [t.user, t.system]
        status = Path("/proc/self/status")
        mem = dict(line.split()[:2] for line in status.read_text().splitlines()
                   if line.startswith(("VmRSS:", "VmHWM:"))) if status.exists() else {}
        mb = lambda k: int(mem[k]) // 1024 if k in mem else "?"  # noqa: E731
        print(f"{time.perf_counter() - started:7.2f}s  cpu {user:6.2f} + {system:5.2f}  rss {mb('VmRSS:'):>6} MB"
              f"  peak {mb('VmHWM:'):>6} MB  {what}",
              file=sys.stderr, flush=True)


class _Fetching:
    """DuckDB 2 refuses new work while a result is unread: every statement here is read to the end at once."""

    def __init__(self, con):
        self.con = con

    def execute(self, sql: str, params=None):
        started = time.perf_counter()
        rows = self.con.execute(sql, params).fetchall() if params is not None else self.con.execute(sql).fetchall()
        _timing(" ".join(sql.split())[:70], started)
        return _Rows(rows)

    def frame(self, sql: str) -> pd.DataFrame:
        """A query's rows as a DataFrame (read to the end at once, like every statement here)."""
        started = time.perf_counter()
        out = self.con.sql(sql).df()
        _timing(" ".join(sql.split())[:70], started)
        return out

    def register(self, name, frame):
        self.con.register(name, frame)

    def unregister(self, name):
        self.con.unregister(name)

    def cursor(self):
        """A cursor for cockpit.db.run (the stored quarter KPIs are computed by the pages' own queries)."""
        return self.con.cursor()

    def close(self):
        self.con.close()


class _Rows:
    def __init__(self, rows):
        self.rows = rows

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def fetchall(self):
        return self.rows


def _whoami() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return "unknown"


def _merge_all(con, frames, orders, import_id: int, report: Report) -> list[str]:
    """Merge customers, complaints, pipeline events and fx rates; register this import's order lines (src_orders)
    for _write_orders. Returns the optional order columns none of the lines fills (_write_orders keeps them out of
    storage)."""
    def load(name: str, frame: pd.DataFrame, table: str) -> None:
        # Typed like the target table, so an all-empty column still has the right type.
        con.register("src_df", _conform(frame, table, import_id))
        for statement in _STAGE_SQL[name]:
            con.execute(statement)
        con.unregister("src_df")

    con.execute("create or replace temp table prev_customers as select customer_id from customers")
    # Customers from customer files.
    if frames["customers"]:
        cust = pd.concat(frames["customers"], ignore_index=True)
        dup = cust.duplicated(subset=["customer_id"], keep="last")
        if dup.any():
            report.notes.append(f"{int(dup.sum()):,} customer row(s) repeat an id within the files: the later row kept")
        cust = cust.loc[~dup].copy()
        cust["record_source"] = "customer file"
        load("stage_customers", cust, "customers")
        con.execute("""
            create or replace table customers as
            select * from stage_customers
            union all by name
            select * from customers c where not exists (select 1 from stage_customers s where s.customer_id = c.customer_id)
        """)
    # This import's order lines stay in Arrow memory (src_orders); they are written once, with their rates, in
    # _write_orders after every other table is merged.
    src_orders = _conform(orders if orders is not None else pd.DataFrame(), "orders", import_id,
                          extra=("customer_name", *ORDER_CUSTOMER_FIELDS, "row_number"))
    con.register("src_orders", src_orders)
    new_orders, stage_customers, describe_customers, list_customers, conflicts = _split_sql(
        (SQL_DIR / "merge_orders.sql").read_text(encoding="utf-8"))
    con.execute(new_orders)
    if orders is not None and len(orders):
        con.execute(stage_customers)
        described = any(c in orders.columns for c in ("customer_name", "country_code", "country_raw", "sales_rep",
                                                      *ORDER_CUSTOMER_FIELDS))
        one_file = orders["source_file"].nunique(dropna=False) == 1
        if described or not one_file:
            con.execute(describe_customers, {"described": described, "import_id": import_id})
            if described:
                counts = con.execute(conflicts).fetchone()
                for fname, n in zip(("customer_name", "sales_rep", *ORDER_CUSTOMER_FIELDS), counts):
                    if n:
                        report.notes.append(f"{n:,} customer(s) have order lines that disagree on {fname}: the "
                                            "latest line's value is kept")
        else:
            con.execute(list_customers, {"import_id": import_id})
        _upsert_weaker_customers(con)
    if frames["complaints"]:
        comp = pd.concat(frames["complaints"], ignore_index=True)
        dup = comp.duplicated(subset=["complaint_id"], keep="last")
        if dup.any():
            report.notes.append(f"{int(dup.sum()):,} complaint row(s) repeat an id within the files: the later row kept")
        comp = comp.loc[~dup]
        load("stage_complaints", comp, "complaints")
        # A complaint that names only the order gets the order's customer.
        if con.execute("select count(*) from stage_complaints where customer_id is null and order_id is not null").fetchone()[0]:
            con.execute("""
                update stage_complaints set customer_id = o.customer_id
                from (select order_id, any_value(customer_id) as customer_id
                      from (select order_id, customer_id from new_orders union all select order_id, customer_id from orders)
                      group by order_id) o
                where stage_complaints.customer_id is null and stage_complaints.order_id = o.order_id
            """)
        missing = con.execute("select count(*) from stage_complaints where customer_id is null").fetchone()[0]
        if missing:
            report.notes.append(f"{missing:,} complaint(s) have no customer; kept under customer 'unknown'")
            con.execute("update stage_complaints set customer_id = 'unknown' where customer_id is null")
        con.execute("""
            create or replace table complaints as
            select * from stage_complaints
            union all by name
            select * from complaints c where not exists (select 1 from stage_complaints s where s.complaint_id = c.complaint_id)
        """)
    if frames["pipeline_events"]:
        pipe = pd.concat(frames["pipeline_events"], ignore_index=True)
        load("stage_pipeline", pipe, "pipeline_events")
        con.execute("""
            create or replace table pipeline_events as
            select * from stage_pipeline
            union all by name
            select * from pipeline_events p where not exists (
                select 1 from stage_pipeline s
                where s.customer_id = p.customer_id and s.stage = p.stage and s.happened_on = p.happened_on)
        """)
        con.execute("create or replace table pipeline_events as select distinct on (customer_id, stage, happened_on) * from pipeline_events")
    if frames["fx_rates"]:
        fx = pd.concat(frames["fx_rates"], ignore_index=True).drop_duplicates(subset=["currency", "valid_from"], keep="last")
        load("stage_fx", fx, "fx_rates")
        con.execute("""
            create or replace table fx_rates as
            select * from stage_fx
            union all by name
            select * from fx_rates f where not exists (select 1 from stage_fx s where s.currency = f.currency and s.valid_from = f.valid_from)
        """)
    # Every customer referred to by an order, complaint or pipeline event exists: revenue is never lost to a join.
    con.execute("""
        insert into customers (customer_id, record_source, import_id)
        select distinct customer_id, 'placeholder', ? from (
            select customer_id from new_orders union select customer_id from orders
            union select customer_id from complaints union select customer_id from pipeline_events
        ) r where customer_id is not null and not exists (select 1 from customers c where c.customer_id = r.customer_id)
    """, [import_id])
    # New customers known only from orders, complaints or pipeline events (no customer file describes them).
    added = con.execute("""
        select count(*) from customers c
        where c.record_source <> 'customer file'
          and not exists (select 1 from prev_customers p where p.customer_id = c.customer_id)
    """).fetchone()[0]
    report.placeholder_customers += added
    return [c for c in _MAY_BE_EMPTY if src_orders.num_rows and src_orders.column(c).null_count == src_orders.num_rows]


# Customer fields an order line may carry (a flat sales export), besides the name, destination and rep.
ORDER_CUSTOMER_FIELDS = ("city", "sales_region", "segment", "industry", "email", "phone")


def _upsert_weaker_customers(con) -> None:
    """Order-derived customer rows fill in customers no customer file describes; they never overwrite one."""
    # In place (a delete and an insert) rather than the table written again: most customers are left as they are.
    con.execute("""
        delete from customers c
        where c.record_source is distinct from 'customer file'
          and exists (select 1 from stage_order_customers s where s.customer_id = c.customer_id)
    """)
    con.execute("""
        insert into customers by name
        select s.* from stage_order_customers s
        where not exists (select 1 from customers c where c.customer_id = s.customer_id)
    """)


# Staging tables typed like their targets. Written out once here from fixed names (never from input), so the
# statements that run are constants.
_STAGE_SQL = {
    "stage_customers": ("create or replace temp table stage_customers as select * from customers limit 0",
                        "insert into stage_customers by name select * from src_df"),
    "stage_complaints": ("create or replace temp table stage_complaints as select * from complaints limit 0",
                         "insert into stage_complaints by name select * from src_df"),
    "stage_pipeline": ("create or replace temp table stage_pipeline as select * from pipeline_events limit 0",
                       "insert into stage_pipeline by name select * from src_df"),
    "stage_fx": ("create or replace temp table stage_fx as select * from fx_rates limit 0",
                 "insert into stage_fx by name select * from src_df"),
}


# Written out whole, like _STAGE_SQL (no SQL put together from strings).
_DROP_STAGING = ("drop table if exists prev_customers", "drop table if exists stage_customers",
                 "drop table if exists stage_order_customers", "drop table if exists stage_complaints",
                 "drop table if exists stage_pipeline", "drop table if exists stage_fx", "drop table if exists day_rate")


# Optional order columns (docs/data-model.md): a file may leave any of them out.
_MAY_BE_EMPTY = ("ordered_at", "shipped_on", "product", "category", "quantity", "unit_price", "country_code",
                 "country_raw", "sales_rep")
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*|[A-Z][A-Z0-9_ ()]*")


def _fresh_orders_table(con, empty_columns: list[str]) -> str:
    """The statement that makes the (empty) orders table afresh, with the columns it has now, each of
    empty_columns declared as a virtual column that is always null. DuckDB then stores and compresses nothing for
    it: at 10 M lines the write of six such columns had cost ~1.5 CPU seconds (the write 3.8-4.6 → 3.3-3.7 s).
    Put together from the table's own column names and types (our schema, checked to be plain names), never from
    a file's values; the columns are left out of the insert by a bound list (write_orders.sql)."""
    parts = []
    for name, kind in con.execute("select name, type from pragma_table_info('orders') order by cid").fetchall():
        if not (_IDENTIFIER.fullmatch(name) and _IDENTIFIER.fullmatch(kind)):
            raise ValueError(f"unexpected column in orders: {name} {kind}")
        parts.append(f"{name} {kind} generated always as (cast(null as {kind})) virtual" if name in empty_columns
                     else f"{name} {kind}")
    return f"create or replace table orders ({', '.join(parts)})"


def _write_orders(con, reporting: str, empty_columns: list[str]) -> bool:
    """This import's order lines (new_orders) into orders with their rates: appended to an empty table (made
    afresh, empty_columns kept out of storage), else the table rewritten with the old lines. Returns whether the
    table was empty (it now holds this import's lines only)."""
    day_rate, append, rewrite = _split_sql((SQL_DIR / "write_orders.sql").read_text(encoding="utf-8"))
    con.execute(day_rate)
    # A currency without a rate to the reporting currency has no rate on any of its days: day_rate (a few thousand
    # rows) shows it; the order lines are counted only then, for the message (10 M lines: 0.25 s saved).
    if con.execute("select count(*) > 0 from day_rate where currency is not null and rate is null").fetchone()[0]:
        _refuse_currencies_without_rates(con, reporting)
    empty = con.execute("select count(*) = 0 from orders").fetchone()[0]
    # While the lines are written, this import's order lines are also held in Arrow memory (about 1 GB at 10 M):
    # DuckDB gets less of the cap then, which kept that step's peak at 1.76 GB where it had reached 1.99 GB
    # (no slower: written blocks simply go to the file sooner).
    con.execute("set memory_limit = $limit", {"limit": _write_memory()})
    try:
        if empty:
            con.execute(_fresh_orders_table(con, empty_columns))
            con.execute(append, {"empty_columns": empty_columns})
        else:
            con.execute(rewrite)
    finally:
        con.execute("set memory_limit = $limit", {"limit": _import_memory()})
    return empty


def _refuse_currencies_without_rates(con, reporting: str) -> None:
    lacking = con.execute("""
        select currency, count(*) as n from (
            select currency from new_orders union all select currency from orders
        ) o
        where o.currency <> (select value from settings where key = 'reporting_currency')
          and not exists (select 1 from fx_rates f where f.currency = o.currency)
        group by o.currency order by n desc
    """).fetchall()
    listed = ", ".join(f"{c} ({n:,} order lines)" for c, n in lacking)
    raise ImportFailed(f"import refused; the database was not changed: orders in {listed} have no exchange rate "
                       f"to {reporting}. Add an fx file (columns: currency, valid_from, rate_to_reporting) to the import")


# Bumped whenever build_derived.sql changes a table the pages read: a database built by an older version has its
# derived tables rebuilt when it is opened (upgrade_derived), so pages never query a table that is not there.
DERIVED_VERSION = "19"


class _Beside:
    """fn(cursor) run on a thread beside the import's own statements, on a cursor of its own (made here, on the
    calling thread: a connection busy with a statement refuses to make one), closed when fn ends. `what` names it
    in COCKPIT_IMPORT_TIMINGS."""

    def __init__(self, con, what: str, fn: Callable):
        cursor = con.cursor()

        def run():
            started = time.perf_counter()
            try:
                return fn(cursor)
            finally:
                cursor.close()
                _timing(what, started)
        pool = ThreadPoolExecutor(max_workers=1)
        self._future = pool.submit(run)
        pool.shutdown(wait=False)

    def result(self):
        return self._future.result()

    def wait(self) -> None:
        """Until fn has ended, however it ended (the connection must not close under its cursor: DuckDB would
        refuse, and that refusal would hide the error that stopped the import)."""
        futures_wait([self._future])


def _duplicate_search(con) -> _Beside:
    """The duplicate clusters of the customers table as it is now (records._duplicate_clusters), searched beside."""
    from . import records as rx
    return _Beside(con, "duplicate search", lambda cursor: rx._duplicate_clusters(cursor.sql(
        "select customer_id, customer_name, email, phone, sales_rep from customers order by customer_id").df()))


def _build_derived(con, duplicates: _Beside | None = None, one_part_per_order: bool = False) -> None:
    """The summary tables (build_derived.sql), the duplicate clusters (from `duplicates` when the import started
    the search already) and every stored view. one_part_per_order: every order in the orders table is known to be
    one part of customer_day (_runs_share_their_order_keys, over all of the table's lines)."""
    from . import import_views, rhythm
    con.register("regions_df", pd.DataFrame(ctry.country_regions()))
    con.execute("create or replace table country_regions as select * from regions_df")
    con.unregister("regions_df")
    parts, totals, one_part_totals, customer_day, drop_totals, drop_parts, *others = _split_sql(
        (SQL_DIR / "build_derived.sql").read_text(encoding="utf-8"))
    con.execute(parts)
    con.execute(one_part_totals if one_part_per_order else totals)
    con.execute(customer_day)
    con.execute(drop_totals)
    con.execute(drop_parts)
    # The reorder rhythm (numpy) is worked out beside the other summary tables, which read no rhythm; this thread
    # writes it, then the snapshot that reads it.
    rhythm_rows = _Beside(con, "customer rhythm (numpy)", rhythm.compute)
    try:
        for stmt in others:
            con.execute(stmt)
    finally:
        rhythm_rows.wait()
    rows = rhythm_rows.result()
    # The views that read neither the rhythm nor the snapshot start now, beside the statements that write them.
    views = import_views.StoredViews(con)
    try:
        views.start()
        # Written in the order given (by date: what lets an as-of query skip row groups), without sorting again.
        con.register("rhythm_df", rows)
        con.execute("set preserve_insertion_order = true")
        try:
            con.execute("create or replace table customer_rhythm as select * from rhythm_df")
        finally:
            con.execute("set preserve_insertion_order = false")
        con.unregister("rhythm_df")
        rows = None
        for stmt in _split_sql((SQL_DIR / "build_snapshot.sql").read_text(encoding="utf-8")):
            con.execute(stmt)

        def find_duplicates() -> None:
            search = duplicates or _duplicate_search(con)
            cur = _Fetching(con.cursor())  # its own connection: the stored views run queries beside it
            try:
                _store_duplicates(cur, search.result())
            finally:
                cur.close()
        started = time.perf_counter()
        views.finish(find_duplicates)
        _timing("duplicate clusters and stored views", started)
    finally:
        views.close()
    con.execute("insert or replace into settings values ('derived_version', ?)", [DERIVED_VERSION])


def _store_duplicates(con, found: pd.DataFrame) -> None:
    """Duplicate clusters of the whole customer list, searched once per import (over 200,000 names the search
    takes seconds) and kept with the identity of the list they were found in (count and digests of the compared
    columns, as customers/record_kpis.sql computes them): an unfiltered view reads them instead of searching."""
    stored = found[["cluster", "customer_id", "customer_name", "evidence", "confidence_pct", "sales_rep"]].astype(
        {"cluster": "int64", "confidence_pct": "float64"})
    con.register("duplicates_df", stored)
    con.execute("create or replace table customer_duplicates as select * from duplicates_df")
    con.unregister("duplicates_df")
    identity = con.execute(
        "select count(*), coalesce(bit_xor(identity_hash), 0), coalesce(sum(identity_hash % 1000003), 0)"
        " from customer_record_facts").fetchone()
    con.execute("insert or replace into settings values ('duplicates_identity', ?)", [json.dumps([int(v) for v in identity])])


def derived_is_current(db: str | Path) -> bool:
    from .db import connect
    try:
        con = connect(db)
    except duckdb.Error:
        return False
    try:
        row = con.execute("select value from settings where key = 'derived_version'").fetchone()
        return bool(row) and row[0] == DERIVED_VERSION
    except duckdb.Error:
        return False
    finally:
        con.close()


@functools.lru_cache(maxsize=1)
def _schema_columns() -> tuple[tuple[str, str, str], ...]:
    """(table, column, type) of every canonical table as schema.sql makes it (read from a scratch database)."""
    scratch = duckdb.connect()
    try:
        scratch.execute((SQL_DIR / "schema.sql").read_text(encoding="utf-8"))
        return tuple(scratch.execute("select table_name, column_name, data_type from duckdb_columns() "
                                     "where database_name = current_database() and schema_name = 'main' "
                                     "and not internal order by table_name, column_index").fetchall())
    finally:
        scratch.close()


def _conform_canonical(con, db: Path) -> None:
    """Bring the canonical tables of a database made by an early version to schema.sql's columns and types before
    anything is built from them: early versions stored dates as timestamps and ids as BIGINT, and a column added
    since is missing. Only then are the tables set aside, made afresh by schema.sql and their rows copied back by
    name, cast (conform_set_aside.sql, conform_restore.sql: fixed statements, no SQL put together here). A value
    that cannot take the current type stops the import or upgrade, which then leaves the database as it was, with
    the columns that changed type named. First schema.sql makes any canonical table that is missing (empty)."""
    con.execute((SQL_DIR / "schema.sql").read_text(encoding="utf-8"))
    have = {(t, c): kind for t, c, kind in con.execute(
        "select table_name, column_name, data_type from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'main'").fetchall()}
    changed = [(t, c, have.get((t, c)), kind) for t, c, kind in _schema_columns() if have.get((t, c)) != kind]
    if not changed:
        return
    try:
        for name in ("conform_set_aside.sql", "schema.sql", "conform_restore.sql"):
            for statement in _split_sql((SQL_DIR / name).read_text(encoding="utf-8")):
                con.execute(statement)
    except duckdb.Error as e:
        columns = ", ".join(f"{t}.{c} {old} → {kind}" for t, c, old, kind in changed if old is not None)
        raise ImportFailed(
            f"{db.name} was made by an older version of Customer Cockpit, whose columns had other types "
            f"({columns}), and a value cannot be read as the current type ({str(e).splitlines()[0]}). "
            f"The database is unchanged. Import the original files again into a new database "
            f"(python -m cockpit import FILES --db {db.name} --replace).") from e


def upgrade_derived(db: str | Path) -> None:
    """Rebuild the derived tables of a database made by an older version, on a copy swapped in atomically."""
    db = Path(db)
    lock = _lock(db)
    tmp = db.with_name(f".{db.name}.upgrading-{os.getpid()}")
    try:
        if derived_is_current(db):
            return
        shutil.copy2(db, tmp)
        con = _writer(tmp)
        try:
            _conform_canonical(con, db)
            _build_derived(con)
            con.execute("checkpoint")
        finally:
            con.close()
        _fsync(tmp)
        os.replace(tmp, db)
        _fsync_dir(db.parent)
    finally:
        if tmp.exists():
            tmp.unlink()
        _unlock(lock)


# --------------------------------------------------------------------------------------------- file safety

def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        _fsync(path)
    except OSError:
        pass


def _remove_stale_temporaries(db: Path) -> None:
    """Half-built copies left by an import that was killed (we hold the lock, so none is in use)."""
    for pattern in (f".{db.name}.importing-*", f".{db.name}.rollback-*"):
        for f in db.parent.glob(pattern):
            try:
                f.unlink()
            except OSError:
                pass


def _lock(db: Path):
    import fcntl
    db.parent.mkdir(parents=True, exist_ok=True)
    fh = open(db.with_name(f".{db.name}.lock"), "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        fh.close()
        raise ImportFailed(f"another import into {db.name} is running; try again when it has finished") from exc
    return fh


def _unlock(fh) -> None:
    import fcntl
    try:
        fcntl.flock(fh, fcntl.LOCK_UN)
    finally:
        fh.close()


def versions_dir(db: Path) -> Path:
    return db.with_name(f".{db.name}.versions")


def _keep_version(db: Path) -> None:
    """Keep the database being replaced (a hard link: no copy) so the data page can roll back to it."""
    if not db.exists():
        return
    vdir = versions_dir(db)
    vdir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{time.time_ns() % 1_000_000:06d}"
    target = vdir / f"{stamp}.duckdb"
    try:
        os.link(db, target)
    except OSError:
        shutil.copy2(db, target)
    old = sorted(vdir.glob("*.duckdb"))
    for f in old[:-KEEP_VERSIONS]:
        f.unlink()


def list_versions(db: Path) -> list[Path]:
    """Kept database versions, newest first."""
    vdir = versions_dir(Path(db))
    return sorted(vdir.glob("*.duckdb"), reverse=True) if vdir.exists() else []


def rollback(db: str | Path, version: str) -> Path:
    """Make a kept version the current database (atomically); the current one is kept as a version first."""
    db = Path(db)
    candidates = {v.name: v for v in list_versions(db)}
    if version not in candidates:
        raise ImportFailed(f"no kept version named '{version}' (kept: {', '.join(candidates) or 'none'})")
    source = candidates[version]
    lock = _lock(db)
    tmp = db.with_name(f".{db.name}.rollback-{os.getpid()}")
    try:
        shutil.copy2(source, tmp)
        _fsync(tmp)
        _keep_version(db)
        os.replace(tmp, db)
        _fsync_dir(db.parent)
    finally:
        if tmp.exists():
            tmp.unlink()
        _unlock(lock)
    return source
