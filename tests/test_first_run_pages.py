"""Pages as a township first sees them: a fresh database, just set up, nothing imported yet."""

from __future__ import annotations

from core.auth import get_user
from core.first_run import setup
from core.store import Store
from tests.conftest import page_runner


def test_an_empty_member_list_says_so_in_chinese(tmp_path, monkeypatch):
    # Streamlit draws an empty table with the English word "empty"; the page says why instead
    db = tmp_path / "new.duckdb"
    store = Store(db)
    setup(store, "C01", "某某县", "root", "a-good-password", "周立")
    admin = get_user(store, "root")
    store.close()
    at = page_runner(db, monkeypatch, admin)("pages/home.py")
    assert [c.value for c in at.caption if "还没有党员" in c.value] == [
        "还没有党员：请在「导入导出」上传花名册，或在「组织与人员」中添加"]
    assert len(at.dataframe) == 1  # the tree (the county itself); no empty member table
    at.text_input(key="home_member_query").input("zs").run()
    assert "没有找到符合条件的党员" in [c.value for c in at.caption]
