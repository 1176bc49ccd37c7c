"""A reversal is judged by the event it undoes, inside its own write (issue 13: after a
transfer the new branch reversed a record in the old branch's locked period; a recorder's
reversal racing an approval got through 17 times in 20)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from core.services import ledger, review
from core.services.entry_rules import EntryError
from core.subjects import transfer_subject
from tests.entry_world import ADMIN, OTHER_SECRETARY, RECORDER, SECRETARY, TODAY, lock, world  # noqa: F401

D = dt.date(2025, 10, 15)  # cycle 2025 Q2 of party-q100-3to1


def entered(store, member="M01", note=""):
    return ledger.enter_event(store, RECORDER, member, "miss_meeting", D, note=note, today=TODAY)


def counts(store):
    return store.one("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM event_reviews),"
                     " (SELECT count(*) FROM audit_log)")


def test_after_a_transfer_the_record_stays_with_the_branch_that_entered_it(world):
    event_id = entered(world)
    review.approve(world, SECRETARY, [event_id])
    transfer_subject(world, ADMIN, "M01", "C01T01B02", on_date=dt.date(2025, 11, 1))
    before = counts(world)
    # the new branch's secretary may not undo the old branch's record
    with pytest.raises(PermissionError):
        ledger.reverse_event(world, OTHER_SECRETARY, event_id, "不是本支部的记录")
    # the old branch's locked quarter holds, whatever the member's branch is now
    lock(world, "C01T01B01", 2025, "Q2", dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    with pytest.raises(EntryError, match="已确认归档"):
        ledger.reverse_event(world, SECRETARY, event_id, "更正")
    assert counts(world)[:2] == before[:2]
    # reopened: the reversal is booked to the branch that entered the record
    world.write(lambda cur: cur.execute("UPDATE period_locks SET reopened_at = current_timestamp").fetchall())
    reversal = ledger.reverse_event(world, SECRETARY, event_id, "更正")
    assert world.one("SELECT branch_code, reverses FROM events WHERE id = ?", [reversal]) == ("C01T01B01", event_id)


def test_a_recorders_reversal_racing_an_approval_never_both_succeed(world):
    """20 rounds, each: the recorder reverses a 待审核 record while the secretary approves it.
    Exactly one wins each round: approved first → the recorder is refused (已审核通过); reversed
    first → the approval is refused (已撤销). Never an approved record that is also reversed."""
    ids = [entered(world, "M01", note=f"第{i}次") for i in range(20)]  # notes differ: not second-tab twins
    outcomes = []

    def run(fn):
        try:
            fn()
            return "ok"
        except EntryError:
            return "refused"

    for event_id in ids:
        results = {}
        a = threading.Thread(target=lambda: results.__setitem__("approve", run(lambda: review.approve(world, SECRETARY, [event_id]))))
        r = threading.Thread(target=lambda: results.__setitem__("reverse", run(lambda: ledger.reverse_event(world, RECORDER, event_id, "录错了"))))
        a.start(); r.start(); a.join(30); r.join(30)
        outcomes.append(results)
    assert all(sorted(o.values()) == ["ok", "refused"] for o in outcomes), outcomes
    both = world.scalar(
        "SELECT count(*) FROM events e JOIN event_reviews v ON v.event_id = e.id AND v.decision = 'approved'"
        " WHERE EXISTS (SELECT 1 FROM events x WHERE x.reverses = e.id)")
    assert both == 0


def test_a_non_numeric_record_id_is_refused_in_chinese(world):
    before = counts(world)
    with pytest.raises(EntryError, match="编号应为数字"):
        ledger.reverse_event(world, SECRETARY, "abc")
    with pytest.raises(EntryError, match="编号应为数字"):
        review.approve(world, SECRETARY, ["abc"])
    assert counts(world) == before
