"""Straight pandas re-implementations of the dashboard's definitions, written from docs/metrics.md, used only to
check the SQL. They read the sample company's export files directly, not the database."""
import datetime as dt

import numpy as np
import pandas as pd

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
