"""Chart builders: pure functions DataFrame -> go.Figure, all in the one theme (theme.py)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from . import theme  # noqa: F401 - registers the template
from .i18n import fmt_amount, fmt_money, t
from .theme import ACCENT, PRIMARY


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
    fig.update_xaxes(tickformat="%Y-%m", dtick="M1" if len(df) <= 15 else "M3")
    fig.update_yaxes(tickformat="~s")
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
    fig.update_xaxes(tickformat="~s", range=[0, float(d["revenue"].max() or 1) * 1.45])
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
    fig.update_layout(title=t("chart_nrr_grr", lang), height=380, yaxis_title="%", xaxis_title=None)
    fig.update_yaxes(rangemode="tozero")
    fig.update_xaxes(type="category")
    return fig


def status_bars(counts: dict, lang: str) -> go.Figure:
    """Customers by churn status as one stacked bar."""
    from .theme import BAD, GOOD
    fig = go.Figure()
    for key, color in (("active", GOOD), ("at_risk", ACCENT), ("lapsed", BAD)):
        fig.add_bar(y=[""], x=[counts.get(key, 0)], orientation="h", name=t(f"status_{key}", lang), marker_color=color,
                    text=[f"{t(f'status_{key}', lang)} {counts.get(key, 0):,}"], textposition="inside", insidetextanchor="middle", textangle=0)
    fig.update_layout(barmode="stack", height=110, showlegend=False, margin=dict(t=10, b=10), xaxis_visible=False)
    return fig
