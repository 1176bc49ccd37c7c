"""导入导出: templates, upload, preview (counts and errors by row), confirm, and the batches with 撤销本批."""

import streamlit as st

from core import imports, orgs
from core.auth.permissions import PermissionDenied
from core.auth.scope import ScopeError
from core.imports.base import content_hash
from core.imports.templates import template_bytes
from core.services.entry_rules import EntryError
from ui.session import guard
from ui.widgets import md, uploader_in_chinese

user, scope, store = guard("import_export")
st.title("导入导出")

REFUSED = (EntryError, PermissionDenied, ScopeError)
names = imports.kind_names()
# The tree is changed by admins and township officials only (as on 组织与人员).
kinds = [k for k in imports.KINDS if k != "orgs" or user.role in ("admin", "township")]

if flash := st.session_state.pop("import_flash", None):
    st.success(md(flash))

c1, c2 = st.columns(2)
kind = c1.selectbox("导入内容", kinds, format_func=names.get, key="import_kind")
branches = dict(orgs.branches(store, scope))
default = list(branches).index(user.org_code) if user.org_code in branches else None
org_code = c2.selectbox("导入到支部（文件中没有「所在支部」列时必选）", list(branches), format_func=branches.get,
                        index=default, key="import_org", placeholder="按文件中的「所在支部」列",
                        disabled=kind == "orgs")
if kind == "orgs":
    org_code = None

st.download_button(f"下载「{names[kind]}」模板", template_bytes(kind, store, org_code),
                   file_name=f"{names[kind]}模板.xlsx", key="import_template", icon=":material/download:",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
st.caption("模板第二行是示例，可直接覆盖填写；保留不改的示例行不会被导入。也可直接上传各支部现有的花名册、台账"
           "（标题行、合并表头、常见列名和各种日期写法都能识别）。")

uploader_in_chinese()
upload = st.file_uploader(f"上传文件（.xlsx、.xls 或 .csv，不超过 {imports.MAX_BYTES // 1024 // 1024} MB）",
                          type=["xlsx", "xls", "csv"], max_upload_size=imports.MAX_BYTES // 1024 // 1024,
                          # a new key after each import empties the uploader: the file just imported
                          # would otherwise stay, its preview now saying it was already imported
                          key=f"import_file_{kind}_{st.session_state.get('import_round', 0)}")

preview = None
if upload is not None:
    data = upload.getvalue()
    key = (kind, org_code, upload.name, content_hash(data) if len(data) <= imports.MAX_BYTES else "")
    cached = st.session_state.get("import_preview")
    if cached is not None and cached[0] == key:
        preview = cached[1]
    else:
        with st.status("正在读取并检查文件…", expanded=False) as status:
            try:
                preview = imports.preview(store, user, kind, data, upload.name, org_code)
            except REFUSED as exc:
                status.update(label="无法导入", state="error")
                st.error(md(exc))
            else:
                status.update(label=f"已检查 {preview.rows} 行", state="complete")
                st.session_state["import_preview"] = (key, preview)

if preview is not None:
    st.subheader("预览")
    c = st.columns(4)
    c[0].metric("新增", preview.added)
    c[1].metric("更新", preview.updated)
    c[2].metric("与系统一致", preview.unchanged)
    c[3].metric("问题", preview.errors.height)
    if preview.ok:
        (st.info if preview.already or not (preview.added or preview.updated) else st.success)(md(preview.summary()))
    else:
        st.error(md(preview.summary()))
    if preview.extra_columns:
        st.caption(md("以下列未使用（已忽略）：" + "、".join(preview.extra_columns)))
    if not preview.ok:
        st.dataframe(preview.errors, hide_index=True, width="stretch")
        st.download_button("下载错误清单", preview.error_report(), file_name=f"{upload.name}-错误清单.xlsx",
                           key="import_errors", icon=":material/download:",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        tabs = st.tabs([f"新增（{preview.added}）", f"更新（{preview.updated}）"])
        with tabs[0]:
            if preview.shown_add.height:
                st.dataframe(preview.shown_add.head(500), hide_index=True, width="stretch")
                if preview.shown_add.height > 500:
                    st.caption(f"仅显示前 500 条，共 {preview.shown_add.height} 条")
            else:
                st.caption("没有新增")
        with tabs[1]:
            if preview.shown_update.height:
                st.dataframe(preview.shown_update.head(500), hide_index=True, width="stretch")
            else:
                st.caption("没有更新")
        can_write = bool(preview.added or preview.updated) and not preview.already
        if st.button("确认导入", type="primary", disabled=not can_write, key="import_confirm"):
            with st.spinner("正在写入（全部成功或全部不写入）…"):
                try:
                    batch = imports.commit(store, user, preview)
                except REFUSED as exc:
                    st.error(md(exc))
                else:
                    st.session_state.pop("import_preview", None)
                    st.session_state["import_round"] = st.session_state.get("import_round", 0) + 1
                    st.session_state["import_flash"] = (
                        f"已导入（批次 {batch}）：新增 {preview.added} 条，更新 {preview.updated} 条")
                    st.rerun()

st.subheader("导入记录")
listed = imports.batches(store, user)
if listed.height == 0:
    st.caption("还没有导入记录")
else:
    labels = orgs.labels(store, [c for c in listed["org_code"].to_list() if c])
    rows = [{"批次": str(r["id"]), "内容": r["kind_name"], "文件": r["file_name"] or "",
             "导入到": labels.get(r["org_code"], "") if r["org_code"] else "按文件",
             "导入人": r["username"], "时间": f"{r['created_at']:%Y-%m-%d %H:%M}",
             "新增": r["added"], "更新": r["updated"],
             "状态": f"已撤销（{r['undone_at']:%Y-%m-%d %H:%M}）" if r["undone_at"] else "有效"}
            for r in listed.iter_rows(named=True)]
    st.dataframe(rows, hide_index=True, width="stretch")
    open_batches = {r["id"]: f"批次 {r['id']}：{r['kind_name']}（{r['file_name'] or ''}）"
                    for r in listed.iter_rows(named=True) if r["undone_at"] is None}
    target = st.selectbox("选择要撤销的批次", list(open_batches), format_func=open_batches.get, index=None,
                          key="import_undo_target", placeholder="选择批次")
    st.caption("撤销：积分记录以撤销记录冲销（期间已归档则不能撤销）；名册新增的人员删除、更新的内容恢复原值。")
    if st.button("撤销本批", disabled=target is None, key="import_undo"):
        try:
            imports.undo(store, user, target)
        except REFUSED as exc:
            st.error(md(exc))
        else:
            st.session_state.pop("import_preview", None)
            st.session_state["import_flash"] = f"已撤销批次 {target}"
            st.rerun()
