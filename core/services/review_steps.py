"""The ``review_steps`` table: each step a branch's period result passes after 支部初评
(支委会/党员大会, 报送, 上级党委审核, 备案). Rows are never changed: a later row of the same
step supersedes an earlier one, so the whole history stays on record.

Kept apart from ``core.services.review_chain`` (the transitions) so that ``finalise`` can ask
"has the township approved this 公示?" without importing the chain, which needs finalise's
publicity checks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.store import Store

# submit and township are one exchange: the newest of the two says where the result is.
EXCHANGE = ("submit", "township")
_COLUMNS = ("id, branch_code, cycle, period, track, publicity_id, step, outcome, meeting_kind, meeting_date,"
            " attendees, decision, reason, made_by, made_at")


@dataclass(frozen=True)
class Step:
    id: int
    branch_code: str
    cycle: int
    period: str
    track: str
    publicity_id: int | None
    step: str  # committee, submit, township, filing
    outcome: str  # done, submitted, approved, returned
    meeting_kind: str | None
    meeting_date: dt.date | None
    attendees: str | None
    decision: str | None
    reason: str | None
    made_by: str
    made_at: dt.datetime


def _all(db, sql: str, params: list) -> list:
    """``db`` may be a write's cursor: a read inside a write stays on the write's connection."""
    return db.all(sql, params) if isinstance(db, Store) else db.execute(sql, params).fetchall()


def latest(db, branch_code: str, cycle: int, period: str, track: str, steps: tuple[str, ...]) -> Step | None:
    """The newest row of ``steps`` for the branch's period result, or None."""
    rows = _all(db, f"SELECT {_COLUMNS} FROM review_steps WHERE branch_code = ? AND cycle = ? AND period = ?"
                    f" AND track = ? AND step = ANY(?) ORDER BY id DESC LIMIT 1",
                [branch_code, cycle, period, track, list(steps)])
    return Step(*rows[0]) if rows else None


def exchange_in_scope(store: Store, scope, outcomes: tuple[str, ...], *, unarchived: bool = False) -> list[Step]:
    """Each result's newest exchange row in ``scope`` whose outcome is one of ``outcomes``,
    oldest first; ``unarchived`` keeps only periods not locked (确认归档) now."""
    where, params = scope.sql("b")
    lock = ("LEFT JOIN period_locks k ON k.branch_code = s.branch_code AND k.cycle = s.cycle AND k.period = s.period"
            " AND coalesce(k.track, 'party') = s.track AND k.reopened_at IS NULL") if unarchived else ""
    rows = store.all(
        f"""SELECT {', '.join('s.' + c.strip() for c in _COLUMNS.split(','))} FROM review_steps s
            JOIN (SELECT max(id) AS id FROM review_steps WHERE step = ANY(?)
                  GROUP BY branch_code, cycle, period, track) l ON l.id = s.id
            JOIN orgs b ON b.code = s.branch_code {lock}
            WHERE {where} AND s.outcome = ANY(?) {'AND k.id IS NULL' if unarchived else ''}
            ORDER BY s.made_at, s.id""", [list(EXCHANGE)] + params + [list(outcomes)])
    return [Step(*r) for r in rows]


def approved_for(db, branch_code: str, cycle: int, period: str, track: str, publicity_id: int) -> bool:
    """The township approved this very 公示 (a republished or reopened result needs it again)."""
    last = latest(db, branch_code, cycle, period, track, EXCHANGE)
    return last is not None and last.outcome == "approved" and last.publicity_id == publicity_id


def add_step(cur, username: str, branch_code: str, cycle: int, period: str, track: str, step: str, outcome: str,
             publicity_id: int | None = None, at: dt.datetime | None = None, reason: str | None = None,
             **meeting) -> tuple[int, dict]:
    """Insert one step row (``at``: the demo and tests date theirs); returns its id and what the
    caller's audit row records (each caller names its own audit action)."""
    columns = ["branch_code", "cycle", "period", "track", "publicity_id", "step", "outcome", "made_by", "reason",
               *meeting]
    values = [branch_code, cycle, period, track, publicity_id, step, outcome, username, reason, *meeting.values()]
    if at is not None:
        columns.append("made_at")
        values.append(at)
    new_id = cur.execute(f"INSERT INTO review_steps({', '.join(columns)}) VALUES ({', '.join('?' for _ in values)})"
                         " RETURNING id", values).fetchone()[0]
    return new_id, {"cycle": cycle, "period": period, "track": track, "outcome": outcome, "publicity": publicity_id,
                    **meeting}
