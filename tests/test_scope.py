import pytest

from core import orgs
from core.auth import ScopeError, get_user, scope_for
from tests.conftest import DEMO_BRANCHES


def test_township_scope_is_its_subtree(demo_store):
    scope = scope_for(demo_store, get_user(demo_store, "zhen01"))
    branches = scope.branch_codes(demo_store)
    assert len(branches) == DEMO_BRANCHES and all(b.startswith("C01T01B") for b in branches)
    counts = orgs.counts(demo_store, scope)
    assert counts["branches"] == DEMO_BRANCHES


def test_secretary_sees_only_own_branch(demo_store):
    scope = scope_for(demo_store, get_user(demo_store, "shuji01"))
    assert scope.branch_codes(demo_store) == ["C01T01B01"]
    own = demo_store.scalar("SELECT id FROM members WHERE branch_code = 'C01T01B01' LIMIT 1")
    other = demo_store.scalar("SELECT id FROM members WHERE branch_code = 'C01T01B02' LIMIT 1")
    assert scope.check_member(demo_store, own) == "C01T01B01"
    with pytest.raises(ScopeError, match="不在您的管辖范围内"):
        scope.check_member(demo_store, other)
    with pytest.raises(ScopeError):
        scope.check_org(demo_store, "C01T01B02")
    # the crafted attempt is audited
    row = demo_store.one("SELECT username, member_id FROM audit_log WHERE action = 'scope.denied' ORDER BY id LIMIT 1")
    assert row == ("shuji01", other)


def test_tree_lists_orgs_in_scope_with_depth(demo_store):
    scope = scope_for(demo_store, get_user(demo_store, "zhen01"))
    rows = orgs.tree(demo_store, scope)
    assert rows[0]["code"] == "C01T01" and rows[0]["depth"] == 0
    assert {r["depth"] for r in rows[1:]} == {1}
    total = demo_store.scalar(
        "SELECT count(*) FROM members WHERE branch_code LIKE 'C01T01B%' AND status <> 'transferred'")
    assert rows[0]["members"] == total


def test_options_and_names_in_scope(demo_store):
    scope = scope_for(demo_store, get_user(demo_store, "shuji01"))
    assert list(orgs.options(demo_store, scope, "branch")) == ["C01T01B01"]
    assert orgs.options(demo_store, scope, "township") == {}  # the township sits above a secretary's scope
    township = scope_for(demo_store, get_user(demo_store, "zhen01"))
    branches = orgs.options(demo_store, township, "branch", township="C01T01")
    assert len(branches) == DEMO_BRANCHES and list(branches)[0] == "C01T01B01"
    assert orgs.names(demo_store, ["C01T01B01", "C01T01B02"]) == {c: branches[c] for c in ("C01T01B01", "C01T01B02")}


def test_party_groups_count_their_members(demo_store):
    scope = scope_for(demo_store, get_user(demo_store, "shuji01"))
    rows = orgs.tree(demo_store, scope, max_level="group")
    branch, groups = rows[0], rows[1:]
    assert groups and all(r["level"] == "group" for r in groups)
    # every member of the demo sits in one of the branch's groups, so the groups add up to the branch
    assert sum(r["members"] for r in groups) == branch["members"] and all(r["members"] > 0 for r in groups)
