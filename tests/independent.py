"""Straight pandas re-implementations of the dashboard's definitions, written from docs/metrics.md, used only to
check the SQL. They read the sample company's export files directly, not the database."""
import datetime as dt

import numpy as np
import pandas as pd

from cockpit import complaints as cx
from cockpit.countries import to_iso2
from tests.conftest import ROOT

SAMPLE = ROOT / "data" / "sample"


def sample_orders() -> pd.DataFrame:
    orders = pd.read_csv(SAMPLE / "erp_order_lines.csv", parse_dates=["Order Date"])
    fx = pd.read_csv(SAMPLE / "fx_rates.csv", parse_dates=["valid_from"]).sort_values("valid_from")
    orders = orders.sort_values("Order Date")
    rates = []
    for cur, part in orders.groupby("Currency"):
        if cur == "USD":
            rates.append(pd.Series(1.0, index=part.index))
            continue
        r = pd.merge_asof(part[["Order Date"]].reset_index(), fx[fx.currency == cur], left_on="Order Date",
                          right_on="valid_from").set_index("index")["rate_to_reporting"]
        rates.append(r)
    orders["usd"] = orders["Amount"] * pd.concat(rates).reindex(orders.index)
    return orders.rename(columns={"Customer ID": "customer_id", "Order Date": "ordered_on", "Order No.": "order_id"})


def sample_customers() -> pd.DataFrame:
    crm = pd.read_csv(SAMPLE / "crm_customers_客户.csv", encoding="gb18030", dtype=str)
    crm["country_code"] = crm["国家"].map(to_iso2)
    return crm.rename(columns={"客户编号": "customer_id", "业务员": "sales_rep", "客户来源": "source_channel"})


def rhythm_status(orders: pd.DataFrame, as_of, risk=1.5, lapse=3.0, lapse_days=365, few_days=180) -> pd.Series:
    """customer_id -> status, from the distinct dates of positive order lines on or before as_of."""
    as_of = pd.Timestamp(as_of)
    pos = orders[(orders["amount"] > 0) & (orders["ordered_on"] <= as_of + pd.Timedelta(hours=23, minutes=59))]
    out = {}
    for cid, part in pos.groupby("customer_id"):
        dates = np.sort(part["ordered_on"].dt.normalize().unique())
        days_since = (as_of.normalize() - pd.Timestamp(dates[-1])).days
        if len(dates) >= 3:
            gap = float(np.median(np.diff(dates).astype("timedelta64[D]").astype(float)))
            if days_since > lapse * gap or days_since > lapse_days:
                out[cid] = "lapsed"
            elif days_since > risk * gap:
                out[cid] = "at_risk"
            else:
                out[cid] = "on_rhythm"
        else:
            out[cid] = "lapsed" if days_since > lapse_days else "at_risk" if days_since > few_days else "on_rhythm"
    return pd.Series(out)


def funnel_levels(date_from, date_to) -> pd.Series:
    """customer_id -> furthest step (1..6) for the sample company, as defined in docs/metrics.md."""
    pipe = pd.read_csv(SAMPLE / "crm_pipeline.csv", parse_dates=["Date"])
    pipe = pipe[pipe["Date"] <= pd.Timestamp(date_to)]
    level = {"inquiry": 1, "quote": 2, "sample": 3, "order": 4}
    ev = pipe.assign(level=pipe["Stage"].map(level)).groupby("Customer ID")["level"].max()
    orders = sample_orders()
    o = orders[(orders["Amount"] > 0) & (orders["ordered_on"] <= pd.Timestamp(date_to))]
    n_dates = o.groupby("customer_id")["ordered_on"].nunique()
    active = set(o.loc[o["ordered_on"] >= pd.Timestamp(date_from), "customer_id"])
    out = {}
    for cid in set(ev.index) | set(n_dates.index):
        n = n_dates.get(cid, 0)
        if n >= 2 and cid in active:
            out[cid] = 6
        elif n >= 2:
            out[cid] = 5
        elif n >= 1 or ev.get(cid) == 4:
            out[cid] = 4
        else:
            out[cid] = int(ev.get(cid, 0))
    return pd.Series(out)


def concentration(rows: pd.DataFrame, value: str = "revenue") -> dict:
    """Concentration from rows of customer × country (× currency) with a revenue column, written from
    docs/metrics.md: shares in percent of positive totals, 'unknown' not a country, HHI = Σ share²."""
    def shares(revenue: pd.Series) -> pd.Series:
        positive = revenue[revenue > 0].sort_values(ascending=False)
        return positive * 100.0 / positive.sum() if positive.sum() > 0 else positive
    cs = shares(rows[rows["country_code"] != "unknown"].groupby("country_code")[value].sum())
    us = shares(rows.groupby("customer_id")[value].sum())
    top = lambda s, n: float(s.head(n).sum()) if len(s) else 0.0  # noqa: E731
    return {"revenue": float(rows[value].sum()), "hhi_countries": float((cs ** 2).sum()),
            "hhi_customers": float((us ** 2).sum()), "top_country": cs.index[0] if len(cs) else None,
            "top_country_share_pct": top(cs, 1), "top3_countries_share_pct": top(cs, 3),
            "top5_countries_share_pct": top(cs, 5), "top1_customers_share_pct": top(us, 1),
            "top3_customers_share_pct": top(us, 3), "top5_customers_share_pct": top(us, 5),
            "major_customers": us[us >= 10.0].index.tolist(), "customers_with_revenue": int(len(us)),
            "countries_with_revenue": int(len(cs))}


# The complaint lifecycle counted with pandas from the complaint rows (also the bench's pandas comparison).

def open_at(rows: pd.DataFrame, as_of: dt.datetime) -> pd.DataFrame:
    """Complaints received by as_of and not resolved by it, with their age in days and age bucket."""
    end = pd.Timestamp(as_of)
    received = pd.to_datetime(rows["received_at"])
    resolved = pd.to_datetime(rows["resolved_at"])
    o = rows[(received <= end) & (resolved.isna() | (resolved > end))].copy()
    o["age_days"] = (end - pd.to_datetime(o["received_at"])).dt.total_seconds() / 86400
    o["age_bucket"] = pd.cut(o["age_days"], bins=[b[0] for b in cx.AGE_BUCKETS] + [float("inf")], right=False,
                             labels=[b[2] for b in cx.AGE_BUCKETS])
    return o.sort_values("age_days", ascending=False)


def actions(rows: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Corrective actions with their state at as_of: verified on time, verified late, overdue, open (not yet due)."""
    a = rows[rows["corrective_action"].notna() | rows["action_due_on"].notna()].copy()
    due = pd.to_datetime(a["action_due_on"]).dt.date
    ver = pd.to_datetime(a["action_verified_on"]).dt.date
    verified_by = ver.where(ver.notna() & (ver <= as_of) if len(a) else ver.notna(), None)

    def state(d, v):
        if v is not None and not pd.isna(v):
            return "verified_on_time" if d is None or pd.isna(d) or v <= d else "verified_late"
        if d is not None and not pd.isna(d) and d < as_of:
            return "overdue"
        return "open"
    a["action_state"] = [state(d, v) for d, v in zip(due, verified_by)]
    a["days_overdue"] = [(as_of - d).days if s == "overdue" else None for d, s in zip(due, a["action_state"])]
    return a


def recurrence(rows: pd.DataFrame, date_from: dt.date, date_to: dt.date, days: int = cx.RECURRENCE_DAYS) -> pd.DataFrame:
    """Complaints received in the period followed, within `days`, by a new complaint from the same customer in
    the same category or with the same root cause."""
    r = rows.assign(received=pd.to_datetime(rows["received_at"]))
    period = cx.in_period(r, date_from, date_to)
    later = r[["complaint_id", "customer_id", "category", "root_cause", "received"]]
    m = period.merge(later, on="customer_id", suffixes=("", "_next"))
    gap = (m["received_next"] - m["received"]).dt.total_seconds() / 86400
    same = (m["category"] == m["category_next"]) | (m["root_cause"].notna() & (m["root_cause"] == m["root_cause_next"]))
    hit = m[(gap > 0) & (gap <= days) & same & (m["complaint_id"] != m["complaint_id_next"])]
    out = period.copy()
    recurred = set(hit["complaint_id"])  # a set: pandas' isin on Arrow text with 40,000 values took 0.35 s
    out["recurred"] = np.fromiter((c in recurred for c in out["complaint_id"]), dtype=bool, count=len(out))
    return out


def recurrence_pct(rec: pd.DataFrame) -> float | None:
    return float(rec["recurred"].mean() * 100) if len(rec) else None


def backlog(open_rows: pd.DataFrame) -> pd.DataFrame:
    counts = open_rows["age_bucket"].value_counts().reindex([b[2] for b in cx.AGE_BUCKETS], fill_value=0)
    return pd.DataFrame({"age_bucket": counts.index, "complaints": counts.to_numpy()})
