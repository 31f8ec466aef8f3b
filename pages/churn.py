"""Churn: reorder-rhythm status, the at-risk list, the lifecycle funnel, cohorts, hidden big accounts."""
import streamlit as st

from cockpit import charts, churn, ui
from cockpit.churn import STEPS, RhythmRules
from cockpit.countries import country_column
from cockpit.i18n import fmt_amount, fmt_int, fmt_pct, t

L = ui.lang()
filters = ui.page_filters()
cur = ui.currency()
as_of = filters.date_to

ui.page_header("page_churn", filters)
st.caption(t("churn_caption", L, as_of=as_of.isoformat()))

with st.expander(t("rules_title", L)):
    defaults = RhythmRules()
    c = st.columns(4)
    for col, key, default, step in ((c[0], "risk_multiple", defaults.risk_multiple, 0.1), (c[1], "lapse_multiple", defaults.lapse_multiple, 0.1),
                                    (c[2], "lapse_days", defaults.lapse_days, 1), (c[3], "few_risk_days", defaults.few_risk_days, 1)):
        ui.url_state(key, "float" if isinstance(default, float) else "int", default)
        if not isinstance(st.session_state.get(key), type(default)) or st.session_state[key] <= 0:
            st.session_state[key] = default
        col.number_input(t(f"rule_{key}", L), min_value=step, max_value=3650 * step, step=step, key=key)
rules = RhythmRules(st.session_state["risk_multiple"], st.session_state["lapse_multiple"],
                    st.session_state["lapse_days"], st.session_state["few_risk_days"])
st.info(rules.describe(L))

params = filters.params() | rules.params() | {"as_of": as_of}
status = ui.query("churn/customer_status", params)
retention = ui.query("churn/revenue_retention", params | {"as_of_only": False})
now = retention[retention["is_as_of"]]
counts = churn.status_counts(status)
SHOWN = 500  # the at-risk table shows the first 500; its downloads hold every flagged customer
flagged = churn.flagged(status, L, limit=SHOWN)

cards = st.columns(5)
ui.kpi_card(cards[0], t("kpi_at_risk_customers", L), fmt_int(counts.get("at_risk", 0)), 0, None, "", t("help_at_risk_customers", L))
ui.kpi_card(cards[1], t("kpi_lapsed_customers", L), fmt_int(counts.get("lapsed", 0)), 0, None, "", t("help_lapsed_customers", L))
ui.kpi_card(cards[2], t("kpi_revenue_at_risk", L, currency=cur), fmt_amount(churn.revenue_at_risk(status), L), 0, None, "",
            t("help_revenue_at_risk", L))
ui.kpi_card(cards[3], t("kpi_nrr_pct", L), fmt_pct(now["nrr_pct"].iloc[0]) if len(now) else "—", 0, None, "", t("help_nrr_pct", L))
ui.kpi_card(cards[4], t("kpi_grr_pct", L), fmt_pct(now["grr_pct"].iloc[0]) if len(now) else "—", 0, None, "", t("help_grr_pct", L))
ui.chart(charts.status_bars(counts, L), key="churn_status")

st.subheader(t("flagged_title", L))
flagged_total = counts.get("at_risk", 0) + counts.get("lapsed", 0)
st.caption(t("flagged_caption", L) + ("" if flagged_total <= SHOWN else " " + t("flagged_first", L, shown=fmt_int(SHOWN),
                                                                                   total=fmt_int(flagged_total))))


def _labelled(rows):
    return rows.assign(status_label=rows["status"].map(lambda s: t(f"status_{s}", L)), country=country_column(rows["country_code"], L))


flagged = _labelled(flagged)
ui.table(flagged, {"customer_name": (t("col_customer", L), "text"), "customer_id": (t("col_customer_id", L), "text"),
                   "country": (t("col_country", L), "text"), "status_label": (t("col_status", L), "text"),
                   "reason": (t("col_reason", L), "text"), "revenue_l12m": (t("col_revenue_l12m", L, currency=cur), "money"),
                   "sales_rep": (t("col_rep", L), "text"), "open_complaints": (t("col_open_complaints", L), "int"),
                   "last_order_on": (t("col_last_order", L), "date")},
         key="churn_flagged", stem=f"at-risk-{as_of}", height=420,
         complete=lambda: _labelled(churn.flagged(status, L)))

st.subheader(t("funnel_title", L))
st.caption(t("funnel_caption", L))
cohort_options = ui.query("churn/funnel_customers", filters.params() | {"cohorts": [], "channels": []})
all_cohorts = sorted(cohort_options["cohort"].dropna().unique().tolist(), reverse=True)
channels = ui.query("churn/channel_options", {})["source_channel"].tolist()
f1, f2 = st.columns(2)
ui.url_state("cohorts", "list")
ui._clean_list("cohorts", set(all_cohorts))
ui.url_state("channels", "list")
ui._clean_list("channels", set(channels))
f1.multiselect(t("funnel_cohorts", L), all_cohorts, key="cohorts", placeholder=t("all", L))
f2.multiselect(t("funnel_channels", L), channels, key="channels", placeholder=t("all", L), format_func=lambda v: v or t("none_value", L))
funnel_customers = ui.query("churn/funnel_customers", filters.params() | {"cohorts": st.session_state["cohorts"],
                                                                         "channels": st.session_state["channels"]})
has_pipeline = bool(funnel_customers["has_pipeline"].any()) if len(funnel_customers) else False
if not has_pipeline:
    st.warning(t("funnel_no_pipeline", L))
steps = churn.funnel_counts(funnel_customers, first_level=1 if has_pipeline else 4)
left, right = st.columns([3, 2])
with left:
    ui.chart(charts.funnel(steps, L), key="churn_funnel")
with right:
    ui.url_state("stopped", "int", None)
    levels = steps["level"].tolist()
    if st.session_state.get("stopped") not in levels:
        st.session_state["stopped"] = levels[0]
    st.selectbox(t("funnel_stopped_at", L), levels, key="stopped", format_func=lambda lv: t(STEPS[lv], L))
    stopped = funnel_customers[funnel_customers["reached_level"] == st.session_state["stopped"]]
    stopped = stopped.assign(country=country_column(stopped["country_code"], L))
    ui.table(stopped, {"customer_name": (t("col_customer", L), "text"), "country": (t("col_country", L), "text"),
                       "sales_rep": (t("col_rep", L), "text"), "source_channel": (t("col_channel", L), "text"),
                       "first_contact_on": (t("col_first_contact", L), "date")},
             key="churn_stopped", stem="funnel-stopped", height=330)

st.subheader(t("cohorts_title", L))
st.caption(t("cohorts_caption", L))
ui.url_state("measure", "str", "customers")
if st.session_state.get("measure") not in ("customers", "revenue"):
    st.session_state["measure"] = "customers"
st.segmented_control(t("cohort_measure", L), ["customers", "revenue"], key="measure", required=True,
                     format_func=lambda v: t(f"measure_{v}", L))
cohorts = ui.query("churn/cohort_retention", params)
left, right = st.columns([3, 2])
with left:
    if len(cohorts):
        ui.chart(charts.cohort_heatmap(cohorts, st.session_state["measure"], L), key="churn_heatmap")
with right:
    if len(retention):
        ui.chart(charts.retention_lines(retention[~retention["is_as_of"] | retention["quarter_end"].dt.is_quarter_end], L),
                 key="churn_nrr")

st.subheader(t("hidden_title", L))
segments = ui.query("filters/segment_options", {})["segment"].tolist()
ui.url_state("low", "list", None)
if "low" not in st.session_state:
    st.session_state["low"] = [s for s in segments if s in ("C", "D", "")]
ui._clean_list("low", set(segments))
st.multiselect(t("low_segments", L), segments, key="low", format_func=lambda s: s or t("no_segment", L))
st.caption(t("hidden_caption", L, segments=", ".join(s or t("no_segment", L) for s in st.session_state["low"]) or "—"))
hidden = churn.hidden_big_accounts(status, st.session_state["low"])
money_cols = {"customer_name": (t("col_customer", L), "text"), "segment": (t("col_segment", L), "text"),
              "sales_rep": (t("col_rep", L), "text"), "revenue_l12m": (t("col_revenue_l12m", L, currency=cur), "money"),
              "revenue_prior_12m": (t("col_revenue_prior", L, currency=cur), "money")}
if hidden.empty:
    st.info(t("none_found", L))
else:
    ui.table(hidden, money_cols | {"growth_l12m": (t("col_growth", L, currency=cur), "money"),
                                   "largest_order_l12m": (t("col_largest_order", L, currency=cur), "money")},
             key="churn_hidden", stem="hidden-big-accounts", height=300)

st.subheader(t("former_top_title", L))
st.caption(t("former_top_caption", L))
former = churn.former_top_going_quiet(status)
if former.empty:
    st.info(t("none_found", L))
else:
    former = former.assign(status_label=former["status"].map(lambda s: t(f"status_{s}", L)))
    ui.table(former, money_cols | {"status_label": (t("col_status", L), "text")}, key="churn_former", stem="former-top", height=300)

st.subheader(t("complaints_churn_title", L))
rates = churn.complaint_lapse_rates(status)
with_rate = rates.loc[rates["has_complaint"], "lapse_rate_pct"].iloc[0]
without_rate = rates.loc[~rates["has_complaint"], "lapse_rate_pct"].iloc[0]
st.markdown(t("complaints_churn_text", L, with_rate=fmt_pct(with_rate), without_rate=fmt_pct(without_rate)))
rates = rates.assign(group=rates["has_complaint"].map(lambda v: t("with_complaints" if v else "without_complaints", L)))
ui.table(rates, {"group": (t("col_group", L), "text"), "customers": (t("col_customers", L), "int"),
                 "at_risk": (t("col_at_risk", L), "int"), "lapsed": (t("col_lapsed", L), "int"),
                 "lapse_rate_pct": (t("col_lapse_rate", L), "pct")}, key="churn_rates", stem="complaints-and-churn")
