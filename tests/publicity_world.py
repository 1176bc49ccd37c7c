"""Test data for the 公示/异议/归档 tests, made through the entry services on the entry
tests' tiny organisation (branch C01T01B01: M01–M03 active, M04 exempt, M05 transferred)."""

from __future__ import annotations

import datetime as dt

from core.services import ledger, review
from tests.entry_world import SECRETARY, TODAY

BRANCH = "C01T01B01"
Q1_START, Q1_END = dt.date(2025, 7, 1), dt.date(2025, 9, 30)  # party-q100-3to1, cycle 2025


def approved_event(store, member: str, item: str, day: dt.date, points=None, count=1) -> int:
    event_id = ledger.enter_event(store, SECRETARY, member, item, day, points, count, today=TODAY)
    review.approve(store, SECRETARY, [event_id])
    return event_id


def score(store, member: str, component: str, period: str, *, grade=None, value=None, cycle: int = 2025,
          branch: str = BRANCH) -> None:
    """An entered score row, as the appraisal page saves it (re-saving appends)."""
    store.write(lambda cur: cur.execute(
        "INSERT INTO scores(member_id, branch_code, cycle, component, period, value, grade, entered_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'shuji01')", [member, branch, cycle, component, period, value, grade]).fetchall())
