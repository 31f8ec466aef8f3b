"""Customers: duplicate clusters on crafted names and on the sample's recorded duplicates; ABC and completeness."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cockpit import db, records
from cockpit.filters import first_view
from cockpit.i18n import fmt_int, fmt_pct
from tests import independent as ind
from tests.conftest import ROOT


def crafted():
    rows = [
        ("1", "Müller Maschinenbau GmbH", "info@mueller-mb.de", "+49 711 1234567"),
        ("2", "MUELLER MASCHINENBAU", None, None),                       # ü written as ue: a near-identical name
        ("3", "Müller Maschinenbau G.m.b.H.", None, "0711-1234567"),      # same name without legal form; same phone
        ("4", "上海恒达贸易有限公司", "sales@hengda-sh.com", None),
        ("5", "上海恒达贸易公司", None, None),                             # same name once 有限公司/公司 are removed
        ("6", "Acme Trading Co., Ltd.", "a@acme-trading.com", None),
        ("7", "ACME TRADING LIMITED", "b@acme-trading.com", None),       # name and company domain
        ("8", "Acme Tradings Ltd", None, None),                          # typo, fuzzy name
        ("9", "Blue Ocean S.A.", "x@gmail.com", None),
        ("10", "Green Field S.A.", "y@gmail.com", None),                 # public mail domain is not evidence
        ("11", "Sol Importadora Ltda", None, "+55 11 98765-4321"),
        ("12", "Completely Different Inc", None, "(11) 98765-4321"),     # same phone digits
    ]
    return pd.DataFrame(rows, columns=["customer_id", "customer_name", "email", "phone"]).assign(
        lifetime_revenue=[100.0, 0, 50, 30, 10, 60, 40, 0, 5, 5, 7, 3], sales_rep="x")


def clusters_as_sets(found):
    return sorted(sorted(part["customer_id"]) for _, part in found.groupby("cluster"))


def test_crafted_duplicates():
    found = records.duplicate_clusters(crafted())
    assert clusters_as_sets(found) == [["1", "2", "3"], ["11", "12"], ["4", "5"], ["6", "7", "8"]]
    acme = found[found["customer_id"].isin(["6", "7", "8"])]
    assert set(acme["evidence"].iloc[0].split(", ")) == {"email domain", "name"}
    assert acme["revenue_split_pct"].tolist() == [60.0, 40.0, 0.0]
    assert records.name_key("Acme Trading Co., Ltd.") == records.name_key("ACME TRADING LIMITED") == "acme trading"
    assert records.name_key("上海恒达贸易有限公司") == records.name_key("上海恒达贸易公司")


def test_sample_duplicates_are_found(sample_con):
    rec = db.run(sample_con, "customers/customer_records",
                 {"stale_days": 365, "pool_days": 180, "as_of": dt.date(2026, 9, 30), "countries": [], "regions": [], "reps": [], "segments": [],
                  "all_customers": True, "visible_reps": [], "customer_id": None})
    found = records.duplicate_clusters(rec)
    truth = pd.read_csv(ROOT / "data" / "sample-truth" / "duplicates.csv")
    cluster = found.set_index("customer_id")["cluster"]
    together = [a in cluster and b in cluster and cluster[a] == cluster[b] for a, b in zip(truth.customer_id, truth.duplicate_id)]
    assert all(together), truth[[not x for x in together]]
    true_pairs = {frozenset(p) for p in zip(truth.customer_id, truth.duplicate_id)}
    correct = sum(frozenset(part["customer_id"]) in true_pairs for _, part in found.groupby("cluster"))
    assert correct / found["cluster"].nunique() >= 0.85


def test_abc_by_hand(tmp_path):
    from cockpit.filters import Filters
    from cockpit.importer import run_import
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "orders.csv").write_text("Order No.,Customer ID,Order Date,Amount,Currency\n" + "".join(
        f"O{i},{c},2025-05-0{i + 1},{v},USD\n" for i, (c, v) in enumerate(zip("abcdef", [50, 25, 10, 10, 5, -3]))))
    run_import([tmp_path / "in"], tmp_path / "abc.duckdb")
    con = db.connect(tmp_path / "abc.duckdb")
    f = Filters(dt.date(2025, 4, 1), dt.date(2025, 6, 30), all_customers=True)
    rows = db.run(con, "customers/abc_classes", f.params() | {"a_pct": 80, "b_pct": 95, "period_starts": [f.date_from],
                                                               "period_ends": [f.date_to]})
    con.close()
    # before-shares: a 0, b 50, c 75, d 85, e 95 -> A A A B C; f has no positive revenue.
    assert dict(zip(rows["customer_id"], rows["abc"])) == {"a": "A", "b": "A", "c": "A", "d": "B", "e": "C"}
    assert rows["cumulative_pct"].round(6).tolist() == [50.0, 75.0, 85.0, 95.0, 100.0]


def test_customers_page_abc_and_completeness(app_env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.session_state["lang"] = "en"
    at.switch_page("pages/customers.py").run()
    assert not at.exception
    orders = ind.sample_orders()
    q3 = orders[(orders["ordered_on"] >= "2026-07-01") & (orders["ordered_on"] <= "2026-09-30")]
    per = q3.groupby("customer_id")["usd"].sum()
    per = per[per > 0].sort_values(ascending=False)
    before = (per.cumsum() - per) / per.sum() * 100
    expected = [int((before < 80).sum()), int(((before >= 80) & (before < 95)).sum()), int((before >= 95).sum())]
    value = next(m.value for m in at.metric if m.label == "A / B / C customers")
    assert value == " / ".join(fmt_int(v) for v in expected)

    crm = ind.sample_customers()
    fields = {"客户名称": None, "country_code": None, "sales_rep": None, "客户等级": None, "行业": None,
              "source_channel": None, "邮箱": None, "电话": None, "网站": None}
    filled = pd.DataFrame({f: crm[f].notna() & (crm[f].astype(str).str.strip() != "") for f in fields})
    # Every customer in the sample is in the CRM file, so the CRM file alone gives the answer.
    completeness = filled.to_numpy().mean() * 100
    assert next(m.value for m in at.metric if m.label == "Record completeness") == fmt_pct(completeness)

    at.multiselect(key="countries").set_value(["DE"]).run()
    de = filled[crm["country_code"] == "DE"]
    assert next(m.value for m in at.metric if m.label == "Record completeness") == fmt_pct(de.to_numpy().mean() * 100)


@pytest.mark.parametrize("as_of", ["2025-12-31", "2025-08-14", "2026-03-31"])
@pytest.mark.parametrize("filt", [dict(all_customers=True), dict(countries=("US", "DE", "CN"), all_customers=True),
                                  dict(all_customers=False, visible_reps=("Li Wei", "Maria Schmidt"))])
def test_record_kpis_and_flags_against_the_records_worked_out_here(as_of, filt, sample_con):
    """customers/record_kpis.sql (the KPIs) and customers/customer_records.sql (each record's flags) against the
    rules of docs/metrics.md applied here, in pandas, to the customers and order lines as imported."""
    import datetime as dt
    from cockpit import db
    from cockpit.filters import Filters
    day = dt.date.fromisoformat(as_of)
    f = Filters(dt.date(day.year, 1, 1), day, **filt)
    cur = sample_con.cursor()
    cur.execute("use cockpit")
    people = cur.sql("select c.*, f.home_country from customers c join customer_facts f using (customer_id)").df()
    if filt.get("countries"):
        people = people[people["home_country"].isin(filt["countries"])]
    if not filt["all_customers"]:
        people = people[people["sales_rep"].isin(filt["visible_reps"])]
    lines = cur.sql("select customer_id, ordered_on, amount_reporting from orders where amount_reporting > 0 "
                    "and ordered_on <= $d", params={"d": day}).df()
    last_order = pd.to_datetime(lines.groupby("customer_id")["ordered_on"].max())

    def filled(v: pd.Series) -> pd.Series:
        text = v.astype("string").str.strip()
        return v.notna() & ~text.isin(["", "nan", "None"]).fillna(True)
    fields = {"customer_name": "customer_name", "country_code": "home_country", "sales_rep": "sales_rep",
              "segment": "segment", "industry": "industry", "source_channel": "source_channel", "email": "email",
              "phone": "phone", "website": "website"}
    has = pd.DataFrame({k: filled(people[v]) for k, v in fields.items()})
    touched = pd.concat([pd.to_datetime(people["updated_on"]), pd.to_datetime(people["last_contact_on"])], axis=1).max(axis=1)
    touched = touched.fillna(pd.to_datetime(people["created_on"]))
    contact = pd.to_datetime(people["last_contact_on"])
    ordered = people["customer_id"].map(last_order)
    rows = db.run(sample_con, "customers/customer_records", f.params() | {
        "as_of": day, "customer_id": None, "stale_days": 365, "pool_days": 180}).set_index("customer_id")
    assert set(rows.index) == set(people["customer_id"])
    for stale_days, pool_days in ((365, 180), (90, 30)):
        stale = touched.isna() | (touched < pd.Timestamp(day) - pd.Timedelta(days=stale_days))
        cutoff = pd.Timestamp(day) - pd.Timedelta(days=pool_days)
        no_owner = ~has["sales_rep"]
        idle = (ordered.isna() | (ordered < cutoff)) & (contact.isna() | (contact < cutoff))
        got = db.run(sample_con, "customers/record_kpis", f.params() | {"as_ofs": [day], "with_day_counts": True, "stale_days": stale_days,
                                                                          "pool_days": pool_days}).iloc[0]
        assert got["customers"] == len(people)
        assert got["record_completeness_pct"] == pytest.approx(has.to_numpy().mean() * 100, rel=1e-12)
        assert got["stale_records"] == int(stale.sum())
        assert got["public_pool_candidates"] == int((no_owner | idle).sum())
        if (stale_days, pool_days) == (365, 180):
            ids = people["customer_id"]
            assert rows.loc[ids, "stale"].tolist() == stale.tolist()
            reason = np.where(no_owner, "no_owner", np.where(idle, "idle", None))
            assert [r if isinstance(r, str) else None for r in rows.loc[ids, "pool_reason"]] == reason.tolist()
            missing = [sum(1 << i for i, k in enumerate(fields) if not h[k]) for h in has.to_dict("records")]
            assert rows.loc[ids, "missing_mask"].tolist() == missing
            assert list(fields) == records.QUALITY_FIELDS
        # Probable duplicates: a pair the import found whose two customers are both in view; quality score = %
        # of fields filled - 20 if stale - 20 if a probable duplicate, floored at 0.
        pairs = cur.sql("select customer_a, customer_b from customer_duplicate_pairs").df()
        inside = set(people["customer_id"])
        pairs = pairs[pairs["customer_a"].isin(inside) & pairs["customer_b"].isin(inside)]
        dup = people["customer_id"].isin(set(pairs["customer_a"]) | set(pairs["customer_b"]))
        score = (has.sum(axis=1) * 100.0 / 9 - 20 * stale.astype(int) - 20 * dup.astype(int)).clip(lower=0)
        rules = f.params() | {"as_of": day, "stale_days": stale_days, "pool_days": pool_days}
        comp = db.run(sample_con, "customers/record_completeness", rules)
        total = comp[comp["rep"].isna()].iloc[0]
        assert total["customers"] == len(people)
        for k in fields:
            assert total[k] == pytest.approx(has[k].mean() * 100, rel=1e-9), k
        rep = people["sales_rep"].fillna("")
        by_rep = comp[comp["rep"].notna()].set_index("rep")
        assert sorted(by_rep.index) == sorted(set(rep))
        for r, idx in rep.groupby(rep).groups.items():
            assert by_rep.loc[r, "customers"] == len(idx)
            assert by_rep.loc[r, "quality_score"] == pytest.approx(score[idx].mean(), rel=1e-9)
            assert by_rep.loc[r, "email"] == pytest.approx(has.loc[idx, "email"].mean() * 100, rel=1e-9)
        # The fix list of the rep with most customers: a field missing, stale or a duplicate; lowest score first.
        busiest = rep.value_counts().index[0]
        need = (rep == busiest) & ((~has).any(axis=1) | stale | dup)
        want = pd.DataFrame({"customer_id": people["customer_id"], "score": score})[need].sort_values(
            ["score", "customer_id"])["customer_id"].tolist()
        for limit in (None, 5):
            fix = db.run(sample_con, "customers/fix_list", rules | {"fix_rep": busiest, "limit": limit})
            assert fix["customer_id"].tolist() == want[:limit] and set(fix["listed"]) == {len(want)}
        # The public pool: no owner or idle; the largest lifetime revenue first, ties by id.
        pool = db.run(sample_con, "customers/public_pool", rules | {"limit": None})
        assert sorted(pool["customer_id"]) == sorted(people["customer_id"][no_owner | idle])
        assert pool.equals(pool.sort_values(["lifetime_revenue", "customer_id"], ascending=[False, True]))
        assert db.run(sample_con, "customers/public_pool", rules | {"limit": 5})["customer_id"].tolist() == \
            pool["customer_id"].head(5).tolist()


@pytest.mark.parametrize("filt", [dict(all_customers=True), dict(all_customers=False, visible_reps=("Li Wei", "Maria Schmidt"))])
def test_abc_classes_against_revenue_ranked_here(filt, sample_con):
    """customers/abc_classes.sql and abc_counts.sql against the customers' net revenue of the period ranked here:
    A while the cumulative share before a customer is under a %, B while under b %, then C."""
    import datetime as dt
    from cockpit import db
    from cockpit.filters import Filters
    f = Filters(dt.date(2025, 7, 1), dt.date(2025, 12, 31), **filt)
    cur = sample_con.cursor()
    cur.execute("use cockpit")
    lines = cur.sql("select o.customer_id, o.amount_reporting, c.sales_rep from orders o left join customers c "
                    "using (customer_id) where o.ordered_on between $a and $b",
                    params={"a": f.date_from, "b": f.date_to}).df()
    if not filt["all_customers"]:
        lines = lines[lines["sales_rep"].isin(filt["visible_reps"])]
    revenue = lines.groupby("customer_id")["amount_reporting"].sum()
    revenue = revenue[revenue > 0].reset_index().sort_values(["amount_reporting", "customer_id"], ascending=[False, True])
    total = revenue["amount_reporting"].sum()
    before = (revenue["amount_reporting"].cumsum() - revenue["amount_reporting"]) / total * 100
    for a, b in ((80.0, 95.0), (50.0, 90.0)):
        expected = dict(zip(revenue["customer_id"], np.where(before < a, "A", np.where(before < b, "B", "C"))))
        params = f.params() | {"a_pct": a, "b_pct": b, "period_starts": [f.date_from], "period_ends": [f.date_to]}
        rows = db.run(sample_con, "customers/abc_classes", params)
        assert dict(zip(rows["customer_id"], rows["abc"])) == expected
        counts = db.run(sample_con, "customers/abc_counts", params)
        assert {r.abc: int(r.customers) for r in counts.itertuples()} == {
            k: sum(v == k for v in expected.values()) for k in "ABC"}


def test_duplicates_found_at_import_equal_a_fresh_search(sample_con):
    """customer_duplicate_pairs (searched once per import) is what the search gives on the whole customer list; a
    view's clusters are its own customers joined by those pairs, whatever the filters."""
    import datetime as dt

    from cockpit import db
    from cockpit import records as rx
    from cockpit.filters import Filters
    everyone = Filters(dt.date(2025, 10, 1), dt.date(2025, 12, 31), all_customers=True)
    customers = sample_con.sql("select customer_id, customer_name, email, phone, sales_rep from customers "
                               "order by customer_id").df()
    pairs = rx.duplicate_pairs(customers)
    fresh = rx.clusters_of(pairs)
    assert len(fresh) > 0
    # (The view's members carry their lifetime revenue as of its end; the fresh search has none.)
    without = lambda c: c.drop(columns=["lifetime_revenue", "revenue_split_pct"])  # noqa: E731
    pd.testing.assert_frame_equal(without(rx.view_clusters(sample_con, everyone.params() | {"as_of": everyone.date_to})),
                                  without(fresh), check_dtype=False)
    some = Filters(everyone.date_from, everyone.date_to, ("US", "DE"), all_customers=True)
    shown = set(db.run(sample_con, "customers/customer_records", some.params() | {
        "as_of": some.date_to, "customer_id": None, "stale_days": 365, "pool_days": 180})["customer_id"])
    within = pairs[pairs["customer_a"].isin(shown) & pairs["customer_b"].isin(shown)].reset_index(drop=True)
    got = rx.view_clusters(sample_con, some.params() | {"as_of": some.date_to})
    assert set(got["customer_id"]) <= shown and len(got) > 0
    pd.testing.assert_frame_equal(without(got), without(rx.clusters_of(within)), check_dtype=False)
    # Each member's lifetime revenue as of the view's end and its share of its cluster's.
    revenue = db.run(sample_con, "customers/customer_records", some.params() | {
        "as_of": some.date_to, "customer_id": None, "stale_days": 365, "pool_days": 180}).set_index("customer_id")["lifetime_revenue"]
    assert got["lifetime_revenue"].tolist() == pytest.approx(revenue[got["customer_id"]].tolist())
    share = got["lifetime_revenue"] / got.groupby("cluster")["lifetime_revenue"].transform("sum") * 100
    assert got["revenue_split_pct"].fillna(-1).tolist() == pytest.approx(share.fillna(-1).tolist())


def test_clusters_join_pairs_transitively_and_take_their_strongest_pair():
    from cockpit import records as rx
    pairs = pd.DataFrame([("C2", "Beta", "Li", "C3", "Beta Ltd", "Li", "name", 0.9),
                          ("C3", "Beta Ltd", "Li", "C4", "BETA", None, "phone", 0.8),
                          ("C7", "Gamma", "Wu", "C8", "Gamma", "Wu", "email domain, name", 0.97)],
                         columns=rx.PAIR_COLUMNS)
    got = rx.clusters_of(pairs)
    assert got[["cluster", "customer_id"]].values.tolist() == [[1, "C2"], [1, "C3"], [1, "C4"], [2, "C7"], [2, "C8"]]
    assert got.groupby("cluster")["confidence_pct"].first().tolist() == [90.0, 97.0]
    assert got.groupby("cluster")["evidence"].first().tolist() == ["name, phone", "email domain, name"]
    assert rx.clusters_of(pairs.iloc[:0]).empty


def test_customer_choices_largest_first_search_and_kept_choice(sample_con):
    """customers/customer_choices.sql against the records' lifetime revenue ranked here: the largest first (ties by
    id), a search by id or name in any case, and a chosen customer kept (first) when it is not among them."""
    from cockpit.filters import Filters
    f = Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 31), all_customers=True)
    rec = db.run(sample_con, "customers/customer_records", f.params() | {
        "as_of": f.date_to, "customer_id": None, "stale_days": 365, "pool_days": 180})
    ranked = rec.sort_values(["lifetime_revenue", "customer_id"], ascending=[False, True])

    def choices(text="", keep=None, limit=records.CHOICES):
        return records.choice_labels(db.run(sample_con, "customers/customer_choices",
                                            records.choice_params(f, text, keep) | {"limit": limit}))
    top = choices()
    assert len(rec) > records.CHOICES and list(top) == ranked["customer_id"].head(records.CHOICES).tolist()
    first = ranked.iloc[0]
    assert top[first["customer_id"]] == f"{first['customer_name']} ({first['customer_id']})"
    # A search reaches customers outside the largest thousand, by name (any case) or by id.
    word = str(ranked[ranked["customer_name"].notna()].iloc[-1]["customer_name"])[:6]
    hits = ranked[ranked["customer_name"].str.lower().str.contains(word.lower(), regex=False, na=False) |
                  ranked["customer_id"].str.lower().str.contains(word.lower(), regex=False)]
    assert list(choices(word.upper())) == hits["customer_id"].head(records.CHOICES).tolist() and len(hits) > 0
    last = ranked.iloc[-1]["customer_id"]
    assert last not in top and list(choices(last.lower())) == [last]
    assert choices("no such firm") == {}
    # A chosen customer (a shared link) stays on the list, first, when it is not among the largest; a customer the
    # filters leave out is not added.
    kept = choices(keep=last)
    assert list(kept)[0] == last and len(kept) == records.CHOICES + 1 and list(kept)[1:] == list(top)
    assert list(choices(keep=first["customer_id"])) == list(top)
    assert "C99999" not in choices(keep="C99999")
    named = rec[rec["customer_name"].isna()]
    if len(named):
        assert choices(named.iloc[0]["customer_id"])[named.iloc[0]["customer_id"]].startswith("— (")


def test_customer_360_search_in_the_app(app_env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.session_state["lang"] = "en"
    at.switch_page("pages/customers.py").run()
    assert not at.exception
    crm = ind.sample_customers()
    name_col = "客户名称"
    target = crm[crm[name_col].notna()].iloc[-1]
    word = str(target[name_col]).split()[0]
    at.text_input(key="c360_search").set_value(word).run()
    assert not at.exception
    picker = at.selectbox(key="customer")
    # (AppTest lists a select box's options as shown: 'name (id)'.)
    assert picker.options and all(word.casefold() in label.casefold() for label in picker.options)
    assert any(label.endswith(f"({picker.value})") for label in picker.options)
    # Picking one shows its 360 (records.customer_360 put into the page's view): its name in the profile.
    pick = next(o for o in picker.options if str(target[name_col]) in o)
    picker.select(pick.rsplit("(", 1)[1].rstrip(")")).run()
    assert not at.exception and at.session_state["customer"] == str(target["customer_id"])
    assert any(str(target[name_col]) in df.value[" "].tolist() for df in at.dataframe if " " in df.value.columns)
    at.text_input(key="c360_search").set_value("zzzz-no-such-customer").run()
    assert not at.exception
    assert any("zzzz-no-such-customer" in i.value for i in at.info)


def _same_records_view(a, b):
    import pandas.testing as pdt
    for k in ("completeness", "by_rep", "fix", "duplicates", "pool", "abc", "rfm", "orders", "complaints"):
        x, y = a[k], b[k]
        assert (x is None) == (y is None), k
        if x is not None:
            pdt.assert_frame_equal(x.reset_index(drop=True), y.reset_index(drop=True), check_dtype=False)
    pd.testing.assert_frame_equal(a["migration"], b["migration"], check_dtype=False, check_names=False)
    for k in ("completeness_pct", "stale", "duplicate_clusters", "pool_count", "abc_counts", "customers", "reps",
              "fix_rep", "fix_count", "duplicates_count", "quarters", "migration_quarters", "choices", "customer", "me",
              "mates", "status"):
        assert a[k] == b[k], k


def test_the_customers_view_cards_are_the_kpi_definitions(sample_con):
    from cockpit import kpis
    f = first_view(sample_con)
    live = records.view(sample_con, f)
    assert live["customers"] > 1000 and live["duplicate_clusters"] > 0 and len(live["orders"]) > 0
    # The cards are the KPI definitions (kpis.records).
    k = kpis.records(sample_con, f)
    assert k["record_completeness_pct"] == round(live["completeness_pct"], 2) and k["stale_records"] == live["stale"]
    assert k["duplicate_clusters"] == live["duplicate_clusters"] and k["segment_counts"] == live["abc_counts"]


def test_customers_view_settings_and_filters(sample_con):
    from cockpit.filters import Filters
    f = first_view(sample_con)
    base = records.view(sample_con, f)
    tighter = records.view(sample_con, f, stale_days=30, pool_days=30)
    assert tighter["stale"] > base["stale"] and tighter["pool_count"] > base["pool_count"]
    other = base["reps"][-1]
    assert records.view(sample_con, f, fix_rep=other)["fix_rep"] == other
    small = list(base["choices"])[-1]
    picked = records.view(sample_con, f, customer=small)
    assert picked["customer"] == small and picked["me"]["customer_id"] == small
    whole = records.view(sample_con, f, whole=True)
    assert len(whole["pool"]) == base["pool_count"] and len(whole["fix"]) == base["fix_count"]
    de = Filters(f.date_from, f.date_to, countries=("DE",), all_customers=True)
    assert records.view(sample_con, de)["customers"] < base["customers"]


def _same_with_customer(picked, joined):
    """view(customer=c, ...) against with_parts(view(), ...): every key, frames by value."""
    import pandas.testing as pdt
    assert list(picked) == list(joined)
    for k, a in picked.items():
        b = joined[k]
        if isinstance(a, pd.DataFrame):
            # (A column with no value among a part's rows comes back untyped: empty compares as None either way.)
            plain = lambda x: x.reset_index(drop=True).astype(object).where(x.reset_index(drop=True).notna(), None)  # noqa: E731
            pdt.assert_frame_equal(plain(a), plain(b), check_dtype=False)
        elif isinstance(a, dict) and isinstance(b, dict):
            # Money summed live in parallel differs in its last bits from run to run: floats to a billionth.
            assert a.keys() == b.keys(), k
            for name in a:
                if isinstance(a[name], float) and isinstance(b[name], float):
                    assert a[name] == pytest.approx(b[name], rel=1e-9), (k, name)
                else:
                    assert a[name] == b[name], (k, name)
        else:
            assert a == b, k


def test_customer_360_alone_equals_the_view_with_that_customer(sample_con):
    """Picking a customer in the 360 reads that customer's record alone (records.customer_360) and puts it into the
    view without a customer; the result must be what view(customer=...) works out from every record."""
    from cockpit.filters import Filters
    f = first_view(sample_con)
    mid = Filters(f.date_from, f.date_from + dt.timedelta(days=40), all_customers=True)  # not a quarter end
    de = Filters(f.date_from, f.date_to, countries=("DE",), all_customers=True)
    viewer = Filters(f.date_from, f.date_to, all_customers=False, visible_reps=("Li Wei",))
    checked = 0
    for filters in (f, mid, de, viewer):
        for stale_days in (365, 30):
            base = records.view(sample_con, filters, stale_days=stale_days)
            assert base["customer"] is not None
            rec = db.run(sample_con, "customers/customer_records",
                         filters.params() | {"stale_days": 365, "pool_days": 180, "as_of": filters.date_to, "customer_id": None})
            dup_ids = set(base["duplicates"]["customer_id"])
            outside = rec[~rec["customer_id"].isin(list(base["choices"]))]["customer_id"]
            # One of the picker's customers, one beyond its 1,000 (found by a search), and a probable duplicate.
            picks = [list(base["choices"])[-1]] + outside.head(1).tolist() + sorted(dup_ids - {base["customer"]})[:1]
            for cid in picks:
                picked = records.view(sample_con, filters, stale_days=stale_days, customer=cid)
                one = records.customer_360(sample_con, filters, cid, stale_days)
                assert one is not None and one["customer"] == cid
                _same_with_customer(picked, records.with_parts(base, one=one))
                checked += 1
    assert checked >= 16
    # A customer the filters leave out: no 360 of it; the view keeps its own customer, as view() does.
    us_only = rec_us = db.run(sample_con, "customers/customer_records",
                              f.params() | {"stale_days": 365, "pool_days": 180, "as_of": f.date_to, "customer_id": None, "countries": ["US"]})
    assert len(us_only) and records.customer_360(sample_con, de, rec_us["customer_id"].iloc[0]) is None
    assert records.view(sample_con, de, customer=rec_us["customer_id"].iloc[0])["customer"] == \
        records.view(sample_con, de)["customer"]


def test_rfm_segments_by_hand(tmp_path):
    """customers/rfm_segments.sql on five customers whose orders make each score the customer's rank (five
    customers: quintile = rank); the segments read off docs/metrics.md's grid by hand."""
    from cockpit.filters import Filters
    from cockpit.importer import run_import
    as_of = dt.date(2026, 9, 30)
    # customer: days before as_of of each order (one order a day), amount of each order.
    orders = {"A": (range(1, 11), 100), "B": (range(10, 18), 100), "C": ([100], 10), "D": (range(200, 205), 100),
              "E": ([300, 301, 302], 100 / 3)}
    rows = [(c, as_of - dt.timedelta(days=d), amount) for c, (days, amount) in orders.items() for d in days]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "orders.csv").write_text("Order No.,Customer ID,Order Date,Amount,Currency\n" + "".join(
        f"O{i},{c},{day.isoformat()},{amount:.4f},USD\n" for i, (c, day, amount) in enumerate(rows)))
    run_import([tmp_path / "in"], tmp_path / "rfm.duckdb")
    con = db.connect(tmp_path / "rfm.duckdb")
    f = Filters(dt.date(2026, 7, 1), as_of, all_customers=True)
    got = db.run(con, "customers/rfm_segments", f.params() | {"as_of": as_of})
    con.close()
    # R (oldest last order first): E 1, D 2, C 3, B 4, A 5. F (order dates in 12 months: A 10, B 8, C 1, D 5, E 3):
    # C 1, E 2, D 3, B 4, A 5; M (A 1,000, B 800, C 10, D 500, E 100) the same. (R, FM): A (5, 5) champions;
    # B (4, 4) loyal; C (3, 1) about to sleep; D (2, 3) at risk; E (1, 2) lost.
    assert dict(zip(got["rfm_segment"], got["customers"])) == {
        "champions": 1, "loyal": 1, "about_to_sleep": 1, "at_risk": 1, "lost": 1}


def test_abc_migration_by_hand(tmp_path):
    """Q1 revenue X 50, Y 40, Z 10, W −5: X A, Y A, Z B (W none). Q2 Y 50, V 40, X 10: Y A, V A, X B. So X A→B,
    Y A→A, Z B→—, V —→A (customers/abc_migration.sql, as the Customers page reads it)."""
    from cockpit.filters import Filters
    from cockpit.importer import run_import
    lines = [("X", "2025-02-01", 50), ("Y", "2025-02-02", 40), ("Z", "2025-02-03", 10), ("W", "2025-02-04", -5),
             ("Y", "2025-05-01", 50), ("V", "2025-05-02", 40), ("X", "2025-05-03", 10)]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "orders.csv").write_text("Order No.,Customer ID,Order Date,Amount,Currency\n" + "".join(
        f"O{i},{c},{d},{v},USD\n" for i, (c, d, v) in enumerate(lines)))
    run_import([tmp_path / "in"], tmp_path / "mig.duckdb")
    con = db.connect(tmp_path / "mig.duckdb")
    f = Filters(dt.date(2025, 4, 1), dt.date(2025, 6, 30), all_customers=True)
    got = records.migration_part(con, f, ("2025Q1", "2025Q2"))["migration"]
    same = records.migration_part(con, f, ("2025Q2", "2025Q2"))["migration"]
    con.close()
    classes = ["A", "B", "C", "—"]
    assert list(got.index) == classes and list(got.columns) == classes
    want = {("A", "B"): 1, ("A", "A"): 1, ("B", "—"): 1, ("—", "A"): 1}
    for i in classes:
        for j in classes:
            assert int(got.loc[i, j]) == want.get((i, j), 0), (i, j)
    # A quarter against itself: every customer stays in its class.
    assert int(same.loc["A", "A"]) == 2 and int(same.loc["B", "B"]) == 1 and int(same.to_numpy().sum()) == 3


def test_view_lists_are_the_whole_lists_for_the_viewer(sample_con):
    """What the Customers page's downloads write (records.view_lists): every row the cards count, for the viewer
    signed in (a restricted viewer's lists hold only their reps' customers)."""
    f = first_view(sample_con)
    base = records.view(sample_con, f)
    whole = records.view_lists(sample_con, f, {"all_customers": True, "visible_reps": []}, dict(records.VIEW_DEFAULTS))
    assert len(whole["pool"]) == base["pool_count"] > records.SHOWN
    assert len(whole["fix"]) == base["fix_count"] > 0 and len(whole["duplicates"]) == base["duplicates_count"] > 0
    rep = next(r for r in base["reps"] if r)
    mine = records.view_lists(sample_con, f, {"all_customers": False, "visible_reps": [rep]},
                              dict(records.VIEW_DEFAULTS) | {"fix_rep": rep})
    assert 0 < len(mine["pool"]) < base["pool_count"] and set(mine["pool"]["sales_rep"]) == {rep}
    owner = dict(sample_con.execute("select customer_id, sales_rep from cockpit.customers").fetchall())
    assert mine["fix_rep"] == rep and {owner[c] for c in mine["fix"]["customer_id"]} == {rep}


def test_fix_list_and_migration_alone_equal_the_view_with_those_settings(sample_con):
    """Another rep's fix list (records.fix_part: that rep's records alone) and other migration quarters
    (migration_part), with and without another customer's 360, put into the view with every one of those at its
    default: the same as view() with those settings, for the whole company, a country, a restricted viewer and a
    day that is not a quarter end."""
    from cockpit.filters import Filters
    f = first_view(sample_con)
    mid = Filters(f.date_from, f.date_from + dt.timedelta(days=40), all_customers=True)
    de = Filters(f.date_from, f.date_to, countries=("DE",), all_customers=True)
    viewer = Filters(f.date_from, f.date_to, all_customers=False, visible_reps=("Li Wei", "Zhao Lei"))
    checked = 0
    for filters in (f, mid, de, viewer):
        for stale_days in (365, 30):
            base = records.view(sample_con, filters, stale_days=stale_days)
            assert len(base["reps"]) > 1
            quarters = (base["quarters"][3], base["quarters"][1])
            assert list(quarters) != base["migration_quarters"]
            for rep in [r for r in base["reps"] if r != base["fix_rep"]][:2] + [""]:
                fix = records.fix_part(sample_con, filters, rep, stale_days)
                if rep not in base["reps"]:
                    assert fix is None or fix["fix_count"] == 0
                    continue
                mig = records.migration_part(sample_con, filters, quarters)
                want = records.view(sample_con, filters, stale_days=stale_days, fix_rep=rep, migration_quarters=quarters)
                assert want["fix_rep"] == rep and want["fix_count"] > 0
                _same_with_customer(want, records.with_parts(base, fix=fix, migration=mig))
                cid = list(base["choices"])[-1]
                want = records.view(sample_con, filters, stale_days=stale_days, fix_rep=rep, customer=cid)
                _same_with_customer(want, records.with_parts(base, fix=fix, one=records.customer_360(
                    sample_con, filters, cid, stale_days)))
                checked += 1
    assert checked >= 12
    # Rows are the first quarter's classes, columns the second's: each row's total is the count of that class in
    # the first quarter, as customers/abc_counts.sql counts it (and each column's in the second).
    from cockpit.filters import parse_quarter
    mig = records.migration_part(sample_con, f, quarters)["migration"]
    for quarter, totals in ((quarters[0], mig.sum(axis=1)), (quarters[1], mig.sum(axis=0))):
        start, end = parse_quarter(quarter)
        counts = db.run(sample_con, "customers/abc_counts", f.params() | {"period_starts": [start], "period_ends": [end],
                                                                          "a_pct": 80.0, "b_pct": 95.0})
        assert {r.abc: int(r.customers) for r in counts.itertuples()} == {k: int(totals[k]) for k in "ABC" if totals[k]}
    assert list(mig.sum(axis=1)[list("ABC")]) != list(mig.sum(axis=0)[list("ABC")])  # (so the orientations differ)
    # A rep the sidebar's rep filter leaves out has no list of its own.
    only = Filters(f.date_from, f.date_to, reps=("Li Wei",), all_customers=True)
    assert records.fix_part(sample_con, only, "Zhao Lei") is None
    assert records.fix_part(sample_con, only, "Li Wei")["fix_rep"] == "Li Wei"


def test_fix_rep_and_migration_quarters_in_the_app(app_env):
    """Choosing another rep's fix list and other migration quarters on the page (each worked out alone): the list
    holds only that rep's customers, and the chart names the quarters chosen."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.session_state["lang"] = "en"
    at.switch_page("pages/customers.py").run()
    assert not at.exception
    crm = ind.sample_customers()
    rep = "Zhao Lei"
    assert at.selectbox(key="fix_rep").value != rep
    at.selectbox(key="fix_rep").select(rep).run()
    assert not at.exception and at.selectbox(key="fix_rep").value == rep
    fix = next(df.value for df in at.dataframe if "Missing" in df.value.columns)
    assert len(fix) > 0 and set(crm.set_index("customer_id").loc[fix["Customer ID"], "sales_rep"]) == {rep}
    quarters = at.selectbox(key="mig_from").options
    at.selectbox(key="mig_from").select(quarters[4]).run()
    assert not at.exception and at.selectbox(key="mig_from").value == quarters[4]
    assert at.selectbox(key="fix_rep").value == rep
    import json
    heat = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if '"heatmap"' in c.proto.spec]
    assert heat and quarters[4] in json.dumps(heat[-1]["layout"], ensure_ascii=False)


def test_missing_text_and_dates_show_as_empty_cells(app_env):
    """Streamlit's grid writes "None" in a cell without a value (in English, whatever the language): the Customers
    page's tables show a missing date or text as an empty cell, and dates as YYYY-MM-DD."""
    import re
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.session_state["lang"] = "zh"
    at.switch_page("pages/customers.py").run()
    assert not at.exception
    checked, blanks = 0, 0
    for df in at.dataframe:
        frame = df.value
        for column in [c for c in frame.columns if c in ("最近联系", "更新日期", "最近下单")]:
            values = frame[column].tolist()
            assert all(isinstance(v, str) for v in values), column
            assert all(v == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in values), column
            checked += len(values)
            blanks += values.count("")
    assert checked > 100 and blanks > 0
