"""确认归档 and 重新开放: the state changes, and every illegal one refused."""

import datetime as dt

import pytest

from core.auth import PermissionDenied
from core.demo.review_chain import pass_chain
from core.services import ledger
from core.services.case import build_case
from core.services.entry_rules import EntryError
from core.services.finalise import finalise, finalise_blockers, reopen
from core.services.objections import file_objection, resolve_objection
from core.services.publicity import current_publicity, get_publicity, open_publicity
from core.services.results import branch_results
from tests.entry_world import ADMIN, SECRETARY, TODAY, TOWNSHIP, world  # noqa: F401
from tests.publicity_world import BRANCH, Q1_END, Q1_START, approved_event

D = dt.date
END = TODAY + dt.timedelta(days=6)
AFTER = END + dt.timedelta(days=1)  # the first day the window is closed


@pytest.fixture
def published(world):
    approved_event(world, "M01", "miss_meeting", D(2025, 8, 3))
    return world, open_publicity(world, SECRETARY, BRANCH, 2025, "Q1", TODAY, END, today=TODAY)


def test_not_before_the_window_closes(published):
    store, pid = published
    with pytest.raises(EntryError, match="公示期到 2025-11-26 结束，2025-11-27 起才能归档"):
        finalise(store, SECRETARY, pid, today=END)
    assert store.scalar("SELECT count(*) FROM period_locks") == 0


def test_not_with_an_open_objection(published):
    store, pid = published
    oid = file_objection(store, SECRETARY, pid, "M01", "张三", "有误", today=TODAY)
    assert finalise_blockers(store, get_publicity(store, pid), AFTER) == ["还有 1 条异议未办结"]
    with pytest.raises(EntryError, match="1 条异议未办结"):
        finalise(store, SECRETARY, pid, today=AFTER)
    resolve_objection(store, SECRETARY, oid, "已答复", "无误", today=AFTER)
    assert finalise(store, SECRETARY, pid, today=AFTER)


def test_not_when_results_changed_since_publishing(published):
    store, pid = published
    approved_event(store, "M02", "late_dues", D(2025, 9, 1))
    # M02 drops from 75 to 73.8, so M01 (74.5) moves from rank 3 to rank 2: two changed
    with pytest.raises(EntryError, match="2 名成员的结果发生变化，请先重新公示"):
        finalise(store, SECRETARY, pid, today=AFTER)


def test_finalise_locks_the_period_and_freezes_results(published):
    store, pid = published
    lock_id = finalise(store, SECRETARY, pid, today=AFTER)
    assert store.one("SELECT cycle, period, start_date, end_date, publicity_id, locked_by FROM period_locks"
                     " WHERE id = ?", [lock_id]) == (2025, "Q1", Q1_START, Q1_END, pid, "shuji01")
    pub = get_publicity(store, pid)
    assert (pub.state, pub.finalised_by) == ("finalised", "shuji01")
    results = branch_results(store, BRANCH, 2025, "Q1", AFTER)
    assert results.frozen and results.output == pub.snapshot
    with pytest.raises(EntryError, match="已确认归档"):
        ledger.enter_event(store, SECRETARY, "M02", "late_dues", D(2025, 9, 1), today=AFTER)
    ledger.enter_event(store, SECRETARY, "M02", "late_dues", D(2025, 10, 1), today=AFTER)  # Q2 is open
    with pytest.raises(EntryError, match="已归档"):
        finalise(store, SECRETARY, pid, today=AFTER)
    with pytest.raises(EntryError, match="已确认归档"):
        open_publicity(store, SECRETARY, BRANCH, 2025, "Q1", AFTER, AFTER + dt.timedelta(days=7), today=AFTER)
    assert store.one("SELECT username, entity_id FROM audit_log WHERE action = 'period.finalise'") == (
        "shuji01", str(lock_id))


def test_cycle_finalise_writes_history_for_the_next_cycle(world):
    approved_event(world, "M01", "miss_meeting", D(2025, 8, 3))
    pid = open_publicity(world, SECRETARY, BRANCH, 2025, "cycle", TODAY, END, today=TODAY)
    pass_chain(world, SECRETARY, TOWNSHIP, BRANCH, 2025, "cycle", TODAY, AFTER)  # 支委会, 报送, 审核通过
    finalise(world, SECRETARY, pid, today=AFTER)
    assert world.all("SELECT member_id, cycle, grade, total FROM cycle_history ORDER BY member_id") == [
        ("M01", 2025, "基本合格", 74.5), ("M02", 2025, "基本合格", 75), ("M03", 2025, "基本合格", 75)]
    _, case = build_case(world, BRANCH, 2026, today=D(2026, 8, 1))
    assert {"subject": "M01", "cycle": 2025, "grade": "基本合格", "stars": None} in case["history"]


def test_reopen_by_a_secretary_is_refused(published):
    store, pid = published
    finalise(store, SECRETARY, pid, today=AFTER)
    with pytest.raises(PermissionDenied):
        reopen(store, SECRETARY, BRANCH, 2025, "Q1", "想改")
    with pytest.raises(EntryError, match="原因"):
        reopen(store, TOWNSHIP, BRANCH, 2025, "Q1", "  ")
    with pytest.raises(EntryError, match="未归档"):
        reopen(store, ADMIN, BRANCH, 2025, "Q2", "无")


def test_reopen_with_reason_is_audited_and_unlocks(world):
    approved_event(world, "M01", "miss_meeting", D(2025, 8, 3))
    pid = open_publicity(world, SECRETARY, BRANCH, 2025, "cycle", TODAY, END, today=TODAY)
    pass_chain(world, SECRETARY, TOWNSHIP, BRANCH, 2025, "cycle", TODAY, AFTER)
    lock_id = finalise(world, SECRETARY, pid, today=AFTER)
    reopen(world, TOWNSHIP, BRANCH, 2025, "cycle", "上级巡查发现漏记")
    assert world.one("SELECT reopened_by, reopen_reason FROM period_locks WHERE id = ?", [lock_id]) == (
        "zhen01", "上级巡查发现漏记")
    assert world.one("SELECT username, reason FROM audit_log WHERE action = 'period.reopen'") == (
        "zhen01", "上级巡查发现漏记")
    assert world.scalar("SELECT count(*) FROM cycle_history") == 0
    assert current_publicity(world, BRANCH, 2025, "cycle") is None
    assert not branch_results(world, BRANCH, 2025, "cycle", AFTER).frozen
    ledger.enter_event(world, SECRETARY, "M02", "late_dues", D(2025, 9, 1), today=AFTER)  # allowed again
    with pytest.raises(EntryError, match="未归档"):
        reopen(world, ADMIN, BRANCH, 2025, "cycle", "再开")
