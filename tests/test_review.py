"""审核: approve/reject, batches all or nothing, illegal transitions refused, the queue's filters."""

from __future__ import annotations

import datetime as dt

import pytest

from core.auth import PermissionDenied, ScopeError
from core.services import ledger, review
from core.services.entry_rules import EntryError
from tests.entry_world import ADMIN, OTHER_SECRETARY, RECORDER, SECRETARY, TODAY, lock, world  # noqa: F401


def enter(store, member="M01", item="miss_meeting", day=dt.date(2025, 8, 3), user=RECORDER, **kw):
    return ledger.enter_event(store, user, member, item, day, today=TODAY, **kw)


def reviews(store):
    return store.all("SELECT event_id, decision, reason, reviewed_by FROM event_reviews ORDER BY event_id")


def test_approve_many_in_one_go_with_an_audit_row_each(world):
    ids = [enter(world, member=m) for m in ("M01", "M02", "M03")]
    assert review.approve(world, SECRETARY, ids) == 3
    assert reviews(world) == [(i, "approved", None, "shuji01") for i in ids]
    assert world.scalar("SELECT count(*) FROM audit_log WHERE action = 'event.approve'") == 3
    assert review.review_queue(world, SECRETARY) == []


def test_approving_twice_is_refused(world):
    event_id = enter(world)
    review.approve(world, SECRETARY, [event_id])
    with pytest.raises(EntryError, match="已通过，不能再审核"):
        review.approve(world, SECRETARY, [event_id])
    with pytest.raises(EntryError, match="已通过，不能再审核"):
        review.reject(world, SECRETARY, [event_id], "改判")
    assert reviews(world) == [(event_id, "approved", None, "shuji01")]


def test_a_batch_with_one_bad_event_writes_nothing(world):
    good, done = enter(world, member="M02"), enter(world)
    review.approve(world, SECRETARY, [done])
    with pytest.raises(EntryError, match="张三 2025-08-03「缺席三会一课」已通过"):
        review.approve(world, SECRETARY, [good, done])
    assert [r[0] for r in reviews(world)] == [done]


def test_reject_needs_a_reason_and_keeps_it(world):
    event_id = enter(world)
    with pytest.raises(EntryError, match="驳回必须填写理由"):
        review.reject(world, SECRETARY, [event_id], "  ")
    review.reject(world, SECRETARY, [event_id], "当天请假，已补假条")
    assert reviews(world) == [(event_id, "rejected", "当天请假，已补假条", "shuji01")]
    assert ledger.recent_entries(world, RECORDER)[0]["reason"] == "当天请假，已补假条"


def test_reviewing_a_reversal_is_refused(world):
    event_id = enter(world)
    reversal = ledger.reverse_event(world, RECORDER, event_id)
    with pytest.raises(EntryError, match="是撤销记录，立即生效，无需审核"):
        review.approve(world, SECRETARY, [reversal])


def test_recorder_cannot_review_and_secretary_only_in_scope(world):
    mine, theirs = enter(world), enter(world, member="M11", user=OTHER_SECRETARY)
    with pytest.raises(PermissionDenied):
        review.approve(world, RECORDER, [mine])
    with pytest.raises(ScopeError):
        review.approve(world, SECRETARY, [mine, theirs])
    assert reviews(world) == []
    assert world.scalar("SELECT count(*) FROM audit_log WHERE action = 'scope.denied'") == 1
    assert review.approve(world, ADMIN, [mine, theirs]) == 2


def test_approving_into_a_locked_period_is_refused(world):
    event_id = enter(world)
    lock(world, "C01T01B01", 2025, "Q1", dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    with pytest.raises(EntryError, match="已确认归档"):
        review.approve(world, SECRETARY, [event_id])


def test_unknown_or_empty_selection_is_refused(world):
    with pytest.raises(EntryError, match="请先勾选"):
        review.approve(world, SECRETARY, [])
    with pytest.raises(EntryError, match="未找到积分记录 999"):
        review.approve(world, ADMIN, [999])


def test_queue_filters_by_member_item_date_and_enterer(world):
    a = enter(world, member="M01", day=dt.date(2025, 8, 3))
    b = enter(world, member="M02", item="late_dues", day=dt.date(2025, 9, 5))
    c = enter(world, member="M02", item="reward_other", points=5, day=dt.date(2025, 10, 1), user=SECRETARY)
    enter(world, member="M11", user=OTHER_SECRETARY)
    ids = lambda **kw: [r["id"] for r in review.review_queue(world, SECRETARY, **kw)]  # noqa: E731
    assert ids() == [a, b, c]
    assert ids(member_query="ls") == [b, c]
    assert ids(member_query="李") == [b, c]
    assert ids(item="late_dues") == [b]
    assert ids(start=dt.date(2025, 9, 1), end=dt.date(2025, 9, 30)) == [b]
    assert ids(entered_by="shuji01") == [c]
    row = review.review_queue(world, SECRETARY, item="reward_other")[0]
    assert (row["member"], row["item"], row["points"], row["status_name"]) == (
        "李四", "其他积极发挥党员先锋模范作用，经支委会研究酌情加分", 5, "待审核")
    # no login row for shuji01 in this world, so the username stands in for the display name
    assert row["entered_by_name"] == "shuji01"
    world.write(lambda cur: cur.execute("INSERT INTO users(username, display_name, password_hash, role, org_code)"
                                        " VALUES ('shuji01', '王建国', 'x', 'secretary', 'C01T01B01')").fetchall())
    assert review.review_queue(world, SECRETARY, item="reward_other")[0]["entered_by_name"] == "王建国"
    review.approve(world, SECRETARY, [a])
    assert ids() == [b, c]
    assert ids(status="approved") == [a]
    assert ids(status=None) == [a, b, c]


def test_a_batch_for_one_branch_refuses_another_branchs_record(world):
    mine = enter(world)
    theirs = enter(world, member="M11", user=OTHER_SECRETARY)
    audit_before = world.scalar("SELECT count(*) FROM audit_log")
    for decide in (lambda: review.approve(world, ADMIN, [mine, theirs], branch_code="C01T01B01"),
                   lambda: review.reject(world, ADMIN, [mine, theirs], "不符", branch_code="C01T01B01")):
        with pytest.raises(EntryError, match="不属于「一村党支部」的记录（二村党支部）"):
            decide()
    assert reviews(world) == [] and world.scalar("SELECT count(*) FROM audit_log") == audit_before
    assert review.approve(world, ADMIN, [mine], branch_code="C01T01B01") == 1
