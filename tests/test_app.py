"""The dashboard in a real Streamlit session (AppTest): filters change the numbers to independently known values."""
import datetime as dt
import shutil

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cockpit import ui

from cockpit.i18n import fmt_amount, fmt_int
from tests.conftest import ROOT

SAMPLE = ROOT / "data" / "sample"
SAMPLE_Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))  # the sample's first view: its latest complete quarter


def independent_orders() -> pd.DataFrame:
    """Order lines in USD computed straight from the sample's export files, without the importer."""
    from tests.independent import sample_customers, sample_orders
    orders = sample_orders().rename(columns={"customer_id": "Customer ID", "ordered_on": "Order Date"})
    crm = sample_customers().rename(columns={"customer_id": "客户编号"})
    return orders.merge(crm[["客户编号", "国家"]], left_on="Customer ID", right_on="客户编号", how="left")


def metric(at, label):
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label}: {[m.label for m in at.metric]}")


def make(app_env, lang="en"):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["lang"] = lang
    return at.run()


def test_overview_numbers_follow_the_country_filter(app_env):
    at = make(app_env)
    assert not at.exception
    period = at.selectbox(key="period").value
    assert period == "2026Q3"  # the latest complete quarter of the sample
    orders = independent_orders()
    q3 = orders[(orders["Order Date"] >= "2026-07-01") & (orders["Order Date"] <= "2026-09-30")]
    assert metric(at, "Revenue (USD)") == fmt_amount(q3["usd"].sum(), "en")
    assert metric(at, "Active customers") == fmt_int(q3.loc[q3["Amount"] > 0, "Customer ID"].nunique())

    at.multiselect(key="countries").set_value(["DE"]).run()
    assert not at.exception
    de = q3[q3["国家"].isin(["Germany", "DE"])]
    assert metric(at, "Revenue (USD)") == fmt_amount(de["usd"].sum(), "en")
    assert metric(at, "Active customers") == fmt_int(de.loc[de["Amount"] > 0, "Customer ID"].nunique())
    assert "countries: Germany" in " ".join(m.value for m in at.markdown)
    # The filter is in the URL as a code, not as a display name.
    assert at.query_params.get("countries") in ("DE", ["DE"])


def test_period_and_language_switch(app_env):
    at = make(app_env, "zh")
    assert any("当前视图" in m.value for m in at.markdown)
    at.selectbox(key="period").set_value("2025Q1").run()
    orders = independent_orders()
    q1 = orders[(orders["Order Date"] >= "2025-01-01") & (orders["Order Date"] <= "2025-03-31")]
    assert metric(at, "销售额（USD）") == fmt_amount(q1["usd"].sum(), "zh")
    at.segmented_control(key="lang").set_value("en").run()
    assert metric(at, "Revenue (USD)") == fmt_amount(q1["usd"].sum(), "en")
    assert not at.exception


def test_bad_url_values_are_ignored_with_a_message(app_env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["lang"] = "en"
    at.query_params["countries"] = ["DE", "XX'; drop table orders; --"]
    at.query_params["period"] = "2099Q9"
    at.run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "XX'; drop table orders" in warnings and "2099Q9" in warnings
    assert at.multiselect(key="countries").value == ["DE"]


def test_fresh_clone_builds_the_sample_database(app_env, tmp_path, monkeypatch):
    from cockpit import db
    target = tmp_path / "data" / "cockpit.duckdb"
    monkeypatch.delenv("COCKPIT_DB")
    monkeypatch.setattr(db, "DEFAULT_DB", target)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert target.exists()
    assert metric(at, "Active customers") not in ("0", "—")
    # The note said while the sample was built is gone once the page is drawn.
    assert not any("building the sample" in i.value for i in at.info)


def test_a_database_from_an_early_version_opens_or_says_why_not(app_env, tmp_path, monkeypatch):
    """An early version's database (dates as timestamps, older summary tables) is brought up to date when the app
    opens it; one whose values cannot be, gets a message in the page's language, and the file is left as it was."""
    from tests.test_import import _aged, _aged_with_an_unreadable_date
    old = tmp_path / "old.duckdb"
    shutil.copy(app_env, old)
    _aged(old)
    monkeypatch.setenv("COCKPIT_DB", str(old))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception and not at.error
    assert metric(at, "Active customers") not in ("0", "—")

    bad = tmp_path / "bad.duckdb"
    shutil.copy(app_env, bad)
    _aged_with_an_unreadable_date(bad)
    before = bad.read_bytes()
    monkeypatch.setenv("COCKPIT_DB", str(bad))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert "此数据库无法升级" in at.error[0].value and "customers.updated_on" in at.error[0].value.replace("\\_", "_")
    assert bad.read_bytes() == before


def test_meeting_mode_enlarges_every_page(app_env):
    """Meeting mode (in the URL, ?meeting=1) on every page: larger type for the cards and headings, chart text at
    16-18 px, titles at 24."""
    import json
    for page in ("overview", "regions", "complaints", "customers", "churn"):
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        at.session_state["lang"] = "zh"
        at.query_params["meeting"] = "1"
        if page != "overview":
            at.switch_page(str(ROOT / "pages" / f"{page}.py"))
        at.run()
        assert not at.exception, page
        assert any("stMetricValue]{font-size:3.2rem" in h.proto.body for h in at.get("html")), page
        charts = at.get("plotly_chart")
        assert charts, page
        layout = json.loads(charts[0].proto.spec)["layout"]
        assert layout["font"]["size"] == 18 and layout["title"]["font"]["size"] == 24, page
        # Tables keep their first (most important) columns only; the downloads keep them all.
        assert all(len(t.value.columns) <= ui.MEETING_COLUMNS for t in at.dataframe), page


def test_meeting_mode_shows_a_table_s_first_columns_and_downloads_them_all():
    def script():
        import pandas as pd
        import streamlit as st

        from cockpit import ui
        df = pd.DataFrame({c: [1, 2] for c in "abcdefgh"})
        real, offered = ui.downloads, {}
        ui.downloads = lambda frame, stem, key: offered.setdefault("columns", list(
            (frame() if callable(frame) else frame).columns))
        try:
            ui.table(df, {c: (c.upper(), "int") for c in "abcdefgh"}, key="t", stem="t")
        finally:
            ui.downloads = real
        st.session_state["download_columns"] = offered["columns"]
    at = AppTest.from_function(script)
    at.run()
    assert list(at.dataframe[0].value.columns) == list("ABCDEFGH")
    at = AppTest.from_function(script)
    at.session_state["meeting"] = True
    at.run()
    assert not at.exception
    assert list(at.dataframe[0].value.columns) == list("ABCDE")
    assert at.session_state["download_columns"] == list("ABCDEFGH")


def _wait_for_warm_ups() -> None:
    """Until the first-view warm-ups other tests' app runs started (ui.warm_first_views) have finished."""
    import threading
    for thread in threading.enumerate():
        if thread.name == "first views":
            thread.join(timeout=120)


def test_every_page_s_first_view_is_ready_before_a_visitor_asks(app_env, tmp_path, monkeypatch):
    """ui.warm_first_views works out the first view of every page (cockpit/first_views.py) into the cache the pages
    read: after it, opening each page with the default filters works nothing out again, which holds that the list
    asks for exactly what the page scripts ask for."""
    import functools
    import importlib

    from cockpit import first_views
    from cockpit.filters import Filters
    from tests.conftest import copy_db
    fresh = copy_db(app_env, tmp_path)  # a database version this process has not warmed yet
    monkeypatch.setenv("COCKPIT_DB", str(fresh))
    ui.warm_first_views(first_views.calls, after_s=0).join()
    assert ui.warm_first_views(first_views.calls, after_s=0) is None  # once per database version
    # Warm-ups that earlier tests' app runs started (other database files) finish first: the spies below must see
    # only what this test's page runs work out.
    _wait_for_warm_ups()
    asked = []
    any_day = Filters(SAMPLE_Q3[0], SAMPLE_Q3[1], all_customers=True)
    for function, *_ in first_views.calls(any_day):
        @functools.wraps(function)
        def spy(*args, _function=function, **kwargs):
            asked.append(_function.__qualname__)
            return _function(*args, **kwargs)
        monkeypatch.setattr(importlib.import_module(function.__module__), function.__name__, spy)
    at = make(fresh)
    assert not at.exception and at.selectbox(key="period").value == "2026Q3"
    for page in ("regions", "complaints", "customers", "churn"):
        at.switch_page(str(ROOT / "pages" / f"{page}.py")).run()
        assert not at.exception, page
    assert asked == []
    # A filter is not a first view: it is worked out when asked.
    at.multiselect(key="countries").set_value(["DE"]).run()
    assert not at.exception and "view" in asked


def test_the_warm_up_waits_while_a_visitor_s_page_runs(app_env, tmp_path, monkeypatch):
    """The first views are worked out only while no visitor's page run is in progress (ui.visitor_run)."""
    from cockpit import first_views, regions
    from tests.conftest import copy_db
    monkeypatch.setenv("COCKPIT_DB", str(copy_db(app_env, tmp_path)))
    _wait_for_warm_ups()
    asked = []
    monkeypatch.setattr(first_views, "calls", lambda f: [(regions.view, f, (), {})])
    monkeypatch.setattr(ui, "_cached_call", lambda *args: asked.append(args[2]))
    with ui.visitor_run():
        thread = ui.warm_first_views(first_views.calls, after_s=0)
        thread.join(timeout=1.0)
        assert thread.is_alive() and asked == []  # waiting for the run to end
    thread.join(timeout=30)
    assert not thread.is_alive() and asked == ["cockpit.regions.view"]


def test_a_view_is_cached_whatever_words_name_the_filters(app_env, tmp_path, monkeypatch):
    """The cache key of a view is what it is worked out from, not the filters' display names in the viewer's
    language (Filters.names): a country clicked on the map works out that country's view, and the map's
    whole-company view the page read before is read again from the cache; the same view in Chinese is the English
    one."""
    import functools

    from cockpit import regions
    from tests.conftest import copy_db
    monkeypatch.setenv("COCKPIT_DB", str(copy_db(app_env, tmp_path)))
    _wait_for_warm_ups()
    asked = []
    original = regions.view

    @functools.wraps(original)  # (computed() finds a function by its module and name)
    def spy(con, filters, *args, **kwargs):
        asked.append(filters.countries)
        return original(con, filters, *args, **kwargs)
    monkeypatch.setattr(regions, "view", spy)
    at = make(tmp_path / "unused")  # (COCKPIT_DB above names the database)
    at.switch_page(str(ROOT / "pages" / "regions.py")).run()
    assert not at.exception
    whole = asked.count(())
    at.multiselect(key="countries").set_value(["DE"]).run()
    assert not at.exception and asked.count(("DE",)) == 1 and asked.count(()) == whole
    at.segmented_control(key="lang").set_value("zh").run()
    assert not at.exception and asked.count(("DE",)) == 1 and asked.count(()) == whole


@pytest.mark.parametrize("page", ["overview", "regions", "complaints", "customers", "churn"])
def test_a_rerun_or_the_other_language_works_nothing_out_again(app_env, tmp_path, monkeypatch, page):
    """What a page shows is cached by what it is worked out from: a second run with nothing changed (any click on
    the page reruns it) and the same filters in the other language read every view from the cache, for the whole
    company and for one country. (A setting's default and a list equal to it once made two keys of one view: the
    Churn page worked its view out again on its second run.)"""
    import importlib
    import types

    from tests.conftest import copy_db
    monkeypatch.setenv("COCKPIT_DB", str(copy_db(app_env, tmp_path)))
    at = make(tmp_path / "unused")
    if page != "overview":
        at.switch_page(str(ROOT / "pages" / f"{page}.py")).run()
    _wait_for_warm_ups()
    worked_out = []
    monkeypatch.setattr(ui, "importlib", types.SimpleNamespace(
        import_module=lambda module: worked_out.append(module) or importlib.import_module(module)))
    for countries in ([], ["DE"]):
        if countries:
            at.multiselect(key="countries").set_value(countries).run()
            assert not at.exception
        worked_out.clear()
        at.run()
        at.segmented_control(key="lang").set_value("zh").run()
        at.segmented_control(key="lang").set_value("en").run()
        assert not at.exception and worked_out == [], (countries, worked_out)
