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

# The funnel's cohorts and channels and the low segments are kept in the URL: settled first, then the view is
# worked out once (cockpit/churn.py view).
channels = ui.query("churn/channel_options", {})["source_channel"].tolist()
segments = ui.query("filters/segment_options", {})["segment"].tolist()
ui.url_state("cohorts", "list")
ui.url_state("channels", "list")
ui.clean_list("channels", set(channels))
ui.url_state("low", "list", None)
if "low" in st.session_state:
    ui.clean_list("low", set(segments))
default_low = churn.default_low_segments(segments)
st.session_state.setdefault("low", default_low)
# The default low segments are asked for as None, the key the first view was worked out under (cockpit/first_views.py):
# a list equal to them would be a new key, the same view worked out again on the page's second run.
low = list(st.session_state["low"])
view = ui.computed(churn.view, filters, rules, tuple(st.session_state.get("cohorts") or []),
                   tuple(st.session_state.get("channels") or []),
                   None if low == default_low else low)
ui.clean_list("cohorts", set(view["all_cohorts"]))
# Downloads of whole lists are made when clicked, from the database (the page holds only the lists' heads), for
# the signed-in viewer.
con, seen = ui.connection(), filters.seen_by(ui.viewer_params())
counts = view["counts"]
SHOWN = churn.SHOWN  # the at-risk table shows the first 500; its downloads hold every flagged customer
flagged = view["flagged"][L]

cards = st.columns(5)
ui.kpi_card(cards[0], t("kpi_at_risk_customers", L), fmt_int(counts.get("at_risk", 0)), 0, None, "", t("help_at_risk_customers", L))
ui.kpi_card(cards[1], t("kpi_lapsed_customers", L), fmt_int(counts.get("lapsed", 0)), 0, None, "", t("help_lapsed_customers", L))
ui.kpi_card(cards[2], t("kpi_revenue_at_risk", L, currency=cur), fmt_amount(view["revenue_at_risk"], L), 0, None, "",
            t("help_revenue_at_risk", L))
ui.kpi_card(cards[3], t("kpi_nrr_pct", L), fmt_pct(view["nrr_pct"]) if view["nrr_pct"] is not None else "—", 0, None, "", t("help_nrr_pct", L))
ui.kpi_card(cards[4], t("kpi_grr_pct", L), fmt_pct(view["grr_pct"]) if view["grr_pct"] is not None else "—", 0, None, "", t("help_grr_pct", L))
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
         complete=lambda: _labelled(churn.flagged_list(con, seen, rules, L)))

st.subheader(t("funnel_title", L))
st.caption(t("funnel_caption", L))
all_cohorts = view["all_cohorts"]
f1, f2 = st.columns(2)
f1.multiselect(t("funnel_cohorts", L), all_cohorts, key="cohorts", placeholder=t("all", L))
f2.multiselect(t("funnel_channels", L), channels, key="channels", placeholder=t("all", L), format_func=lambda v: v or t("none_value", L))
has_pipeline = view["has_pipeline"]
if not has_pipeline:
    st.warning(t("funnel_no_pipeline", L))
steps = view["steps"]
left, right = st.columns([3, 2])
with left:
    ui.chart(charts.funnel(steps, L), key="churn_funnel")


@ui.section
def stopped_section() -> None:
    """The customers who stopped at one funnel step: picking another step reruns only this section."""
    ui.url_state("stopped", "int", None)
    levels = steps["level"].tolist()
    if st.session_state.get("stopped") not in levels:
        st.session_state["stopped"] = levels[0]
    st.selectbox(t("funnel_stopped_at", L), levels, key="stopped", format_func=lambda lv: t(STEPS[lv], L))
    level = st.session_state["stopped"]
    if view["stopped_counts"].get(level, 0) > SHOWN:
        st.caption(t("flagged_first", L, shown=fmt_int(SHOWN), total=fmt_int(view["stopped_counts"][level])))

    def _stopped(rows):
        rows = rows[rows["reached_level"] == level]
        return rows.assign(country=country_column(rows["country_code"], L))
    ui.table(_stopped(view["stopped"][level]),
             {"customer_name": (t("col_customer", L), "text"), "country": (t("col_country", L), "text"),
              "sales_rep": (t("col_rep", L), "text"), "source_channel": (t("col_channel", L), "text"),
              "first_contact_on": (t("col_first_contact", L), "date")},
             complete=lambda: _stopped(churn.funnel_list(con, seen, st.session_state["cohorts"], st.session_state["channels"])),
             key="churn_stopped", stem="funnel-stopped", height=330)


with right:
    stopped_section()

st.subheader(t("cohorts_title", L))
st.caption(t("cohorts_caption", L))


@ui.section
def cohort_section() -> None:
    """The cohort heatmap and the retention lines: the measure (customers or revenue) reruns only this section."""
    ui.url_state("measure", "str", "customers")
    if st.session_state.get("measure") not in ("customers", "revenue"):
        st.session_state["measure"] = "customers"
    st.segmented_control(t("cohort_measure", L), ["customers", "revenue"], key="measure", required=True,
                         format_func=lambda v: t(f"measure_{v}", L))
    cohorts = view["cohorts"]
    left, right = st.columns([3, 2])
    with left:
        if len(cohorts):
            ui.chart(charts.cohort_heatmap(cohorts, st.session_state["measure"], L), key="churn_heatmap")
    with right:
        retention = view["retention"]
        if len(retention):
            ui.chart(charts.retention_lines(retention[~retention["is_as_of"] | retention["quarter_end"].dt.is_quarter_end], L),
                     key="churn_nrr")


cohort_section()

st.subheader(t("hidden_title", L))
st.multiselect(t("low_segments", L), segments, key="low", format_func=lambda s: s or t("no_segment", L))
st.caption(t("hidden_caption", L, segments=", ".join(ui.md_text(s) if s else t("no_segment", L) for s in st.session_state["low"]) or "—"))
hidden = view["hidden"]
money_cols = {"customer_name": (t("col_customer", L), "text"), "segment": (t("col_segment", L), "text"),
              "sales_rep": (t("col_rep", L), "text"), "revenue_l12m": (t("col_revenue_l12m", L, currency=cur), "money"),
              "revenue_prior_12m": (t("col_revenue_prior", L, currency=cur), "money")}
if hidden.empty:
    st.info(t("none_found", L))
else:
    if view["hidden_count"] > SHOWN:
        st.caption(t("flagged_first", L, shown=fmt_int(SHOWN), total=fmt_int(view["hidden_count"])))
    ui.table(hidden, money_cols | {"growth_l12m": (t("col_growth", L, currency=cur), "money"),
                                   "largest_order_l12m": (t("col_largest_order", L, currency=cur), "money")},
             key="churn_hidden", stem="hidden-big-accounts", height=300,
             complete=lambda low=list(st.session_state["low"]): churn.hidden_list(con, seen, low))

st.subheader(t("former_top_title", L))
st.caption(t("former_top_caption", L))
former = view["former"]
if former.empty:
    st.info(t("none_found", L))
else:
    def _former(rows):
        return rows.assign(status_label=rows["status"].map({s: t(f"status_{s}", L) for s in ("on_rhythm", "at_risk", "lapsed")}))
    if view["former_count"] > SHOWN:
        st.caption(t("flagged_first", L, shown=fmt_int(SHOWN), total=fmt_int(view["former_count"])))
    ui.table(_former(former), money_cols | {"status_label": (t("col_status", L), "text")}, key="churn_former",
             stem="former-top", height=300,
             complete=lambda: _former(churn.former_list(con, seen, rules)))

st.subheader(t("complaints_churn_title", L))
rates = view["rates"]
with_rate = rates.loc[rates["has_complaint"], "lapse_rate_pct"].iloc[0]
without_rate = rates.loc[~rates["has_complaint"], "lapse_rate_pct"].iloc[0]
st.markdown(t("complaints_churn_text", L, with_rate=fmt_pct(with_rate), without_rate=fmt_pct(without_rate)))
rates = rates.assign(group=rates["has_complaint"].map(lambda v: t("with_complaints" if v else "without_complaints", L)))
ui.table(rates, {"group": (t("col_group", L), "text"), "customers": (t("col_customers", L), "int"),
                 "at_risk": (t("col_at_risk", L), "int"), "lapsed": (t("col_lapsed", L), "int"),
                 "lapse_rate_pct": (t("col_lapse_rate", L), "pct")}, key="churn_rates", stem="complaints-and-churn")
