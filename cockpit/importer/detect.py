"""Deciding each file's table (customers, orders, complaints, …) and its header → field mapping, with the evidence
for the plan."""

from __future__ import annotations

from pathlib import Path


from ..schema import TABLES, match_headers
from .model import Spec


DISTINCTIVE = {
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
        distinct = len(set(mapping) & DISTINCTIVE[table])
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
    fields = sorted(set(mapping) & DISTINCTIVE[base])
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
