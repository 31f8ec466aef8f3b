"""Overview and the review pack: the pack's numbers are the KPI command's; the summary follows the quarter."""
import json
import re
import subprocess
import sys

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
    appendix = next(tb for tb in tables if any(tb.cell(i, 1).text == "revenue" for i in range(1, len(tb.rows))))
    found = {appendix.cell(i, 1).text: appendix.cell(i, 2).text for i in range(1, len(appendix.rows))}
    assert set(found) == set(APPENDIX_KEYS)
    for key in APPENDIX_KEYS:
        assert found[key] == exact(expected[key]), key
    # Native charts, not pictures.
    assert sum(1 for slide in prs.slides for shape in slide.shapes if shape.has_chart) >= 4
    assert not any(shape.shape_type == 13 for slide in prs.slides for shape in slide.shapes)  # 13 = picture
    title = prs.slides[0].shapes[1].text_frame.text
    assert ("United States" in title or "美国" in title) and ("2026Q2" in prs.slides[0].shapes[0].text_frame.text)


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
