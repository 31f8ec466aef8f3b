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
