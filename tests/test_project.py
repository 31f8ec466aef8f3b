"""Project-level promises: the sample regenerates byte for byte, every string is bilingual, docs cover the model."""
import re

from cockpit import i18n
from cockpit.importer.assemble import _COLUMNS
from cockpit.sample import write
from tests.conftest import ROOT


def test_sample_regenerates_identically(tmp_path):
    out = tmp_path / "sample"
    write(out)
    committed = sorted(p.name for p in (ROOT / "data" / "sample").iterdir())
    assert sorted(p.name for p in out.iterdir()) == committed
    for name in committed:
        if name.endswith(".xlsx"):
            continue  # zip timestamps differ; its content is compared below through the importer's reader
        assert (out / name).read_bytes() == (ROOT / "data" / "sample" / name).read_bytes(), name
    import pandas as pd
    a = pd.read_excel(out / "quality_complaints.xlsx", engine="calamine")
    b = pd.read_excel(ROOT / "data" / "sample" / "quality_complaints.xlsx", engine="calamine")
    pd.testing.assert_frame_equal(a, b)
    assert (tmp_path / "sample-truth" / "duplicates.csv").read_bytes() == (ROOT / "data" / "sample-truth" / "duplicates.csv").read_bytes()


def test_sample_has_a_gbk_file_with_chinese_headers():
    raw = (ROOT / "data" / "sample" / "crm_customers_客户.csv").read_bytes()
    try:
        raw.decode("utf-8")
        is_utf8 = True
    except UnicodeDecodeError:
        is_utf8 = False
    assert not is_utf8 and raw.decode("gb18030").startswith("客户编号")


def test_every_string_in_both_languages():
    for key, entry in i18n.STRINGS.items():
        assert set(entry) == {"en", "zh"}, key
        assert entry["en"].strip() and entry["zh"].strip(), key
        assert set(re.findall(r"{(\w+)}", entry["en"])) == set(re.findall(r"{(\w+)}", entry["zh"])), key


def test_every_t_key_used_in_code_exists():
    used = set()
    for path in list((ROOT / "cockpit").rglob("*.py")) + list((ROOT / "pages").rglob("*.py")) + [ROOT / "dashboard.py"]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_]+)["']""", path.read_text(encoding="utf-8")))
    missing = used - set(i18n.STRINGS)
    assert not missing, missing


def test_data_model_doc_lists_every_column():
    doc = (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8")
    for table, columns in _COLUMNS.items():
        assert f"`{table}`" in doc, table
        for col in columns:
            assert f"`{col}`" in doc, f"{table}.{col} not documented"


def test_metrics_doc_defines_every_kpi_key(sample_con):
    import datetime as dt
    from cockpit.filters import Filters
    from cockpit.kpis import compute
    doc = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    keys = compute(sample_con, Filters(dt.date(2025, 1, 1), dt.date(2025, 3, 31), all_customers=True)).keys()
    for key in keys:
        assert f"`{key}`" in doc, f"KPI {key} not defined in docs/metrics.md"


def test_reliability_doc_lists_every_corpus_file():
    from tests.hostile_corpus import cases
    doc = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    for case in cases():
        assert f"`{case.name}`" in doc, case.name


def test_pages_name_only_what_the_cockpit_package_has():
    """Every cockpit.<module>.<name> a page script uses exists. Some are called only on a click (a download's
    callable), which no test that just opens the page would reach: records.view_lists was missing that way."""
    import ast
    import importlib
    missing = []
    for script in sorted((ROOT / "pages").glob("*.py")) + [ROOT / "dashboard.py"]:
        tree = ast.parse(script.read_text(encoding="utf-8"))
        modules = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "cockpit":
                for alias in node.names:
                    modules[alias.asname or alias.name] = importlib.import_module(f"cockpit.{alias.name}")
        assert modules or script.name == "__init__.py", script
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
                if not hasattr(modules[node.value.id], node.attr):
                    missing.append(f"{script.name}: {node.value.id}.{node.attr}")
    assert missing == []


def test_pages_arrange_and_do_not_query():
    """Pages read filters, ask cockpit for named views and lay them out (STYLE.md): no page runs a query itself
    (db.run, db.aggregate, db.first_row, db.connect; the Data page may name the database file, db.db_path) or
    imports duckdb, and none calls a private name of a cockpit module (ui._…)."""
    import ast
    found = []
    for script in sorted((ROOT / "pages").glob("*.py")) + [ROOT / "dashboard.py"]:
        tree = ast.parse(script.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "db" \
                    and node.attr != "db_path":
                found.append(f"{script.name}: db.{node.attr}")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
                found += [f"{script.name}: imports {n}" for n in names if n and n.split(".")[0] == "duckdb"]
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.attr.startswith("_") \
                    and not node.attr.startswith("__") and node.value.id not in ("st", "self"):
                found.append(f"{script.name}: {node.value.id}.{node.attr}")
    assert found == []


def test_long_lived_objects_are_frozen_out_of_garbage_collection_at_the_second_run():
    """cockpit/ui.py freeze_long_lived (called as each run of dashboard.py starts): the first run passes, the second
    freezes what is alive (gc.freeze), later runs change nothing; so Streamlit's collection after every run looks
    only at what runs make. In a process of its own: freezing the test process's objects would outlive the test."""
    import subprocess
    import sys
    code = ("import gc; from cockpit import ui; counts = []\n"
            "for _ in range(3):\n    ui.freeze_long_lived(); counts.append(gc.get_freeze_count())\n"
            "x = [[] for _ in range(1000)]; ui.freeze_long_lived(); counts.append(gc.get_freeze_count()); print(counts)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.strip()
    first, second, third, later = eval(out)
    assert first == 0 and second > 10_000 and third == second and later == second
