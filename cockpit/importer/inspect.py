"""What the Data page shows before an import: each file's table, mapping, preview and plan."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import countries as ctry
from ..readers import FileProblem, read_any
from .detect import decide_table
from .mapping import discover
from .model import ImportFailed, Spec
from .plan import file_plan
from .prepare import pivot_events


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
