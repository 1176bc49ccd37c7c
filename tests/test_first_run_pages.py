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


def test_a_running_cycle_in_the_member_file_is_marked_provisional(tmp_path):
    # A township that starts mid-cycle sees this cycle next to the last one on 成员档案: this
    # one's grade is what the ledger gives so far, not a result
    import datetime as dt

    from core import imports, org_admin
    from core.auth import scope_for
    from core.metrics import member_file
    from core.scheme_assignments import assign_scheme
    from tests.import_files import csv

    store = Store(tmp_path / "new.duckdb")
    setup(store, "C01", "某某县", "root", "a-good-password", "周立")
    admin = get_user(store, "root")
    org_admin.create_org(store, admin, "青山镇", "C01", "township", code="C01T01")
    org_admin.create_org(store, admin, "东风村党支部", "C01T01", "branch", "村", code="C01T01B01")
    assign_scheme(store, admin, "C01T01", "party-q100-3to1", dt.date(2025, 7, 1))
    data = csv(["姓名,性别,入党日期", "周一,男,2000-07-01"])
    imports.commit(store, admin, imports.preview(store, admin, "members", data, "花名册.csv", "C01T01B01"))
    data = csv(["姓名,积分项目,日期", "周一,缺席三会一课,2025-08-01"])
    imports.commit(store, admin, imports.preview(store, admin, "events", data, "台账.csv", "C01T01B01"))
    member = member_file.profile(store, scope_for(store, admin), store.scalar("SELECT id FROM members"))
    history = member_file.per_cycle(store, member, dt.date(2026, 11, 29))
    # 2026 runs 2026-07-01..2027-06-30, still running on 2026-11-29; 2025 ended on 2026-06-30
    assert history.select("cycle", "source").rows() == [(2026, "台账计算（本年度未结束，暂定）"), (2025, "台账计算")]
    store.close()


def test_organisation_page_of_a_new_install_has_no_empty_grid(tmp_path, monkeypatch):
    db = tmp_path / "new.duckdb"
    store = Store(db)
    setup(store, "C01", "某某县", "root", "a-good-password", "周立")
    admin = get_user(store, "root")
    store.close()
    at = page_runner(db, monkeypatch, admin)("pages/org_people.py")
    assert "还没有人员：可在「导入导出」上传花名册，或在下方新增" in [c.value for c in at.caption]
    assert len(at.dataframe) == 1  # the tree only
