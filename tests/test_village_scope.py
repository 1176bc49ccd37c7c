"""网格员: a recorder whose org is a grid records for that grid's subjects only."""

from __future__ import annotations

import datetime as dt

import pytest

from core import members
from core.auth import scope_for
from core.auth.scope import ScopeError
from core.services.ledger import enter_event
from tests import village_world as vw


@pytest.fixture
def village(store):
    vw.build(store)
    return store


def test_grid_recorder_records_for_its_grid_and_is_refused_elsewhere(village):
    store = village
    scope = scope_for(store, vw.GRID)
    assert scope.grid == "C01T01B01G1"
    # In: a household of grid G1.
    event = enter_event(store, vw.GRID, "H01", "brave_deed", dt.date(2025, 11, 3), today=vw.TODAY)
    assert store.one("SELECT member_id, item, entered_by FROM events WHERE id = ?", [event]) == ("H01", "brave_deed", "wangge1")
    # Out: another grid's household, and a party member of the same branch (no grid).
    denied_before = store.scalar("SELECT count(*) FROM audit_log WHERE action = 'scope.denied'")
    for other in ("H03", "M01"):
        with pytest.raises(ScopeError, match="网格"):
            enter_event(store, vw.GRID, other, "brave_deed" if other == "H03" else "award_district",
                        dt.date(2025, 11, 3), today=vw.TODAY)
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'scope.denied'") == denied_before + 2
    assert store.scalar("SELECT count(*) FROM events") == 1


def test_grid_search_lists_only_the_grid(village):
    store = village
    grid = scope_for(store, vw.GRID)
    assert [r[0] for r in members.pick(store, grid, "", branch_code=vw.BRANCH)] == ["H02", "H01"]  # 陈 before 刘
    # by house number, by initials, by name
    assert [r[0] for r in members.pick(store, grid, "1-02")] == ["H02"]
    assert [r[0] for r in members.pick(store, grid, "lyh")] == ["H01"]
    assert [r[0] for r in members.pick(store, grid, "杨")] == []  # 杨三户 is in grid G2
    # the secretary finds every household of the branch, by house number too
    secretary = scope_for(store, vw.SECRETARY)
    assert [r[0] for r in members.pick(store, secretary, "2-0")] == ["H04", "H03"]  # 黄 before 杨
