"""Overview: the quarter's headline KPIs against the previous quarter and last year, movers, a written summary,
meeting mode and the review pack."""
import streamlit as st

from cockpit import charts, report, ui
from cockpit import overview as ov
from cockpit.countries import country_name
from cockpit.i18n import fmt_amount, fmt_change, fmt_int, fmt_pct, t
from cockpit.filters import quarter_filters, quarter_of
from cockpit.overview import CARDS, revenue_by_country, summary

L = ui.lang()
filters = ui.page_filters()
cur = ui.currency()
meeting = st.session_state.get("meeting", False)

if meeting:
    # (The larger type of meeting mode is set for every page in dashboard.py.)
    quarters = ui.quarter_options(*ui.data_bounds()[:2])
    # Its own key (the sidebar owns "period"); a change is copied to the period before the next run.
    st.session_state["meeting_q"] = st.session_state.get("period") if st.session_state.get("period") in quarters else quarters[0]
    st.selectbox(t("meeting_quarter", L), quarters, key="meeting_q", width=260,
                 on_change=lambda: st.session_state.update(period=st.session_state["meeting_q"]))

ui.page_header("page_overview", filters, "overview_caption")
with st.spinner(t("computing_quarters", L)):  # first view only: eight quarters of KPIs, cached afterwards
    series = ov.quarter_table(ui.computed(ov.quarters, filters))
now, prev = series.iloc[-1].to_dict(), series.iloc[-2].to_dict()
last_year = series.iloc[-5].to_dict() if len(series) >= 5 else {}
compare = t("prev_period_words", L, period=prev["quarter"])
st.caption(t("overview_compare", L, prev=prev["quarter"], ly=last_year.get("quarter", "—")))
# The card's label names the unit (currency, hours), as it does for revenue: "150.0 小时" did not fit a fifth of a
# laptop screen (tests/test_browser.py test_every_page_as_an_executive_sees_it).
shows = {"money": lambda v: fmt_amount(v, L), "int": fmt_int, "pct": fmt_pct, "num": lambda v: f"{v:,.0f}",
         "hours": lambda v: f"{v:,.1f}"}
labels = {"revenue": t("kpi_revenue_cur", L, currency=cur), "active_customers": t("kpi_active_customers", L),
          "new_customers": t("kpi_new_customers", L), "lapsed_customers": t("kpi_lapsed", L), "nrr_pct": t("kpi_nrr", L),
          "top_country_share_pct": t("kpi_top_country_share", L), "hhi_countries": t("kpi_hhi", L),
          "resolution_hours_median": t("kpi_resolution_median_h", L), "sla_breach_pct": t("kpi_sla_breach", L),
          "record_completeness_pct": t("kpi_completeness", L)}
for row in (CARDS[:5], CARDS[5:]):
    cols = st.columns(5)
    for col, (key, lower_better, kind) in zip(cols, row):
        value = now.get(key)
        ly_change = fmt_change(value, last_year.get(key), kind, L)
        help_text = f"{t('kpi_change_ly', L)} {last_year.get('quarter', '—')}: {ly_change}"
        spark = [v for v in series[key].tolist() if v is not None and v == v]
        ui.kpi_card(col, labels[key], "—" if value is None or value != value else shows[kind](value), value,
                    prev.get(key), compare, help_text, spark=spark, lower_is_better=lower_better, kind=kind)
        col.caption(f"{t('kpi_change_ly', L)}: {ly_change}")

quarter = quarter_filters(filters, quarter_of(filters.date_to)[0])
country_movers, customer_movers = ui.computed(ov.movers, quarter, quarter.previous_period())
st.subheader(t("summary_title", L))
st.info(summary(now, prev, country_movers, cur, L, prev["quarter"]))

monthly = ui.computed(ov.revenue_by_month, filters)
if monthly.empty:
    st.info(t("no_data", L))
else:
    left, right = st.columns([3, 2])
    with left:
        ui.chart(charts.revenue_by_month(monthly, cur, L, ui.computed(ov.revenue_by_month, filters.year_before())),
                 key="overview_monthly")
    with right:
        by_country = revenue_by_country(now)
        by_country["country_name"] = [country_name(c, L) if c != "unknown" else t("unknown", L) for c in by_country["country_code"]]
        ui.chart(charts.revenue_by_country_bar(by_country, cur, L), key="overview_countries")

st.subheader(t("movers_title", L, period=prev["quarter"]))
left, right = st.columns(2)
cols = {"label": (t("col_customer", L), "text"), "now": (t("col_now", L, currency=cur), "money"),
        "before": (t("col_before", L, currency=cur), "money"), "change": (t("col_change", L, currency=cur), "money"),
        "change_pct": (t("col_change_pct_prev", L), "pct")}
with left:
    st.markdown(f"**{t('movers_countries', L)}**")
    cm = country_movers.assign(label=[country_name(c, L) if c != "unknown" else t("unknown", L) for c in country_movers["key"]])
    ui.table(cm, cols | {"label": (t("col_country", L), "text")}, key="overview_movers_countries", stem="movers-countries")
with right:
    st.markdown(f"**{t('movers_customers', L)}**")
    ui.table(customer_movers, cols, key="overview_movers_customers", stem="movers-customers")

st.subheader(t("review_pack", L))
st.caption(t("pack_caption", L, period=now["quarter"]))
if st.button(t("build_pack", L), key="build_pack", type="primary"):
    with st.spinner("…"):
        pack_filters = filters.seen_by(ui.viewer_params())
        ui.audit("export", what="review pack pptx and html", filters=filters.describe("en"))
        st.session_state["_pack"] = (now["quarter"], L, filters, *report.build_both(ui.connection(), pack_filters, L))
pack = st.session_state.get("_pack")
if pack and pack[0] == now["quarter"] and pack[1] == L and pack[2] == filters:
    c1, c2, _ = st.columns([1, 1.5, 2.5])  # (the HTML label fits a laptop: "下载 HTML（可离线打开）")
    c1.download_button(t("download_pptx", L), pack[3], file_name=f"review-{now['quarter']}-{L}.pptx",
                       mime="application/vnd.openxmlformats-officedocument.presentationml.presentation", key="dl_pptx")
    c2.download_button(t("download_html", L), pack[4], file_name=f"review-{now['quarter']}-{L}.html", mime="text/html", key="dl_html")
