"""The importer on real exports nobody here wrote (../shared/realdata; skipped when absent)."""
import json
import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from cockpit.importer import run_import
from tests.conftest import ROOT, realdata


def kpis(db, *args):
    out = subprocess.run([sys.executable, "-m", "cockpit", "kpis", "--db", str(db), *args], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def retail_db(tmp_path_factory):
    path = realdata("uci-online-retail", "Online Retail.parquet")
    db = tmp_path_factory.mktemp("uci") / "x.duckdb"
    proc = subprocess.run([sys.executable, "-m", "cockpit", "import", str(path), "--db", str(db), "--currency", "GBP"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return db, path, proc.stdout


def test_online_retail_revenue_by_country_to_the_cent(retail_db):
    db, path, report = retail_db
    raw = pd.read_parquet(path)
    raw = raw[raw["CustomerID"].notna()]
    raw["revenue"] = raw["Quantity"] * raw["UnitPrice"]
    names = {"EIRE": "IE", "RSA": "ZA", "United Kingdom": "GB", "USA": "US", "Germany": "DE", "France": "FR",
             "Netherlands": "NL", "Australia": "AU", "Spain": "ES", "Switzerland": "CH", "Belgium": "BE"}
    expected = raw.groupby("Country")["revenue"].sum()
    got = kpis(db)
    by = got["revenue_by_country"]
    for name, code in names.items():
        assert by[code] == pytest.approx(round(expected[name], 2), abs=0.005), name
    unknown = expected[["Unspecified", "European Community", "Channel Islands"]].sum()
    assert by["unknown"] == pytest.approx(round(unknown, 2), abs=0.005)
    assert got["revenue"] == pytest.approx(round(raw["revenue"].sum(), 2), abs=0.005)
    assert got["orders"] == raw["InvoiceNo"].nunique()
    assert sum(by.values()) == pytest.approx(got["revenue"], abs=0.05)
    # The report names what is not one country, by value and count.
    assert "'Channel Islands' × 758" in report and "'Unspecified' × 244" in report
    assert "135,080 × missing customer_id" in report


def test_online_retail_filters_by_country_and_period(retail_db):
    db, path, _ = retail_db
    raw = pd.read_parquet(path)
    raw = raw[raw["CustomerID"].notna()]
    raw["revenue"] = raw["Quantity"] * raw["UnitPrice"]
    m = (raw["InvoiceDate"] >= "2011-03-01") & (raw["InvoiceDate"] < "2011-06-01") & raw["Country"].isin(["Germany", "France"])
    got = kpis(db, "--from", "2011-03-01", "--to", "2011-05-31", "--country", "DE", "France")
    assert got["revenue"] == pytest.approx(round(raw.loc[m, "revenue"].sum(), 2), abs=0.005)
    positive = raw[m & (raw["revenue"] > 0)]
    assert got["active_customers"] == positive["CustomerID"].nunique()
    first = raw[raw["revenue"] > 0].groupby("CustomerID")["InvoiceDate"].min().dt.normalize()
    new = positive.assign(first=positive["CustomerID"].map(first))
    assert got["new_customers"] == new.loc[new["InvoiceDate"].dt.normalize() == new["first"], "CustomerID"].nunique()


def test_northwind_orders_details_customers(tmp_path):
    nw = realdata("northwind")
    db = tmp_path / "nw.duckdb"
    run_import([nw / "customers.csv", nw / "orders.csv", nw / "order_details.csv"], db)
    details = pd.read_csv(nw / "order_details.csv")
    orders = pd.read_csv(nw / "orders.csv", na_values=["NULL"])
    lines = details.merge(orders[["orderID", "shipCountry"]], on="orderID")
    lines["revenue"] = lines["unitPrice"] * lines["quantity"] * (1 - lines["discount"])
    got = kpis(db)
    assert got["revenue"] == pytest.approx(1265793.04, abs=0.005)
    assert got["revenue"] == pytest.approx(round(lines["revenue"].sum(), 2), abs=0.005)
    assert got["orders"] == 830
    assert got["revenue_by_country"]["US"] == pytest.approx(round(lines.loc[lines.shipCountry == "USA", "revenue"].sum(), 2), abs=0.005)
    assert got["revenue_by_country"]["GB"] == pytest.approx(round(lines.loc[lines.shipCountry == "UK", "revenue"].sum(), 2), abs=0.005)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from customers").fetchone()[0] == 91
    assert con.execute("select count(*) from orders where shipped_on is null").fetchone()[0] > 0
    con.close()


def test_olist_multiline_quoted_fields_and_header_line_split(tmp_path):
    ol = realdata("olist-ecommerce-subset")
    mapping = tmp_path / "olist.yaml"
    mapping.write_text(
        "customers:\n  file: olist_customers_dataset.csv\n  defaults: {country: BR}\n"
        "order_lines:\n  file: olist_order_items_dataset.csv\n  columns: {order_id: order_id, line_no: order_item_id, amount: price}\n"
        "orders_header:\n  table: order_headers\n  file: olist_orders_dataset.csv\n  columns: {ordered_on: order_purchase_timestamp}\n"
        "complaints:\n  file: olist_order_reviews_dataset.csv\n"
        "  columns: {complaint_id: review_id, received_at: review_creation_date, first_response_at: review_answer_timestamp}\n",
        encoding="utf-8")
    db = tmp_path / "ol.duckdb"
    files = [ol / f for f in ("olist_customers_dataset.csv", "olist_orders_dataset.csv",
                              "olist_order_items_dataset.csv", "olist_order_reviews_dataset.csv")]
    report = run_import(files, db, mapping=mapping, currency="BRL")
    reviews = next(f for f in report.files if f["file"] == "olist_order_reviews_dataset.csv")
    assert reviews["rows_read"] == 8225  # embedded newlines did not split rows
    got = kpis(db)
    assert got["revenue"] == pytest.approx(1093264.35, abs=0.005)
    assert got["revenue_by_country"] == {"BR": pytest.approx(1093264.35, abs=0.005)}
    assert got["complaints_received"] == 8225 - 34  # duplicate review ids: the later row kept
