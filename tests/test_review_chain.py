"""上级审核 and 催办: every allowed and refused transition of the chain, on both stores.

World: the entry tests' township C01T01 (party-q100-3to1, cycle 2025 = 2025-07-01..2026-06-30,
[workflow] committee 支委会, township for the cycle, 备案), plus a second township C01T02 with
one branch, whose organiser must not touch C01T01's results.
"""

import datetime as dt

import pytest

from core.attention import todos
from core.auth import PermissionDenied, ScopeError, User, scope_for
from core.scheme.loader import load_scheme_text, schemes_dir
from core.scheme.reader import SchemeError
from core.services.entry_rules import EntryError
from core.services.finalise import finalise, finalise_blockers
from core.services.objections import file_objection, get_objection, resolve_objection, take_over_objection
from core.services.publicity import get_publicity, open_publicity
from core.services.reminders import open_reminders, remind, unpublished_quarters
from core.services.review_chain import (approve, chain_state, record_committee, return_, submit, township_queue,
                                        waiting_list)
from tests.entry_world import SECRETARY, TODAY, TOWNSHIP, world  # noqa: F401
from tests.publicity_world import BRANCH, approved_event

END = TODAY + dt.timedelta(days=6)  # 2025-11-26: a 7-day window from 2025-11-20
AFTER = END + dt.timedelta(days=1)  # 2025-11-27: the first day it is closed
OTHER_TOWNSHIP = User("zhen02", "二镇组织委员", "township", "C01T02")


@pytest.fixture
def chain_world(world):
    world.write(lambda cur: [cur.execute("INSERT INTO orgs(code, name, level, parent_code, path) VALUES (?, ?, ?, ?, ?)",
                                         row).fetchall() for row in (
        ("C01T02", "二镇", "township", "C01", "/C01/C01T02/"),
        ("C01T02B01", "二镇一村党支部", "branch", "C01T02", "/C01/C01T02/C01T02B01/"))])
    approved_event(world, "M01", "miss_meeting", dt.date(2025, 8, 3))
    return world


def _states(store, today):
    return [(s.step, s.state) for s in chain_state(store, BRANCH, 2025, "cycle", "party", today)]


def _texts(store, user, today):
    return [t.text for t in todos(store, user, scope_for(store, user), today)]


def test_the_cycle_goes_up_before_it_is_archived(chain_world):
    store = chain_world
    pid = open_publicity(store, SECRETARY, BRANCH, 2025, "cycle", TODAY, END, today=TODAY)
    with pytest.raises(EntryError, match="尚未记录支委会会议"):
        submit(store, SECRETARY, BRANCH, 2025, "cycle", today=AFTER)
    with pytest.raises(EntryError, match="请填写参会人员"):
        record_committee(store, SECRETARY, BRANCH, 2025, "cycle", "party", "支委会", TODAY, " ", "同意", today=TODAY)
    record_committee(store, SECRETARY, BRANCH, 2025, "cycle", "party", "支委会", TODAY, "王建国、李明", "同意初评结果",
                     today=TODAY)
    with pytest.raises(EntryError, match="公示期到 2025-11-26 结束"):
        submit(store, SECRETARY, BRANCH, 2025, "cycle", today=END)
    oid = file_objection(store, SECRETARY, pid, "M01", "张三", "有误", today=TODAY)
    with pytest.raises(EntryError, match="1 条异议未办结"):
        submit(store, SECRETARY, BRANCH, 2025, "cycle", today=AFTER)
    resolve_objection(store, SECRETARY, oid, "已答复", "无误", today=AFTER)
    # the window closed and the objection was settled: it waits for the branch to send it up
    assert _states(store, AFTER) == [("initial", "done"), ("committee", "done"), ("publicity", "done"),
                                     ("township", "waiting"), ("filing", "todo")]
    assert any("可以报送乡镇审核" in t for t in _texts(store, SECRETARY, AFTER))
    submit(store, SECRETARY, BRANCH, 2025, "cycle", today=AFTER)
    with pytest.raises(EntryError, match="已于 2025-11-27 报送"):
        submit(store, SECRETARY, BRANCH, 2025, "cycle", today=AFTER)
    with pytest.raises(EntryError, match="上级党委尚未审核通过"):
        finalise(store, SECRETARY, pid, today=AFTER)

    later = AFTER + dt.timedelta(days=2)
    queue = township_queue(store, scope_for(store, TOWNSHIP), later)
    assert [(w.branch_code, w.period, w.days) for w in queue] == [(BRANCH, "cycle", 2)]  # 11-29 − 11-27
    assert township_queue(store, scope_for(store, OTHER_TOWNSHIP), later) == []
    assert any("已报送 2 天，待乡镇党委审核" in t for t in _texts(store, TOWNSHIP, later))
    assert [(r["等待步骤"], r["等待谁"], r["等待天数"]) for r in waiting_list(store, scope_for(store, TOWNSHIP), later)] \
        == [("上级党委审核", "乡镇党委", 2)]

    with pytest.raises(PermissionDenied):
        approve(store, SECRETARY, BRANCH, 2025, "cycle")
    with pytest.raises(ScopeError):
        approve(store, OTHER_TOWNSHIP, BRANCH, 2025, "cycle")
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'scope.denied' AND username = 'zhen02'") == 1
    with pytest.raises(EntryError, match="请填写退回原因"):
        return_(store, TOWNSHIP, BRANCH, 2025, "cycle", "  ")

    return_(store, TOWNSHIP, BRANCH, 2025, "cycle", "评议记录不全", today=later)
    assert ("township", "returned") in _states(store, later)
    assert any("被乡镇党委退回（2025-11-29）：评议记录不全" in t for t in _texts(store, SECRETARY, later))
    assert township_queue(store, scope_for(store, TOWNSHIP), later) == []
    with pytest.raises(EntryError, match="只能审核已报送待审的结果"):
        approve(store, TOWNSHIP, BRANCH, 2025, "cycle")
    with pytest.raises(EntryError, match="已被退回：评议记录不全"):
        finalise(store, SECRETARY, pid, today=later)

    submit(store, SECRETARY, BRANCH, 2025, "cycle", today=later)  # corrected off the system, sent again
    approve(store, TOWNSHIP, BRANCH, 2025, "cycle", today=later)
    assert finalise_blockers(store, get_publicity(store, pid), later) == []
    finalise(store, SECRETARY, pid, today=later)
    assert _states(store, later) == [("initial", "done"), ("committee", "done"), ("publicity", "done"),
                                     ("township", "done"), ("filing", "done")]
    assert store.all("SELECT action, username FROM audit_log WHERE action LIKE 'review.%' ORDER BY id") == [
        ("review.committee", "shuji01"), ("review.submit", "shuji01"), ("review.return", "zhen01"),
        ("review.submit", "shuji01"), ("review.approve", "zhen01"), ("review.filing", "shuji01")]


def test_reminders_and_taking_over_an_overdue_objection(chain_world):
    store = chain_world
    pid = open_publicity(store, SECRETARY, BRANCH, 2025, "Q1", TODAY, END, today=TODAY)
    oid = file_objection(store, SECRETARY, pid, "M01", "张三", "有误", today=TODAY)
    # a quarter does not go up (township_periods = ["cycle"]): no 报送, the branch archives it
    with pytest.raises(EntryError, match="无需报送乡镇审核"):
        submit(store, SECRETARY, BRANCH, 2025, "Q1", today=AFTER)
    deadline = get_objection(store, oid).deadline
    overdue = deadline + dt.timedelta(days=1)
    with pytest.raises(EntryError, match="未过，应由支部办理"):
        take_over_objection(store, TOWNSHIP, oid, "核实无误", "维持", today=deadline)
    with pytest.raises(EntryError, match="已逾期未办结"):
        remind(store, TOWNSHIP, BRANCH, "objection", str(oid), today=deadline)
    with pytest.raises(PermissionDenied):
        remind(store, SECRETARY, BRANCH, "objection", str(oid), today=overdue)
    remind(store, TOWNSHIP, BRANCH, "objection", str(oid), today=overdue)
    assert any(t.startswith("乡镇催办") and "张三的异议" in t for t in _texts(store, SECRETARY, overdue))
    take_over_objection(store, TOWNSHIP, oid, "经镇党委核实，原记录无误", "维持原结果", today=overdue)
    assert get_objection(store, oid).state == "resolved"
    assert open_reminders(store, scope_for(store, TOWNSHIP)) == []  # resolving marked the reminder done
    who, after = store.one("SELECT username, CAST(after_json AS VARCHAR) FROM audit_log"
                           " WHERE action = 'objection.take_over'")
    assert who == "zhen01" and '"taken_over_by": "zhen01"' in after.replace(" ", "").replace('":"', '": "')

    # 2026-01-05: Q1 (Jul–Sep) is published; Q2 (Oct–Dec) ended 2025-12-31 with no 公示
    day = dt.date(2026, 1, 5)
    due = [(u.branch_code, u.ref) for u in unpublished_quarters(store, scope_for(store, TOWNSHIP), day)]
    assert (BRANCH, "2025:Q2:party") in due and (BRANCH, "2025:Q1:party") not in due
    with pytest.raises(EntryError, match="已结束但尚未公示"):
        remind(store, TOWNSHIP, BRANCH, "publicity", "2025:Q3:party", today=day)
    remind(store, TOWNSHIP, BRANCH, "publicity", "2025:Q2:party", today=day)
    assert len(open_reminders(store, scope_for(store, SECRETARY))) == 1
    open_publicity(store, SECRETARY, BRANCH, 2025, "Q2", day, day + dt.timedelta(days=6), today=day)
    assert open_reminders(store, scope_for(store, SECRETARY)) == []  # starting the 公示 marked it done
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'reminder.done'") == 2


def _with_workflow(table: str):
    text = (schemes_dir() / "party-q100-3to1.toml").read_text(encoding="utf-8")
    return load_scheme_text(text.split("\n[workflow]")[0] + table, "test.toml")


def test_workflow_table_is_checked_with_chinese_messages():
    assert _with_workflow("").workflow.steps == ("committee", "publicity", "township", "filing")  # the default
    with pytest.raises(SchemeError, match="未知步骤 vote"):
        _with_workflow('\n[workflow]\nsteps = ["vote", "filing"]\n')
    with pytest.raises(SchemeError, match="步骤顺序应为"):
        _with_workflow('\n[workflow]\nsteps = ["publicity", "committee"]\n')
    with pytest.raises(SchemeError, match="未知审核机构 居委会"):
        _with_workflow('\n[workflow]\ncommittee = "居委会"\n')
    with pytest.raises(SchemeError, match="未知期间 Q9"):
        _with_workflow('\n[workflow]\ntownship_periods = ["Q9"]\n')
    flow = _with_workflow('\n[workflow]\nsteps = ["publicity", "filing"]\ntownship_periods = []\n').workflow
    assert not flow.needs_township("cycle") and not flow.has("committee")
