"""Demo 上级审核 and 催办, through the real services.

``settle`` is what the demo's 公示 workflow does with a published cycle once its window has
closed: most branches record their 支委会, submit, are approved by the township (孙丽, zhen01)
and finalise (备案); a few are held in the chain so the township's queue has something in it:
one submitted 9 days ago, three 2 days ago, one returned with a reason, one approved but not
yet archived. ``generate`` then sends a 催办 about the overdue objection the workflow left.
"""

from __future__ import annotations

import datetime as dt

from core.auth import User, scope_for
from core.auth.users import get_user
from core.scheme_assignments import scheme_for_cycle
from core.services import reminders
from core.services.finalise import finalise
from core.services.objections import overdue_objections
from core.services.publicity import current_publicity
from core.services.review_chain import approve, committee_record, record_committee, return_, write_submit
from core.store import Store

# Where the first branches whose cycle goes up stop, in turn (the rest go all the way to 备案):
# four wait in the township's queue, so an official can approve three and return one.
HELD = ("waiting_long", "waiting", "returned", "approved", "waiting", "waiting")
RETURN_REASON = "评议票数与参会人数不符，请核实民主评议记录后重新公示"
ATTENDEES = "支部书记、组织委员、宣传委员、纪检委员、党员代表2名"


def _township(store: Store) -> User:
    user = get_user(store, "zhen01")
    if user is None:
        raise ValueError("演示上级审核需要演示用户 zhen01")
    return user


def pass_chain(store: Store, branch_user: User, township_user: User, branch: str, cycle: int, period: str,
               meeting_day: dt.date, day: dt.date, track: str = "party", stop: str | None = None) -> None:
    """Take a published result whose window has closed through its scheme's chain: the
    committee meeting on ``meeting_day`` (where declared), then on ``day`` 报送 and 审核通过
    (where the period goes up). ``stop``: "submitted" or "returned" holds it there."""
    workflow = scheme_for_cycle(store, branch, cycle, track=track)[0].workflow
    if workflow.has("committee") and committee_record(store, branch, cycle, period, track) is None:
        record_committee(store, branch_user, branch, cycle, period, track, workflow.committee, meeting_day,
                         ATTENDEES, "同意支部初评结果，提交公示", today=meeting_day)
    if not workflow.needs_township(period):
        return
    _submit(store, branch_user, branch, cycle, period, track, day)
    if stop == "submitted":
        return
    if stop == "returned":
        return_(store, township_user, branch, cycle, period, RETURN_REASON, track, today=day)
        return
    approve(store, township_user, branch, cycle, period, track, today=day)


def _submit(store: Store, user: User, branch: str, cycle: int, period: str, track: str, day: dt.date) -> None:
    """报送 without ``review_chain.submit``'s checks: the workflow has just settled this 公示,
    and re-evaluating every branch's results to say so would cost the demo seconds (the
    checks are the service tests')."""
    pub = current_publicity(store, branch, cycle, period, track)
    write_submit(store, user.username, branch, cycle, period, track, pub.id, dt.datetime.combine(day, dt.time(9, 0)))


def settle(store: Store, branch_user: User, branch: str, cycle: int, publicity_id: int, start: dt.date,
           today: dt.date, held: list[str]) -> bool:
    """The demo workflow's published cycle of ``branch``: through the chain and finalised,
    unless it goes up to the township and ``held`` (the caller's copy of ``HELD``, taken in
    turn) still has a stop for it. True when it was finalised."""
    township = _township(store)
    goes_up = scheme_for_cycle(store, branch, cycle)[0].workflow.needs_township("cycle")
    held = held.pop(0) if goes_up and held else None
    closed = start + dt.timedelta(days=7)  # the first day after the 7-day window
    if held == "waiting_long":
        pass_chain(store, branch_user, township, branch, cycle, "cycle", start - dt.timedelta(days=2),
                   max(today - dt.timedelta(days=9), closed), stop="submitted")
        return False
    if held == "waiting":
        pass_chain(store, branch_user, township, branch, cycle, "cycle", start - dt.timedelta(days=2),
                   max(today - dt.timedelta(days=2), closed), stop="submitted")
        return False
    if held == "returned":
        pass_chain(store, branch_user, township, branch, cycle, "cycle", start - dt.timedelta(days=2), closed,
                   stop="returned")
        return False
    pass_chain(store, branch_user, township, branch, cycle, "cycle", start - dt.timedelta(days=2), closed)
    if held == "approved":
        return False
    finalise(store, branch_user, publicity_id, today=start + dt.timedelta(days=10))
    return True


def generate(store: Store, seed: int, size: str, today: dt.date, say) -> dict[str, int]:
    """催办: the township reminds the branch of the oldest overdue objection."""
    say("上级审核与催办")
    township = _township(store)
    overdue = overdue_objections(store, scope_for(store, township), today)
    sent = 0
    if overdue:
        obj = overdue[0]
        reminders.remind(store, township, obj.branch_code, "objection", str(obj.id), today=today)
        sent = 1
    waiting = store.scalar("SELECT count(*) FROM review_steps WHERE step = 'submit'")
    return {"review_submitted": waiting, "reminders": sent}
