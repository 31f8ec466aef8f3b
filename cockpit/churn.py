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


def flagged(status: pd.DataFrame, lang: str, limit: int | None = None) -> pd.DataFrame:
    """At-risk and lapsed customers, open complaints first, then value at stake; the first `limit` of them when
    given (the reasons, written per customer, are then written only for those)."""
    out = status[status["status"] != "on_rhythm"]
    order = pd.DataFrame({"open": out["open_complaints"].to_numpy() > 0, "revenue": out["revenue_l12m"].to_numpy(),
                          "id": out["customer_id"].to_numpy()}, index=out.index)
    order = order.sort_values(["open", "revenue", "id"], ascending=[False, False, True])
    out = out.loc[order.index[:limit] if limit is not None else order.index].copy()
    out["reason"] = reasons(out, lang)
    return out


def hidden_big_accounts(status: pd.DataFrame, low_segments: list[str], top_share: float = 0.2) -> pd.DataFrame:
    """Customers in the top 20 % by 12-month growth or by largest single order who sit in a low segment or
    have no owner."""
    live = status[status["revenue_l12m"] > 0].copy()
    if live.empty:
        return live
    live["growth_l12m"] = live["revenue_l12m"] - live["revenue_prior_12m"]
    growth_cut = live["growth_l12m"].quantile(1 - top_share)
    order_cut = live["largest_order_l12m"].quantile(1 - top_share)
    big = (live["growth_l12m"] >= growth_cut) & (live["growth_l12m"] > 0) | (live["largest_order_l12m"] >= order_cut)
    low = live["segment"].fillna("").isin(low_segments) | live["sales_rep"].isna()
    # Ties in a fixed order (by id): the status rows come in no particular order.
    return live[big & low].sort_values(["growth_l12m", "customer_id"], ascending=[False, True])


def former_top_going_quiet(status: pd.DataFrame, top_share: float = 0.2) -> pd.DataFrame:
    """Customers in the top 20 % by revenue of the prior 12 months whose last 12 months fell by half or more, or
    who are at risk or lapsed."""
    prior = status[status["revenue_prior_12m"] > 0]
    if prior.empty:
        return prior
    cut = prior["revenue_prior_12m"].quantile(1 - top_share)
    top = prior[prior["revenue_prior_12m"] >= cut]
    quiet = (top["revenue_l12m"] <= top["revenue_prior_12m"] * 0.5) | (top["status"] != "on_rhythm")
    return top[quiet].sort_values(["revenue_prior_12m", "customer_id"], ascending=[False, True])


def complaint_lapse_rates(status: pd.DataFrame) -> pd.DataFrame:
    """Lapse rate of customers with at least one complaint against those with none."""
    s = status.assign(has_complaint=status["complaints_total"] > 0)
    g = s.groupby("has_complaint").agg(customers=("customer_id", "count"),
                                       lapsed=("status", lambda x: int((x == "lapsed").sum())),
                                       at_risk=("status", lambda x: int((x == "at_risk").sum())))
    g["lapse_rate_pct"] = g["lapsed"] / g["customers"] * 100
    return g.reindex([True, False]).fillna(0).reset_index()


def count_by_country(status: pd.DataFrame, state: str, countries: pd.Series) -> pd.Series:
    """Customers in `state` per home country, aligned to `countries` (0 where none)."""
    counts = status[status["status"] == state].groupby("country_code").size()
    return countries.map(counts).fillna(0).astype(int)


def status_by_country(con, params: dict) -> pd.DataFrame:
    """Customers per home country and status, counted by DuckDB (the Regions page needs no per-customer rows)."""
    from . import db
    return db.aggregate(con, "churn/customer_status", params, "country_code, status, count(*) as customers",
                        "country_code, status")


def count_by_country_from(counts: pd.DataFrame, state: str, countries: pd.Series) -> pd.Series:
    """count_by_country from status_by_country's counts."""
    per = counts[counts["status"] == state].set_index("country_code")["customers"]
    return countries.map(per).fillna(0).astype(int)


def revenue_at_risk(status: pd.DataFrame) -> float:
    """Last-12-month revenue of at-risk and lapsed customers (a negative customer total counts as 0)."""
    return float(status.loc[status["status"] != "on_rhythm", "revenue_l12m"].clip(lower=0).sum())


def status_counts(status: pd.DataFrame) -> dict[str, int]:
    """on_rhythm / at_risk / lapsed -> customers."""
    counts = status["status"].value_counts()
    return {k: int(counts.get(k, 0)) for k in ("on_rhythm", "at_risk", "lapsed")}


# --------------------------------------------------------------------------------------------- the page's view

SHOWN = 500  # rows a list on the page shows (the most important first); its downloads hold every row


def view(con, filters, rules: RhythmRules | None = None, cohorts=(), channels=(), low_segments=None,
         stored: bool = True) -> dict:
    """Everything the Churn page shows: status counts, revenue at stake, NRR / GRR and their quarters, the first
    500 flagged customers (reasons in English and Chinese), the funnel with the customers who stopped at each step
    (the first 500 of each), the cohort grid, hidden big accounts, former top customers and the complaint lapse
    rates. low_segments None: the default low segments (C, D and none, those present). The whole company's view of
    the latest quarters with the default rules, funnel filters and segments is read from what the import stored
    (stored_view, via cockpit/import_views.py StoredViews); every other view is worked out here, by the same code."""
    from . import db
    rules = rules or RhythmRules()
    default = rules == RhythmRules() and not cohorts and not channels and low_segments is None
    if stored and default:
        held = _stored_view(con, filters)
        if held is not None:
            return held
    params = filters.params() | rules.params() | {"as_of": filters.date_to}
    funnel = lambda cohorts, channels: db.run(  # noqa: E731
        con, "churn/funnel_customers", filters.params() | {"cohorts": list(cohorts), "channels": list(channels)})
    segment_rows, status, retention, everyone, funnel_rows, cohort_grid = db.concurrently(
        lambda: db.run(con, "filters/segment_options", filters.viewer()),
        lambda: db.run(con, "churn/customer_status", params),
        lambda: db.run(con, "churn/revenue_retention", params | {"as_ofs": [filters.date_to], "trend": True}),
        lambda: funnel((), ()),
        lambda: None if not cohorts and not channels else funnel(cohorts, channels),
        lambda: db.run(con, "churn/cohort_retention", params))
    segments = segment_rows["segment"].tolist()
    low = [s for s in segments if s in ("C", "D", "")] if low_segments is None else list(low_segments)
    now = retention[retention["is_as_of"]]
    funnel_rows = everyone if funnel_rows is None else funnel_rows
    has_pipeline = bool(funnel_rows["has_pipeline"].any()) if len(funnel_rows) else False
    steps = funnel_counts(funnel_rows, first_level=1 if has_pipeline else 4)
    stopped = {int(level): funnel_rows[funnel_rows["reached_level"] == level].head(SHOWN) for level in steps["level"]}
    hidden = hidden_big_accounts(status, low)
    former = former_top_going_quiet(status)
    pct = lambda v: None if v is None or v != v else float(v)  # noqa: E731
    return {
        "counts": status_counts(status), "revenue_at_risk": revenue_at_risk(status),
        "nrr_pct": pct(now["nrr_pct"].iloc[0]) if len(now) else None,
        "grr_pct": pct(now["grr_pct"].iloc[0]) if len(now) else None,
        "retention": retention,
        "flagged": {lang: flagged(status, lang, limit=SHOWN) for lang in ("en", "zh")},
        "all_cohorts": sorted(everyone["cohort"].dropna().unique().tolist(), reverse=True),
        "has_pipeline": has_pipeline, "steps": steps, "stopped": stopped,
        "stopped_counts": {int(level): int((funnel_rows["reached_level"] == level).sum()) for level in steps["level"]},
        "cohorts": cohort_grid,
        "segments": segments, "low_segments": low,
        "hidden": hidden.head(SHOWN), "hidden_count": int(len(hidden)),
        "former": former.head(SHOWN), "former_count": int(len(former)),
        "rates": complaint_lapse_rates(status),
    }


STORED_QUARTERS = 2  # the quarter in progress and the latest complete one (the default period)


def _stored_view(con, filters) -> dict | None:
    from . import stored
    return stored.load(con, "churn/stored_view", filters)


def stored_view(con, f) -> dict:
    """At import (cockpit/import_views.py StoredViews): the Churn page's whole-company view of quarter f (default rules,
    no funnel filter, the default low segments), by view() itself."""
    return view(con, f, stored=False)
