"""customer_snapshot (one row per customer and quarter end, built at import) must give exactly what the general
queries compute from the rhythm, month and complaint tables: every <name>_at_quarter_end query against its
<name>, on every quarter end of the sample company, with and without filters."""
import datetime as dt

import pandas as pd
import pandas.testing as pdt
import pytest

from cockpit import db
from cockpit.churn import RhythmRules
from cockpit.filters import Filters

PAIRS = [n for n in db.query_names() if db.snapshot_key(n)]
FILTER_SETS = {
    "everyone": dict(countries=(), regions=(), reps=(), segments=(), all_customers=True, visible_reps=()),
    "filtered": dict(countries=("US", "DE", "GB", "FR"), regions=(), reps=(), segments=("A", "B"), all_customers=True,
                     visible_reps=()),
    "region_and_viewer": dict(countries=(), regions=("150", "019"), reps=(), segments=(), all_customers=False,
                              visible_reps=("Li Wei", "Maria Schmidt")),
}


def _run_general(con, name, params):
    cur = con.cursor()
    cur.execute("use cockpit")
    return cur.sql(db.sql_text(name), params={k: params[k] for k in db.params_used(name)}).df()


def _same(a: pd.DataFrame, b: pd.DataFrame):
    """Equal as sets of rows (row order among ties is not part of either query's contract)."""
    keys = [c for c in a.columns if not pd.api.types.is_float_dtype(a[c].dtype)]

    def sort(f: pd.DataFrame) -> pd.DataFrame:
        text = pd.Series(["|".join(map(repr, row)) for row in f[keys].itertuples(index=False)], index=f.index)
        return f.loc[text.sort_values(kind="stable").index].reset_index(drop=True)
    pdt.assert_frame_equal(sort(a), sort(b), check_dtype=False, rtol=1e-9, atol=1e-6)


def test_there_are_snapshot_queries():
    assert {"churn/customer_status", "churn/revenue_retention", "churn/cohort_retention",
            "customers/customer_records", "churn/funnel_customers", "customers/record_kpis"} <= set(PAIRS)


@pytest.mark.parametrize("name", PAIRS)
@pytest.mark.parametrize("filters", FILTER_SETS)
def test_snapshot_query_equals_general_query(name, filters, sample_con):
    ends = [r[0] for r in sample_con.execute("select distinct as_of from customer_snapshot order by 1").fetchall()]
    assert len(ends) >= 8
    checked = 0
    for as_of in ends:
        f = Filters(dt.date(as_of.year, (as_of.month - 1) // 3 * 3 + 1, 1), as_of, **FILTER_SETS[filters])
        params = f.params() | RhythmRules().params() | {"as_of": as_of, "as_ofs": [as_of], "trend": True, "cohorts": [], "channels": [],
                                                             "stale_days": 365, "pool_days": 180, "customer_id": None}
        cur = sample_con.cursor()
        cur.execute("use cockpit")
        assert db.resolve(cur, name, params) == name + db.SNAPSHOT_SUFFIX
        general = _run_general(sample_con, name, params)
        fast = db.run(sample_con, name, params)
        assert list(fast.columns) == list(general.columns)
        _same(fast, general)
        checked += len(general)
    assert checked > 0


@pytest.mark.parametrize("name", [n for n in PAIRS if db.snapshot_key(n) == "as_ofs"])
def test_a_list_of_quarter_ends_reads_the_snapshot_and_equals_the_general_query(name, sample_con):
    """A set-based query over several as-of days: the snapshot's answer when every day is held, the general query's
    when one is not."""
    ends = [r[0] for r in sample_con.execute("select as_of from snapshot_days order by 1").fetchall()][-8:]
    f = Filters(dt.date(2000, 1, 1), ends[-1], **FILTER_SETS["filtered"])
    params = f.params() | RhythmRules().params() | {"as_ofs": ends, "trend": False, "stale_days": 365, "pool_days": 180}
    cur = sample_con.cursor()
    cur.execute("use cockpit")
    assert db.resolve(cur, name, params) == name + db.SNAPSHOT_SUFFIX
    assert db.resolve(cur, name, params | {"as_ofs": ends + [dt.date(2025, 11, 17)]}) == name
    _same(db.run(sample_con, name, params), _run_general(sample_con, name, params))


def test_other_days_use_the_general_query(sample_con):
    cur = sample_con.cursor()
    cur.execute("use cockpit")
    assert db.resolve(cur, "churn/customer_status", {"as_of": dt.date(2025, 11, 17)}) == "churn/customer_status"
    assert db.resolve(cur, "kpis/headline", {"as_of": dt.date(2025, 12, 31)}) == "kpis/headline"


def test_one_customer_records_at_quarter_end_equal_the_general_query(sample_con):
    """customers/customer_records with $customer_id (the customer 360): the snapshot query and the general one give
    that customer's row alone, and the same row as the whole list does."""
    ends = [r[0] for r in sample_con.execute("select distinct as_of from customer_snapshot order by 1").fetchall()][-3:]
    name = "customers/customer_records"
    for as_of in ends:
        f = Filters(dt.date(as_of.year, (as_of.month - 1) // 3 * 3 + 1, 1), as_of, **FILTER_SETS["everyone"])
        whole = db.run(sample_con, name, f.params() | {"as_of": as_of, "customer_id": None})
        for cid in whole["customer_id"].iloc[[0, len(whole) // 2, -1]]:
            params = f.params() | {"as_of": as_of, "customer_id": cid}
            fast = db.run(sample_con, name, params)
            general = _run_general(sample_con, name, params)
            assert len(fast) == len(general) == 1 and fast["customer_id"].iloc[0] == general["customer_id"].iloc[0] == cid
            # (A column with no value in the one row comes back untyped: compared as values, empty as None.)
            values = lambda frame: [None if pd.isna(v) else v for v in frame.iloc[0].tolist()]  # noqa: E731
            assert list(fast.columns) == list(general.columns) == list(whole.columns)
            assert values(fast) == values(general) == values(whole[whole["customer_id"] == cid])
