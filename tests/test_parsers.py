"""Parsers for the values found in real exports: dates, money, countries, headers, encodings."""

import pandas as pd
import pytest

from cockpit.countries import to_iso2
from cockpit.parse import parse_dates, parse_money
from cockpit.readers import detect_encoding
from cockpit.schema import match_headers


def ts(*a):
    return pd.Timestamp(*a)


@pytest.mark.parametrize("text, expected", [
    ("2024-03-05", ts(2024, 3, 5)),
    ("2024/3/5", ts(2024, 3, 5)),
    ("2024.03.05", ts(2024, 3, 5)),
    ("2024年3月5日", ts(2024, 3, 5)),
    ("2024年3月5日 14:30", ts(2024, 3, 5, 14, 30)),
    ("20240305", ts(2024, 3, 5)),
    ("2024-03-05T10:20:30", ts(2024, 3, 5, 10, 20, 30)),
    ("2024-03-05 10:20:30+08:00", ts(2024, 3, 5, 2, 20, 30)),  # offsets become UTC
    ("2010-01-13 08:40:25+00:00", ts(2010, 1, 13, 8, 40, 25)),
    ("1996-07-04 00:00:00.000", ts(1996, 7, 4)),
    ("45357", ts(2024, 3, 6)),  # Excel serial day
    ("Mar 5, 2024", ts(2024, 3, 5)),
    ("5 March 2024", ts(2024, 3, 5)),
])
def test_single_dates(text, expected):
    r = parse_dates(pd.Series([text]))
    assert r.values.iloc[0] == expected
    assert not r.bad.any()


def test_ambiguous_column_decided_by_whole_column():
    # 05/03 alone could be either; 23/04 proves the column is day-first.
    r = parse_dates(pd.Series(["05/03/2024", "23/04/2024", "01/02/2024"]))
    assert list(r.values) == [ts(2024, 3, 5), ts(2024, 4, 23), ts(2024, 2, 1)]
    assert "D/M/Y" in r.decision and "23/04/2024" in r.decision


def test_month_first_column_with_times():
    r = parse_dates(pd.Series(["12/1/2010 8:26", "12/13/2010 8:26 PM"]))
    assert list(r.values) == [ts(2010, 12, 1, 8, 26), ts(2010, 12, 13, 20, 26)]
    assert "M/D/Y" in r.decision


def test_undecidable_column_is_reported_and_can_be_forced():
    r = parse_dates(pd.Series(["05/03/2024", "06/04/2024"]))
    assert r.values.iloc[0] == ts(2024, 5, 3) and "assumed M/D/Y" in r.decision
    forced = parse_dates(pd.Series(["05/03/2024"]), order="DMY")
    assert forced.values.iloc[0] == ts(2024, 3, 5)


def test_dotted_dates_are_day_first():
    r = parse_dates(pd.Series(["05.03.2024", "06.03.2024"]))
    assert r.values.iloc[0] == ts(2024, 3, 5)


def test_bad_and_blank_dates():
    r = parse_dates(pd.Series(["2024-02-30", "abc", "", None, "NULL", "2024-13-01"]))
    assert list(r.bad) == [True, True, False, False, False, True]
    assert r.values.isna().all()


def test_typed_and_numeric_dates():
    r = parse_dates(pd.Series(pd.to_datetime(["2024-03-05 10:00"]).tz_localize("Asia/Shanghai")))
    assert r.values.iloc[0] == ts(2024, 3, 5, 2)
    r = parse_dates(pd.Series([45357.5]))
    assert r.values.iloc[0] == ts(2024, 3, 6, 12)


@pytest.mark.parametrize("text, value, currency", [
    ("1,234.56", 1234.56, None), ("1.234,56", 1234.56, None), ("1 234,56", 1234.56, None),
    ("$1,234.56", 1234.56, "USD"), ("€ 1.234,56", 1234.56, "EUR"), ("¥1,200", 1200.0, "CNY"),
    ("USD 1,000", 1000.0, "USD"), ("1000 EUR", 1000.0, "EUR"), ("(123.45)", -123.45, None),
    ("-5", -5.0, None), ("5-", -5.0, None), ("12,5", 12.5, None), ("1.234.567", 1234567.0, None),
    ("CHF 1'234.50", 1234.5, "CHF"), ("−42", -42.0, None),
])
def test_money(text, value, currency):
    r = parse_money(pd.Series([text]))
    assert r.values.iloc[0] == pytest.approx(value)
    assert not r.bad.any()
    got = r.values.attrs["currency"]
    assert (got.iloc[0] if got is not None else None) == currency if currency else (got is None or pd.isna(got.iloc[0]))


def test_money_bad_values():
    r = parse_money(pd.Series(["abc", "", None, "1,2,3", "12-34"]))
    assert list(r.bad) == [True, False, False, True, True]


@pytest.mark.parametrize("text, code", [
    ("DE", "DE"), ("DEU", "DE"), ("Germany", "DE"), ("德国", "DE"), ("Deutschland", "DE"), ("美国", "US"),
    ("USA", "US"), ("United States of America", "US"), ("UK", "GB"), ("United Kingdom", "GB"), ("EIRE", "IE"),
    ("RSA", "ZA"), ("Korea, Republic of", "KR"), ("South Korea", "KR"), ("韩国", "KR"), ("Viet Nam", "VN"),
    ("Türkiye", "TR"), ("Turkey", "TR"), ("Côte d'Ivoire", "CI"), ("Czech Republic", "CZ"), ("中国香港", "HK"),
    ("阿联酋", "AE"), ("the netherlands", "NL"), ("  france ", "FR"), ("Brasil", "BR"),
])
def test_countries(text, code):
    assert to_iso2(text) == code


@pytest.mark.parametrize("text", ["Unspecified", "European Community", "Channel Islands", "", None, "Atlantis"])
def test_not_one_country(text):
    assert to_iso2(text) is None


def test_headers_english_chinese_and_erp_spellings():
    m = match_headers("orders", ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
                                 "CustomerID", "Country"])
    assert m == {"order_id": "InvoiceNo", "customer_id": "CustomerID", "country": "Country", "ordered_on": "InvoiceDate",
                 "product": "Description", "quantity": "Quantity", "unit_price": "UnitPrice"}
    m = match_headers("orders", ["客户编号", "下单日期", "金额", "币种", "国家"])
    assert m == {"customer_id": "客户编号", "ordered_on": "下单日期", "amount": "金额", "currency": "币种", "country": "国家"}
    m = match_headers("customers", ["Customer ID", "Customer Name", "E-mail", "Sales Rep"])
    assert m == {"customer_id": "Customer ID", "customer_name": "Customer Name", "email": "E-mail", "sales_rep": "Sales Rep"}


def test_encoding_detection():
    text = "客户编号,客户名称\nC1,上海贸易有限公司\n"
    assert detect_encoding(text.encode("gb18030"), None) == "gb18030"
    assert detect_encoding(text.encode("utf-8"), None) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbf" + text.encode("utf-8"), None) == "utf-8-sig"
    # A sample cut in the middle of a multi-byte character is still UTF-8.
    assert detect_encoding(text.encode("utf-8") + "上".encode("utf-8")[:2], None) == "utf-8"
