"""Checks every entry path shares: the member may be scored, the date is allowed, the
period is not locked. Lock checks take the write transaction's cursor, so a period
finalised a moment ago cannot slip an entry in between check and insert."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.cycles import period_label
from core.store import Store

# How many months a period of each kind starts after its cycle (Q2: 3, H2: 6, M5: 4).
_STEP = {"Q": 3, "H": 6, "M": 1}


class EntryError(ValueError):
    """Bad input or a refused state change; the message is shown to the user as is."""


@dataclass(frozen=True)
class MemberRow:
    id: str
    name: str
    branch_code: str
    kind: str
    category: str | None
    status: str


def member_row(store: Store, member_id: str) -> MemberRow:
    row = store.one("SELECT id, name, branch_code, kind, category, status FROM members WHERE id = ?", [member_id])
    if row is None:
        raise EntryError(f"未找到成员 {member_id}")
    return MemberRow(*row)


def require_active(member: MemberRow) -> None:
    if member.status == "transferred":
        raise EntryError(f"{member.name} 已转出，不能再记分")
    if member.status == "deceased":
        raise EntryError(f"{member.name} 已故，不能再记分")
    if member.status == "exempt":
        raise EntryError(f"{member.name} 免于评星，不参加积分")


def check_date(day, today: dt.date | None = None) -> dt.date:
    """A date from core.bounds.EARLIEST to today."""
    from core import bounds  # bounds raises this module's EntryError, so it imports it first

    return bounds.day(day, today=today)


def check_unlocked(cur, branch_code: str, start: dt.date, end: dt.date | None = None,
                   track: str = "party") -> None:
    """Refuse when a lock of ``branch_code`` and ``track`` (not reopened) overlaps
    ``start..end``: a village's finalised household quarter does not lock its party members'
    entries, nor the other way round (``track_of_kind`` of the subject)."""
    row = cur.execute(
        "SELECT cycle, period, start_date, end_date FROM period_locks"
        " WHERE branch_code = ? AND coalesce(track, 'party') = ? AND reopened_at IS NULL"
        " AND start_date <= ? AND end_date >= ? ORDER BY start_date LIMIT 1",
        [branch_code, track, end or start, start],
    ).fetchone()
    if row is not None:
        cycle, period, first, last = row
        raise EntryError(
            f"该期间（{period_label(_cycle_start(period, first), cycle, period)}）已确认归档，"
            "不能再录入；如需更正请联系乡镇组织委员重新开放")


def _cycle_start(period: str, first: dt.date) -> str:
    """The cycle start ('07-01') implied by a period and its first day (a lock row keeps
    both), so the lock is named the way core.cycles names every period."""
    months = 0 if period == "cycle" else (int(period[1:]) - 1) * _STEP[period[0]]
    return f"{(first.month - 1 - months) % 12 + 1:02d}-01"
