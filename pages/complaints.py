"""Complaints: latency, SLA and backlog, corrective actions, and one complaint end to end."""
import datetime as dt

import pandas as pd
import streamlit as st

from cockpit import charts, ui
from cockpit import complaints as cx
from cockpit.countries import country_column
from cockpit.i18n import fmt_int, fmt_pct, severity_word, t

L = ui.lang()
filters = ui.page_filters()
as_of = filters.date_to

ui.page_header("page_complaints", filters)
st.caption(t("complaints_caption", L, as_of=as_of.isoformat()))

# Hours: calendar or business; SLA targets (editable, kept in the URL) ----------------------------------------------
ui.url_state("hours", "str", "calendar")
if st.session_state.get("hours") not in ("calendar", "business"):
    st.session_state["hours"] = "calendar"
business = st.session_state["hours"] == "business"
st.segmented_control(t("hours_mode", L), ["calendar", "business"], key="hours", required=True,
                     format_func=lambda m: t(f"mode_{m}", L))
cal = cx.WorkCalendar()
if business:
    days = t("weekdays", L).split(",")
    with st.expander(t("work_settings", L), expanded=True):
        c = st.columns([3, 1, 1, 3])
        picked = c[0].multiselect(t("work_days", L), list(range(7)), default=[0, 1, 2, 3, 4], format_func=lambda i: days[i],
                                  key="work_days")
        start = c[1].number_input(t("work_start", L), 0, 23, 9, key="work_start")
        end = c[2].number_input(t("work_end", L), 1, 24, 18, key="work_end")
        text = c[3].text_input(t("holidays", L), key="holidays_text")
        holidays = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            try:
                holidays.append(dt.date.fromisoformat(part))
            except ValueError:
                st.warning(t("bad_url_value", L, value=ui.md_text(part)))
        cal = cx.WorkCalendar("".join("1" if i in picked else "0" for i in range(7)) if picked else "1111100",
                              float(min(start, end - 1)), float(max(end, start + 1)), tuple(holidays))
    st.caption(t("business_words", L, days=t("list_sep", L).join(days[i] for i in range(7) if cal.weekmask[i] == "1"),
                 start=int(cal.day_start), end=int(cal.day_end), n=len(cal.holidays)))
unit = t("unit_business_hours" if business else "unit_hours", L)
severities = ui.query("complaints/severity_options", {})["severity"].tolist()
ui.url_state("sla", "str", None)
defaults = cx.default_targets(severities)
targets = defaults | cx.parse_targets(st.session_state.get("sla"))
# Everything below from one view (cockpit/complaints.py view): the period's complaints, the backlog and the
# corrective actions at the period end; latency by every dimension, so that picking one reruns only its chart.
view = ui.computed(cx.view, filters, st.session_state["hours"], cal, None if targets == defaults else targets,
                   every_dim=True)
open_total = view["open_total"]
if view["complaints"] == 0 and open_total == 0 and view["actions"] == 0:
    st.info(t("no_complaints", L))
    st.stop()

hours = lambda v: "—" if v is None else t("value_hours", L, v=f"{v:,.1f}")  # noqa: E731
cards = st.columns(4) + st.columns(3)  # two rows, so hours stay readable on a laptop
for col, label, value, help_key in (
    (cards[0], "kpi_first_response_median", hours(view["first_response_median_h"]), "help_latency"),
    (cards[1], "kpi_first_response_p90", hours(view["first_response_p90_h"]), "help_latency"),
    (cards[2], "kpi_resolution_median", hours(view["resolution_median_h"]), "help_latency"),
    (cards[3], "kpi_resolution_p90", hours(view["resolution_p90_h"]), "help_latency"),
    (cards[4], "kpi_sla_breach_pct", fmt_pct(view["breach_pct"]), "help_sla"),
    (cards[5], "kpi_open_complaints", fmt_int(open_total), "help_open"),
    (cards[6], "kpi_overdue_actions", fmt_int(view["overdue_actions"]), "help_overdue"),
):
    ui.kpi_card(col, t(label, L), value, 0, None, "", t(help_key, L))

st.subheader(t("latency_title", L))
month = view["month"]
ui.chart(charts.latency_trend(month, L, unit), key="complaints_trend")
left, right = st.columns(2)
with left:
    ui.chart(charts.latency_distribution(view["boxes"], L, unit), key="complaints_distribution")


@ui.section
def latency_by_section() -> None:
    """Latency by one dimension: picking another reruns only this chart."""
    dims = ["category", "severity", "department", "country", "sales_rep"]
    ui.url_state("dim", "str", "category")
    if st.session_state.get("dim") not in dims:
        st.session_state["dim"] = "category"
    st.segmented_control(t("latency_dimension", L), dims, key="dim", required=True, format_func=lambda d: t(f"dim_{d}", L))
    dim = st.session_state["dim"]
    by = view["by_all"]["country_code" if dim == "country" else dim]
    if dim == "country":
        by = by.assign(country=country_column(by["country_code"].replace("unknown", None), L).fillna(t("unknown", L)))
    by[dim] = by[dim].map(lambda v: severity_word(v, L)) if dim == "severity" else by[dim].replace("", t("none_value", L))
    ui.chart(charts.latency_by_dimension(by, dim, L, unit), key="complaints_by")


with right:
    latency_by_section()

st.subheader(t("sla_title", L))
left, right = st.columns([2, 3])
with left:
    st.markdown(t("sla_targets", L))
    editor = pd.DataFrame([{"severity": severity_word(s, L), "fr": targets[s][0], "res": targets[s][1]} for s in severities])
    edited = st.data_editor(editor, hide_index=True, disabled=["severity"], key="sla_editor", width="stretch",
                            # Narrow columns: the three fit the left column on a laptop in Chinese too.
                            column_config={"severity": st.column_config.TextColumn(t("col_severity", L), width="small"),
                                           "fr": st.column_config.NumberColumn(t("col_target_fr", L), min_value=0.5, max_value=10000, width="small"),
                                           "res": st.column_config.NumberColumn(t("col_target_res", L), min_value=0.5, max_value=100000, width="small")})
    # Rows in the order of `severities` (the editor shows each level in the viewer's language).
    new_targets = {s: (float(r.fr), float(r.res)) for s, r in zip(severities, edited.itertuples()) if r.fr == r.fr and r.res == r.res}
    if new_targets != targets:
        defaults = cx.default_targets(severities)
        st.session_state["sla"] = cx.format_targets({k: v for k, v in new_targets.items() if defaults.get(k) != v}) or None
        st.rerun()
with right:
    ui.chart(charts.breach_trend(month, L), key="complaints_breach")
left, right = st.columns([2, 3])
with left:
    ui.chart(charts.backlog_ages(view["backlog"], L), key="complaints_backlog")
with right:
    st.markdown(f"**{t('oldest_open', L)}**")
    oldest = view["oldest"].assign(severity=lambda d: d["severity"].map(lambda v: severity_word(v, L)))
    con, seen = ui.connection(), filters.seen_by(ui.viewer_params())
    ui.table(oldest, {"complaint_id": (t("col_complaint", L), "text"), "customer_name": (t("col_customer", L), "text"),
                                  "severity": (t("col_severity", L), "text"), "received_at": (t("col_received", L), "date"),
                                  "age_days": (t("col_age_days", L), "int"), "owner": (t("col_owner", L), "text"),
                                  "sales_rep": (t("col_rep", L), "text")},
             key="complaints_oldest", stem=f"open-complaints-{as_of}", height=330,
             complete=lambda: cx.oldest_open(con, seen, open_total))

st.subheader(t("capa_title", L))
st.markdown(t("capa_summary", L, on_time=fmt_pct(view["on_time_pct"]), overdue=fmt_int(view["overdue_actions"]),
              recurrence=fmt_pct(view["recurrence_pct"])))
overdue = view["overdue"]
ui.table(overdue, {"complaint_id": (t("col_complaint", L), "text"), "customer_name": (t("col_customer", L), "text"),
                   "corrective_action": (t("col_action", L), "text"), "department": (t("col_department", L), "text"),
                   "action_due_on": (t("col_due", L), "date"), "days_overdue": (t("col_days_overdue", L), "int"),
                   "owner": (t("col_owner", L), "text")},
         key="complaints_overdue", stem=f"overdue-actions-{as_of}", height=330)

st.subheader(t("timeline_title", L))


@ui.section
def timeline_section() -> None:
    """One complaint end to end: a search or another pick reruns only this section."""
    ui.url_state("complaint", "str", None)
    search = st.text_input(t("timeline_search", L), key="complaint_search", width=420, placeholder=t("timeline_search_hint", L))
    current = st.session_state.get("complaint")
    # The view holds the 1,000 most recent complaints; a search, or a complaint named in a shared link that is older,
    # reads the period's complaints.
    if search.strip() or (current and current not in set(view["recent"]["complaint_id"])):
        source = ui.query("complaints/complaint_rows", filters.params() | {"history_days": 0, "newest": None})
    else:
        source = view["recent"]
    # A search picks among its matches; without one, a complaint chosen before (or in a shared link) stays chosen.
    labels = cx.complaint_choices(source, search, keep=None if search.strip() else current)
    if view["complaints"] > cx.CHOICES:
        st.caption(t("timeline_choices", L, n=fmt_int(min(len(labels), cx.CHOICES)), total=fmt_int(view["complaints"])))
    if st.session_state.get("complaint") not in labels:
        st.session_state["complaint"] = next(iter(labels), None)
    if not labels and search.strip():
        st.info(t("timeline_none_found", L, text=ui.md_text(search)))
    if labels:
        st.selectbox(t("timeline_pick", L), list(labels), key="complaint", format_func=lambda c: labels.get(c, c))
        row = source[source["complaint_id"] == st.session_state["complaint"]].iloc[0].to_dict()
        ui.chart(charts.complaint_timeline(row, L), key="complaints_timeline")


timeline_section()
