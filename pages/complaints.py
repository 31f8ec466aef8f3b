"""Complaints: latency, SLA and backlog, corrective actions, and one complaint end to end."""
import datetime as dt

import pandas as pd
import streamlit as st

from cockpit import charts, db, ui
from cockpit import complaints as cx
from cockpit.countries import country_name
from cockpit.i18n import fmt_int, fmt_pct, t

L = ui.lang()
filters = ui.page_filters()
as_of = filters.date_to
as_of_end = dt.datetime.combine(as_of, dt.time(23, 59, 59))

ui.page_header("page_complaints", filters)
st.caption(t("complaints_caption", L, as_of=as_of.isoformat()))

# Hours: calendar or business ------------------------------------------------------------------------------------
ui.url_state("hours", "str", "calendar")
if st.session_state.get("hours") not in ("calendar", "business"):
    st.session_state["hours"] = "calendar"
business = st.session_state["hours"] == "business"
p = filters.params()
at_end = p | {"as_of": as_of}
# The period's complaints (and, for the business-hours trend, the year before: only Python counts business hours);
# the backlog and the corrective actions at the period end are counted by their own queries.
rows = ui.query("complaints/complaint_rows", p | {"history_days": 365 if business else 0})
backlog_counts = ui.query("complaints/open_backlog", at_end | {"age_bounds_days": cx.AGE_BOUNDS_DAYS})
acts = ui.query("complaints/corrective_actions", at_end)
open_total = int(backlog_counts["complaints"].sum())
if rows.empty and open_total == 0 and acts.empty:
    st.info(t("no_complaints", L))
    st.stop()
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
                st.warning(t("bad_url_value", L, value=part))
        cal = cx.WorkCalendar("".join("1" if i in picked else "0" for i in range(7)) if picked else "1111100",
                              float(min(start, end - 1)), float(max(end, start + 1)), tuple(holidays))
    st.caption(t("business_words", L, days=t("list_sep", L).join(days[i] for i in range(7) if cal.weekmask[i] == "1"),
                 start=int(cal.day_start), end=int(cal.day_end), n=len(cal.holidays)))
unit = t("unit_business_hours" if business else "unit_hours", L)
rows = cx.with_latency(rows, st.session_state["hours"], cal)
rows["country"] = rows["country_code"].map({c: country_name(c, L) if c != "unknown" else t("unknown", L)
                                            for c in rows["country_code"].dropna().unique()})

# SLA targets (editable, kept in the URL) -------------------------------------------------------------------------
severities = ui.query("complaints/severity_options", {})["severity"].tolist()
ui.url_state("sla", "str", None)
targets = cx.default_targets(severities) | cx.parse_targets(st.session_state.get("sla"))
period = cx.in_period(rows, filters.date_from, filters.date_to)
judged = cx.sla(period, targets, as_of_end)
fr_med, fr_p90 = cx.quantiles(period["first_response_h"])
res_med, res_p90 = cx.quantiles(period["resolution_h"])

hours = lambda v: "—" if v is None else t("value_hours", L, v=f"{v:,.1f}")  # noqa: E731
cards = st.columns(4) + st.columns(3)  # two rows, so hours stay readable on a laptop
for col, label, value, help_key in (
    (cards[0], "kpi_first_response_median", hours(fr_med), "help_latency"),
    (cards[1], "kpi_first_response_p90", hours(fr_p90), "help_latency"),
    (cards[2], "kpi_resolution_median", hours(res_med), "help_latency"),
    (cards[3], "kpi_resolution_p90", hours(res_p90), "help_latency"),
    (cards[4], "kpi_sla_breach_pct", fmt_pct(cx.breach_pct(judged)), "help_sla"),
    (cards[5], "kpi_open_complaints", fmt_int(open_total), "help_open"),
    (cards[6], "kpi_overdue_actions", fmt_int(cx.overdue_count(acts)), "help_overdue"),
):
    ui.kpi_card(col, t(label, L), value, 0, None, "", t(help_key, L))

st.subheader(t("latency_title", L))
if business:
    month = cx.monthly(cx.sla(rows[pd.to_datetime(rows["received_at"]).dt.date >= filters.date_from - dt.timedelta(days=365)],
                              targets, as_of_end))
else:
    month = ui.query("complaints/latency_by_month", p | cx.sla_params(targets))
ui.chart(charts.latency_trend(month, L, unit), key="complaints_trend")
left, right = st.columns(2)
with left:
    ui.chart(charts.latency_distribution(period, L, unit), key="complaints_distribution")
with right:
    dims = ["category", "severity", "department", "country", "sales_rep"]
    ui.url_state("dim", "str", "category")
    if st.session_state.get("dim") not in dims:
        st.session_state["dim"] = "category"
    st.segmented_control(t("latency_dimension", L), dims, key="dim", required=True, format_func=lambda d: t(f"dim_{d}", L))
    by = cx.latency_by(period.assign(**{st.session_state["dim"]: period[st.session_state["dim"]].replace("", t("none_value", L))}),
                       st.session_state["dim"])
    ui.chart(charts.latency_by_dimension(by, st.session_state["dim"], L, unit), key="complaints_by")

st.subheader(t("sla_title", L))
left, right = st.columns([2, 3])
with left:
    st.markdown(t("sla_targets", L))
    editor = pd.DataFrame([{"severity": s, "fr": targets[s][0], "res": targets[s][1]} for s in severities])
    edited = st.data_editor(editor, hide_index=True, disabled=["severity"], key="sla_editor", width="stretch",
                            column_config={"severity": st.column_config.TextColumn(t("col_severity", L)),
                                           "fr": st.column_config.NumberColumn(t("col_target_fr", L), min_value=0.5, max_value=10000),
                                           "res": st.column_config.NumberColumn(t("col_target_res", L), min_value=0.5, max_value=100000)})
    new_targets = {r.severity: (float(r.fr), float(r.res)) for r in edited.itertuples() if r.fr == r.fr and r.res == r.res}
    if new_targets != targets:
        defaults = cx.default_targets(severities)
        st.session_state["sla"] = cx.format_targets({k: v for k, v in new_targets.items() if defaults.get(k) != v}) or None
        st.rerun()
with right:
    ui.chart(charts.breach_trend(month, L), key="complaints_breach")
left, right = st.columns([2, 3])
with left:
    ui.chart(charts.backlog_ages(cx.backlog_from_counts(backlog_counts), L), key="complaints_backlog")
with right:
    st.markdown(f"**{t('oldest_open', L)}**")
    oldest = ui.query("complaints/oldest_open", at_end | {"max_rows": 50})
    con, viewer = ui.connection(), ui.viewer_params()
    ui.table(oldest, {"complaint_id": (t("col_complaint", L), "text"), "customer_name": (t("col_customer", L), "text"),
                                  "severity": (t("col_severity", L), "text"), "received_at": (t("col_received", L), "date"),
                                  "age_days": (t("col_age_days", L), "int"), "owner": (t("col_owner", L), "text"),
                                  "sales_rep": (t("col_rep", L), "text")},
             key="complaints_oldest", stem=f"open-complaints-{as_of}", height=330,
             complete=lambda: db.run(con, "complaints/oldest_open", at_end | viewer | {"max_rows": open_total}))

st.subheader(t("capa_title", L))
rec = ui.query("complaints/recurrence", p | {"recurrence_days": cx.RECURRENCE_DAYS}).iloc[0]
st.markdown(t("capa_summary", L, on_time=fmt_pct(cx.on_time_share(acts, filters.date_from, filters.date_to)),
              overdue=fmt_int(cx.overdue_count(acts)),
              recurrence=fmt_pct(rec["recurred"] * 100 / rec["complaints"] if rec["complaints"] else None)))
overdue = acts[acts["action_state"] == "overdue"].sort_values("days_overdue", ascending=False)
ui.table(overdue, {"complaint_id": (t("col_complaint", L), "text"), "customer_name": (t("col_customer", L), "text"),
                   "corrective_action": (t("col_action", L), "text"), "department": (t("col_department", L), "text"),
                   "action_due_on": (t("col_due", L), "date"), "days_overdue": (t("col_days_overdue", L), "int"),
                   "owner": (t("col_owner", L), "text")},
         key="complaints_overdue", stem=f"overdue-actions-{as_of}", height=330)

st.subheader(t("timeline_title", L))
ui.url_state("complaint", "str", None)
search = st.text_input(t("timeline_search", L), key="complaint_search", width=420, placeholder=t("timeline_search_hint", L))
# A search picks among its matches; without one, a complaint chosen before (or in a shared link) stays chosen.
labels = cx.complaint_choices(period, search, keep=None if search.strip() else st.session_state.get("complaint"))
if len(period) > cx.CHOICES:
    st.caption(t("timeline_choices", L, n=fmt_int(min(len(labels), cx.CHOICES)), total=fmt_int(len(period))))
if st.session_state.get("complaint") not in labels:
    st.session_state["complaint"] = next(iter(labels), None)
if not labels and search.strip():
    st.info(t("timeline_none_found", L, text=search))
if labels:
    st.selectbox(t("timeline_pick", L), list(labels), key="complaint", format_func=lambda c: labels.get(c, c))
    row = rows[rows["complaint_id"] == st.session_state["complaint"]].iloc[0].to_dict()
    ui.chart(charts.complaint_timeline(row, L), key="complaints_timeline")
