"""A customer's state as of a day has one definition (cockpit/sql/customer_state.sql, customer_state_live); the
import materialises it at every quarter end (customer_snapshot) and customer_state() reads those rows for the days
held. Held here: the stored rows are exactly the definition's, with and without filters; a list mixing held and
other days gives the definition's rows; the queries that read the state answer the same for a quarter end and for
any other day as the definition read directly would."""
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


def _state(con, macro: str, days: list, filters: dict) -> pd.DataFrame:
    cur = con.cursor()
    cur.execute("use cockpit")
    params = Filters(dt.date(2000, 1, 1), dt.date(2000, 1, 1), **filters).params()
    params = {k: params[k] for k in ("countries", "regions", "reps", "segments", "all_customers", "visible_reps")}
    frame = cur.sql(f"select * from {macro}({STATE_ARGS})", params=params | {"days": days}).df()
    return frame.sort_values(["as_of", "customer_id"]).reset_index(drop=True)


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
    stored = _state(sample_con, "customer_state", ends, FILTER_SETS[filters])
    live = _state(sample_con, "customer_state_live", ends, FILTER_SETS[filters])
    assert len(stored) > 0
    _same(stored, live)


def test_days_not_held_are_worked_out_by_the_definition(sample_con):
    ends = _quarter_ends(sample_con)
    days = [ends[-3], ends[-2] - dt.timedelta(days=17), ends[-1] - dt.timedelta(days=40), ends[-5] + dt.timedelta(days=1)]
    mixed = _state(sample_con, "customer_state", days, FILTER_SETS["filtered"])
    live = _state(sample_con, "customer_state_live", days, FILTER_SETS["filtered"])
    assert set(mixed["as_of"].dt.date) == set(days)
    _same(mixed, live)


def test_the_state_on_a_day_between_two_orders(sample_con):
    """Known independently from the order lines: lifetime revenue and the last order as of a day are those of the
    customer's lines on or before it."""
    ends = _quarter_ends(sample_con)
    day = ends[-2] - dt.timedelta(days=17)
    state = _state(sample_con, "customer_state", [day], FILTER_SETS["everyone"]).set_index("customer_id")
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


@pytest.mark.parametrize("name", ["churn/customer_status", "churn/revenue_retention", "customers/customer_records"])
@pytest.mark.parametrize("filters", FILTER_SETS)
def test_queries_read_the_same_state_on_quarter_ends_and_other_days(name, filters, sample_con):
    """A query over customer_state gives for a quarter end what it gives when every day is worked out live (the
    macro swapped for the definition)."""
    ends = _quarter_ends(sample_con)
    for as_of in ends[-3:] + [ends[-2] - dt.timedelta(days=17)]:
        f = Filters(dt.date(as_of.year, (as_of.month - 1) // 3 * 3 + 1, 1), as_of, **FILTER_SETS[filters])
        params = f.params() | RhythmRules().params() | {"as_of": as_of, "as_ofs": [as_of], "trend": True,
                                                         "customer_id": None, "stale_days": 365, "pool_days": 180}
        text = db.sql_text(name)
        assert "customer_state(" in text
        cur = sample_con.cursor()
        cur.execute("use cockpit")
        live = cur.sql(text.replace("customer_state(", "customer_state_live("),
                       params={k: params[k] for k in db.params_used(name)}).df()
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
