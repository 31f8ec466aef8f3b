"""Concentration measures, defined once for the Regions page, the what-if, the KPI command and the review pack.

Rules (docs/metrics.md): shares are of net revenue over the units (countries or customers) with positive net
revenue in the period; 'unknown' is not a country and is left out of country shares; HHI = Σ share² with shares
in percent (0–10,000)."""
from __future__ import annotations

import numpy as np
import pandas as pd

NO_SCENARIO = {"drop_countries": [], "drop_pct": 0.0, "lose_top_n": 0, "fx_currency": "", "fx_move_pct": 0.0}


def shares(revenue: pd.Series) -> pd.Series:
    """Percentage shares of the positive totals, largest first."""
    positive = revenue[revenue > 0].sort_values(ascending=False)
    total = positive.sum()
    return positive * 100.0 / total if total > 0 else positive


def hhi(revenue: pd.Series) -> float:
    s = shares(revenue)
    return float((s ** 2).sum())


def concentration(rows: pd.DataFrame, value: str = "revenue") -> dict:
    """rows: one row per customer × country (× currency) with a revenue column."""
    by_country = rows[rows["country_code"] != "unknown"].groupby("country_code")[value].sum()
    by_customer = rows.groupby("customer_id")[value].sum()
    cs, us = shares(by_country), shares(by_customer)
    top = lambda s, n: float(s.head(n).sum()) if len(s) else 0.0  # noqa: E731
    return {
        "revenue": float(rows[value].sum()),
        "hhi_countries": float((cs ** 2).sum()),
        "hhi_customers": float((us ** 2).sum()),
        "top_country": cs.index[0] if len(cs) else None,
        "top_country_share_pct": top(cs, 1),
        "top3_countries_share_pct": top(cs, 3),
        "top5_countries_share_pct": top(cs, 5),
        "top_customer": us.index[0] if len(us) else None,
        "top1_customers_share_pct": top(us, 1),
        "top3_customers_share_pct": top(us, 3),
        "top5_customers_share_pct": top(us, 5),
        "major_customers": us[us >= 10.0].index.tolist(),
        "customers_with_revenue": int(len(us)),
        "countries_with_revenue": int(len(cs)),
    }


def pareto(rows: pd.DataFrame, value: str = "revenue") -> pd.DataFrame:
    """Customers ranked by revenue: cumulative % of customers against cumulative % of revenue."""
    s = shares(rows.groupby("customer_id")[value].sum())
    n = len(s)
    return pd.DataFrame({"customer_id": s.index, "share_pct": s.to_numpy(),
                         "customers_pct": np.arange(1, n + 1) * 100.0 / n if n else np.zeros(0),
                         "revenue_pct": s.cumsum().to_numpy()})


def pareto_point(curve: pd.DataFrame, revenue_pct: float = 80.0) -> float | None:
    """Share of customers needed to reach revenue_pct of revenue."""
    hit = curve[curve["revenue_pct"] >= revenue_pct - 1e-9]
    return float(hit["customers_pct"].iloc[0]) if len(hit) else None


def scenario_changes(rows: pd.DataFrame) -> bool:
    """Whether the what-if changes any row's revenue (with no scenario set, the page skips working it out twice)."""
    return not np.array_equal(rows["revenue_scenario"].to_numpy(dtype="float64"), rows["revenue"].to_numpy(dtype="float64"))


def what_if(rows: pd.DataFrame, actual: dict) -> dict:
    """concentration() under the scenario: the actual figures when the scenario changes nothing."""
    return concentration(rows, "revenue_scenario") if scenario_changes(rows) else actual


def affected_customers(rows: pd.DataFrame) -> pd.DataFrame:
    """Customers whose revenue changes under the scenario, by size of the change."""
    if not scenario_changes(rows):
        rows = rows.iloc[:0]
    g = rows.groupby(["customer_id", "customer_name"], dropna=False)[["revenue", "revenue_scenario"]].sum().reset_index()
    g["change"] = g["revenue_scenario"] - g["revenue"]
    return g[g["change"].abs() > 0.005].sort_values("change")
