"""Customers: record quality and fix lists, duplicates, public pool, ABC / RFM segments, and the customer 360."""
import pandas as pd
import streamlit as st

from cockpit import charts, records, ui
from cockpit.countries import country_column, country_name
from cockpit.i18n import fmt_amount, fmt_int, fmt_pct, t

L = ui.lang()
filters = ui.page_filters()
cur = ui.currency()
as_of = filters.date_to

ui.page_header("page_customers", filters)


def customers_view(**settings) -> dict:
    """The page's view (records.view) for the settings. Another rep's fix list, other migration quarters or another
    customer in the 360 are worked out alone (records.fix_part, migration_part, customer_360) and put into the view
    of the other settings (records.with_parts): such a click does not work out the page's lists again."""
    settings = records.VIEW_DEFAULTS | settings
    view = ui.computed(records.view, filters, **(settings | {"fix_rep": None, "migration_quarters": None, "customer": None}))
    rep, customer = settings["fix_rep"], settings["customer"]
    quarters = None if settings["migration_quarters"] is None else tuple(settings["migration_quarters"])
    fix = ui.computed(records.fix_part, filters, rep, settings["stale_days"]) if rep not in (None, view["fix_rep"]) else None
    moved = (ui.computed(records.migration_part, filters, quarters)
             if quarters not in (None, tuple(view["migration_quarters"])) else None)
    one = (ui.computed(records.customer_360, filters, customer, settings["stale_days"])
           if customer not in (None, view["customer"]) else None)
    return records.with_parts(view, fix=fix, migration=moved, one=one)

st.caption(t("customers_caption", L, as_of=as_of.isoformat()))


def number_state(key, default, lo, hi):
    ui.url_state(key, "int", default)
    if not isinstance(st.session_state.get(key), int) or not lo <= st.session_state[key] <= hi:
        st.session_state[key] = default


# The settings (kept in the URL) are settled first; the page's view is worked out once for them
# (cockpit/records.py view).
number_state("stale_days", 365, 1, 3650)
number_state("pool_days", 180, 1, 3650)
number_state("abc_a", 80, 1, 99)
number_state("abc_b", 95, 2, 100)
ui.url_state("fix_rep", "str", None)
ui.url_state("mig_from", "str", None)
ui.url_state("mig_to", "str", None)
ui.url_state("customer", "str", None)
base = customers_view()
quarters = base["quarters"]
if st.session_state.get("mig_to") not in quarters or st.session_state.get("mig_from") not in quarters:
    st.session_state["mig_from"], st.session_state["mig_to"] = base["migration_quarters"]
if st.session_state.get("fix_rep") not in base["reps"]:
    st.session_state["fix_rep"] = base["fix_rep"]
settings = {"stale_days": st.session_state["stale_days"], "pool_days": st.session_state["pool_days"],
            "a_pct": st.session_state["abc_a"], "b_pct": st.session_state["abc_b"],
            "migration_quarters": None if [st.session_state["mig_from"], st.session_state["mig_to"]] == base["migration_quarters"]
            else (st.session_state["mig_from"], st.session_state["mig_to"]),
            "fix_rep": None if st.session_state["fix_rep"] == base["fix_rep"] else st.session_state["fix_rep"],
            "customer": None if st.session_state.get("customer") in (None, base["customer"]) else st.session_state["customer"]}
view = base if settings == records.VIEW_DEFAULTS else customers_view(**settings)
abc_counts = view["abc_counts"]
# Whole lists for the downloads are made when a button is clicked, from the database.
con, viewer = ui.connection(), ui.viewer_params()
whole = lambda: records.view_lists(con, filters, viewer, settings)  # noqa: E731

cards = st.columns(3) + st.columns(2)  # two rows: the A / B / C triple needs room on a laptop
ui.kpi_card(cards[0], t("kpi_record_completeness_pct", L), fmt_pct(view["completeness_pct"]), 0, None, "", t("help_completeness", L))
ui.kpi_card(cards[1], t("kpi_stale_records", L), fmt_int(view["stale"]), 0, None, "", t("help_stale", L))
ui.kpi_card(cards[2], t("kpi_duplicate_clusters", L), fmt_int(view["duplicate_clusters"]), 0, None, "", t("help_duplicates", L))
ui.kpi_card(cards[3], t("kpi_public_pool_candidates", L), fmt_int(view["pool_count"]), 0, None, "", t("help_pool", L))
ui.kpi_card(cards[4], t("kpi_segment_counts", L), " / ".join(fmt_int(abc_counts[k]) for k in "ABC"), 0, None, "", t("help_abc", L))

# Record quality -------------------------------------------------------------------------------------------------
st.subheader(t("quality_title", L))
st.info(t("quality_definition", L))
st.number_input(t("stale_days", L), min_value=1, max_value=3650, step=30, key="stale_days", width=320)
left, right = st.columns([2, 3])
with left:
    ui.chart(charts.completeness_bars(view["completeness"], L), key="customers_completeness")
with right:
    ui.chart(charts.rep_quality_heatmap(view["by_rep"], records.QUALITY_FIELDS, L), key="customers_rep_heat")
st.selectbox(t("fix_list", L), view["reps"], key="fix_rep", format_func=lambda r: r or t("no_owner", L))


def _fix_rows(fix):
    return fix.assign(missing=fix["missing_fields"].map(lambda fs: t("list_sep", L).join(t(f"field_{f}", L) for f in fs)),
                      stale_word=fix["stale"].map({True: t("yes", L), False: t("no", L)}))


if view["fix_count"] > records.SHOWN:
    st.caption(t("flagged_first", L, shown=fmt_int(records.SHOWN), total=fmt_int(view["fix_count"])))
fix_columns = {"customer_id": (t("col_customer_id", L), "text"), "customer_name": (t("col_customer", L), "text"),
               "missing": (t("col_missing", L), "text"), "stale_word": (t("col_stale", L), "text"),
               "updated_on": (t("col_updated", L), "date"), "last_contact_on": (t("col_last_contact", L), "date"),
               "quality_score": (t("col_quality_score", L), "int")}
ui.table(_fix_rows(view["fix"]), fix_columns, key="customers_fix", stem=f"fix-list-{view['fix_rep'] or 'no-owner'}", height=300,
         complete=lambda: _fix_rows(whole()["fix"]))

# Duplicates -----------------------------------------------------------------------------------------------------
st.subheader(t("duplicates_title", L))
st.caption(t("duplicates_caption", L) + ("" if view["duplicates_count"] <= records.SHOWN else " " + t(
    "flagged_first", L, shown=fmt_int(records.SHOWN), total=fmt_int(view["duplicates_count"]))))
evidence_words = {"name": t("col_customer", L), "email domain": t("field_email", L), "phone": t("field_phone", L)}


def _dup_rows(dup):
    return dup.assign(evidence=dup["evidence"].map(lambda e: t("list_sep", L).join(evidence_words.get(x.strip(), x) for x in e.split(","))))


ui.table(_dup_rows(view["duplicates"]),
         {"cluster": (t("col_cluster", L), "int"), "customer_id": (t("col_customer_id", L), "text"),
          "customer_name": (t("col_customer", L), "text"), "evidence": (t("col_evidence", L), "text"),
          "confidence_pct": (t("col_confidence", L), "pct"), "sales_rep": (t("col_rep", L), "text"),
          "lifetime_revenue": (t("col_lifetime_revenue", L, currency=cur), "money"),
          "revenue_split_pct": (t("col_revenue_split", L), "pct")},
         key="customers_dups", stem="duplicate-customers", height=320, complete=lambda: _dup_rows(whole()["duplicates"]))

# Public pool ----------------------------------------------------------------------------------------------------
st.subheader(t("pool_title", L))
st.number_input(t("pool_days", L), min_value=1, max_value=3650, step=30, key="pool_days", width=320)
st.caption(t("pool_caption", L, days=st.session_state["pool_days"]))


def _pool_rows(rows):
    return rows.assign(reason=rows["pool_reason"].map({r: t(f"pool_{r}", L) for r in ("no_owner", "idle")}),
                       country=country_column(rows["country_code"], L))


if view["pool_count"] > records.SHOWN:
    st.caption(t("flagged_first", L, shown=fmt_int(records.SHOWN), total=fmt_int(view["pool_count"])))
ui.table(_pool_rows(view["pool"]),
         {"customer_id": (t("col_customer_id", L), "text"), "customer_name": (t("col_customer", L), "text"),
          "country": (t("col_country", L), "text"), "reason": (t("col_pool_reason", L), "text"),
          "sales_rep": (t("col_rep", L), "text"), "lifetime_revenue": (t("col_lifetime_revenue", L, currency=cur), "money"),
          "last_order_on": (t("col_last_order", L), "date"), "last_contact_on": (t("col_last_contact", L), "date")},
         key="customers_pool", stem="public-pool", height=300, complete=lambda: _pool_rows(whole()["pool"]))

# Segments -------------------------------------------------------------------------------------------------------
st.subheader(t("segments_title", L))
c1, c2, _ = st.columns([1, 1, 2])
c1.number_input(t("abc_a", L), min_value=1, max_value=99, step=5, key="abc_a")
c2.number_input(t("abc_b", L), min_value=2, max_value=100, step=5, key="abc_b")
st.caption(t("abc_caption", L, a=st.session_state["abc_a"], b=max(st.session_state["abc_b"], st.session_state["abc_a"] + 1)))
left, right = st.columns(2)
with left:
    ui.chart(charts.abc_bars(view["abc"], cur, L), key="customers_abc")
with right:
    ui.chart(charts.rfm_bars(view["rfm"], L), key="customers_rfm")
    st.caption(t("rfm_caption", L))
m1, m2, _ = st.columns([1, 1, 2])
m1.selectbox(t("migration_from", L), quarters, key="mig_from")
m2.selectbox(t("migration_to", L), quarters, key="mig_to")
mig_from, mig_to = view["migration_quarters"]
ui.chart(charts.migration_heatmap(view["migration"], L, mig_from, mig_to), key="customers_migration")

# Customer 360 ---------------------------------------------------------------------------------------------------
st.subheader(t("c360_title", L))


@ui.section
def customer_360_section() -> None:
    """One customer end to end: a search or another pick reruns only this section."""
    search = st.text_input(t("c360_search", L), key="c360_search", width=420, placeholder=t("c360_search_hint", L)) or ""
    if search.strip():
        # A search looks through every customer passing the filters (the view lists the 1,000 largest).
        labels = records.choice_labels(ui.query("customers/customer_choices", records.choice_params(filters, search)))
    else:
        labels = view["choices"]
    if view["customers"] > records.CHOICES:
        st.caption(t("c360_choices", L, n=fmt_int(min(len(labels), records.CHOICES)), total=fmt_int(view["customers"])))
    if st.session_state.get("customer") not in labels:
        st.session_state["customer"] = next(iter(labels), None)
    if not labels:
        st.info(t("c360_none_found", L, text=ui.md_text(search)))
    else:
        st.selectbox(t("c360_pick", L), list(labels), key="customer", format_func=lambda c: labels.get(c, c))
        cid = st.session_state["customer"]
        one = view if cid == view["customer"] else customers_view(**(settings | {"customer": cid}))
        me = one["me"]
        k = st.columns(4)
        ui.kpi_card(k[0], t("kpi_lifetime_revenue", L, currency=cur), fmt_amount(me["lifetime_revenue"], L), 0, None, "", "")
        ui.kpi_card(k[1], t("kpi_revenue_l12m", L, currency=cur), fmt_amount(me["revenue_l12m"], L), 0, None, "", "")
        ui.kpi_card(k[2], t("kpi_lifetime_orders", L), fmt_int(me["lifetime_orders"]), 0, None, "", "")
        ui.kpi_card(k[3], t("kpi_last_order", L), "—" if me["last_order_on"] is None else str(me["last_order_on"])[:10], 0, None, "", "")
        left, right = st.columns([1, 2])
        with left:
            st.markdown(f"**{t('c360_profile', L)}**")
            profile = {t(f"field_{f}", L): (country_name(me[f], L) if f == "country_code" and me[f] else me[f])
                       for f in records.QUALITY_FIELDS}
            profile[t("col_updated", L)] = me["updated_on"] and str(me["updated_on"])[:10]
            profile[t("col_last_contact", L)] = me["last_contact_on"] and str(me["last_contact_on"])[:10]
            st.dataframe(pd.DataFrame({"": list(profile), " ": [("—" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)[:60]) for v in profile.values()]}),
                         hide_index=True, width="stretch")
            st.markdown(f"**{t('c360_flags', L)}**")
            flags = []
            if one["status"]:
                s = one["status"]
                flags.append(t("c360_status", L, status=t(f"status_{s['status']}", L)) +
                             ("" if s["status"] == "on_rhythm" else f" — {ui.md_text(s['reason_' + L])}"))
            if me["missing_fields"]:
                flags.append(t("c360_missing", L, fields=t("list_sep", L).join(t(f"field_{f}", L) for f in me["missing_fields"])))
            if me["stale"]:
                flags.append(t("c360_stale", L, days=st.session_state["stale_days"]))
            if one["mates"]:
                flags.append(t("c360_duplicates", L, names=t("list_sep", L).join(f"{ui.md_text(n)} ({ui.md_text(i)})" for n, i in one["mates"])))
            for f in flags:
                st.markdown(f"- {f}")
        with right:
            orders = one["orders"]
            if orders is None or orders.empty:
                st.info(t("c360_no_orders", L))
            else:
                ui.chart(charts.order_timeline(orders, cur, L), key="customers_c360_orders")
            comp = one["complaints"]
            if comp is not None and len(comp):
                st.markdown(f"**{t('c360_complaints', L)}**")
                ui.table(comp, {"complaint_id": (t("col_complaint", L), "text"), "received_at": (t("col_received", L), "date"),
                                "category": (t("col_category", L), "text"), "severity": (t("col_severity", L), "text"),
                                "hours_to_first_response": (t("col_hours_fr", L), "int"),
                                "hours_to_resolution": (t("col_hours_res", L), "int")},
                         key="customers_c360_complaints", stem=f"complaints-{cid}", height=220)


customer_360_section()
