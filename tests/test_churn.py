"""Churn page and KPIs against independent pandas computations (tests/independent.py)."""
import json
import subprocess
import sys

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cockpit import churn
from cockpit.filters import first_view
from cockpit.i18n import fmt_int
from tests import independent as ind
from tests.conftest import ROOT, realdata


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def funnel_from_chart(at) -> list[int]:
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        for trace in spec["data"]:
            if trace.get("type") == "funnel":
                x = trace["x"]
                if isinstance(x, dict):  # plotly's binary array encoding
                    import base64
                    import numpy as np
                    x = np.frombuffer(base64.b64decode(x["bdata"]), dtype=x["dtype"])
                return [int(v) for v in x]
    raise AssertionError("no funnel chart")


def expected(countries):
    orders = ind.sample_orders().rename(columns={"Amount": "amount"})
    customers = ind.sample_customers()
    home = customers.set_index("customer_id")["country_code"]
    status = ind.rhythm_status(orders, "2026-09-30")
    if countries:
        status = status[status.index.map(lambda c: home.get(c) in countries)]
    levels = ind.funnel_levels("2026-07-01", "2026-09-30")
    if countries:
        levels = levels[levels.index.map(lambda c: home.get(c) in countries)]
    funnel = [int((levels >= k).sum()) for k in range(1, 7)]
    return int((status == "at_risk").sum()), int((status == "lapsed").sum()), funnel


def test_churn_page_follows_country_filter(app_env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["lang"] = "en"
    at.switch_page("pages/churn.py").run()
    assert not at.exception
    at_risk, lapsed, funnel = expected([])
    assert metric(at, "At-risk customers") == fmt_int(at_risk)
    assert metric(at, "Lapsed customers") == fmt_int(lapsed)
    assert funnel_from_chart(at) == funnel

    at.multiselect(key="countries").set_value(["US", "DE"]).run()
    assert not at.exception
    at_risk2, lapsed2, funnel2 = expected(["US", "DE"])
    assert (at_risk2, funnel2) != (at_risk, funnel)
    assert metric(at, "At-risk customers") == fmt_int(at_risk2)
    assert metric(at, "Lapsed customers") == fmt_int(lapsed2)
    assert funnel_from_chart(at) == funnel2


def test_rules_are_editable_and_change_the_count(app_env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["lang"] = "en"
    at.switch_page("pages/churn.py").run()
    at.number_input(key="lapse_days").set_value(200).run()
    orders = ind.sample_orders().rename(columns={"Amount": "amount"})
    status = ind.rhythm_status(orders, "2026-09-30", lapse_days=200)
    assert metric(at, "Lapsed customers") == fmt_int((status == "lapsed").sum())
    assert "200 days" in " ".join(i.value for i in at.info)
    assert at.query_params.get("lapse_days") in ("200", ["200"])


def test_online_retail_status_as_of_last_day(tmp_path):
    path = realdata("uci-online-retail", "Online Retail.parquet")
    db = tmp_path / "x.duckdb"
    subprocess.run([sys.executable, "-m", "cockpit", "import", str(path), "--db", str(db), "--currency", "GBP"],
                   cwd=ROOT, check=True, capture_output=True)
    out = subprocess.run([sys.executable, "-m", "cockpit", "kpis", "--db", str(db), "--to", "2011-12-09"],
                         cwd=ROOT, check=True, capture_output=True, text=True)
    got = json.loads(out.stdout)
    raw = pd.read_parquet(path)
    raw = raw[raw["CustomerID"].notna()]
    raw = raw.assign(customer_id=raw["CustomerID"].astype(int).astype(str), amount=raw["Quantity"] * raw["UnitPrice"],
                     ordered_on=raw["InvoiceDate"])
    status = ind.rhythm_status(raw, "2011-12-09")
    assert got["at_risk_customers"] == int((status == "at_risk").sum())
    assert got["lapsed_customers"] == int((status == "lapsed").sum())
    assert got["at_risk_customers"] > 100 and got["lapsed_customers"] > 0


def test_funnel_counts_and_reasons():
    df = pd.DataFrame({"reached_level": [1, 1, 2, 4, 5, 6, 6]})
    f = churn.funnel_counts(df)
    assert f["reached"].tolist() == [7, 5, 4, 4, 3, 2]
    assert f["stopped"].tolist() == [2, 1, 0, 1, 1, 2]
    assert f["conversion_pct"].iloc[1] == pytest.approx(5 / 7 * 100)
    row = {"gap_ratio": 2.44, "expected_gap_days": 30, "days_since_last_order": 73, "revenue_change_pct": -45.2,
           "open_complaints": 1}
    assert churn.reason(row, "en") == "no order for 2.4 × the usual interval (30 days); order value −45 % against last year; 1 open complaint(s)"
    assert "已超过惯常间隔" in churn.reason(row, "zh")


def test_status_counts_of_many_days_equal_the_customers_listed(sample_con):
    """The KPI cards count statuses and sum revenue at stake for many days in one query (churn/status_counts.sql);
    the page lists each customer's status (churn/customer_status.sql) and counts them. Both read the one rule
    (churn_status) and must give the same numbers (docs/metrics.md at_risk_customers, lapsed_customers,
    revenue_at_risk), for quarter ends and other days, the whole company and one country."""
    import datetime as dt
    from cockpit import churn, db
    from cockpit.filters import Filters
    days = [dt.date(2025, 12, 31), dt.date(2026, 9, 30), dt.date(2026, 5, 17)]
    for countries in ((), ("DE",)):
        f = Filters(dt.date(2025, 1, 1), days[-1], countries, all_customers=True)
        counts = db.run(sample_con, "churn/status_counts", f.params() | churn.RhythmRules().params() | {"as_ofs": days})
        assert len(counts) == 3 * len(days)
        for as_of in days:
            status = db.run(sample_con, "churn/customer_status", f.params() | churn.RhythmRules().params() | {"as_of": as_of} | {"statuses": [], "limit": None, "customer_id": None})
            mine = counts[counts["as_of"].dt.date == as_of].set_index("status")
            assert {k: int(v) for k, v in mine["customers"].items()} == {
                k: int((status["status"] == k).sum()) for k in ("on_rhythm", "at_risk", "lapsed")}
            at_stake = status.loc[status["status"] != "on_rhythm", "revenue_l12m"].clip(lower=0).sum()
            assert mine.loc[["at_risk", "lapsed"], "revenue_floored"].sum() == pytest.approx(at_stake, abs=0.01)
            assert (status["status"] != "on_rhythm").sum() > 0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_reasons_for_all_rows_equal_reason_row_by_row(lang, sample_con):
    import datetime as dt
    from cockpit import churn as ch
    from cockpit import db
    from cockpit.filters import Filters
    f = Filters(dt.date(2025, 10, 1), dt.date(2025, 12, 31), all_customers=True)
    status = db.run(sample_con, "churn/customer_status", f.params() | ch.RhythmRules().params() | {"as_of": f.date_to} | {"statuses": [], "limit": None, "customer_id": None})
    rows = status[status["status"] != "on_rhythm"]
    assert len(rows) > 20
    assert ch.reasons(rows, lang) == [ch.reason(r, lang) for r in rows.to_dict("records")]


def test_status_counted_by_country_in_duckdb_equals_the_frame_count(sample_con):
    import datetime as dt
    from cockpit import churn as ch
    from cockpit import db
    from cockpit.filters import Filters
    f = Filters(dt.date(2025, 7, 1), dt.date(2025, 9, 30), all_customers=True)
    status = db.run(sample_con, "churn/customer_status", ch.status_params(f, ch.RhythmRules(), statuses=()))
    countries = pd.Series(sorted(status["country_code"].unique()) + ["ZZ"])
    counts = ch.status_by_country(sample_con, f, ch.RhythmRules())
    for state in ("lapsed", "at_risk", "on_rhythm"):
        per = status[status["status"] == state].groupby("country_code").size()
        assert ch.count_by_country_from(counts, state, countries).tolist() == countries.map(per).fillna(0).astype(int).tolist()


def test_flagged_first_n_is_the_head_of_the_whole_list(sample_con):
    import datetime as dt
    from cockpit import churn as ch
    from cockpit.filters import Filters
    f = Filters(dt.date(2025, 10, 1), dt.date(2025, 12, 31), all_customers=True)
    whole = ch.flagged_list(sample_con, f, ch.RhythmRules(), "en")
    first = ch.flagged_list(sample_con, f, ch.RhythmRules(), "zh", limit=7)
    assert len(whole) > 7 and first["customer_id"].tolist() == whole["customer_id"].head(7).tolist()
    assert set(whole["listed"]) == set(first["listed"]) == {len(whole)} and set(whole["status"]) == {"at_risk", "lapsed"}
    # Open complaints first, then the largest value at stake, ties by id.
    key = whole.assign(open=whole["open_complaints"] > 0)
    assert key.equals(key.sort_values(["open", "revenue_l12m", "customer_id"], ascending=[False, False, True]))


def test_hidden_big_accounts_former_top_and_lapse_rates_against_the_status_rows(sample_con):
    """churn/hidden_big_accounts.sql, former_top_customers.sql and complaint_lapse_rates.sql against docs/metrics.md's
    rules applied here, in pandas, to every customer's status row (churn/customer_status.sql)."""
    import datetime as dt
    from cockpit import churn as ch
    from cockpit import db
    from cockpit.filters import Filters
    for f, low in ((Filters(dt.date(2025, 10, 1), dt.date(2025, 12, 31), all_customers=True), ["C", "D", ""]),
                   (Filters(dt.date(2026, 7, 1), dt.date(2026, 9, 30), ("US", "DE", "CN"), all_customers=True), ["B"])):
        status = db.run(sample_con, "churn/customer_status", ch.status_params(f, ch.RhythmRules(), statuses=()))
        live = status[status["revenue_l12m"] > 0].assign(growth_l12m=lambda d: d["revenue_l12m"] - d["revenue_prior_12m"])
        big = ((live["growth_l12m"] >= live["growth_l12m"].quantile(0.8)) & (live["growth_l12m"] > 0)) | \
            (live["largest_order_l12m"] >= live["largest_order_l12m"].quantile(0.8))
        in_low = live["segment"].fillna("").isin(low) | live["sales_rep"].isna()
        want = live[big & in_low].sort_values(["growth_l12m", "customer_id"], ascending=[False, True])
        hidden = ch.hidden_list(sample_con, f, low)
        assert len(want) > 0 and hidden["customer_id"].tolist() == want["customer_id"].tolist()
        assert hidden["growth_l12m"].tolist() == pytest.approx(want["growth_l12m"].tolist())
        assert ch.hidden_list(sample_con, f, low, 3)["customer_id"].tolist() == want["customer_id"].head(3).tolist()
        prior = status[status["revenue_prior_12m"] > 0]
        top = prior[prior["revenue_prior_12m"] >= prior["revenue_prior_12m"].quantile(0.8)]
        quiet = top[(top["revenue_l12m"] <= top["revenue_prior_12m"] * 0.5) | (top["status"] != "on_rhythm")]
        want = quiet.sort_values(["revenue_prior_12m", "customer_id"], ascending=[False, True])
        former = ch.former_list(sample_con, f, ch.RhythmRules())
        assert len(want) > 0 and former["customer_id"].tolist() == want["customer_id"].tolist()
        assert former["status"].tolist() == want["status"].tolist() and set(former["listed"]) == {len(want)}
        rates = db.run(sample_con, "churn/complaint_lapse_rates", f.params() | ch.RhythmRules().params() | {"as_of": f.date_to})
        for has, row in zip(rates["has_complaint"], rates.itertuples()):
            group = status[(status["complaints_total"].fillna(0) > 0) == has]
            assert (row.customers, row.at_risk, row.lapsed) == (
                len(group), int((group["status"] == "at_risk").sum()), int((group["status"] == "lapsed").sum()))
            assert row.lapse_rate_pct == pytest.approx((group["status"] == "lapsed").mean() * 100)


def _same_churn_view(a, b):
    import pandas.testing as pdt
    for k in ("retention", "steps", "cohorts", "hidden", "former", "rates"):
        pdt.assert_frame_equal(a[k].reset_index(drop=True), b[k].reset_index(drop=True), check_dtype=False)
    for lang in ("en", "zh"):
        pdt.assert_frame_equal(a["flagged"][lang].reset_index(drop=True), b["flagged"][lang].reset_index(drop=True),
                               check_dtype=False)
    assert a["stopped"].keys() == b["stopped"].keys()
    for level in a["stopped"]:
        pdt.assert_frame_equal(a["stopped"][level].reset_index(drop=True), b["stopped"][level].reset_index(drop=True),
                               check_dtype=False)
    for k in ("counts", "revenue_at_risk", "nrr_pct", "grr_pct", "all_cohorts", "has_pipeline", "stopped_counts",
              "segments", "low_segments", "hidden_count", "former_count"):
        assert a[k] == b[k], k


def test_churn_view_with_other_rules_funnel_filters_or_filters(sample_con):
    from cockpit import kpis
    from cockpit.filters import Filters
    f = first_view(sample_con)
    base = churn.view(sample_con, f)
    assert base["counts"]["at_risk"] > 0 and len(base["flagged"]["zh"]) > 0 and base["has_pipeline"]
    strict = churn.view(sample_con, f, churn.RhythmRules(risk_multiple=1.1, lapse_multiple=2.0))
    assert strict["counts"]["on_rhythm"] < base["counts"]["on_rhythm"]
    cohort = base["all_cohorts"][3]
    one = churn.view(sample_con, f, cohorts=[cohort])
    assert one["steps"]["reached"].iloc[0] < base["steps"]["reached"].iloc[0]
    de = Filters(f.date_from, f.date_to, countries=("DE",), all_customers=True)
    assert sum(churn.view(sample_con, de)["counts"].values()) < sum(base["counts"].values())
    # The view's cards are the KPI definitions (kpis.churn).
    k = kpis.churn(sample_con, f)
    assert k["at_risk_customers"] == base["counts"]["at_risk"] and k["lapsed_customers"] == base["counts"]["lapsed"]
    assert k["revenue_at_risk"] == round(base["revenue_at_risk"], 2) and k["nrr_pct"] == round(base["nrr_pct"], 2)
