"""The quarterly review pack: a PowerPoint with native, editable charts and a self-contained offline HTML file.

Both are built from one `pack_data` so they always show the same numbers, and those numbers come from
kpis.compute (the KPI command's definitions)."""
from __future__ import annotations

import datetime as dt
import html
import io
from dataclasses import replace


from . import charts, churn, db, kpis
from . import complaints as cx
from . import records as rx
from .countries import country_name
from .filters import Filters, parse_quarter, period_params, quarter_label, quarter_of
from .i18n import fmt_amount, fmt_change, fmt_int, fmt_pct, t
from .overview import movers, summary
from .safety import neutralise

APPENDIX_KEYS = ["revenue", "orders", "active_customers", "new_customers", "complaints_received", "at_risk_customers",
                 "lapsed_customers", "revenue_at_risk", "nrr_pct", "grr_pct", "hhi_countries", "hhi_customers",
                 "top_country_share_pct", "top5_customers_share_pct", "first_response_hours_median",
                 "first_response_hours_p90", "resolution_hours_median", "resolution_hours_p90", "sla_breach_pct",
                 "open_complaints", "overdue_actions", "record_completeness_pct", "stale_records", "duplicate_clusters",
                 "public_pool_candidates"]


def plain(v) -> str:
    """Text for a cell; missing values (None, NaN) as a dash; a text a spreadsheet would run as a formula (a cell
    pasted from the pack into Excel) prefixed with ' (safety.neutralise)."""
    return "—" if v is None or (isinstance(v, float) and v != v) or v == "" else neutralise(str(v))


def exact(value) -> str:
    """The value as `cockpit kpis` prints it, with thousands separators (the test compares them)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def pack_data(con, filters: Filters, lang: str) -> dict:
    """Everything the pack shows, for the filters' quarter (the quarter holding the period end)."""
    q_start, q_end = quarter_of(filters.date_to)
    f = replace(filters, date_from=q_start, date_to=q_end)
    prev = replace(f, date_from=quarter_of(q_start - dt.timedelta(days=1))[0], date_to=q_start - dt.timedelta(days=1))
    ly = f.year_before()
    # The three quarters in one call: one query per KPI file for all of them.
    last_year, before, now = kpis.compute_many(con, [ly, prev, f])
    currency = now["reporting_currency"]
    country_movers, _ = movers(con, f, prev)
    p = f.params()
    flagged = churn.flagged_list(con, f, churn.RhythmRules(), lang, limit=15)
    funnel_rows = db.run(con, "churn/funnel_customers", p | {"cohorts": [], "channels": []})
    has_pipeline = bool(funnel_rows["has_pipeline"].any()) if len(funnel_rows) else False
    steps = churn.funnel_counts(funnel_rows, 1 if has_pipeline else 4)
    # Revenue by destination country: the Overview's own query (kpis/revenue_by_country.sql), largest first.
    by_country = db.run(con, "kpis/revenue_by_country", period_params([f]))[["country_code", "revenue"]]
    by_country["country_name"] = [country_name(c, lang) if c != "unknown" else t("unknown", lang) for c in by_country["country_code"]]
    severities = db.run(con, "complaints/severity_options", p)["severity"].tolist()
    monthly = db.run(con, "complaints/latency_by_month", p | cx.sla_params(cx.default_targets(severities)))
    completeness, _ = rx.completeness_tables(db.run(con, "customers/record_completeness", p | {"as_of": q_end} | {
        k: rx.VIEW_DEFAULTS[k] for k in ("stale_days", "pool_days")}))
    return {
        "lang": lang, "quarter": quarter_label(q_start), "filters": f, "filters_words": f.describe(lang),
        "currency": currency, "now": now, "previous": before, "last_year": last_year,
        "previous_label": quarter_label(prev.date_from), "last_year_label": quarter_label(ly.date_from),
        "summary": summary(now, before, country_movers, currency, lang, quarter_label(prev.date_from)),
        "flagged": flagged, "steps": steps, "has_pipeline": has_pipeline, "by_country": by_country,
        "monthly": monthly, "completeness": completeness,
        "generated": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    }


KPI_LABELS = {"revenue": "kpi_revenue", "orders": "kpi_orders", "active_customers": "kpi_active_customers",
              "new_customers": "kpi_new_customers", "complaints_received": "kpi_complaints_received",
              "at_risk_customers": "kpi_at_risk_customers", "lapsed_customers": "kpi_lapsed_customers",
              "revenue_at_risk": "kpi_revenue_at_risk", "nrr_pct": "kpi_nrr_pct", "grr_pct": "kpi_grr_pct",
              "hhi_countries": "hhi_countries", "hhi_customers": "hhi_customers",
              "top_country_share_pct": "kpi_top_country_share", "top5_customers_share_pct": "kpi_top5_customers",
              "first_response_hours_median": "kpi_first_response_median", "first_response_hours_p90": "kpi_first_response_p90",
              "resolution_hours_median": "kpi_resolution_median", "resolution_hours_p90": "kpi_resolution_p90",
              "sla_breach_pct": "kpi_sla_breach_pct", "open_complaints": "kpi_open_complaints",
              "overdue_actions": "kpi_overdue_actions", "record_completeness_pct": "kpi_record_completeness_pct",
              "stale_records": "kpi_stale_records", "duplicate_clusters": "kpi_duplicate_clusters",
              "public_pool_candidates": "kpi_public_pool_candidates"}

HEADLINE = [("revenue", "money"), ("active_customers", "int"), ("new_customers", "int"), ("lapsed_customers", "int"),
            ("nrr_pct", "pct"), ("top_country_share_pct", "pct"), ("hhi_countries", "num"),
            ("resolution_hours_median", "hours"), ("sla_breach_pct", "pct"), ("record_completeness_pct", "pct")]


def label(key: str, lang: str, currency: str) -> str:
    return t(KPI_LABELS[key], lang, currency=currency)  # labels without {currency} ignore it


def show(value, kind: str, lang: str) -> str:
    if value is None:
        return "—"
    return {"money": lambda v: fmt_amount(v, lang), "int": fmt_int, "pct": fmt_pct,
            "num": lambda v: f"{v:,.0f}", "hours": lambda v: t("value_hours", lang, v=f"{v:,.1f}")}[kind](value)


def delta(now, before, kind: str, lang: str) -> str:
    """The change as the Overview's cards show it (i18n.fmt_change: a rate in percentage points)."""
    return fmt_change(now, before, kind, lang)


# --------------------------------------------------------------------------------------------- PowerPoint

# Tables in the pack: 12 pt text in rows of 0.4 in; a 7.5 in slide holds, below its title (1.45 in) and above a
# 0.3 in foot, 14 rows: the header and 13 rows of data.
TABLE_PT = 12
ROW_INCHES = 0.4
ROWS_PER_SLIDE = 13


def to_pptx(data: dict) -> bytes:
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.util import Inches, Pt

    L, cur = data["lang"], data["currency"]
    font = "Microsoft YaHei" if L == "zh" else "Calibri"
    navy = RGBColor(0x1F, 0x4E, 0x79)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank = prs.slide_layouts[6]

    def text(slide, x, y, w, h, value, size=18, bold=False, color=None):
        box = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
        tf = box.text_frame
        tf.word_wrap = True
        tf.text = value
        for para in tf.paragraphs:
            for run in para.runs:
                run.font.size, run.font.bold, run.font.name = Pt(size), bold, font
                if color is not None:
                    run.font.color.rgb = color
        return box

    def titled(title):
        s = prs.slides.add_slide(blank)
        text(s, 0.5, 0.3, 12.3, 0.8, title, 30, True, navy)
        text(s, 0.5, 1.0, 12.3, 0.4, data["filters_words"], 12)
        return s

    def chart(slide, kind, categories, series, x, y, w, h, number_format="#,##0", legend=False):
        cd = CategoryChartData()
        cd.categories = categories
        for name, values in series:
            cd.add_series(name, [None if v is None or v != v else float(v) for v in values])
        gf = slide.shapes.add_chart(kind, Inches(x), Inches(y), Inches(w), Inches(h), cd)
        c = gf.chart
        c.has_legend = legend
        if legend:
            c.legend.position = XL_LEGEND_POSITION.TOP
            c.legend.include_in_layout = False
        c.font.size, c.font.name = Pt(14), font
        plot = c.plots[0]
        plot.has_data_labels = True
        plot.data_labels.number_format, plot.data_labels.number_format_is_linked = number_format, False
        plot.data_labels.font.size = Pt(12)
        return c

    def paged_table(title, header, rows, w, col_widths, per_slide):
        """A table over as many slides as it needs, `per_slide` rows each (what fits at 12 pt between the title and
        the slide's foot), its header repeated; continued slides say so in their title ("(2/3)")."""
        pages = [rows[i:i + per_slide] for i in range(0, len(rows), per_slide)] or [[]]
        for n, chunk in enumerate(pages, start=1):
            s = titled(title if len(pages) == 1 else f"{title} ({n}/{len(pages)})")
            table(s, header, chunk, 0.5, 1.45, w, col_widths, TABLE_PT)

    def table(slide, header, rows, x, y, w, col_widths=None, size=12):
        shape = slide.shapes.add_table(len(rows) + 1, len(header), Inches(x), Inches(y), Inches(w),
                                       Inches(ROW_INCHES * (len(rows) + 1)))
        tb = shape.table
        for j, h in enumerate(header):
            tb.cell(0, j).text = h
        for i, row in enumerate(rows, start=1):
            for j, v in enumerate(row):
                tb.cell(i, j).text = neutralise(str(v))
        for i in range(len(rows) + 1):
            for j in range(len(header)):
                for para in tb.cell(i, j).text_frame.paragraphs:
                    for run in para.runs:
                        run.font.size, run.font.name = Pt(size), font
        if col_widths:
            for j, cw in enumerate(col_widths):
                tb.columns[j].width = Inches(cw)
        return tb

    # 1 Title
    s = prs.slides.add_slide(blank)
    text(s, 0.8, 2.2, 11.7, 1.2, t("pack_title", L, period=data["quarter"]), 40, True, navy)
    text(s, 0.8, 3.5, 11.7, 1.0, data["filters_words"], 20)
    text(s, 0.8, 4.5, 11.7, 0.6, t("pack_subtitle", L, when=data["generated"]), 14)

    # 2 KPIs
    s = titled(t("pack_kpis", L))
    now, prev, ly = data["now"], data["previous"], data["last_year"]
    for i, (key, kind) in enumerate(HEADLINE):
        col, row = i % 5, i // 5
        x, y = 0.5 + col * 2.5, 1.6 + row * 2.2
        text(s, x, y, 2.4, 0.5, label(key, L, cur), 13)
        text(s, x, y + 0.45, 2.4, 0.8, show(now.get(key), kind, L), 30, True, navy)
        text(s, x, y + 1.25, 2.4, 0.7, f"{delta(now.get(key), prev.get(key), kind, L)} {t('kpi_change_prev', L)}\n"
                                        f"{delta(now.get(key), ly.get(key), kind, L)} {t('kpi_change_ly', L)}", 11)
    text(s, 0.5, 6.1, 12.3, 1.2, data["summary"], 14)

    # 3 Churn
    s = titled(t("pack_churn", L))
    steps = data["steps"]
    chart(s, XL_CHART_TYPE.BAR_CLUSTERED, [t(churn.STEPS[lv], L) for lv in steps["level"]][::-1],
          [(t("col_customers", L), steps["reached"].tolist()[::-1])], 0.5, 1.5, 6.0, 5.5)
    fl = data["flagged"]
    table(s, [t("col_customer", L), t("col_status", L), t("col_revenue_l12m", L, currency=cur)],
          [[plain(r.customer_name) if plain(r.customer_name) != "—" else r.customer_id, t(f"status_{r.status}", L), fmt_int(r.revenue_l12m)]
           for r in fl.head(10).itertuples()],
          6.8, 1.5, 6.0, [3.2, 1.2, 1.6], TABLE_PT)

    # 4 Regions
    s = titled(t("pack_regions", L))
    bc = data["by_country"].head(10)
    chart(s, XL_CHART_TYPE.BAR_CLUSTERED, bc["country_name"].tolist()[::-1],
          [(t("col_revenue", L, currency=cur), bc["revenue"].tolist()[::-1])], 0.5, 1.5, 7.5, 5.5)
    text(s, 8.3, 1.6, 4.6, 4.0, "\n".join([
        f"{t('hhi_countries', L)}: {show(now['hhi_countries'], 'num', L)}",
        f"{t('hhi_customers', L)}: {show(now['hhi_customers'], 'num', L)}",
        f"{t('kpi_top_country', L, country=country_name(now['top_country'], L) if now['top_country'] else '—')}: "
        f"{show(now['top_country_share_pct'], 'pct', L)}",
        f"{t('kpi_top5_customers', L)}: {show(now['top5_customers_share_pct'], 'pct', L)}",
    ]), 18)

    # 5 Complaints
    s = titled(t("pack_complaints", L))
    m = data["monthly"]
    if len(m):
        chart(s, XL_CHART_TYPE.LINE_MARKERS, [d.strftime("%Y-%m") for d in m["month"]],
              [(f"{t('resolution', L)} {t('median', L)}", m["resolution_median_h"].round(1).tolist()),
               (f"{t('resolution', L)} P90", m["resolution_p90_h"].round(1).tolist())], 0.5, 1.5, 8.0, 5.5, "#,##0", True)
    text(s, 8.8, 1.6, 4.2, 4.0, "\n".join(f"{label(k, L, cur)}: {show(now.get(k), kind, L)}" for k, kind in (
        ("first_response_hours_median", "hours"), ("resolution_hours_median", "hours"), ("resolution_hours_p90", "hours"),
        ("sla_breach_pct", "pct"), ("open_complaints", "int"), ("overdue_actions", "int"))), 16)

    # 6 Records
    s = titled(t("pack_records", L))
    comp = data["completeness"].sort_values("filled_pct")
    chart(s, XL_CHART_TYPE.BAR_CLUSTERED, [t(f"field_{f}", L) for f in comp["field"]],
          [(t("chart_completeness", L), comp["filled_pct"].round(1).tolist())], 0.5, 1.5, 7.5, 5.5, "0.0")
    text(s, 8.3, 1.6, 4.6, 4.0, "\n".join(f"{label(k, L, cur)}: {show(now.get(k), kind, L)}" for k, kind in (
        ("record_completeness_pct", "pct"), ("stale_records", "int"), ("duplicate_clusters", "int"),
        ("public_pool_candidates", "int"))) + "\nA / B / C: " + " / ".join(fmt_int(now["segment_counts"].get(k, 0)) for k in "ABC"), 18)

    # 7 Appendix: exact KPI values (over as many slides as it takes, header repeated)
    rows = [[label(k, L, cur), k, exact(now.get(k)), exact(prev.get(k)), exact(ly.get(k))] for k in APPENDIX_KEYS]
    paged_table(t("pack_appendix", L),
                [t("col_kpi", L), t("col_key", L), f"{t('col_value', L)} {data['quarter']}",
                 f"{t('col_previous', L)} {data['previous_label']}", f"{t('col_last_year', L)} {data['last_year_label']}"],
                rows, 12.3, [3.6, 2.9, 1.95, 1.95, 1.9], ROWS_PER_SLIDE)

    # 8 Appendix: flagged customers (a reason may take two lines: fewer rows a slide)
    paged_table(t("pack_appendix_flagged", L),
                [t("col_customer", L), t("col_status", L), t("col_reason", L), t("col_revenue_l12m", L, currency=cur),
                 t("col_rep", L)],
                [[plain(r.customer_name), t(f"status_{r.status}", L), r.reason, fmt_int(r.revenue_l12m), plain(r.sales_rep)]
                 for r in fl.itertuples()], 12.3, [2.8, 1.0, 5.5, 1.6, 1.4], ROWS_PER_SLIDE // 2)

    # 9 Appendix: countries
    total = data["by_country"]["revenue"].clip(lower=0).sum()
    paged_table(t("pack_appendix_countries", L), [t("col_country", L), t("col_revenue", L, currency=cur), t("col_share_pct", L)],
                [[r.country_name, fmt_int(r.revenue), fmt_pct(r.revenue / total * 100 if total else None)]
                 for r in data["by_country"].head(15).itertuples()], 8.0, [3.5, 2.5, 2.0], ROWS_PER_SLIDE)

    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------- HTML

def to_html(data: dict) -> bytes:
    """One file: plotly.js inlined once, figures as JSON, tables as HTML; no request leaves the file."""
    import plotly.offline as po
    L, cur = data["lang"], data["currency"]
    now, prev, ly = data["now"], data["previous"], data["last_year"]
    figs = [charts.funnel(data["steps"], L),
            charts.revenue_by_country_bar(data["by_country"], cur, L)]
    if len(data["monthly"]):
        figs.append(charts.latency_trend(data["monthly"], L, t("unit_hours", L)))
    figs.append(charts.completeness_bars(data["completeness"], L))
    parts = [fig.to_html(full_html=False, include_plotlyjs=False, include_mathjax=False,
                         config={"displaylogo": False, "topojsonURL": "data:,"}) for fig in figs]
    esc = html.escape
    cards = "".join(
        f"<div class='card'><div class='lbl'>{esc(label(k, L, cur))}</div><div class='val'>{esc(show(now.get(k), kind, L))}</div>"
        f"<div class='dl'>{esc(delta(now.get(k), prev.get(k), kind, L))} {esc(t('kpi_change_prev', L))} · "
        f"{esc(delta(now.get(k), ly.get(k), kind, L))} {esc(t('kpi_change_ly', L))}</div></div>" for k, kind in HEADLINE)
    appendix = "".join(f"<tr><td>{esc(label(k, L, cur))}</td><td><code>{k}</code></td><td>{esc(exact(now.get(k)))}</td>"
                       f"<td>{esc(exact(prev.get(k)))}</td><td>{esc(exact(ly.get(k)))}</td></tr>" for k in APPENDIX_KEYS)
    flagged = "".join(f"<tr><td>{esc(plain(r.customer_name))}</td><td>{esc(t(f'status_{r.status}', L))}</td>"
                      f"<td>{esc(r.reason)}</td><td class='n'>{fmt_int(r.revenue_l12m)}</td><td>{esc(plain(r.sales_rep))}</td></tr>"
                      for r in data["flagged"].itertuples())
    doc = f"""<!doctype html><html lang="{'zh-CN' if L == 'zh' else 'en'}"><head><meta charset="utf-8">
<title>{esc(t('pack_title', L, period=data['quarter']))}</title>
<style>
body{{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",Helvetica,Arial,sans-serif;margin:32px;color:#1b2631}}
h1{{color:#1f4e79;margin-bottom:4px}} h2{{color:#1f4e79;margin-top:36px}}
.cards{{display:grid;grid-template-columns:repeat(5,1fr);gap:12px}} .card{{border:1px solid #d5dbdb;border-radius:8px;padding:12px}}
.lbl{{font-size:14px;color:#566573}} .val{{font-size:30px;font-weight:700;color:#1f4e79}} .dl{{font-size:12px;color:#566573}}
table{{border-collapse:collapse;width:100%;font-size:13px}} td,th{{border-bottom:1px solid #e5e8e8;padding:4px 8px;text-align:left}}
td.n{{text-align:right}} .summary{{font-size:18px;background:#eaf1f8;padding:12px;border-radius:8px}}
@page{{size:A4 landscape;margin:12mm}}
@media print{{body{{margin:0}} h2{{break-before:page}} tr,.card,.js-plotly-plot{{break-inside:avoid}}
thead{{display:table-header-group}} .cards{{grid-template-columns:repeat(5,1fr)}}}}
</style><script>{po.get_plotlyjs()}</script></head><body>
<h1>{esc(t('pack_title', L, period=data['quarter']))}</h1>
<p><b>{esc(data['filters_words'])}</b><br>{esc(t('pack_subtitle', L, when=data['generated']))}</p>
<h2>{esc(t('pack_kpis', L))}</h2><div class="cards">{cards}</div>
<p class="summary">{esc(data['summary'])}</p>
<h2>{esc(t('pack_churn', L))}</h2>{parts[0]}
<h2>{esc(t('pack_regions', L))}</h2>{parts[1]}
<h2>{esc(t('pack_complaints', L))}</h2>{parts[2] if len(parts) > 3 else ''}
<h2>{esc(t('pack_records', L))}</h2>{parts[-1]}
<h2>{esc(t('pack_appendix', L))}</h2><table><thead><tr><th>{esc(t('col_kpi', L))}</th><th>{esc(t('col_key', L))}</th>
<th>{esc(data['quarter'])}</th><th>{esc(data['previous_label'])}</th><th>{esc(data['last_year_label'])}</th></tr></thead>{appendix}</table>
<h2>{esc(t('pack_appendix_flagged', L))}</h2><table><thead><tr><th>{esc(t('col_customer', L))}</th><th>{esc(t('col_status', L))}</th>
<th>{esc(t('col_reason', L))}</th><th>{esc(t('col_revenue_l12m', L, currency=cur))}</th><th>{esc(t('col_rep', L))}</th></tr></thead>{flagged}</table>
</body></html>"""
    return doc.encode("utf-8")


def build(con, filters: Filters, lang: str, fmt: str) -> bytes:
    """The pack as .pptx or .html (build_both: both from one pack_data)."""
    data = pack_data(con, filters, lang)
    return to_pptx(data) if fmt == "pptx" else to_html(data)


def build_both(con, filters: Filters, lang: str) -> tuple[bytes, bytes]:
    """The pack as .pptx and as .html, worked out once."""
    data = pack_data(con, filters, lang)
    return to_pptx(data), to_html(data)


def filters_for_quarter(quarter: str, countries=(), all_customers: bool = False, visible_reps=()) -> Filters:
    start, end = parse_quarter(quarter)
    return Filters(start, end, tuple(countries), all_customers=all_customers, visible_reps=tuple(visible_reps))
