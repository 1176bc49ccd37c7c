"""The append-only ledger: entering, idempotency, validation, locks, reversal, what counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.auth import PermissionDenied, ScopeError
from core.services import ledger, review
from core.services.entry_rules import EntryError
from tests.entry_world import OTHER_SECRETARY, RECORDER, SECRETARY, TODAY, TOWNSHIP, lock, world  # noqa: F401

D = dt.date(2025, 8, 3)


def enter(store, user=RECORDER, member="M01", item="miss_meeting", day=D, **kw):
    return ledger.enter_event(store, user, member, item, day, today=TODAY, **kw)


def event_rows(store):
    return store.all("SELECT id, member_id, item, date, points, count, note, reverses, entered_by FROM events ORDER BY id")


def test_enter_records_one_event_with_who_and_when_and_an_audit_row(world):
    event_id = enter(world, note="8月支部党员大会无故缺席")
    assert event_rows(world) == [(event_id, "M01", "miss_meeting", D, None, Decimal("1.00"), "8月支部党员大会无故缺席",
                                  None, "jilu01")]
    assert world.scalar("SELECT entered_at IS NOT NULL FROM events") is True
    audit = world.all("SELECT username, action, entity_id, member_id, org_code FROM audit_log WHERE action = 'event.enter'")
    assert audit == [("jilu01", "event.enter", str(event_id), "M01", "C01T01B01")]
    assert ledger.recent_entries(world, RECORDER)[0]["status_name"] == "待审核"


def test_same_request_key_twice_returns_the_first_event_and_writes_nothing(world):
    key = ledger.new_request_key()
    first = enter(world, request_key=key)
    second = enter(world, request_key=key, item="late_dues")
    assert first == second
    assert world.scalar("SELECT count(*) FROM events") == 1
    assert world.scalar("SELECT count(*) FROM audit_log WHERE action = 'event.enter'") == 1
    assert enter(world, request_key=ledger.new_request_key(), note="第二次") != first


def test_the_same_entry_from_a_second_tab_is_refused_not_doubled(world):
    # two tabs: two sessions, two request keys, the same member, item, date and note
    first = enter(world, request_key=ledger.new_request_key(), note="8月主题党日无故缺席")
    with pytest.raises(EntryError, match=f"刚刚已录入过相同记录（编号 {first}）"):
        enter(world, request_key=ledger.new_request_key(), note="8月主题党日无故缺席")
    assert world.scalar("SELECT count(*) FROM events") == 1
    # a different note (or another person, or more than two minutes later) is a new entry
    assert enter(world, request_key=ledger.new_request_key(), note="9月主题党日无故缺席") != first
    world.write(lambda cur: cur.execute("UPDATE events SET entered_at = entered_at - INTERVAL '3 minutes'").fetchall())
    assert enter(world, request_key=ledger.new_request_key(), note="8月主题党日无故缺席") != first
    assert world.scalar("SELECT count(*) FROM events") == 3


def test_range_item_needs_points_within_its_range(world):
    with pytest.raises(EntryError, match="需要填写分值（1～10分）"):
        enter(world, item="reward_other")
    for bad in (0, 11, "-1", "abc", "1.234"):
        with pytest.raises(EntryError):
            enter(world, item="reward_other", points=bad)
    event_id = enter(world, item="reward_other", points="7.5")
    assert world.scalar("SELECT points FROM events WHERE id = ?", [event_id]) == Decimal("7.50")


def test_fixed_item_refuses_points_and_unknown_items_are_refused(world):
    with pytest.raises(EntryError, match="固定分值（−2分），不需要填写分值"):
        enter(world, points=3)
    with pytest.raises(EntryError, match="没有项目 no_such_item"):
        enter(world, item="no_such_item")
    with pytest.raises(EntryError, match="次数应为整数"):
        enter(world, count="1.5")
    with pytest.raises(EntryError, match="数量应大于 0"):
        enter(world, count=0)
    assert world.scalar("SELECT count(*) FROM events") == 0


def test_date_in_the_future_or_before_any_scheme_is_refused(world):
    with pytest.raises(EntryError, match="在今天之后"):
        enter(world, day=TODAY + dt.timedelta(days=1))
    with pytest.raises(LookupError, match="2024-06-30 没有适用的积分方案"):
        enter(world, day=dt.date(2024, 6, 30))


def test_entry_into_a_locked_period_is_refused_until_reopened(world):
    lock_id = lock(world, "C01T01B01", 2025, "Q1", dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    with pytest.raises(EntryError) as refused:
        enter(world)
    assert str(refused.value) == ("该期间（2025—2026年度（2025-07-01至2026-06-30）第1季度（7—9月））已确认归档，不能再录入；"
                                  "如需更正请联系乡镇组织委员重新开放")
    # The next quarter and the other branch are open.
    enter(world, day=dt.date(2025, 10, 8))
    enter(world, user=OTHER_SECRETARY, member="M11")
    world.write(lambda cur: cur.execute(
        "UPDATE period_locks SET reopened_at = now(), reopened_by = 'zhen01' WHERE id = ?", [lock_id]).fetchall())
    enter(world)
    assert world.scalar("SELECT count(*) FROM events") == 3


def test_exempt_and_transferred_members_get_no_points(world):
    with pytest.raises(EntryError, match="赵六 免于评星"):
        enter(world, member="M04")
    with pytest.raises(EntryError, match="钱七 已转出"):
        enter(world, member="M05")


def test_another_branch_or_role_is_refused_and_the_attempt_audited(world):
    with pytest.raises(ScopeError):
        enter(world, user=SECRETARY, member="M11")
    assert world.scalar("SELECT count(*) FROM audit_log WHERE action = 'scope.denied' AND username = 'shuji01'") == 1
    with pytest.raises(PermissionDenied):
        enter(world, user=TOWNSHIP)
    assert world.scalar("SELECT count(*) FROM events") == 0


def test_reversal_is_a_linked_event_and_the_original_is_untouched(world):
    original = enter(world)
    before = event_rows(world)
    reversal = ledger.reverse_event(world, RECORDER, original, "录错人了")
    rows = event_rows(world)
    assert rows[0] == before[0]
    assert rows[1][1:] == ("M01", "miss_meeting", D, None, Decimal("1.00"), "录错人了", original, "jilu01")
    assert rows[1][0] == reversal
    assert ledger.recent_entries(world, RECORDER)[0]["status_name"] == "已撤销"
    with pytest.raises(EntryError, match="已撤销，不能重复撤销"):
        ledger.reverse_event(world, RECORDER, original)
    with pytest.raises(EntryError, match="撤销记录，不能再撤销"):
        ledger.reverse_event(world, RECORDER, reversal)
    with pytest.raises(EntryError, match="已撤销，不能再审核"):
        review.approve(world, SECRETARY, [original])
    assert world.scalar("SELECT count(*) FROM audit_log WHERE action = 'event.reverse'") == 1


def test_reversal_of_approved_needs_a_reviewer_and_rejected_needs_none(world):
    approved, rejected = enter(world), enter(world, item="late_dues")
    review.approve(world, SECRETARY, [approved])
    review.reject(world, SECRETARY, [rejected], "当月已按时交纳")
    with pytest.raises(EntryError, match="记分员不能撤销"):
        ledger.reverse_event(world, RECORDER, approved)
    with pytest.raises(EntryError, match="已被驳回"):
        ledger.reverse_event(world, SECRETARY, rejected)
    ledger.reverse_event(world, SECRETARY, approved, "支委会复核后撤销")
    assert ledger.effective_events(world).height == 0


def test_reversal_in_a_locked_period_is_refused(world):
    original = enter(world)
    lock(world, "C01T01B01", 2025, "Q1", dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    with pytest.raises(EntryError, match="已确认归档"):
        ledger.reverse_event(world, RECORDER, original)


def test_effective_events_are_approved_not_reversed_not_reversals(world):
    kept = enter(world, item="late_dues", day=dt.date(2025, 9, 1))
    pending = enter(world)
    rejected = enter(world, item="task_undone")
    undone = enter(world, item="article_district")
    other = enter(world, user=OTHER_SECRETARY, member="M11", item="article_city")
    review.approve(world, SECRETARY, [kept, undone])
    review.approve(world, OTHER_SECRETARY, [other])
    review.reject(world, SECRETARY, [rejected], "重复录入")
    ledger.reverse_event(world, SECRETARY, undone)
    frame = ledger.effective_events(world)
    assert frame["id"].to_list() == [other, kept]
    assert ledger.effective_events(world, branch_code="C01T01B01")["id"].to_list() == [kept]
    assert ledger.effective_events(world, member_id="M01", start=dt.date(2025, 9, 2)).height == 0
    assert pending not in frame["id"].to_list()


def test_items_offered_and_their_labels_come_from_the_scheme(world):
    from core.scheme_assignments import scheme_for

    scheme, assignment = scheme_for(world, "C01T01B01", TODAY)
    labels = [ledger.item_label(i) for i in ledger.items_for(scheme, "member")]
    assert labels[0] == "缺席三会一课（−2分）"
    assert "其他积极发挥党员先锋模范作用，经支委会研究酌情加分（1～10分）" in labels
    assert "向党报党刊投稿并被署名刊发（区级）（+1分）" in labels
    assert not any("志愿服务" in label or "践诺" in label for label in labels)  # removed in 1.1
    assert ledger.items_for(scheme, "family") == []
    assert (assignment.scheme_id, assignment.scheme_version) == ("party-q100-3to1", "1.1")


def test_member_summary_is_the_engine_total_and_counts_pending(world):
    from core.services.member_summary import member_summary

    # party-q100-3to1, cycle 2025, today 2025-11-20: the running period is Q2 (Oct–Dec). To date:
    # daily mean(Q1 75, Q2 75) = 75, reward 0; the H1 评议 falls due at Q2's end with no row → 未评,
    # so the score is the subtotal 75 and there is no grade (the year's grade is not due).
    before = member_summary(world, RECORDER, "M01", today=TODAY)
    assert (before["total"], before["grade"], before["pending"], before["period"]) == (75, None, 0, "Q2")
    assert before["cycle_label"] == "2025—2026年度（2025-07-01至2026-06-30）"  # a 七一 cycle, with its dates
    assert before["period_name"] == "第2季度（10—12月）"
    approved = enter(world, item="late_dues")  # Q1 −5 → daily to date mean(70, 75) = 72.5
    enter(world)  # pending: not counted
    review.approve(world, SECRETARY, [approved])
    after = member_summary(world, RECORDER, "M01", today=TODAY)
    assert (after["total"], after["grade"], after["pending"]) == (72.5, None, 1)
    assert after["components"]["daily"] == 72.5


def test_hours_and_rating_for_volunteer_service(world):
    from core.scheme_assignments import assign_scheme

    from core.subjects import add_subject

    # the volunteer scheme scores volunteers (义工) beside the branch's party scheme
    assign_scheme(world, TOWNSHIP, "C01T01B01", "volunteer-stars", dt.date(2025, 1, 1))
    volunteer = add_subject(world, TOWNSHIP, {"name": "义工甲", "branch_code": "C01T01B01",
                                              "approved_on": dt.date(2025, 1, 1)}, kind="volunteer")
    event_id = enter(world, member=volunteer, item="service", count="2.5", rating="满意")
    assert world.one("SELECT count, rating FROM events WHERE id = ?", [event_id]) == (Decimal("2.50"), "满意")
    with pytest.raises(EntryError, match="评价应为 满意/基本满意/不满意 之一"):
        enter(world, member=volunteer, item="service", count=1, rating="很好")
    assert ledger.recent_entries(world, RECORDER)[0]["points"] == Decimal("12.5")  # 5 per hour × 2.5
