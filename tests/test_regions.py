"""Regions: concentration numbers against independent pandas computations; the what-if moves HHI as it should."""
import datetime as dt
import json
import subprocess
import sys

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cockpit import db, regions
from cockpit.filters import first_view
from tests import independent as ind
from tests.conftest import ROOT, realdata


def hhi_and_shares(revenue: pd.Series) -> tuple[float, float, list]:
    pos = revenue[revenue > 0].sort_values(ascending=False)
    share = pos / pos.sum() * 100
    return float((share ** 2).sum()), float(share.iloc[0]), share


def sample_period(date_from, date_to):
    orders = ind.sample_orders()
    home = ind.sample_customers().set_index("customer_id")["country_code"]
    o = orders[(orders["ordered_on"] >= date_from) & (orders["ordered_on"] <= date_to)].copy()
    o["country"] = o["customer_id"].map(home).fillna("unknown")
    return o


def metric(at, label):
    return next(m.value for m in at.metric if m.label.startswith(label))


def test_regions_page_numbers_and_what_if(app_env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["lang"] = "en"
    at.switch_page("pages/regions.py").run()
    assert not at.exception
    o = sample_period("2026-07-01", "2026-09-30")
    hhi_c, top_c, _ = hhi_and_shares(o[o.country != "unknown"].groupby("country")["usd"].sum())
    hhi_u, _, cust_shares = hhi_and_shares(o.groupby("customer_id")["usd"].sum())
    assert metric(at, "HHI countries") == f"{hhi_c:,.0f}"
    assert metric(at, "HHI customers") == f"{hhi_u:,.0f}"
    assert metric(at, "Top country: United States") == f"{top_c:,.1f} %"
    assert metric(at, "Largest customer") == f"{cust_shares.iloc[0]:,.1f} %"

    # What-if: revenue to the top country halves.
    at.multiselect(key="wi_countries").set_value(["US"]).run()
    at.number_input(key="wi_drop").set_value(50.0).run()
    assert not at.exception
    shocked = o.assign(usd=o["usd"].where(o["country"] != "US", o["usd"] * 0.5))
    expected, _, _ = hhi_and_shares(shocked[shocked.country != "unknown"].groupby("country")["usd"].sum())
    assert at.session_state["_whatif_hhi"] == pytest.approx(expected, abs=0.01)
    assert expected < hhi_c
    assert at.query_params.get("wi_drop") in ("50.0", ["50.0"])


def test_concentration_by_hand(tmp_path):
    """A company small enough to count by hand: queries/regions/concentration_kpis.sql on it."""
    from cockpit import db
    from cockpit.filters import Filters
    from cockpit.importer import run_import
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "orders.csv").write_text("order_id,customer_id,order_date,country,amount,currency\n"
                                       "1,a,2026-07-02,DE,60,USD\n2,b,2026-07-03,DE,20,USD\n"
                                       "3,c,2026-08-04,US,20,USD\n4,d,2026-09-05,Atlantis,50,USD\n", encoding="utf-8")
    run_import([folder], tmp_path / "x.duckdb", replace=True, imported_by="test")
    con = db.connect(tmp_path / "x.duckdb")
    f = Filters(dt.date(2026, 7, 1), dt.date(2026, 9, 30), all_customers=True)
    c = regions.concentration(con, f)
    # Countries (unknown left out): DE 80 %, US 20 % -> 6400 + 400.
    assert c["hhi_countries"] == pytest.approx(6800)
    assert c["top_country"] == "DE" and c["top_country_share_pct"] == pytest.approx(80)
    # Customers: 60/150, 50/150, 20/150, 20/150.
    assert c["hhi_customers"] == pytest.approx(sum((v / 150 * 100) ** 2 for v in (60, 50, 20, 20)))
    assert c["major_customers"] == ["a", "d", "b", "c"] and c["top_customer"] == "a"
    assert c["revenue"] == pytest.approx(150) and c["customers_with_revenue"] == 4 and c["countries_with_revenue"] == 2
    # The what-if: lose the largest customer (a) and cut DE by half -> DE 10, US 20 (unknown 50 left out).
    w = regions.concentration(con, f, regions.NO_SCENARIO | {"lose_top_n": 1, "drop_countries": ["DE"], "drop_pct": 50.0})
    assert w["revenue"] == pytest.approx(80) and w["top_country"] == "US"
    assert w["hhi_countries"] == pytest.approx((10 / 30 * 100) ** 2 + (20 / 30 * 100) ** 2)
    rows = db.run(con, "regions/revenue_by_customer_country", f.params() | regions.NO_SCENARIO)
    assert regions.pareto_point(regions.pareto(rows), 70) == pytest.approx(50.0)


def test_online_retail_concentration(tmp_path):
    path = realdata("uci-online-retail", "Online Retail.parquet")
    db = tmp_path / "x.duckdb"
    subprocess.run([sys.executable, "-m", "cockpit", "import", str(path), "--db", str(db), "--currency", "GBP"],
                   cwd=ROOT, check=True, capture_output=True)
    got = json.loads(subprocess.run([sys.executable, "-m", "cockpit", "kpis", "--db", str(db)], cwd=ROOT, check=True,
                                    capture_output=True, text=True).stdout)
    raw = pd.read_parquet(path)
    raw = raw[raw["CustomerID"].notna()]
    raw["revenue"] = raw["Quantity"] * raw["UnitPrice"]
    countries = raw[~raw["Country"].isin(["Unspecified", "European Community", "Channel Islands"])]
    hhi, top, _ = hhi_and_shares(countries.groupby("Country")["revenue"].sum())
    assert got["top_country"] == "GB"
    assert got["top_country_share_pct"] == pytest.approx(top, abs=0.01)
    assert got["hhi_countries"] == pytest.approx(hhi, abs=0.01)
    hhi_u, _, shares = hhi_and_shares(raw.groupby("CustomerID")["revenue"].sum())
    assert got["hhi_customers"] == pytest.approx(hhi_u, abs=0.01)
    assert got["top5_customers_share_pct"] == pytest.approx(shares.head(5).sum(), abs=0.01)


@pytest.mark.parametrize("date_to", ["2025-12-31", "2025-11-17", "2026-03-31"])
@pytest.mark.parametrize("countries", [(), ("US", "DE", "GB", "CN")])
def test_concentration_trend_equals_each_quarter_computed_alone(date_to, countries, sample_con):
    """The quarterly trend (every quarter from the first with data, the last cut at the period's end, measured by
    concentration_kpis.sql in one query with the period) gives each quarter what an independent count of that
    quarter's revenue gives."""
    import datetime as dt
    from cockpit import db
    from cockpit.filters import Filters
    end = dt.date.fromisoformat(date_to)
    f = Filters(dt.date(end.year, 1, 1), end, countries, all_customers=True)
    quarters = regions.trend_quarters(sample_con, f)
    trend = regions.concentration_trend(quarters, regions.concentration_many(sample_con, quarters)).set_index("quarter")
    assert quarters[-1].date_to == end and quarters[0].date_from <= dt.date(2024, 1, 1)
    assert len(trend) >= 6 and trend.index[-1] == f"{end.year}Q{(end.month - 1) // 3 + 1}"
    for quarter, row in trend.iterrows():
        year, q = int(quarter[:4]), int(quarter[-1])
        start = dt.date(year, 3 * q - 2, 1)
        stop = min((dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)), end)
        rows = db.run(sample_con, "regions/revenue_by_customer_country",
                      Filters(start, stop, countries, all_customers=True).params() | regions.NO_SCENARIO)
        c = ind.concentration(rows)
        assert row["hhi_countries"] == pytest.approx(c["hhi_countries"], rel=1e-9), quarter
        assert row["hhi_customers"] == pytest.approx(c["hhi_customers"], rel=1e-9), quarter
        assert row["top_country_share_pct"] == pytest.approx(c["top_country_share_pct"], rel=1e-9), quarter


@pytest.mark.parametrize("period", [("2025-10-01", "2025-12-31"), ("2025-02-14", "2025-08-03")])
@pytest.mark.parametrize("countries", [(), ("US", "DE", "GB", "CN"), ("ZZ",)])
def test_concentration_kpis_in_sql_equal_an_independent_count(period, countries, sample_con):
    import datetime as dt
    from cockpit import db, kpis
    from cockpit.filters import Filters
    f = Filters(dt.date.fromisoformat(period[0]), dt.date.fromisoformat(period[1]), countries, all_customers=True)
    rows = db.run(sample_con, "regions/revenue_by_customer_country", f.params() | regions.NO_SCENARIO)
    c = ind.concentration(rows)
    got = kpis.regions(sample_con, f)
    for k in ("hhi_countries", "hhi_customers", "top_country_share_pct", "top5_customers_share_pct"):
        assert got[k] == pytest.approx(round(c[k], 2), abs=0.011), k
    assert got["top_country"] == c["top_country"]
    assert sorted(got["major_customers"]) == sorted(c["major_customers"])
    page = regions.concentration(sample_con, f)
    for k in ("revenue", "top3_countries_share_pct", "top5_countries_share_pct", "top1_customers_share_pct",
              "top3_customers_share_pct", "customers_with_revenue", "countries_with_revenue"):
        assert page[k] == pytest.approx(c[k], abs=1e-6), k
    # The what-if is the same definition over the scenario's revenue (regions/revenue_by_customer_country.sql).
    scenario = regions.NO_SCENARIO | {"lose_top_n": 2, "drop_countries": ["US"], "drop_pct": 30.0}
    shocked = db.run(sample_con, "regions/revenue_by_customer_country", f.params() | scenario)
    expected, got = ind.concentration(shocked, "revenue_scenario"), regions.concentration(sample_con, f, scenario)
    for k in ("revenue", "hhi_countries", "hhi_customers", "top_country_share_pct", "top5_customers_share_pct"):
        assert got[k] == pytest.approx(expected[k], abs=1e-6), k


def test_a_long_pareto_curve_is_drawn_from_a_bounded_number_of_points():
    """200,000 customers: the drawn line keeps the largest and the last customer and stays within a fifth of a
    percentage point (under a pixel) of the full curve everywhere."""
    import numpy as np
    import pandas as pd

    from cockpit import charts
    rng = np.random.default_rng(3)
    rows = pd.DataFrame({"customer_id": [f"C{i}" for i in range(200_000)], "country_code": "DE",
                         "revenue": rng.pareto(1.2, 200_000) * 1000 + 1})
    curve = regions.pareto(rows)
    drawn = charts.pareto_points(curve)
    assert len(drawn) <= charts.PARETO_POINTS
    assert drawn.index[0] == 0 and drawn.index[-1] == len(curve) - 1
    pd.testing.assert_frame_equal(drawn, curve.loc[drawn.index])
    fig = charts.pareto_curve(curve, "en", regions.pareto_point(curve))
    assert len(fig.data[0].x) == len(drawn) + 1 and fig.data[0].y[-1] == pytest.approx(100.0)
    # Between two drawn points the true curve stays within a fifth of a percentage point of the straight line.
    x, y = drawn["customers_pct"].to_numpy(), drawn["revenue_pct"].to_numpy()
    assert np.max(np.abs(np.interp(curve["customers_pct"], x, y) - curve["revenue_pct"])) < 0.2
    small = curve.head(500)
    assert charts.pareto_points(small) is small


def test_what_if_without_a_scenario_is_the_actual_and_affects_nobody(sample_con):
    from cockpit.filters import Filters
    f = Filters(dt.date(2026, 7, 1), dt.date(2026, 9, 30), all_customers=True)
    view = regions.view(sample_con, f)
    assert view["what_if"] == view["actual"]
    none = view["affected"]
    assert none.empty and list(none.columns) == ["customer_id", "customer_name", "revenue", "revenue_scenario", "change"]
    lose = regions.scenario_part(sample_con, f, regions.NO_SCENARIO | {"lose_top_n": 2})
    assert lose["what_if"] != view["actual"] and lose["what_if"]["revenue"] < view["actual"]["revenue"]
    assert len(lose["affected"]) == 2


def _same_view(a: dict, b: dict):
    assert set(a) >= {"countries", "group", "actual", "what_if", "curve", "point", "names", "trend", "affected"}
    for k in ("countries", "group", "curve", "trend", "affected"):
        pd.testing.assert_frame_equal(a[k].reset_index(drop=True), b[k].reset_index(drop=True), check_dtype=False)
    # (Floats to 1e-12: DuckDB's parallel sums add in no fixed order, as the frames above are compared too.)
    close = lambda v: pytest.approx(v, rel=1e-12) if isinstance(v, float) else v  # noqa: E731
    for k in ("actual", "what_if", "point", "names"):
        assert a[k] == ({n: close(v) for n, v in b[k].items()} if isinstance(b[k], dict) else close(b[k])), k


@pytest.mark.parametrize("group", regions.GROUPS)
def test_the_grouping_changes_only_the_grouped_revenue(sample_con, group):
    f = first_view(sample_con)
    base, grouped = regions.view(sample_con, f), regions.view(sample_con, f, group=group)
    assert len(grouped["countries"]) > 5 and grouped["actual"]["hhi_countries"] > 0
    pd.testing.assert_frame_equal(grouped["group"].reset_index(drop=True),
                                  db.run(sample_con, "regions/revenue_by_group", f.params() | {"group": group}))
    _same_view(grouped | {"group": base["group"]}, base)


def test_a_what_if_or_a_filter(sample_con):
    from cockpit.filters import Filters
    f = first_view(sample_con)
    lose = regions.NO_SCENARIO | {"lose_top_n": 3}
    v = regions.view(sample_con, f, lose)
    assert len(v["affected"]) == 3 and v["what_if"]["revenue"] < v["actual"]["revenue"]
    de = Filters(f.date_from, f.date_to, countries=("DE",), all_customers=True)
    assert set(regions.view(sample_con, de)["countries"]["country_code"]) == {"DE"}


def test_the_what_if_and_trend_charts_draw_what_they_are_given():
    """The two Regions charts written as one figure dict each: every panel on its own axes with its title, the
    reference bands as shapes at the bounds asked for, the share on the right axis up to 100 %."""
    import pandas as pd

    from cockpit import charts
    actual = {"revenue": 1_000_000.0, "hhi_countries": 1500.0, "hhi_customers": 300.0, "top_country_share_pct": 30.0}
    what_if = {"revenue": 900_000.0, "hhi_countries": 1400.0, "hhi_customers": 290.0, "top_country_share_pct": 28.0}
    fig = charts.scenario_bars(actual, what_if, "USD", "zh")
    assert [tr.yaxis for tr in fig.data] == ["y", "y2", "y3", "y4"]
    assert [list(tr.y) for tr in fig.data] == [[actual[k], what_if[k]] for k in actual]
    assert [a.text for a in fig.layout.annotations] == ["销售额（USD）", "国家 HHI", "客户 HHI", "第一大国家占比"]
    domains = [fig.layout[f"xaxis{s}"].domain for s in ("", "2", "3", "4")]
    assert all(a[1] < b[0] for a, b in zip(domains, domains[1:]))  # side by side, not overlapping
    trend = pd.DataFrame({"quarter": ["2026Q1", "2026Q2"], "hhi_countries": [1600.0, 1550.0],
                          "hhi_customers": [310.0, 300.0], "top_country_share_pct": [31.0, 29.0]})
    fig = charts.hhi_trend(trend, "en", (1200, 2600))
    assert [(s.y0, s.y1) for s in fig.layout.shapes] == [(0, 1200), (1200, 2600), (2600, 3250.0)]
    assert [a.text for a in fig.layout.annotations] == ["unconcentrated < 1,200", "moderate 1,200–2,600", "high > 2,600"]
    assert fig.data[2].yaxis == "y2" and fig.layout.yaxis2.ticktext[-1] == "100 %"
