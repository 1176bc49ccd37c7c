"""The organisation tree: create, rename, move, deactivate, merge; who may; audit rows."""

import datetime as dt

import pytest

from core import org_admin as oa
from core.auth import PermissionDenied, ScopeError, get_user
from core.org_admin import OrgError


def user(store, name):
    return get_user(store, name)


def audit_rows(store, action):
    return store.all("SELECT username, entity_id, before_json, after_json FROM audit_log WHERE action = ? ORDER BY id",
                     [action])


def next_branch(store) -> str:
    """The code the next branch under C01T01 gets: the demo has B01..B20 and the branches its
    later parts add after them (report-in's county departments, the 党员义工工作站)."""
    last = store.scalar("SELECT max(CAST(substr(code, 8) AS INTEGER)) FROM orgs WHERE parent_code = 'C01T01'"
                        " AND level = 'branch' AND length(code) = 9")
    return f"C01T01B{last + 1:02d}"


def org(store, code):
    return store.one("SELECT name, level, kind, parent_code, path, township_code, branch_code, active, merged_into"
                     " FROM orgs WHERE code = ?", [code])


def test_codes_are_generated_under_the_parent(demo_store):
    admin = user(demo_store, "admin")
    # the demo has C01T01 only, its branches B01..B20 (and after them), and 2–4 groups per branch
    new = next_branch(demo_store)
    assert oa.create_org(demo_store, admin, "新桥镇", "C01", "township") == "C01T02"
    assert oa.create_org(demo_store, admin, "新村党支部", "C01T01", "branch", "村") == new
    groups = demo_store.scalar("SELECT count(*) FROM orgs WHERE parent_code = 'C01T01B01'")
    assert oa.create_org(demo_store, admin, "新党小组", "C01T01B01", "group") == f"C01T01B01G{groups + 1}"
    assert org(demo_store, new) == ("新村党支部", "branch", "village", "C01T01", f"/C01/C01T01/{new}/",
                                    "C01T01", new, True, None)
    assert oa.create_org(demo_store, admin, "实验学校党支部", "C01T02", "branch", "学校", code="X9") == "X9"
    assert org(demo_store, "X9")[2] == "school"
    after = [r[1] for r in audit_rows(demo_store, "org.add")]
    assert after == ["C01T02", new, f"C01T01B01G{groups + 1}", "X9"]


@pytest.mark.parametrize("args, message", [
    (("", "C01T01", "branch"), "组织名称"),
    (("某村", "C01", "branch"), "上级组织"),              # a branch belongs under a township
    (("某村", "C01T01", "branch", "工厂"), "支部类型"),
    (("某村", "C09", "branch"), "未找到"),
    (("某村", "C01T01", "county"), "层级"),
])
def test_bad_input_names_the_field(demo_store, args, message):
    with pytest.raises(OrgError, match=message):
        oa.create_org(demo_store, user(demo_store, "admin"), *args)


def test_a_given_code_must_be_free(demo_store):
    with pytest.raises(OrgError, match="已存在"):
        oa.create_org(demo_store, user(demo_store, "admin"), "某村", "C01T01", "branch", code="C01T01B01")


def test_township_works_within_its_subtree_only(demo_store):
    admin, township = user(demo_store, "admin"), user(demo_store, "zhen01")
    oa.create_org(demo_store, admin, "新桥镇", "C01", "township")  # C01T02, outside zhen01's C01T01
    new = next_branch(demo_store)
    assert oa.create_org(demo_store, township, "新村党支部", "C01T01", "branch") == new
    with pytest.raises(ScopeError):
        oa.create_org(demo_store, township, "别村党支部", "C01T02", "branch")
    with pytest.raises(ScopeError):
        oa.move_org(demo_store, township, new, "C01T02")
    assert demo_store.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'scope.denied' AND username = 'zhen01'") == 2
    with pytest.raises(PermissionDenied):
        oa.rename_org(demo_store, user(demo_store, "shuji01"), "C01T01B01", "改名")


def test_rename_and_move_repath_the_subtree(demo_store):
    admin = user(demo_store, "admin")
    oa.create_org(demo_store, admin, "新桥镇", "C01", "township")
    oa.rename_org(demo_store, admin, "C01T01B02", "  新名村 党支部 ")
    assert org(demo_store, "C01T01B02")[0] == "新名村党支部"
    groups = [r[0] for r in demo_store.all("SELECT code FROM orgs WHERE parent_code = 'C01T01B02'")]
    oa.move_org(demo_store, admin, "C01T01B02", "C01T02")
    assert org(demo_store, "C01T01B02")[3:6] == ("C01T02", "/C01/C01T02/C01T01B02/", "C01T02")
    for g in groups:  # the groups came along: path and township follow
        assert org(demo_store, g)[4:7] == (f"/C01/C01T02/C01T01B02/{g}/", "C01T02", "C01T01B02")
    (_, code, before, after), = audit_rows(demo_store, "org.move")
    assert code == "C01T01B02" and '"C01T01"' in before and '"C01T02"' in after
    with pytest.raises(OrgError, match="新上级"):
        oa.move_org(demo_store, admin, "C01T01B03", "C01T01B04")


def test_deactivate_needs_an_empty_node(demo_store):
    admin = user(demo_store, "admin")
    with pytest.raises(OrgError, match="下级组织"):
        oa.deactivate_org(demo_store, admin, "C01T01B01")
    code = oa.create_org(demo_store, admin, "空支部", "C01T01", "branch")
    oa.deactivate_org(demo_store, admin, code, "撤并")
    assert org(demo_store, code)[7] is False
    assert audit_rows(demo_store, "org.deactivate")[0][1] == code
    with pytest.raises(OrgError, match="已经停用"):
        oa.deactivate_org(demo_store, admin, code)


def test_merge_moves_members_with_history_and_keeps_events(demo_store):
    admin = user(demo_store, "admin")
    on = dt.date.today()
    people = {r[0] for r in demo_store.all(
        "SELECT id FROM members WHERE branch_code = 'C01T01B03' AND status IN ('active', 'exempt')")}
    gone = demo_store.scalar("SELECT count(*) FROM members WHERE branch_code = 'C01T01B03' AND status = 'transferred'")
    events = demo_store.scalar("SELECT count(*) FROM events WHERE branch_code = 'C01T01B03'")
    groups = demo_store.scalar("SELECT count(*) FROM orgs WHERE parent_code = 'C01T01B03'")
    result = oa.merge_branches(demo_store, admin, "C01T01B03", "C01T01B04", on)
    assert result == {"members": len(people), "groups": groups}
    assert org(demo_store, "C01T01B03")[7:] == (False, "C01T01B04")
    # every moved member: a span in B03 closed the day before, a span in B04 open from today
    for member in people:
        spans = demo_store.all("SELECT branch_code, to_date FROM member_branch_history WHERE member_id = ?"
                               " ORDER BY from_date", [member])
        assert spans[-1] == ("C01T01B04", None)
        assert ("C01T01B03", on - dt.timedelta(days=1)) in spans
    assert demo_store.scalar("SELECT count(*) FROM members WHERE branch_code = 'C01T01B03'") == gone
    # events stay with the branch that entered them
    assert demo_store.scalar("SELECT count(*) FROM events WHERE branch_code = 'C01T01B03'") == events
    assert demo_store.scalar("SELECT count(*) FROM orgs WHERE parent_code = 'C01T01B04' AND branch_code = 'C01T01B04'"
                             " AND starts_with(path, '/C01/C01T01/C01T01B04/')") >= groups
    (_, code, before, after), = audit_rows(demo_store, "org.merge")
    assert code == "C01T01B03" and '"merged_into": "C01T01B04"' in after
    with pytest.raises(OrgError, match="已停用"):
        oa.merge_branches(demo_store, admin, "C01T01B03", "C01T01B05")
    with pytest.raises(OrgError, match="两个支部"):
        oa.merge_branches(demo_store, admin, "C01T01", "C01T01B05")
