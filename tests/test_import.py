"""The import engine: refusals name file, row and column and change nothing; merges are idempotent."""
import hashlib
import json
import shutil
import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from cockpit.importer import ImportFailed, run_import
from tests.conftest import ROOT


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


CUSTOMERS = "Customer ID,Customer Name,Country,Sales Rep,Email\nA1,Alpha GmbH,Germany,Li Wei,a@alpha.de\nB2,\"Beta, Inc.\",USA,Zhang Min,\n"
ORDERS = ("Order No.,Customer ID,Order Date,Amount,Currency\n"
          "O1,A1,2024-01-15,\"1,000.50\",USD\nO1,A1,2024-01-15,200,USD\nO2,B2,2024-02-01,300,USD\n"
          "O3,B2,2024-03-31,-50,USD\nO4,C3,2024-04-01,700,USD\n")


@pytest.fixture()
def base(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    write(src / "customers.csv", CUSTOMERS)
    write(src / "orders.csv", ORDERS)
    db = tmp_path / "db.duckdb"
    run_import([src], db, currency="USD")
    return src, db


def q(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_import_log_names_each_files_own_digest(tmp_path):
    """Each file's SHA-256 is worked out on a thread beside the reading: the log pairs every file with its own
    digest, including a file the import skipped in between and an Excel file read as two sheets."""
    src = tmp_path / "src"
    src.mkdir()
    write(src / "a_customers.csv", CUSTOMERS)
    write(src / "b_notes.txt", "just,some,notes\n1,2,3\n")  # notes beside the exports: skipped and listed
    write(src / "c_orders.csv", ORDERS)
    with pd.ExcelWriter(src / "d_complaints.xlsx") as xl:
        pd.DataFrame({"Complaint ID": ["K1"], "Customer ID": ["A1"], "Received": ["2024-02-01 09:00"]}).to_excel(
            xl, sheet_name="Jan", index=False)
        pd.DataFrame({"Complaint ID": ["K2"], "Customer ID": ["B2"], "Received": ["2024-03-01 09:00"]}).to_excel(
            xl, sheet_name="Feb", index=False)
    db = tmp_path / "db.duckdb"
    report = run_import([src], db, currency="USD")
    logged = json.loads(q(db, "select files from import_log")[0][0])
    assert sorted(f["file"] for f in logged) == ["a_customers.csv", "c_orders.csv", "d_complaints.xlsx [Feb]",
                                                 "d_complaints.xlsx [Jan]"]
    for f in logged:
        assert f["sha256"] == sha(src / f["file"].split(" [")[0]), f["file"]
    assert any("b_notes.txt" in s for s in report.skipped)


def test_basic_import_merges_keys_and_adds_missing_customers(base):
    src, db = base
    assert q(db, "select count(*) from orders") == [(5,)]
    assert q(db, "select line_no from orders where order_id = 'O1' order by line_no") == [(1,), (2,)]
    assert q(db, "select round(sum(amount_reporting), 2) from orders") == [(2150.5,)]
    # C3 ordered but is in no customer file: kept, with unknown details.
    assert q(db, "select record_source, country_code from customers where customer_id = 'C3'") == [("placeholder", None)]
    assert q(db, "select country_code from customers order by customer_id") == [("DE",), ("US",), (None,)]
    log = q(db, "select rows_read, rows_loaded, rows_quarantined, files from import_log")
    assert log[0][:3] == (7, 7, 0)
    assert {f["file"] for f in json.loads(log[0][3])} == {"customers.csv", "orders.csv"}


def test_reimport_same_files_changes_nothing_but_the_log(base):
    src, db = base
    before = q(db, "select * exclude (import_id) from orders order by all")
    run_import([src], db)
    assert q(db, "select * exclude (import_id) from orders order by all") == before
    assert q(db, "select count(*) from customers") == [(3,)]
    assert q(db, "select count(*) from import_log") == [(2,)]


def test_newer_export_updates_and_adds(base, tmp_path):
    src, db = base
    newer = tmp_path / "newer"
    newer.mkdir()
    write(newer / "orders.csv", "Order No.,Customer ID,Order Date,Amount\nO2,B2,2024-02-01,350\nO9,A1,2024-05-05,10\n")
    run_import([newer], db)
    assert q(db, "select amount from orders where order_id = 'O2'") == [(350.0,)]
    assert q(db, "select count(*) from orders") == [(6,)]
    # A customer file later fills in the placeholder.
    write(newer / "customers.csv", "Customer ID,Customer Name,Country\nC3,Gamma S.A.,España\n")
    (newer / "orders.csv").unlink()
    run_import([newer], db)
    assert q(db, "select customer_name, country_code, record_source from customers where customer_id = 'C3'") == \
        [("Gamma S.A.", "ES", "customer file")]


def test_columns_no_line_fills_are_kept_out_of_storage_until_a_file_fills_them(base, tmp_path):
    """The first import's file has no ship date, product or destination: those columns are declared always null
    (virtual, nothing stored). A later file that has them is merged in: its values are kept, the old lines stay
    empty there, and every page query still reads the table."""
    src, db = base
    kinds = dict(q(db, "select column_name, is_generated from information_schema.columns where table_name = 'orders'"))
    assert kinds["shipped_on"] == kinds["product"] == kinds["country_raw"] == "ALWAYS"
    assert kinds["order_id"] == kinds["amount"] == kinds["amount_reporting"] == kinds["currency"] == "NEVER"
    assert q(db, "select count(*), count(shipped_on), count(product) from orders") == [(5, 0, 0)]
    newer = tmp_path / "newer"
    newer.mkdir()
    write(newer / "orders.csv", "Order No.,Customer ID,Order Date,Ship Date,Product,Amount,Country\n"
                                "O7,A1,2024-06-01,2024-06-20,Teapot,80,France\n")
    run_import([newer], db)
    assert q(db, "select order_id, shipped_on::varchar, product, country_code from orders where shipped_on is not null") == \
        [("O7", "2024-06-20", "Teapot", "FR")]
    assert q(db, "select count(*), count(shipped_on) from orders") == [(6, 1)]
    assert dict(q(db, "select column_name, is_generated from information_schema.columns "
                      "where table_name = 'orders'"))["shipped_on"] == "NEVER"
    from cockpit import db as cdb
    con = cdb.connect(db)
    try:
        assert cdb.run(con, "customers/customer_orders", {"customer_id": "A1", "all_customers": True,
                                                          "visible_reps": []})["shipped_on"].notna().sum() == 1
    finally:
        con.close()


def test_replace_starts_from_empty(base, tmp_path):
    src, db = base
    other = tmp_path / "other"
    other.mkdir()
    write(other / "orders.csv", "Customer ID,Order Date,Amount\nZ1,2024-01-01,5\n")
    run_import([other], db, replace=True)
    assert q(db, "select customer_id, order_id from orders") == [("Z1", "Z1|2024-01-01")]


def test_gbk_file_missing_column_and_bad_amount_is_refused_and_db_is_byte_identical(base, tmp_path):
    src, db = base
    digest = sha(db)
    bad = tmp_path / "bad"
    bad.mkdir()
    write(bad / "订单.csv", "客户编号,金额,币种\nA1,100,USD\nA1,abc,USD\n", encoding="gb18030")
    with pytest.raises(ImportFailed) as err:
        run_import([bad / "订单.csv"], db)
    message = str(err.value)
    assert "订单.csv" in message and "ordered_on" in message and "missing" in message
    assert "row 3" in message and "金额" in message and "'abc'" in message
    assert "not changed" in message
    assert sha(db) == digest


def test_cli_refusal_exit_code_and_message(base, tmp_path):
    src, db = base
    digest = sha(db)
    f = write(tmp_path / "x.csv", "客户编号,金额\nA1,abc\n", encoding="gb18030")
    proc = subprocess.run([sys.executable, "-m", "cockpit", "import", str(f), "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "x.csv" in proc.stderr and "ordered_on" in proc.stderr and "row 2" in proc.stderr
    assert sha(db) == digest


def test_bad_rows_are_quarantined_with_file_row_column(base, tmp_path):
    src, db = base
    more = tmp_path / "more"
    more.mkdir()
    write(more / "orders.csv", "Order No.,Customer ID,Order Date,Amount\nP1,A1,2024-06-01,12\nP2,A1,not a date,5\n"
                               "P3,,2024-06-02,5\nP4,A1,2024-06-03,abc\n")
    report = run_import([more], db)
    assert report.rows_quarantined == 3 and report.rows_loaded == 1
    rows = q(db, "select file, row_number, column_name, value, reason from quarantine order by row_number")
    assert rows[0][:4] == ("orders.csv", 3, "Order Date", "not a date")
    assert rows[1][:3] == ("orders.csv", 4, "Customer ID")
    assert rows[2][:4] == ("orders.csv", 5, "Amount", "abc")


def test_currencies_without_rates_are_an_error_naming_them(tmp_path):
    write(tmp_path / "o.csv", "Customer ID,Order Date,Amount,Currency\nA,2024-01-01,5,EUR\nA,2024-01-02,5,GBP\nA,2024-01-03,5,USD\n")
    db = tmp_path / "db.duckdb"
    with pytest.raises(ImportFailed) as err:
        run_import([tmp_path / "o.csv"], db, currency="USD")
    assert "EUR" in str(err.value) and "GBP" in str(err.value)
    assert not db.exists()
    write(tmp_path / "fx.csv", "currency,valid_from,rate\nEUR,2023-12-01,1.1\nEUR,2024-01-02,1.2\nGBP,2024-01-01,1.3\n")
    run_import([tmp_path / "o.csv", tmp_path / "fx.csv"], db, currency="USD")
    # EUR on 2024-01-01 takes the rate valid from 2023-12-01; GBP 1.3; USD as is.
    assert q(db, "select currency, amount_reporting from orders order by ordered_on") == \
        [("EUR", pytest.approx(5.5)), ("GBP", pytest.approx(6.5)), ("USD", 5.0)]


def test_amount_from_quantity_and_unit_price_and_cancellations(tmp_path):
    write(tmp_path / "lines.csv", "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
                                  "536365,A,6,12/1/2010 8:26,2.55,17850,United Kingdom\n"
                                  "536365,B,2,12/1/2010 8:26,3.39,17850,United Kingdom\n"
                                  "C536379,D,-1,12/13/2010 9:41,27.5,17850,United Kingdom\n")
    db = tmp_path / "db.duckdb"
    run_import([tmp_path / "lines.csv"], db)
    assert q(db, "select order_id, line_no, amount from orders order by ordered_on, line_no") == \
        [("536365", 1, pytest.approx(15.3)), ("536365", 2, pytest.approx(6.78)), ("C536379", 1, pytest.approx(-27.5))]


def test_check_writes_nothing(tmp_path):
    write(tmp_path / "o.csv", "Customer ID,Order Date,Amount\nA,2024-01-01,5\n")
    db = tmp_path / "db.duckdb"
    report = run_import([tmp_path / "o.csv"], db, check_only=True)
    assert report.rows_loaded == 1 and not report.written and not db.exists()


def test_failure_after_building_leaves_the_old_file(base, tmp_path):
    src, db = base
    digest = sha(db)

    def boom():
        raise RuntimeError("simulated crash before the swap")
    with pytest.raises(RuntimeError):
        run_import([src], db, _after_write=boom)
    assert sha(db) == digest
    assert not list(tmp_path.glob(".db.duckdb.importing-*"))


def test_unreadable_and_unknown_files(tmp_path):
    write(tmp_path / "empty.csv", "")
    write(tmp_path / "fake.xlsx", "not a workbook")
    write(tmp_path / "notes.csv", "foo,bar\n1,2\n")
    db = tmp_path / "db.duckdb"
    for name, words in (("empty.csv", "empty"), ("fake.xlsx", "Excel"), ("notes.csv", "cannot tell which table")):
        with pytest.raises(ImportFailed) as err:
            run_import([tmp_path / name], db)
        assert name in str(err.value) and words in str(err.value)
    assert not db.exists()


def test_excel_with_chinese_headers_and_mapping_file(tmp_path):
    frame = pd.DataFrame({"单号": ["S1", "S2"], "客户": ["K1", "K2"], "日期": ["2024年3月5日", "2024年3月6日"],
                          "货值": ["¥1,200", "¥300"], "目的国": ["德国", "美国"]})
    frame.to_excel(tmp_path / "erp_2024.xlsx", sheet_name="Orders", index=False)
    write(tmp_path / "fx.csv", "currency,valid_from,rate\nCNY,2024-01-01,0.14\n")
    mapping = tmp_path / "map.yaml"
    write(mapping, "orders:\n  file: 'erp_*.xlsx'\n  sheet: Orders\n  columns: {order_id: 单号, customer_id: 客户, ordered_on: 日期, amount: 货值, country: 目的国}\n")
    db = tmp_path / "db.duckdb"
    run_import([tmp_path], db, mapping=mapping, currency="USD")
    assert q(db, "select order_id, country_code, currency, round(amount_reporting, 2) from orders order by 1") == \
        [("S1", "DE", "CNY", 168.0), ("S2", "US", "CNY", 42.0)]


def test_rollback_command_restores_the_previous_version(base, tmp_path):
    src, db = base
    digest = sha(db)
    more = tmp_path / "more"
    more.mkdir()
    write(more / "orders.csv", "Order No.,Customer ID,Order Date,Amount\nQ1,A1,2024-06-01,12\n")
    run_import([more], db)
    assert sha(db) != digest
    listed = subprocess.run([sys.executable, "-m", "cockpit", "rollback", "--db", str(db), "--list"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    assert listed.count(".duckdb") == 1  # the database as it was before the second import
    subprocess.run([sys.executable, "-m", "cockpit", "rollback", "--db", str(db)], cwd=ROOT, check=True, capture_output=True)
    assert sha(db) == digest


def test_viewer_connection_sees_the_new_file_after_a_swap(base, tmp_path):
    from cockpit import db as cdb
    src, db = base
    old = cdb.connect(db)
    assert old.execute("select count(*) from orders").fetchone()[0] == 5
    more = tmp_path / "more"
    more.mkdir()
    write(more / "orders.csv", "Order No.,Customer ID,Order Date,Amount\nQ1,A1,2024-06-01,12\n")
    run_import([more], db)
    # The open viewer keeps answering from the old file; a new connection sees the new one.
    assert old.execute("select count(*) from orders").fetchone()[0] == 5
    new = cdb.connect(db)
    assert new.execute("select count(*) from orders").fetchone()[0] == 6
    old.close()
    new.close()


def test_upload_names_are_sanitised_and_limited(tmp_path, monkeypatch):
    from cockpit import uploads
    monkeypatch.setenv("COCKPIT_UPLOADS", str(tmp_path / "up"))
    monkeypatch.setenv("COCKPIT_MAX_UPLOAD_MB", "0.001")
    folder, token = uploads.session_folder()
    assert uploads.safe_name("../../etc/passwd.csv") == "passwd.csv"
    assert uploads.safe_name("..\\\\windows\\\\订单 2024.CSV") == "订单 2024.csv"
    assert uploads.safe_name(".hidden.xlsx") == "hidden.xlsx"
    with pytest.raises(uploads.UploadRefused):
        uploads.safe_name("evil.sh")
    with pytest.raises(uploads.UploadRefused, match="over the upload limit"):
        uploads.save_upload(folder, "big.csv", b"x" * 5000)
    saved = uploads.save_upload(folder, "../x.csv", b"a,b\n")
    assert saved.parent == folder.resolve()
    assert uploads.session_folder("../../etc")[1] != "../../etc"


def test_database_from_an_older_version_gets_its_summary_tables_rebuilt(tmp_path):
    """A database whose derived tables predate this version (no period_facts) is upgraded in place on open."""
    import duckdb
    from cockpit import importer
    db_file = tmp_path / "old.duckdb"
    importer.run_import([ROOT / "data" / "sample"], db_file, currency="USD")
    con = duckdb.connect(str(db_file))
    con.execute("drop table period_facts")
    con.execute("delete from settings where key = 'derived_version'")
    con.close()
    assert not importer.derived_is_current(db_file)
    importer.upgrade_derived(db_file)
    assert importer.derived_is_current(db_file)
    con = duckdb.connect(str(db_file), read_only=True)
    assert con.execute("select count(*) from period_facts").fetchone()[0] > 0
    con.close()


def test_line_numbers_follow_each_orders_rows_whether_listed_together_or_not(tmp_path):
    """Line numbers count each order's lines in file order: from where the order id changes when every order's
    lines are listed together, by a grouped count when an order comes back later (both give the same numbers)."""
    from cockpit.importer.assemble import _positions_in_runs
    together = pd.Series(pd.array(["A", "A", "B", "C", "C", "C"], dtype="string[pyarrow]"))
    assert _positions_in_runs(together)[0].tolist() == [1, 2, 1, 1, 2, 3]
    assert _positions_in_runs(together)[1].tolist() == [True, False, True, True, False, False]
    assert _positions_in_runs(pd.Series(pd.array(["A", "B", "A"], dtype="string[pyarrow]"))) == (None, None)
    assert _positions_in_runs(pd.Series(pd.array(["A", None, "A"], dtype="string[pyarrow]"))) == (None, None)
    write(tmp_path / "o.csv", "Order No,Customer ID,Order Date,Amount\n"
                              "O1,K,2024-01-01,1\nO1,K,2024-01-01,2\nO2,K,2024-01-02,3\nO1,K,2024-01-01,4\n"
                              "O3,L,2024-01-03,5\nO3,L,2024-01-03,6\n")
    db = tmp_path / "db.duckdb"
    run_import([tmp_path / "o.csv"], db)
    assert q(db, "select order_id, line_no, amount from orders order by order_id, line_no") == [
        ("O1", 1, 1.0), ("O1", 2, 2.0), ("O1", 3, 4.0), ("O2", 1, 3.0), ("O3", 1, 5.0), ("O3", 2, 6.0)]
    write(tmp_path / "p.csv", "Order No,Customer ID,Order Date,Amount\n"
                              "P1,K,2024-01-01,1\nP1,K,2024-01-01,2\nP2,K,2024-01-02,3\n")
    run_import([tmp_path / "p.csv"], db)
    assert q(db, "select order_id, line_no, amount from orders where order_id like 'P%' order by order_id, line_no") == [
        ("P1", 1, 1.0), ("P1", 2, 2.0), ("P2", 1, 3.0)]


def _largest_orders(db):
    return q(db, "select customer_id, ordered_on::varchar, country_code, currency, largest_order, order_count"
                 " from customer_day order by 1, 2, 3, 4")


def test_an_orders_total_counts_all_its_parts_whichever_way_customer_day_is_built(tmp_path):
    """largest_order is the largest whole order (all its parts) that touched the day. When an empty orders table is
    filled with lines listing each order together with one customer, day, destination and currency, customer_day is
    built without the window that adds up an order's parts; these files break that in each way it can break, and
    every answer is worked out by hand."""
    from cockpit.importer.assemble import assemble_orders
    from cockpit.importer.read import read_sources
    head = "Order No,Customer ID,Order Date,Amount,Currency,Country\n"
    cases = {
        # Each order one part: the order's total is its day's revenue from it.
        "one_part": ("O1,K,2024-01-01,100,USD,DE\nO1,K,2024-01-01,20,USD,DE\nO2,K,2024-01-01,70,USD,DE\n"
                     "O3,L,2024-01-02,5,USD,FR\n",
                     True, [("K", "2024-01-01", "DE", "USD", 120.0, 2), ("L", "2024-01-02", "FR", "USD", 5.0, 1)]),
        # O1 spans two days: both days count its whole 150.
        "two_days": ("O1,K,2024-01-01,100,USD,DE\nO1,K,2024-01-02,50,USD,DE\n",
                     False, [("K", "2024-01-01", "DE", "USD", 150.0, 1), ("K", "2024-01-02", "DE", "USD", 150.0, 1)]),
        # O1 ships to two countries on one day: two parts of one order, 150 each.
        "two_countries": ("O1,K,2024-01-01,100,USD,DE\nO1,K,2024-01-01,50,USD,FR\n",
                          False, [("K", "2024-01-01", "DE", "USD", 150.0, 1), ("K", "2024-01-01", "FR", "USD", 150.0, 1)]),
        # O1 in two currencies (a rate of 1 each): 150.
        "two_currencies": ("O1,K,2024-01-01,100,USD,DE\nO1,K,2024-01-01,50,EUR,DE\n",
                           False, [("K", "2024-01-01", "DE", "EUR", 150.0, 1), ("K", "2024-01-01", "DE", "USD", 150.0, 1)]),
        # A country left blank on one line and named on the next differs too. (The blank takes the customer's home
        # country, which K, described by no customer file, has from its orders: FR, the same part again.)
        "blank_country": ("O1,K,2024-01-01,100,USD,FR\nO1,K,2024-01-01,50,USD,\n",
                          False, [("K", "2024-01-01", "FR", "USD", 150.0, 1)]),
        # Two lines naming no country we know and none: the same (null) code, but only the blank takes K's home
        # country from the customer file (DE); the unknown name stays 'unknown'. Two parts of 150.
        "unknown_country": ("O1,K,2024-01-01,100,USD,Atlantis\nO1,K,2024-01-01,50,USD,\n",
                            False, [("K", "2024-01-01", "DE", "USD", 150.0, 1),
                                    ("K", "2024-01-01", "unknown", "USD", 150.0, 1)]),
        # O1's lines are not together: numbered by a grouped count, and its day counts 150.
        "apart": ("O1,K,2024-01-01,100,USD,DE\nO2,K,2024-01-01,1,USD,DE\nO1,K,2024-01-01,50,USD,DE\n",
                  False, [("K", "2024-01-01", "DE", "USD", 150.0, 2)]),
    }
    fx = "currency,valid_from,rate_to_reporting\nEUR,2020-01-01,1\n"
    for name, (lines, one_part, expected) in cases.items():
        src = tmp_path / name
        src.mkdir()
        write(src / "orders.csv", head + lines)
        write(src / "fx.csv", fx)
        if name == "unknown_country":
            write(src / "customers.csv", "Customer ID,Customer Name,Country\nK,Kappa,Germany\n")
        prepared, report = read_sources([src], [])
        assert assemble_orders(prepared, report).attrs["one_part_per_order"] is one_part, name
        db = tmp_path / f"{name}.duckdb"
        run_import([src], db, currency="USD")
        assert _largest_orders(db) == expected, name
    # Merged into a table that holds other lines of the same order: the window again (this file alone is one part
    # per order; with the first import's line O1 is two days).
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    write(first / "orders.csv", "Order No,Line,Customer ID,Order Date,Amount\nO1,1,K,2024-01-01,100\n")
    write(second / "orders.csv", "Order No,Line,Customer ID,Order Date,Amount\nO1,2,K,2024-01-02,50\n")
    db = tmp_path / "merged.duckdb"
    run_import([first], db, currency="USD")
    run_import([second], db, currency="USD")
    assert _largest_orders(db) == [("K", "2024-01-01", "unknown", "USD", 150.0, 1),
                                   ("K", "2024-01-02", "unknown", "USD", 150.0, 1)]
    # Replaced by that second file alone: one part again, 50.
    run_import([second], db, currency="USD", replace=True)
    assert _largest_orders(db) == [("K", "2024-01-02", "unknown", "USD", 50.0, 1)]


def test_customer_facts_count_order_days_and_money_across_destinations(tmp_path):
    """customer_facts by hand: K bought on 2024-01-01 (to DE and FR: one day), on 2024-02-01 (FR) and had only a
    refund on 2024-03-01; L only refunds. Order days count positive days once whatever the destinations, the money
    counts refunds, and a customer no file describes takes the destination that brought the most revenue."""
    src = tmp_path / "src"
    src.mkdir()
    write(src / "orders.csv", "Order No,Customer ID,Order Date,Amount,Country\n"
                              "O1,K,2024-01-01,100,DE\nO2,K,2024-01-01,30,FR\nO3,K,2024-02-01,90,FR\n"
                              "O4,K,2024-03-01,-10,DE\nO5,L,2024-03-02,-5,US\n")
    db = tmp_path / "db.duckdb"
    run_import([src], db, currency="USD")
    assert q(db, "select customer_id, home_country, first_order_on::varchar, last_order_on::varchar, order_dates,"
                 " lifetime_revenue from customer_facts order by 1") == [
        ("K", "FR", "2024-01-01", "2024-02-01", 2, 210.0), ("L", "US", None, None, 0, -5.0)]


def test_currency_codes_are_cleaned_and_normalised_per_distinct_value(tmp_path):
    """Currency cells as exports write them (spaces, lower case, symbols, Chinese names, blank markers) become ISO
    codes; a blank one is the reporting currency."""
    write(tmp_path / "o.csv", "Order No,Customer ID,Order Date,Amount,Currency\n"
                              "1,K,2024-01-01,1, usd \n2,K,2024-01-01,1,RMB\n3,K,2024-01-01,1,￥\n"
                              "4,K,2024-01-01,1,人民币\n5,K,2024-01-01,1,eur\n6,K,2024-01-01,1,n/a\n7,K,2024-01-01,1,€\n")
    write(tmp_path / "fx.csv", "currency,valid_from,rate\nCNY,2023-01-01,0.14\nEUR,2023-01-01,1.1\n")
    db = tmp_path / "db.duckdb"
    run_import([tmp_path / "o.csv", tmp_path / "fx.csv"], db, currency="USD")
    assert q(db, "select order_id, currency from orders order by order_id") == [
        ("1", "USD"), ("2", "CNY"), ("3", "CNY"), ("4", "CNY"), ("5", "EUR"), ("6", "USD"), ("7", "EUR")]
    # Codes already clean are kept as they are.
    write(tmp_path / "p.csv", "Order No,Customer ID,Order Date,Amount,Currency\nP1,K,2024-01-02,1,EUR\nP2,K,2024-01-02,1,USD\n")
    run_import([tmp_path / "p.csv"], db)
    assert q(db, "select order_id, currency from orders where order_id like 'P%' order by order_id") == [
        ("P1", "EUR"), ("P2", "USD")]


def _aged(db_file):
    """The database as an early version left it: dates stored as timestamps, ids as BIGINT, a column added since
    missing, summary tables of an older version, and a table no version reads any more (data_range)."""
    import duckdb
    con = duckdb.connect(str(db_file))
    for table, column, kind in (("orders", "ordered_on", "timestamp"), ("orders", "line_no", "bigint"),
                                ("customers", "created_on", "timestamp"), ("customers", "import_id", "bigint"),
                                ("complaints", "action_due_on", "timestamp"), ("fx_rates", "valid_from", "timestamp")):
        con.execute(f"alter table {table} alter column {column} type {kind}")
    con.execute("alter table customers drop column source_file")
    con.execute("drop table period_facts")
    con.execute("create table data_range as select min(ordered_on) as first_order_on, max(ordered_on) as last_order_on"
                " from customer_day")
    con.execute("update settings set value = '3' where key = 'derived_version'")
    con.close()


def _aged_with_an_unreadable_date(db_file):
    """_aged, with one customer's update date a text no date can be read from."""
    import duckdb
    _aged(db_file)
    con = duckdb.connect(str(db_file))
    con.execute("alter table customers alter column updated_on type varchar")
    con.execute("update customers set updated_on = 'last spring' where customer_id = (select min(customer_id) from customers)")
    con.close()


def _columns(db_file, tables=("orders", "customers", "complaints", "fx_rates")):
    import duckdb
    con = duckdb.connect(str(db_file), read_only=True)
    try:
        return {(t, c): k for t, c, k in con.execute(
            "select table_name, column_name, data_type from duckdb_columns() where table_name in ?", [list(tables)]).fetchall()}
    finally:
        con.close()


def _tables(db_file) -> set[str]:
    import duckdb
    con = duckdb.connect(str(db_file), read_only=True)
    try:
        return {t for t, in con.execute("select table_name from duckdb_tables() where not internal").fetchall()}
    finally:
        con.close()


def test_database_from_an_early_version_with_other_column_types_is_upgraded(tmp_path):
    """Opening (upgrade_derived) or importing into a database an early version made: its canonical columns are
    brought to schema.sql's types and the missing column added, and every KPI equals a fresh import's."""
    import datetime as dt

    from cockpit import db as cdb
    from cockpit import importer, kpis
    from cockpit.filters import Filters
    assert {t for t, _, _ in importer.derived._schema_columns()} == {
        "complaints", "customers", "fx_rates", "import_log", "orders", "pipeline_events", "quarantine", "settings"}
    fresh, old = tmp_path / "fresh.duckdb", tmp_path / "old.duckdb"
    importer.run_import([ROOT / "data" / "sample"], fresh, currency="USD")
    shutil.copy(fresh, old)
    want_columns = _columns(fresh)
    _aged(old)
    assert _columns(old)[("orders", "ordered_on")] == "TIMESTAMP" and ("customers", "source_file") not in _columns(old)
    importer.upgrade_derived(old)
    assert importer.derived_is_current(old) and _columns(old) == want_columns
    assert _tables(old) == _tables(fresh) and "data_range" not in _tables(old)
    f = Filters(dt.date(2026, 7, 1), dt.date(2026, 9, 30), all_customers=True)
    got, want = cdb.connect(old), cdb.connect(fresh)
    try:
        assert kpis.compute(got, f) == kpis.compute(want, f)
    finally:
        got.close()
        want.close()
    # An import into such a database (appending) conforms it the same way.
    again = tmp_path / "again.duckdb"
    shutil.copy(fresh, again)
    _aged(again)
    importer.run_import([ROOT / "data" / "sample" / "fx_rates.csv"], again, currency="USD")
    assert _columns(again) == want_columns and importer.derived_is_current(again)
    assert _tables(again) == _tables(fresh)


def test_early_database_whose_values_cannot_take_the_current_type_is_left_as_it_was(tmp_path):
    """A value that cannot be read as the current type: the upgrade stops, naming the table and column, and the
    file is byte for byte what it was."""
    from cockpit import importer
    db_file = tmp_path / "old.duckdb"
    importer.run_import([ROOT / "data" / "sample"], db_file, currency="USD")
    _aged_with_an_unreadable_date(db_file)
    before = db_file.read_bytes()
    with pytest.raises(importer.ImportFailed, match=r"customers\.updated_on .*VARCHAR.*DATE.*unchanged"):
        importer.upgrade_derived(db_file)
    assert db_file.read_bytes() == before and not importer.derived_is_current(db_file)


def test_a_top_up_that_changes_the_history_builds_the_summary_tables_a_full_build_gives(tmp_path, monkeypatch):
    """A re-export that overlaps the history — a line moved to another customer, a line's amount changed, a customer's
    record changed (country, rep), a complaint moved to another customer, a line added to an old order on a later
    day, a line before the history — with new lines, a new customer and a new complaint, imported into the sample
    company: the summary tables built for the rows it changes only equal, table by table, those a full build of the
    same import gives."""
    from cockpit.importer import run as run_module
    from tests.same_tables import assert_same_tables
    run_import([ROOT / "data" / "sample"], tmp_path / "top.duckdb", currency="USD")
    # C88888, whose customer-file record has no country (order lines do not overwrite it), buys in Germany; C77777
    # returned goods before its first order.
    before = tmp_path / "before"
    before.mkdir()
    write(before / "customers.csv", "Customer ID,Customer Name,Country\nC88888,Eighty Eight Ltd,\n")
    write(before / "orders.csv", "Order No.,Line,Customer ID,Order Date,Amount,Currency,Country\n"
                                 "SO880001,1,C88888,2024-02-10,1000,USD,Germany\n"
                                 "SO770001,1,C77777,2023-11-01,-50,USD,Spain\n"
                                 "SO770002,1,C77777,2024-06-01,800,USD,Spain\n")
    run_import([before], tmp_path / "top.duckdb")
    shutil.copy(tmp_path / "top.duckdb", tmp_path / "full.duckdb")
    (last,), = q(tmp_path / "top.duckdb", "select max(ordered_on) + 3 from orders")
    # An order of C10010's whose total changes on all of its days when a line is added on a later one.
    (order,), = q(tmp_path / "top.duckdb", "select order_id from orders where customer_id = 'C10010' order by ordered_on limit 1")
    (first,), = q(tmp_path / "top.duckdb", "select min(ordered_on) - 400 from orders")
    changes = tmp_path / "changes"
    changes.mkdir()
    write(changes / "orders.csv", "Order No.,Line,Customer ID,Order Date,Amount,Currency,Country\n"
                                  "SO500001,1,C10002,2023-10-01,20000,USD,\n"
                                  "SO500001,2,C10001,2023-10-01,99.5,USD,\n"
                                  # C88888's home country becomes France; C77777's first order moves earlier.
                                  f"SO880002,1,C88888,{last},5000,USD,France\n"
                                  "SO770003,1,C77777,2024-01-15,300,USD,Spain\n"
                                  f"SO900001,1,C10003,{last},1500,EUR,\n"
                                  f"SO900002,1,C99999,{last},700,USD,\n"
                                  f"{order},99,C10010,{last},5000,USD,\n"
                                  f"SO900003,1,C10009,{first},300,USD,\n")
    write(changes / "customers.csv", "Customer ID,Customer Name,Country,Sales Rep\nC10004,Renamed Ltd,Germany,Zhang Min\n")
    write(changes / "complaints.csv", "Complaint ID,Customer ID,Date Received,Severity\n"
                                      "QC-00013,C10005,2023-11-14 14:29,Major\n"
                                      f"QC-99999,C10006,{last} 09:00,Minor\n")
    top = run_import([changes], tmp_path / "top.duckdb")
    # C10001 (its line moved, its other line changed), C10002, C10003, C99999 (new), C10010 (a line added to an old
    # order), C10009 (a line before the history: its first order day changes, and a quarter end is new to every
    # customer), C88888 and C77777, C10004 (record), C10011 (its complaint moved), C10005 and C10006 (complaints).
    assert top.rebuilt_customers == 12
    monkeypatch.setattr(run_module, "top_up_possible", lambda con: False)
    full = run_import([changes], tmp_path / "full.duckdb")
    assert full.rebuilt_customers is None
    assert q(tmp_path / "top.duckdb", "select customer_id, amount from orders where order_id = 'SO500001' and line_no = 1") \
        == [("C10002", 20000.0)]
    assert q(tmp_path / "top.duckdb", "select customer_id, home_country, first_order_on::varchar from customer_facts "
                                      "where customer_id in ('C88888', 'C77777') order by 1") == \
        [("C77777", "ES", "2024-01-15"), ("C88888", "FR", "2024-02-10")]
    tables = assert_same_tables(tmp_path / "full.duckdb", tmp_path / "top.duckdb")
    assert {"customer_day", "period_facts", "customer_rhythm", "customer_snapshot", "complaint_facts"} <= set(tables)


def test_a_re_export_of_the_last_months_rebuilds_the_rows_from_its_first_day_as_a_full_build(tmp_path, monkeypatch):
    """The last two months of order lines exported again, some changed (amounts, a line moved to another customer, a
    line added to an order of the window), with the next month's lines, into the sample company: the quarter-end
    states before the re-export's first day are kept for customers whose only change is lines, and every table
    equals, table by table, a full build of the same import. C77777 returned goods long before the window and
    places its first order in it: its first order day, which its earlier states show, changes. A line added to an
    order of half a year before changes that order's total on its own day: the states are built again from there.
    No record changes: the duplicate pairs are kept without a search."""
    import datetime as dt

    from cockpit.importer import run as run_module
    from tests.same_tables import assert_same_tables
    run_import([ROOT / "data" / "sample"], tmp_path / "top.duckdb", currency="USD")
    (first,), = q(tmp_path / "top.duckdb", "select min(ordered_on) + 20 from orders")
    early = tmp_path / "early"
    early.mkdir()
    write(early / "orders.csv", "Order No.,Line,Customer ID,Order Date,Amount,Currency,Country\n"
                                f"SO770001,1,C77777,{first},-50,USD,Spain\n")
    run_import([early], tmp_path / "top.duckdb")
    shutil.copy(tmp_path / "top.duckdb", tmp_path / "full.duckdb")
    (last,), = q(tmp_path / "top.duckdb", "select max(ordered_on) from orders")
    since = last - dt.timedelta(days=60)
    window = pd.DataFrame(q(tmp_path / "top.duckdb", f"""
        select order_id, line_no, customer_id, ordered_on::varchar, amount, currency, country_raw
        from orders where ordered_on > '{since}' order by order_id, line_no"""),
        columns=["Order No.", "Line", "Customer ID", "Order Date", "Amount", "Currency", "Country"])
    assert len(window) > 20
    window.loc[window.index[:5], "Amount"] *= 1.5                        # amounts changed
    moved = window.index[7]
    window.loc[moved, "Customer ID"] = "C10001" if window.at[moved, "Customer ID"] != "C10001" else "C10002"
    added = window.iloc[[10]].assign(Line=99, **{"Order Date": str(last - dt.timedelta(days=5))})  # a line added
    later = window.iloc[[0, 3]].assign(**{"Order No.": ["SO990001", "SO990002"], "Line": 1,
                                          "Order Date": str(last + dt.timedelta(days=20))})
    return_first = pd.DataFrame([["SO770002", 1, "C77777", str(since + dt.timedelta(days=10)), 900.0, "USD", "Spain"]],
                                columns=window.columns)
    # A line added to an order of half a year before: that order's total changes on its own day, before the window.
    (old_order, old_customer), = q(tmp_path / "top.duckdb", f"""
        select order_id, any_value(customer_id) from orders group by order_id
        having min(ordered_on) between '{last - dt.timedelta(days=200)}' and '{last - dt.timedelta(days=150)}'
        order by order_id limit 1""")
    old_order_grows = pd.DataFrame([[old_order, 99, old_customer, str(last + dt.timedelta(days=20)), 5e6, "USD", None]],
                                   columns=window.columns)
    changes = tmp_path / "changes"
    changes.mkdir()
    pd.concat([window, added, later, return_first, old_order_grows]).to_csv(changes / "orders.csv", index=False)
    # Lines of customers known already, whose names, e-mails, phones and reps stay as they were: the duplicate pairs
    # found before still hold, and no search runs.
    with monkeypatch.context() as m:
        m.setattr(run_module, "duplicate_search", lambda con: pytest.fail("a top-up of lines searched for duplicates"))
        top = run_import([changes], tmp_path / "top.duckdb")
    assert top.rebuilt_customers is not None and first < top.rebuilt_from <= last - dt.timedelta(days=150)
    assert f"the rows from {top.rebuilt_from.isoformat()} on" in top.text()
    monkeypatch.setattr(run_module, "top_up_possible", lambda con: False)
    run_import([changes], tmp_path / "full.duckdb")
    assert q(tmp_path / "top.duckdb", "select first_order_on::varchar from customer_facts where customer_id = 'C77777'") \
        == [(str(since + dt.timedelta(days=10)),)]
    tables = assert_same_tables(tmp_path / "full.duckdb", tmp_path / "top.duckdb")
    assert {"customer_day", "period_facts", "customer_rhythm", "customer_snapshot"} <= set(tables)


def test_every_import_step_is_said_in_both_languages(tmp_path):
    """The steps an import reports (the data page's progress bar, the CLI's) are words of cockpit/i18n.py, in English
    and in Chinese: a Chinese view shows no English step."""
    from cockpit.i18n import t
    steps = []
    run_import([ROOT / "data" / "sample"], tmp_path / "steps.duckdb", currency="USD",
               progress=lambda fraction, step, **values: steps.append((fraction, step, values)))
    assert [s for _, s, _ in steps][0] == "import_step_finding" and steps[-1][:2] == (1.0, "import_step_done")
    assert any(s == "import_step_reading" and v.get("file") for _, s, v in steps)
    for _, step, values in steps:
        english, chinese = t(step, "en", **values), t(step, "zh", **values)
        assert english != step and chinese != english
        words = chinese.replace(values.get("file", ""), "")
        assert not any(c.isascii() and c.isalpha() for c in words), chinese


def test_every_field_a_column_can_be_mapped_to_has_distinct_words_in_both_languages():
    """The data page's mapping offers each table's fields by their words (pages/data.py field_label): every field
    has them in English and Chinese, and no two fields of one table share them."""
    from cockpit.i18n import STRINGS
    from cockpit.schema import TABLES
    for table, fields in TABLES.items():
        for lang in ("en", "zh"):
            words = [STRINGS[f"import_field_{f.name}"][lang] for f in fields]
            assert len(set(words)) == len(words), (table, lang, words)


def test_numbered_lines_are_kept_once_each_whichever_way_they_are_listed(tmp_path):
    """Order lines with their own line numbers: a repeated (order, line) keeps its later row, and nothing else is
    dropped, whether each order's lines come together with rising numbers (checked along the runs, without hashing
    every pair) or not (the general check); one_part_per_order as for unnumbered lines."""
    from cockpit.importer.assemble import assemble_orders
    from cockpit.importer.read import read_sources
    head = "Order No,Line No,Customer ID,Order Date,Amount\n"
    cases = {
        "together, rising": ("O1,1,K,2024-01-01,10\nO1,2,K,2024-01-01,20\nO2,1,L,2024-01-02,5\n",
                             [("O1", 1, 10.0), ("O1", 2, 20.0), ("O2", 1, 5.0)], True, False),
        "together, a line twice": ("O1,1,K,2024-01-01,10\nO1,1,K,2024-01-01,11\nO2,1,L,2024-01-02,5\n",
                                   [("O1", 1, 11.0), ("O2", 1, 5.0)], True, True),
        "together, falling": ("O1,2,K,2024-01-01,20\nO1,1,K,2024-01-01,10\nO2,1,L,2024-01-02,5\n",
                              [("O1", 1, 10.0), ("O1", 2, 20.0), ("O2", 1, 5.0)], True, False),
        "apart": ("O1,1,K,2024-01-01,10\nO2,1,L,2024-01-02,5\nO1,2,K,2024-01-01,20\n",
                  [("O1", 1, 10.0), ("O1", 2, 20.0), ("O2", 1, 5.0)], False, False),
        "together, two days": ("O1,1,K,2024-01-01,10\nO1,2,K,2024-01-02,20\n",
                               [("O1", 1, 10.0), ("O1", 2, 20.0)], False, False),
    }
    for name, (lines, expected, one_part, repeated) in cases.items():
        src = tmp_path / name.replace(",", "").replace(" ", "_")
        src.mkdir()
        write(src / "orders.csv", head + lines)
        prepared, report = read_sources([src], [])
        frame = assemble_orders(prepared, report)
        rows = sorted(zip(frame["order_id"], frame["line_no"].astype(int), frame["amount"].astype(float)))
        assert rows == expected, name
        assert frame.attrs["one_part_per_order"] is one_part, name
        assert any("repeated" in n for n in report.notes) is repeated, name
