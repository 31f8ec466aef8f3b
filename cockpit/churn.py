"""Churn analytics on top of queries/churn/*: parameters, funnel counts, reasons, hidden big accounts.

Pure functions of DataFrames so the page only arranges and the tests can feed rows in and read rows out."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .i18n import fmt_pct, t

STEPS = {1: "step_inquiry", 2: "step_quote", 3: "step_sample", 4: "step_first_order", 5: "step_repeat", 6: "step_active"}


@dataclass(frozen=True)
class RhythmRules:
    """The reorder-rhythm thresholds (docs/metrics.md); editable on the page and kept in the URL."""
    risk_multiple: float = 1.5
    lapse_multiple: float = 3.0
    lapse_days: int = 365
    few_risk_days: int = 180

    def params(self) -> dict:
        return {"risk_multiple": float(self.risk_multiple), "lapse_multiple": float(self.lapse_multiple),
                "lapse_days": int(self.lapse_days), "few_risk_days": int(self.few_risk_days)}

    def describe(self, lang: str) -> str:
        return t("rules_words", lang, risk=f"{self.risk_multiple:g}", lapse=f"{self.lapse_multiple:g}",
                 lapse_days=self.lapse_days, few=self.few_risk_days)


def funnel_counts(customers: pd.DataFrame, first_level: int = 1) -> pd.DataFrame:
    """One row per step: customers who reached it, who stopped there, and the conversion from the step before."""
    rows = []
    prev = None
    for level in range(first_level, 7):
        reached = int((customers["reached_level"] >= level).sum())
        stopped = int((customers["reached_level"] == level).sum())
        rows.append({"level": level, "reached": reached, "stopped": stopped,
                     "conversion_pct": (reached / prev * 100) if prev else None})
        prev = reached
    return pd.DataFrame(rows)


def reason(row, lang: str) -> str:
    """Why a customer is flagged: 'no order for 2.4 × the usual interval; order value −45 % against last year'."""
    parts = []
    if row.get("gap_ratio") is not None and pd.notna(row.get("gap_ratio")):
        parts.append(t("reason_gap", lang, ratio=f"{row['gap_ratio']:.1f}", usual=int(row["expected_gap_days"])))
    else:
        parts.append(t("reason_days", lang, days=int(row["days_since_last_order"])))
    change = row.get("revenue_change_pct")
    if change is not None and pd.notna(change) and change <= -20:
        parts.append(t("reason_value", lang, pct=fmt_pct(change, 0, signed=True)))
    if row.get("open_complaints", 0) > 0:
        parts.append(t("reason_complaints", lang, n=int(row["open_complaints"])))
    return t("list_sep_reason", lang).join(parts)


def reasons(rows: pd.DataFrame, lang: str) -> list[str]:
    """reason() for every row, reading columns rather than building a dict per row (60,000 flagged customers:
    ~0.1 s instead of ~1.5 s). A test holds the two equal."""
    n = len(rows)
    col = lambda c: rows[c].to_numpy(dtype=float, na_value=np.nan) if c in rows else np.full(n, np.nan)  # noqa: E731
    ratio, usual, days = col("gap_ratio"), col("expected_gap_days"), col("days_since_last_order")
    change, complaints = col("revenue_change_pct"), np.nan_to_num(col("open_complaints"), nan=0.0)
    sep = t("list_sep_reason", lang)
    # Templates filled per row with str.format: the same text t() gives.
    gap_t = t("reason_gap", lang, ratio="{ratio}", usual="{usual}")
    days_t = t("reason_days", lang, days="{days}")
    complaints_t = t("reason_complaints", lang, n="{n}")
    out = []
    for r, u, d, c, k in zip(ratio, usual, days, change, complaints):
        parts = [gap_t.format(ratio=f"{r:.1f}", usual=int(u)) if r == r else days_t.format(days=int(d))]
        if c == c and c <= -20:
            parts.append(t("reason_value", lang, pct=fmt_pct(c, 0, signed=True)))
        if k > 0:
            parts.append(complaints_t.format(n=int(k)))
        out.append(sep.join(parts))
    return out


def flagged(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Rows of churn/customer_status.sql (at-risk and lapsed, in its order) with why each is flagged (reason)."""
    return rows.assign(reason=reasons(rows, lang))


def status_params(filters, rules: "RhythmRules", statuses=("at_risk", "lapsed"), limit: int | None = None,
                  customer_id: str | None = None) -> dict:
    """churn/customer_status.sql's parameters: the customers in these statuses as of the period's end (only
    customer_id when given), the first `limit` of them (None: all)."""
    return filters.params() | rules.params() | {"as_of": filters.date_to, "statuses": list(statuses), "limit": limit,
                                                "customer_id": customer_id}


def flagged_list(con, filters, rules: "RhythmRules", lang: str, limit: int | None = None) -> pd.DataFrame:
    """The at-risk list (at-risk and lapsed customers, open complaints first, then value at stake) with reasons."""
    from . import db
    return flagged(db.run(con, "churn/customer_status", status_params(filters, rules, limit=limit)), lang)


def funnel_list(con, filters, cohorts=(), channels=()) -> pd.DataFrame:
    """churn/funnel_customers.sql: every customer of the lifecycle funnel for the filters, cohorts and channels."""
    from . import db
    return db.run(con, "churn/funnel_customers", filters.params() | {"cohorts": list(cohorts), "channels": list(channels)})


def hidden_list(con, filters, low_segments: list[str], limit: int | None = None) -> pd.DataFrame:
    """churn/hidden_big_accounts.sql for the filters as of the period's end."""
    from . import db
    return db.run(con, "churn/hidden_big_accounts", filters.params() | {
        "as_of": filters.date_to, "low_segments": list(low_segments), "limit": limit})


def former_list(con, filters, rules: "RhythmRules", limit: int | None = None) -> pd.DataFrame:
    """churn/former_top_customers.sql for the filters as of the period's end."""
    from . import db
    return db.run(con, "churn/former_top_customers", filters.params() | rules.params() | {
        "as_of": filters.date_to, "limit": limit})


def status_by_country(con, filters, rules: "RhythmRules") -> pd.DataFrame:
    """Customers per home country and status as of the period's end (churn/status_by_country.sql)."""
    from . import db
    return db.run(con, "churn/status_by_country", filters.params() | rules.params() | {"as_of": filters.date_to})


def count_by_country_from(counts: pd.DataFrame, state: str, countries: pd.Series) -> pd.Series:
    """Customers in `state` per home country, aligned to `countries` (0 where none), from status_by_country's
    counts."""
    per = counts[counts["status"] == state].set_index("country_code")["customers"]
    return countries.map(per).fillna(0).astype(int)


# --------------------------------------------------------------------------------------------- the page's view

SHOWN = 500  # rows a list on the page shows (the most important first); its downloads hold every row


def default_low_segments(segments: list[str]) -> list[str]:
    """The segments the hidden-big-accounts list looks in by default: C, D and none, those present."""
    return [s for s in segments if s in ("C", "D", "")]


def view(con, filters, rules: RhythmRules | None = None, cohorts=(), channels=(), low_segments=None) -> dict:
    """Everything the Churn page shows: status counts, revenue at stake, NRR / GRR and their quarters, the first
    500 flagged customers (reasons in English and Chinese), the funnel with the customers who stopped at each step
    (the first 500 of each), the cohort grid, hidden big accounts, former top customers and the complaint lapse
    rates. low_segments None: the default low segments (C, D and none, those present)."""
    from . import db
    rules = rules or RhythmRules()
    params = filters.params() | rules.params() | {"as_of": filters.date_to}
    funnel = lambda cohorts, channels: funnel_list(con, filters, cohorts, channels)  # noqa: E731
    segment_rows = db.run(con, "filters/segment_options", filters.viewer())
    segments = segment_rows["segment"].tolist()
    low = default_low_segments(segments) if low_segments is None else list(low_segments)
    # Each list is cut to the rows the page shows in its query; its downloads read the whole list when clicked.
    counts, flagged_rows, retention, everyone, funnel_rows, cohort_grid, hidden, former, rates = db.concurrently(
        lambda: db.run(con, "churn/status_counts", params | {"as_ofs": [filters.date_to]}),
        lambda: db.run(con, "churn/customer_status", status_params(filters, rules, limit=SHOWN)),
        lambda: db.run(con, "churn/revenue_retention", params | {"as_ofs": [filters.date_to], "trend": True}),
        lambda: funnel((), ()),
        lambda: None if not cohorts and not channels else funnel(cohorts, channels),
        lambda: db.run(con, "churn/cohort_retention", params),
        lambda: hidden_list(con, filters, low, SHOWN),
        lambda: former_list(con, filters, rules, SHOWN),
        lambda: db.run(con, "churn/complaint_lapse_rates", params))
    now = retention[retention["is_as_of"]]
    funnel_rows = everyone if funnel_rows is None else funnel_rows
    has_pipeline = bool(funnel_rows["has_pipeline"].any()) if len(funnel_rows) else False
    steps = funnel_counts(funnel_rows, first_level=1 if has_pipeline else 4)
    stopped = {int(level): funnel_rows[funnel_rows["reached_level"] == level].head(SHOWN) for level in steps["level"]}
    by_status = counts.set_index("status")
    pct = lambda v: None if v is None or v != v else float(v)  # noqa: E731
    listed = lambda rows: int(rows["listed"].iloc[0]) if len(rows) else 0  # noqa: E731
    return {
        "counts": {k: int(by_status.loc[k, "customers"]) for k in ("on_rhythm", "at_risk", "lapsed")},
        "revenue_at_risk": float(by_status.loc[["at_risk", "lapsed"], "revenue_floored"].sum()),
        "nrr_pct": pct(now["nrr_pct"].iloc[0]) if len(now) else None,
        "grr_pct": pct(now["grr_pct"].iloc[0]) if len(now) else None,
        "retention": retention,
        "flagged": {lang: flagged(flagged_rows, lang) for lang in ("en", "zh")},
        "all_cohorts": sorted(everyone["cohort"].dropna().unique().tolist(), reverse=True),
        "has_pipeline": has_pipeline, "steps": steps, "stopped": stopped,
        "stopped_counts": {int(level): int((funnel_rows["reached_level"] == level).sum()) for level in steps["level"]},
        "cohorts": cohort_grid,
        "segments": segments, "low_segments": low,
        "hidden": hidden, "hidden_count": listed(hidden),
        "former": former, "former_count": listed(former),
        "rates": rates,
    }
