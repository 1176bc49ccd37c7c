"""导入导出 in AppTest: the page for each role, the template, the batch list and 撤销本批.
(AppTest cannot upload a file: the upload itself is tests/test_browser_import.py.)"""

from __future__ import annotations

from core import imports
from core.auth import get_user
from core.orgs import labels
from core.store import Store
from tests.import_files import csv


def _import_roster(demo_path) -> tuple[int, str]:
    store = Store(demo_path)
    try:
        user = get_user(store, "shuji01")
        data = csv(["姓名,出生日期", "新党员甲,1990.1.1", "新党员乙,1991.2.3"])
        batch = imports.commit(store, user, imports.preview(store, user, "members", data, "新名册.csv", user.org_code))
        return batch, labels(store, [user.org_code])[user.org_code]
    finally:
        store.close()


def test_secretary_sees_kinds_template_and_batches_and_undoes_one(app_as, demo_path):
    batch, branch = _import_roster(demo_path)
    at = app_as("shuji01")
    at.switch_page("pages/import_export.py").run()
    assert not at.exception, at.exception
    kinds = at.selectbox(key="import_kind")
    # a secretary does not change the organisation tree
    assert "orgs" not in kinds.options and "组织架构" not in kinds.options
    assert at.selectbox(key="import_org").value == "C01T01B01"
    batches = at.dataframe[0].value
    assert batches.iloc[0]["批次"] == str(batch) and batches.iloc[0]["新增"] == 2
    assert batches.iloc[0]["状态"] == "有效" and batches.iloc[0]["导入到"] == branch
    at.selectbox(key="import_undo_target").select(batch).run()
    at.button(key="import_undo").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == f"已撤销批次 {batch}"
    assert at.dataframe[0].value.iloc[0]["状态"].startswith("已撤销")


def test_admin_may_import_the_tree_and_recorder_is_refused(app_as):
    at = app_as("admin")
    at.switch_page("pages/import_export.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="import_kind").select("orgs").run()
    assert at.selectbox(key="import_org").disabled
    assert not at.exception
