"""The import plan: per file and sheet, the kind chosen and why, every header → field, the headers ignored,
null markers, date order and encoding; and the refusal when the evidence splits."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc

from ..readers import RawTable
from ..schema import field_map
from .detect import DISTINCTIVE, kind_evidence, name_hint
from .model import Spec
from ..parse import BLANK_SPELLINGS, arrow_of
from ..schema import normalise_header


# Amount headers that name what the buyer actually paid: preferred over an order total (a documented rule; the
# plan says when it decided).
_PAID = ("amountpaid", "paidamount", "buyerpaid", "买家实际支付金额", "实付金额", "实收金额")
_PLAN_SAMPLE_ROWS = 200_000


def _candidates(base: str, headers: list[str], mapping: dict[str, str]) -> dict[str, list[str]]:
    """For each mapped field, the other headers that could also be it (an alias of the field, not mapped)."""
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


# Every spelling of every marker but the empty text, in any mix of ASCII case (parse.BLANK_SPELLINGS).
_MARKER_SPELLINGS = pc.filter(BLANK_SPELLINGS, pc.not_equal(BLANK_SPELLINGS, ""))


def _markers_seen(frame: pd.DataFrame, columns: list[str]) -> dict[str, dict[str, int]]:
    """The blank markers ('?', 'N/A', '无', …) in these columns' first rows, by column and lower-cased: read as empty.
    Looked up with Arrow's kernels, and only the values that are markers read into Python (lowering every value of
    the first 200,000 rows in Python took ~0.3 s a file at 10 M lines)."""
    out = {}
    for col in columns:
        if col not in frame.columns or not (frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col].dtype)):
            continue
        trimmed = pc.utf8_trim_whitespace(arrow_of(frame[col].iloc[:_PLAN_SAMPLE_ROWS].astype("string")))
        found = pc.filter(trimmed, pc.is_in(trimmed, value_set=_MARKER_SPELLINGS))
        if len(found):
            out[col] = dict(Counter(v.casefold() for v in found.to_pylist()).most_common())
    return out


def file_plan(raw: RawTable, table: str | None, mapping: dict[str, str], spec: Spec | None) -> dict:
    """What the importer decided for one file or sheet: the kind and why, every header's field or that it is
    ignored, other headers that could be a field and which rule chose, the encoding and why, the blank markers."""
    headers = list(map(str, raw.frame.columns))
    base = "orders" if table in ("order_lines", "order_headers") else table
    base_kind = "orders" if table in ("order_lines", "order_headers") else table
    plan = {"file": raw.label, "kind": table, "evidence": kind_evidence(headers, table, mapping, spec, raw.path.name),
            # The same evidence as data, for the Data page's sentences in either language.
            "evidence_headers": [mapping[f] for f in sorted(set(mapping) & DISTINCTIVE.get(base_kind, set()))]
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
        chosen = mapping[fname]
        if fname in ("amount", "unit_price") and normalise_header(chosen) not in _PAID:
            plan.setdefault("split", []).append({"field": fname, "candidates": [chosen, *others]})
            continue
        rule = ("the amount actually paid is preferred" if normalise_header(chosen) in _PAID
                else "the first of the field's aliases (docs/data-model.md) wins")
        plan["choices"].append({"field": fname, "chosen": chosen, "over": others, "rule": rule})
    plan["markers"] = _markers_seen(raw.frame, list(mapping.values()))
    return plan


def split_refusal(plan: dict, spec: Spec | None) -> str | None:
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
