"""What a person clicks, done in a real browser (Chromium): a country on the Regions map (on, then off again), a
step of the what-if, a country picked in the sidebar. Each checks the numbers the click should change, and that no
exception reaches the screen."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from bench.browser import POINT_IN_COUNTRY
from tests.test_browser import CHROMIUM, browser, open_page, server, wait_idle  # noqa: F401 - fixtures

pytestmark = pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="Debian chromium not installed")

def _no_exception(page, what: str) -> None:
    exc = page.locator("[data-testid=stException]")
    assert exc.count() == 0, f"{what}: exception shown: {exc.first.inner_text()[:1500]}"


def _country_revenue(sample_db, code: str | None) -> float:
    """The period's revenue (2026Q3, the app's default) for one destination country, or all, from the database."""
    from cockpit import db as cdb
    from cockpit import kpis
    from cockpit.filters import Filters
    con = cdb.connect(sample_db)
    try:
        f = Filters(dt.date(2026, 7, 1), dt.date(2026, 9, 30), countries=(code,) if code else (), all_customers=True)
        return kpis.headline(con, f)["revenue"]
    finally:
        con.close()


def _sidebar_countries(page) -> list[str]:
    """The values shown as chosen in the sidebar's country picker (its first multiselect)."""
    picker = page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first
    return list(dict.fromkeys(picker.locator(".react-aria-ComboBox [data-tag]").evaluate_all(
        "tags => tags.map(t => t.getAttribute('aria-label'))")))


def _click_country(page, iso3: str) -> None:
    chart = page.locator(".js-plotly-plot", has=page.locator("path.choroplethlocation")).first
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    point = page.evaluate(POINT_IN_COUNTRY, iso3)
    assert point, f"{iso3} not drawn on the map"
    page.mouse.click(*point)


def test_clicking_a_country_on_the_map_filters_every_page_and_a_second_click_clears_it(server, browser):  # noqa: F811
    base, _ = server
    outside: list[str] = []
    context, page = open_page(browser, f"{base}/regions?lang=en", outside)
    try:
        page.wait_for_selector(".js-plotly-plot path.choroplethlocation", timeout=30000)
        _click_country(page, "DEU")
        page.wait_for_function("() => location.search.includes('countries=DE')", timeout=30000)
        wait_idle(page)
        _no_exception(page, "map click")
        assert _sidebar_countries(page) == ["Germany"]
        assert "Germany" in page.locator("[data-testid=stMarkdownContainer]", has_text="Showing").first.inner_text()
        # The filter holds on another page.
        page.get_by_role("link", name="Overview").first.click()
        wait_idle(page)
        _no_exception(page, "overview after the map click")
        assert "countries=DE" in page.url and _sidebar_countries(page) == ["Germany"]
        # Back on the map, the same country again removes the filter.
        page.get_by_role("link", name="Regions").first.click()
        page.wait_for_selector(".js-plotly-plot path.choroplethlocation", timeout=30000)
        wait_idle(page)
        _click_country(page, "DEU")
        page.wait_for_function("() => !location.search.includes('countries=')", timeout=30000)
        wait_idle(page)
        _no_exception(page, "second map click")
        assert _sidebar_countries(page) == []
    finally:
        context.close()
    assert outside == []


def test_a_what_if_step_changes_the_scenario(server, browser, sample_db):  # noqa: F811
    """One step (+5 %) of the drop for the top country: the scenario's revenue falls by 5 % of that country's."""
    base, _ = server
    outside: list[str] = []
    context, page = open_page(browser, f"{base}/regions?lang=en&wi_countries=US", outside)
    try:
        summary = page.get_by_text(re.compile(r"HHI countries .* → ")).first
        summary.wait_for(timeout=30000)
        before = summary.inner_text()
        drop = page.locator("[data-testid=stNumberInput]", has_text="Revenue drop").first
        drop.scroll_into_view_if_needed()
        drop.locator("button[data-testid=stNumberInputStepUp]").click()
        page.wait_for_function("() => location.search.includes('wi_drop=5.0')", timeout=30000)
        wait_idle(page)
        _no_exception(page, "what-if step")
        after = page.get_by_text(re.compile(r"HHI countries .* → ")).first.inner_text()
        assert after != before
        total, us = _country_revenue(sample_db, None), _country_revenue(sample_db, "US")
        from cockpit.i18n import fmt_amount
        assert f"→ {fmt_amount(total - 0.05 * us, 'en')} (" in after, (after, total, us)
    finally:
        context.close()
    assert outside == []


def test_picking_a_country_in_the_sidebar_filters_the_numbers(server, browser, sample_db):  # noqa: F811
    base, _ = server
    outside: list[str] = []
    context, page = open_page(browser, f"{base}/?lang=en", outside)
    try:
        from cockpit.i18n import fmt_amount
        card = page.locator("[data-testid=stMetric]", has_text="Revenue").first
        assert fmt_amount(_country_revenue(sample_db, None), "en") in card.inner_text()
        picker = page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first
        picker.click()
        page.keyboard.type("Germany")
        # Pick the option once the list shows it (as a person does); Enter typed before the list opened picks nothing.
        page.locator("[role=option]", has_text="Germany").first.click(timeout=20000)
        page.keyboard.press("Escape")
        page.wait_for_function("() => location.search.includes('countries=DE')", timeout=30000)
        wait_idle(page)
        _no_exception(page, "sidebar country")
        card = page.locator("[data-testid=stMetric]", has_text="Revenue").first
        assert fmt_amount(_country_revenue(sample_db, "DE"), "en") in card.inner_text()
    finally:
        context.close()
    assert outside == []
