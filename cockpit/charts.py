"""Chart builders: pure functions DataFrame -> go.Figure, all in the one theme (theme.py)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import theme  # noqa: F401 - registers the template
from .i18n import fmt_amount, fmt_money, severity_word, t
from .safety import chart_text
from .theme import ACCENT, PALETTE, PRIMARY


# --------------------------------------------------------------------------------------------- axes in the viewer's language

def _nice_ticks(top: float, bottom: float = 0.0, n: int = 5) -> list[float]:
    """About n round tick values from bottom to top (1, 2 or 5 times a power of ten apart)."""
    span = max(float(top) - float(bottom), 1e-9)
    raw = span / n
    power = 10 ** np.floor(np.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = np.floor(bottom / step) * step
    return [float(v) for v in np.arange(first, top + step * 0.999, step)]


# A 0-100 % axis ticked every 20 up to 100 % (Plotly drops a suffix given with explicit tick values).
PERCENT_TICKS = dict(tickvals=list(range(0, 101, 20)), ticktext=[f"{v} %" for v in range(0, 101, 20)])


def amount_axis(fig: go.Figure, values, lang: str, axis: str = "y", **kwargs) -> None:
    """A money or count axis labelled as the cards label amounts: '2 M' in English, '200 万' / '1.2 亿' in Chinese
    (Plotly's own SI ticks would say 2M beside labels in 万)."""
    vals = pd.to_numeric(pd.Series(list(values)), errors="coerce").dropna()
    top = float(vals.max()) if len(vals) else 1.0
    bottom = min(float(vals.min()), 0.0) if len(vals) else 0.0
    ticks = _nice_ticks(top * kwargs.pop("headroom", 1.0), bottom)
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    update(tickvals=ticks, ticktext=[_tick(v, lang) for v in ticks], **kwargs)


def _tick(value: float, lang: str) -> str:
    """fmt_amount without trailing zeros ('2.5 M', '200 万'): a tick is a round number."""
    if not value:
        return "0"
    return re.sub(r"\.(?=\s|$)", "", re.sub(r"(\.\d*?)0+(?=\s|$)", r"\1", fmt_amount(value, lang)))


def date_axis(fig: go.Figure, lang: str, grain: str = "month", axis: str = "x", **kwargs) -> None:
    """Dates on an axis in the viewer's language: 2026-10 / 2026年10月 (months), Oct 4 / 10月4日 (days)."""
    formats = {("month", "en"): "%Y-%m", ("month", "zh"): "%Y年%m月", ("day", "en"): "%b %d, %Y",
               ("day", "zh"): "%Y年%m月%d日"}
    update = fig.update_xaxes if axis == "x" else fig.update_yaxes
    update(tickformat=formats[(grain, "zh" if lang == "zh" else "en")], **kwargs)


def hours_log_axis(fig: go.Figure, axis: str = "y") -> None:
    """A log axis of hours ticked at 1, 10, 100, 1,000 and 10,000 h (not Plotly's '2 3 4 … 100 2 3 4')."""
    ticks = [0.1, 1, 10, 100, 1000, 10000]
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    update(type="log", tickvals=ticks, ticktext=[f"{v:,g}" for v in ticks], minor=dict(showgrid=False))


def revenue_by_month(df: pd.DataFrame, currency: str, lang: str, previous: pd.DataFrame | None = None) -> go.Figure:
    """Bars of monthly revenue; a line of the same months a year earlier when given."""
    fig = go.Figure()
    fig.add_bar(x=df["month_start"], y=df["revenue"], name=t("kpi_revenue", lang), marker_color=PRIMARY,
                customdata=[fmt_money(v, currency, lang, compact=False) for v in df["revenue"]],
                hovertemplate="%{x|%Y-%m}<br>%{customdata}<extra></extra>")
    if previous is not None and len(previous):
        shifted = previous.assign(month_start=pd.to_datetime(previous["month_start"]) + pd.DateOffset(years=1))
        fig.add_scatter(x=shifted["month_start"], y=shifted["revenue"], mode="lines+markers",
                        name=t("same_month_last_year", lang), line=dict(color=ACCENT, width=3),
                        hovertemplate="%{x|%Y-%m} −1y<br>%{y:,.0f}<extra></extra>")
    fig.update_layout(title=t("chart_revenue_by_month", lang, currency=currency), height=420, bargap=0.25,
                      xaxis_title=None, yaxis_title=t("axis_revenue", lang, currency=currency))
    date_axis(fig, lang, dtick="M1" if len(df) <= 15 else "M3")
    amount_axis(fig, list(df["revenue"]) + (list(previous["revenue"]) if previous is not None and len(previous) else []),
                lang)
    return fig


def revenue_by_country_bar(df: pd.DataFrame, currency: str, lang: str, top: int = 10) -> go.Figure:
    """Horizontal bars of the largest countries by revenue, largest on top, with share labels."""
    d = df.head(top).iloc[::-1]
    total = df["revenue"].sum()
    labels = [f"{fmt_amount(v, lang)} · {(v / total * 100) if total else 0:.1f} %" for v in d["revenue"]]
    fig = go.Figure(go.Bar(x=d["revenue"], y=d["country_name"], orientation="h", marker_color=PRIMARY,
                           text=labels, textposition="outside", cliponaxis=False,
                           hovertemplate="%{y}<br>%{text}<extra></extra>"))
    fig.update_layout(title=t("chart_revenue_by_country", lang, currency=currency), height=60 + 38 * max(len(d), 3),
                      xaxis_title=None, yaxis_title=None, showlegend=False)
    # Room on the right for the outside labels, so nothing is cut off on a laptop screen.
    amount_axis(fig, d["revenue"], lang, axis="x", range=[0, float(d["revenue"].max() or 1) * 1.45])
    return fig


def funnel(df: pd.DataFrame, lang: str) -> go.Figure:
    """Lifecycle funnel: customers reaching each step, with the conversion from the step before."""
    from .churn import STEPS
    labels = [t(STEPS[lv], lang) for lv in df["level"]]
    text = [f"{r:,}" + ("" if c is None or c != c else f"  ({c:.0f} %)") for r, c in zip(df["reached"], df["conversion_pct"])]
    fig = go.Figure(go.Funnel(y=labels, x=df["reached"], text=text, textinfo="text", textfont=dict(size=17),
                              marker=dict(color=PALETTE_STEPS[: len(df)]), connector=dict(line=dict(color="#bdc3c7")),
                              hovertemplate="%{y}: %{x:,}<extra></extra>"))
    fig.update_layout(title=t("chart_funnel", lang), height=430, yaxis_title=None)
    return fig


PALETTE_STEPS = ["#0e2a47", "#1f4e79", "#2e6da4", "#4a90c2", "#7fb3d5", "#3a9d8f"]


def cohort_heatmap(df: pd.DataFrame, value: str, lang: str) -> go.Figure:
    """First-order quarter (rows) x quarters since (columns), coloured by retention %."""
    col = "customer_retention_pct" if value == "customers" else "revenue_retention_pct"
    grid = df.pivot(index="cohort", columns="quarters_since", values=col).sort_index(ascending=False)
    text = [[("" if v != v else f"{v:.0f}") for v in row] for row in grid.to_numpy()]
    fig = go.Figure(go.Heatmap(z=grid.to_numpy(), x=[f"+{c}" for c in grid.columns], y=list(grid.index),
                               text=text, texttemplate="%{text}", textfont=dict(size=13),
                               colorscale=[[0, "#fdf2e9"], [0.5, "#7fa9d6"], [1, "#0e2a47"]], zmin=0,
                               zmax=100 if value == "customers" else max(100, float(pd.Series(grid.to_numpy().ravel()).quantile(0.95) or 100)),
                               colorbar=dict(title="%", thickness=14),
                               hovertemplate=t("heat_hover", lang) + "<extra></extra>"))
    title = t("chart_cohort_customers", lang) if value == "customers" else t("chart_cohort_revenue", lang)
    fig.update_layout(title=title, height=80 + 28 * max(len(grid), 4), xaxis_title=t("axis_quarters_since", lang),
                      yaxis_title=t("axis_first_order_quarter", lang))
    fig.update_xaxes(side="bottom", showgrid=False)
    fig.update_yaxes(type="category", showgrid=False)
    return fig


def retention_lines(df: pd.DataFrame, lang: str) -> go.Figure:
    """NRR and GRR per quarter, with 100 % marked."""
    fig = go.Figure()
    fig.add_scatter(x=df["quarter"], y=df["nrr_pct"], name="NRR", mode="lines+markers+text", line=dict(color=PRIMARY, width=3),
                    text=[f"{v:.0f} %" for v in df["nrr_pct"]], textposition="top center")
    fig.add_scatter(x=df["quarter"], y=df["grr_pct"], name="GRR", mode="lines+markers+text", line=dict(color=ACCENT, width=3),
                    text=[f"{v:.0f} %" for v in df["grr_pct"]], textposition="bottom center")
    fig.add_hline(y=100, line=dict(color="#7f8c8d", dash="dot"), annotation_text="100 %", annotation_position="right")
    # (Room on the right for the 100 % mark's label, which sits outside the plot: the theme's 20 px cut it to "10".)
    fig.update_layout(title=t("chart_nrr_grr", lang), height=380, yaxis_title="%", xaxis_title=None,
                      margin=dict(r=56))
    # Headroom above the highest point for its label (on a laptop's narrow column "106 %" was cut to ".06 %").
    top = pd.concat([df["nrr_pct"], df["grr_pct"]]).max()
    fig.update_yaxes(range=[0, max(110.0, float(top) * 1.15 if pd.notna(top) else 110.0)])
    # Half a quarter of room either side: a label centred on the first or last point is not cut at the plot's edge.
    fig.update_xaxes(type="category", range=[-0.5, len(df) - 0.5])
    return fig


def status_bars(counts: dict, lang: str) -> go.Figure:
    """Customers by churn status as one stacked bar. A segment too narrow for its label at 14 px shows none (Plotly
    shrank it to ~8 px on a laptop); the legend above names every status with its count."""
    from .theme import BAD, GOOD
    fig = go.Figure()
    for key, color in (("on_rhythm", GOOD), ("at_risk", ACCENT), ("lapsed", BAD)):
        label = f"{t(f'status_{key}', lang)} {counts.get(key, 0):,}"
        fig.add_bar(y=[""], x=[counts.get(key, 0)], orientation="h", name=label, marker_color=color,
                    text=[label], textposition="inside", insidetextanchor="middle", textangle=0)
    fig.update_layout(barmode="stack", height=140, showlegend=True, margin=dict(t=40, b=10), xaxis_visible=False,
                      uniformtext=dict(minsize=14, mode="hide"),
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, traceorder="normal"))
    return fig


def world_map(df: pd.DataFrame, measure: str, currency: str, lang: str) -> go.Figure:
    """Choropleth by ISO-3 code; shapes come from ./static (theme.PLOTLY_CONFIG), never from a CDN."""
    from .theme import SEQUENTIAL
    d = df[df["country_iso3"].notna()]
    names = d["country_name_zh"] if lang == "zh" else d["country_name_en"]
    values = d[measure]
    diverging = measure == "change_pct"
    if diverging:
        colorscale = [[0, "#c0392b"], [0.5, "#f7f9f9"], [1, "#1e8449"]]
        limit = float(values.abs().quantile(0.9) or 50) if len(values) else 50
        zmin, zmax = -limit, limit
    else:
        colorscale = [[i / (len(SEQUENTIAL) - 1), c] for i, c in enumerate(SEQUENTIAL)]
        zmin, zmax = 0, float(values.max() or 1) if len(values) else 1
    fmt = {"revenue": lambda v: fmt_money(v, currency, lang), "active_customers": lambda v: f"{int(v):,}",
           "change_pct": lambda v: "—" if v != v else f"{v:+.1f} %", "share_pct": lambda v: f"{v:.1f} %"}[measure]
    colorbar = dict(thickness=14, len=0.8, title=dict(text=t(f"measure_{measure}", lang), side="right"))
    if measure == "revenue":   # ticked as the cards say amounts (万 in Chinese), not Plotly's 2M
        ticks = _nice_ticks(zmax)
        colorbar |= dict(tickvals=ticks, ticktext=[_tick(v, lang) for v in ticks])
    elif measure in ("change_pct", "share_pct"):
        colorbar |= dict(ticksuffix=" %")
    # One figure dict, validated once by go.Figure (every Regions run draws the map: ~10 -> ~3 ms).
    trace = {"type": "choropleth", "locations": d["country_iso3"].tolist(), "z": values.tolist(), "locationmode": "ISO-3",
             "text": names.tolist(), "customdata": d["country_code"].tolist(),
             "hovertext": [f"{n}: {fmt(v)}" for n, v in zip(names, values)], "hoverinfo": "text",
             "colorscale": colorscale, "zmin": zmin, "zmax": zmax,
             "marker": {"line": {"color": "white", "width": 0.5}}, "colorbar": colorbar}
    geo = {"resolution": 50, "showcountries": True, "countrycolor": "#d5dbdb", "showcoastlines": False,
           "showland": True, "landcolor": "#f2f3f4", "showframe": False,
           "projection": {"type": "natural earth", "rotation": {"lon": 0}}, "center": {"lon": 10, "lat": 20},
           "lataxis": {"range": [-58, 85]}}
    layout = {"title": {"text": t("chart_map", lang, measure=t(f"measure_{measure}", lang))}, "height": 520,
              "margin": {"l": 0, "r": 0, "t": 50, "b": 0}, "clickmode": "event+select", "geo": geo}
    return go.Figure({"data": [trace], "layout": layout})


def region_bars(df: pd.DataFrame, label_col: str, currency: str, lang: str, title: str) -> go.Figure:
    d = df.sort_values("revenue").tail(12)
    total = df["revenue"].clip(lower=0).sum()
    fig = go.Figure(go.Bar(x=d["revenue"], y=chart_text(d[label_col]), orientation="h", marker_color=PRIMARY,
                           text=[f"{fmt_amount(v, lang)} · {(v / total * 100) if total else 0:.1f} %" for v in d["revenue"]],
                           textposition="outside", cliponaxis=False, hovertemplate="%{y}<br>%{text}<extra></extra>"))
    fig.update_layout(title=title, height=80 + 36 * max(len(d), 3), xaxis_title=None, yaxis_title=None)
    amount_axis(fig, d["revenue"], lang, axis="x", range=[0, float(d["revenue"].max() or 1) * 1.45])
    return fig


PARETO_POINTS = 1200


def pareto_points(curve: pd.DataFrame, most: int = PARETO_POINTS) -> pd.DataFrame:
    """The curve's rows to draw: all of them up to `most`; beyond, evenly spaced customer ranks (x) and the first
    customer past each evenly spaced revenue level (y), so the steep head and the flat tail are both followed. A
    chart is under a thousand pixels wide, so the line looks the same (within a fifth of a percentage point), and
    the browser receives a few kilobytes instead of megabytes (200,000 customers: 6 MB of points)."""
    n = len(curve)
    if n <= most:
        return curve
    half = most // 2 - 1
    by_rank = np.linspace(0, n - 1, half).round().astype(np.int64)
    levels = np.linspace(0.0, float(curve["revenue_pct"].iloc[-1]), half)
    by_revenue = np.minimum(np.searchsorted(curve["revenue_pct"].to_numpy(), levels), n - 1)
    return curve.iloc[np.unique(np.concatenate([by_rank, by_revenue, [n - 1]]))]


def pareto_curve(curve: pd.DataFrame, lang: str, marker_pct: float | None) -> go.Figure:
    """One figure dict, validated once by go.Figure: building it through add_scatter and update_* took ~12 ms of
    every Regions run (~4 ms this way)."""
    curve = pareto_points(curve)
    traces = [
        {"type": "scatter", "x": [0] + curve["customers_pct"].tolist(), "y": [0] + curve["revenue_pct"].tolist(),
         "mode": "lines", "line": {"color": PRIMARY, "width": 3}, "name": t("pareto_curve", lang),
         "hovertemplate": t("pareto_hover", lang) + "<extra></extra>"},
        {"type": "scatter", "x": [0, 100], "y": [0, 100], "mode": "lines", "line": {"color": "#bdc3c7", "dash": "dot"},
         "name": t("pareto_equal", lang), "hoverinfo": "skip"},
    ]
    if marker_pct is not None:
        traces.append({"type": "scatter", "x": [marker_pct], "y": [80], "mode": "markers+text",
                       "marker": {"size": 12, "color": ACCENT}, "text": [t("pareto_marker", lang, x=f"{marker_pct:.0f}")],
                       "textposition": "middle right", "showlegend": False})
    # Ticks named up to 100 % on both axes (a range ending at 100 drops the last tick label).
    layout = {"title": {"text": t("chart_pareto", lang)}, "height": 400, "showlegend": False,
              "xaxis": {"title": {"text": t("axis_customers_pct", lang)}, "range": [0, 102], **PERCENT_TICKS},
              "yaxis": {"title": {"text": t("axis_revenue_pct", lang)}, "range": [0, 102], **PERCENT_TICKS}}
    return go.Figure({"data": traces, "layout": layout})


def hhi_trend(df: pd.DataFrame, lang: str, bands: tuple[float, float]) -> go.Figure:
    """Quarterly HHI over countries and customers against the reference bands, top-country share on the right.

    One figure dict (bands as shapes with their names as annotations): add_hrect and the updates through Plotly's
    object model cost ~25 ms of every Regions run."""
    low, high = bands
    top = max(10000 if df.empty else float(max(df["hhi_countries"].max(), df["hhi_customers"].max())) * 1.2, high * 1.25)
    top = min(top, 10000)
    shapes, notes = [], []
    for y0, y1, colour, text in ((0, low, "#e9f7ef", t("band_low", lang, v=f"{low:,.0f}")),
                                 (low, high, "#fef5e7", t("band_mid", lang, lo=f"{low:,.0f}", hi=f"{high:,.0f}")),
                                 (high, top, "#fdedec", t("band_high", lang, v=f"{high:,.0f}"))):
        shapes.append({"type": "rect", "xref": "x domain", "yref": "y", "x0": 0, "x1": 1, "y0": y0, "y1": y1,
                       "fillcolor": colour, "line": {"width": 0}, "layer": "below"})
        notes.append({"text": text, "xref": "x domain", "yref": "y", "x": 0, "y": y1, "xanchor": "left",
                      "yanchor": "top", "showarrow": False})
    quarters = df["quarter"].tolist()
    traces = [
        go.Scatter(x=quarters, y=df["hhi_countries"].tolist(), name=t("hhi_countries", lang), mode="lines+markers",
                   line={"color": PRIMARY, "width": 3}),
        go.Scatter(x=quarters, y=df["hhi_customers"].tolist(), name=t("hhi_customers", lang), mode="lines+markers",
                   line={"color": "#8e6bbf", "width": 3}),
        go.Scatter(x=quarters, y=df["top_country_share_pct"].tolist(), name=t("top_country_share", lang),
                   yaxis="y2", mode="lines", line={"color": ACCENT, "width": 2, "dash": "dash"}),
    ]
    layout = {"title": {"text": t("chart_hhi_trend", lang)}, "height": 480, "shapes": shapes, "annotations": notes,
              "yaxis": {"title": {"text": "HHI"}, "range": [0, top], "tickformat": ","},
              "yaxis2": {"title": {"text": t("top_country_share", lang), "font": {"size": 16}}, "overlaying": "y",
                         "side": "right", "range": [0, 100], **PERCENT_TICKS, "showgrid": False, "automargin": True,
                         "tickfont": {"size": 15}},
              "xaxis": {"type": "category"},
              # (Room on the right for the share axis's title: with the theme's 20 px it was cut to "Top country shar".)
              "margin": {"r": 70},
              # Three series: above the plot their legend ran into the title on a laptop.
              "legend": {"orientation": "h", "yanchor": "top", "y": -0.28, "xanchor": "left", "x": 0}}
    return go.Figure(data=traces, layout=layout)


def scenario_bars(actual: dict, scenario: dict, currency: str, lang: str) -> go.Figure:
    """Actual against what-if: revenue, HHI countries, HHI customers, top-country share, side by side.

    Written as one figure dict (four x/y axis pairs side by side, titles as annotations): make_subplots and an
    update per panel took ~50 ms of each what-if step's server time; this is built in a few."""
    items = [("revenue", t("kpi_revenue_cur", lang, currency=currency)), ("hhi_countries", t("hhi_countries", lang)),
             ("hhi_customers", t("hhi_customers", lang)), ("top_country_share_pct", t("top_country_share", lang))]
    gap, width = 0.05, (1 - 3 * 0.05) / 4
    bars, layout = [], {"height": 330, "margin": {"t": 60}, "showlegend": False, "annotations": []}
    for i, (key, title) in enumerate(items):
        vals = [actual[key], scenario[key]]
        labels = [fmt_amount(v, lang) if key == "revenue" else (f"{v:.1f} %" if key.endswith("pct") else f"{v:,.0f}")
                  for v in vals]
        suffix = "" if i == 0 else str(i + 1)
        bars.append(go.Bar(x=[t("actual", lang), t("what_if", lang)], y=vals, marker_color=[PRIMARY, ACCENT],
                           text=labels, textposition="outside", cliponaxis=False, xaxis=f"x{suffix}",
                           yaxis=f"y{suffix}"))
        left = i * (width + gap)
        layout[f"xaxis{suffix}"] = {"domain": [left, left + width], "anchor": f"y{suffix}"}
        layout[f"yaxis{suffix}"] = {"range": [0, max(vals + [1]) * 1.25], "showticklabels": False,
                                    "anchor": f"x{suffix}"}
        layout["annotations"].append({"text": title, "x": left + width / 2, "y": 1.0, "xref": "paper",
                                      "yref": "paper", "xanchor": "center", "yanchor": "bottom", "showarrow": False,
                                      "font": {"size": 16}})
    return go.Figure(data=bars, layout=layout)


def latency_trend(df: pd.DataFrame, lang: str, unit: str) -> go.Figure:
    """Median and P90 hours per month, first response and resolution."""
    from plotly.subplots import make_subplots
    fig = make_subplots(rows=1, cols=2, subplot_titles=[t("first_response", lang), t("resolution", lang)])
    for col, prefix in ((1, "first_response"), (2, "resolution")):
        fig.add_scatter(x=df["month"], y=df[f"{prefix}_median_h"], name=t("median", lang), mode="lines+markers",
                        line=dict(color=PRIMARY, width=3), showlegend=col == 1, row=1, col=col)
        fig.add_scatter(x=df["month"], y=df[f"{prefix}_p90_h"], name="P90", mode="lines+markers",
                        line=dict(color=ACCENT, width=3, dash="dash"), showlegend=col == 1, row=1, col=col)
        fig.update_yaxes(title_text=unit, rangemode="tozero", row=1, col=col)
    # The legend under the plot: above it, it ran into the second subplot's title at laptop width.
    fig.update_layout(title=t("chart_latency_trend", lang), height=420,
                      legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0))
    date_axis(fig, lang)
    return fig


def latency_distribution(boxes: pd.DataFrame, lang: str, unit: str) -> go.Figure:
    """Box plots of resolution hours per severity (log scale: latencies span minutes to months), drawn from their
    five numbers (complaints.box_stats): the browser receives five numbers per severity, not every complaint."""
    fig = go.Figure()
    for i, r in enumerate(boxes.itertuples()):
        name = chart_text([severity_word(r.severity, lang)])[0]
        fig.add_box(x=[name], q1=[r.q1], median=[r.median], q3=[r.q3], lowerfence=[r.lowerfence],
                    upperfence=[r.upperfence], name=name, marker_color=PALETTE[i % len(PALETTE)])
    fig.update_layout(title=t("chart_latency_distribution", lang), height=400, showlegend=False, yaxis_title=unit)
    hours_log_axis(fig)
    return fig


def latency_by_dimension(df: pd.DataFrame, label_col: str, lang: str, unit: str) -> go.Figure:
    d = df.sort_values("resolution_median_h").tail(15)
    labels = chart_text(d[label_col])
    fig = go.Figure()
    fig.add_bar(y=labels, x=d["resolution_median_h"], orientation="h", name=t("median", lang), marker_color=PRIMARY,
                text=[f"{v:,.0f}" for v in d["resolution_median_h"]], textposition="outside", cliponaxis=False)
    fig.add_bar(y=labels, x=d["resolution_p90_h"], orientation="h", name="P90", marker_color=ACCENT,
                text=[f"{v:,.0f}" for v in d["resolution_p90_h"]], textposition="outside", cliponaxis=False)
    fig.update_layout(title=t("chart_latency_by", lang), barmode="group", height=120 + 50 * max(len(d), 2),
                      xaxis_title=unit, yaxis_title=None)
    fig.update_xaxes(range=[0, float(d["resolution_p90_h"].max() or 1) * 1.2])
    return fig


def breach_trend(df: pd.DataFrame, lang: str) -> go.Figure:
    from .theme import BAD
    fig = go.Figure(go.Bar(x=df["month"], y=df["breach_pct"], marker_color=BAD,
                           text=[f"{v:.0f} %" for v in df["breach_pct"]], textposition="outside", cliponaxis=False))
    fig.update_layout(title=t("chart_breach", lang), height=360, yaxis_title="%", xaxis_title=None)
    fig.update_yaxes(range=[0, 105])
    date_axis(fig, lang)
    return fig


def backlog_ages(df: pd.DataFrame, lang: str) -> go.Figure:
    colors = ["#d5f5e3", "#abebc6", "#f9e79f", "#f0b27a", "#c0392b"]
    # The buckets' labels ("0–1 d", "> 30 d") in the viewer's language.
    labels = [str(b).replace(" d", t("unit_days_short", lang)) for b in df["age_bucket"]]
    fig = go.Figure(go.Bar(x=labels, y=df["complaints"], marker_color=colors[: len(df)],
                           text=[f"{v:,}" for v in df["complaints"]], textposition="outside", cliponaxis=False))
    fig.update_layout(title=t("chart_backlog", lang), height=360, xaxis_title=t("axis_age", lang), yaxis_title=None)
    fig.update_yaxes(range=[0, float(df["complaints"].max() or 1) * 1.2])
    return fig


def complaint_timeline(row: dict, lang: str) -> go.Figure:
    """One complaint from receipt to verified action, as points on a time line with the gaps labelled."""
    steps = [("received_at", "tl_received"), ("first_response_at", "tl_first_response"), ("resolved_at", "tl_resolved"),
             ("action_due_on", "tl_action_due"), ("action_verified_on", "tl_action_verified")]
    pts = [(pd.Timestamp(row[k]), t(lbl, lang)) for k, lbl in steps if row.get(k) is not None and not pd.isna(row.get(k))]
    fig = go.Figure()
    if pts:
        xs = [p[0] for p in pts]
        fig.add_scatter(x=xs, y=[0] * len(xs), mode="lines+markers+text", text=[p[1] for p in pts],
                        textposition=["top center" if i % 2 == 0 else "bottom center" for i in range(len(pts))],
                        marker=dict(size=16, color=[PALETTE[i] for i in range(len(pts))]), line=dict(color="#bdc3c7", width=3),
                        customdata=[x.strftime("%Y-%m-%d %H:%M") for x in xs], hovertemplate="%{text}<br>%{customdata}<extra></extra>")
    fig.update_layout(title=t("chart_timeline", lang, id=row.get("complaint_id", "")), height=260, showlegend=False,
                      yaxis=dict(visible=False, range=[-1, 1]), margin=dict(t=60, b=30))
    date_axis(fig, lang, grain="day")
    return fig


def completeness_bars(df: pd.DataFrame, lang: str) -> go.Figure:
    from .theme import BAD, GOOD
    d = df.sort_values("filled_pct")
    colors = [GOOD if v >= 90 else ACCENT if v >= 70 else BAD for v in d["filled_pct"]]
    fig = go.Figure(go.Bar(x=d["filled_pct"], y=[t(f"field_{f}", lang) for f in d["field"]], orientation="h",
                           marker_color=colors, text=[f"{v:.0f} %" for v in d["filled_pct"]], textposition="outside",
                           cliponaxis=False))
    fig.update_layout(title=t("chart_completeness", lang), height=90 + 36 * len(d), xaxis_title=None, yaxis_title=None)
    fig.update_xaxes(range=[0, 112], ticksuffix=" %")
    return fig


def rep_quality_heatmap(df: pd.DataFrame, fields: list[str], lang: str) -> go.Figure:
    d = df.sort_values("quality_score")
    z = d[fields].to_numpy()
    fig = go.Figure(go.Heatmap(z=z, x=[t(f"field_{f}", lang) for f in fields], y=[r or t("no_owner", lang) for r in d["rep"]],
                               text=[[f"{v:.0f}" for v in row] for row in z], texttemplate="%{text}", zmin=0, zmax=100,
                               colorscale=[[0, "#c0392b"], [0.7, "#f9e79f"], [1, "#1e8449"]], colorbar=dict(title="%", thickness=14),
                               hovertemplate="%{y} · %{x}: %{z:.0f} %<extra></extra>"))
    fig.update_layout(title=t("chart_rep_quality", lang), height=100 + 34 * len(d))
    fig.update_yaxes(type="category")
    return fig


def abc_bars(summary: pd.DataFrame, currency: str, lang: str) -> go.Figure:
    """summary: customers/abc_counts.sql's rows of one period (customers and revenue per class)."""
    g = summary.set_index("abc").reindex(["A", "B", "C"]).fillna(0)
    fig = go.Figure(go.Bar(x=[f"{k} · {int(n):,} {t('customers_word', lang)}" for k, n in zip(g.index, g["customers"])],
                           y=g["revenue"], marker_color=[PRIMARY, "#4a90c2", "#aed6f1"],
                           text=[fmt_amount(v, lang) for v in g["revenue"]], textposition="outside", cliponaxis=False))
    fig.update_layout(title=t("chart_abc", lang, currency=currency), height=360, yaxis_title=None)
    amount_axis(fig, g["revenue"], lang, range=[0, float(g["revenue"].max() or 1) * 1.2])
    return fig


def rfm_bars(counts: pd.DataFrame, lang: str) -> go.Figure:
    """counts: records.rfm_counts (customers per segment, largest first)."""
    g = counts.set_index("rfm_segment")["customers"]
    fig = go.Figure(go.Bar(y=[t(f"rfm_{k}", lang) for k in g.index][::-1], x=g.to_numpy()[::-1], orientation="h",
                           marker_color=PRIMARY, text=[f"{v:,}" for v in g.to_numpy()[::-1]], textposition="outside",
                           cliponaxis=False))
    fig.update_layout(title=t("chart_rfm", lang), height=100 + 34 * len(g), xaxis_title=None)
    fig.update_xaxes(range=[0, float(g.max() or 1) * 1.2])
    return fig


def migration_heatmap(matrix: pd.DataFrame, lang: str, q_from: str, q_to: str) -> go.Figure:
    z = matrix.to_numpy()
    fig = go.Figure(go.Heatmap(z=z, x=[f"→ {c}" for c in matrix.columns], y=[f"{r} →" for r in matrix.index],
                               text=[[f"{v:,}" for v in row] for row in z], texttemplate="%{text}", textfont=dict(size=18),
                               colorscale=[[0, "#f8f9f9"], [1, "#1f4e79"]], showscale=False,
                               hovertemplate="%{y} %{x}: %{z:,}<extra></extra>"))
    fig.update_layout(title=t("chart_migration", lang, q_from=q_from, q_to=q_to), height=380,
                      xaxis_title=q_to, yaxis_title=q_from)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", side="top")
    return fig


def order_timeline(orders: pd.DataFrame, currency: str, lang: str) -> go.Figure:
    """One customer's orders over time: a bar per order (returns below zero)."""
    from .theme import BAD
    fig = go.Figure(go.Bar(x=pd.to_datetime(orders["ordered_on"]), y=orders["order_total"],
                           marker_color=[PRIMARY if v >= 0 else BAD for v in orders["order_total"]],
                           customdata=orders["order_id"],
                           hovertemplate="%{customdata}<br>%{x|%Y-%m-%d}<br>%{y:,.0f}<extra></extra>"))
    fig.update_layout(title=t("chart_order_timeline", lang, currency=currency), height=340, bargap=0.1,
                      yaxis_title=currency, xaxis_title=None)
    date_axis(fig, lang)
    amount_axis(fig, orders["order_total"], lang)
    return fig
