"""Attacks whose surface is the browser: names, segments, reps and regions carrying Markdown, links and HTML are
shown as text on every page (no link, no bold, no tag), in the review pack too; a shared link keeps its page and
filters through sign-in; a sign-in delay is said in the viewer's language."""
from __future__ import annotations

import shutil
import urllib.parse
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT
from tests.test_browser import (CHROMIUM, PAGES, browser, open_page, secured_server, start_server,  # noqa: F401
                                wait_idle)

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed")

BOLD_LINK = "**bold** [link](http://evil.example)"
PHISH = "[phish](http://evil.example)"
REP = "**rep** <b>tag</b> <a href='http://evil.example'>click</a> [x](http://evil.example)"
REGION = "<i>html</i> :red[red] [r](http://evil.example)"

# Any element the data could have made: a link to the attacker's site, or emphasis/markup around their words.
RENDERED = """() => {
    const links = Array.from(document.querySelectorAll('a'))
        .filter(a => ((a.getAttribute('href') || '') + (a.getAttribute('xlink:href') || '')).includes('evil.example'))
        .map(a => 'link ' + a.outerHTML);
    const marked = Array.from(document.querySelectorAll('strong, b, em, i, span[style*="color"], tspan[style*="bold"], tspan[style*="italic"]'))
        .filter(e => ['bold', 'rep', 'tag', 'html', 'red', 'click'].includes(e.textContent.trim()))
        .map(e => 'markup ' + e.outerHTML);
    return links.concat(marked);
}"""


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    """The sample company with two customers named BOLD_LINK (so each is the other's possible duplicate), five in
    segment PHISH and rep REP, and one in sales region REGION."""
    from cockpit.importer import run_import
    folder = tmp_path_factory.mktemp("hostile")
    src = folder / "sample"
    shutil.copytree(ROOT / "data" / "sample", src)
    crm_file = src / "crm_customers_客户.csv"
    crm = pd.read_csv(crm_file, encoding="gb18030", dtype=str, keep_default_na=False)
    crm.loc[crm["客户编号"].isin(["C10001", "C10002"]), "客户名称"] = BOLD_LINK
    crm.loc[crm["客户编号"].isin(["C10001", "C10002", "C10003", "C10004", "C10005"]), "客户等级"] = PHISH
    crm.loc[crm["客户编号"].isin(["C10001", "C10002", "C10003", "C10004", "C10005"]), "业务员"] = REP
    crm.loc[crm["客户编号"] == "C10004", "销售区域"] = REGION
    crm.to_csv(crm_file, index=False, encoding="gb18030")
    db = folder / "cockpit.duckdb"
    run_import([src], db, currency="USD")
    return db


@pytest.fixture(scope="module")
def hostile_server(hostile_db):
    proc, base = start_server(hostile_db)
    yield base, hostile_db
    proc.terminate()
    proc.wait(10)


def _query(**values) -> str:
    return urllib.parse.urlencode(values, doseq=True)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_markdown_and_html_from_the_data_are_shown_as_text_on_every_page(hostile_server, browser, lang):  # noqa: F811
    base, _ = hostile_server
    outside: list[str] = []
    filters = _query(lang=lang, segments=[PHISH], reps=[REP], regions=[REGION])
    for name, path in PAGES.items():
        for query in (filters, _query(lang=lang, customer="C10001")):
            context, page = open_page(browser, f"{base}/{path}?{query}", outside)
            try:
                assert page.locator("[data-testid=stException]").count() == 0, name
                assert page.evaluate(RENDERED) == [], f"{name}: rendered from the data"
                if query == filters and name != "data":  # the data page shows no filters
                    header = page.locator("[data-testid=stMarkdownContainer]", has_text="[phish](http").first
                    assert PHISH in header.inner_text().replace("\u2060", ""), f"{name}: the segment is not shown as text"
            finally:
                context.close()
    assert outside == []


@pytest.mark.parametrize("path", ["regions?lang=en&group=sales_region", "complaints?lang=en&dim=sales_rep&period=all"])
def test_charts_show_names_from_the_data_as_text(hostile_server, browser, path):  # noqa: F811
    """Plotly reads a small HTML in labels: the sales region and rep named with tags and a link show as typed."""
    base, _ = hostile_server
    outside: list[str] = []
    context, page = open_page(browser, f"{base}/{path}", outside)
    try:
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30000)
        wait_idle(page)
        labels = " ".join(page.locator(".js-plotly-plot").all_inner_texts()) + " ".join(
            page.locator(".js-plotly-plot text").all_text_contents())
        assert "<b>tag</b>" in labels or "<i>html</i>" in labels, labels[:500]
        assert page.evaluate(RENDERED) == []
    finally:
        context.close()
    assert outside == []


def test_the_possible_duplicates_flag_shows_the_names_as_typed(hostile_server, browser):  # noqa: F811
    base, _ = hostile_server
    outside: list[str] = []
    context, page = open_page(browser, f"{base}/customers?lang=en&customer=C10001", outside)
    try:
        flag = page.get_by_text("Possible duplicate", exact=False).first
        flag.wait_for(timeout=30000)
        assert BOLD_LINK in flag.inner_text().replace("\u2060", "")
        assert page.evaluate(RENDERED) == []
    finally:
        context.close()


def test_the_review_pack_shows_the_names_as_text(hostile_db):
    import datetime as dt

    from cockpit import db as cdb
    from cockpit import report
    from cockpit.filters import Filters
    con = cdb.connect(hostile_db)
    try:
        f = Filters(dt.date(2026, 7, 1), dt.date(2026, 9, 30), segments=(PHISH,), all_customers=True)
        html = report.build(con, f, "en", "html").decode("utf-8")
    finally:
        con.close()
    assert 'href="http://evil.example"' not in html and "<b>tag</b>" not in html and "<i>html</i>" not in html
    assert "[phish](http://evil.example)" in html  # the segment, in words, as typed


def test_a_shared_link_keeps_its_page_and_filters_through_sign_in(secured_server, browser):  # noqa: F811
    base, _ = secured_server
    outside: list[str] = []
    context, page = open_page(browser, f"{base}/regions?lang=en&countries=DE&wi_drop=10.0", outside)
    try:
        page.get_by_role("textbox", name="User name").fill("boss")
        page.get_by_role("textbox", name="Password").fill("correct horse battery")
        page.get_by_role("button", name="Sign in").click()
        page.locator("[data-testid=stMetric]").first.wait_for(timeout=30000)
        wait_idle(page)
        assert "/regions" in page.url and "countries=DE" in page.url and "wi_drop=10.0" in page.url
        assert page.locator("h1").first.inner_text() == "Regions"
        assert "Germany" in page.locator("[data-testid=stMarkdownContainer]", has_text="Showing").first.inner_text()
    finally:
        context.close()
    assert outside == []


def test_a_sign_in_delay_is_said_in_chinese(secured_server, browser):  # noqa: F811
    base, _ = secured_server
    outside: list[str] = []
    context, page = open_page(browser, f"{base}/?lang=zh", outside)
    try:
        said = ""
        for _ in range(8):  # the delays grow (1, 2, 4, 8 s after the third failure): quick retries meet one
            page.get_by_role("textbox", name="用户名").fill("nobody-here")
            page.get_by_role("textbox", name="密码").fill("wrong password")
            page.get_by_role("button", name="登录").click()
            page.locator("[data-testid=stAlert]").first.wait_for(timeout=20000)
            page.wait_for_timeout(300)
            said = page.inner_text("[data-testid=stMain]")
            if "秒后再试" in said:
                break
        assert "秒后再试" in said, said
    finally:
        context.close()
