"""Demo 公示 workflow, driven through the real services after the activity data exists:

- most branches of the first township have their last finished cycle published and
  finalised (one after an objection that was answered), so history and locks exist;
- a few branches are left unpublished, so the coverage view has gaps;
- one branch (the demo secretary's) is in its 公示 window for the last quarter with an
  open objection;
- one branch's quarter 公示 has closed with an objection past its deadline, for the
  township's overdue alert.

Dates are worked back from ``today`` so the states hold whatever day the demo is made.
Only the first township is driven: every publication evaluates its branch, and the demo
should not take minutes at size M or L.
"""

from __future__ import annotations

import datetime as dt
import random

from core.auth import User
from core.auth.users import get_user
from core.cycles import QUARTERS, cycle_bounds, cycle_of, period_bounds
from core.demo import review_chain
from core.demo.plan import SETTLED_DAYS
from core.scheme_assignments import NoSchemeError, scheme_for
from core.services import review
from core.services.objections import file_objection, resolve_objection
from core.services.publicity import get_publicity, open_publicity, pending_event_ids
from core.store import Store

SETTLE_DAYS = SETTLED_DAYS // 2  # a cycle is published this long after it ends, settled by SETTLED_DAYS
LEFT_UNPUBLISHED = ("B03", "B04", "B07", "B09", "B13")  # the dashboards' special and lagging branches
IN_WINDOW, OVERDUE = "C01T01B01", "C01T01B08"
OBJECTORS = ("本人", "党员代表", "党小组长")
CONTENTS = ("对缺席组织生活的扣分有异议，当天已向书记请假", "志愿服务时长少记了一次", "评议等次与平时表现不符，请求复核")


def _actors(store: Store) -> tuple[User, User]:
    admin, secretary = get_user(store, "admin"), get_user(store, "shuji01")
    if admin is None or secretary is None:
        raise ValueError("演示公示流程需要演示用户 admin 和 shuji01")
    return admin, secretary


def _first_township_branches(store: Store) -> list[str]:
    return [r[0] for r in store.all(
        "SELECT b.code FROM orgs b WHERE b.level = 'branch' AND b.parent_code = "
        "(SELECT code FROM orgs WHERE level = 'township' ORDER BY path LIMIT 1) ORDER BY b.path")]


def _approve_pending(store: Store, user: User, branch: str, start: dt.date, end: dt.date) -> int:
    """The secretary clears the review queue for the period before publishing it."""
    ids = pending_event_ids(store, branch, start, end)
    return review.approve(store, user, ids) if ids else 0


def _publish(store: Store, user: User, branch: str, cycle: int, period: str, start: dt.date) -> int:
    scheme, _ = scheme_for(store, branch, start)
    first = cycle_bounds(scheme.cycle_start, cycle)[0]
    _approve_pending(store, user, branch, first, period_bounds(scheme.cycle_start, cycle, period)[1])
    end = start + dt.timedelta(days=scheme.publicity_min_days - 1)
    return open_publicity(store, user, branch, cycle, period, start, end, today=start)


def _finished_cycle(store: Store, branch: str, today: dt.date, first: dt.date) -> tuple[int, dt.date] | None:
    """The last cycle that ended at least SETTLED_DAYS before today (published, its window
    closed and taken up the chain by then), and its end date: in the month after a cycle ends,
    the one before it, if the demo's data (from ``first``) reach into it (else a demo made in
    January or July had none of its calendar-year or July-start branches published, and the
    township's queue lacked results)."""
    scheme, _ = scheme_for(store, branch, today)
    cycle = cycle_of(scheme.cycle_start, today) - 1
    end = cycle_bounds(scheme.cycle_start, cycle)[1]
    if end + dt.timedelta(days=SETTLED_DAYS) > today:
        cycle -= 1
        end = cycle_bounds(scheme.cycle_start, cycle)[1]
    return (cycle, end) if end >= first else None


def _last_quarter(store: Store, branch: str, before: dt.date) -> tuple[int, str, dt.date]:
    """(cycle, quarter, its end) of the latest quarter that ended before ``before``."""
    scheme, _ = scheme_for(store, branch, before)
    day = before
    while True:
        day -= dt.timedelta(days=1)
        cycle = cycle_of(scheme.cycle_start, day)
        for quarter in QUARTERS:
            end = period_bounds(scheme.cycle_start, cycle, quarter)[1]
            if end == day:
                return cycle, quarter, end


def apply(store: Store, today: dt.date, rng: random.Random) -> dict[str, int]:
    admin, secretary = _actors(store)
    counts = {"finalised": 0, "publicity_open": 0, "objections": 0}
    branches = _first_township_branches(store)
    answered = False
    held = list(review_chain.HELD)
    first = store.scalar("SELECT min(date) FROM events")  # where the demo's ledger begins
    for branch in branches:
        if branch.endswith(LEFT_UNPUBLISHED) or branch in (IN_WINDOW, OVERDUE):
            continue
        try:
            finished = _finished_cycle(store, branch, today, first)
        except NoSchemeError:
            continue
        if finished is None:
            continue
        cycle, end = finished
        start = end + dt.timedelta(days=SETTLE_DAYS)
        pid = _publish(store, admin, branch, cycle, "cycle", start)
        if not answered:
            member = rng.choice(_subjects(store, pid))
            oid = file_objection(store, admin, pid, member, rng.choice(OBJECTORS), rng.choice(CONTENTS),
                                 "支部组织委员", today=start + dt.timedelta(days=1))
            resolve_objection(store, admin, oid, "经支委会核实，原记录无误，已当面向本人说明", "支委会复核，维持原结果",
                              today=start + dt.timedelta(days=3))
            answered = True
        # through the scheme's 上级审核 chain; a few branches are held there for the township's queue
        counts["finalised"] += review_chain.settle(store, admin, branch, cycle, pid, start, today, held)

    for branch, start, user in ((IN_WINDOW, today - dt.timedelta(days=3), secretary),
                                (OVERDUE, today - dt.timedelta(days=25), admin)):
        if branch not in branches:
            continue
        cycle, quarter, _ = _last_quarter(store, branch, start)
        pid = _publish(store, user, branch, cycle, quarter, start)
        counts["publicity_open"] += 1
        file_objection(store, user, pid, rng.choice(_subjects(store, pid)), rng.choice(OBJECTORS),
                       rng.choice(CONTENTS), user.display_name, today=start + dt.timedelta(days=1))
        counts["objections"] += 1
    return counts


def _subjects(store: Store, publicity_id: int) -> list[str]:
    """Members with a score in the published snapshot (an objection is about a score)."""
    return [r["subject"] for r in get_publicity(store, publicity_id).snapshot["results"] if r["rank"] is not None]
