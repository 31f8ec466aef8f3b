"""The headline KPIs, defined once (docs/metrics.md). The Overview, the review pack and `cockpit kpis` call this."""
from __future__ import annotations

import datetime as dt

from . import db
from .filters import Filters

ALL_FROM = dt.date(1900, 1, 1)
ALL_TO = dt.date(2999, 12, 31)


def data_range(con) -> tuple[dt.date | None, dt.date | None, str]:
    row = db.run(con, "filters/data_range", {}).iloc[0]
    first = row["first_order_on"]
    last = row["last_order_on"]
    to_date = lambda v: None if v is None or v != v else (v.date() if hasattr(v, "date") else v)  # noqa: E731
    return to_date(first), to_date(last), row["reporting_currency"] or "USD"


def _money(v) -> float:
    return round(float(v or 0.0), 2)


def headline(con, filters: Filters) -> dict:
    """Foundation KPIs for the filtered period (both dates inclusive)."""
    p = filters.params()
    h = db.run(con, "kpis/headline", p).iloc[0]
    by_country = db.run(con, "kpis/revenue_by_country", p)
    complaints = db.run(con, "kpis/complaints_received", p).iloc[0]
    return {
        "revenue": _money(h["revenue"]),
        "orders": int(h["orders"]),
        "active_customers": int(h["active_customers"]),
        "new_customers": int(h["new_customers"]),
        "revenue_by_country": {str(r.country_code): _money(r.revenue) for r in by_country.itertuples()},
        "complaints_received": int(complaints["complaints_received"]),
    }


def compute(con, filters: Filters) -> dict:
    """Every KPI key, in one JSON-ready object (later pages add their own groups here)."""
    out = {"period_from": filters.date_from.isoformat(), "period_to": filters.date_to.isoformat()}
    _, _, currency = data_range(con)
    out["reporting_currency"] = currency
    out.update(headline(con, filters))
    return out
