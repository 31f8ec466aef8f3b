"""Streamlit glue shared by the entry point and the pages: connection, cached queries, filters, cards, downloads.

Pages import from here and stay short: read the filters, run named queries, arrange the results.
"""
from __future__ import annotations

from typing import Callable

import contextlib
import datetime as dt
import functools
import gc
import importlib
import io
import logging
import math
import threading
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from . import db
from .countries import country_name
from .filters import Filters, default_quarter, first_view
from .i18n import fmt_change, fmt_int, fmt_money, fmt_pct, t
from .safety import md_text, safe_for_spreadsheet
from .theme import PLOTLY_CONFIG

_BUILD_LOCK = threading.Lock()
_CURRENT: set[tuple] = set()   # database file signatures known to have current derived tables

# Who the import log names when no person imported: the sample at first start, an upload without sign-in.
FIRST_START_IMPORTER = "first start"
DEMO_IMPORTER = "app (demo mode)"


# --------------------------------------------------------------------------------------------- database

def ensure_database() -> Path | None:
    """On a fresh clone the default database does not exist yet: build it from the sample company."""
    path = db.db_path()
    if path.exists():
        signature = db.file_signature(path)
        if signature not in _CURRENT:
            from .importer import derived_is_current, upgrade_derived
            if not derived_is_current(path):
                with _BUILD_LOCK, st.spinner(t("upgrading_database", lang())):
                    upgrade_derived(path)
            _CURRENT.add(db.file_signature(path))
        return path
    if path.resolve() != db.DEFAULT_DB.resolve():
        return None
    with _BUILD_LOCK:
        if not path.exists():
            from .importer import run_import
            # Said at once (st.spinner shows its text only after half a second), and gone when the page is drawn.
            note = st.empty()
            with note.container():
                st.title(t("app_title", lang()))  # (where a page's title will be: below the top navigation)
                st.info(t("building_sample", lang()), icon=":material/hourglass_top:")
            run_import([db.SAMPLE_DIR], path, currency="USD", imported_by=FIRST_START_IMPORTER)
            note.empty()
    return path


@st.cache_resource(max_entries=4, show_spinner=False)
def _open(path: str, signature: tuple):
    # One read-only connection per database version; each query takes its own cursor (db.run).
    return db.connect(path)


def connection():
    path = db.db_path()
    return _open(str(path), db.file_signature(path))


def viewer_params() -> dict:
    """The signed-in user's visibility; added to every query so no page can leave it out."""
    user = current_user()
    all_customers, reps = user.visibility()
    return {"all_customers": all_customers, "visible_reps": list(reps)}


def current_user():
    from . import auth
    user = st.session_state.get("_user")
    if user is None:
        # Demo mode (no users configured) sees everything; with users configured, nothing until signed in.
        return auth.EXECUTIVE_ALL if not auth.users_configured() else auth.User("(nobody)", "rep")
    return user


def query(name: str, params: dict) -> pd.DataFrame:
    """Run queries/<name>.sql with the viewer's visibility added, cached like computed(). Only the parameters the
    query uses form the key."""
    params = {**params, **viewer_params()}
    path = db.db_path()
    return _cached_call(str(path), db.file_signature(path), "cockpit.db.run",
                        (name, {k: v for k, v in sorted(params.items()) if k in db.params_used(name)}), ())


def _as_viewer(filters: Filters) -> Filters:
    """The filters with the signed-in user's visibility (read in the page's thread)."""
    return filters.seen_by(viewer_params())


def _as_key(value):
    """A computed() argument as its cache key holds it: filters without their display names (Filters.names, for
    describe(); no view reads them). With them, the key held the picked country's name in the viewer's language:
    the map's whole-company view was worked out again for every new country clicked (~0.2-0.3 s at 10 M lines),
    and an English and a Chinese viewer shared no view."""
    return replace(value, names={}) if isinstance(value, Filters) else value


@st.cache_data(max_entries=1024, show_spinner=False)
def _cached_call(path: str, signature: tuple, function: str, args: tuple, kwargs: tuple):
    module, name = function.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)(_open(path, signature), *args, **dict(kwargs))


_RUNS_BEFORE_FREEZE = iter(range(1))  # the process's first run passes; the second freezes (then: exhausted)
_FREEZE_LOCK = threading.Lock()


def freeze_long_lived() -> None:
    """At the start of the process's second run: what is alive then (modules, Plotly's validators, Streamlit's
    runtime, the connection, the caches) lives as long as the process, and is frozen out of garbage collection
    (gc.freeze). Streamlit collects after every run (runner.postScriptGC: a full gc.collect over every object of the
    process) and holds the GIL meanwhile, so the run's last messages waited to be sent: ~0.2-0.4 s a click at 10 M
    lines, traced with py-spy. Collections now look only at what later runs make. (At the second run's start the
    first run's own objects have been collected already; a frozen object is still freed when nothing refers to it,
    only a cycle of them would stay.)"""
    with _FREEZE_LOCK:
        if next(_RUNS_BEFORE_FREEZE, None) is None and not gc.get_freeze_count():
            gc.freeze()


def computed(function: Callable, filters: Filters, *args, **kwargs):
    """function(connection, filters, *args, **kwargs), cached per database version, viewer and arguments: the one
    cache of the app (st.cache_data; what the import builds is the other layer). The viewer's visibility is put
    into the filters here, in the page's thread, so no page can leave it out. function is passed by name so that
    this module imports no page module (the pages import it)."""
    path = db.db_path()
    return _cached_call(str(path), db.file_signature(path), *_call_key(function, _as_viewer(filters), args, kwargs))


def _call_key(function: Callable, filters: Filters, args: tuple, kwargs: dict) -> tuple:
    """_cached_call's arguments after the database: the function by name, its arguments as keys (_as_key)."""
    return (f"{function.__module__}.{function.__qualname__}", tuple(map(_as_key, (filters, *args))),
            tuple(sorted(kwargs.items())))


_WARMED: set[tuple] = set()  # (path, signature) of each database version whose first views were started
_WARM_LOCK = threading.Lock()
_RUNS = [0]  # visitors' page runs in progress (visitor_run)
_RUNS_IDLE = threading.Condition()
# Seconds after the first run before the first views are worked out: the browser draws the page it was sent
# meanwhile (~2-3 s for the Overview at 10 M lines on the bench machine, where browser and server share two cores;
# warming at once made that first open 0.5-0.9 s slower).
WARM_AFTER_S = 3.0


@contextlib.contextmanager
def visitor_run():
    """Around a visitor's page run (dashboard.py): the first views' warm-up waits while any is in progress."""
    with _RUNS_IDLE:
        _RUNS[0] += 1
    try:
        yield
    finally:
        with _RUNS_IDLE:
            _RUNS[0] -= 1
            _RUNS_IDLE.notify_all()


def warm_first_views(calls: Callable[[Filters], list[tuple]], after_s: float = WARM_AFTER_S) -> threading.Thread | None:
    """Once per database version and process: the first view of every page (what `calls(filters)` lists as
    (function, its filters, the arguments after them, kwargs), for the app's first filters: filters.first_view)
    worked out on a thread of its own into the same cache computed() reads, `after_s` seconds after this call and
    each only while no visitor's page run is in progress (visitor_run): the warm-up never competes with a visitor
    who waits. A page that asks for a view while it is being worked out waits for it (st.cache_data computes a value
    once). The first visitor after a start or an import waits for the page they open; the pages they go to next
    are ready. Returns the thread it started."""
    path = db.db_path()
    key = (str(path), db.file_signature(path))
    with _WARM_LOCK:
        if key in _WARMED:
            return None
        _WARMED.add(key)

    def work() -> None:
        time.sleep(after_s)
        try:
            filters = first_view(_open(*key))
        except Exception:  # noqa: BLE001 - the file was replaced or removed meanwhile: nothing to warm
            logging.getLogger("cockpit").warning("first views of %s not worked out: the file is gone", key[0])
            return
        for function, its_filters, args, kwargs in ([] if filters is None else calls(filters)):
            with _RUNS_IDLE:
                _RUNS_IDLE.wait_for(lambda: _RUNS[0] == 0)
            try:
                _cached_call(*key, *_call_key(function, its_filters, args, kwargs))
            except Exception:  # noqa: BLE001 - the page works it out again and says what failed, in its language
                logging.getLogger("cockpit").exception("first view %s failed", function.__qualname__)
    thread = threading.Thread(target=work, name="first views", daemon=True)
    thread.start()
    return thread


def audit(event: str, **fields) -> None:
    from . import auth
    auth.audit(event, current_user().username if st.session_state.get("_user") else None, **fields)


def require_login() -> None:
    """Sign-in: OIDC (st.login) when [auth] is configured in secrets, else the users file; open demo otherwise."""
    from . import auth
    L = lang()
    if not auth.users_configured():
        st.sidebar.warning(t("demo_mode", L))
        return
    user = st.session_state.get("_user")
    now = time.time()
    if user is not None:
        if now - st.session_state.get("_last_seen", now) > auth.SESSION_HOURS * 3600:
            audit("session expired")
            for k in ("_user", "_last_seen"):
                st.session_state.pop(k, None)
            st.warning(t("session_expired", L))
        else:
            st.session_state["_last_seen"] = now
            with st.sidebar:
                st.caption(t("signed_in_as", L, name=md_text(user.display_name or user.username), role=t(f"role_{user.role}", L)))
                if st.button(t("sign_out", L), key="sign_out"):
                    audit("sign out")
                    for k in ("_user", "_last_seen"):
                        st.session_state.pop(k, None)
                    st.rerun()
            return
    oidc = False
    try:
        oidc = "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all
        oidc = False
    st.title(t("app_title", L))
    if oidc:
        if getattr(st.user, "is_logged_in", False):
            found = next((u for u in auth.load_users().values() if u.email and u.email == st.user.get("email")), None)
            if found:
                st.session_state["_user"], st.session_state["_last_seen"] = found, now
                audit("sign in", method="oidc")
                st.rerun()
            st.error(t("no_access", L))
        else:
            st.button(t("sign_in", L), on_click=st.login, key="oidc_login")
        st.stop()
    with st.form("login"):
        name = st.text_input(t("username", L), key="login_user")
        password = st.text_input(t("password", L), type="password", key="login_password")
        submitted = st.form_submit_button(t("sign_in", L))
    if submitted:
        wait = auth.THROTTLE.wait_for(name)
        if wait > 0:
            st.error(t("login_wait", L, seconds=f"{math.ceil(wait):,}"))
            auth.audit("sign in refused", auth.audit_name(name), why="throttled", wait_s=math.ceil(wait))
        else:
            user = auth.verify(name, password)
            if user is None:
                st.error(t("login_failed", L))
                auth.audit("sign in failed", auth.audit_name(name))
            else:
                st.session_state["_user"], st.session_state["_last_seen"] = user, now
                st.session_state.pop("login_password", None)
                audit("sign in", method="password")
                st.rerun()
    st.stop()


# --------------------------------------------------------------------------------------------- language

def lang() -> str:
    value = st.session_state.get("lang", "zh")
    return value if value in ("en", "zh") else "zh"


# The page frame's widgets (language, meeting mode, the sidebar filters). Streamlit 1.67's frontend, on a page built
# with st.navigation, sends the first interaction of a fresh tab (within ~10 s of opening it, measured) with every
# other widget at its default: a value the script had set (from the URL, or a default period) was lost, so one click
# on a filter reset the language, the period and the other filters. The script therefore keeps the frame's values
# itself: they are put back at the start of each run, except a value the person just changed (its widget's
# on_change marks it, as do the callbacks that set a filter: a map click, the meeting-mode quarter).
def language_switch() -> str:
    url_state("lang", "str", "zh")
    if st.session_state.get("lang") not in ("en", "zh"):
        st.session_state["lang"] = "zh"
    with st.sidebar:
        st.segmented_control(t("language", lang()), ["zh", "en"], key="lang", required=True,
                             format_func=lambda v: "中文" if v == "zh" else "English")
    return lang()


# --------------------------------------------------------------------------------------------- filters

def data_bounds() -> tuple[dt.date, dt.date, str]:
    row = query("filters/data_range", {}).iloc[0]
    first, last = row["first_day"], row["last_day"]
    if first is None or pd.isna(first):
        today = dt.date.today()
        return today, today, row["reporting_currency"] or "USD"
    return pd.Timestamp(first).date(), pd.Timestamp(last).date(), row["reporting_currency"] or "USD"


def quarter_options(first: dt.date, last: dt.date) -> list[str]:
    from .filters import quarter_labels
    return quarter_labels(first, last)


# The URL holds every filter as codes (ISO-2 countries, M49 codes, quarter labels), never display names, so a
# link copied in Chinese opens the same view in English. Streamlit's bind="query-params" stores display labels,
# which change with the language: hence this small explicit sync.

def url_state(key: str, kind: str = "str", default=None):
    """Seed session_state[key] from the URL once per session, and keep it in the URL from then on."""
    seeded = st.session_state.setdefault("_url_seeded", set())
    st.session_state.setdefault("_url_keys", {})[key] = (kind, default)
    if key in seeded:
        return
    seeded.add(key)
    if kind == "list":
        values = [v for v in st.query_params.get_all(key) if v is not None]
        if values:
            st.session_state[key] = values[:500]
            if len(values) > 500:
                warn_url(f"{key}: {len(values)} values")
        return
    raw = st.query_params.get(key)
    if raw is None:
        return
    if kind == "date":
        try:
            st.session_state[key] = dt.date.fromisoformat(raw)
        except ValueError:
            warn_url(f"{key}={raw}")
    elif kind == "float":
        try:
            st.session_state[key] = float(raw)
        except ValueError:
            warn_url(f"{key}={raw}")
    elif kind == "int":
        try:
            st.session_state[key] = int(raw)
        except ValueError:
            warn_url(f"{key}={raw}")
    elif kind == "bool":
        st.session_state[key] = raw in ("1", "true", "True")
    else:
        st.session_state[key] = raw


def warn_url(text: str) -> None:
    st.session_state.setdefault("_url_warnings", []).append(str(text)[:60])


def sync_url() -> None:
    """At the end of a run (the entry point): write the keys registered in that run to the URL, and remember them
    for the sections that rerun alone (section())."""
    registered = st.session_state.get("_url_keys", {})
    _write_url(registered)
    st.session_state["_url_keys_of_run"] = registered
    st.session_state["_url_keys"] = {}


def section(body: Callable[[], None]):
    """st.fragment for a section whose own controls (a what-if, a picker, a chart's measure) rerun only it. When
    it reruns alone the entry point does not run, so the URL is written here: the run's keys with this section's
    current values."""
    @functools.wraps(body)
    def run() -> None:
        body()
        if _in_fragment_rerun():
            _write_url(st.session_state.get("_url_keys_of_run", {}) | st.session_state.get("_url_keys", {}))
            st.session_state["_url_keys"] = {}
    return st.fragment(run)


def _write_url(registered: dict) -> None:
    """The registered keys' current values in the URL (defaults left out to keep links short)."""
    wanted: dict[str, list[str] | str] = {}
    for key, (kind, default) in registered.items():
        value = st.session_state.get(key)
        if value is None or value == default or (kind == "list" and not value):
            continue
        if kind == "list":
            wanted[key] = [str(v) for v in value]
        elif kind == "date" and isinstance(value, dt.date):
            wanted[key] = value.isoformat()
        elif kind == "bool":
            wanted[key] = "1" if value else "0"
        else:
            wanted[key] = str(value)
    current = {k: (st.query_params.get_all(k) if isinstance(wanted.get(k), list) else st.query_params.get(k))
               for k in st.query_params.keys()}
    if current != wanted:
        st.query_params.from_dict(wanted)


def _in_fragment_rerun() -> bool:
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def clean_list(key: str, allowed: set[str]) -> list[str]:
    """Drop values (from a URL, say) that are not options, and tell the user."""
    values = st.session_state.get(key)
    if not values:
        return []
    if not isinstance(values, list):
        values = [values]
    good = list(dict.fromkeys(v for v in values if v in allowed))
    bad = [v for v in values if v not in allowed]
    if bad or good != values:
        st.session_state[key] = good
    for b in bad[:5]:
        warn_url(f"{key}={b}")
    if len(bad) > 5:
        warn_url(f"{key}: {len(bad) - 5} more")
    return good


def sidebar_filters() -> Filters:
    """Global filters in the sidebar, kept in the URL so a copied link reopens the same view."""
    L = lang()
    first, last, currency = data_bounds()
    st.session_state["_currency"] = currency
    quarters = quarter_options(first, last)
    presets = quarters + ["all", "custom"]
    default_period = default_quarter(first, last)
    url_state("period", "str", default_period)
    if st.session_state.get("period") not in presets:
        if st.session_state.get("period") is not None:
            warn_url(f"period={st.session_state['period']}")
        st.session_state["period"] = default_period
    with st.sidebar:
        st.markdown(f"### {t('filters', L)}")
        period = st.selectbox(t("period", L), presets, key="period",
                              format_func=lambda v: t("all_data", L) if v == "all" else t("custom_range", L) if v == "custom" else v)
        if period == "custom":
            for key, default in (("from", first), ("to", last)):
                url_state(key, "date", None)
                if not isinstance(st.session_state.get(key), dt.date):
                    st.session_state[key] = default
            c1, c2 = st.columns(2)
            date_from = c1.date_input(t("date_from", L), key="from", min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31),
                                     )
            date_to = c2.date_input(t("date_to", L), key="to", min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31),
                                   )
            if date_to < date_from:
                st.warning(t("dates_swapped", L))
                date_from, date_to = date_to, date_from
        elif period == "all":
            date_from, date_to = first, last
        else:
            from .filters import parse_quarter
            date_from, date_to = parse_quarter(period)

        country_codes = query("filters/country_options", {})["country_code"].tolist()
        url_state("countries", "list")
        clean_list("countries", set(country_codes))
        sel_countries = st.multiselect(t("countries", L), country_codes, key="countries",
                                       format_func=lambda c: country_name(c, L) if c != "unknown" else t("unknown", L),
                                       placeholder=t("all", L))

        regions = query("filters/region_options", {})
        region_names = {r.code: (r.name_zh if L == "zh" else r.name_en) + ("" if r.kind == "m49" else f" ({t('sales_region', L)})")
                        for r in regions.itertuples()}
        url_state("regions", "list")
        clean_list("regions", set(region_names))
        sel_regions = st.multiselect(t("regions", L), list(region_names), key="regions",
                                     format_func=lambda c: region_names.get(c, c), placeholder=t("all", L))

        reps = query("filters/rep_options", {})["sales_rep"].tolist()
        url_state("reps", "list")
        clean_list("reps", set(reps))
        sel_reps = st.multiselect(t("reps", L), reps, key="reps",
                                  format_func=lambda r: r or t("no_owner", L), placeholder=t("all", L))

        segments = query("filters/segment_options", {})["segment"].tolist()
        url_state("segments", "list")
        clean_list("segments", set(segments))
        sel_segments = st.multiselect(t("segments", L), segments, key="segments",
                                      format_func=lambda s: s or t("no_segment", L), placeholder=t("all", L))

    names = {c: (country_name(c, L) if c != "unknown" else t("unknown", L)) for c in sel_countries}
    names |= {r: region_names.get(r, r) for r in sel_regions}
    v = viewer_params()
    return Filters(date_from, date_to, tuple(sel_countries), tuple(sel_regions), tuple(sel_reps), tuple(sel_segments),
                   all_customers=v["all_customers"], visible_reps=tuple(v["visible_reps"]), names=names)


def leave_legacy_pages_mode() -> None:
    """First thing in every run: make sure Streamlit runs this app as the st.navigation app it is.

    On a fresh server, until some run has called st.navigation, Streamlit treats the folder named pages/ as a legacy
    multipage app: it runs dashboard.py as a page of its own (a deep link /regions?... even runs that page alone).
    Widgets drawn in that first run get ids that the next run computes differently, so the first click after the
    server starts would reset the language, the period and every other filter. Clearing the mode and rerunning
    before anything is drawn costs one empty run, once per server."""
    from streamlit.runtime.pages_manager import PagesManager
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def page_filters() -> Filters:
    """The filters the entry point put in session state (a page run alone, see leave_legacy_pages_mode, reruns)."""
    filters = st.session_state.get("filters")
    if filters is None:
        leave_legacy_pages_mode()
    return filters


def currency() -> str:
    return st.session_state.get("_currency", "USD")


# --------------------------------------------------------------------------------------------- layout pieces

def page_header(title_key: str, filters: Filters, caption_key: str | None = None) -> None:
    L = lang()
    st.title(t(title_key, L))
    st.markdown(f"**{t('showing', L, text=md_text(filters.describe(L)))}**")
    if caption_key:
        st.caption(t(caption_key, L))
    for w in st.session_state.pop("_url_warnings", []) or []:
        st.warning(t("bad_url_value", L, value=md_text(w)))


def kpi_card(col, label: str, value: str, now: float, before: float | None, compare_words: str, help_text: str,
             spark: list | None = None, lower_is_better: bool = False, kind: str = "num") -> None:
    """A metric card; its change against `before` as i18n.fmt_change shows it (a rate in percentage points). The
    badge holds the change alone ("−5.4 个百分点 较 2026Q2" was cut on a laptop): the page says once what it is
    compared with; compare_words go into the card's help."""
    help_text = f"{compare_words}. {help_text}" if compare_words and before is not None else help_text
    change = fmt_change(now, before, kind, lang(), ascii_minus=True) if before is not None else "—"
    delta = None if change == "—" else change
    kwargs = {}
    if spark is not None and len(spark) > 1:
        kwargs = {"chart_data": spark, "chart_type": "area"}
    # No arrow and no colour for a change that is not one (no comparable base, or zero as shown: "+0.0 pp").
    no_base = change == t("change_no_base", lang()) or change.startswith("+0.0 ")
    col.metric(label, value, delta=delta, help=help_text, border=True,
               delta_color="off" if no_base else "inverse" if lower_is_better else "normal",
               delta_arrow="off" if no_base else "auto", **kwargs)


# Chart text in meeting mode, at 1920 px on a projector: axes, labels and legends at 16-18 px, titles at 24.
MEETING_FONTS = {"font": 18, "title": 24, "ticks": 16}


def chart(fig, key: str | None = None, **kwargs):
    if st.session_state.get("meeting"):
        fig = go_copy(fig)
        fig.update_layout(font_size=MEETING_FONTS["font"], title_font_size=MEETING_FONTS["title"],
                          legend_font_size=MEETING_FONTS["ticks"])
        fig.update_xaxes(tickfont_size=MEETING_FONTS["ticks"], title_font_size=MEETING_FONTS["font"])
        fig.update_yaxes(tickfont_size=MEETING_FONTS["ticks"], title_font_size=MEETING_FONTS["font"])
        fig.update_traces(textfont_size=MEETING_FONTS["ticks"], selector=lambda tr: "textfont" in tr)
    return st.plotly_chart(fig, theme=None, config=PLOTLY_CONFIG, key=key, **kwargs)


def go_copy(fig):
    """A copy of a figure (a cached figure is shared by every session; meeting mode must not change it for all)."""
    import plotly.graph_objects as go
    return go.Figure(fig)


def as_shown(df: pd.DataFrame) -> pd.DataFrame:
    """Numbers as the screen shows them, for a download: percentages and shares (a column named ..._pct, ..._share
    or ..._ratio) to one decimal, every other fractional number (money, hours, days) to two."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col].dtype):
            name = str(col).lower()
            out[col] = out[col].round(1 if name.endswith(("pct", "share", "ratio")) or "_pct_" in name else 2)
    return out


def to_csv(df: pd.DataFrame) -> bytes:
    """The CSV a download writes: UTF-8 with a BOM (Excel then reads Chinese correctly), RFC 4180 line ends (so a
    value holding a carriage return is quoted too), numbers as shown (as_shown), formula cells neutralised."""
    return safe_for_spreadsheet(as_shown(df)).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx(df: pd.DataFrame, sheet: str = "data") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter", engine_kwargs={"options": {"strings_to_formulas": False,
                                                                           "strings_to_urls": False}}) as xw:
        safe_for_spreadsheet(as_shown(df)).to_excel(xw, sheet_name=sheet[:31], index=False)
    return buf.getvalue()


def downloads(df: pd.DataFrame | Callable[[], pd.DataFrame], stem: str, key: str) -> None:
    """CSV and Excel buttons. The files are made when a button is clicked (Streamlit runs the callable then), not
    on every view: an Excel file of 100,000 rows takes seconds. df may itself be a callable giving the frame (a
    list longer than the page shows, fetched only for the download)."""
    L = lang()
    frame = df if callable(df) else (lambda: df)
    rows = None if callable(df) else len(df)
    row = st.container(horizontal=True)
    row.download_button(t("download_csv", L), lambda: to_csv(frame()),
                       file_name=f"{stem}.csv", mime="text/csv", key=f"{key}_csv",
                       on_click=audit, args=("download",), kwargs={"file": f"{stem}.csv", "rows": rows})
    row.download_button(t("download_xlsx", L), lambda: to_xlsx(frame(), stem), file_name=f"{stem}.xlsx",
                       on_click=audit, args=("download",), kwargs={"file": f"{stem}.xlsx", "rows": rows},
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx")


MEETING_COLUMNS = 5


def table(df: pd.DataFrame, columns: dict[str, tuple[str, str]], key: str, stem: str, height: int | None = None,
          download: bool = True, complete: Callable[[], pd.DataFrame] | None = None) -> None:
    """Show selected columns under translated headers, formatted by kind, with CSV and Excel downloads of the same.

    columns: source column -> (header, kind) with kind in text | int | money | pct | date | ratio, the most
    important first: in meeting mode the table shows the first MEETING_COLUMNS of them (read from the back of a
    room), while its downloads keep every column.
    complete: when df is the head of a longer list, gives the whole list for the downloads."""
    import streamlit as st
    every = columns
    if st.session_state.get("meeting"):
        columns = dict(list(columns.items())[:MEETING_COLUMNS])
    shown = _shown(df, columns)
    config, numbers = {}, {}
    for c, (h, kind) in columns.items():
        if kind in ("int", "money"):
            config[h] = st.column_config.NumberColumn(h, format="localized")
            numbers[h] = "{:,.0f}"
        elif kind == "pct":
            config[h] = st.column_config.NumberColumn(h, format="%.1f %%")
            numbers[h] = "{:.1f} %"
        elif kind == "ratio":
            config[h] = st.column_config.NumberColumn(h, format="%.1f ×")
            numbers[h] = "{:.1f} ×"
        elif kind == "date":
            config[h] = st.column_config.TextColumn(h)  # YYYY-MM-DD text (_blank_missing)
    if height and len(shown) * 35 + 40 < height:
        height = None  # a short table should not carry empty rows
    data = _blank_missing(shown, columns)
    # A missing number shows a dash, not the grid's "None" (in English whatever the page's language): a Styler gives
    # the shown text while the column stays numeric, so it still sorts by value.
    gaps = {h: f for h, f in numbers.items() if data[h].isna().any()}
    if gaps:
        for h in gaps:
            config.pop(h, None)
        data = data.style.format(gaps, na_rep="—")
    st.dataframe(data, hide_index=True, column_config=config, width="stretch", height=height or "auto",
                 key=f"{key}_table")
    if download:
        whole = shown if columns is every else _shown(df, every)  # outside meeting mode the table is the download
        downloads((lambda: _shown(complete(), every)) if complete is not None else whole, stem, key)


def _blank_missing(shown: pd.DataFrame, columns: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """What the table shows: a missing text or date as an empty cell. (Streamlit's grid writes "None" in any cell
    without a value, in English whatever the page's language, and takes no other text for it; a date shown as
    YYYY-MM-DD text still sorts by date. Missing numbers: table() shows a dash through a Styler. The downloads keep
    the values as they are.)"""
    out = shown.copy()
    for c, (h, kind) in columns.items():
        if kind == "text":
            out[h] = out[h].astype(object).where(out[h].notna(), "")
        elif kind == "date":
            out[h] = pd.to_datetime(out[h], errors="coerce").dt.strftime("%Y-%m-%d").astype(object).fillna("")
    return out


def _shown(df: pd.DataFrame, columns: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """The columns of a table under their headers, money rounded to whole units, counts as integers."""
    shown = df[list(columns)].rename(columns={c: h for c, (h, _) in columns.items()})
    for c, (h, kind) in columns.items():
        if kind == "money":
            shown[h] = shown[h].astype(float).round(0)
        elif kind == "int":
            shown[h] = pd.to_numeric(shown[h], errors="coerce").round(0).astype("Int64")
    return shown


__all__ = ["connection", "query", "computed", "lang", "sidebar_filters", "page_header",
           "kpi_card", "chart", "downloads", "table", "md_text", "section", "sync_url", "fmt_money", "fmt_int", "fmt_pct", "currency",
           "ensure_database", "freeze_long_lived"]
