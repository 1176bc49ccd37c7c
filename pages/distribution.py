"""积分分布: a histogram of totals with the grade bands shaded, split by category or branch,
and the members whose total falls in a chosen band (paginated)."""

import altair as alt
import polars as pl
import streamlit as st

from core.metrics.distribution import BIN_WIDTH
from core.metrics.filters import cycle_name, cycle_starts
from ui.charts import show, table, table_view
from ui.filters import cached, filter_bar
from ui.session import guard
from ui.widgets import page_offset, pager, reset_page

PAGE_SIZE = 50
SPLITS = {"": "不区分", "category": "按党员类别", "branch": "按支部"}

user, scope, store = guard("distribution")
st.title("积分分布")
flt = filter_bar(user, scope, period=False)
split = st.radio("分组", list(SPLITS), format_func=SPLITS.get, horizontal=True, key="dist_split") or None
data = cached("core.metrics.distribution:view", scope, flt, split)
bins, bands = data["bins"], data["bands"]
st.caption(f"{cycle_name(cycle_starts(store, scope, flt), flt.cycle, dates=False)}：{data['scored']} 名党员有总分"
           + (f"；另有 {data['stars_only']} 名按星级评定、无总分，未计入直方图" if data["stars_only"] else ""))
if bins.is_empty():
    st.info("所选范围和周期暂无总分")
    st.stop()

lo, hi = float(bins["bin"].min()), float(bins["bin"].max()) + BIN_WIDTH
# Altair would order the legend by code point; the biggest group comes first instead.
groups = (bins.group_by(split).agg(pl.col("count").sum()).sort(["count", split], descending=[True, False])[split].to_list()
          if split else [])
color = alt.Color(f"{split}:N", title=SPLITS[split][1:], sort=groups) if split else alt.value("#4c78a8")
hist = alt.Chart(bins.with_columns(end=pl.col("bin") + BIN_WIDTH).to_pandas()).mark_bar(opacity=0.85).encode(
    x=alt.X("bin:Q", title="总分", bin="binned", scale=alt.Scale(domain=[lo, hi])), x2="end:Q",
    y=alt.Y("count:Q", title="人数", stack=True), color=color,
    tooltip=[alt.Tooltip("bin:Q", title="分段起点", format=".1f"), alt.Tooltip("count:Q", title="人数")])
layers = [hist]
if not bands.is_empty():
    shaded = bands.with_columns(low=pl.col("low").fill_null(lo), high=pl.col("high").fill_null(hi))
    layers.insert(0, alt.Chart(shaded.to_pandas()).mark_rect(opacity=0.12).encode(
        x="low:Q", x2="high:Q", color=alt.Color("grade:N", title="等次", sort=shaded["grade"].unique(maintain_order=True).to_list()),
        tooltip=[alt.Tooltip("scheme:N", title="方案"), alt.Tooltip("grade:N", title="等次")]))
show(alt.layer(*layers).resolve_scale(color="independent").properties(height=320))
table_view(bins.rename({"bin": "分段起点", "count": "人数"} | ({split: SPLITS[split][1:]} if split else {})),
           "总分分布", "dist_bins")
if not bands.is_empty():
    table_view(bands.rename({"scheme": "方案", "grade": "等次", "low": "下限（含）", "high": "上限（不含）"}),
               "等次分档", "dist_bands")

st.subheader("分段党员名单")
labels = {i: f"{r['scheme']} · {r['grade']}" for i, r in enumerate(bands.iter_rows(named=True))}
labels[-1] = "自定义分数段"
choice = st.selectbox("等次", list(labels), format_func=labels.get, key="dist_band",
                      on_change=reset_page("dist_page"), placeholder="请选择…")
if choice is None or choice == -1:
    c1, c2 = st.columns(2)
    low = c1.number_input("最低分（含）", value=90.0, step=5.0, key="dist_low", on_change=reset_page("dist_page"))
    high = c2.number_input("最高分（不含）", value=200.0, step=5.0, key="dist_high", on_change=reset_page("dist_page"))
else:
    low, high = bands["low"][choice], bands["high"][choice]
band_scheme = None if choice is None or choice == -1 else bands["scheme"][choice]
page, total = cached("core.metrics.distribution:band_members", scope, flt, low, high,
                     page_offset("dist_page", PAGE_SIZE), PAGE_SIZE, band_scheme)
shown = page.drop("subject").rename({"name": "姓名", "branch_name": "支部", "category": "类别", "total": "总分",
                                     "grade": "等次", "rank": "支部内排名"})
table(shown)
pager("dist_page", total, PAGE_SIZE)
