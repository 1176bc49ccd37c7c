"""Altair charts with Chinese labels and explicit sort orders, each paired with the table
behind it (shown, and downloadable as CSV: a BOM so Excel opens the Chinese right, and no cell
that Excel would run as a formula).

Charts only ever receive aggregated frames: bins, counts, rates, quartiles.
"""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from core.decimals import fmt, to_decimal
from core.io.tables import csv_bytes

ONE_DECIMAL = "%.1f"
MISSING = "—"  # what an empty cell or metric shows (Streamlit would write "None")


def number_text(value) -> str:
    """A number as the explain lines write it (no trailing zeros, true minus), or MISSING."""
    return MISSING if value is None else fmt(to_decimal(value))


def number_columns(frame: pl.DataFrame, helps: dict[str, str] | None = None) -> dict:
    """Column config showing every float with one decimal and dates as 2025-07-01;
    ``helps`` adds a tooltip to a column header (what it counts, over which period)."""
    helps = helps or {}
    config = {}
    for name, dtype in frame.schema.items():
        if dtype.is_float():
            config[name] = st.column_config.NumberColumn(name, format=ONE_DECIMAL, help=helps.get(name))
        elif dtype == pl.Date:
            config[name] = st.column_config.DateColumn(name, format="YYYY-MM-DD", help=helps.get(name))
        elif dtype == pl.Datetime:
            config[name] = st.column_config.DatetimeColumn(name, format="YYYY-MM-DD HH:mm", help=helps.get(name))
        elif name in helps:
            config[name] = st.column_config.Column(name, help=helps[name])
    return config


def table(frame: pl.DataFrame, *, helps: dict[str, str] | None = None, pinned: list[str] = (),
          empty: str = "暂无数据", **kwargs):
    """st.dataframe as every page shows one: no index, full width, one decimal, dates as
    2025-07-01, and "—" in an empty cell. ``pinned`` columns stay in view when a wide table
    scrolls sideways. A table without rows is the caption ``empty`` instead: Streamlit would
    draw an empty grid saying "empty", in English."""
    if frame.height == 0 and "on_select" not in kwargs:  # a selectable table's event is awaited
        st.caption(empty)
        return None
    config = number_columns(frame, helps)
    for name in pinned:
        config[name] = st.column_config.Column(name, help=(helps or {}).get(name), pinned=True)
    return st.dataframe(frame, hide_index=True, width="stretch", column_config=config, placeholder=MISSING, **kwargs)


def table_view(frame: pl.DataFrame, name: str, key: str, *, expanded: bool = False) -> None:
    """The table behind a chart, in an expander, with a CSV download."""
    with st.expander(f"查看数据表：{name}", expanded=expanded):
        table(frame)
        download(frame, name, key)


def download(frame: pl.DataFrame, name: str, key: str) -> None:
    st.download_button("下载 CSV", csv_bytes(frame), file_name=f"{name}.csv", mime="text/csv",
                       key=f"dl_{key}", icon=":material/download:")


ROW = 26  # px per bar or heatmap row: a CJK label (12 px) with room to breathe


def show(chart: alt.Chart) -> None:
    # Vega drops "overlapping" category labels, and it over-measures CJK text: every other
    # branch or grade name went missing. Every bar has room for its label (ROW px), so keep
    # them all on discrete axes; numeric and time axes still thin out labels that collide.
    st.altair_chart(chart.configure_axis(labelLimit=240).configure_axisDiscrete(labelOverlap=False),
                    width="stretch")


def bars(frame: pl.DataFrame, x: str, y: str, *, sort: list | str = "-x", color: str | None = None,
         x_title: str = "", y_title: str = "") -> alt.Chart:
    """Horizontal bars (one per category, ROW px each, so labels never overlap), sorted
    explicitly: Altair would sort Chinese by code point."""
    enc = {"x": alt.X(f"{x}:Q", title=x_title), "y": alt.Y(f"{y}:N", title=y_title, sort=sort),
           "tooltip": [alt.Tooltip(f"{y}:N", title=y_title), alt.Tooltip(f"{x}:Q", title=x_title, format=".1f")]}
    if color:
        enc["color"] = alt.Color(f"{color}:N", title=color)
    return alt.Chart(frame.to_pandas()).mark_bar().encode(**enc).properties(height=alt.Step(ROW))


MONTH = "%-m月"  # a year's months (the year is in the heading)
YEAR_MONTH = "%Y年%-m月"


def lines(frame: pl.DataFrame, x: str, y: str, *, color: str | None = None, x_title: str = "",
          y_title: str = "", color_title: str = "", x_format: str = MONTH) -> alt.Chart:
    """A line per series over a time axis: one tick per month at most, labels upright."""
    enc = {"x": alt.X(f"{x}:T", title=x_title,
                      axis=alt.Axis(format=x_format, tickCount="month", labelAngle=0, labelOverlap=True)),
           "y": alt.Y(f"{y}:Q", title=y_title),
           "tooltip": [alt.Tooltip(f"{x}:T", title=x_title, format="%Y-%m-%d"),
                       alt.Tooltip(f"{y}:Q", title=y_title, format=".1f")]}
    if color:
        names = frame[color].unique(maintain_order=True).to_list()  # the frame's order (branches by code), not code points
        enc["color"] = alt.Color(f"{color}:N", title=color_title, sort=names)
        enc["tooltip"].append(alt.Tooltip(f"{color}:N", title=color_title))
    return alt.Chart(frame.to_pandas()).mark_line(point=True).encode(**enc).properties(height=280)
