"""The bare Streamlit app the browser bench measures beside Customer Cockpit (bench/browser.py): st.navigation with
two pages, each with 5 Plotly charts, 4 st.metric sparklines and a 500-row dataframe, on the same machine in the
same run. What Streamlit itself costs for a page of that weight; the product's times are read as multiples of it."""
import numpy as np
import pandas as pd
import plotly.express as px
import streamlit as st

st.set_page_config(page_title="bare", layout="wide")


def page(seed: int) -> None:
    rng = np.random.default_rng(seed)
    st.title(f"Bare page {seed}")
    for col, name in zip(st.columns(4), ("Revenue", "Customers", "Orders", "Complaints")):
        series = rng.integers(100, 1000, 8).tolist()
        col.metric(name, f"{series[-1]:,}", delta=f"{series[-1] - series[-2]:+,}", chart_data=series, chart_type="area",
                   border=True)
    frame = pd.DataFrame({"month": pd.date_range("2024-01-01", periods=24, freq="MS").repeat(20),
                          "country": np.tile([f"C{i}" for i in range(20)], 24), "value": rng.gamma(2, 1000, 480)})
    left, right = st.columns(2)
    left.plotly_chart(px.line(frame.groupby("month", as_index=False)["value"].sum(), x="month", y="value"))
    right.plotly_chart(px.bar(frame.groupby("country", as_index=False)["value"].sum(), x="value", y="country",
                              orientation="h"))
    left, right = st.columns(2)
    left.plotly_chart(px.area(frame, x="month", y="value", color="country"))
    right.plotly_chart(px.scatter(frame, x="month", y="value", color="country"))
    st.plotly_chart(px.histogram(frame, x="value", nbins=40))
    st.dataframe(pd.DataFrame({"id": np.arange(500), "name": [f"Customer {i}" for i in range(500)],
                               "revenue": rng.gamma(2, 5000, 500).round(2), "orders": rng.integers(1, 50, 500)}),
                 hide_index=True)


def first() -> None:
    page(1)


def second() -> None:
    page(2)


st.navigation([st.Page(first, title="First", default=True), st.Page(second, title="Second")], position="top").run()
