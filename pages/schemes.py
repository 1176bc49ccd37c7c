"""积分方案: the scheme each branch uses, the template catalogue, (township/admin) adopting a
template for an organisation from a date, tuning what the scheme marks editable (模拟, then
采用 as a new version), and comparing versions line by line (everyone)."""

import polars as pl
import streamlit as st

from core import orgs
from core.auth import can
from core.scheme import list_schemes
from core.scheme_assignments import NoSchemeError, assign_scheme, in_force
from core.scheme_text import plain_decisions, source_line
from ui import filters
from ui.charts import table
from ui.scheme_tuning import tune_panel, versions_panel
from ui.session import guard
from ui.widgets import md

user, scope, store = guard("schemes")
st.title("积分方案")
st.caption("乡镇（街道）选定方案后，下属支部自动沿用；个别支部可单独设置。已归档的结果不受方案调整影响。")
today = filters.today()  # the one seam for the date (a test's world sets its own)
templates = {s.id: s for s in list_schemes()}
if "sc_done" in st.session_state:
    st.success(md(st.session_state.pop("sc_done")))

st.subheader(f"各支部现行方案（{today:%Y-%m-%d}）")
table(pl.DataFrame(in_force(store, scope, today), schema_overrides={"启用日期": pl.Date}))

targets = {r["code"]: "　" * r["depth"] + f"{r['name']}（{r['code']}）" for r in orgs.tree(store, scope, "branch")}
if can(user.role, "assign_scheme"):
    st.subheader("设置方案")
    with st.form("assign_scheme"):
        c1, c2 = st.columns(2)
        org_code = c1.selectbox("适用组织", list(targets), format_func=targets.get, key="sc_org", placeholder="请选择…")
        scheme_id = c2.selectbox("方案模板", list(templates), key="sc_scheme", format_func=lambda i: templates[i].name,
                                 placeholder="请选择…")
        from_date = c1.date_input("启用日期", value=today, format="YYYY-MM-DD", key="sc_from")
        reason = c2.text_input("设置理由", key="sc_reason", placeholder="如：镇党委会议研究决定")
        if st.form_submit_button("保存设置", type="primary"):
            try:
                assign_scheme(store, user, org_code, scheme_id, from_date, reason=reason)
                st.session_state["sc_done"] = (f"已设置：{targets[org_code].strip()} 自 {from_date:%Y-%m-%d} 起使用"
                                               f"「{templates[scheme_id].name}」（版本 {templates[scheme_id].version}）")
                st.rerun()
            except (ValueError, NoSchemeError, PermissionError) as exc:
                st.error(md(exc))

if can(user.role, "tune_scheme"):
    tune_panel(store, user, targets, today)
versions_panel(store, user, targets)

st.subheader("方案模板")
chosen = templates[st.selectbox("查看模板", list(templates), key="sc_view", format_func=lambda i: templates[i].name,
                                placeholder="请选择…")]
st.caption(f"来源：{source_line(chosen.source)} · 版本 {chosen.version} · 积分周期自每年 {chosen.cycle_start} 起")
notes = plain_decisions(chosen.decisions)
if notes:
    with st.expander("说明", expanded=True):
        for line in notes:
            st.text(f"· {line}")
items = [{"项目": i.name, "类别": chosen.categories[i.category].name if i.category in chosen.categories else i.category,
          "分值": (f"{i.min}～{i.max}" if i.is_range else str(i.points)),
          "计分方式": {"per_event": "每次", "once_per_month": "每月一次", "once_per_cycle": "每年一次",
                       "per_unit": "按数量"}.get(i.frequency, "每次")} for i in chosen.items.values()]
if items:
    table(pl.DataFrame(items))
if chosen.vetoes:
    st.text("一票否决：" + "；".join(v.name for v in chosen.vetoes.values()))
