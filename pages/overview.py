"""Overview: headline KPIs against the previous period, monthly revenue, the largest countries."""
import streamlit as st

from cockpit import ui
from cockpit.charts import revenue_by_country_bar, revenue_by_month
from cockpit.countries import country_name
from cockpit.i18n import fmt_amount, fmt_int, t

L = ui.lang()
filters = ui.page_filters()
previous = filters.previous_period()
cur = ui.currency()

ui.page_header("page_overview", filters, "overview_caption")
now, before = ui.run_kpis(filters), ui.run_kpis(previous)
compare = t("prev_period_words", L, period=previous.period_words(L))

cards = st.columns(5)
for col, key, fmt in (
    (cards[0], "revenue", lambda v: fmt_amount(v, L)),
    (cards[1], "orders", fmt_int),
    (cards[2], "active_customers", fmt_int),
    (cards[3], "new_customers", fmt_int),
    (cards[4], "complaints_received", fmt_int),
):
    label = t("kpi_revenue_cur", L, currency=cur) if key == "revenue" else t(f"kpi_{key}", L)
    ui.kpi_card(col, label, fmt(now[key]), now[key], before[key], compare,
                t(f"help_{key}", L, currency=cur), lower_is_better=key == "complaints_received")

monthly = ui.query("overview/revenue_by_month", filters.params())
if monthly.empty:
    st.info(t("no_data", L))
    st.stop()
left, right = st.columns([3, 2])
with left:
    ui.chart(revenue_by_month(monthly, cur, L, ui.query("overview/revenue_by_month", filters.year_before().params())),
             key="overview_monthly")
with right:
    by_country = ui.query("kpis/revenue_by_country", filters.params())
    by_country["country_name"] = [country_name(c, L) if c != "unknown" else t("unknown", L) for c in by_country["country_code"]]
    ui.chart(revenue_by_country_bar(by_country, cur, L), key="overview_countries")
