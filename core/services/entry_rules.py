"""Checks every entry path shares: the member may be scored, the date is allowed, the
period is not locked. Lock checks take the write transaction's cursor, so a period
finalised a moment ago cannot slip an entry in between check and insert."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.store import Store

PERIOD_NAMES = {"cycle": "全年", "Q1": "第1季度", "Q2": "第2季度", "Q3": "第3季度", "Q4": "第4季度",
                "H1": "上半年", "H2": "下半年"}


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


def period_label(cycle: int, period: str) -> str:
    """'2025年第3季度', '2025年度'."""
    return f"{cycle}年度" if period == "cycle" else f"{cycle}年{PERIOD_NAMES.get(period, period)}"


def member_row(store: Store, member_id: str) -> MemberRow:
    row = store.one("SELECT id, name, branch_code, kind, category, status FROM members WHERE id = ?", [member_id])
    if row is None:
        raise EntryError(f"未找到成员 {member_id}")
    return MemberRow(*row)


def require_active(member: MemberRow) -> None:
    if member.status == "transferred":
        raise EntryError(f"{member.name} 已转出，不能再记分")
    if member.status == "exempt":
        raise EntryError(f"{member.name} 免于评星，不参加积分")


def check_date(day, today: dt.date | None = None) -> dt.date:
    if not isinstance(day, dt.date):
        raise EntryError("请选择日期")
    if isinstance(day, dt.datetime):
        day = day.date()
    if day > (today or dt.date.today()):
        raise EntryError(f"日期 {day:%Y-%m-%d} 在今天之后，不能预先录入")
    return day


def check_unlocked(cur, branch_code: str, start: dt.date, end: dt.date | None = None) -> None:
    """Refuse when a lock of ``branch_code`` (not reopened) overlaps ``start..end``."""
    row = cur.execute(
        "SELECT cycle, period, start_date, end_date FROM period_locks"
        " WHERE branch_code = ? AND reopened_at IS NULL AND start_date <= ? AND end_date >= ?"
        " ORDER BY start_date LIMIT 1",
        [branch_code, end or start, start],
    ).fetchone()
    if row is not None:
        cycle, period, first, last = row
        raise EntryError(
            f"该期间（{period_label(cycle, period)}，{first:%Y-%m-%d}至{last:%Y-%m-%d}）已确认归档，"
            "不能再录入；如需更正请联系乡镇组织委员重新开放")
