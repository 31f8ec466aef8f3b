"""Each page's whole query set, run the way the page runs it (same SQL files, same cockpit functions), and a
straightforward pandas implementation of the same computations for comparison."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cockpit import churn, db, kpis
from cockpit import complaints as cx
from cockpit import records as rx
from cockpit import regions as rg
from cockpit.filters import Filters

Q = Filters(dt.date(2026, 7, 1), dt.date(2026, 9, 30), all_customers=True)
PREV = Filters(dt.date(2026, 4, 1), dt.date(2026, 6, 30), all_customers=True)
RULES = churn.RhythmRules().params()


def overview(con):
    kpis.headline(con, Q), kpis.headline(con, PREV)
    db.run(con, "overview/revenue_by_month", Q.params())
    db.run(con, "kpis/revenue_by_country", Q.params())
    kpis.churn(con, Q), kpis.regions(con, Q)


def regions(con):
    ly = Q.year_before()
    db.run(con, "regions/country_table", Q.params() | {"ly_from": ly.date_from, "ly_to": ly.date_to})
    rows = db.run(con, "regions/revenue_by_customer_country", Q.params() | rg.NO_SCENARIO)
    rg.concentration(rows), rg.pareto(rows)
    db.run(con, "regions/concentration_by_quarter", Q.params())


def complaints(con):
    rows = cx.with_latency(db.run(con, "complaints/complaint_rows", Q.params()))
    period = cx.in_period(rows, Q.date_from, Q.date_to)
    end = dt.datetime(2026, 9, 30, 23, 59, 59)
    cx.sla(period, cx.default_targets(sorted(rows["severity"].unique())), end)
    cx.open_at(rows, end), cx.latency_by(period, "category")


def customers(con):
    rec = db.run(con, "customers/customer_records", Q.params() | {"as_of": Q.date_to})
    rx.completeness(rec), rx.public_pool(rec, Q.date_to, 180)
    rx.abc(db.run(con, "customers/customer_revenue", Q.params()))


def churn_page(con):
    p = Q.params() | RULES | {"as_of": Q.date_to}
    db.run(con, "churn/customer_status", p)
    db.run(con, "churn/revenue_retention", p | {"as_of_only": False})
    db.run(con, "churn/cohort_retention", p)
    db.run(con, "churn/funnel_customers", Q.params() | {"cohorts": [], "channels": []})


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


def pd_overview(fr):
    o = fr["orders"]
    first = o[o["Amount"] > 0].groupby("Customer ID")["Order Date"].min()
    for f in (Q, PREV):
        p = _period(o, f)
        p["usd"].sum(), p["Order No."].nunique(), p.loc[p["Amount"] > 0, "Customer ID"].nunique()
        pos = p[p["Amount"] > 0]
        (pos["Order Date"] == pos["Customer ID"].map(first)).sum()
    p = _period(o, Q)
    p.groupby(p["Order Date"].dt.to_period("M"))["usd"].sum()
    p.groupby("Country")["usd"].sum()
    pd_churn(fr, only_status=True)
    pd_regions(fr, only_shares=True)


def _shares(s):
    s = s[s > 0]
    return s / s.sum() * 100


def pd_regions(fr, only_shares=False):
    o = fr["orders"]
    p = _period(o, Q)
    by_c = _shares(p.groupby("Country")["usd"].sum())
    by_u = _shares(p.groupby("Customer ID")["usd"].sum())
    (by_c ** 2).sum(), (by_u ** 2).sum(), by_u.sort_values(ascending=False).cumsum()
    if only_shares:
        return
    ly = _period(o, Q.year_before()).groupby("Country")["usd"].sum()
    p.groupby("Country").agg(revenue=("usd", "sum"), orders=("Order No.", "nunique")).join(ly.rename("ly"))
    q = o[o["Order Date"] <= pd.Timestamp(Q.date_to)]
    for _, part in q.groupby(q["Order Date"].dt.to_period("Q")):
        (_shares(part.groupby("Country")["usd"].sum()) ** 2).sum(), (_shares(part.groupby("Customer ID")["usd"].sum()) ** 2).sum()


def pd_complaints(fr):
    """The page's complaint rows built with pandas from the raw tables, then the same lifecycle functions."""
    k = fr["complaints"]
    c = fr["customers"]
    k = k[k["Date Received"] <= pd.Timestamp("2026-09-30 23:59:59")]
    rows = k.merge(c[["Customer ID", "Customer Name", "Country", "Sales Rep"]], on="Customer ID", how="left").rename(columns={
        "Complaint ID": "complaint_id", "Customer ID": "customer_id", "Customer Name": "customer_name",
        "Country": "country_code", "Sales Rep": "sales_rep", "Date Received": "received_at",
        "First Response": "first_response_at", "Date Closed": "resolved_at", "Severity": "severity",
        "Category": "category"})
    rows["hours_to_first_response"] = (rows["first_response_at"] - rows["received_at"]).dt.total_seconds() / 3600
    rows["hours_to_resolution"] = (rows["resolved_at"] - rows["received_at"]).dt.total_seconds() / 3600
    rows = cx.with_latency(rows)
    period = cx.in_period(rows, Q.date_from, Q.date_to)
    end = dt.datetime(2026, 9, 30, 23, 59, 59)
    cx.sla(period, cx.default_targets(sorted(rows["severity"].unique())), end)
    cx.open_at(rows, end), cx.latency_by(period, "category")


def pd_customers(fr):
    """The page's customer records built with pandas from the raw tables, then the same record functions."""
    c = fr["customers"].rename(columns={"Customer ID": "customer_id", "Customer Name": "customer_name", "Country": "country_code",
                                        "Sales Rep": "sales_rep", "Segment": "segment", "Industry": "industry",
                                        "Email": "email", "Phone": "phone"})
    for col in ("source_channel", "website", "last_contact_on", "updated_on"):
        c[col] = None
    c["created_on"] = pd.to_datetime(c["Created"])
    o = fr["orders"]
    o = o[o["Order Date"] <= pd.Timestamp(Q.date_to)]
    pos = o[o["Amount"] > 0]
    facts = pd.DataFrame({"last_order_on": pos.groupby("Customer ID")["Order Date"].max(),
                          "first_order_on": pos.groupby("Customer ID")["Order Date"].min(),
                          "lifetime_revenue": o.groupby("Customer ID")["usd"].sum(),
                          "revenue_l12m": o[o["Order Date"] > pd.Timestamp(Q.date_to) - pd.Timedelta(days=365)].groupby("Customer ID")["usd"].sum()})
    rec = c.merge(facts, left_on="customer_id", right_index=True, how="left")
    rx.completeness(rec), rx.public_pool(rec, Q.date_to, 180)
    p = _period(fr["orders"], Q).groupby("Customer ID")["usd"].sum().rename("revenue").reset_index().rename(columns={"Customer ID": "customer_id"})
    rx.abc(p)


def pd_churn(fr, only_status=False):
    o = fr["orders"]
    o = o[(o["Amount"] > 0) & (o["Order Date"] <= pd.Timestamp(Q.date_to))]
    d = o[["Customer ID", "Order Date"]].drop_duplicates().sort_values(["Customer ID", "Order Date"])
    gaps = d.groupby("Customer ID")["Order Date"].diff().dt.days
    per = d.assign(gap=gaps).groupby("Customer ID").agg(n=("Order Date", "size"), last=("Order Date", "max"), med=("gap", "median"))
    since = (pd.Timestamp(Q.date_to) - per["last"]).dt.days
    np.where(per["n"] >= 3, np.where((since > 3 * per["med"]) | (since > 365), "lapsed", np.where(since > 1.5 * per["med"], "at_risk", "active")),
             np.where(since > 365, "lapsed", np.where(since > 180, "at_risk", "active")))
    if only_status:
        return
    first = o.groupby("Customer ID")["Order Date"].min().dt.to_period("Q")
    act = o.assign(cohort=o["Customer ID"].map(first), q=o["Order Date"].dt.to_period("Q"))
    act.groupby(["cohort", "q"])["Customer ID"].nunique()


PANDAS = {"overview": pd_overview, "regions": pd_regions, "complaints": pd_complaints, "customers": pd_customers,
          "churn": pd_churn}
