"""The Regions page: concentration (defined once, in queries/regions/concentration_kpis.sql, for this page, its
what-if, the KPI command and the review pack), the Pareto curve and the customers a what-if changes.

Rules (docs/metrics.md): shares are of net revenue over the units (countries or customers) with positive net
revenue in the period; 'unknown' is not a country and is left out of country shares; HHI = Σ share² with shares
in percent (0–10,000)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from . import db
from .filters import by_period, data_range, parse_quarter, period_params, quarter_label, quarter_labels

NO_SCENARIO = {"drop_countries": [], "drop_pct": 0.0, "lose_top_n": 0, "fx_currency": "", "fx_move_pct": 0.0}


def shares(revenue: pd.Series) -> pd.Series:
    """Percentage shares of the positive totals, largest first (the Pareto curve's steps)."""
    positive = revenue[revenue > 0].sort_values(ascending=False)
    total = positive.sum()
    return positive * 100.0 / total if total > 0 else positive


def concentration_many(con, filters_list, scenario: dict | None = None, by_customer: bool = True) -> list[dict]:
    """The concentration measures of each period of the same filters (queries/regions/concentration_kpis.sql, their
    one definition), under the what-if when one is given; one query for all periods, in the order given. Without
    by_customer, the country measures alone (the customer ranking is most of the query's work)."""
    rows = by_period(db.run(con, "regions/concentration_kpis", period_params(filters_list) | (scenario or NO_SCENARIO)
                            | {"by_customer": by_customer}))
    out = []
    for f in filters_list:
        c = rows[(f.date_from, f.date_to)].iloc[0].to_dict()
        c = {k: v for k, v in c.items() if k not in ("period_from", "period_to")}
        c["major_customers"] = [str(x) for x in c["major_customers"]]
        for k in ("top_country", "top_customer"):
            c[k] = c[k] if isinstance(c[k], str) else None
        out.append(c)
    return out


def trend_quarters(con, filters) -> list:
    """The filters of every calendar quarter from the first with data to the one the period ends in (that one up to
    the period's end): the quarterly trend's periods."""
    first, _, _ = data_range(con)
    quarters = map(parse_quarter, reversed(quarter_labels(min(first or filters.date_to, filters.date_to), filters.date_to)))
    return [replace(filters, date_from=start, date_to=min(end, filters.date_to)) for start, end in quarters]


def concentration_trend(quarters: list, measured: list[dict]) -> pd.DataFrame:
    """One row per quarter with revenue from a country and from a customer: HHI over countries and customers and the
    top country's share (concentration_many's measures of trend_quarters)."""
    rows = [{"quarter": quarter_label(f.date_from), "hhi_countries": c["hhi_countries"],
             "top_country_share_pct": c["top_country_share_pct"], "hhi_customers": c["hhi_customers"]}
            for f, c in zip(quarters, measured) if c["countries_with_revenue"] and c["customers_with_revenue"]]
    return pd.DataFrame(rows, columns=["quarter", "hhi_countries", "top_country_share_pct", "hhi_customers"])


def concentration(con, filters, scenario: dict | None = None) -> dict:
    """concentration_many for one period."""
    return concentration_many(con, [filters], scenario)[0]


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


def affected_customers(con, filters, scenario: dict) -> pd.DataFrame:
    """Customers whose revenue the what-if changes (regions/revenue_by_customer_country.sql summed per customer in
    DuckDB: only they reach Python, not the period's every customer), largest loss first."""
    if _no_scenario(scenario):
        return pd.DataFrame({"customer_id": pd.Series(dtype=object), "customer_name": pd.Series(dtype=object),
                             "revenue": pd.Series(dtype=float), "revenue_scenario": pd.Series(dtype=float),
                             "change": pd.Series(dtype=float)})
    return db.aggregate(con, "regions/revenue_by_customer_country", filters.params() | dict(scenario),
                        "customer_id, customer_name, sum(revenue) as revenue, sum(revenue_scenario) as revenue_scenario, "
                        "sum(revenue_scenario) - sum(revenue) as change", "customer_id, customer_name",
                        having="abs(change) > 0.005", order_by="change, customer_id")


# --------------------------------------------------------------------------------------------- the page's view

GROUPS = ("region", "subregion", "sales_region")


def _no_scenario(scenario: dict) -> bool:
    return all(scenario.get(k) == v for k, v in NO_SCENARIO.items())


def view(con, filters, scenario: dict | None = None, group: str = "region") -> dict:
    """Everything the Regions page shows for the filters and the what-if: the country table (with last year and
    lapsed customers), revenue by the chosen grouping, concentration actual and under the what-if, the Pareto line
    to draw and its 80 % point, the customers it names, the quarterly trend and the affected customers."""
    from . import churn
    scenario = dict(NO_SCENARIO if scenario is None else scenario)
    p = filters.params()
    ly = filters.year_before()
    quarters = trend_quarters(con, filters)
    countries, counts, rows, measured, group_rows = db.concurrently(
        lambda: db.run(con, "regions/country_table", p | {"ly_from": ly.date_from, "ly_to": ly.date_to}),
        lambda: churn.status_by_country(con, filters, churn.RhythmRules()),
        lambda: db.run(con, "regions/revenue_by_customer_country", p | scenario),
        # The period and every quarter of the trend: one query, one definition.
        lambda: concentration_many(con, quarters + [filters]),
        lambda: db.run(con, "regions/revenue_by_group", p | {"group": group}))
    actual = measured[-1]
    trend = concentration_trend(quarters, measured[:-1])
    countries["lapsed_customers"] = churn.count_by_country_from(counts, "lapsed", countries["country_code"])
    curve = pareto(rows)
    named = [c for c in [actual["top_customer"], *actual["major_customers"]] if c is not None]
    names = rows.drop_duplicates("customer_id").set_index("customer_id")["customer_name"]
    from .charts import pareto_points
    return {
        "countries": countries,
        "group": group_rows,
        "actual": actual,
        "curve": pareto_points(curve).reset_index(drop=True),
        "point": pareto_point(curve),
        "names": {c: (None if pd.isna(names.get(c)) else str(names.get(c))) for c in named},
        "trend": trend,
    } | _scenario_of(con, filters, scenario, actual)


def _scenario_of(con, filters, scenario: dict, actual: dict | None = None) -> dict:
    """Concentration under the what-if (the actual figures when there is none) and the customers it changes."""
    if actual is not None and _no_scenario(scenario):
        return {"what_if": actual, "affected": affected_customers(con, filters, scenario)}
    what_if, affected = db.concurrently(lambda: concentration(con, filters, scenario),
                                        lambda: affected_customers(con, filters, scenario))
    return {"what_if": what_if, "affected": affected}



def scenario_part(con, filters, scenario: dict) -> dict:
    """The what-if alone (what the what-if section shows: concentration under the scenario and the customers it
    changes), so that a step of a what-if input reruns one query, not the page's view."""
    return _scenario_of(con, filters, dict(scenario))
