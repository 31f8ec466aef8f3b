"""A deterministic export company at any scale, generated with vectorised numpy (no per-row Python).

Files (CSV and Parquet of the same rows): customers, order lines (USD/EUR/CNY), fx rates, complaints. `topup` writes
the month after the history: new order lines of existing and new customers, and the new customers' records (what an
export company imports every month on top of its history).

Two shapes of company (`shape`): "bench", three years of orders of about three lines each, every customer named
apart; "long", six years of orders of 1-6 numbered lines (a Line No. column), ~5 % of customers sharing a name
with another (a branch, a re-registration) and a heavier tail of large customers. The importer must not depend on
either: what fits one shape's memory or speed must hold for the other."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

SCALES = {"100k": (100_000, 2_000, 5_000), "1M": (1_000_000, 20_000, 50_000), "10M": (10_000_000, 200_000, 500_000)}
COUNTRIES = np.array(["US", "DE", "AE", "GB", "FR", "IT", "ES", "NL", "PL", "BR", "MX", "CA", "AU", "JP", "KR", "IN", "VN",
                      "TH", "MY", "SG", "SA", "TR", "EG", "ZA", "NG", "RU", "CL", "BE", "SE", "CH"])
REPS = np.array(["Li Wei", "Zhang Min", "Wang Fang", "Chen Jie", "Liu Yang", "Zhao Lei", "Anna Müller", "David Smith", ""])
# shape: (first order day, days of orders, Zipf exponent of customer size)
SHAPES = {"bench": (np.datetime64("2023-10-01"), 1146, 1.6),   # to 2026-11-20
          "long": (np.datetime64("2020-11-20"), 2191, 1.4)}


def generate(scale: str, out: Path, seed: int = 7, shape: str = "bench") -> dict:
    lines, n_customers, n_complaints = SCALES[scale]
    START, DAYS, zipf = SHAPES[shape]
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    cid = np.array([f"C{i:07d}" for i in range(n_customers)])
    weights = rng.zipf(zipf, n_customers).astype(float)
    weights = np.minimum(weights, 5000)
    weights /= weights.sum()
    country = COUNTRIES[rng.choice(len(COUNTRIES), n_customers, p=np.linspace(3, 1, len(COUNTRIES)) / np.linspace(3, 1, len(COUNTRIES)).sum())]
    currency = np.where(np.isin(country, ["DE", "FR", "IT", "ES", "NL", "PL", "BE"]), "EUR",
                        np.where(country == "RU", "CNY", "USD"))
    customers = pd.DataFrame({
        "Customer ID": cid, "Customer Name": _names(rng, n_customers, shared=0.05 if shape == "long" else 0.0),
        "Country": country,
        "Sales Rep": REPS[rng.integers(0, len(REPS), n_customers)], "Segment": rng.choice(["A", "B", "C", ""], n_customers),
        "Industry": rng.choice(["Retail", "Wholesale", "E-commerce", ""], n_customers),
        "Email": np.where(rng.random(n_customers) < 0.8, np.char.add(np.char.add("buyer@", cid), ".com"), ""),
        "Phone": np.where(rng.random(n_customers) < 0.85, [f"+1 555 {i:07d}" for i in range(n_customers)], ""),
        "Created": (START - rng.integers(0, 900, n_customers)).astype("datetime64[D]").astype(str),
    })
    rng.choice(n_customers, lines, p=weights)  # unused: kept so that the bench company's draws stay the same
    if shape == "long":
        # Orders of 1-6 lines, numbered within their order.
        sizes = rng.integers(1, 7, lines // 3 + 1)
        sizes = sizes[:np.searchsorted(np.cumsum(sizes), lines) + 1]
        sizes[-1] -= sizes.sum() - lines
        n_orders = len(sizes)
        order_of_line = np.repeat(np.arange(n_orders), sizes)
        line_no = np.arange(lines) - np.repeat(np.cumsum(sizes) - sizes, sizes) + 1
    else:
        n_orders = max(1, lines // 3)
        order_of_line = np.sort(rng.integers(0, n_orders, lines))
        line_no = None
    order_customer = rng.choice(n_customers, n_orders, p=weights)
    who = order_customer[order_of_line]
    order_day = START + rng.integers(0, DAYS, n_orders).astype("timedelta64[D]")
    amount = np.round(np.exp(rng.normal(6.5, 1.1, lines)), 2)
    amount[rng.random(lines) < 0.01] *= -1
    orders = pd.DataFrame({
        "Order No.": np.char.add("SO", order_of_line.astype(str)), "Customer ID": cid[who],
        "Order Date": order_day[order_of_line].astype(str), "Product": rng.choice(["Lamp", "Pot", "Drill", "Chair"], lines),
        "Amount": amount, "Currency": currency[who],
    })
    if line_no is not None:
        orders.insert(1, "Line No.", line_no)
    fx_from = "2022-01-01" if shape == "bench" else str(START - np.timedelta64(700, "D"))[:7] + "-01"
    months = pd.date_range(fx_from, "2026-12-01", freq="MS")
    fx = pd.DataFrame({"currency": np.repeat(["EUR", "CNY"], len(months)),
                       "valid_from": np.tile(months.strftime("%Y-%m-%d"), 2),
                       "rate_to_reporting": np.concatenate([1.08 + rng.normal(0, 0.02, len(months)),
                                                            0.139 + rng.normal(0, 0.002, len(months))]).round(5)})
    received = START + rng.integers(0, DAYS * 24 * 60, n_complaints).astype("timedelta64[m]")
    fr = received + np.exp(rng.normal(2.5, 1.0, n_complaints)).astype("int64").astype("timedelta64[h]")
    res = received + np.exp(rng.normal(5.0, 0.8, n_complaints)).astype("int64").astype("timedelta64[h]")
    resolved = np.where(rng.random(n_complaints) < 0.9, res.astype(str), "")
    complaints = pd.DataFrame({
        "Complaint ID": [f"Q{i:07d}" for i in range(n_complaints)], "Customer ID": cid[rng.choice(n_customers, n_complaints, p=weights)],
        "Date Received": received.astype(str), "First Response": fr.astype(str), "Date Closed": resolved,
        "Severity": rng.choice(["Critical", "Major", "Minor"], n_complaints, p=[0.1, 0.4, 0.5]),
        "Category": rng.choice(["Quality", "Delivery", "Packaging"], n_complaints),
    })
    for folder, writer in (("csv", lambda t, p: pacsv.write_csv(t, p.with_suffix(".csv"))),
                           ("parquet", lambda t, p: pq.write_table(t, p.with_suffix(".parquet")))):
        (out / folder).mkdir(exist_ok=True)
        for name, frame in (("customers", customers), ("order_lines", orders), ("fx_rates", fx), ("complaints", complaints)):
            writer(pa.Table.from_pandas(frame, preserve_index=False), out / folder / name)
    return {"lines": lines, "customers": n_customers, "complaints": n_complaints}


TOPUP_NEW_SHARE = 0.1  # of a top-up's orders, those of customers not in the history


def topup(scale: str, out: Path, lines: int = 100_000, seed: int = 11, shape: str = "bench",
          new_share: float = TOPUP_NEW_SHARE) -> dict:
    """A month of new order lines (`lines` of them, orders of about three lines) dated the 30 days after the
    history of generate(scale, shape=shape): 90 % of the orders by the history's customers (weighted as there),
    10 % (new_share) by customers new this month (their records in customers.csv; new_share 0: none, and no
    customers.csv). Order numbers are new ('TU…'), so the import adds them and changes no line of the history. CSV in
    out/csv."""
    _, n_customers, _ = SCALES[scale]
    start, days, zipf = SHAPES[shape]
    rng = np.random.default_rng(seed)
    n_orders = max(1, lines // 3)
    weights = np.minimum(rng.zipf(zipf, n_customers).astype(float), 5000)
    weights /= weights.sum()
    n_new = max(1, int(n_orders * new_share) // 2) if new_share else 0
    new_ids = np.array([f"N{i:07d}" for i in range(n_new)], dtype="U8")
    existing = np.array([f"C{i:07d}" for i in rng.choice(n_customers, n_orders, p=weights)])
    is_new = rng.random(n_orders) < new_share
    order_customer = np.where(is_new, new_ids[rng.integers(0, max(n_new, 1), n_orders)] if n_new else "", existing)
    order_of_line = np.sort(rng.integers(0, n_orders, lines))
    first_day = start + np.timedelta64(days, "D")
    order_day = first_day + rng.integers(0, 30, n_orders).astype("timedelta64[D]")
    country = COUNTRIES[rng.integers(0, len(COUNTRIES), n_new)]
    new_currency = dict(zip(new_ids, np.where(np.isin(country, ["DE", "FR", "IT", "ES", "NL", "PL", "BE"]), "EUR", "USD")))
    who = order_customer[order_of_line]
    amount = np.round(np.exp(rng.normal(6.5, 1.1, lines)), 2)
    orders = pd.DataFrame({
        "Order No.": np.char.add("TU", order_of_line.astype(str)), "Customer ID": who,
        "Order Date": order_day[order_of_line].astype(str), "Product": rng.choice(["Lamp", "Pot", "Drill", "Chair"], lines),
        "Amount": amount, "Currency": [new_currency.get(c, "USD") for c in who],
    })
    customers = pd.DataFrame({
        "Customer ID": new_ids, "Customer Name": [f"New Buyer {i} Trading" for i in range(n_new)], "Country": country,
        "Sales Rep": REPS[rng.integers(0, len(REPS), n_new)], "Segment": rng.choice(["A", "B", "C", ""], n_new),
        "Industry": rng.choice(["Retail", "Wholesale", "E-commerce", ""], n_new),
        "Email": np.char.add(np.char.add("buyer@", new_ids), ".com"), "Phone": "",
        "Created": str(first_day),
    })
    (out / "csv").mkdir(parents=True, exist_ok=True)
    (out / "csv" / "customers.csv").unlink(missing_ok=True)
    for name, frame in (("customers", customers), ("order_lines", orders)):
        if len(frame):
            pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), out / "csv" / f"{name}.csv")
    return {"lines": lines, "new_customers": n_new, "first_day": str(first_day)}


def _names(rng, n: int, shared: float) -> list[str]:
    """Customer names, each its own, except a `shared` fraction that repeat another customer's name under another
    spelling (case, punctuation, a legal-form word), as duplicate records in a CRM do."""
    names = np.array([f"Company {i} Ltd" for i in range(n)], dtype=object)
    k = int(n * shared)
    if k:
        copies = rng.choice(n, k, replace=False)
        originals = rng.choice(n, k, replace=False)
        spellings = [lambda x: x.upper(), lambda x: x.replace(" Ltd", " Limited"), lambda x: x.replace(" Ltd", ", Ltd.")]
        for i, (c, o) in enumerate(zip(copies, originals)):
            names[c] = spellings[i % 3](f"Company {o} Ltd")
    return names.tolist()
