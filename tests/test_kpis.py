"""KPIs on a dataset where every row is there for a reason and every answer is worked out by hand."""
import datetime as dt

import pytest

from cockpit import db
from cockpit.filters import Filters
from cockpit.importer import run_import
from cockpit.kpis import compute

CUSTOMERS = """Customer ID,Customer Name,Country,Sales Rep,Segment
K1,"O'Brien Trading Ltd",Ireland,Li Wei,A
K2,Müller GmbH,DE,Zhang Min,B
K3,Never Ordered Inc.,US,Li Wei,C
K4,Late Starter SARL,France,,C
"""
# K1: ordered before the period (not new), again inside it, and a return inside it.
# K2: first order exactly on the period's first day (new), second line same order.
# K4: first order on the period's last day (new); a second order the day after (outside).
# K5: orders but is in no customer file (placeholder, country from nowhere -> unknown).
ORDERS = """Order No.,Line,Customer ID,Order Date,Amount,Currency
A1,1,K1,2025-03-31,100,USD
A2,1,K1,2025-04-10,1000,USD
A3,1,K1,2025-05-01,-200,USD
B1,1,K2,2025-04-01,500,EUR
B1,2,K2,2025-04-01,100,EUR
D1,1,K4,2025-06-30,50,USD
D2,1,K4,2025-07-01,70,USD
E1,1,K5,2025-05-05,30,USD
"""
FX = "currency,valid_from,rate\nEUR,2025-01-01,1.1\n"
COMPLAINTS = """Complaint ID,Customer ID,Date Received
Q1,K1,2025-04-02 10:00
Q2,K2,2025-06-30 23:59
Q3,K2,2025-07-01 00:00
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    d = tmp_path_factory.mktemp("tiny")
    for name, text in (("customers.csv", CUSTOMERS), ("orders.csv", ORDERS), ("fx.csv", FX), ("complaints.csv", COMPLAINTS)):
        (d / name).write_text(text, encoding="utf-8")
    path = d / "tiny.duckdb"
    run_import([d], path, currency="USD")
    con = db.connect(path)
    yield con
    con.close()


Q2 = Filters(dt.date(2025, 4, 1), dt.date(2025, 6, 30), all_customers=True)


def test_headline_kpis_by_hand(tiny):
    k = compute(tiny, Q2)
    # 1000 - 200 + (500 + 100) * 1.1 + 50 + 30
    assert k["revenue"] == pytest.approx(1540.0)
    assert k["orders"] == 5                      # A2, A3, B1, D1, E1
    assert k["active_customers"] == 4            # K1, K2, K4, K5 (K1's return is not activity)
    assert k["new_customers"] == 3               # K2, K4, K5; K1 first ordered in March
    assert k["revenue_by_country"] == {"IE": 800.0, "DE": pytest.approx(660.0), "FR": 50.0, "unknown": 30.0}
    assert k["complaints_received"] == 2         # Q1, Q2; Q3 is a minute after the period


def test_country_and_rep_filters(tiny):
    k = compute(tiny, Filters(Q2.date_from, Q2.date_to, countries=("DE", "FR"), all_customers=True))
    assert k["revenue"] == pytest.approx(710.0) and k["active_customers"] == 2
    k = compute(tiny, Filters(Q2.date_from, Q2.date_to, reps=("Li Wei",), all_customers=True))
    assert k["revenue"] == pytest.approx(800.0) and k["complaints_received"] == 1
    k = compute(tiny, Filters(Q2.date_from, Q2.date_to, reps=("",), all_customers=True))   # no owner: K4 and the placeholder K5
    assert k["revenue"] == pytest.approx(80.0)
    k = compute(tiny, Filters(Q2.date_from, Q2.date_to, regions=("150",), all_customers=True))   # Europe
    assert k["revenue"] == pytest.approx(1510.0)


def test_previous_period_of_a_quarter_is_the_quarter_before():
    assert Q2.previous_period().date_from == dt.date(2025, 1, 1)
    assert Q2.previous_period().date_to == dt.date(2025, 3, 31)
    odd = Filters(dt.date(2025, 4, 10), dt.date(2025, 4, 19))
    assert (odd.previous_period().date_from, odd.previous_period().date_to) == (dt.date(2025, 3, 31), dt.date(2025, 4, 9))


def test_filters_describe_themselves():
    f = Filters(dt.date(2025, 4, 1), dt.date(2025, 6, 30), countries=("DE",), names={"DE": "Germany"})
    assert f.describe("en") == "Period 2025Q2; countries: Germany; all regions; all sales reps; all segments."
    assert f.describe("zh").startswith("期间 2025Q2；国家/地区：Germany；全部区域")


def test_movers_by_hand(tiny):
    """Q2 against Q1 (K1 100 → 800, the rest new) and Q3 against Q2 (only K4's 70 on 1 July)."""
    from cockpit.overview import movers
    countries, customers = movers(tiny, Q2, Q2.previous_period())
    assert countries["key"].tolist() == ["IE", "DE", "FR", "unknown"]
    assert countries["change"].tolist() == pytest.approx([700.0, 660.0, 50.0, 30.0])
    assert countries["change_pct"].iloc[0] == pytest.approx(700.0) and countries["change_pct"].iloc[1:].isna().all()
    # The placeholder customer K5 (in no customer file) is labelled by its id.
    assert customers["label"].tolist() == ["O'Brien Trading Ltd", "Müller GmbH", "Late Starter SARL", "K5"]
    q3 = Filters(dt.date(2025, 7, 1), dt.date(2025, 9, 30), all_customers=True)
    countries, customers = movers(tiny, q3, Q2, top=2)
    # One rise (FR +20), then the two largest falls, largest first.
    assert countries["key"].tolist() == ["FR", "IE", "DE"]
    assert customers["key"].tolist() == ["K4", "K1", "K2"]
    assert customers["now"].tolist() == pytest.approx([70.0, 0.0, 0.0])
    assert customers["before"].tolist() == pytest.approx([50.0, 800.0, 660.0])
    assert customers["change_pct"].tolist() == pytest.approx([40.0, -100.0, -100.0])


def test_set_based_periods_equal_each_period_alone(sample_con):
    """compute_many answers several periods with one query per set-based KPI file; each period's answer must be
    what that period alone gives (overlapping periods, months cut at both ends, a single day, a period with no
    orders, a period asked twice, two periods ending on the same day)."""
    from cockpit.kpis import compute_many
    base = Filters(dt.date(2025, 1, 1), dt.date(2025, 3, 31), countries=("US", "DE"), all_customers=True)
    periods = [(dt.date(2025, 1, 1), dt.date(2025, 3, 31)), (dt.date(2025, 2, 14), dt.date(2025, 5, 20)),
               (dt.date(2025, 3, 31), dt.date(2025, 3, 31)), (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
               (dt.date(1999, 1, 1), dt.date(1999, 3, 31)), (dt.date(2025, 1, 1), dt.date(2025, 3, 31))]
    many = [Filters(a, b, countries=base.countries, all_customers=True) for a, b in periods]
    together = compute_many(sample_con, many)
    alone = [compute_many(sample_con, [f])[0] for f in many]
    assert together == alone
    assert together[0]["revenue"] > 0 and together[4]["revenue"] == 0 and together[4]["active_customers"] == 0
    with pytest.raises(ValueError, match="same filters"):
        compute_many(sample_con, [many[0], Filters(*periods[1], all_customers=True)])


@pytest.mark.parametrize("filt", [dict(all_customers=True), dict(countries=("US", "DE"), all_customers=True),
                                  dict(all_customers=False, visible_reps=("Li Wei",))])
def test_the_overview_computes_what_it_shows_and_nothing_else_differs(sample_con, filt):
    """cockpit/overview.py quarters asks compute_many for the keys the page shows (the cards' of eight quarters, the
    summary's and the country chart's of the last); each is what the full computation gives, and every key it asks
    for comes back. A family asked for some of its keys leaves the others out rather than give them wrong."""
    from cockpit import overview as ov
    from cockpit.filters import quarters_ending
    from cockpit.kpis import ALL_KEYS, compute_many
    f = Filters(dt.date(2026, 4, 1), dt.date(2026, 6, 30), **filt)
    shown = ov.quarters(sample_con, f)
    full = compute_many(sample_con, quarters_ending(f))
    assert len(shown) == len(full) == 8
    for i, (part, whole) in enumerate(zip(shown, full)):
        asked = ov.EVERY_QUARTER | (ov.LAST_QUARTER if i == 7 else frozenset())
        assert asked <= part.keys() <= ALL_KEYS | {"period_from", "period_to", "reporting_currency"}
        assert part == {k: whole[k] for k in part}
    assert full[-1]["revenue"] > 0 and shown[-1]["revenue_by_country"] == full[-1]["revenue_by_country"]
    for keys in ({"hhi_countries"}, {"record_completeness_pct"}, {"nrr_pct"}, {"open_complaints"}):
        some = compute_many(sample_con, quarters_ending(f), keys=keys)
        assert all(keys <= k.keys() and k == {n: w[n] for n in k} for k, w in zip(some, full))
        assert not any({"hhi_customers", "stale_records", "at_risk_customers", "sla_breach_pct"} & k.keys() for k in some)


def test_revenue_by_country_of_the_kpis_is_the_query(sample_con):
    """The Overview's country chart reads the KPI object's revenue_by_country: kpis/revenue_by_country.sql's rows,
    largest first, to the cent."""
    import pandas.testing as pdt

    from cockpit import overview
    from cockpit.filters import first_view
    f = first_view(sample_con)
    by_country = overview.revenue_by_country(compute(sample_con, f))
    direct = db.run(sample_con, "kpis/revenue_by_country", f.params() | {"period_starts": [f.date_from],
                                                                         "period_ends": [f.date_to]})
    assert len(by_country) > 5
    pdt.assert_frame_equal(by_country, direct[["country_code", "revenue"]].round(2), check_dtype=False)
