"""quarter_kpis (built at import): the whole company's KPIs, movers and months of each recent quarter must be
exactly what the live definitions compute, and only that view may be served from it."""
import datetime as dt
import json

import pandas.testing as pdt
import pytest

from cockpit import db, import_views, kpis, overview
from cockpit.filters import data_range
from cockpit.filters import Filters, quarter_of


def _quarters(con):
    return import_views.quarters_to_store(con)


def test_the_import_stores_the_nine_latest_quarters(sample_con):
    stored = sample_con.execute("select quarter_start from quarter_kpis order by quarter_start").fetchall()
    _, last, _ = data_range(sample_con)
    assert len(stored) == import_views.STORED_QUARTERS == 9
    assert stored[-1][0] == quarter_of(last)[0]
    # Consecutive quarters, so the Overview's eight quarters of the latest complete quarter are all there.
    starts = [s for (s,) in stored]
    assert all(quarter_of(b - dt.timedelta(days=1))[0] == a for a, b in zip(starts, starts[1:]))


@pytest.mark.parametrize("index", range(9))
def test_stored_equals_live(sample_con, index):
    f = _quarters(sample_con)[index]
    assert kpis.stored_quarter(sample_con, f) is not None
    assert kpis.compute(sample_con, f) == kpis.compute(sample_con, f, stored=False)
    held = overview.movers(sample_con, f, f.previous_period())
    live = overview.movers(sample_con, f, f.previous_period(), stored=False)
    for a, b in zip(held, live):
        assert len(b) > 0
        pdt.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)
    pdt.assert_frame_equal(overview.revenue_by_month(sample_con, f),
                           overview.revenue_by_month(sample_con, f, stored=False), check_dtype=False)
    by_country = overview.revenue_by_country(kpis.compute(sample_con, f))
    direct = db.run(sample_con, "kpis/revenue_by_country", f.params() | {"period_starts": [f.date_from],
                                                                         "period_ends": [f.date_to]})
    pdt.assert_frame_equal(by_country, direct[["country_code", "revenue"]].round(2), check_dtype=False)


def test_only_the_whole_company_quarter_is_served_from_storage(sample_con):
    q = _quarters(sample_con)[-2]
    assert Filters(q.date_from, q.date_to, countries=("US",), all_customers=True).stored_quarter() is None
    assert Filters(q.date_from, q.date_to, segments=("A",), all_customers=True).stored_quarter() is None
    assert Filters(q.date_from, q.date_to, all_customers=False, visible_reps=("Li Wei",)).stored_quarter() is None
    assert Filters(q.date_from, q.date_to - dt.timedelta(days=1), all_customers=True).stored_quarter() is None
    assert Filters(q.date_from, q.date_to, all_customers=True).stored_quarter() == q.date_from
    # A quarter older than the stored ones is computed live (and equals itself: nothing stored to disagree with).
    old = Filters(*quarter_of(_quarters(sample_con)[0].date_from - dt.timedelta(days=1)), all_customers=True)
    assert kpis.stored_quarter(sample_con, old) is None


def test_the_stored_row_is_what_is_read(sample_db, tmp_path):
    """Change the stored revenue of one quarter in a copy: compute() must return the changed number (it reads the
    row), and a filtered view of the same quarter must not."""
    import shutil

    import duckdb
    copy = tmp_path / "copy.duckdb"
    shutil.copy(sample_db, copy)
    con = db.connect(sample_db)
    q = _quarters(con)[-2]
    con.close()
    w = duckdb.connect(str(copy))
    held = json.loads(w.execute("select kpis_json from quarter_kpis where quarter_start = ?", [q.date_from]).fetchone()[0])
    held["revenue"] = 123.45
    w.execute("update quarter_kpis set kpis_json = ? where quarter_start = ?", [json.dumps(held), q.date_from])
    w.close()
    con = db.connect(copy)
    try:
        assert kpis.compute(con, q)["revenue"] == 123.45
        us = Filters(q.date_from, q.date_to, countries=("US",), all_customers=True)
        assert kpis.compute(con, us)["revenue"] != 123.45
    finally:
        con.close()


def test_the_stored_view_codec_round_trips_exactly():
    import numpy as np
    import pandas as pd

    from cockpit import stored
    frame = pd.DataFrame({"id": ["a", None], "x": [0.1 + 0.2, float("nan")], "n": [1, 2],
                          "on": pd.to_datetime(["2026-09-30", None]).astype("datetime64[us]"), "fields": [["email"], []]})
    matrix = pd.DataFrame([[1, 2], [3, 4]], index=pd.Index(["A", "B"], name="from"), columns=pd.Index(["A", "—"], name="to"))
    value = {"frame": frame, "matrix": matrix, 4: {"level": np.int64(7)}, "targets": {"Critical": (2.0, 48.0)},
             "names": ["x", None], "pct": None, "empty": frame.iloc[:0]}
    back = stored.from_json(stored.to_json(value))
    assert list(back) == ["frame", "matrix", 4, "targets", "names", "pct", "empty"]
    pd.testing.assert_frame_equal(back["frame"], frame, check_dtype=False)
    assert back["frame"]["x"].iloc[0] == 0.1 + 0.2  # not rounded
    pd.testing.assert_frame_equal(back["matrix"], matrix)
    assert back[4] == {"level": 7} and back["targets"] == {"Critical": (2.0, 48.0)} and back["names"] == ["x", None]
    assert list(back["empty"].columns) == list(frame.columns) and back["empty"].empty


def test_the_views_started_early_read_nothing_written_after_them(sample_db, tmp_path):
    """StoredViews.start() runs its views beside the statements that write the reorder rhythm and the snapshot, and
    before the duplicate pairs are stored (cockpit/importer/derived.py build_derived). On a copy without those tables
    every view it starts must still be worked out, equal to what the import stored: one that read them would fail
    here (and, on an import over an older database, silently read the old tables)."""
    import shutil

    from cockpit import stored
    from cockpit.importer.connection import writer
    copy = tmp_path / "early.duckdb"
    shutil.copy(sample_db, copy)
    con = writer(copy)
    views = import_views.StoredViews(con)
    try:
        held = {"complaints_views": dict(con.con.execute("select quarter_start, view_json from complaints_views").fetchall()),
                "regions_views": dict(con.con.execute("select quarter_start, view_json from regions_views").fetchall()),
                "churn_views": dict(con.con.execute("select quarter_start, view_json from churn_views").fetchall()),
                "customers_views": dict(con.con.execute("select quarter_start, view_json from customers_views").fetchall())}
        con.execute("drop table customer_snapshot")
        con.execute("drop table customer_rhythm")
        con.execute("drop table customer_duplicate_pairs")
        views.start()
        assert views.jobs, "start() began no view"
        for table, jobs in views.jobs.items():
            assert {start: stored.to_json(job.result()) for start, job in jobs} == held[table], table
    finally:
        views.close()
        con.close()
