"""Import trust: exports nobody here has seen import exactly, or are refused with what to do — never a silent guess.
Each case is a small file written here; the plan (what the importer decided) is checked as printed by `check`."""
import subprocess
import sys

import pytest

from cockpit.importer import run_import
from cockpit.readers import encoding_decision
from tests.conftest import ROOT
from tests.test_import import CUSTOMERS, ORDERS, base, q, sha, write  # noqa: F401 - base is a fixture


def cli(*args):
    return subprocess.run([sys.executable, "-m", "cockpit", *map(str, args)], cwd=ROOT, capture_output=True, text=True)


def test_gbk_orders_without_a_date_are_refused_as_orders_and_the_database_is_unchanged(tmp_path, base_db):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "订单.csv", "客户编号,客户名称,国家,金额\nC1,上海贸易有限公司,中国,100\nC2,宁波海运,德国,50\n", "gbk")
    before = sha(base_db)
    out = cli("import", folder, "--db", base_db)
    assert out.returncode != 0 and sha(base_db) == before
    assert "订单.csv → orders" in out.stdout and "the file name '订单.csv'" in out.stdout  # the plan, before the refusal
    assert "gb18030" in out.stdout and "common Chinese characters" in out.stdout
    assert "cannot be imported as orders" in out.stderr and "'ordered_on'" in out.stderr
    assert "下单日期" in out.stderr  # the headers that would do, in Chinese too


def test_the_amount_actually_paid_is_preferred_over_the_order_total_and_the_plan_says_so(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "marketplace.csv", "订单编号,买家会员名,订单创建时间,总金额,买家实际支付金额,收货地址\n"
                                      "T1,张三,2026-01-05 10:00,157,100,上海\nT2,李四,2026-01-06 11:00,80,60,北京\n")
    db = tmp_path / "x.duckdb"
    out = cli("import", folder, "--db", db, "--currency", "CNY")
    assert out.returncode == 0, out.stderr
    assert "amount: '买家实际支付金额' over '总金额' (the amount actually paid is preferred)" in out.stdout
    assert "no customer id column: the customer name '买家会员名' is the key" in out.stdout
    assert "ignored: 总金额, 收货地址" in out.stdout
    assert q(db, "select sum(amount) from orders") == [(160.0,)]
    assert q(db, "select count(*) from customers where customer_id in ('张三', '李四')") == [(2,)]


def test_two_amount_headers_without_a_rule_refuse_with_the_mapping_that_settles_it(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "orders.csv", "Order ID,Customer ID,Order Date,Total,Net Amount\nO1,A,2026-01-05,120,100\n")
    db = tmp_path / "x.duckdb"
    out = cli("check", folder, "--db", db)
    assert out.returncode != 0 and not db.exists()
    assert "amount could be 'Total' or 'Net Amount'" in out.stderr
    assert "columns: {amount: Total}" in out.stderr
    mapping = tmp_path / "m.yaml"
    mapping.write_text("orders:\n  file: \"orders.csv\"\n  columns: {amount: Net Amount}\n", encoding="utf-8")
    settled = cli("import", folder, "--db", db, "--mapping", mapping)
    assert settled.returncode == 0, settled.stderr
    assert q(db, "select sum(amount) from orders") == [(100.0,)]


def test_a_question_mark_in_an_optional_date_blanks_the_value_not_the_row(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "incidents.csv", "Ticket ID,Customer ID,Opened At,Resolved At,Severity\n"
                                    "K1,A,2026-01-05 09:00,?,Major\nK2,A,2026-01-06 09:00,2026-01-07 10:00,Minor\n"
                                    "K3,B,2026-01-08 09:00,N/A,-\nK4,B,2026-01-09 09:00,--,无\n")
    db = tmp_path / "x.duckdb"
    report = run_import([folder], db, currency="USD")
    assert report.rows_quarantined == 0
    assert q(db, "select count(*), count(resolved_at), count(severity) from complaints") == [(4, 1, 2)]
    plan = report.plan[0]
    assert plan["kind"] == "complaints" and plan["markers"]["Resolved At"] == {"?": 1, "n/a": 1, "--": 1}
    assert "read as empty in 'Resolved At': '?' × 1" in report.text()


def test_a_folder_whose_only_file_cannot_be_read_refuses_and_leaves_the_database_byte_identical(tmp_path, base_db):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "export.csv", "")
    before = sha(base_db)
    for command in ("check", "import"):
        out = cli(command, folder, "--db", base_db)
        assert out.returncode != 0, command
        assert "export.csv: the file is empty" in out.stderr
    assert sha(base_db) == before
    # Notes beside the exports are listed and skipped; with nothing else the import still loads nothing: refused.
    (folder / "export.csv").unlink()
    write(folder / "README.txt", "These files come from the ERP.\n")
    out = cli("import", folder, "--db", base_db)
    assert out.returncode != 0 and "nothing to import" in out.stderr and "README.txt" in out.stderr
    assert sha(base_db) == before


def test_check_never_claims_to_hold_a_database(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "customers.csv", CUSTOMERS)
    write(folder / "orders.csv", ORDERS)
    out = cli("check", folder, "--db", tmp_path / "x.duckdb")
    assert out.returncode == 0, out.stderr
    assert "Database now holds" not in out.stdout and "would hold: customers 3, orders 5" in out.stdout
    assert not (tmp_path / "x.duckdb").exists()


@pytest.mark.parametrize("encoding", ["cp1252", "cp437"])
def test_western_code_pages_are_told_apart_from_gb18030(tmp_path, encoding):
    folder = tmp_path / "in"
    folder.mkdir()
    names = ["Müller GmbH", "Café Noir", "Bäckerei Köln", "Señor Pérez", "Smith Ltd"]
    write(folder / "customers.csv", "Customer ID,Customer Name,Country\n" + "".join(
        f"C{i},{names[i % len(names)]},Germany\n" for i in range(40)), encoding)
    db = tmp_path / "x.duckdb"
    report = run_import([folder], db, currency="USD")
    assert report.plan[0]["encoding"] == encoding and encoding in report.plan[0]["encoding_why"]
    assert sorted({r[0] for r in q(db, "select customer_name from customers")}) == sorted(names)


def test_chinese_with_a_few_words_is_still_gb18030_and_plain_ascii_is_utf8():
    sparse = ("id,name,country,amount\n" + "".join(f"{i},Firm {i},{'德国' if i % 20 == 0 else 'DE'},{i}\n"
                                                   for i in range(300))).encode("gbk")
    assert encoding_decision(sparse, None)[0] == "gb18030"
    assert encoding_decision(b"id,name\n1,Smith\n", None) == ("utf-8", "plain ASCII (read as UTF-8)")


@pytest.fixture()
def base_db(base):
    """The database tests/test_import.py's `base` fixture imports (its customers and orders)."""
    return base[1]


@pytest.mark.parametrize("kind,words", [("complaints", ("complaint",)), ("orders", ("order", "fx")),
                                        ("customers", ("customer",))])
def test_a_database_of_one_kind_of_data_opens_on_its_own_latest_quarter_and_every_page_renders(
        kind, words, tmp_path, monkeypatch):
    """Complaints only, orders only, customers only: the default period comes from the data present (not from
    order days alone, nor today), and no page fails."""
    import shutil

    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False
    monkeypatch.setattr(PagesManager, "__init__", init)
    folder = tmp_path / kind
    folder.mkdir()
    for f in (ROOT / "data" / "sample").iterdir():
        if any(w in f.name.lower() for w in words):
            shutil.copy(f, folder / f.name)
    db = tmp_path / "x.duckdb"
    run_import([folder], db, currency="USD")
    monkeypatch.setenv("COCKPIT_DB", str(db))
    for page in ("overview", "regions", "complaints", "customers", "churn"):
        for lang in ("en", "zh"):
            at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
            at.session_state["lang"] = lang
            if page != "overview":
                at.switch_page(str(ROOT / "pages" / f"{page}.py"))
            at.run()
            assert not at.exception and not at.error, (kind, page, lang)
            assert at.session_state["period"] == "2026Q3", (kind, page)  # the sample's latest complete quarter


def test_customer_attributes_on_order_lines_fill_the_customers_latest_line_wins(tmp_path):
    """A flat sales export (Segment, Sales Rep, City, Email on every line) describes its customers when no customer
    file does; a customer whose lines disagree keeps the latest line's value, and the report counts it."""
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "sales.csv", "Order ID,Customer ID,Customer Name,Order Date,Amount,Segment,Sales Rep,City,Email\n"
                                "O1,A,Alpha,2026-01-05,100,B,Li Wei,Hamburg,a@alpha.de\n"
                                "O2,A,Alpha,2026-03-05,50,A,Li Wei,Hamburg,a@alpha.de\n"
                                "O3,B,Beta,2026-02-01,70,C,Zhang Min,Lyon,\n")
    db = tmp_path / "x.duckdb"
    report = run_import([folder], db, currency="USD")
    assert q(db, "select customer_id, segment, sales_rep, city, email from customers order by 1") == [
        ("A", "A", "Li Wei", "Hamburg", "a@alpha.de"), ("B", "C", "Zhang Min", "Lyon", None)]
    assert "1 customer(s) have order lines that disagree on segment: the latest line's value is kept" in report.text()
    assert "Segment → segment" in report.text() and "Sales Rep → sales_rep" in report.text()
    # A customer file, when there is one, describes its customers; the lines never overwrite it.
    write(folder / "customers.csv", "Customer ID,Customer Name,Segment\nA,Alpha GmbH,D\n")
    run_import([folder], db, currency="USD")
    assert q(db, "select customer_name, segment from customers where customer_id = 'A'") == [("Alpha GmbH", "D")]


def test_duplicates_are_found_across_transliterations_and_numbered_branches_are_not_duplicates():
    import pandas as pd

    from cockpit import records as rx
    names = ["Müller GmbH", "Mueller GmbH.", "Muller Gmbh", "Straße AG", "Strasse", "X Trading 1", "X Trading 2",
             "X Trading 2 Ltd"]
    df = pd.DataFrame({"customer_id": [f"C{i}" for i in range(len(names))], "customer_name": names,
                       "email": [None] * len(names), "phone": [None] * len(names), "sales_rep": [None] * len(names)})
    found = rx._duplicate_clusters(df)
    clusters = found.groupby("cluster")["customer_name"].apply(sorted).tolist()
    assert sorted(clusters) == [["Mueller GmbH.", "Muller Gmbh", "Müller GmbH"], ["Strasse", "Straße AG"],
                                ["X Trading 2", "X Trading 2 Ltd"]]
    # Public mail domains are never evidence; a firm's own domain is.
    df = pd.DataFrame({"customer_id": ["A", "B", "C", "D"], "customer_name": ["Alpha", "Beta", "Gamma", "Delta"],
                       "email": ["a@gmail.com", "b@gmail.com", "c@acme-trade.de", "d@acme-trade.de"],
                       "phone": [None] * 4, "sales_rep": [None] * 4})
    found = rx._duplicate_clusters(df)
    assert sorted(found["customer_id"]) == ["C", "D"] and set(found["evidence"]) == {"email domain"}
