"""活动签到: one transaction for activity, attendance and the events that follow; idempotent; rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.auth import PermissionDenied, ScopeError
from core.services import attendance, review
from core.services.entry_rules import EntryError
from tests.entry_world import OTHER_SECRETARY, RECORDER, SECRETARY, TODAY, TOWNSHIP, lock, world  # noqa: F401

D = dt.date(2025, 9, 1)


def save(store, kind="支部党员大会", statuses=None, user=RECORDER, day=D, **kw):
    statuses = statuses or {"M01": "present", "M02": "absent", "M03": "leave"}
    return attendance.create_activity(store, user, "C01T01B01", kind, day, "9月支部党员大会", statuses,
                                      today=TODAY, **kw)


def test_roster_lists_only_active_members_of_the_branch(world):
    assert [m.name for m in attendance.roster(world, "C01T01B01")] == ["李四", "王五", "张三"]


def test_meeting_absence_without_leave_becomes_miss_meeting_pending_review(world):
    saved = save(world)
    assert world.all("SELECT member_id, status FROM attendance ORDER BY member_id") == [
        ("M01", "present"), ("M02", "absent"), ("M03", "leave")]
    events = world.all("SELECT id, member_id, item, date, activity_id, source, note FROM events")
    assert events == [(saved.event_ids[0], "M02", "miss_meeting", D, saved.id, "activity", "9月支部党员大会")]
    assert world.scalar("SELECT count(*) FROM event_reviews") == 0
    audit = world.one("SELECT action, entity_id, after_json->>'absent', after_json->>'events' FROM audit_log"
                      " WHERE action = 'activity.create'")
    assert audit == ("activity.create", str(saved.id), "1", f"[{saved.event_ids[0]}]")
    review.approve(world, SECRETARY, list(saved.event_ids))


def test_volunteer_service_records_attendance_without_points_under_q100(world):
    # party-q100-3to1 1.1 has no volunteering item (volunteer_service was removed: daily items only
    # deduct, positive conduct goes to 奖励分 through the 支委会), so only attendance is kept
    saved = save(world, kind="志愿服务", statuses={"M01": "present", "M02": "present", "M03": "absent"})
    assert world.all("SELECT member_id, status FROM attendance ORDER BY member_id") == [
        ("M01", "present"), ("M02", "present"), ("M03", "absent")]
    assert saved.event_ids == () and world.scalar("SELECT count(*) FROM events") == 0


def test_volunteer_activity_counts_where_the_scheme_has_the_item():
    # party-votes-80-20 counts 参加志愿服务活动 (volunteer, 0 points) toward its minimums
    from core.scheme import load_scheme
    from core.services.entry_rules import MemberRow

    members = [MemberRow("M01", "甲", "C01T01B01", "member", "社区-普通", "active"),
               MemberRow("M02", "乙", "C01T01B01", "member", "社区-普通", "active")]
    follow = attendance.following_items(load_scheme("party-votes-80-20"), "志愿服务", members,
                                        {"M01": "present", "M02": "absent"})
    assert [(m.id, code) for m, code in follow] == [("M01", "volunteer")]


def test_org_life_attendance_counts_where_the_scheme_counts_it():
    # party-votes-80-20 counts 参加党的组织生活 (org_life, 0 points) toward its yearly minimum:
    # present → org_life; absent → its absence item, if it has one (it has none); leave → nothing
    from core.scheme import load_scheme
    from core.services.entry_rules import MemberRow

    members = [MemberRow(m, m, "C01T01B01", "member", "社区-普通", "active") for m in ("M01", "M02", "M03")]
    statuses = {"M01": "present", "M02": "absent", "M03": "leave"}
    follow = attendance.following_items(load_scheme("party-votes-80-20"), "主题党日", members, statuses)
    assert [(m.id, code) for m, code in follow] == [("M01", "org_life")]
    # party-q100-3to1 has no such item: presence adds nothing, absence is 缺席三会一课
    follow = attendance.following_items(load_scheme("party-q100-3to1"), "主题党日", members, statuses)
    assert [(m.id, code) for m, code in follow] == [("M02", "miss_meeting")]


def test_committee_meeting_records_attendance_without_points(world):
    saved = save(world, kind="支委会", statuses={"M01": "present", "M02": "absent"})
    assert saved.event_ids == ()
    assert world.scalar("SELECT count(*) FROM attendance") == 2


def test_same_request_key_saves_once(world):
    first = save(world, request_key="k1")
    again = save(world, request_key="k1")
    assert again == first
    assert [world.scalar(f"SELECT count(*) FROM {t}") for t in ("activities", "attendance", "events")] == [1, 3, 1]


def test_bad_input_writes_nothing(world):
    with pytest.raises(EntryError, match="活动类型"):
        save(world, kind="茶话会")
    with pytest.raises(EntryError, match="M11 不在本支部"):
        save(world, statuses={"M01": "present", "M11": "absent"})
    with pytest.raises(EntryError, match="M04 不在本支部的在册名单"):
        save(world, statuses={"M04": "absent"})
    with pytest.raises(EntryError, match="张三：签到状态"):
        save(world, statuses={"M01": "late"})
    with pytest.raises(EntryError, match="请填写活动名称"):
        attendance.create_activity(world, RECORDER, "C01T01B01", "党课", D, " ", {"M01": "present"}, today=TODAY)
    with pytest.raises(EntryError, match="在今天之后"):
        save(world, day=TODAY + dt.timedelta(days=1))
    lock(world, "C01T01B01", 2025, "Q1", dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    with pytest.raises(EntryError, match="已确认归档"):
        save(world)
    with pytest.raises(ScopeError):
        save(world, user=OTHER_SECRETARY)
    with pytest.raises(PermissionDenied):
        save(world, user=TOWNSHIP)
    assert [world.scalar(f"SELECT count(*) FROM {t}") for t in ("activities", "attendance", "events")] == [0, 0, 0]


def test_participation_rates(world):
    save(world)  # 1 present of 3 expected
    save(world, kind="党课", statuses={"M01": "present", "M02": "present"}, day=dt.date(2025, 10, 9))
    recent = attendance.recent_activities(world, "C01T01B01")
    assert [(r["type"], r["expected"], r["present"], r["leave"], r["absent"], r["events"], r["rate"]) for r in recent] == [
        ("党课", 2, 2, 0, 0, 0, Decimal("100.0")), ("支部党员大会", 3, 1, 1, 1, 1, Decimal("33.3"))]
    assert attendance.participation_rate(world, "C01T01B01", dt.date(2025, 7, 1), dt.date(2025, 12, 31)) == Decimal("60.0")
    assert attendance.participation_rate(world, "C01T01B01", D, D, member_id="M03") == Decimal("0.0")
    assert attendance.participation_rate(world, "C01T01B02", D, D) is None
