"""Executive overview: the headline KPIs across quarters, top movers, and the written summary.

Everything here is computed from kpis.compute (one definition per KPI) and the regions query, so the Overview, the
review pack and `cockpit kpis` always agree."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from . import db
from .countries import country_name
from .filters import Filters, quarter_label, quarters_ending
from .i18n import fmt_change, fmt_int, fmt_money, fmt_pct, t
from .kpis import compute_many

# (key, lower is better, kind)
CARDS = [
    ("revenue", False, "money"), ("active_customers", False, "int"), ("new_customers", False, "int"),
    ("lapsed_customers", True, "int"), ("nrr_pct", False, "pct"), ("top_country_share_pct", True, "pct"),
    ("hhi_countries", True, "num"), ("resolution_hours_median", True, "hours"), ("sla_breach_pct", True, "pct"),
    ("record_completeness_pct", False, "pct"),
]


# What the Overview reads of kpis.compute: the cards' KPIs of every quarter (their sparklines and comparisons, and the
# summary's risk and concentration, which come from the same queries), and, of the last quarter alone, what the
# summary and the revenue-by-country chart add. The other twenty KPIs (the review pack's, `cockpit kpis`') are not
# worked out for this page: ~0.9 -> ~0.3 s for the whole company at 10 M lines (docs/performance.md).
EVERY_QUARTER = frozenset(key for key, _, _ in CARDS) | {"at_risk_customers", "revenue_at_risk", "top_country"}
LAST_QUARTER = frozenset({"open_complaints", "overdue_actions", "revenue_by_country"})


def quarters(con, filters: Filters, n: int = 8) -> list[dict]:
    """The Overview's KPIs (EVERY_QUARTER) of the n calendar quarters ending with the period's end quarter, oldest
    first, the last with LAST_QUARTER too (kpis.compute_many)."""
    periods = quarters_ending(filters, n)
    series, (last,) = db.concurrently(lambda: compute_many(con, periods, keys=EVERY_QUARTER),
                                      lambda: compute_many(con, periods[-1:], keys=LAST_QUARTER))
    return series[:-1] + [series[-1] | last]


def quarter_table(results: list[dict]) -> pd.DataFrame:
    """KPI objects of consecutive quarters (kpis.compute, oldest first) as one row per quarter."""
    return pd.DataFrame([{"quarter": quarter_label(dt.date.fromisoformat(k["period_from"])),
                          "quarter_start": dt.date.fromisoformat(k["period_from"])} | k for k in results])


def change(now, before) -> float | None:
    if now is None or before is None or pd.isna(now) or pd.isna(before) or before == 0:
        return None
    return (now - before) / abs(before) * 100


def movers(con, filters: Filters, previous: Filters, top: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Countries and customers with the largest revenue change against the previous period (up and down)."""
    rows = db.run(con, "overview/movers", filters.params() | {"prev_from": previous.date_from,
                                                               "prev_to": previous.date_to, "top": top})
    cols = ["key", "now", "before", "change", "change_pct"]
    by_kind = lambda kind: rows[rows["kind"] == kind].reset_index(drop=True)  # noqa: E731
    return by_kind("country")[cols], by_kind("customer")[cols + ["label"]]


def revenue_by_month(con, filters: Filters) -> pd.DataFrame:
    """overview/revenue_by_month.sql."""
    return db.run(con, "overview/revenue_by_month", filters.params())


def revenue_by_country(kpis: dict) -> pd.DataFrame:
    """The KPI object's revenue by country (largest first, as kpis/revenue_by_country.sql orders it) as rows."""
    return pd.DataFrame(list((kpis.get("revenue_by_country") or {}).items()), columns=["country_code", "revenue"])


def summary(now: dict, before: dict, country_movers: pd.DataFrame, currency: str, lang: str,
            period_words: str) -> str:
    """'Revenue +12.0 % on the quarter, driven by Germany; 14 customers at risk, USD 1.2 M at stake; …'."""
    parts = []
    c = change(now["revenue"], before["revenue"])
    shown = fmt_change(now["revenue"], before["revenue"], "money", lang)
    if c is not None and shown != t("change_no_base", lang):  # (no sentence on a change without a comparable base)
        direction = country_movers[country_movers["change"] > 0] if c >= 0 else country_movers[country_movers["change"] < 0]
        driver = country_name(direction.iloc[0]["key"], lang) if len(direction) else None
        key = "sum_revenue_driver" if driver else "sum_revenue"
        parts.append(t(key, lang, change=shown, period=period_words, country=driver or ""))
    # (Counts through fmt_int: in quarter_table's rows a count the other quarters lack is a float, 51201.0.)
    parts.append(t("sum_risk", lang, n=fmt_int(now["at_risk_customers"]), lapsed=fmt_int(now["lapsed_customers"]),
                   money=fmt_money(now["revenue_at_risk"], currency, lang)))
    if now.get("top_country"):
        parts.append(t("sum_concentration", lang, country=country_name(now["top_country"], lang),
                       share=fmt_pct(now["top_country_share_pct"])))
    if now.get("sla_breach_pct") is not None:
        parts.append(t("sum_complaints", lang, breach=fmt_pct(now["sla_breach_pct"]),
                       open=fmt_int(now["open_complaints"]), overdue=fmt_int(now["overdue_actions"])))
    return t("sentence_sep", lang).join(parts) + t("sentence_end", lang)
