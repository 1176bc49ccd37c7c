"""Schemes per organisation: inherited down the tree, overridden by a branch, in force from a date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.auth import PermissionDenied, ScopeError, User
from core.scheme_assignments import NoSchemeError, assign_scheme, scheme_for, scheme_for_cycle
from tests.entry_world import ADMIN, SECRETARY, TOWNSHIP, build

OTHER_TOWNSHIP = User("zhen02", "别镇", "township", "C01T02")


@pytest.fixture
def tree(store):
    build(store)  # the township adopted party-q100-3to1 from 2024-07-01
    store.write(lambda cur: cur.execute(
        "INSERT INTO orgs(code, name, level, parent_code, path) VALUES ('C01T02', '别镇', 'township', 'C01', '/C01/C01T02/')"
    ).fetchall())
    return store


def test_branches_inherit_the_township_scheme_with_its_version(tree):
    scheme, assignment = scheme_for(tree, "C01T01B02", dt.date(2025, 3, 1))
    assert (scheme.id, scheme.version) == ("party-q100-3to1", "1.1")
    assert (assignment.org_code, assignment.org_name, assignment.scheme_version, assignment.reason) == (
        "C01T01", "测试镇", "1.1", "全镇统一")
    row = tree.one("SELECT action, org_code, after_json->>'scheme_version' FROM audit_log WHERE action = 'scheme.assign'")
    assert row == ("scheme.assign", "C01T01", "1.1")


def test_branch_override_wins_from_its_date_even_over_a_later_township_switch(tree):
    assign_scheme(tree, TOWNSHIP, "C01T01B01", "party-annual-7to3", dt.date(2025, 1, 1), reason="试点")
    assign_scheme(tree, TOWNSHIP, "C01T01", "party-vanguard-8to2", dt.date(2026, 1, 1), reason="全镇换方案")
    on = lambda branch, day: scheme_for(tree, branch, day)[0].id  # noqa: E731
    assert on("C01T01B01", dt.date(2024, 12, 31)) == "party-q100-3to1"
    assert on("C01T01B01", dt.date(2025, 1, 1)) == "party-annual-7to3"
    assert on("C01T01B01", dt.date(2026, 6, 1)) == "party-annual-7to3"
    assert on("C01T01B02", dt.date(2025, 12, 31)) == "party-q100-3to1"
    assert on("C01T01B02", dt.date(2026, 1, 1)) == "party-vanguard-8to2"


def test_county_assignment_reaches_every_township_without_its_own(tree):
    with pytest.raises(NoSchemeError, match="「别镇」在 2025-01-01 没有适用的积分方案"):
        scheme_for(tree, "C01T02", dt.date(2025, 1, 1))
    assign_scheme(tree, ADMIN, "C01", "party-street-3class", dt.date(2024, 1, 1))
    assert scheme_for(tree, "C01T02", dt.date(2025, 1, 1))[0].id == "party-street-3class"
    assert scheme_for(tree, "C01T01B01", dt.date(2025, 1, 1))[0].id == "party-q100-3to1"


def test_overrides_are_applied_and_validated(tree):
    assign_scheme(tree, TOWNSHIP, "C01T01B01", "party-q100-3to1", dt.date(2025, 1, 1),
                  overrides={"items": {"miss_meeting": {"points": -3}}}, reason="本村缺席扣3分")
    assert scheme_for(tree, "C01T01B01", dt.date(2025, 2, 1))[0].items["miss_meeting"].points == Decimal("-3")
    assert scheme_for(tree, "C01T01B02", dt.date(2025, 2, 1))[0].items["miss_meeting"].points == Decimal("-2")
    with pytest.raises(NoSchemeError, match="无法使用"):
        assign_scheme(tree, TOWNSHIP, "C01T01B01", "party-q100-3to1", dt.date(2025, 1, 1),
                      overrides={"cycle_start": "03-01"})
    with pytest.raises(NoSchemeError, match="未知方案"):
        assign_scheme(tree, TOWNSHIP, "C01T01B01", "no-such-scheme", dt.date(2025, 1, 1))
    assert tree.scalar("SELECT count(*) FROM scheme_assignments") == 2


def test_only_admin_and_township_assign_and_only_in_scope(tree):
    with pytest.raises(PermissionDenied):
        assign_scheme(tree, SECRETARY, "C01T01B01", "party-annual-7to3", dt.date(2025, 1, 1))
    with pytest.raises(ScopeError):
        assign_scheme(tree, OTHER_TOWNSHIP, "C01T01B01", "party-annual-7to3", dt.date(2025, 1, 1))
    assert tree.scalar("SELECT count(*) FROM audit_log WHERE action = 'scope.denied'") == 1


def test_a_finished_cycle_keeps_the_scheme_in_force_at_its_end(tree):
    assign_scheme(tree, TOWNSHIP, "C01T01", "party-vanguard-8to2", dt.date(2026, 7, 1))
    # Cycle 2025 of party-q100-3to1 runs 2025-07-01..2026-06-30; the switch comes after it.
    assert scheme_for_cycle(tree, "C01T01B01", 2025, today=dt.date(2026, 5, 1))[0].id == "party-q100-3to1"
    assert scheme_for_cycle(tree, "C01T01B01", 2025, today=dt.date(2026, 11, 1))[0].id == "party-q100-3to1"
    assert scheme_for_cycle(tree, "C01T01B01", 2026, today=dt.date(2026, 11, 1))[0].id == "party-vanguard-8to2"
