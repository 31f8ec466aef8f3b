"""A customer's state as of a day has one definition (cockpit/sql/customer_state.sql, customer_state_live); the
import materialises it at every quarter end (customer_snapshot, read as customer_state), and a query asking for any
other day reads the definition's rows for it (cockpit/db.py state_days). Held here: the stored rows are exactly the
definition's, with and without filters; the queries that read the state answer for quarter ends and other days
what they answer when every day is worked out by the definition."""
import datetime as dt

import pandas as pd
import pandas.testing as pdt
import pytest

from cockpit import db
from cockpit.churn import RhythmRules
from cockpit.filters import Filters

FILTER_SETS = {
    "everyone": dict(countries=(), regions=(), reps=(), segments=(), all_customers=True, visible_reps=()),
    "filtered": dict(countries=("US", "DE", "GB", "FR"), regions=(), reps=(), segments=("A", "B"), all_customers=True,
                     visible_reps=()),
    "region_and_viewer": dict(countries=(), regions=("150", "019"), reps=(), segments=(), all_customers=False,
                              visible_reps=("Li Wei", "Maria Schmidt")),
}
STATE_ARGS = "$days::date[], $countries, $regions, $reps, $segments, $all_customers, $visible_reps"


def _params(filters: dict) -> dict:
    params = Filters(dt.date(2000, 1, 1), dt.date(2000, 1, 1), **filters).params()
    return {k: params[k] for k in db.FILTER_PARAMS}


def _state(con, sql: str, days: list, filters: dict) -> pd.DataFrame:
    cur = con.cursor()
    cur.execute("use cockpit")
    frame = cur.sql(sql, params=_params(filters) | {"days": days}).df()
    return frame.sort_values(["as_of", "customer_id"]).reset_index(drop=True)


STORED = ("select * from customer_state s where s.as_of = any($days::date[]) and in_view(s.home_country, s.region_code, "
          "s.subregion_code, s.sales_region, s.rep_key, s.segment_key, " + STATE_ARGS.split(", ", 1)[1] + ")")
LIVE = f"select * from customer_state_live({STATE_ARGS})"


def _same(a: pd.DataFrame, b: pd.DataFrame):
    """Equal as sets of rows (row order among ties is not part of either query's contract)."""
    keys = [c for c in a.columns if not pd.api.types.is_float_dtype(a[c].dtype)]

    def sort(f: pd.DataFrame) -> pd.DataFrame:
        text = pd.Series(["|".join(map(repr, row)) for row in f[keys].itertuples(index=False)], index=f.index)
        return f.loc[text.sort_values(kind="stable").index].reset_index(drop=True)
    pdt.assert_frame_equal(sort(a), sort(b), check_dtype=False, rtol=1e-9, atol=1e-6)


def _quarter_ends(con) -> list[dt.date]:
    return [r[0] for r in con.execute("select as_of from snapshot_days order by 1").fetchall()]


@pytest.mark.parametrize("filters", FILTER_SETS)
def test_the_stored_quarter_ends_are_the_definition(filters, sample_con):
    ends = _quarter_ends(sample_con)
    assert len(ends) >= 8 and all(d.month in (3, 6, 9, 12) for d in ends)
    stored = _state(sample_con, STORED, ends, FILTER_SETS[filters])
    live = _state(sample_con, LIVE, ends, FILTER_SETS[filters])
    assert len(stored) > 0
    _same(stored, live)


def test_days_not_held_are_worked_out_by_the_definition(sample_con):
    """state_days: a query asking for days that are not quarter ends reads the stored rows for those that are and
    the definition's rows for the others, on its own connection only."""
    ends = _quarter_ends(sample_con)
    days = [ends[-3], ends[-2] - dt.timedelta(days=17), ends[-1] - dt.timedelta(days=40), ends[-5] + dt.timedelta(days=1)]
    cur = sample_con.cursor()
    cur.execute("use cockpit")
    params = _params(FILTER_SETS["filtered"]) | {"as_ofs": days, "trend": False}
    db.state_days(cur, "churn/revenue_retention", params)
    mixed = cur.sql(STORED, params=_params(FILTER_SETS["filtered"]) | {"days": days}).df()
    mixed = mixed.sort_values(["as_of", "customer_id"]).reset_index(drop=True)
    assert set(mixed["as_of"].dt.date) == set(days)
    _same(mixed, _state(sample_con, LIVE, days, FILTER_SETS["filtered"]))
    other = sample_con.cursor()
    other.execute("use cockpit")
    assert other.execute("select count(*) from customer_state where as_of = $d", {"d": days[1]}).fetchone()[0] == 0


def test_the_state_on_a_day_between_two_orders(sample_con):
    """Known independently from the order lines: lifetime revenue and the last order as of a day are those of the
    customer's lines on or before it."""
    ends = _quarter_ends(sample_con)
    day = ends[-2] - dt.timedelta(days=17)
    state = _state(sample_con, LIVE, [day], FILTER_SETS["everyone"]).set_index("customer_id")
    cur = sample_con.cursor()
    cur.execute("use cockpit")
    lines = cur.sql("select customer_id, ordered_on, amount_reporting from orders where ordered_on <= $d",
                    params={"d": day}).df()
    expected = lines.groupby("customer_id")["amount_reporting"].sum()
    assert set(state.index) == set(expected.index)
    pdt.assert_series_equal(state["lifetime_revenue"].sort_index(), expected.sort_index(), check_names=False,
                            check_dtype=False, rtol=1e-9)
    positive = lines[lines["amount_reporting"] > 0].groupby("customer_id")["ordered_on"].max()
    shown = state["last_order_on"].dropna().dt.date
    assert (shown.sort_index() == pd.to_datetime(positive).dt.date.sort_index()).all()


STATE_QUERIES = ["churn/customer_status", "churn/revenue_retention", "customers/customer_records",
                 "churn/funnel_customers", "churn/cohort_retention", "customers/record_kpis",
                 "customers/record_completeness", "customers/fix_list", "customers/public_pool",
                 "customers/rfm_segments", "customers/customer_choices", "customers/duplicate_pairs",
                 "churn/status_counts", "churn/hidden_big_accounts", "churn/former_top_customers",
                 "churn/complaint_lapse_rates", "churn/status_by_country"]


def test_the_queries_that_read_the_state():
    assert {n for n in db.query_names() if db.reads_state(n)} == set(STATE_QUERIES)


@pytest.mark.parametrize("name", STATE_QUERIES)
@pytest.mark.parametrize("filters", FILTER_SETS)
def test_queries_read_the_same_state_on_quarter_ends_and_other_days(name, filters, sample_con):
    """A query over customer_state gives, for a quarter end and for another day, what it gives when every day it
    could ask for is worked out by the definition."""
    ends = _quarter_ends(sample_con)
    for as_of in ends[-3:] + [ends[-2] - dt.timedelta(days=17)]:
        f = Filters(dt.date(as_of.year, (as_of.month - 1) // 3 * 3 + 1, 1), as_of, **FILTER_SETS[filters])
        params = f.params() | RhythmRules().params() | {"as_of": as_of, "as_ofs": [as_of, ends[-5]], "trend": True,
                                                         "customer_id": None, "stale_days": 365, "pool_days": 180,
                                                         "cohorts": [], "channels": [], "fix_rep": "Li Wei",
                                                         "limit": None, "text": "", "keep": None, "statuses": [],
                                                         "low_segments": ["C", ""], "with_day_counts": True}
        cur = sample_con.cursor()
        cur.execute("use cockpit")
        cur.execute(f"create temp table customer_state as select * from customer_state_live($days::date[], "
                    f"{STATE_ARGS.split(', ', 1)[1]})", _params(FILTER_SETS[filters]) | {"days": ends + [as_of]})
        live = cur.sql(db.sql_text(name), params={k: params[k] for k in db.params_used(name)}).df()
        _same(db.run(sample_con, name, params), live)


def test_one_customer_record_equals_its_row_of_the_whole_list(sample_con):
    """customers/customer_records with $customer_id (the customer 360) gives that customer's row alone, the same
    row as the whole list."""
    as_of = _quarter_ends(sample_con)[-2]
    f = Filters(dt.date(as_of.year, (as_of.month - 1) // 3 * 3 + 1, 1), as_of, **FILTER_SETS["everyone"])
    whole = db.run(sample_con, "customers/customer_records", f.params() | {"stale_days": 365, "pool_days": 180, "as_of": as_of, "customer_id": None})
    for cid in whole["customer_id"].iloc[[0, len(whole) // 2, -1]]:
        one = db.run(sample_con, "customers/customer_records", f.params() | {"stale_days": 365, "pool_days": 180, "as_of": as_of, "customer_id": cid})
        values = lambda frame: [list(v) if hasattr(v, "__len__") and not isinstance(v, str) else None if pd.isna(v) else v  # noqa: E731
                                for v in frame.iloc[0].tolist()]
        assert len(one) == 1 and list(one.columns) == list(whole.columns)
        assert values(one) == values(whole[whole["customer_id"] == cid])
