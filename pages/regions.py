"""Regions: the offline concentration map, HHI and Pareto, a shareable what-if, and the country table.

Each section's own controls (map measure, grouping, HHI bands, what-if) rerun only that section (st.fragment);
a country clicked on the map is a global filter and reruns the whole app."""
import streamlit as st

from cockpit import charts, regions, ui
from cockpit.churn import SHOWN
from cockpit.countries import country_name
from cockpit.i18n import fmt_amount, fmt_int, fmt_pct, t
from cockpit.overview import change as pct_change

L = ui.lang()
filters = ui.page_filters()
cur = ui.currency()

ui.page_header("page_regions", filters, "regions_caption")
view = ui.computed(regions.view, filters)
countries = view["countries"]
countries["country"] = [country_name(c, L) if c != "unknown" else t("unknown", L) for c in countries["country_code"]]


# Key numbers first: on a laptop the first screen shows them, the map follows.
actual = view["actual"]
names = view["names"]
top_name = country_name(actual["top_country"], L) if actual["top_country"] else "—"
cards = st.columns(4)
ui.kpi_card(cards[0], t("hhi_countries", L), f"{actual['hhi_countries']:,.0f}", 0, None, "", t("help_hhi", L))
ui.kpi_card(cards[1], t("hhi_customers", L), f"{actual['hhi_customers']:,.0f}", 0, None, "", t("help_hhi", L))
ui.kpi_card(cards[2], t("kpi_top_country", L, country=top_name), fmt_pct(actual["top_country_share_pct"]), 0, None,
            "", t("help_share", L))
cards[2].caption(f"{t('kpi_top3_countries', L)} {fmt_pct(actual['top3_countries_share_pct'])} · "
                 f"{t('kpi_top5_countries', L)} {fmt_pct(actual['top5_countries_share_pct'])}")
ui.kpi_card(cards[3], t("kpi_top_customer", L), fmt_pct(actual["top1_customers_share_pct"]), 0, None, "",
            t("help_share", L))
cards[3].caption(f"{ui.md_text(names.get(actual['top_customer'])) or '—'} · {t('kpi_top3_customers', L)} "
                 f"{fmt_pct(actual['top3_customers_share_pct'])} · {t('kpi_top5_customers', L)} "
                 f"{fmt_pct(actual['top5_customers_share_pct'])}")
if actual["major_customers"]:
    st.warning(t("major_flag", L, n=len(actual["major_customers"]),
                 names=t("list_sep", L).join(f"{ui.md_text(names.get(c) or c)} ({ui.md_text(c)})"
                                             for c in actual["major_customers"])))
else:
    st.success(t("no_major", L))


def country_label(code: str) -> str:
    return country_name(code, L) if code != "unknown" else t("unknown", L)


# Map ----------------------------------------------------------------------------------------------------------

def _map_clicked() -> None:
    """A click on the map (a callback: it runs before the script, when the sidebar's country picker may still be
    changed): the clicked country becomes the global country filter; the same country again clears it."""
    event = st.session_state.get("regions_map") or {}
    points = (event.get("selection") or {}).get("points") or []
    picked = [pt.get("customdata") or pt.get("location") for pt in points]
    picked = [c for c in picked if isinstance(c, str) and len(c) == 2]
    current = list(st.session_state.get("countries") or [])
    st.session_state["countries"] = picked[:1] if picked and current != picked[:1] else []
    st.session_state["_map_changed_filters"] = True


def _clear_country() -> None:
    st.session_state["countries"] = []


@ui.section
def map_section() -> None:
    if st.session_state.pop("_map_changed_filters", False):
        st.rerun(scope="app")  # a global filter changed: every section (and the sidebar) follows
    ui.url_state("map", "str", "revenue")
    measures = ["revenue", "active_customers", "change_pct", "share_pct"]
    if st.session_state.get("map") not in measures:
        st.session_state["map"] = "revenue"
    st.segmented_control(t("map_measure", L), measures, key="map", required=True,
                         format_func=lambda m: t(f"measure_{m}", L))
    # The map shows every country a click can pick, whatever country is picked (the view without the country
    # filter, which the page read before the click): the same figure before and after a click, so the browser
    # keeps it (with the click's selection) instead of drawing the world again.
    shown = countries if not filters.countries else ui.computed(regions.view, filters.every_country())["countries"]
    ui.chart(charts.world_map(shown, st.session_state["map"], cur, L), key="regions_map",
             on_select=_map_clicked, selection_mode="points")


map_section()
if filters.countries:
    st.button(t("clear_country", L), key="clear_country", on_click=_clear_country)


@ui.section
def group_section() -> None:
    ui.url_state("group", "str", "region")
    if st.session_state.get("group") not in regions.GROUPS:
        st.session_state["group"] = "region"
    st.segmented_control(t("group_by", L), list(regions.GROUPS), key="group", required=True,
                         format_func=lambda g: t(f"group_{g}", L))
    group = st.session_state["group"]
    grouped = view["group"] if group == "region" else ui.query("regions/revenue_by_group", filters.params() | {"group": group})
    grouped["label"] = grouped["name_zh" if L == "zh" else "name_en"].replace(
        "", t("none_value", L) if group == "sales_region" else t("unknown", L))
    ui.chart(charts.region_bars(grouped, "label", cur, L,
                                t("chart_region_revenue", L, group=t(f"group_{group}", L), currency=cur)),
             key="regions_groups")


group_section()

# Concentration ------------------------------------------------------------------------------------------------
st.subheader(t("concentration_title", L))


@ui.section
def concentration_section() -> None:
    ui.url_state("band_low", "int", 1500)
    ui.url_state("band_high", "int", 2500)
    for key, default in (("band_low", 1500), ("band_high", 2500)):
        if not isinstance(st.session_state.get(key), int) or not 0 < st.session_state[key] <= 10000:
            st.session_state[key] = default
    b1, b2, _ = st.columns([1, 1, 2])
    b1.number_input(t("band_low_input", L), min_value=1, max_value=10000, step=100, key="band_low")
    b2.number_input(t("band_high_input", L), min_value=1, max_value=10000, step=100, key="band_high")
    bands = (min(st.session_state["band_low"], st.session_state["band_high"]),
             max(st.session_state["band_low"], st.session_state["band_high"]))
    st.caption(t("concentration_caption", L, low=f"{bands[0]:,}", high=f"{bands[1]:,}"))

    def band_word(v):
        return t("band_word_low" if v < bands[0] else "band_word_mid" if v < bands[1] else "band_word_high", L)

    st.markdown(t("hhi_bands_now", L, countries=f"{actual['hhi_countries']:,.0f}",
                  countries_word=band_word(actual["hhi_countries"]), customers=f"{actual['hhi_customers']:,.0f}",
                  customers_word=band_word(actual["hhi_customers"])))
    point = view["point"]
    left, right = st.columns(2)
    with left:
        if point is not None:
            st.markdown(f"**{t('pareto_sentence', L, x=f'{point:.0f}')}**")
        ui.chart(charts.pareto_curve(view["curve"], L, point), key="regions_pareto")
    with right:
        ui.chart(charts.hhi_trend(view["trend"], L, bands), key="regions_hhi")


concentration_section()

# What-if ------------------------------------------------------------------------------------------------------
st.subheader(t("whatif_title", L))
st.caption(t("whatif_caption", L, currency=cur))


@ui.section
def what_if_section() -> None:
    currencies = [""] + ui.query("regions/currency_options", {})["currency"].tolist()
    ui.url_state("wi_countries", "list")
    ui.url_state("wi_drop", "float", 0.0)
    ui.url_state("wi_top", "int", 0)
    ui.url_state("wi_cur", "str", "")
    ui.url_state("wi_fx", "float", 0.0)
    st.session_state.setdefault("wi_countries", [])
    # (A country in a shared link without revenue in this period changes nothing; the picker offers only these.)
    ui.clean_list("wi_countries", set(countries["country_code"]))
    for key, default, ok in (("wi_drop", 0.0, lambda v: isinstance(v, float) and 0 <= v <= 100),
                             ("wi_top", 0, lambda v: isinstance(v, int) and 0 <= v <= 1000),
                             ("wi_cur", "", lambda v: v in currencies),
                             ("wi_fx", 0.0, lambda v: isinstance(v, float) and -90 <= v <= 500)):
        if not ok(st.session_state.get(key, default)):
            ui.warn_url(f"{key}={st.session_state.get(key)}")
            st.session_state[key] = default
        st.session_state.setdefault(key, default)
    w = st.columns([2, 1, 1, 1, 1])
    w[0].multiselect(t("wi_countries", L), countries["country_code"].tolist(), key="wi_countries",
                     format_func=country_label, placeholder=t("wi_none", L))
    w[1].number_input(t("wi_drop", L), min_value=0.0, max_value=100.0, step=5.0, key="wi_drop")
    w[2].number_input(t("wi_top", L), min_value=0, max_value=1000, step=1, key="wi_top")
    w[3].selectbox(t("wi_cur", L), currencies, key="wi_cur", format_func=lambda c: c or t("wi_none", L))
    w[4].number_input(t("wi_fx", L, currency=cur), min_value=-90.0, max_value=500.0, step=5.0, key="wi_fx")
    scenario = {"drop_countries": st.session_state["wi_countries"], "drop_pct": st.session_state["wi_drop"],
                "lose_top_n": st.session_state["wi_top"], "fx_currency": st.session_state["wi_cur"],
                "fx_move_pct": st.session_state["wi_fx"]}
    part = view if scenario == regions.NO_SCENARIO else ui.computed(regions.scenario_part, filters, scenario)
    what_if = part["what_if"]
    st.markdown("**" + t("wi_summary", L, actual=fmt_amount(actual["revenue"], L),
                         scenario=fmt_amount(what_if["revenue"], L),
                         change=fmt_pct(pct_change(what_if["revenue"], actual["revenue"]), signed=True),
                         h1=f"{actual['hhi_countries']:,.0f}", h2=f"{what_if['hhi_countries']:,.0f}",
                         h3="", c1=f"{actual['hhi_customers']:,.0f}", c2=f"{what_if['hhi_customers']:,.0f}",
                         s1=fmt_pct(actual["top_country_share_pct"]), s2=fmt_pct(what_if["top_country_share_pct"])) + "**")
    st.session_state["_whatif_hhi"] = what_if["hhi_countries"]
    ui.chart(charts.scenario_bars(actual, what_if, cur, L), key="regions_whatif")
    affected = part["affected"]
    if len(affected):
        # The largest changes first; a whole country's customers can be thousands of rows, which the browser would
        # draw on every step: the table shows the first 500 and its downloads hold all of them.
        st.markdown(f"**{t('wi_affected', L)}** ({fmt_int(len(affected))})")
        if len(affected) > SHOWN:
            st.caption(t("flagged_first", L, shown=fmt_int(SHOWN), total=fmt_int(len(affected))))
        ui.table(affected.head(SHOWN), {"customer_name": (t("col_customer", L), "text"),
                            "customer_id": (t("col_customer_id", L), "text"),
                            "revenue": (t("col_revenue", L, currency=cur), "money"),
                            "revenue_scenario": (t("col_revenue_scenario", L, currency=cur), "money"),
                            "change": (t("col_change", L, currency=cur), "money")},
                 key="regions_affected", stem="what-if-affected", height=260, complete=lambda: affected)


what_if_section()

# Country table ------------------------------------------------------------------------------------------------
st.subheader(t("country_table_title", L))
countries["region"] = countries[f"region_name_{'zh' if L == 'zh' else 'en'}"]
ui.table(countries, {"country": (t("col_country", L), "text"), "region": (t("col_region", L), "text"),
                     "revenue": (t("col_revenue", L, currency=cur), "money"), "share_pct": (t("col_share_pct", L), "pct"),
                     "revenue_last_year": (t("col_revenue_ly", L, currency=cur), "money"),
                     "change_pct": (t("col_change_pct", L), "pct"), "active_customers": (t("col_active", L), "int"),
                     "new_customers": (t("col_new", L), "int"), "lapsed_customers": (t("col_lapsed", L), "int"),
                     "average_order": (t("col_avg_order", L, currency=cur), "money"),
                     "complaints": (t("col_complaints", L), "int")},
         key="regions_countries", stem=f"countries-{filters.period_words('en')}", height=420)
