"""The import from start to end: read, assemble, merge into a new version of the database, build the summary
tables, swap it in (files.py). A failure at any step leaves the database as it was."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd
import pyarrow as pa

from .assemble import assemble_orders
from .connection import timing, writer
from .derived import (before_top_up, build_derived, conform_canonical, duplicate_search, names_changed, top_up_possible,
                      top_up_scope)
from .files import new_version
from .mapping import load_mapping
from .merge import DROP_STAGING, merge_all, whoami, write_orders
from .model import ImportFailed, Prepared, Progress, Spec, no_progress
from .read import read_sources
from .report import Report


def run_import(paths, db: str | Path, mapping: str | Path | None = None, currency: str | None = None,
               replace: bool = False, check_only: bool = False, progress: Progress = no_progress,
               imported_by: str | None = None, _after_write: Callable[[], None] | None = None,
               specs: list[Spec] | None = None) -> Report:
    """Import export files into the database at db. Raises ImportFailed (database unchanged) on refusal."""
    started = time.time()
    db = Path(db)
    specs = (specs or []) + load_mapping(mapping)
    progress(0.02, "import_step_finding")
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
    orders = assemble_orders(prepared, report)
    timing("assemble orders", started_assembly)
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

    progress(0.62, "import_step_currencies")
    reporting = (currency or "").upper() or None

    try:
        with new_version(db, "importing", start_from=None if replace else db) as version:
            con = writer(version.path)
            duplicates = None
            try:
                conform_canonical(con, db)
                stored = con.execute("select value from settings where key = 'reporting_currency'").fetchone()
                if stored and reporting and stored[0] != reporting:
                    raise ImportFailed(f"the database reports in {stored[0]}; this import asks for {reporting}. "
                                       "Use --replace to rebuild the database in the new currency")
                reporting = reporting or (stored[0] if stored else "USD")
                con.execute("insert or replace into settings values ('reporting_currency', ?)", [reporting])
                import_id = (con.execute("select coalesce(max(import_id), 0) + 1 from import_log").fetchone()[0])
                report.import_id = import_id

                progress(0.7, "import_step_merging")
                rates_changed = bool(frames["fx_rates"])
                # A top-up (lines, records or complaints into a database of this version, at the rates it had)
                # builds the derived rows of the customers it touches only; anything else builds every customer's.
                top_up = not replace and not rates_changed and top_up_possible(con)
                if top_up:
                    before_top_up(con)
                empty_columns = merge_all(con, frames, orders, import_id, report)
                if top_up:
                    report.rebuilt_customers, report.rebuilt_from = top_up_scope(con, import_id)
                # The customer list is final: its duplicate search (Python and rapidfuzz, on its own cursor and thread)
                # runs beside the orders write. Beside the summary tables instead, it met `customer_day` at that
                # statement's memory peak: the import reached 2.05 GB in some runs (1.75-1.87 GB this way).
                # A top-up that changed no name, e-mail, phone or rep keeps the pairs found before (no search).
                keep_pairs = top_up and not names_changed(con, import_id)
                duplicates = None if keep_pairs else duplicate_search(con)
                # Known of this import's lines; it holds for the whole table only when the table held no other line.
                one_part_per_order = write_orders(con, reporting, empty_columns, rates_changed) and orders is not None \
                    and bool(orders.attrs.get("one_part_per_order"))
                # The order lines are in the database now: free their memory before the summary tables are built.
                con.execute("drop view if exists new_orders")
                con.unregister("src_orders")
                # The staging tables are done with: their memory (~110 MB at 10 M lines) goes back to DuckDB's cap.
                for statement in DROP_STAGING:
                    con.execute(statement)
                orders = None
                for p in prepared:
                    if p.table in ("orders", "order_lines", "order_headers"):
                        p.frame = p.frame.iloc[:0]
                frames = None
                pa.default_memory_pool().release_unused()
                progress(0.8, "import_step_summary")
                build_derived(con, duplicates, one_part_per_order, top_up, keep_pairs)
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
                    imported_by or whoami(), "replace" if replace else "merge", reporting,
                    json.dumps([{k: v for k, v in f.items() if k != "mapping"} for f in report.files], ensure_ascii=False),
                    report.rows_read, report.rows_loaded, report.rows_quarantined,
                    json.dumps(dict(report.reasons), ensure_ascii=False),
                    json.dumps({"notes": report.notes, "unresolved_countries": dict(report.unresolved_countries),
                                "placeholder_customers": report.placeholder_customers, "skipped": report.skipped},
                               ensure_ascii=False)])
                con.execute("checkpoint")
            finally:
                if duplicates is not None:
                    # A failed import must not close the connection under the search's cursor (Beside.wait).
                    duplicates.wait()
                con.close()
            if check_only:
                version.discard()
            else:
                if _after_write:
                    _after_write()
                progress(0.95, "import_step_swapping")
        report.written = not check_only
    except duckdb.Error as exc:
        raise ImportFailed(f"import refused; the database was not changed ({exc})") from exc
    if check_only:
        report.seconds = time.time() - started
        return report
    report.seconds = time.time() - started
    progress(1.0, "import_step_done")
    return report
