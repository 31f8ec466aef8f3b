"""The benchmark runs end to end at its smallest scale (a smoke test: timings are recorded, never asserted)."""
import json
import subprocess
import sys

from tests.conftest import ROOT
from tests.same_tables import assert_same_tables


def test_bench_smallest_scale(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, "-m", "bench", "--scale", "100k", "--repeat", "2", "--topup", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = json.loads(out.read_text())
    assert {r["page"] for r in rows} == {"overview", "regions", "complaints", "customers", "churn"}
    for r in rows:
        assert set(r) >= {"scale", "page", "import_lines_per_s", "cold_ms", "warm_p50_ms", "warm_p95_ms", "pandas_ms",
                          "ratio", "peak_rss_mb", "topup_lines", "topup_s", "topup_peak_rss_mb", "topup_known_s",
                          "topup_known_new_customers"}
        assert r["topup_new_customers"] > 0 and r["topup_known_new_customers"] == 0
    assert "lines/s" in proc.stdout and "top-up at 100k" in proc.stdout and "lines of known customers" in proc.stdout


def test_the_long_shaped_company_imports_and_reads_as_generated(tmp_path):
    """The bench's second shape (six years, orders of numbered lines, ~5 % shared names) imports with the default
    memory settings, every line kept, and the state as of its last quarter end covers the history."""
    from bench.generate import generate
    from cockpit import db
    from cockpit.importer import run_import
    facts = generate("100k", tmp_path / "long", shape="long")
    report = run_import([tmp_path / "long" / "csv"], tmp_path / "long.duckdb")
    assert report.table_counts["orders"] == facts["lines"] and report.table_counts["customers"] == facts["customers"]
    con = db.connect(tmp_path / "long.duckdb")
    try:
        first, last, ends = con.execute("select min(ordered_on), max(ordered_on), (select count(*) from snapshot_days) "
                                        "from orders").fetchone()
        assert (last - first).days > 5 * 365 and ends >= 24
        lines_per_order = con.execute("select max(n) from (select count(*) as n from orders group by order_id)").fetchone()[0]
        assert 2 <= lines_per_order <= 6
        shared = con.execute("select count(*) from customer_duplicate_pairs").fetchone()[0]
        assert shared > 0
    finally:
        con.close()


def test_a_top_up_lands_on_the_history_as_a_full_import_of_both_would(tmp_path):
    """A month's top-up (bench/generate.py topup: new lines of existing and new customers) imported into the history
    gives, table by table, the database a fresh import of the history and the top-up together gives; every new line
    and customer is there and no line of the history changed."""
    import duckdb

    from bench.generate import generate, topup
    from cockpit.importer import run_import
    facts = generate("100k", tmp_path / "co")
    month = topup("100k", tmp_path / "month", lines=3000)
    run_import([tmp_path / "co" / "csv"], tmp_path / "topped.duckdb")
    run_import([tmp_path / "month" / "csv"], tmp_path / "topped.duckdb")
    run_import([tmp_path / "co" / "csv", tmp_path / "month" / "csv"], tmp_path / "whole.duckdb")
    con = duckdb.connect(str(tmp_path / "topped.duckdb"), read_only=True)
    counts = con.execute("select (select count(*) from orders), (select count(*) from customers)").fetchone()
    con.close()
    assert counts == (facts["lines"] + month["lines"], facts["customers"] + month["new_customers"])
    tables = assert_same_tables(tmp_path / "whole.duckdb", tmp_path / "topped.duckdb")
    assert {"orders", "customers", "customer_snapshot", "period_facts"} <= set(tables)


