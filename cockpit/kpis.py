"""The headline KPIs, defined once (docs/metrics.md). The Overview, the review pack and `cockpit kpis` call this."""
from __future__ import annotations

import datetime as dt
import pandas as pd

from . import db
from .filters import Filters, by_period, data_range, period_params

ALL_FROM = dt.date(1900, 1, 1)
ALL_TO = dt.date(2999, 12, 31)


def _money(v) -> float:
    return round(float(v or 0.0), 2)


# Every key compute() gives, by the family that works it out. compute_many(keys=...) runs only the queries the keys
# asked for need (the Overview shows ten of the thirty: cockpit/overview.py).
HEADLINE_KEYS = ("revenue", "orders", "active_customers", "new_customers", "revenue_by_country", "complaints_received")
CHURN_KEYS = ("as_of", "at_risk_customers", "lapsed_customers", "revenue_at_risk", "nrr_pct", "grr_pct")
REGION_KEYS = ("hhi_countries", "hhi_customers", "top_country", "top_country_share_pct", "top5_customers_share_pct",
               "major_customers")
COMPLAINT_KEYS = ("first_response_hours_median", "first_response_hours_p90", "resolution_hours_median",
                  "resolution_hours_p90", "sla_breach_pct", "open_complaints", "overdue_actions")
RECORD_KEYS = ("record_completeness_pct", "stale_records", "duplicate_clusters", "public_pool_candidates",
               "segment_counts")
ALL_KEYS = frozenset(HEADLINE_KEYS + CHURN_KEYS + REGION_KEYS + COMPLAINT_KEYS + RECORD_KEYS)


def _wants(keys, *names) -> bool:
    return any(n in keys for n in names)


def headline_many(con, filters_list: list[Filters], keys=ALL_KEYS) -> list[dict]:
    """Foundation KPIs for each period (both dates inclusive) of the same filters, in the order given: one query
    per KPI file for all of them (queries/kpis/headline.sql, complaints_received.sql, revenue_by_country.sql), each
    run only when `keys` asks for what it gives."""
    p = period_params(filters_list)
    main = ("revenue", "orders", "active_customers", "new_customers")
    h = by_period(db.run(con, "kpis/headline", p)) if _wants(keys, *main) else None
    complaints = by_period(db.run(con, "kpis/complaints_received", p)) if "complaints_received" in keys else None
    by_country = by_period(db.run(con, "kpis/revenue_by_country", p)) if "revenue_by_country" in keys else None
    out = []
    for f in filters_list:
        key, kpis = (f.date_from, f.date_to), {}
        if h is not None:
            row = h[key].iloc[0]
            kpis |= {"revenue": _money(row["revenue"]), "orders": int(row["orders"]),
                     "active_customers": int(row["active_customers"]), "new_customers": int(row["new_customers"])}
        if by_country is not None:
            countries = by_country.get(key)
            kpis["revenue_by_country"] = ({} if countries is None else
                                          {str(r.country_code): _money(r.revenue) for r in countries.itertuples()})
        if complaints is not None:
            kpis["complaints_received"] = int(complaints[key].iloc[0]["complaints_received"])
        out.append(kpis)
    return out


def headline(con, filters: Filters) -> dict:
    """Foundation KPIs for the filtered period (both dates inclusive): headline_many for one period."""
    return headline_many(con, [filters])[0]


def as_of_date(con, filters: Filters) -> dt.date:
    """End of the period; without one (the whole history), the latest day of the data (filters.data_range)."""
    if filters.date_to < ALL_TO:
        return filters.date_to
    _, last, _ = data_range(con)
    return last or dt.date.today()


def churn_many(con, filters_list: list[Filters], rules=None, keys=ALL_KEYS) -> list[dict]:
    """Churn KPIs of each period of the same filters as of its end, with the default reorder-rhythm rules
    (docs/metrics.md): the status counts and revenue at stake (churn/status_counts.sql) and NRR and GRR
    (churn/revenue_retention.sql), each one query for every period, run only when `keys` asks for what it gives."""
    from . import churn as churn_rules
    rules = rules or churn_rules.RhythmRules()
    as_ofs = [as_of_date(con, f) for f in filters_list]
    params = filters_list[0].params() | rules.params() | {"as_ofs": as_ofs}
    calls = {}
    if _wants(keys, "nrr_pct", "grr_pct"):
        calls["retention"] = lambda: db.run(con, "churn/revenue_retention", params | {"trend": False})
    if _wants(keys, "at_risk_customers", "lapsed_customers", "revenue_at_risk"):
        calls["status"] = lambda: db.run(con, "churn/status_counts", params)
    done = dict(zip(calls, db.concurrently(*calls.values())))
    by_end = {pd.Timestamp(r.quarter_end).date(): r for r in done["retention"].itertuples()} if "retention" in done else None
    status = ({(pd.Timestamp(r.as_of).date(), r.status): r for r in done["status"].itertuples()}
              if "status" in done else None)
    pct = lambda v: None if v is None or v != v else round(float(v), 2)  # noqa: E731
    out = []
    for as_of in as_ofs:
        kpis = {"as_of": as_of.isoformat()}
        if status is not None:
            kpis |= {"at_risk_customers": int(status[(as_of, "at_risk")].customers),
                     "lapsed_customers": int(status[(as_of, "lapsed")].customers),
                     "revenue_at_risk": _money(status[(as_of, "at_risk")].revenue_floored
                                               + status[(as_of, "lapsed")].revenue_floored)}
        if by_end is not None:
            now = by_end.get(as_of)
            kpis |= {"nrr_pct": pct(now.nrr_pct) if now is not None else None,
                     "grr_pct": pct(now.grr_pct) if now is not None else None}
        out.append(kpis)
    return out


def churn(con, filters: Filters) -> dict:
    """Churn KPIs as of the end of the period: churn_many for one period."""
    return churn_many(con, [filters])[0]


def regions_many(con, filters_list: list[Filters], keys=ALL_KEYS) -> list[dict]:
    """Concentration KPIs of each period (docs/metrics.md; queries/regions/concentration_kpis.sql, all periods in
    one query, through regions.concentration_many); the customer measures only when `keys` asks for them."""
    from .regions import concentration_many
    by_customer = _wants(keys, "hhi_customers", "top5_customers_share_pct", "major_customers")
    r2 = lambda v: round(float(v), 2)  # noqa: E731
    out = []
    for c in concentration_many(con, filters_list, by_customer=by_customer):
        kpis = {"hhi_countries": r2(c["hhi_countries"]), "hhi_customers": r2(c["hhi_customers"]),
                "top_country": c["top_country"], "top_country_share_pct": r2(c["top_country_share_pct"]),
                "top5_customers_share_pct": r2(c["top5_customers_share_pct"]), "major_customers": c["major_customers"]}
        out.append(kpis if by_customer else {k: v for k, v in kpis.items()
                                             if k in ("hhi_countries", "top_country", "top_country_share_pct")})
    return out


def regions(con, filters: Filters) -> dict:
    """Concentration KPIs of the period: regions_many for one period."""
    return regions_many(con, [filters])[0]


def complaints_many(con, filters_list: list[Filters], keys=ALL_KEYS) -> list[dict]:
    """Complaint KPIs of each period of the same filters: latency over complaints received in the period; open
    complaints and overdue actions at its end (the as-of day: the period's end, or the latest day of the data for the
    whole history). Latency and the open count are one set-based query each for all periods; each query runs only
    when `keys` asks for what it gives."""
    from . import complaints as cx
    as_ofs = [as_of_date(con, f) for f in filters_list]
    p = period_params(filters_list) | {"period_ends": [min(f.date_to, a) for f, a in zip(filters_list, as_ofs)],
                                  "as_ofs": as_ofs}
    latency_keys = ("first_response_hours_median", "first_response_hours_p90", "resolution_hours_median",
                    "resolution_hours_p90", "sla_breach_pct")
    latency = open_by_day = overdue_by_day = None
    if _wants(keys, *latency_keys):
        # Calendar hours and the default targets (the Complaints page's defaults), counted in DuckDB.
        targets = cx.default_targets(db.run(con, "complaints/severity_options", p)["severity"].tolist())
        latency = by_period(db.run(con, "complaints/period_latency", p | cx.sla_params(targets)))
    if "open_complaints" in keys:
        backlog = db.run(con, "complaints/open_backlog", p | {"age_bounds_days": cx.AGE_BOUNDS_DAYS})
        open_by_day = backlog.groupby("as_of")["complaints"].sum()
    if "overdue_actions" in keys:
        # Overdue on each as-of day (which does not depend on where the period starts).
        overdue = db.aggregate(con, "complaints/corrective_actions", p | {"date_from": min(p["period_starts"])},
                               "as_of, count(*) filter (where action_state = 'overdue') as overdue", "as_of")
        overdue_by_day = {pd.Timestamp(r.as_of).date(): int(r.overdue) for r in overdue.itertuples()}
    r2 = lambda v: None if v is None or v != v else round(float(v), 2)  # noqa: E731
    out = []
    for f, as_of, end in zip(filters_list, as_ofs, p["period_ends"]):
        kpis = {}
        if latency is not None:
            lat = latency[(f.date_from, end)].iloc[0]
            kpis |= {"first_response_hours_median": r2(lat["first_response_median_h"]),
                     "first_response_hours_p90": r2(lat["first_response_p90_h"]),
                     "resolution_hours_median": r2(lat["resolution_median_h"]),
                     "resolution_hours_p90": r2(lat["resolution_p90_h"]), "sla_breach_pct": r2(lat["breach_pct"])}
        if open_by_day is not None:
            kpis["open_complaints"] = int(open_by_day.get(pd.Timestamp(as_of), 0))
        if overdue_by_day is not None:
            kpis["overdue_actions"] = overdue_by_day.get(as_of, 0)
        out.append(kpis)
    return out


def complaints(con, filters: Filters) -> dict:
    """Complaint KPIs of the period: complaints_many for one period."""
    return complaints_many(con, [filters])[0]


STALE_DAYS = 365
POOL_DAYS = 180


def records_many(con, filters_list: list[Filters], keys=ALL_KEYS) -> list[dict]:
    """Customer-record KPIs (docs/metrics.md) of each period of the same filters: completeness, stale records and
    the public pool as of each period's end (customers/record_kpis.sql), ABC counts of each period's revenue
    (abc_counts.sql), one query each for all periods; duplicate clusters of the customers in view (the pairs the
    import found, the same whatever the period). Each runs only when `keys` asks for what it gives."""
    from . import records as rx
    as_ofs = [as_of_date(con, f) for f in filters_list]
    counts = clusters = abc = None
    if _wants(keys, "record_completeness_pct", "stale_records", "public_pool_candidates"):
        # (Completeness alone reads the records alone: with_day_counts false.)
        counts = db.run(con, "customers/record_kpis", filters_list[0].params() | {
            "as_ofs": as_ofs, "stale_days": STALE_DAYS, "pool_days": POOL_DAYS,
            "with_day_counts": _wants(keys, "stale_records", "public_pool_candidates")}).set_index("as_of")
    if "duplicate_clusters" in keys:
        clusters = rx.view_clusters(con, filters_list[0].params() | {"as_of": as_ofs[-1]})
    if "segment_counts" in keys:
        abc = by_period(db.run(con, "customers/abc_counts", period_params(filters_list) | {"a_pct": 80.0, "b_pct": 95.0}))
    out = []
    for f, as_of in zip(filters_list, as_ofs):
        kpis = {}
        if counts is not None:
            c = counts.loc[pd.Timestamp(as_of)]
            kpis |= {"record_completeness_pct": round(float(c["record_completeness_pct"]), 2),
                     "stale_records": int(c["stale_records"])}
        if clusters is not None:
            kpis["duplicate_clusters"] = int(clusters["cluster"].nunique())
        if counts is not None:
            kpis["public_pool_candidates"] = int(c["public_pool_candidates"])
        if abc is not None:
            kpis["segment_counts"] = {r.abc: int(r.customers) for r in abc[(f.date_from, f.date_to)].itertuples()}
        out.append({k: v for k, v in kpis.items() if k in keys})
    return out


def records(con, filters: Filters) -> dict:
    """Customer-record KPIs of the period: records_many for one period."""
    return records_many(con, [filters])[0]


def compute(con, filters: Filters) -> dict:
    """Every KPI key, in one JSON-ready object."""
    return compute_many(con, [filters])[0]


# Each family with the keys it gives, in the key order compute() has always given.
FAMILIES = ((HEADLINE_KEYS, headline_many), (CHURN_KEYS, churn_many), (REGION_KEYS, regions_many),
            (COMPLAINT_KEYS, complaints_many), (RECORD_KEYS, records_many))


def compute_many(con, filters_list: list[Filters], workers: int = 2, keys=ALL_KEYS) -> list[dict]:
    """compute() for several periods of the same filters (the Overview's eight quarters), in the order given, with
    the keys asked for (all of them unless `keys` names fewer). Each KPI family is set-based (one query per KPI file
    for all the periods), and the families run on `workers` threads (DuckDB releases the GIL while it works)."""
    keys = frozenset(keys)
    _, _, currency = data_range(con)
    families = [family for family_keys, family in FAMILIES if keys & set(family_keys)]
    if workers > 1:
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(lambda family: family(con, filters_list, keys=keys), families))
    else:
        parts = [family(con, filters_list, keys=keys) for family in families]
    merged = [{"period_from": f.date_from.isoformat(), "period_to": f.date_to.isoformat(),
               "reporting_currency": currency} for f in filters_list]
    for family in parts:
        for one, values in zip(merged, family):
            one.update(values)
    return merged
