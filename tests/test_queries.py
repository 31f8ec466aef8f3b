"""Every query file runs on the sample database, states its grain on line 1, and takes values only as parameters."""
import datetime as dt
import re

import pandas as pd
import pytest

from cockpit import db
from cockpit.filters import Filters

FILTERS = Filters(dt.date(2025, 1, 1), dt.date(2025, 12, 31), ("US", "DE"), ("150", "019"), ("Li Wei", ""), ("A", "B"),
                  all_customers=False, visible_reps=("Li Wei",))
from cockpit.churn import RhythmRules
from cockpit.complaints import DEFAULT_TARGETS, sla_params

# A value for every parameter any query takes; run() passes each query only its own.
PARAMS = FILTERS.params() | RhythmRules().params() | {
    "as_of": dt.date(2025, 12, 31), "lang": "en", "cohorts": ["2024Q1"], "channels": ["Canton Fair"], "trend": True,
    "ly_from": dt.date(2024, 1, 1), "ly_to": dt.date(2024, 12, 31),
    "history_days": 365, "recurrence_days": 180, "stale_days": 365, "pool_days": 180, "a_pct": 80.0, "b_pct": 95.0, "max_rows": 50, "age_bounds_days": [0, 1, 3, 7, 30],
    "customer_id": "C10002", "quarter_start": dt.date(2026, 7, 1), "group": "subregion", "drop_countries": ["US"], "drop_pct": 20.0, "lose_top_n": 2, "fx_currency": "EUR", "fx_move_pct": -10.0, "by_customer": True, "newest": 50, "with_day_counts": True,
    "prev_from": dt.date(2024, 1, 1), "prev_to": dt.date(2024, 12, 31), "top": 5,
    "from_start": dt.date(2025, 1, 1), "from_end": dt.date(2025, 3, 31), "to_start": dt.date(2025, 4, 1), "to_end": dt.date(2025, 6, 30),
    "fix_rep": "Li Wei", "limit": None, "text": "", "keep": "C10002", "statuses": ["at_risk", "lapsed"], "low_segments": ["C", ""],
    "period_starts": [dt.date(2025, 1, 1), dt.date(2025, 4, 1), dt.date(2025, 7, 15)],
    "period_ends": [dt.date(2025, 3, 31), dt.date(2025, 6, 30), dt.date(2025, 12, 31)],
    "as_ofs": [dt.date(2025, 3, 31), dt.date(2025, 6, 30), dt.date(2025, 12, 31)],
} | sla_params({"Critical": (2.0, 48.0), "minor": DEFAULT_TARGETS["minor"]})


@pytest.mark.parametrize("name", db.query_names())
def test_query_runs_on_sample(name, sample_con):
    extra = {k: v for k, v in PARAMS.items()}
    df = db.run(sample_con, name, extra)
    assert df is not None


@pytest.mark.parametrize("name", db.query_names())
def test_large_results_convert_exactly_as_small_ones(name, sample_con):
    """Results over 5,000 rows reach pandas through Arrow (db.to_frame); the frame must equal DuckDB's own .df()
    column by column, types included, or a page would behave differently on a big company than on the sample."""
    import pandas.testing as pdt
    used = db.params_used(name)
    # The customer list with every customer (its optional $customer_id null): the large result the page reads.
    params = PARAMS | ({"customer_id": None} if name.startswith("customers/customer_records") else {})
    cur = sample_con.cursor()
    cur.execute("use cockpit")
    expected = cur.execute(db.sql_text(name), {k: params[k] for k in used}).df()
    table = cur.sql(db.sql_text(name), params={k: params[k] for k in used}).to_arrow_table()
    if len(expected) == 0:
        pytest.skip("no rows on the sample with these parameters")
    pdt.assert_frame_equal(db.to_frame(table), expected, check_dtype=True)


@pytest.mark.parametrize("name", db.query_names())
def test_query_states_grain_and_uses_no_formatting(name):
    text = db.sql_text(name)
    assert re.match(r"-- One row", text.splitlines()[0]), f"{name}: line 1 must state the grain ('-- One row ...')"
    assert "{" not in re.sub(r"--[^\n]*", "", text), f"{name}: looks like string formatting"


def test_unused_parameters_are_not_passed(sample_con):
    # DuckDB refuses excess parameters; run() passes only the ones a query uses.
    assert db.params_used("filters/data_range") == frozenset()
    db.run(sample_con, "filters/data_range", PARAMS)


def test_sql_injection_text_is_just_a_value(sample_con):
    hostile = Filters(dt.date(2025, 1, 1), dt.date(2025, 12, 31), ("DE'); drop table orders; --",), (), (), (),
                      all_customers=True)
    df = db.run(sample_con, "kpis/headline", hostile.params() | {"period_starts": [hostile.date_from],
                                                                 "period_ends": [hostile.date_to]})
    assert df.iloc[0]["revenue"] == 0
    assert sample_con.execute("select count(*) from orders").fetchone()[0] > 0


@pytest.mark.parametrize("name", db.query_names())
def test_every_customer_query_takes_the_viewer(name):
    if name in ("filters/data_range", "filters/import_log"):
        return  # dates of the data and the import log (executives only) hold no customer rows
    used = db.params_used(name)
    assert {"all_customers", "visible_reps"} <= used, f"{name} must apply row-level visibility"
    # Through the one guard (the in_view macro, or visible_to for lists that ignore the sidebar filters, or a table
    # macro that applies in_view: record_flags, abc_classes in cockpit/sql/build_derived.sql), never a copy of its
    # clauses written out again.
    text = db._COMMENT_OR_STRING.sub(" ", db.sql_text(name))
    guarded = "in_view(" in text or "visible_to(" in text or re.search(
        r"(record_flags|abc_classes)\(.+, \$countries, \$regions, \$reps, \$segments, "
        r"\$all_customers, \$visible_reps\)", text)
    assert guarded and "any($visible_reps)" not in text, \
        f"{name} must filter through in_view or visible_to"


def test_periods_read_through_period_units_count_every_day_once(sample_con):
    """Several periods in one query (period_units: whole quarters as quarter rows, other whole months as month rows,
    the days of cut months as day rows, joined by equality) give what the day rows alone give, for periods of every
    shape: single days, cut months, whole months, whole quarters, spans over year ends, overlapping periods."""
    import random
    rnd = random.Random(11)
    first = dt.date(2023, 1, 1)
    periods = [(dt.date(2025, 10, 1), dt.date(2025, 12, 31)), (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
               (dt.date(2026, 2, 14), dt.date(2026, 2, 14)), (dt.date(2024, 11, 17), dt.date(2025, 4, 30))]
    for _ in range(12):
        start = first + dt.timedelta(days=rnd.randrange(0, 1300))
        periods.append((start, start + dt.timedelta(days=rnd.randrange(0, 400))))
    everyone = Filters(first, first, all_customers=True).params()
    got = db.run(sample_con, "kpis/headline", everyone | {"period_starts": [a for a, _ in periods],
                                                          "period_ends": [b for _, b in periods]})
    got = got.set_index(["period_from", "period_to"])
    for a, b in periods:
        want = sample_con.execute("""
            select coalesce(sum(revenue), 0), coalesce(sum(order_count), 0),
                   count(distinct customer_id) filter (where positive_line_count > 0)
            from period_facts where grain = 'day' and period_start between $a and $b""", {"a": a, "b": b}).fetchone()
        row = got.loc[(pd.Timestamp(a), pd.Timestamp(b))]
        # Money to a millionth (sums of the same rows in another order differ in the last bits), counts exactly.
        assert row["revenue"] == pytest.approx(want[0], abs=1e-6), (a, b)
        assert (row["orders"], row["active_customers"]) == (want[1], want[2]), (a, b)
