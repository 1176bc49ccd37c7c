"""办结异议 → 撤销一条积分记录: only the records that fed the published result are offered
and accepted, and a corrected result is republished over a fresh window unless kept."""

import datetime as dt
import json

import pytest

from core.services.entry_rules import EntryError
from core.services.rollups import refresh_effective
from core.services.objections import (Correction, correctable_events, file_objection, get_objection,
                                      resolve_objection)
from core.services.publicity import current_publicity, open_publicity
from tests.entry_world import SECRETARY, TODAY, world  # noqa: F401
from tests.publicity_world import BRANCH, approved_event

D = dt.date
END = TODAY + dt.timedelta(days=6)  # window 2025-11-20 .. 11-26 (7 days, the scheme's minimum)


@pytest.fixture
def objected(world):
    """张三 (M01) published for 2025 Q1 (2025-07-01..09-30) with an objection about her result."""
    old = approved_event(world, "M01", "article_district", D(2025, 5, 10))  # cycle 2024: did not feed Q1
    fed_early = approved_event(world, "M01", "article_district", D(2025, 7, 1))
    fed_late = approved_event(world, "M01", "miss_meeting", D(2025, 8, 3))
    later = approved_event(world, "M01", "late_dues", D(2025, 10, 8))  # Q2: after the period's end
    other_member = approved_event(world, "M02", "miss_meeting", D(2025, 8, 3))
    # the same member's event booked to another branch (e.g. before a transfer) fed another result
    other_branch = world.write(lambda cur: cur.execute(
        "INSERT INTO events(member_id, branch_code, item, date, entered_by) VALUES"
        " ('M01', 'C01T01B02', 'article_district', DATE '2025-08-10', 'shuji02') RETURNING id").fetchone()[0])
    world.write(lambda cur: (cur.execute("INSERT INTO event_reviews(event_id, decision, reviewed_by)"
                                         " VALUES (?, 'approved', 'shuji02')", [other_branch]).fetchall(),
                             refresh_effective(cur, [other_branch])))  # straight to the tables: the rollup too
    reversed_one = approved_event(world, "M01", "article_district", D(2025, 9, 1))
    from core.services import ledger
    ledger.reverse_event(world, SECRETARY, reversed_one, "录错")
    pid = open_publicity(world, SECRETARY, BRANCH, 2025, "Q1", TODAY, END, today=TODAY)
    oid = file_objection(world, SECRETARY, pid, "M01", "张三", "8月3日我请过假", today=TODAY)
    ids = dict(old=old, fed_early=fed_early, fed_late=fed_late, later=later, other_member=other_member,
               other_branch=other_branch, reversed_one=reversed_one)
    return world, pid, oid, ids


def test_offers_only_the_records_that_fed_the_published_result(objected):
    store, _, oid, ids = objected
    offered = correctable_events(store, oid)
    # newest first; not the 2025-05-10 one (cycle 2024), not 10-08 (Q2), not M02's, not the other
    # branch's 08-10, not the reversed 09-01
    assert [e["id"] for e in offered] == [ids["fed_late"], ids["fed_early"]]
    assert [e["label"] for e in offered] == ["2025-08-03 缺席三会一课 −2分", "2025-07-01 向党报党刊投稿并被署名刊发（区级） +1分"]
    assert all("miss_meeting" not in e["label"] and "article_district" not in e["label"] for e in offered)


def test_a_record_outside_the_result_is_refused_and_nothing_written(objected):
    store, _, oid, ids = objected
    events_before = store.scalar("SELECT count(*) FROM events")
    audit_before = store.scalar("SELECT count(*) FROM audit_log")
    for wrong in ("old", "later", "other_member", "other_branch", "reversed_one"):
        with pytest.raises(EntryError, match="不是本次公示结果所依据"):
            resolve_objection(store, SECRETARY, oid, "撤销", "同意", today=TODAY,
                              corrections=[Correction(reverse_event=ids[wrong])], republish_results=True)
    assert store.scalar("SELECT count(*) FROM events") == events_before
    assert store.scalar("SELECT count(*) FROM audit_log") == audit_before
    assert get_objection(store, oid).state == "open"


def test_the_chosen_record_is_reversed_and_a_new_window_opens(objected):
    store, pid, oid, ids = objected
    day = TODAY + dt.timedelta(days=2)  # 2025-11-22
    new_pid = resolve_objection(store, SECRETARY, oid, "请假属实，撤销该扣分", "支委会复核同意", today=day,
                                corrections=[Correction(reverse_event=ids["fed_late"])], republish_results=True)
    assert store.scalar("SELECT reverses FROM events WHERE reverses = ?", [ids["fed_late"]]) == ids["fed_late"]
    assert store.scalar("SELECT count(*) FROM events WHERE reverses = ?", [ids["fed_early"]]) == 0
    pub = current_publicity(store, BRANCH, 2025, "Q1")
    # a fresh window of the scheme's 7 days from the day of the correction: 11-22 .. 11-28
    assert (pub.id, pub.start_date, pub.end_date) == (new_pid, D(2025, 11, 22), D(2025, 11, 28))
    after, reason = store.one("SELECT after_json, reason FROM audit_log WHERE action = 'publicity.republish'")
    assert json.loads(after)["window"] == "new" and "重新起算公示期 2025-11-22至2025-11-28" in reason


def test_keeping_the_old_window_is_a_choice_and_audited(objected):
    store, pid, oid, ids = objected
    resolve_objection(store, SECRETARY, oid, "请假属实", "同意", today=TODAY + dt.timedelta(days=2),
                      corrections=[Correction(reverse_event=ids["fed_late"])], republish_results=True,
                      keep_window=True)
    pub = current_publicity(store, BRANCH, 2025, "Q1")
    assert (pub.start_date, pub.end_date) == (TODAY, END)
    after, reason = store.one("SELECT after_json, reason FROM audit_log WHERE action = 'publicity.republish'")
    assert json.loads(after)["window"] == "kept" and "沿用原公示期 2025-11-20至2025-11-26" in reason
