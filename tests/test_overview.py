"""Overview and the review pack: the pack's numbers are the KPI command's; the summary follows the quarter."""
import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from cockpit.i18n import fmt_pct
from cockpit.report import APPENDIX_KEYS, exact
from tests.conftest import ROOT


def kpis(db, *args):
    out = subprocess.run([sys.executable, "-m", "cockpit", "kpis", "--db", str(db), *args], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pptx_kpis_equal_the_kpi_command(sample_db, tmp_path, lang):
    out = tmp_path / f"pack-{lang}.pptx"
    subprocess.run([sys.executable, "-m", "cockpit", "report", "--db", str(sample_db), "--quarter", "2026Q2",
                    "--lang", lang, "--country", "US", "DE", "--out", str(out)], cwd=ROOT, check=True, capture_output=True)
    expected = kpis(sample_db, "--from", "2026-04-01", "--to", "2026-06-30", "--country", "US", "DE")
    prs = Presentation(str(out))
    tables = [shape.table for slide in prs.slides for shape in slide.shapes if shape.has_table]
    # The appendix runs over as many slides as it needs (each with its header).
    appendix = [tb for tb in tables if any(tb.cell(i, 1).text in APPENDIX_KEYS for i in range(1, len(tb.rows)))]
    found = {tb.cell(i, 1).text: tb.cell(i, 2).text for tb in appendix for i in range(1, len(tb.rows))}
    assert set(found) == set(APPENDIX_KEYS) and len({tb.cell(0, 1).text for tb in appendix}) == 1
    for key in APPENDIX_KEYS:
        assert found[key] == exact(expected[key]), key
    # Native charts, not pictures.
    assert sum(1 for slide in prs.slides for shape in slide.shapes if shape.has_chart) >= 4
    assert not any(shape.shape_type == 13 for slide in prs.slides for shape in slide.shapes)  # 13 = picture
    title = prs.slides[0].shapes[1].text_frame.text
    assert ("United States" in title or "美国" in title) and ("2026Q2" in prs.slides[0].shapes[0].text_frame.text)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_shape_of_the_pack_lies_within_its_slide_and_tables_are_readable(sample_db, tmp_path, lang):
    out = tmp_path / f"pack-{lang}.pptx"
    subprocess.run([sys.executable, "-m", "cockpit", "report", "--db", str(sample_db), "--quarter", "2026Q3",
                    "--lang", lang, "--out", str(out)], cwd=ROOT, check=True, capture_output=True)
    prs = Presentation(str(out))
    for n, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, (n, shape.name)
            assert shape.left + shape.width <= prs.slide_width, (n, shape.name)
            assert shape.top + shape.height <= prs.slide_height, (n, shape.name, shape.top + shape.height)
            if shape.has_table:
                sizes = {run.font.size.pt for row in shape.table.rows for cell in row.cells
                         for para in cell.text_frame.paragraphs for run in para.runs if run.font.size}
                assert sizes and min(sizes) >= 12, (n, sizes)
    titles = [slide.shapes[0].text_frame.text for slide in prs.slides]
    assert any(title.endswith("(1/2)") for title in titles)  # the KPI appendix is longer than one slide


def test_html_pack_is_self_contained(sample_db, tmp_path):
    out = tmp_path / "pack.html"
    subprocess.run([sys.executable, "-m", "cockpit", "report", "--db", str(sample_db), "--quarter", "2026Q3",
                    "--lang", "zh", "--out", str(out)], cwd=ROOT, check=True, capture_output=True)
    text = out.read_text(encoding="utf-8")
    # plotly.js is inlined once (its source mentions URLs in strings); outside it no tag may load anything.
    head, rest = text.split("<script>", 1)
    body = rest.split("</script>", 1)[1]
    assert not re.search(r"""(src|href)=["']?https?://""", head + body)
    assert "<script src" not in text and "<link" not in text
    assert "季度客户回顾" in text


def summary_text(at):
    return next(i.value for i in at.info if "against" in i.value or "较" in i.value)


def test_summary_follows_the_quarter_and_matches_the_kpis(app_env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    first = summary_text(at)
    q3, q2 = kpis(app_env, "--from", "2026-07-01", "--to", "2026-09-30"), kpis(app_env, "--from", "2026-04-01", "--to", "2026-06-30")
    change = (q3["revenue"] - q2["revenue"]) / q2["revenue"] * 100
    assert f"Revenue {fmt_pct(change, signed=True)} against 2026Q2" in first
    assert f"{q3['at_risk_customers']:,} customers at risk" in first
    assert f"{fmt_pct(q3['sla_breach_pct'])} of complaints missed their SLA" in first
    # Every count as a whole number (the last quarter's open complaints and overdue actions came out as 51,201.0).
    assert f"{q3['open_complaints']:,} open, {q3['overdue_actions']:,} corrective actions overdue" in first

    at.selectbox(key="period").set_value("2025Q4").run()
    second = summary_text(at)
    assert second != first
    q4, q3b = kpis(app_env, "--from", "2025-10-01", "--to", "2025-12-31"), kpis(app_env, "--from", "2025-07-01", "--to", "2025-09-30")
    change = (q4["revenue"] - q3b["revenue"]) / q3b["revenue"] * 100
    assert f"Revenue {fmt_pct(change, signed=True)} against 2025Q3" in second
    assert f"{q4['at_risk_customers']:,} customers at risk" in second


def test_meeting_mode_keeps_filters_in_the_url(app_env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["lang"] = "en"
    at.query_params["meeting"] = "1"
    at.query_params["countries"] = "DE"
    at.run()
    assert not at.exception
    assert at.toggle(key="meeting").value is True
    assert at.query_params.get("meeting") in ("1", ["1"])
    assert at.query_params.get("countries") in ("DE", ["DE"])
    assert any("countries: Germany" in m.value for m in at.markdown)


def test_meeting_quarter_picker_sets_the_period(app_env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["lang"] = "en"
    at.query_params["meeting"] = "1"
    at.run()
    at.selectbox(key="meeting_q").set_value("2025Q4").run()
    assert not at.exception
    assert at.selectbox(key="period").value == "2025Q4"
    assert any("Period 2025Q4" in m.value for m in at.markdown)


def _movers_from_order_lines(con, f, prev, top=5):
    """The movers worked out in pandas from the raw order lines (not period_facts): net revenue per destination
    country and per customer in each period, the change, the top rises and falls (ties by key)."""
    lines = con.execute("""
        select o.customer_id, o.ordered_on::date as day, o.amount_reporting as revenue,
               coalesce(o.country_code, case when o.country_raw is null then c.country_code end, 'unknown') as country,
               coalesce(c.sales_rep, '') as rep, c.customer_name
        from orders o left join customers c using (customer_id) where o.ordered_on is not null""").df()
    lines["day"] = pd.to_datetime(lines["day"]).dt.date
    if f.countries:
        lines = lines[lines["country"].isin(f.countries)]
    if not f.all_customers:
        lines = lines[lines["rep"].isin(f.visible_reps)]
    names = lines.drop_duplicates("customer_id").set_index("customer_id")["customer_name"]

    def diff(key):
        part = lambda p: lines[(lines["day"] >= p.date_from) & (lines["day"] <= p.date_to)].groupby(key)["revenue"].sum()  # noqa: E731
        d = pd.DataFrame({"now": part(f), "before": part(prev)}).fillna(0.0)
        d["change"] = d["now"] - d["before"]
        d = d.reset_index(names="key").sort_values("key")
        out = pd.concat([d[d["change"] > 0].sort_values("change", ascending=False, kind="stable").head(top),
                         d[d["change"] < 0].sort_values("change", kind="stable").head(top)], ignore_index=True)
        out["change_pct"] = [(a - b) / abs(b) * 100 if b else np.nan for a, b in zip(out["now"], out["before"])]
        return out

    customers = diff("customer_id")
    customers["label"] = [names.get(k) or k for k in customers["key"]]
    return diff("country"), customers


@pytest.mark.parametrize("case", ["quarter", "mid_month", "country", "rep_viewer"])
def test_movers_equal_the_order_lines(sample_con, case):
    """overview/movers.sql (summed from period_facts in one pass) against pandas over the raw order lines."""
    import datetime as dt
    from cockpit.filters import Filters
    from cockpit.overview import movers
    q = Filters(dt.date(2026, 4, 1), dt.date(2026, 6, 30), all_customers=True)
    f = {"quarter": q,
         "mid_month": Filters(dt.date(2026, 2, 10), dt.date(2026, 5, 20), all_customers=True),
         "country": Filters(q.date_from, q.date_to, countries=("US", "DE"), all_customers=True),
         "rep_viewer": Filters(q.date_from, q.date_to, all_customers=False, visible_reps=("Li Wei",))}[case]
    prev = f.previous_period()
    got = movers(sample_con, f, prev)
    want = _movers_from_order_lines(sample_con, f, prev)
    for a, b in zip(got, want):
        assert 0 < len(a) <= 10 and (a["change"] > 0).sum() == min(5, (b["change"] > 0).sum())
        pdt.assert_frame_equal(a.reset_index(drop=True), b[a.columns].reset_index(drop=True),
                               check_dtype=False, rtol=1e-9)


def test_changes_of_rates_are_in_percentage_points_and_a_tiny_base_is_no_base():
    from cockpit.i18n import fmt_change
    # SLA breached 50.7 % -> 62.7 % is +12.0 percentage points, not +23.7 %.
    assert fmt_change(62.7, 50.7, "pct", "en") == "+12.0 pp"
    assert fmt_change(62.7, 50.7, "pct", "zh") == "+12.0 个百分点"
    assert fmt_change(40.0, 50.0, "pct", "en") == "−10.0 pp"
    # Amounts and counts change in relative %; a base that is missing, not positive or under a twentieth of the
    # value now is not compared.
    assert fmt_change(120.0, 100.0, "money", "en") == "+20.0 %"
    assert fmt_change(1_000_000.0, 10_000.0, "money", "en") == "no comparable base"
    assert fmt_change(50.0, 0.0, "int", "zh") == "无可比基数"
    assert fmt_change(50.0, -10.0, "money", "en") == "no comparable base"
    assert fmt_change(None, 10.0, "money", "en") == "—"


def test_the_overview_cards_show_rate_changes_in_points(app_env):
    from streamlit.testing.v1 import AppTest
    from tests.conftest import ROOT
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    cards = {m.label: m for m in at.metric}
    for label in ("SLA breached", "Top-country share", "Completeness"):
        card = next(c for k, c in cards.items() if k.startswith(label))
        assert card.delta is None or card.delta.endswith(" pp"), (label, card.delta)
    revenue = next(c for k, c in cards.items() if k.startswith("Revenue"))
    assert revenue.delta is None or revenue.delta.endswith(" %") or revenue.delta == "no comparable base"


def test_axes_speak_the_viewers_language():
    """Amount axes in 万/亿 in Chinese as the labels beside them are; dates in Chinese; latency on a log axis at
    1, 10, 100, 1,000 h; severity levels the product knows in both languages."""
    import pandas as pd

    from cockpit import charts
    from cockpit.i18n import severity_word
    months = pd.DataFrame({"month_start": pd.to_datetime(["2026-07-01", "2026-08-01", "2026-09-01"]),
                           "revenue": [3.2e6, 2.9e6, 3.5e6]})
    zh, en = charts.revenue_by_month(months, "USD", "zh"), charts.revenue_by_month(months, "USD", "en")
    assert list(zh.layout.yaxis.ticktext) == ["0", "100 万", "200 万", "300 万", "400 万"]
    assert list(en.layout.yaxis.ticktext) == ["0", "1 M", "2 M", "3 M", "4 M"]
    assert zh.layout.xaxis.tickformat == "%Y年%m月" and en.layout.xaxis.tickformat == "%Y-%m"
    boxes = pd.DataFrame({"severity": ["Critical", "minor"], "q1": [2, 5], "median": [5, 9], "q3": [9, 20],
                          "lowerfence": [1, 1], "upperfence": [40, 900]})
    fig = charts.latency_distribution(boxes, "zh", "小时")
    assert [d.name for d in fig.data] == ["严重", "轻微"]
    assert list(fig.layout.yaxis.tickvals) == [0.1, 1, 10, 100, 1000, 10000]
    assert list(fig.layout.yaxis.ticktext) == ["0.1", "1", "10", "100", "1,000", "10,000"]
    assert severity_word("严重", "en") == "Critical" and severity_word("Escalated", "zh") == "Escalated"
    assert severity_word(None, "zh") == "（空）" and severity_word("", "en") == "(none)"
