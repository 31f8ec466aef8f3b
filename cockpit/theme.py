"""One chart theme for every figure: large type for projectors, a calm palette, system fonts only (offline)."""
from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, Helvetica, Arial, sans-serif"
PALETTE = ["#1f4e79", "#e07b39", "#3a9d8f", "#c0392b", "#8e6bbf", "#7f8c8d", "#d4a017", "#2e86c1", "#a04000", "#17a589"]
PRIMARY = PALETTE[0]
ACCENT = PALETTE[1]
GOOD = "#2e8b57"
BAD = "#c0392b"
MUTED = "#95a5a6"
SEQUENTIAL = ["#eaf1f8", "#b9d1ea", "#7fa9d6", "#4a7fb8", "#1f4e79", "#0e2a47"]

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT_FAMILY, size=16, color="#1b2631"),
        title=dict(font=dict(size=22), x=0, xanchor="left", y=0.97),
        colorway=PALETTE,
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(l=10, r=20, t=60, b=10),
        xaxis=dict(showgrid=False, linecolor="#bdc3c7", ticks="outside", tickfont=dict(size=15), title=dict(font=dict(size=16)), automargin=True),
        yaxis=dict(gridcolor="#ecf0f1", zeroline=False, tickfont=dict(size=15), title=dict(font=dict(size=16)), automargin=True),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1, font=dict(size=15)),
        hoverlabel=dict(font=dict(family=FONT_FAMILY, size=15)),
        separators=".,",
    )
)
pio.templates["cockpit"] = TEMPLATE
pio.templates.default = "cockpit"

# plotly.js loads world shapes from this folder (served by Streamlit's static serving) instead of a CDN.
PLOTLY_CONFIG = {"displaylogo": False, "topojsonURL": "app/static/", "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
