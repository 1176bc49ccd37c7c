"""异议: filing in the window, the working-day deadline, handler, resolution and re-check."""

import datetime as dt

import pytest

from core.auth.scope import scope_for
from core.services.entry_rules import EntryError
from core.services.objections import (Correction, assign_handler, file_objection, get_objection,
                                      overdue_objections, resolve_objection, window_objections)
from core.services.publicity import current_publicity, open_publicity
from tests.entry_world import SECRETARY, TODAY, TOWNSHIP, world  # noqa: F401
from tests.publicity_world import BRANCH, approved_event

D = dt.date
END = TODAY + dt.timedelta(days=6)  # window 2025-11-20 (Thu) .. 11-26


@pytest.fixture
def published(world):
    wrong = approved_event(world, "M01", "miss_meeting", D(2025, 8, 3))
    pid = open_publicity(world, SECRETARY, BRANCH, 2025, "Q1", TODAY, END, today=TODAY)
    return world, pid, wrong


def test_deadline_is_seven_working_days(published):
    store, pid, _ = published
    oid = file_objection(store, SECRETARY, pid, "M01", "张三", "8月3日我请过假", today=TODAY)
    obj = get_objection(store, oid)
    # Thu 11-20: Fri 21, Mon 24, Tue 25, Wed 26, Thu 27, Fri 28, Mon 12-01
    assert obj.deadline == D(2025, 12, 1)
    assert (obj.state, obj.handler, obj.member_name) == ("open", SECRETARY.display_name, "张三")
    assert obj.working_days_left(TODAY) == 7 and not obj.overdue(D(2025, 12, 1)) and obj.overdue(D(2025, 12, 2))


def test_filing_outside_the_window_is_refused(published):
    store, pid, _ = published
    with pytest.raises(EntryError, match="只能在公示期内"):
        file_objection(store, SECRETARY, pid, "M01", "张三", "有误", today=END + dt.timedelta(days=1))
    with pytest.raises(EntryError, match="不在本次公示名单中"):
        file_objection(store, SECRETARY, pid, "M11", "孙八", "有误", today=TODAY)
    with pytest.raises(EntryError, match="异议内容"):
        file_objection(store, SECRETARY, pid, "M01", "张三", "  ", today=TODAY)
    assert store.scalar("SELECT count(*) FROM objections") == 0


def test_assign_handler_is_audited(published):
    store, pid, _ = published
    oid = file_objection(store, SECRETARY, pid, "M01", "张三", "有误", today=TODAY)
    assign_handler(store, SECRETARY, oid, "组织委员李华")
    assert get_objection(store, oid).handler == "组织委员李华"
    before, after = store.one("SELECT before_json, after_json FROM audit_log WHERE action = 'objection.assign'")
    assert "一村书记" in before and "李华" in after


def test_resolve_with_correction_and_republish(published):
    store, pid, wrong = published
    oid = file_objection(store, SECRETARY, pid, "M01", "张三", "8月3日我请过假", today=TODAY)
    with pytest.raises(EntryError, match="复核意见"):
        resolve_objection(store, SECRETARY, oid, "属实", "", today=TODAY)
    new_pid = resolve_objection(store, SECRETARY, oid, "经核实请假属实，撤销该扣分", "支委会复核无误",
                                today=TODAY + dt.timedelta(days=1), corrections=[Correction(reverse_event=wrong)],
                                republish_results=True)
    obj = get_objection(store, oid)
    assert (obj.state, obj.resolution, obj.recheck, obj.resolved_on) == (
        "resolved", "经核实请假属实，撤销该扣分", "支委会复核无误", D(2025, 11, 21))
    pub = current_publicity(store, BRANCH, 2025, "Q1")
    assert pub.id == new_pid != pid
    # Q1 after the reversal: daily 75 + reward 0, 评议分 未评 → subtotal 75
    assert {r["subject"]: r.get("subtotal") for r in pub.snapshot["results"]}["M01"] == 75
    # the objection still belongs to the window after the republish
    assert [o.id for o in window_objections(store, BRANCH, 2025, "Q1")] == [oid]
    with pytest.raises(EntryError, match="已办结"):
        resolve_objection(store, SECRETARY, oid, "再办", "再复核", today=TODAY)


def test_correction_entering_a_new_event_is_approved_at_once(published):
    store, pid, _ = published
    oid = file_objection(store, SECRETARY, pid, "M02", "李四", "漏记了我的志愿服务", today=TODAY)
    resolve_objection(store, SECRETARY, oid, "属实，补记", "复核无误", today=TODAY,
                      corrections=[Correction(member_id="M02", item="reward_other", date=D(2025, 9, 2), points=2)])
    status = store.one("SELECT r.decision FROM events e JOIN event_reviews r ON r.event_id = e.id"
                       " WHERE e.member_id = 'M02' AND e.item = 'reward_other'")
    assert status == ("approved",)
    with pytest.raises(EntryError, match="被提出异议的成员"):
        oid2 = file_objection(store, SECRETARY, pid, "M03", "王五", "有误", today=TODAY)
        resolve_objection(store, SECRETARY, oid2, "x", "y", today=TODAY,
                          corrections=[Correction(member_id="M02", item="volunteer_service", date=D(2025, 9, 2))])


def test_overdue_listing_for_the_township(published):
    store, pid, _ = published
    late = file_objection(store, SECRETARY, pid, "M01", "张三", "有误", today=TODAY)
    done = file_objection(store, SECRETARY, pid, "M02", "李四", "有误", today=TODAY)
    resolve_objection(store, SECRETARY, done, "已答复", "无误", today=TODAY)
    scope = scope_for(store, TOWNSHIP)
    assert overdue_objections(store, scope, D(2025, 12, 1)) == []
    assert [o.id for o in overdue_objections(store, scope, D(2025, 12, 2))] == [late]
