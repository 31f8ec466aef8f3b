"""Data: upload exports, review the mapping, check, import (atomically), presets, history and roll back."""
import json

import pandas as pd
import streamlit as st

from cockpit import db, ui, uploads
from cockpit.readers import encoding_reason_code
from cockpit.importer import (ImportFailed, Spec, inspect_files, list_versions, load_mapping, rollback, run_import,
                              specs_to_yaml, suggest_country)
from cockpit.importer import KEEP_VERSIONS
from cockpit.schema import TABLES
from cockpit.i18n import fmt_int, t

L = ui.lang()


def field_label(name: str) -> str:
    """A field of the data model in the viewer's words (each table's fields have distinct words: tests/test_import.py)."""
    return name if name == "—" else t(f"import_field_{name}", L)


ui.page_filters()
st.title(t("page_data", L))
if ui.current_user().role != "executive":
    st.error(t("data_executives_only", L))
    st.stop()
st.caption(t("data_caption", L))

folder, token = uploads.session_folder(st.session_state.get("_upload_token"))
st.session_state["_upload_token"] = token
files = st.file_uploader(t("upload_label", L, mb=f"{uploads.max_upload_bytes() / 1048576:,.0f}"), accept_multiple_files=True,
                         type=["csv", "tsv", "txt", "xlsx", "xls", "xlsm", "parquet"], key=f"uploads_{st.session_state.get('_upload_round', 0)}")
saved = []
for f in files or []:
    try:
        saved.append(uploads.save_upload(folder, f.name, f.getvalue(), f.file_id))
    except uploads.UploadRefused as exc:
        st.error(t("upload_refused", L, why=ui.md_text(exc)))
keep = {p.name for p in saved} | {uploads.NAMES}
for old in folder.iterdir():
    if old.name not in keep:
        old.unlink()

presets = uploads.list_presets()
choice = st.selectbox(t("preset", L), [""] + list(presets), key="preset",
                      format_func=lambda k: t("preset_auto", L) if not k else k.split(":", 1)[1].replace("_", " ") + (" ✓" if k.startswith("saved") else ""))
preset_specs = load_mapping(presets[choice]) if choice else []
# A preset written for one kind of file ('file: "*"') applies to every upload.

def plan_lines(ins) -> None:
    """What the importer decided for this file and why (the plan `check` prints), in the viewer's language."""
    plan = ins.plan or {}
    quote = lambda items: t("list_sep", L).join(f"“{ui.md_text(x)}”" for x in items)  # noqa: E731
    lines = []
    if plan.get("kind"):
        why = [t("plan_why_mapping", L)] if plan.get("evidence", "").startswith("named in the mapping") else []
        if not why and plan.get("evidence_headers"):
            why.append(t("plan_why_headers", L, headers=quote(plan["evidence_headers"])))
        if plan.get("evidence_name"):
            why.append(t("plan_why_name", L))
        lines.append(t("plan_kind", L, table=t(f"table_{plan['kind']}", L),
                       why=t("list_sep", L).join(why or [t("plan_why_id", L)])))
    if plan.get("name_key"):
        lines.append(t("plan_name_key", L, header=ui.md_text(plan["name_key"])))
    code = encoding_reason_code(plan.get("encoding_why"))
    if code:
        lines.append(t(f"plan_encoding_{code}", L, encoding=plan["encoding"]))
    for c in plan.get("choices", []):
        rule = t("plan_rule_paid" if "paid" in c["rule"] else "plan_rule_alias", L)
        lines.append(t("plan_choice", L, field=c["field"], chosen=ui.md_text(c["chosen"]), others=quote(c["over"]), rule=rule))
    for column, seen in plan.get("markers", {}).items():
        lines.append(t("plan_markers", L, column=ui.md_text(column),
                       markers=t("list_sep", L).join(f"“{ui.md_text(m)}” × {fmt_int(n)}" for m, n in seen.items())))
    if lines:
        st.caption("  \n".join(lines))
    for s in plan.get("split", []):
        st.warning(t("plan_split", L, field=s["field"], candidates=quote(s["candidates"])))


TABLE_CHOICES = ["customers", "orders", "order_headers", "order_lines", "complaints", "pipeline_events", "fx_rates"]
reviewed: list[Spec] = []
if saved:
    inspections = inspect_files(saved, preset_specs)
    for i, ins in enumerate(inspections):
        spec = next((s for s in preset_specs if s.pattern and (s.pattern == "*" or ins.path.match(s.pattern))), None)
        shown_name = uploads.original_name(ins.path) + ins.label[len(ins.path.name):]  # the sheet, if any
        title = t("file_summary", L, file=ui.md_text(shown_name), table=t(f"table_{ins.table}", L) if ins.table else t("table_unknown", L),
                  rows=fmt_int(ins.rows), encoding=ins.encoding or "—")
        with st.expander(title, expanded=True):
            if ins.problem:
                st.error(ui.md_text(ins.problem))
                continue
            plan_lines(ins)
            if spec and spec.events:
                st.info(t("event_log_note", L, n=fmt_int(ins.rows)))
                st.dataframe(ins.preview, hide_index=True)
                reviewed.append(spec)
                continue
            key = f"tbl_{i}_{ins.label}"
            if st.session_state.get(key) not in TABLE_CHOICES:
                st.session_state[key] = ins.table if ins.table in TABLE_CHOICES else "orders"
            table = st.selectbox(t("file_table", L), TABLE_CHOICES, key=key, format_func=lambda v: t(f"table_{v}", L))
            base = "orders" if table in ("order_headers", "order_lines") else table
            fields = ["—"] + [f.name for f in TABLES[base]]
            by_header = {h: f for f, h in ins.mapping.items()}
            st.caption(t("mapping_caption", L))
            cols = st.columns(4)
            columns = {}
            for j, header in enumerate(ins.headers):
                mkey = f"map_{i}_{table}_{j}_{header}"
                if st.session_state.get(mkey) not in fields:
                    st.session_state[mkey] = by_header.get(header, "—") if by_header.get(header) in fields else "—"
                picked = cols[j % 4].selectbox(header, fields, key=mkey, format_func=field_label)
                if picked != "—" and picked not in columns:
                    columns[picked] = header
            st.markdown(f"**{t('preview', L)}**")
            st.dataframe(ins.preview, hide_index=True)
            reviewed.append(Spec(name=f"file_{i + 1}", table=table, pattern=ins.path.name, sheet=ins.sheet, columns=columns,
                                 defaults=spec.defaults if spec else {}, date_order=spec.date_order if spec else None, exact=True))

    replace = st.checkbox(t("replace_mode", L), key="replace_mode")
    c1, c2, _ = st.columns([1, 1, 3])
    check = c1.button(t("validate", L), key="validate")
    go = c2.button(t("import", L), key="do_import", type="primary")
    target = db.db_path()
    if check or go:
        try:
            if check:
                report = run_import(saved, target, specs=reviewed, replace=replace, check_only=True)
                st.success(t("check_ok", L, load=fmt_int(report.rows_loaded), quarantine=fmt_int(report.rows_quarantined)))
            else:
                bar = st.progress(0.0)
                report = run_import(saved, target, specs=reviewed, replace=replace,
                                    imported_by=(ui.current_user().username if st.session_state.get("_user") else ui.DEMO_IMPORTER),
                                    progress=lambda f, step, **v: bar.progress(min(1.0, f), text=t(step, L, **v)))
                ui.audit("import", files=[p.name for p in saved], rows_loaded=report.rows_loaded, replace=replace)
                st.success(t("import_done", L, load=fmt_int(report.rows_loaded), quarantine=fmt_int(report.rows_quarantined),
                             sec=f"{report.seconds:.1f}"))
                if report.rebuilt_customers is not None:
                    st.caption(t("import_top_up", L, n=fmt_int(report.rebuilt_customers)) + (
                        " " + t("import_top_up_from", L, day=report.rebuilt_from.isoformat()) if report.rebuilt_from else ""))
                st.cache_data.clear()
            if report.reasons:
                st.markdown(f"**{t('check_reasons', L)}**")
                st.dataframe(pd.DataFrame([{t("col_reason_q", L): r, t("col_count", L): n} for r, n in report.reasons.most_common()]),
                             hide_index=True)
                st.markdown(f"**{t('check_samples', L)}**")
                st.dataframe(pd.DataFrame(report.quarantine_sample[:20]).rename(columns={
                    "file": t("col_file", L), "row_number": t("col_row", L), "column_name": t("col_column", L),
                    "value": t("col_value_raw", L), "reason": t("col_reason_q", L)}), hide_index=True)
            if report.unresolved_countries:
                st.markdown(f"**{t('unresolved_countries', L)}**")
                st.dataframe(pd.DataFrame([{t("col_value_raw", L): v, t("col_count", L): n, t("suggestion", L): suggest_country(v) or "—"}
                                           for v, n in report.unresolved_countries.most_common()]), hide_index=True)
            for note in report.notes:
                st.caption(ui.md_text(note))
        except ImportFailed as exc:
            st.error(t("import_refused", L) + "\n\n" + "  \n".join(ui.md_text(line) for line in str(exc).splitlines()))

    with st.expander(t("save_preset", L)):
        name = st.text_input(t("preset_name", L), key="preset_name")
        if st.button(t("save_preset", L), key="save_preset_btn") and name.strip():
            try:
                path = uploads.save_preset(name.strip(), specs_to_yaml(reviewed))
                st.success(t("preset_saved", L, name=ui.md_text(path.stem)))
            except uploads.UploadRefused as exc:
                st.error(ui.md_text(exc))

SYSTEM_IMPORTERS = {ui.FIRST_START_IMPORTER: "who_first_start", ui.DEMO_IMPORTER: "who_demo"}
st.subheader(t("history_title", L))
log = ui.query("filters/import_log", {})
if len(log):
    # The importer's own words (the mode, and who imported when no person did) in the viewer's language.
    log["mode"] = log["mode"].map(lambda m: t(f"mode_{m}", L) if m in ("merge", "replace") else m)
    log["imported_by"] = log["imported_by"].map(lambda w: t(SYSTEM_IMPORTERS[w], L) if w in SYSTEM_IMPORTERS else w)
    log["files_text"] = log["files"].map(lambda j: "; ".join(f"{f['file']} ({f['sha256'][:12]}…)" for f in json.loads(j)))
    ui.table(log, {"import_id": (t("col_import", L), "int"), "started_at": (t("col_when", L), "text"),
                   "imported_by": (t("col_who", L), "text"), "mode": (t("col_mode", L), "text"),
                   "files_text": (t("col_files", L), "text"), "rows_read": (t("col_rows_read", L), "int"),
                   "rows_loaded": (t("col_rows_loaded", L), "int"), "rows_quarantined": (t("col_rows_quarantined", L), "int")},
             key="data_log", stem="import-log", height=260)

st.subheader(t("versions_title", L))
st.caption(t("versions_caption", L, n=KEEP_VERSIONS))
versions = [v.name for v in list_versions(db.db_path())]
if not versions:
    st.info(t("no_versions", L))
else:
    pick = st.selectbox(t("version_pick", L), versions, key="version_pick")
    if st.button(t("rollback", L), key="rollback"):
        try:
            rollback(db.db_path(), pick)
            ui.audit("rollback", version=pick)
            st.cache_data.clear()
            st.success(t("rolled_back", L, name=ui.md_text(pick)))
        except ImportFailed as exc:
            st.error(ui.md_text(exc))
