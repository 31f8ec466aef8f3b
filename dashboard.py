"""Customer Cockpit — entry point: page frame, language, global filters (in the URL) and navigation."""
import logging

import streamlit as st

from cockpit import first_views, ui
from cockpit.i18n import t
from cockpit.importer import ImportFailed

ui.leave_legacy_pages_mode()
ui.freeze_long_lived()
# Meeting mode (?meeting=1) opens with the sidebar collapsed; the filters stay in the URL.
MEETING = st.query_params.get("meeting") == "1" or st.session_state.get("meeting", False)
st.set_page_config(page_title="Customer Cockpit · 外贸客户看板", page_icon="📊", layout="wide",
                   initial_sidebar_state="collapsed" if MEETING else "expanded")

# Less empty space above the title: on a projector every row counts.
# KPI labels wrap rather than end in "…" on a laptop ("风险销售额（USD）" in a fifth of 1,366 px).
st.html("<style>.block-container{padding-top:2.2rem !important}"
        "[data-testid='stMetricLabel'] *{white-space:normal !important;overflow:visible !important;"
        "text-overflow:clip !important}</style>")
L = ui.language_switch()
ui.require_login()
ui.url_state("meeting", "bool", False)
st.sidebar.toggle(t("meeting_mode", L), key="meeting")
if st.session_state.get("meeting"):
    # Meeting mode on every page: numbers and headings readable from the back of a room (charts: ui.chart).
    st.html("<style>[data-testid=stMetricValue]{font-size:3.2rem !important}"
            "[data-testid=stMetricLabel] p{font-size:1.25rem !important}"
            "[data-testid=stMetricDelta]{font-size:1.1rem !important} h1{font-size:3rem !important}"
            "h2,h3{font-size:2.1rem !important} [data-testid=stMarkdownContainer] p{font-size:1.15rem}</style>")

# The pages first: on a fresh clone's first start the sample company is built next (a few seconds), and until
# st.navigation is called the browser shows Streamlit's list of the files in pages/ instead.
pages = [
    st.Page("pages/overview.py", title=t("page_overview", L), icon=":material/dashboard:", default=True),
    st.Page("pages/regions.py", title=t("page_regions", L), icon=":material/public:", url_path="regions"),
    st.Page("pages/complaints.py", title=t("page_complaints", L), icon=":material/support_agent:", url_path="complaints"),
    st.Page("pages/customers.py", title=t("page_customers", L), icon=":material/contacts:", url_path="customers"),
    st.Page("pages/churn.py", title=t("page_churn", L), icon=":material/person_remove:", url_path="churn"),
]
if ui.current_user().role == "executive":
    pages.append(st.Page("pages/data.py", title=t("page_data", L), icon=":material/upload_file:", url_path="data"))
nav = st.navigation(pages, position="top")

try:
    ready = ui.ensure_database()
except ImportFailed as exc:  # a database an early version made, which cannot be brought to this one's columns
    st.error(t("db_upgrade_failed", L, reason=ui.md_text(exc)))
    st.stop()
if ready is None:
    from cockpit import db
    st.error(t("db_missing", L, path=ui.md_text(db.db_path())))
    st.stop()

filters = ui.sidebar_filters()
st.session_state["filters"] = filters

st.sidebar.caption(t("app_title", L) + " · " + t("app_tagline", L))
# Audit: one line per page and filter combination viewed.
seen = (nav.title, filters.describe("en"))
if st.session_state.get("_audited") != seen:
    ui.audit("view", page=nav.title, filters=seen[1])
    st.session_state["_audited"] = seen
try:
    with ui.visitor_run():
        nav.run()
except Exception:
    # Said in the viewer's language; the traceback goes to the server's log only (client.showErrorDetails = false).
    logging.getLogger("cockpit").exception("page %s failed", nav.title)
    st.error(t("page_failed", L))
    raise
ui.sync_url()
# Every page's first view worked out after this run (which had the machine to itself), once per database version:
# the pages a visitor goes to next are ready when they get there.
ui.warm_first_views(first_views.calls)
