"""Complaints: latency and SLA against independent computations, business hours, and real ticket exports."""
import datetime as dt
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cockpit import complaints as cx
from cockpit.filters import first_view
from cockpit.importer import run_import
from tests import independent as ind
from tests.conftest import ROOT, realdata

SAMPLE = ROOT / "data" / "sample"


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def sample_q3():
    x = pd.read_excel(SAMPLE / "quality_complaints.xlsx", engine="calamine")
    x = x[(x["Date Received"] >= "2026-07-01") & (x["Date Received"] < "2026-10-01")]
    fr = (x["First Response"] - x["Date Received"]).dt.total_seconds() / 3600
    res = (x["Date Closed"] - x["Date Received"]).dt.total_seconds() / 3600
    return x, fr.dropna(), res.dropna()


def test_complaints_page_latency_and_sla_targets(app_env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["lang"] = "en"
    at.switch_page("pages/complaints.py").run()
    assert not at.exception
    _, fr, res = sample_q3()
    assert metric(at, "First response, median") == f"{np.percentile(fr, 50):,.1f} h"
    assert metric(at, "First response, P90") == f"{np.percentile(fr, 90):,.1f} h"
    assert metric(at, "Resolution, median") == f"{np.percentile(res, 50):,.1f} h"
    assert metric(at, "Resolution, P90") == f"{np.percentile(res, 90):,.1f} h"
    before = metric(at, "SLA breached")

    at2 = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at2.query_params["lang"] = "en"
    at2.query_params["sla"] = "Critical:1000:9000|Major:1000:9000|Minor:1000:9000"
    at2.switch_page("pages/complaints.py").run()
    assert not at2.exception
    after = metric(at2, "SLA breached")
    assert before != after and after == "0.0 %"


def test_kpis_match_independent_computation(sample_db):
    out = subprocess.run([sys.executable, "-m", "cockpit", "kpis", "--db", str(sample_db), "--from", "2026-07-01",
                          "--to", "2026-09-30"], cwd=ROOT, capture_output=True, text=True, check=True)
    got = json.loads(out.stdout)
    x, fr, res = sample_q3()
    assert got["first_response_hours_median"] == pytest.approx(np.percentile(fr, 50), abs=0.005)
    assert got["resolution_hours_p90"] == pytest.approx(np.percentile(res, 90), abs=0.005)
    allx = pd.read_excel(SAMPLE / "quality_complaints.xlsx", engine="calamine")
    end = pd.Timestamp("2026-09-30 23:59:59")
    open_ = allx[(allx["Date Received"] <= end) & (allx["Date Closed"].isna() | (allx["Date Closed"] > end))]
    assert got["open_complaints"] == len(open_)
    due = pd.to_datetime(allx["Action Due"]).dt.date
    verified = pd.to_datetime(allx["Verified On"]).dt.date
    overdue = (due < dt.date(2026, 9, 30)) & (verified.isna() | (verified > dt.date(2026, 9, 30)))
    assert got["overdue_actions"] == int(overdue.sum())


def test_business_hours_by_hand():
    cal = cx.WorkCalendar("1111100", 9, 18, (dt.date(2025, 1, 1),))
    s = pd.Series(pd.to_datetime(["2024-12-31 17:00", "2025-01-03 08:00", "2025-01-03 17:00", "2025-01-06 10:00"]))
    e = pd.Series(pd.to_datetime(["2025-01-02 10:00", "2025-01-03 12:00", "2025-01-06 10:00", "2025-01-06 09:00"]))
    got = cx.business_hours(s, e, cal).tolist()
    # Tue 17-18 (1) + Wed holiday (0) + Thu 9-10 (1) = 2; Fri 9-12 = 3; Fri 17-18 + Mon 9-10 = 2; end before start = NaN
    assert got[:3] == [2.0, 3.0, 2.0] and np.isnan(got[3])


def test_sla_rules_by_hand():
    rows = pd.DataFrame({"complaint_id": ["a", "b", "c", "d"], "severity": ["Critical"] * 4,
                         "received_at": pd.to_datetime(["2025-01-01 00:00"] * 4),
                         "first_response_h": [1.0, 5.0, np.nan, 1.0], "resolution_h": [10.0, 10.0, np.nan, np.nan]})
    out = cx.sla(rows, {"Critical": (4, 72)}, dt.datetime(2025, 1, 2))
    # a: in time; b: first response late; c: unanswered for 24 h > 4 h target; d: open, answered, within 72 h.
    assert out["breached"].tolist() == [False, True, True, None]
    assert cx.breach_pct(out) == pytest.approx(200 / 3)


def test_helpdesk_event_log_through_mapping(tmp_path):
    path = realdata("helpdesk-ticket-log", "helpdesk.csv")
    mapping = tmp_path / "helpdesk.yaml"
    mapping.write_text(
        "tickets:\n  table: complaints\n  file: helpdesk.csv\n"
        "  events: {case: 'case:concept:name', activity: 'concept:name', at: 'time:timestamp', owner: 'org:resource',\n"
        "           received: [], first_response: ['Take in charge ticket'], resolved: ['Closed']}\n"
        "  defaults: {customer_id: helpdesk}\n", encoding="utf-8")
    db = tmp_path / "hd.duckdb"
    report = run_import([path], db, mapping=mapping)
    assert report.files[0]["rows_loaded"] == 4580
    raw = pd.read_csv(path)
    raw["at"] = pd.to_datetime(raw["time:timestamp"], utc=True).dt.tz_localize(None)
    g = raw.groupby("case:concept:name")
    received = g["at"].min()
    closed = raw[raw["concept:name"] == "Closed"].groupby("case:concept:name")["at"].min()
    hours = ((closed - received.reindex(closed.index)).dt.total_seconds() / 3600)
    got = json.loads(subprocess.run([sys.executable, "-m", "cockpit", "kpis", "--db", str(db)], cwd=ROOT,
                                    capture_output=True, text=True, check=True).stdout)
    assert got["complaints_received"] == 4580
    assert got["resolution_hours_median"] == pytest.approx(hours.median(), abs=0.005)


def test_date_received_sent_closed_export(tmp_path):
    (tmp_path / "cases.csv").write_text(
        "Case number,Customer ID,Date received,Date sent,Date closed\n"
        "1,A,03/05/2024,03/06/2024,03/20/2024\n2,A,03/25/2024,03/25/2024,\n", encoding="utf-8")
    db = tmp_path / "c.duckdb"
    run_import([tmp_path / "cases.csv"], db)
    got = json.loads(subprocess.run([sys.executable, "-m", "cockpit", "kpis", "--db", str(db)], cwd=ROOT,
                                    capture_output=True, text=True, check=True).stdout)
    # Dates without times count as midnight: 24 h and 0 h to first response; 15 days to resolution.
    assert got["first_response_hours_median"] == 12.0
    assert got["resolution_hours_median"] == 360.0


# ------------------------------------------------------------------ SQL summaries equal the Python definitions

def _all_rows(con, f):
    """Every complaint received by the period end (history far enough back), as the Python functions take them."""
    from cockpit import db
    return cx.with_latency(db.run(con, "complaints/complaint_rows", f.params() | {"history_days": 100_000, "newest": None}))


PERIODS = [(dt.date(2025, 10, 1), dt.date(2025, 12, 31)), (dt.date(2025, 2, 14), dt.date(2025, 8, 3)),
           (dt.date(2026, 1, 1), dt.date(2026, 3, 31))]
FILTERS = [dict(all_customers=True), dict(countries=("US", "DE", "CN", "GB"), all_customers=True),
           dict(all_customers=False, visible_reps=("Li Wei", "Maria Schmidt"))]


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("filt", range(len(FILTERS)))
def test_sql_backlog_trend_and_actions_equal_python(period, filt, sample_con):
    from cockpit import db
    from cockpit.filters import Filters
    f = Filters(period[0], period[1], **FILTERS[filt])
    end = dt.datetime.combine(f.date_to, dt.time(23, 59, 59))
    rows = _all_rows(sample_con, f)
    at_end = f.params() | {"as_of": f.date_to}

    # Open complaints: bucket counts and the oldest list.
    open_rows = ind.open_at(rows, end)
    counts = db.run(sample_con, "complaints/open_backlog", at_end | {"as_ofs": [f.date_to], "age_bounds_days": cx.AGE_BOUNDS_DAYS})
    assert cx.backlog_from_counts(counts)["complaints"].tolist() == ind.backlog(open_rows)["complaints"].tolist()
    oldest = db.run(sample_con, "complaints/oldest_open", at_end | {"max_rows": 100_000})
    assert sorted(oldest["complaint_id"]) == sorted(open_rows["complaint_id"])
    assert oldest["age_days"].tolist() == pytest.approx(open_rows.sort_values("age_days", ascending=False)["age_days"].tolist())

    # Corrective actions: state, overdue count and on-time share.
    python_acts = ind.actions(rows, f.date_to)
    sql_acts = db.run(sample_con, "complaints/corrective_actions", at_end | {"as_ofs": [f.date_to]})
    assert cx.overdue_count(sql_acts) == cx.overdue_count(python_acts)
    assert cx.on_time_share(sql_acts, f.date_from, f.date_to) == pytest.approx(cx.on_time_share(python_acts, f.date_from, f.date_to)) \
        if cx.on_time_share(python_acts, f.date_from, f.date_to) is not None else cx.on_time_share(sql_acts, f.date_from, f.date_to) is None
    ov = python_acts[python_acts["action_state"] == "overdue"].set_index("complaint_id")["days_overdue"].sort_index()
    sq = sql_acts[sql_acts["action_state"] == "overdue"].set_index("complaint_id")["days_overdue"].sort_index()
    assert ov.astype(int).tolist() == sq.astype(int).tolist()

    # The monthly trend with edited targets (one exact, one in another case than the defaults).
    severities = db.run(sample_con, "complaints/severity_options", {"all_customers": True, "visible_reps": []})["severity"].tolist()
    targets = cx.default_targets(severities) | {severities[0]: (1.0, 10.0)}
    recent = rows[pd.to_datetime(rows["received_at"]).dt.date >= f.date_from - dt.timedelta(days=365)]
    expected = cx.monthly(cx.sla(recent, targets, end)).sort_values("month").reset_index(drop=True)
    got = db.run(sample_con, "complaints/latency_by_month", f.params() | cx.sla_params(targets))
    assert len(got) == len(expected) > 0
    assert got["complaints"].tolist() == expected["complaints"].tolist()
    for col in ("first_response_median_h", "first_response_p90_h", "resolution_median_h", "resolution_p90_h", "breach_pct"):
        assert got[col].tolist() == pytest.approx(expected[col].tolist(), nan_ok=True), col


def test_sample_has_backlog_and_actions_to_compare(sample_con):
    from cockpit import db
    from cockpit.filters import Filters
    f = Filters(dt.date(2025, 10, 1), dt.date(2025, 12, 31), all_customers=True)
    acts = db.run(sample_con, "complaints/corrective_actions", f.params() | {"as_ofs": [f.date_to]})
    assert (acts["action_state"] == "overdue").any() and acts["action_state"].isin(["verified_on_time", "verified_late"]).any()
    assert len(db.run(sample_con, "complaints/oldest_open", f.params() | {"as_of": f.date_to, "max_rows": 1000})) > 0


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("filt", range(len(FILTERS)))
def test_sql_recurrence_equals_python(period, filt, sample_con):
    from cockpit import db
    from cockpit.filters import Filters
    f = Filters(period[0], period[1], **FILTERS[filt])
    rows = _all_rows(sample_con, f)
    for days in (cx.RECURRENCE_DAYS, 30):
        rec = ind.recurrence(rows, f.date_from, f.date_to, days)
        got = db.run(sample_con, "complaints/recurrence", f.params() | {"recurrence_days": days}).iloc[0]
        assert got["complaints"] == len(rec)
        assert got["recurred"] == int(rec["recurred"].sum())


def test_sample_has_recurring_complaints(sample_con):
    from cockpit import db
    from cockpit.filters import Filters
    f = Filters(dt.date(2025, 1, 1), dt.date(2025, 12, 31), all_customers=True)
    got = db.run(sample_con, "complaints/recurrence", f.params() | {"recurrence_days": cx.RECURRENCE_DAYS}).iloc[0]
    assert got["recurred"] > 0


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("filt", range(len(FILTERS)))
def test_complaint_kpis_in_sql_equal_the_python_definitions(period, filt, sample_con):
    """kpis.complaints (counted in DuckDB) gives what the Python rules (cockpit/complaints.py, which count business
    hours) and the pandas lifecycle (tests/independent.py) give from the rows, in calendar hours."""
    from cockpit import kpis
    from cockpit.filters import Filters
    f = Filters(period[0], period[1], **FILTERS[filt])
    end = dt.datetime.combine(f.date_to, dt.time(23, 59, 59))
    rows = cx.with_latency(_all_rows(sample_con, f))
    in_period = cx.in_period(rows, f.date_from, f.date_to)
    fr_med, fr_p90 = cx.quantiles(in_period["first_response_h"])
    res_med, res_p90 = cx.quantiles(in_period["resolution_h"])
    targets = cx.default_targets(sorted(rows["severity"].dropna().unique()))
    r2 = lambda v: None if v is None else round(v, 2)  # noqa: E731
    expected = {"first_response_hours_median": r2(fr_med), "first_response_hours_p90": r2(fr_p90),
                "resolution_hours_median": r2(res_med), "resolution_hours_p90": r2(res_p90),
                "sla_breach_pct": r2(cx.breach_pct(cx.sla(in_period, targets, end))),
                "open_complaints": len(ind.open_at(rows, end)),
                "overdue_actions": cx.overdue_count(ind.actions(rows, f.date_to))}
    got = kpis.complaints(sample_con, f)
    assert got.keys() == expected.keys()
    for k, v in expected.items():
        assert got[k] == (pytest.approx(v, abs=0.011) if v is not None else None), k


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("filt", range(len(FILTERS)))
def test_latency_charts_in_sql_equal_the_python_rules(period, filt, sample_con):
    """In calendar hours the page's latency by dimension and resolution boxes are counted in DuckDB
    (latency_by_dimension.sql, resolution_boxes.sql) and only the complaints the timeline offers are read; they give
    what the Python rules (latency_by, box_stats: business hours use them) give from every complaint's row, and the
    timeline offers the same complaints (the newest CHOICES, ties by id)."""
    from cockpit import db
    from cockpit.filters import Filters
    f = Filters(period[0], period[1], **FILTERS[filt])
    rows = cx.in_period(_all_rows(sample_con, f), f.date_from, f.date_to)
    assert len(rows) > 0
    by = db.run(sample_con, "complaints/latency_by_dimension", f.params())
    for d in cx.DIMENSIONS:
        pd.testing.assert_frame_equal(cx._one_dimension(by, d), cx.latency_by(rows, d), check_dtype=False)
    pd.testing.assert_frame_equal(db.run(sample_con, "complaints/resolution_boxes", f.params()), cx.box_stats(rows),
                                  check_dtype=False)
    view = cx.view(sample_con, f, every_dim=True)
    assert view["complaints"] == len(rows)
    assert all(view["by_all"][d].equals(cx._one_dimension(by, d)) for d in cx.DIMENSIONS)
    for newest in (cx.CHOICES, 3):
        offered = db.run(sample_con, "complaints/complaint_rows", f.params() | {"history_days": 0, "newest": newest})
        expected = rows.sort_values(["received_at", "complaint_id"], ascending=[False, True]).head(newest)
        assert sorted(offered["complaint_id"]) == sorted(expected["complaint_id"])
    assert view["recent"]["complaint_id"].tolist() == \
        rows.sort_values(["received_at", "complaint_id"], ascending=[False, True]).head(cx.CHOICES)["complaint_id"].tolist()


def test_complaint_choices_most_recent_first_search_and_kept_choice():
    base = dt.datetime(2026, 7, 1)
    rows = pd.DataFrame({"complaint_id": [f"K{i:05d}" for i in range(2500)],
                         "customer_id": [f"C{i % 40}" for i in range(2500)],
                         "customer_name": [None if i % 40 == 3 else f"Firm {i % 40}" for i in range(2500)],
                         "category": ["Packaging" if i % 500 == 0 else "Quality" for i in range(2500)],
                         "received_at": [base + dt.timedelta(hours=i % 2000) for i in range(2500)]})
    top = cx.complaint_choices(rows)
    assert len(top) == cx.CHOICES
    # Most recent first (hour 1999 is K01999's alone; then K01998).
    assert list(top)[:2] == ["K01999", "K01998"] and top["K01999"] == "K01999 · Firm 39 · Quality"
    found = cx.complaint_choices(rows, "packag")
    assert set(found) == {f"K{i:05d}" for i in range(0, 2500, 500)}
    # No name: the customer id stands in.
    assert cx.complaint_choices(rows, "K00003")["K00003"] == "K00003 · C3 · Quality"
    assert cx.complaint_choices(rows, "nothing like it") == {}
    kept = cx.complaint_choices(rows, keep="K00000")
    assert "K00000" in kept and len(kept) == cx.CHOICES + 1


def test_complaint_search_in_the_app(app_env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["lang"] = "en"
    at.switch_page("pages/complaints.py").run()
    assert not at.exception
    picker = at.selectbox(key="complaint")
    first = picker.options[0]
    category = first.split(" · ")[-1]
    at.text_input(key="complaint_search").set_value(category.lower()).run()
    assert not at.exception
    picker = at.selectbox(key="complaint")
    assert picker.options and all(category.casefold() in o.casefold() for o in picker.options)
    at.text_input(key="complaint_search").set_value("zzzz-none").run()
    assert not at.exception and any("zzzz-none" in i.value for i in at.info)


def test_box_stats_by_hand():
    rows = pd.DataFrame({"severity": ["A"] * 11 + ["B"] * 3 + ["C"],
                         "resolution_h": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 5.0, None, 7.0, None]})
    b = cx.box_stats(rows).set_index("severity")
    # A: linear quartiles of 1..10 and 100: 3.5, 6, 8.5; IQR 5 -> whiskers at the furthest values within
    # [-4, 16]: 1 and 10 (100 is an outlier).
    assert b.loc["A"].tolist() == [3.5, 6.0, 8.5, 1.0, 10.0]
    assert b.loc["B"].tolist() == [5.5, 6.0, 6.5, 5.0, 7.0]
    assert "C" not in b.index  # no resolved complaint: no box


def _same_cx_view(a, b):
    for k in ("month", "boxes", "backlog", "oldest", "overdue", "recent", "by"):
        pd.testing.assert_frame_equal(a[k].reset_index(drop=True), b[k].reset_index(drop=True), check_dtype=False)
    for k in ("complaints", "open_total", "actions", "first_response_median_h", "first_response_p90_h",
              "resolution_median_h", "resolution_p90_h", "breach_pct", "overdue_actions", "on_time_pct",
              "recurrence_pct", "severities", "targets"):
        assert a[k] == b[k], k


@pytest.mark.parametrize("dim", cx.DIMENSIONS)
def test_one_dimension_is_that_dimension_of_every_dimension(sample_con, dim):
    """view(dim=...) and view(every_dim=True) (what the page asks for, so that picking a dimension reruns only its
    chart) agree on every dimension."""
    f = first_view(sample_con)
    one, every = cx.view(sample_con, f, dim=dim), cx.view(sample_con, f, every_dim=True)
    assert one["complaints"] > 0 and len(one["by"]) > 1
    _same_cx_view(one, {k: v for k, v in every.items() if k != "by_all"} | {"by": every["by_all"][dim]})


def test_complaints_view_other_targets_business_hours_and_filters(sample_con):
    from cockpit import kpis
    from cockpit.filters import Filters
    f = first_view(sample_con)
    base = cx.view(sample_con, f)
    strict = {s: (0.5, 1.0) for s in base["severities"]}
    tight = cx.view(sample_con, f, targets=strict)
    assert tight["breach_pct"] > base["breach_pct"] and tight["targets"] == strict
    business = cx.view(sample_con, f, "business")
    assert business["resolution_median_h"] < base["resolution_median_h"]  # nights and weekends do not count
    us = Filters(f.date_from, f.date_to, countries=("US",), all_customers=True)
    assert 0 < cx.view(sample_con, us)["complaints"] < base["complaints"]
    # The KPI definitions (kpis.complaints, counted in SQL) agree with the view's cards.
    k = kpis.complaints(sample_con, f)
    assert k["resolution_hours_median"] == round(base["resolution_median_h"], 2)
    assert k["sla_breach_pct"] == round(base["breach_pct"], 2) and k["open_complaints"] == base["open_total"]
