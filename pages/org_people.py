"""组织与人员: the organisation tree (create, rename, move, deactivate, merge) and the subjects
of every kind under it (党员, 户 and its people, 村民, 商户/社团, 义工). All rules live in core."""

import datetime as dt

import polars as pl
import streamlit as st

from core import org_admin, orgs, subjects
from core.auth import PermissionDenied, ScopeError
from core.levels import LEVEL_NAMES
from core.services.entry_rules import EntryError
from core.services.ledger import KIND_NAMES
from ui.session import guard
from ui.subject_account import account_box
from ui.widgets import md

user, scope, store = guard("org_people")
st.title("组织与人员")
ERRORS = (EntryError, PermissionDenied, ScopeError)
EARLIEST, TODAY = dt.date(1900, 1, 1), dt.date.today()


def done(message: str) -> None:
    """Say what changed and rerun, so the tree and lists above show it at once."""
    st.session_state["org_people_flash"] = message
    st.rerun()


def attempt(work, message) -> None:
    try:
        result = work()
    except ERRORS as exc:
        st.error(md(exc))
    else:
        done(message(result) if callable(message) else message)


if flash := st.session_state.pop("org_people_flash", None):
    st.success(md(flash))

tree_tab, people_tab = st.tabs(["组织架构", "人员"], key="org_people_tab", on_change="rerun")

with tree_tab:
    rows = orgs.tree(store, scope, "group", include_inactive=True)
    shown = orgs.labels(store, [r["merged_into"] for r in rows if r["merged_into"]])
    st.dataframe(pl.DataFrame(
        [{"组织": "　" * r["depth"] + r["name"], "编码": r["code"], "层级": LEVEL_NAMES[r["level"]],
          "类型": org_admin.KIND_NAMES.get(r["kind"] or "", ""), "在册人数": r["members"],
          "状态": ("在用" if r["active"] else
                   f"已并入{shown.get(r['merged_into'], '')}" if r["merged_into"] else "已停用")} for r in rows],
        schema={"组织": pl.String, "编码": pl.String, "层级": pl.String, "类型": pl.String, "在册人数": pl.Int64,
                "状态": pl.String}), hide_index=True, width="stretch")

    live = orgs.in_use(store, scope)
    levels = {code: level for code, level in ((r["code"], r["level"]) for r in rows)}
    action = st.segmented_control("操作", ["新增", "改名", "移动", "停用", "合并支部"], default="新增", key="org_action")
    if action == "新增":
        level = st.selectbox("层级", list(org_admin.PARENT_LEVEL), format_func=LEVEL_NAMES.get, key="org_new_level")
        parents = {c: lbl for c, lbl in live.items() if levels.get(c) == org_admin.PARENT_LEVEL[level]}
        with st.form("org_add", clear_on_submit=True):
            parent = st.selectbox("上级组织", list(parents), format_func=parents.get, key="org_new_parent",
                                  index=0 if parents else None, placeholder="没有可用的上级组织")
            name = st.text_input("名称", key="org_new_name")
            kind = st.selectbox("支部类型", list(org_admin.BRANCH_KINDS), key="org_new_kind") if level == "branch" else None
            code = st.text_input("编码（可不填，自动生成）", key="org_new_code")
            if st.form_submit_button("新增组织", type="primary"):
                attempt(lambda: org_admin.create_org(store, user, name, parent, level, kind, code or None),
                        lambda new: f"已新增{LEVEL_NAMES[level]} {name.strip()}（编码 {new}）")
    elif action == "改名":
        with st.form("org_rename"):
            target = st.selectbox("组织", list(live), format_func=live.get, key="org_rename_target")
            name = st.text_input("新名称", key="org_rename_name")
            if st.form_submit_button("改名", type="primary"):
                attempt(lambda: org_admin.rename_org(store, user, target, name), f"已改名为 {name.strip()}")
    elif action == "移动":
        movable = {c: lbl for c, lbl in live.items() if levels.get(c) != "county"}
        target = st.selectbox("要移动的组织", list(movable), format_func=movable.get, key="org_move_target")
        wanted = org_admin.PARENT_LEVEL.get(levels.get(target, ""), "")
        parents = {c: lbl for c, lbl in live.items() if levels.get(c) == wanted and c != target}
        with st.form("org_move"):
            parent = st.selectbox("新上级", list(parents), format_func=parents.get, key="org_move_parent")
            if st.form_submit_button("移动", type="primary"):
                attempt(lambda: org_admin.move_org(store, user, target, parent),
                        f"已把 {movable.get(target, '')} 移到 {parents.get(parent, '')} 下")
    elif action == "停用":
        stoppable = {c: lbl for c, lbl in live.items() if levels.get(c) != "county"}
        with st.form("org_deactivate"):
            target = st.selectbox("组织", list(stoppable), format_func=stoppable.get, key="org_stop_target")
            reason = st.text_input("原因", key="org_stop_reason")
            st.caption("停用前须先移走其下级组织和在册人员；已有的记分和结果保留。")
            if st.form_submit_button("停用", type="primary"):
                attempt(lambda: org_admin.deactivate_org(store, user, target, reason or None),
                        f"已停用 {stoppable.get(target, '')}")
    else:
        branches = {c: lbl for c, lbl in live.items() if levels.get(c) == "branch"}
        with st.form("org_merge"):
            source = st.selectbox("并入的支部（合并后停用）", list(branches), format_func=branches.get, key="org_merge_from")
            into = st.selectbox("并入到", list(branches), format_func=branches.get, key="org_merge_into")
            day = st.date_input("合并日期", value=TODAY, min_value=EARLIEST, key="org_merge_date")
            st.caption("人员随迁并保留组织关系历史；此前的记分仍归原支部。")
            if st.form_submit_button("合并", type="primary"):
                attempt(lambda: org_admin.merge_branches(store, user, source, into, day),
                        lambda moved: f"已把 {branches.get(source, '')} 并入 {branches.get(into, '')}："
                                      f"转入 {moved['members']} 人")

with people_tab:
    live = orgs.in_use(store, scope)
    branch_labels = orgs.in_use(store, scope, ("branch",))
    c1, c2, c3 = st.columns([2, 1, 2])
    org_code = c1.selectbox("组织", list(live), format_func=live.get, key="people_org")
    kinds = {"": "全部类型", **KIND_NAMES}
    kind_filter = c2.selectbox("类型", list(kinds), format_func=kinds.get, key="people_kind")
    query = c3.text_input("查找（姓名或拼音首字母）", key="people_query")
    listed = subjects.list_subjects(store, user, org_code, query, kind_filter or None) if org_code else None
    if listed is not None and listed.height:
        st.dataframe(listed, hide_index=True, width="stretch")
    elif listed is not None:  # an empty grid would say "empty", in English
        st.caption("没有找到符合条件的人员" if query or kind_filter else "还没有人员：可在「导入导出」上传花名册，或在下方新增")
    picked_choices = {} if listed is None else {
        r["编号"]: f"{r['姓名']}（{r['类型']}，{r['编号']}）" for r in listed.iter_rows(named=True)}
    editing = st.selectbox("修改人员", list(picked_choices), format_func=picked_choices.get, index=None,
                           key="people_edit", placeholder="选择要修改的人员；不选则新增")
    record = subjects.get_subject(store, user, editing) if editing else {}
    kind = record.get("kind") or st.selectbox("新增类型", list(KIND_NAMES), format_func=KIND_NAMES.get,
                                              key="people_new_kind")
    st.subheader(f"修改：{md(record['name'])}" if editing else f"新增{KIND_NAMES[kind]}")

    # Branch and group sit outside the form: the group list follows the branch picked.
    branch_keys = list(branch_labels)
    current_branch = record.get("branch_code")
    branch = st.selectbox("所在支部（村）", branch_keys, format_func=branch_labels.get, key=f"people_branch_{editing}",
                          index=branch_keys.index(current_branch) if current_branch in branch_keys else 0)
    groups = {"": "（不分组）", **(orgs.in_use(store, scope, ("group",), branch) if branch else {})}
    group_keys = list(groups)
    group = st.selectbox("党小组/网格", group_keys, format_func=groups.get, key=f"people_group_{editing}_{branch}",
                         index=group_keys.index(record.get("group_code")) if record.get("group_code") in groups else 0)
    categories = subjects.scheme_categories(store, branch) if branch else None
    household = kind in subjects.HOUSEHOLD_KINDS


    def k(name: str) -> str:
        """A widget key per record, so picking another person shows that person's values."""
        return f"{name}_{editing or kind}"

    with st.form(f"subject_form_{editing}", clear_on_submit=not editing):
        c1, c2 = st.columns(2)
        name = c1.text_input("户名" if household else "名称" if kind == "unit" else "姓名", value=record.get("name") or "",
                             key=k("subject_name"))
        masked = record.get("id_card")
        id_card = c2.text_input("身份证号", key=k("subject_id_card"), placeholder=f"已登记 {masked}，留空不变" if masked else "18位")
        genders = ["", "男", "女"]
        gender = c1.selectbox("性别", genders, index=genders.index(record.get("gender") or ""), key=k("subject_gender"),
                              format_func=lambda g: g or "（不填）")
        birth = c2.date_input("出生日期", value=record.get("birth_date"), min_value=EARLIEST, max_value=TODAY,
                              key=k("subject_birth"))
        phone = c1.text_input("联系电话", value=record.get("phone") or "", key=k("subject_phone"))
        if categories:
            options = [""] + categories
            category = c2.selectbox("类别", options, format_func=lambda c: c or "（不填）", key=k("subject_category"),
                                    index=options.index(record["category"]) if record.get("category") in options else 0)
        else:
            category = c2.text_input("类别", value=record.get("category") or "", key=k("subject_category"))
        values = {"name": name, "id_card": id_card, "gender": gender, "birth_date": birth, "phone": phone,
                  "category": category, "branch_code": branch, "group_code": group or None}
        if kind == "member":
            join = c1.date_input("入党日期", value=record.get("join_date"), min_value=EARLIEST, max_value=TODAY,
                                 key=k("subject_join"))
            probationary = c2.checkbox("预备党员", value=bool(record.get("probationary")), key=k("subject_probationary"))
            p_start = c1.date_input("预备期开始", value=record.get("probation_start"), min_value=EARLIEST,
                                    max_value=TODAY, key=k("subject_p_start"))
            p_end = c2.date_input("预备期结束（不填为一年）", value=record.get("probation_end"), min_value=EARLIEST,
                                  max_value=TODAY + dt.timedelta(days=730), key=k("subject_p_end"))
            work_unit = c1.text_input("工作单位（在职党员）", value=record.get("work_unit") or "", key=k("subject_work_unit"))
            values |= {"join_date": join, "probationary": probationary, "probation_start": p_start,
                       "probation_end": p_end, "work_unit": work_unit}
        if household:
            values["head_name"] = c1.text_input("户主", value=record.get("head_name") or "", key=k("subject_head"))
            values["house_no"] = c2.text_input("门牌号", value=record.get("house_no") or "", key=k("subject_house_no"))
        values["address"] = st.text_input("住址", value=record.get("address") or "", key=k("subject_address"))
        statuses = list(subjects.STATUS_NAMES)
        status = c1.selectbox("状态", statuses, format_func=subjects.STATUS_NAMES.get, key=k("subject_status"),
                              index=statuses.index(record.get("status") or "active"))
        values["status"] = status
        if kind == "member":
            values["exempt_reason"] = c2.text_input("免评原因", value=record.get("exempt_reason") or "",
                                                    key=k("subject_exempt_reason"))
            values["exempt_by"] = c1.text_input("批准机构", value=record.get("exempt_by") or "", key=k("subject_exempt_by"))
            values["exempt_on"] = c2.date_input("批准日期", value=record.get("exempt_on"), min_value=EARLIEST,
                                                max_value=TODAY, key=k("subject_exempt_on"))
        if st.form_submit_button("保存修改" if editing else "新增", type="primary"):
            if editing:
                attempt(lambda: subjects.update_subject(store, user, editing, values),
                        lambda changed: f"已保存 {name.strip()}" + ("" if changed else "（没有变化）"))
            else:
                attempt(lambda: subjects.add_subject(store, user, values, kind),
                        lambda new: f"已新增{KIND_NAMES[kind]} {subjects.clean_name(name, kind)}（编号 {new}）")

    if editing:
        account_box(store, user, editing)
    if editing and household:
        st.subheader("户成员")
        people = subjects.household_people(store, user, editing)
        st.dataframe(people, hide_index=True, width="stretch")
        with st.form("person_add", clear_on_submit=True):
            c1, c2, c3 = st.columns(3)
            p_name = c1.text_input("姓名", key="person_name")
            relation = c2.selectbox("与户主关系", subjects.RELATIONS, key="person_relation")
            p_id = c3.text_input("身份证号", key="person_id_card")
            if st.form_submit_button("添加户成员"):
                attempt(lambda: subjects.add_person(store, user, editing,
                                                    {"name": p_name, "relation": relation, "id_card": p_id}),
                        f"已添加户成员 {subjects.clean_name(p_name)}")
        removable = {int(r["序号"]): f"{r['姓名']}（{r['与户主关系'] or '未填关系'}，序号{r['序号']}）"
                     for r in people.iter_rows(named=True)}
        if removable:
            c1, c2 = st.columns([3, 1])
            gone = c1.selectbox("移除户成员", list(removable), format_func=removable.get, index=None,
                                key="person_remove", placeholder="选择要移除的户成员")
            if c2.button("移除", disabled=gone is None, key="person_remove_button"):
                attempt(lambda: subjects.remove_person(store, user, editing, gone),
                        f"已移除户成员 {removable.get(gone, '')}")
