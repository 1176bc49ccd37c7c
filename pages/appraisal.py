"""民主评议: one grid of the branch's members — grades, scores, rater scores or a vote
tally, as the scheme asks — saved all or nothing; and 一票否决 with its evidence."""

import datetime as dt
import json

import polars as pl
import streamlit as st

from core import orgs
from core.cycles import cycle_label, cycle_of, period_label, period_name
from core.labels import unique
from core.services import appraisal, attendance, vetoes
from core.services.entry_rules import EntryError
from ui.entry_widgets import (drop_stale, flash, form_key, pick_branch, renew_form_key, rows_key, scheme_or_stop,
                              show_flash)
from ui.session import guard
from ui.widgets import md

RATER_NAMES = {"self": "自评", "masses": "群众评", "leadership": "组织评"}

user, scope, store = guard("appraisal")
st.title("民主评议")
st.caption("整表填写后一次保存；任何一行有误则全部不保存，并逐行列出错误。清空某格即撤回该成员此前的评议。")
show_flash("ap")

branch = pick_branch(store, scope, "ap_branch", clears=("ap_component", "ap_cycle", "ap_period"))
today = dt.date.today()
scheme = scheme_or_stop(store, branch, today)

grid_tab, veto_tab = st.tabs(["评议录入", "一票否决"])
with grid_tab:
    inputs = scheme.entered_components()
    components = dict.fromkeys(e.id for e in inputs)
    if not components:
        st.info(f"方案「{scheme.name}」没有需要录入的评议分，日常积分请在「积分录入」「活动签到」中记录。")
    else:
        names = {e.id: e.name for e in inputs}
        # the cycle's name with its dates is long: component above, cycle and period below
        c1 = st.container()
        c2, c3 = st.columns([2, 1])
        drop_stale("ap_component", components)
        component = c1.selectbox("评议项目", list(components), format_func=names.get, key="ap_component")
        current = cycle_of(scheme.cycle_start, today)
        drop_stale("ap_cycle", [current, current - 1])
        cycle = c2.selectbox("积分周期", [current, current - 1], format_func=lambda c: cycle_label(scheme, c),
                             key="ap_cycle")
        group = appraisal.inputs_for(scheme, component)
        drop_stale("ap_period", group[0].periods)
        period = c3.selectbox("期间", group[0].periods, format_func=lambda p: period_name(scheme, cycle, p),
                              key="ap_period")
        kind = group[0].kind
        roster = attendance.roster(store, branch)
        saved = {(r["member_id"], r["rater"]): r
                 for r in appraisal.current_scores(store, branch, cycle, component, period).iter_rows(named=True)}

        base = {"编号": [m.id for m in roster], "姓名": [m.name for m in roster],
                "类别": [m.category or "" for m in roster]}
        config = {}
        if kind == "grade":
            base["等次"] = [saved.get((m.id, None), {}).get("grade") for m in roster]
            config["等次"] = st.column_config.SelectboxColumn("等次", options=group[0].grades)
        elif kind == "votes":
            for level in group[0].vote_levels:
                base[level] = [json.loads(saved[(m.id, None)]["votes"] or "{}").get(level)
                               if (m.id, None) in saved else None for m in roster]
                config[level] = st.column_config.NumberColumn(f"{level}（票）", min_value=0, step=1)
        else:
            raters = group[0].raters or [None]
            for rater in raters:
                column = RATER_NAMES.get(rater, rater) if rater else "分数"
                base[column] = [saved.get((m.id, rater), {}).get("value") for m in roster]
                base[column] = [None if v is None else float(v) for v in base[column]]
                config[column] = st.column_config.NumberColumn(column, step=0.5)
            limits = {f"{e.min}～{e.max}" + (f"（{'、'.join(e.categories)}）" if e.categories else "") for e in group}
            st.caption("分数范围：" + "；".join(sorted(limits)))
        key = form_key("ap")
        table = pl.DataFrame(base, strict=False)
        grid = f"ap_editor_{key}_{component}_{cycle}_{period}_{rows_key(m.id for m in roster)}"
        edited = st.data_editor(table, key=grid, hide_index=True,
                                num_rows="fixed", disabled=["编号", "姓名", "类别"], column_config=config,
                                height=min(38 * len(roster) + 40, 760), placeholder="—")
        if st.button(f"保存整表（{md(orgs.labels(store, [branch])[branch])}，{len(roster)} 人）", type="primary",
                     key=f"ap_save_{key}"):
            rows = []
            # Only the rows the user changed: re-saving untouched rows would bury the audit trail.
            for rec, was in zip(edited.iter_rows(named=True), table.iter_rows(named=True)):
                if rec == was:
                    continue
                if kind == "grade":
                    rows.append({"member_id": rec["编号"], "grade": rec["等次"]})
                elif kind == "votes":
                    rows.append({"member_id": rec["编号"], "votes": {lv: rec[lv] for lv in group[0].vote_levels}})
                else:
                    for rater in group[0].raters or [None]:
                        column = RATER_NAMES.get(rater, rater) if rater else "分数"
                        rows.append({"member_id": rec["编号"], "rater": rater, "value": rec[column]})
            try:
                count = appraisal.save_grid(store, user, branch, cycle, component, period, rows, request_key=key)
            except appraisal.GridError as exc:
                st.error(f"有 {len(exc.errors)} 处错误，整表未保存：")
                for message in exc.errors:
                    st.text(f"· {message}")
            except (EntryError, LookupError, PermissionError) as exc:
                st.error(md(exc))
            else:
                renew_form_key("ap")
                flash("ap", f"已保存 {count} 行「{names[component]}」（{period_label(scheme, cycle, period)}）")
                st.rerun()

with veto_tab:
    if not scheme.vetoes:
        st.info(f"方案「{scheme.name}」没有一票否决事项")
    else:
        people = unique((m.id, m.name) for m in attendance.roster(store, branch))  # 王芳（M0012） if two
        with st.form("veto_form", clear_on_submit=True):
            member_id = st.selectbox("党员", list(people), format_func=people.get)
            item = st.selectbox("否决事项", list(scheme.vetoes), format_func=lambda c: scheme.vetoes[c].name)
            day = st.date_input("认定日期", value=today, max_value=today, format="YYYY-MM-DD")
            evidence = st.text_area("依据（必填：文件、决定或事实）")
            if st.form_submit_button("记录一票否决", type="primary"):
                try:
                    vetoes.add_veto(store, user, member_id, item, day, evidence)
                except (EntryError, LookupError, PermissionError) as exc:
                    st.error(md(exc))
                else:
                    flash("ap", f"已记录：{people[member_id]}「{scheme.vetoes[item].name}」")
                    st.rerun()
        current_vetoes = vetoes.current_vetoes(store, branch)
        for row in current_vetoes.iter_rows(named=True):
            cols = st.columns([2, 2, 4, 4, 2])
            cols[0].text(f"{row['date']:%Y-%m-%d}")
            cols[1].text(people.get(row["member_id"], row["member_id"]))
            cols[2].text(scheme.vetoes[row["item"]].name if row["item"] in scheme.vetoes else row["item"])
            cols[3].text(row["evidence"])
            if cols[4].button("撤销", key=f"veto_undo_{row['id']}"):
                st.session_state["veto_revoking"] = row["id"]
        revoking = st.session_state.get("veto_revoking")
        if revoking is not None:
            reason = st.text_input("撤销理由（必填）", key="veto_reason")
            if st.button("确认撤销", key="veto_confirm"):
                try:
                    vetoes.revoke_veto(store, user, revoking, reason)
                except (EntryError, PermissionError) as exc:
                    st.error(md(exc))
                else:
                    del st.session_state["veto_revoking"]
                    flash("ap", "已撤销该一票否决")
                    st.rerun()
