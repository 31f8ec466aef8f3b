"""Reading every file found (readers.py) and preparing it (prepare.py), hashing them beside."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor


from ..readers import FileProblem, read_any, sha256_of
from .connection import timing
from .detect import decide_table
from .mapping import discover
from .model import ImportFailed, Prepared, Progress, Spec, no_progress
from .plan import file_plan, split_refusal
from .prepare import pivot_events, prepare
from .report import Report


_NOTES_SUFFIXES = {".txt"}


def read_sources(paths, specs: list[Spec], progress: Progress = no_progress) -> tuple[list[Prepared], Report]:
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
        progress(0.05 + 0.55 * i / len(found), "import_step_reading", file=path.name)
        try:
            started = time.perf_counter()
            raws = read_any(path, spec.sheet if spec else None)
            timing(f"read {path.name}", started)
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
            split = split_refusal(plan, spec_for)
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
                timing(f"prepare {raw.label}", started)
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
