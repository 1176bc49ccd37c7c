"""积分方案's two panels for scheme versions: 调整方案 (a township or admin edits what the scheme
marks editable, 模拟 shows who would change and why, 采用 makes a version from a date) and 版本对比
(every user: the versions that can govern an organisation, compared line by line). The logic is
core.scheme_edit's; this module only draws it."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import streamlit as st

from core.cycles import cycle_label, cycle_of
from core.scheme_assignments import TRACKS, NoSchemeError, version_of, version_text
from core.scheme_edit import EditError, adopt, compare_versions, simulate_org, tuning, versions
from ui.charts import table
from ui.widgets import md

SECTIONS = {"quotas": "名额比例", "grade_bands": "等次分数线", "caps": "封顶", "weights": "权重", "items": "项目分值"}
SHOWN_EXPLAINED = 30  # expanders with the two explanations: the first this many changed subjects


def _dash(value) -> str:
    return "—" if value is None or value == "" else str(value)


def tune_panel(store, user, org_labels: dict[str, str], today: dt.date) -> None:
    st.subheader("调整方案")
    st.caption("乡镇（街道）可在方案允许的范围内调整项目分值、封顶、名额比例、等次分数线和权重。"
               "先「模拟」查看谁的等次、星级或名次会变化及原因，确认后「采用」，自启用日期起作为新版本施行；已归档的结果不变。")
    c1, c2, c3 = st.columns(3)
    org = c1.selectbox("调整的组织", list(org_labels), format_func=org_labels.get, key="sc_t_org")
    track = c2.selectbox("积分类别", list(TRACKS), format_func=TRACKS.get, key="sc_t_track")
    try:
        info = tuning(store, user, org, track, today)
    except (NoSchemeError, EditError, PermissionError) as exc:
        st.info(md(exc))
        return
    scheme, assignment = info["scheme"], info["assignment"]
    current = cycle_of(scheme.cycle_start, today)
    cycle = c3.selectbox("模拟所用数据", [current, current - 1], key="sc_t_cycle",
                         format_func=lambda c: ("本周期 " if c == current else "上一周期 ") + cycle_label(scheme, c))
    source = "本组织设置" if assignment.org_code == org else f"继承自{assignment.org_name}"
    st.caption(md(f"现行方案：{version_text(version_of(scheme, assignment))}（{source}，"
                  f"{assignment.from_date:%Y-%m-%d} 起施行）"))
    if not info["fields"]:
        st.info("该方案没有列出可由乡镇调整的内容。如需更换方案，请在上方「设置方案」中选择其他模板。")
        return
    changes = {}
    for section, title in SECTIONS.items():
        fields = [f for f in info["fields"] if f["section"] == section]
        if not fields:
            continue
        st.markdown(f"**{title}**")
        cols = st.columns(2)
        for i, field in enumerate(fields):
            step = 0.05 if section == "weights" else 1.0
            changes[field["path"]] = cols[i % 2].number_input(
                md(f"{field['label']}（可调范围 {field['lo']}～{field['hi']}）"), min_value=float(field["lo"]),
                max_value=float(field["hi"]), value=float(field["value"]), step=step,
                format="%.2f" if section == "weights" else "%.1f", key=f"sc_f_{org}_{track}_{field['path']}")
    # the simulation shown is the one for exactly these values (a small key, not the result)
    asked = json.dumps([org, track, cycle, changes], ensure_ascii=False, sort_keys=True)
    if st.button("模拟", key="sc_simulate", type="secondary"):
        st.session_state["sc_sim_key"] = asked
    if st.session_state.get("sc_sim_key") != asked:
        st.caption("修改数值后点「模拟」，查看调整的影响；模拟后才能采用。")
        return
    try:
        sim = simulate_org(store, user, org, changes, track, today, cycle)
    except (EditError, NoSchemeError, PermissionError) as exc:
        st.error(md(exc))
        return
    _show_simulation(sim)
    if not sim["overrides"]:
        return
    with st.form("sc_adopt"):
        a1, a2 = st.columns(2)
        start = a1.date_input("启用日期", value=today, format="YYYY-MM-DD", key="sc_t_from")
        reason = a2.text_input("调整理由", key="sc_t_reason", placeholder="如：镇党委会议研究决定")
        if st.form_submit_button("采用", type="primary"):
            try:
                adopt(store, user, org, changes, start, reason, track, today)
            except (EditError, NoSchemeError, ValueError, PermissionError) as exc:
                st.error(md(exc))
            else:
                st.session_state.pop("sc_sim_key", None)
                st.session_state["sc_done"] = (f"已采用：{info['org_name']}调整版 {start:%Y-%m-%d}，"
                                               f"自 {start:%Y-%m-%d} 起施行（{scheme.name} {scheme.version} 版）")
                st.rerun()


def _show_simulation(sim: dict) -> None:
    label = cycle_label(sim["scheme"], sim["cycle"])
    st.markdown(md(f"模拟范围：{sim['org_name']}沿用该方案的 {sim['branches']} 个支部、{sim['subjects']} 个积分对象，"
                   f"{label}的数据；{len(sim['changes'])} 个对象的总分、等次、星级或名次会变化。"))
    if not sim["overrides"]:
        st.info("数值与现行方案相同，没有调整。")
        return
    if sim["distribution"]:
        st.markdown("**调整前后各等次人数与名额**")
        table(pl.DataFrame([{"等次": row["level"], "调整前人数": row["before"], "调整后人数": row["after"],
                             "调整前名额": _dash(row["allowed_before"]), "调整后名额": _dash(row["allowed_after"])}
                            for row in sim["distribution"]]))
    if not sim["changes"]:
        st.info("按本周期数据，这项调整不会改变任何人的结果。")
        return
    stars = any(c["old"]["stars"] is not None or c["new"]["stars"] is not None for c in sim["changes"])
    rows = []
    for c in sim["changes"]:
        row = {"支部": c["branch_name"], "姓名": c["name"], "原总分": _dash(c["old"]["total"]),
               "新总分": _dash(c["new"]["total"]), "原等级": _dash(c["old"]["grade"]), "新等级": _dash(c["new"]["grade"])}
        if stars:
            row |= {"原星级": _dash(c["old"]["stars"]), "新星级": _dash(c["new"]["stars"])}
        rows.append(row | {"原名次": _dash(c["old"]["rank"]), "新名次": _dash(c["new"]["rank"])})
    st.markdown("**结果会变化的对象**")
    table(pl.DataFrame(rows))
    for c in sim["changes"][:SHOWN_EXPLAINED]:
        # a member's and a branch's name are text, never markup (an expander's label is markdown)
        with st.expander(md(f"{c['name']}（{c['branch_name']}）：{_dash(c['old']['grade'])} → {_dash(c['new']['grade'])}")):
            left, right = st.columns(2)
            left.markdown("**原方案的计分说明**")
            left.text("\n".join(("－ " if line in c["removed"] else "　 ") + line for line in c["explain_old"]))
            right.markdown("**调整后的计分说明**")
            right.text("\n".join(("＋ " if line in c["added"] else "　 ") + line for line in c["explain_new"]))
    if len(sim["changes"]) > SHOWN_EXPLAINED:
        st.caption(f"以上列出前 {SHOWN_EXPLAINED} 人的计分说明对照（－ 为调整后不再有的行，＋ 为新增的行）。")
    else:
        st.caption("－ 为调整后不再有的行，＋ 为新增的行。")


def versions_panel(store, user, org_labels: dict[str, str]) -> None:
    st.subheader("版本对比")
    c1, c2 = st.columns(2)
    org = c1.selectbox("组织", list(org_labels), format_func=org_labels.get, key="sc_v_org")
    track = c2.selectbox("积分类别", list(TRACKS), format_func=TRACKS.get, key="sc_v_track")
    listed = versions(store, user, org, track)
    if not listed:
        st.caption("该组织没有这一类别的方案设置。")
        return
    by_id = {v["id"]: v for v in listed}
    c1, c2 = st.columns(2)
    # keyed on the newest version: a version adopted since opens on itself, not on the one picked before
    first = c1.selectbox("版本", list(by_id), format_func=lambda i: by_id[i]["text"], key=f"sc_v_first_{listed[0]['id']}")
    others = [0] + [i for i in by_id if i != first]
    second = c2.selectbox("对比", others, key="sc_v_second",
                          format_func=lambda i: "方案模板原样" if i == 0 else by_id[i]["text"])
    try:
        lines = compare_versions(by_id[first], by_id.get(second))
    except NoSchemeError as exc:
        st.warning(md(exc))
        return
    if lines:
        table(pl.DataFrame(lines, schema={"内容": pl.String, "原值": pl.String, "新值": pl.String}))
    else:
        st.caption("两个版本的内容相同。")
