"""公示: opening a window, what it refuses, the snapshot, republishing."""

import datetime as dt

import pytest

from core.scheme import load_scheme
from core.auth import PermissionDenied
from core.auth.scope import ScopeError
from core.services import ledger
from core.services.entry_rules import EntryError
from core.services.publicity import current_publicity, get_publicity, open_publicity, republish
from core.services.results import branch_results, result_rows
from tests.entry_world import OTHER_SECRETARY, RECORDER, SECRETARY, TODAY, world  # noqa: F401
from tests.publicity_world import BRANCH, approved_event

D = dt.date
START, END = TODAY, TODAY + dt.timedelta(days=6)  # 2025-11-20..26: 7 days, both ends counted


def test_open_stores_the_snapshot_and_window(world):
    approved_event(world, "M01", "miss_meeting", D(2025, 8, 3))
    pid = open_publicity(world, SECRETARY, BRANCH, 2025, "Q1", START, END, today=TODAY)
    pub = get_publicity(world, pid)
    assert (pub.state, pub.start_date, pub.end_date, pub.days) == ("open", START, END, 7)
    assert (pub.scheme_id, pub.scheme_version) == ("party-q100-3to1", load_scheme("party-q100-3to1").version)
    # the Q1 result (SCHEMES.md "Period results"): daily Q1 alone, M01 75 − 2 = 73; the
    # half-yearly 评议分 is not due by 09-30, so it is 未评 and there is no total, only the
    # subtotal 73 + reward 0 = 73, and no grade; later quarters are not counted at 75
    results = {r["subject"]: r for r in pub.snapshot["results"]}
    assert {s: r.get("subtotal") for s, r in results.items()} == {"M01": 73, "M02": 75, "M03": 75, "M04": None}
    assert all(r["total"] is None and r["grade"] is None for r in results.values())
    assert results["M01"]["not_assessed"] == ["appraisal"]
    assert pub.snapshot == branch_results(world, BRANCH, 2025, "Q1", TODAY).output
    assert pub.window(TODAY) == "open" and pub.days_left(TODAY) == 7
    assert pub.window(END + dt.timedelta(days=1)) == "closed"
    assert pub.window(START - dt.timedelta(days=1)) == "upcoming"
    actions = world.all("SELECT action, entity_id FROM audit_log WHERE action LIKE 'publicity.%'")
    assert actions == [("publicity.open", str(pid))]


def test_refused_with_unreviewed_events_in_the_period(world):
    ledger.enter_event(world, SECRETARY, "M01", "miss_meeting", D(2025, 8, 3), today=TODAY)
    with pytest.raises(EntryError, match="1 条积分记录待审核"):
        open_publicity(world, SECRETARY, BRANCH, 2025, "Q1", START, END, today=TODAY)
    assert world.scalar("SELECT count(*) FROM publicity") == 0


def test_unreviewed_event_after_the_period_does_not_block(world):
    ledger.enter_event(world, SECRETARY, "M01", "miss_meeting", D(2025, 10, 3), today=TODAY)
    assert open_publicity(world, SECRETARY, BRANCH, 2025, "Q1", START, END, today=TODAY)


def test_an_undone_entry_does_not_block(world):
    event = ledger.enter_event(world, SECRETARY, "M01", "miss_meeting", D(2025, 8, 3), today=TODAY)
    ledger.reverse_event(world, SECRETARY, event, "录错")
    assert open_publicity(world, SECRETARY, BRANCH, 2025, "Q1", START, END, today=TODAY)


def test_window_shorter_than_the_scheme_minimum_is_refused(world):
    with pytest.raises(EntryError, match="不少于 7 天.*只有 6 天"):
        open_publicity(world, SECRETARY, BRANCH, 2025, "Q1", START, END - dt.timedelta(days=1), today=TODAY)
    with pytest.raises(EntryError, match="早于今天"):
        open_publicity(world, SECRETARY, BRANCH, 2025, "Q1", TODAY - dt.timedelta(days=1), END, today=TODAY)


def test_second_open_publicity_for_the_same_period_is_refused(world):
    open_publicity(world, SECRETARY, BRANCH, 2025, "Q1", START, END, today=TODAY)
    with pytest.raises(EntryError, match="已有进行中的公示"):
        open_publicity(world, SECRETARY, BRANCH, 2025, "Q1", START, END, today=TODAY)
    # another period is independent
    assert open_publicity(world, SECRETARY, BRANCH, 2025, "cycle", START, END, today=TODAY)


def test_roles_and_scope(world):
    with pytest.raises(PermissionDenied):
        open_publicity(world, RECORDER, BRANCH, 2025, "Q1", START, END, today=TODAY)
    with pytest.raises(ScopeError):
        open_publicity(world, OTHER_SECRETARY, BRANCH, 2025, "Q1", START, END, today=TODAY)
    assert world.scalar("SELECT count(*) FROM audit_log WHERE action = 'scope.denied'") == 1
    with pytest.raises(EntryError, match="期间"):
        open_publicity(world, SECRETARY, BRANCH, 2025, "Q9", START, END, today=TODAY)


def test_republish_supersedes_the_snapshot(world):
    pid = open_publicity(world, SECRETARY, BRANCH, 2025, "Q1", START, END, today=TODAY)
    approved_event(world, "M02", "late_dues", D(2025, 9, 1))
    with pytest.raises(EntryError, match="原因"):
        republish(world, SECRETARY, pid, " ", today=TODAY)
    new = republish(world, SECRETARY, pid, "补录漏记的扣分", today=TODAY + dt.timedelta(days=2), keep_window=True)
    assert get_publicity(world, pid).state == "withdrawn"
    pub = current_publicity(world, BRANCH, 2025, "Q1")
    assert pub.id == new and (pub.start_date, pub.end_date) == (START, END)
    assert {r["subject"]: r.get("subtotal") for r in pub.snapshot["results"]}["M02"] == 70  # Q1 75 − 5
    with pytest.raises(EntryError, match="不能重新公示"):
        republish(world, SECRETARY, pid, "再来一次", today=TODAY)
    before, after = world.one("SELECT before_json, after_json FROM audit_log WHERE action = 'publicity.republish'")
    assert '"M02": [75' in before and '"M02": [70' in after


def test_result_rows_are_chinese(world):
    rows = result_rows(branch_results(world, BRANCH, 2025, "cycle", TODAY).output)
    # party-q100-3to1 gives no stars, so the rows carry no 星级 column; its three components
    # come first: daily mean (75×4)/4 = 75, no 评议 → 0, no reward → 0; total 75 → 基本合格 (65–80)
    assert rows[0] == {"排名": 1, "编号": "M01", "姓名": "张三", "日常分": "75", "评议分": "0", "奖励分": "0",
                       "总分": 75, "等次": "基本合格", "标记": ""}
    assert rows[-1]["姓名"] == "赵六" and rows[-1]["总分"] is None and rows[-1]["标记"] == "免于评星"


def test_result_rows_of_a_star_scheme_have_no_total_column():
    # star templates (party-stars-raters etc.) give stars and no total, so 总分 is left out
    output = {"results": [{"rank": 1, "subject": "A", "name": "甲", "total": None, "grade": None, "stars": 4,
                           "flags": ["report_up"]}]}
    (row,) = result_rows(output)
    assert "总分" not in row and row["星级"] == 4
