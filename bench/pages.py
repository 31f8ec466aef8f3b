"""Each page's whole query set, run the way the page runs it (same SQL files, same cockpit functions), and a
straightforward pandas implementation of the same computations for comparison."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cockpit import churn
from cockpit import complaints as cx
from cockpit import records as rx
from cockpit import regions as rg
from cockpit.filters import Filters, quarters_ending
from tests import independent as ind

Q = Filters(dt.date(2026, 7, 1), dt.date(2026, 9, 30), all_customers=True)
PREV = Filters(dt.date(2026, 4, 1), dt.date(2026, 6, 30), all_customers=True)
RULES = churn.RhythmRules().params()


def overview(con):
    """The KPI cards of the eight quarters the page shows (every KPI family: the cards show the change against the
    previous quarter and last year, the sparklines all eight), the movers, revenue by month this year and last,
    revenue by country."""
    from cockpit import overview as ov
    series = ov.quarter_table(ov.quarters(con, Q))
    ov.movers(con, Q, PREV)
    ov.revenue_by_month(con, Q), ov.revenue_by_month(con, Q.year_before())
    ov.revenue_by_country(series.iloc[-1].to_dict())


def regions(con):
    """The Regions page's view (cockpit/regions.py view): country table with last year and lapsed customers, revenue
    by region, concentration and the what-if, the Pareto line, the quarterly trend."""
    rg.view(con, Q)


def complaints(con):
    """The Complaints page's view (cockpit/complaints.py view) in calendar hours, the default: latencies, SLA, the
    monthly trend, resolution boxes, latency by category, backlog, oldest open, corrective actions, recurrence and
    the timeline picker's recent complaints."""
    cx.view(con, Q)


def customers(con):
    """The Customers page's view (cockpit/records.py view): record KPIs, completeness by field and rep, the fix list,
    duplicates, the public pool, ABC, RFM, the ABC migration and the 360 of the largest customer."""
    rx.view(con, Q)


def churn_page(con):
    """The Churn page's view (cockpit/churn.py view): status, flagged list, retention, funnel, cohorts, hidden big
    accounts, former top customers, complaint lapse rates."""
    churn.view(con, Q)


PAGES = {"overview": overview, "regions": regions, "complaints": complaints, "customers": customers, "churn": churn_page}


# --------------------------------------------------------------------------------------------- pandas versions

def load_frames(parquet_dir) -> dict:
    orders = pd.read_parquet(parquet_dir / "order_lines.parquet")
    orders["Order Date"] = pd.to_datetime(orders["Order Date"])
    fx = pd.read_parquet(parquet_dir / "fx_rates.parquet")
    fx["valid_from"] = pd.to_datetime(fx["valid_from"])
    customers = pd.read_parquet(parquet_dir / "customers.parquet")
    complaints = pd.read_parquet(parquet_dir / "complaints.parquet")
    for c in ("Date Received", "First Response", "Date Closed"):
        complaints[c] = pd.to_datetime(complaints[c].replace("", None))
    orders = orders.sort_values("Order Date")
    rate = pd.Series(1.0, index=orders.index)
    for cur in ("EUR", "CNY"):
        m = orders["Currency"] == cur
        r = pd.merge_asof(orders.loc[m, ["Order Date"]].reset_index(), fx[fx.currency == cur].sort_values("valid_from"),
                          left_on="Order Date", right_on="valid_from").set_index("index")["rate_to_reporting"]
        rate[m] = r
    orders["usd"] = orders["Amount"] * rate
    orders = orders.merge(customers[["Customer ID", "Country", "Sales Rep", "Segment"]], on="Customer ID", how="left")
    return {"orders": orders, "customers": customers, "complaints": complaints}


def _period(o, f):
    return o[(o["Order Date"] >= pd.Timestamp(f.date_from)) & (o["Order Date"] <= pd.Timestamp(f.date_to))]


def _pd_headline(o, f, first):
    p = _period(o, f)
    p["usd"].sum(), p["Order No."].nunique(), p.loc[p["Amount"] > 0, "Customer ID"].nunique()
    pos = p[p["Amount"] > 0]
    (pos["Order Date"] == pos["Customer ID"].map(first)).sum()
    p.groupby("Country")["usd"].sum()


def pd_overview(fr):
    """The same as the Overview's set: every KPI family for the eight quarters its cards and sparklines show,
    movers, months."""
    o = fr["orders"]
    first = o[o["Amount"] > 0].groupby("Customer ID")["Order Date"].min()
    for f in quarters_ending(Q):
        _pd_headline(o, f, first)
        pd_churn(fr, only_status=True, f=f)
        pd_regions(fr, only_shares=True, f=f)
        pd_complaints(fr, only_kpis=True, f=f)
        pd_customers(fr, only_kpis=True, f=f)
    now, before = _period(o, Q), _period(o, PREV)
    for key in ("Country", "Customer ID"):
        d = pd.DataFrame({"now": now.groupby(key)["usd"].sum(), "before": before.groupby(key)["usd"].sum()}).fillna(0.0)
        d["change"] = d["now"] - d["before"]
        d.nlargest(5, "change"), d.nsmallest(5, "change")
    for f in (Q, Q.year_before()):
        p = _period(o, f)
        p.groupby(p["Order Date"].dt.to_period("M"))["usd"].sum()


def _shares(s):
    s = s[s > 0]
    return s / s.sum() * 100


def pd_regions(fr, only_shares=False, f=Q):
    o = fr["orders"]
    p = _period(o, f)
    by_c = _shares(p.groupby("Country")["usd"].sum())
    by_u = _shares(p.groupby("Customer ID")["usd"].sum())
    (by_c ** 2).sum(), (by_u ** 2).sum(), by_u.sort_values(ascending=False).cumsum()
    if only_shares:
        return
    ly = _period(o, f.year_before()).groupby("Country")["usd"].sum()
    p.groupby("Country").agg(revenue=("usd", "sum"), orders=("Order No.", "nunique")).join(ly.rename("ly"))
    regions = fr["customers"].set_index("Customer ID")["Country"]
    p.groupby(p["Customer ID"].map(regions))["usd"].sum()
    q = o[o["Order Date"] <= pd.Timestamp(f.date_to)]
    for _, part in q.groupby(q["Order Date"].dt.to_period("Q")):
        (_shares(part.groupby("Country")["usd"].sum()) ** 2).sum(), (_shares(part.groupby("Customer ID")["usd"].sum()) ** 2).sum()
    status = pd_churn(fr, only_status=True, f=f)
    status.groupby(status.index.map(regions)).size()


def _pd_complaint_rows(fr, f, since):
    k = fr["complaints"]
    c = fr["customers"]
    k = k[k["Date Received"] <= pd.Timestamp(f.date_to) + pd.Timedelta(hours=23, minutes=59, seconds=59)]
    rows = k.merge(c[["Customer ID", "Customer Name", "Country", "Sales Rep"]], on="Customer ID", how="left").rename(columns={
        "Complaint ID": "complaint_id", "Customer ID": "customer_id", "Customer Name": "customer_name",
        "Country": "country_code", "Sales Rep": "sales_rep", "Date Received": "received_at",
        "First Response": "first_response_at", "Date Closed": "resolved_at", "Severity": "severity",
        "Category": "category"})
    for col in ("root_cause", "corrective_action", "action_due_on", "action_verified_on"):
        if col not in rows:
            rows[col] = None
    rows["hours_to_first_response"] = (rows["first_response_at"] - rows["received_at"]).dt.total_seconds() / 3600
    rows["hours_to_resolution"] = (rows["resolved_at"] - rows["received_at"]).dt.total_seconds() / 3600
    return cx.with_latency(rows)


def pd_complaints(fr, only_kpis=False, f=Q):
    """The page's computations with pandas from the raw tables, then the same lifecycle functions."""
    rows = _pd_complaint_rows(fr, f, None)
    end = dt.datetime.combine(f.date_to, dt.time(23, 59, 59))
    period = cx.in_period(rows, f.date_from, f.date_to)
    targets = cx.default_targets(sorted(rows["severity"].fillna("").unique()))
    judged = cx.sla(period, targets, end)
    cx.quantiles(period["first_response_h"]), cx.quantiles(period["resolution_h"]), cx.breach_pct(judged)
    open_rows = ind.open_at(rows, end)
    acts = ind.actions(rows, f.date_to)
    cx.overdue_count(acts)
    if only_kpis:
        return
    recent = rows[rows["received_at"].dt.date >= f.date_from - dt.timedelta(days=365)]
    cx.monthly(cx.sla(recent, targets, end))
    cx.latency_by(period, "category"), ind.backlog(open_rows), open_rows.head(50)
    cx.on_time_share(acts, f.date_from, f.date_to), ind.recurrence_pct(ind.recurrence(period, f.date_from, f.date_to))


def _pd_records(fr, f):
    c = fr["customers"].rename(columns={"Customer ID": "customer_id", "Customer Name": "customer_name", "Country": "country_code",
                                        "Sales Rep": "sales_rep", "Segment": "segment", "Industry": "industry",
                                        "Email": "email", "Phone": "phone"})
    for col in ("source_channel", "website", "last_contact_on", "updated_on"):
        c[col] = None
    c["created_on"] = pd.to_datetime(c["Created"])
    o = fr["orders"]
    o = o[o["Order Date"] <= pd.Timestamp(f.date_to)]
    pos = o[o["Amount"] > 0]
    facts = pd.DataFrame({"last_order_on": pos.groupby("Customer ID")["Order Date"].max(),
                          "first_order_on": pos.groupby("Customer ID")["Order Date"].min(),
                          "lifetime_revenue": o.groupby("Customer ID")["usd"].sum(),
                          "lifetime_orders": o.groupby("Customer ID")["Order No."].nunique(),
                          "revenue_l12m": o[o["Order Date"] > pd.Timestamp(f.date_to) - pd.Timedelta(days=365)].groupby("Customer ID")["usd"].sum(),
                          "order_dates_l12m": pos[pos["Order Date"] > pd.Timestamp(f.date_to) - pd.Timedelta(days=365)].groupby("Customer ID")["Order Date"].nunique()})
    rec = c.merge(facts, left_on="customer_id", right_index=True, how="left")
    return rec.fillna({"lifetime_revenue": 0.0, "lifetime_orders": 0, "revenue_l12m": 0.0, "order_dates_l12m": 0})


def _pd_revenue(fr, f):
    return _period(fr["orders"], f).groupby("Customer ID")["usd"].sum().rename("revenue").reset_index().rename(columns={"Customer ID": "customer_id"})


def _pd_abc(revenue: pd.DataFrame, a: float = 80.0, b: float = 95.0) -> pd.Series:
    r = revenue[revenue["revenue"] > 0].sort_values(["revenue", "customer_id"], ascending=[False, True])
    before = (r["revenue"].cumsum() - r["revenue"]) / r["revenue"].sum() * 100
    return pd.Series(np.where(before < a, "A", np.where(before < b, "B", "C")), index=r["customer_id"])


def _pd_rfm(rec: pd.DataFrame, as_of) -> pd.Series:
    """Customers per RFM segment (docs/metrics.md "RFM"): each score the quintile of the customer's rank."""
    r = rec[rec["last_order_on"].notna()]
    score = lambda v: np.ceil(v.rank(method="first") / len(v) * 5).clip(1, 5).astype(int)  # noqa: E731
    rs = score(-(pd.Timestamp(as_of) - pd.to_datetime(r["last_order_on"])).dt.days)
    fm = (score(r["order_dates_l12m"]) + score(r["revenue_l12m"]) + 1) // 2
    segment = np.select([(rs == 5) & (fm >= 4), (rs >= 3) & (fm >= 4), (rs == 1) & (fm >= 4), (rs <= 2) & (fm >= 3),
                         (rs >= 4) & (fm >= 2), rs == 5, rs == 4, (rs == 3) & (fm >= 2), rs == 3, (rs == 2), rs == 1],
                        ["champions", "loyal", "cant_lose", "at_risk", "potential", "new", "promising",
                         "need_attention", "about_to_sleep", "hibernating", "lost"], "need_attention")
    return pd.Series(segment).value_counts()


def pd_customers(fr, only_kpis=False, f=Q):
    """The page's records and their rules worked out with pandas from the raw tables (docs/metrics.md)."""
    rec = _pd_records(fr, f)
    clusters = rx.duplicate_clusters(rec)
    has = pd.DataFrame({k: rec[k].notna() & ~rec[k].astype("string").str.strip().isin(["", "nan", "None"]).fillna(True)
                        for k in rx.QUALITY_FIELDS if k in rec})
    touched = pd.concat([pd.to_datetime(rec["updated_on"]), pd.to_datetime(rec["last_contact_on"])], axis=1).max(axis=1)
    stale = touched.fillna(rec["created_on"]) < pd.Timestamp(f.date_to) - pd.Timedelta(days=365)
    cutoff = pd.Timestamp(f.date_to) - pd.Timedelta(days=180)
    pool = ~has["sales_rep"] | ((rec["last_order_on"].isna() | (rec["last_order_on"] < cutoff))
                                & (pd.to_datetime(rec["last_contact_on"]).isna()))
    has.to_numpy().mean(), int(stale.sum()), rec[pool].sort_values("lifetime_revenue", ascending=False)
    revenue = _pd_revenue(fr, f)
    classes = _pd_abc(revenue)
    classes.value_counts()
    if only_kpis:
        return
    score = (has.mean(axis=1) * 100 - 20 * stale - 20 * rec["customer_id"].isin(set(clusters["customer_id"]))).clip(lower=0)
    has.mean(), has.assign(score=score).groupby(rec["sales_rep"].fillna("")).mean(), _pd_rfm(rec, f.date_to)
    before = _pd_abc(_pd_revenue(fr, PREV))
    ids = before.index.union(classes.index)
    pd.crosstab(before.reindex(ids).fillna("—"), classes.reindex(ids).fillna("—"))
    top = rec.sort_values("lifetime_revenue", ascending=False)["customer_id"].iloc[0]
    o = fr["orders"]
    o[o["Customer ID"] == top].groupby("Order No.").agg(total=("usd", "sum"), lines=("usd", "size"))
    pd_churn(fr, only_status=True, f=f)
    fr["complaints"][fr["complaints"]["Customer ID"] == top]


def pd_churn(fr, only_status=False, f=Q):
    o = fr["orders"]
    o = o[(o["Amount"] > 0) & (o["Order Date"] <= pd.Timestamp(f.date_to))]
    d = o[["Customer ID", "Order Date"]].drop_duplicates().sort_values(["Customer ID", "Order Date"])
    gaps = d.groupby("Customer ID")["Order Date"].diff().dt.days
    per = d.assign(gap=gaps).groupby("Customer ID").agg(n=("Order Date", "size"), last=("Order Date", "max"), med=("gap", "median"))
    since = (pd.Timestamp(f.date_to) - per["last"]).dt.days
    per["status"] = np.where(per["n"] >= 3, np.where((since > 3 * per["med"]) | (since > 365), "lapsed",
                                                     np.where(since > 1.5 * per["med"], "at_risk", "on_rhythm")),
                             np.where(since > 365, "lapsed", np.where(since > 180, "at_risk", "on_rhythm")))
    if only_status:
        return per
    all_o = fr["orders"][fr["orders"]["Order Date"] <= pd.Timestamp(f.date_to)]
    l12 = all_o[all_o["Order Date"] > pd.Timestamp(f.date_to) - pd.Timedelta(days=365)].groupby("Customer ID")["usd"].sum()
    p12 = all_o[(all_o["Order Date"] <= pd.Timestamp(f.date_to) - pd.Timedelta(days=365))
                & (all_o["Order Date"] > pd.Timestamp(f.date_to) - pd.Timedelta(days=730))].groupby("Customer ID")["usd"].sum()
    per = per.join(l12.rename("l12")).join(p12.rename("p12")).fillna({"l12": 0.0, "p12": 0.0})
    per[per["status"] != "on_rhythm"].sort_values("l12", ascending=False)
    base = per[per["p12"] > 0]
    base["l12"].clip(lower=0).sum() / base["p12"].sum()
    first = o.groupby("Customer ID")["Order Date"].min().dt.to_period("Q")
    act = o.assign(cohort=o["Customer ID"].map(first), q=o["Order Date"].dt.to_period("Q"))
    act.groupby(["cohort", "q"])["Customer ID"].nunique()
    per["n"].clip(upper=2).value_counts()
    (per["l12"] - per["p12"]).quantile(0.8), per[per["p12"] >= per["p12"].quantile(0.8)]


PANDAS = {"overview": pd_overview, "regions": pd_regions, "complaints": pd_complaints, "customers": pd_customers,
          "churn": pd_churn}
