"""Customers: record quality and fix lists, duplicates, public pool, ABC / RFM segments, and the customer 360."""
import pandas as pd
import streamlit as st

from cockpit import charts, churn, kpis, records, ui
from cockpit.countries import country_column, country_name
from cockpit.filters import parse_quarter, quarter_label
from cockpit.i18n import fmt_amount, fmt_int, fmt_pct, t

L = ui.lang()
filters = ui.page_filters()
cur = ui.currency()
as_of = filters.date_to

ui.page_header("page_customers", filters)
st.caption(t("customers_caption", L, as_of=as_of.isoformat()))


def number_state(key, default, lo, hi):
    ui.url_state(key, "int", default)
    if not isinstance(st.session_state.get(key), int) or not lo <= st.session_state[key] <= hi:
        st.session_state[key] = default


number_state("stale_days", 365, 1, 3650)
number_state("pool_days", 180, 1, 3650)
rec = ui.query("customers/customer_records", filters.params() | {"as_of": as_of})
record_counts = ui.query("customers/record_kpis", filters.params() | {"as_of": as_of, "stale_days": st.session_state["stale_days"],
                                                                     "pool_days": st.session_state["pool_days"]}).iloc[0]
# The import's duplicate search when this is the whole customer list; else one search, remembered.
clusters = records.duplicate_clusters(rec, identity=kpis.duplicates_identity(record_counts),
                                      stored=kpis.stored_duplicates(ui.connection(), filters.params() | ui.viewer_params(),
                                                                    record_counts))
has = records.filled_fields(rec)  # once: four of the measures below ask it
quality = records.quality(rec, as_of, st.session_state["stale_days"], set(clusters["customer_id"]), has=has)
pool = records.public_pool(rec, as_of, st.session_state["pool_days"])
revenue = ui.query("customers/customer_revenue", filters.params())
number_state("abc_a", 80, 1, 99)
number_state("abc_b", 95, 2, 100)
abc = records.abc(revenue, st.session_state["abc_a"], max(st.session_state["abc_b"], st.session_state["abc_a"] + 1))
abc_counts = records.segment_counts(abc)

cards = st.columns(3) + st.columns(2)  # two rows: the A / B / C triple needs room on a laptop
ui.kpi_card(cards[0], t("kpi_record_completeness_pct", L), fmt_pct(records.record_completeness_pct(rec, has)), 0, None, "", t("help_completeness", L))
ui.kpi_card(cards[1], t("kpi_stale_records", L), fmt_int(records.stale_count(quality["stale"])), 0, None, "", t("help_stale", L))
ui.kpi_card(cards[2], t("kpi_duplicate_clusters", L), fmt_int(clusters["cluster"].nunique()), 0, None, "", t("help_duplicates", L))
ui.kpi_card(cards[3], t("kpi_public_pool_candidates", L), fmt_int(len(pool)), 0, None, "", t("help_pool", L))
ui.kpi_card(cards[4], t("kpi_segment_counts", L), " / ".join(fmt_int(abc_counts[k]) for k in "ABC"), 0, None, "", t("help_abc", L))

# Record quality -------------------------------------------------------------------------------------------------
st.subheader(t("quality_title", L))
st.info(t("quality_definition", L))
st.number_input(t("stale_days", L), min_value=1, max_value=3650, step=30, key="stale_days", width=320)
left, right = st.columns([2, 3])
with left:
    ui.chart(charts.completeness_bars(records.completeness(rec, has), L), key="customers_completeness")
with right:
    by_rep = records.completeness_by_rep(rec, quality, has)
    ui.chart(charts.rep_quality_heatmap(by_rep, records.QUALITY_FIELDS, L), key="customers_rep_heat")
reps = sorted(quality["sales_rep"].fillna("").unique())
ui.url_state("fix_rep", "str", None)
if st.session_state.get("fix_rep") not in reps:
    st.session_state["fix_rep"] = reps[0] if reps else ""
st.selectbox(t("fix_list", L), reps, key="fix_rep", format_func=lambda r: r or t("no_owner", L))
fix = quality[(quality["sales_rep"].fillna("") == st.session_state["fix_rep"]) &
              ((quality["missing_fields"].str.len() > 0) | quality["stale"] | quality["is_duplicate"])]
fix = fix.assign(missing=fix["missing_fields"].map(lambda fs: t("list_sep", L).join(t(f"field_{f}", L) for f in fs)),
                 stale_word=fix["stale"].map(lambda v: t("yes" if v else "no", L))).sort_values("quality_score")
ui.table(fix, {"customer_id": (t("col_customer_id", L), "text"), "customer_name": (t("col_customer", L), "text"),
               "missing": (t("col_missing", L), "text"), "stale_word": (t("col_stale", L), "text"),
               "updated_on": (t("col_updated", L), "date"), "last_contact_on": (t("col_last_contact", L), "date"),
               "quality_score": (t("col_quality_score", L), "int")},
         key="customers_fix", stem=f"fix-list-{st.session_state['fix_rep'] or 'no-owner'}", height=300)

# Duplicates -----------------------------------------------------------------------------------------------------
st.subheader(t("duplicates_title", L))
st.caption(t("duplicates_caption", L))
evidence_words = {"name": t("col_customer", L), "email domain": t("field_email", L), "phone": t("field_phone", L)}
dup = clusters.assign(evidence=clusters["evidence"].map(lambda e: t("list_sep", L).join(evidence_words.get(x.strip(), x) for x in e.split(","))))
ui.table(dup.sort_values(["confidence_pct", "cluster"], ascending=[False, True]),
         {"cluster": (t("col_cluster", L), "int"), "customer_id": (t("col_customer_id", L), "text"),
          "customer_name": (t("col_customer", L), "text"), "evidence": (t("col_evidence", L), "text"),
          "confidence_pct": (t("col_confidence", L), "pct"), "sales_rep": (t("col_rep", L), "text"),
          "lifetime_revenue": (t("col_lifetime_revenue", L, currency=cur), "money"),
          "revenue_split_pct": (t("col_revenue_split", L), "pct")},
         key="customers_dups", stem="duplicate-customers", height=320)

# Public pool ----------------------------------------------------------------------------------------------------
st.subheader(t("pool_title", L))
st.number_input(t("pool_days", L), min_value=1, max_value=3650, step=30, key="pool_days", width=320)
st.caption(t("pool_caption", L, days=st.session_state["pool_days"]))
POOL_SHOWN = 500  # the most valuable first; a table of 100,000 rows would take seconds to send and nobody reads it


def _pool_rows(rows):
    return rows.assign(reason=rows["pool_reason"].map({r: t(f"pool_{r}", L) for r in ("no_owner", "idle")}),
                       country=country_column(rows["country_code"], L))


if len(pool) > POOL_SHOWN:
    st.caption(t("flagged_first", L, shown=fmt_int(POOL_SHOWN), total=fmt_int(len(pool))))
ui.table(_pool_rows(pool.head(POOL_SHOWN)),
         {"customer_id": (t("col_customer_id", L), "text"), "customer_name": (t("col_customer", L), "text"),
          "country": (t("col_country", L), "text"), "reason": (t("col_pool_reason", L), "text"),
          "sales_rep": (t("col_rep", L), "text"), "lifetime_revenue": (t("col_lifetime_revenue", L, currency=cur), "money"),
          "last_order_on": (t("col_last_order", L), "date"), "last_contact_on": (t("col_last_contact", L), "date")},
         key="customers_pool", stem="public-pool", height=300,
         complete=(lambda: _pool_rows(pool)) if len(pool) > POOL_SHOWN else None)

# Segments -------------------------------------------------------------------------------------------------------
st.subheader(t("segments_title", L))
c1, c2, _ = st.columns([1, 1, 2])
c1.number_input(t("abc_a", L), min_value=1, max_value=99, step=5, key="abc_a")
c2.number_input(t("abc_b", L), min_value=2, max_value=100, step=5, key="abc_b")
st.caption(t("abc_caption", L, a=st.session_state["abc_a"], b=max(st.session_state["abc_b"], st.session_state["abc_a"] + 1)))
left, right = st.columns(2)
with left:
    ui.chart(charts.abc_bars(abc, cur, L), key="customers_abc")
with right:
    rfm = records.rfm(rec, as_of)
    ui.chart(charts.rfm_bars(rfm, L), key="customers_rfm")
    st.caption(t("rfm_caption", L))
quarters = ui.quarter_options(*ui._data_bounds()[:2])
ui.url_state("mig_from", "str", None)
ui.url_state("mig_to", "str", None)
if st.session_state.get("mig_to") not in quarters:
    st.session_state["mig_to"] = quarter_label(filters.date_to) if quarter_label(filters.date_to) in quarters else quarters[0]
if st.session_state.get("mig_from") not in quarters:
    idx = quarters.index(st.session_state["mig_to"])
    st.session_state["mig_from"] = quarters[min(idx + 1, len(quarters) - 1)]
m1, m2, _ = st.columns([1, 1, 2])
m1.selectbox(t("migration_from", L), quarters, key="mig_from")
m2.selectbox(t("migration_to", L), quarters, key="mig_to")
f_from, f_to = parse_quarter(st.session_state["mig_from"]), parse_quarter(st.session_state["mig_to"])
before = ui.query("customers/customer_revenue", filters.params() | {"date_from": f_from[0], "date_to": f_from[1]})
after = ui.query("customers/customer_revenue", filters.params() | {"date_from": f_to[0], "date_to": f_to[1]})
ui.chart(charts.migration_heatmap(records.migration(before, after), L, st.session_state["mig_from"], st.session_state["mig_to"]),
         key="customers_migration")

# Customer 360 ---------------------------------------------------------------------------------------------------
st.subheader(t("c360_title", L))
ui.url_state("customer", "str", None)
search = st.text_input(t("c360_search", L), key="c360_search", width=420, placeholder=t("c360_search_hint", L))
# A search picks among its matches (the first one unless the customer shown matches); without one, a customer
# chosen before (or named in a shared link) stays chosen even if it is not among the largest.
labels = records.customer_choices(rec, search, keep=None if search.strip() else st.session_state.get("customer"))
if len(rec) > records.CHOICES:
    st.caption(t("c360_choices", L, n=fmt_int(min(len(labels), records.CHOICES)), total=fmt_int(len(rec))))
if st.session_state.get("customer") not in labels:
    st.session_state["customer"] = next(iter(labels), None)
if not labels:
    st.info(t("c360_none_found", L, text=search))
else:
    st.selectbox(t("c360_pick", L), list(labels), key="customer", format_func=lambda c: labels.get(c, c))
    cid = st.session_state["customer"]
    me = quality[quality["customer_id"] == cid].iloc[0]
    orders = ui.query("customers/customer_orders", {"customer_id": cid})
    status_all = ui.query("churn/customer_status", filters.params() | {"as_of": as_of} | churn.RhythmRules().params())
    mine = status_all[status_all["customer_id"] == cid]
    k = st.columns(4)
    ui.kpi_card(k[0], t("kpi_lifetime_revenue", L, currency=cur), fmt_amount(me["lifetime_revenue"], L), 0, None, "", "")
    ui.kpi_card(k[1], t("kpi_revenue_l12m", L, currency=cur), fmt_amount(me["revenue_l12m"], L), 0, None, "", "")
    ui.kpi_card(k[2], t("kpi_lifetime_orders", L), fmt_int(me["lifetime_orders"]), 0, None, "", "")
    ui.kpi_card(k[3], t("kpi_last_order", L), "—" if pd.isna(me["last_order_on"]) else pd.Timestamp(me["last_order_on"]).date().isoformat(),
                0, None, "", "")
    left, right = st.columns([1, 2])
    with left:
        st.markdown(f"**{t('c360_profile', L)}**")
        profile = {t(f"field_{f}", L): (country_name(me[f], L) if f == "country_code" and me[f] else me[f])
                   for f in records.QUALITY_FIELDS}
        profile[t("col_updated", L)] = me["updated_on"]
        profile[t("col_last_contact", L)] = me["last_contact_on"]
        st.dataframe(pd.DataFrame({"": list(profile), " ": [("—" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)[:60]) for v in profile.values()]}),
                     hide_index=True, width="stretch")
        st.markdown(f"**{t('c360_flags', L)}**")
        flags = []
        if len(mine):
            r = mine.iloc[0].to_dict()
            flags.append(t("c360_status", L, status=t(f"status_{r['status']}", L)) +
                         ("" if r["status"] == "active" else f" — {churn.reason(r, L)}"))
        if me["missing_fields"]:
            flags.append(t("c360_missing", L, fields=t("list_sep", L).join(t(f"field_{f}", L) for f in me["missing_fields"])))
        if me["stale"]:
            flags.append(t("c360_stale", L, days=st.session_state["stale_days"]))
        cl = clusters[clusters["customer_id"] == cid]
        if len(cl):
            others = clusters[(clusters["cluster"] == cl["cluster"].iloc[0]) & (clusters["customer_id"] != cid)]
            flags.append(t("c360_duplicates", L, names=t("list_sep", L).join(f"{n} ({i})" for n, i in zip(others["customer_name"], others["customer_id"]))))
        for f in flags:
            st.markdown(f"- {f}")
    with right:
        if orders.empty:
            st.info(t("c360_no_orders", L))
        else:
            ui.chart(charts.order_timeline(orders, cur, L), key="customers_c360_orders")
        comp = ui.query("customers/customer_complaints", {"customer_id": cid})
        if len(comp):
            st.markdown(f"**{t('c360_complaints', L)}**")
            ui.table(comp, {"complaint_id": (t("col_complaint", L), "text"), "received_at": (t("col_received", L), "date"),
                            "category": (t("col_category", L), "text"), "severity": (t("col_severity", L), "text"),
                            "hours_to_first_response": (t("col_hours_fr", L), "int"),
                            "hours_to_resolution": (t("col_hours_res", L), "int")},
                     key="customers_c360_complaints", stem=f"complaints-{cid}", height=220)
