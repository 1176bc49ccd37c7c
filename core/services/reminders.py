"""催办: the township's reminder to a branch about an overdue objection or an unpublished
quarter. It shows in the branch's 首页待办 until the branch acts: resolving the objection or
starting the quarter's 公示 marks it done (``close``, called inside those writes).

``ref`` names what the reminder is about: an objection's id, or "cycle:period:track" for a
quarter. The services this module consults import it back (to close reminders), so they are
imported inside the functions that need them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core import audit, bounds, orgs
from core.auth import require, scope_for
from core.cycles import QUARTERS, cycle_of, period_bounds, period_label
from core.scheme_assignments import TRACKS, NoSchemeError, scheme_for
from core.services.entry_rules import EntryError
from core.store import Store

KIND_NAMES = {"objection": "异议逾期", "publicity": "季度未公示"}


@dataclass(frozen=True)
class Reminder:
    id: int
    branch_code: str
    kind: str
    ref: str
    message: str
    sent_by: str
    sent_at: dt.datetime
    done_at: dt.datetime | None


@dataclass(frozen=True)
class Unpublished:
    branch_code: str
    cycle: int
    period: str
    track: str
    label: str
    ended: dt.date

    @property
    def ref(self) -> str:
        return quarter_ref(self.cycle, self.period, self.track)


def quarter_ref(cycle: int, period: str, track: str) -> str:
    return f"{cycle}:{period}:{track}"


def unpublished_quarters(store: Store, scope, today: dt.date) -> list[Unpublished]:
    """Quarters of a scheme that publishes quarters, ended before today with no 公示: this
    cycle's, and last cycle's Q4 while the new cycle's Q1 runs (older ones are history)."""
    where, params = scope.sql("b")
    published = {tuple(r) for r in store.all(
        f"SELECT p.branch_code, p.cycle, p.period, coalesce(p.track, 'party') FROM publicity p"
        f" JOIN orgs b ON b.code = p.branch_code WHERE {where} AND p.state <> 'withdrawn'", params)}
    # (branch, track) pairs with an assignment on the branch or above: a scheme lookup for each
    # track of each branch would cost a second on a township's page
    pairs = store.all(
        f"SELECT DISTINCT b.code, coalesce(a.track, 'party'), b.path FROM orgs b"
        f" JOIN orgs ao ON starts_with(b.path, ao.path) JOIN scheme_assignments a ON a.org_code = ao.code"
        f" WHERE {where} AND b.level = 'branch' ORDER BY b.path", params)
    out = []
    for code, track, _ in sorted(pairs, key=lambda r: (r[2], list(TRACKS).index(r[1]) if r[1] in TRACKS else 9)):
        try:
            scheme, _ = scheme_for(store, code, today, track)
        except NoSchemeError:
            continue
        quarters = [q for q in QUARTERS if q in scheme.publish_periods]
        if not quarters:
            continue
        cycle = cycle_of(scheme.cycle_start, today)
        candidates = [(cycle, q) for q in quarters] + ([(cycle - 1, "Q4")] if "Q4" in quarters else [])
        for c, q in candidates:
            end = period_bounds(scheme.cycle_start, c, q)[1]
            if c == cycle - 1 and period_bounds(scheme.cycle_start, cycle, "Q1")[1] < today:
                continue  # last cycle's Q4 is only chased while this cycle's Q1 runs
            if end < today and (code, c, q, track) not in published:
                # a village's households publish beside its members: the track is named
                label = period_label(scheme, c, q) + ("" if track == "party" else f"（{TRACKS[track]}）")
                out.append(Unpublished(code, c, q, track, label, end))
    return out


def remind(store: Store, user, branch_code: str, kind: str, ref: str, message: str = "",
           today: dt.date | None = None) -> int:
    """催办 by the township (scope): ``kind`` objection (ref: its id) or publicity (ref: a quarter)."""
    from core.services.objections import get_objection  # objections closes reminders: imported here

    today = today or dt.date.today()
    require(user, "township_review")
    scope = scope_for(store, user)
    scope.check_org(store, branch_code)
    message = bounds.text(message, "催办内容")
    if kind == "objection":
        obj = get_objection(store, bounds.record_id(ref, "异议编号"))
        if obj.branch_code != branch_code or not obj.overdue(today):
            raise EntryError("只能对本支部已逾期未办结的异议催办")
        message = message or f"{obj.member_name}的异议（{obj.objector}提出）已超过办理期限 {obj.deadline:%Y-%m-%d}，请尽快办结"
    elif kind == "publicity":
        due = {u.ref: u for u in unpublished_quarters(store, scope, today) if u.branch_code == branch_code}
        if ref not in due:
            raise EntryError("只能对已结束但尚未公示的季度催办")
        message = message or f"{due[ref].label}已于 {due[ref].ended:%Y-%m-%d} 结束，尚未公示，请尽快公示"
    else:
        raise EntryError(f"催办类型应为 {'、'.join(KIND_NAMES.values())} 之一")
    ref = str(ref)

    def work(cur) -> int:
        new_id = cur.execute("INSERT INTO reminders(branch_code, kind, ref, message, sent_by) VALUES (?, ?, ?, ?, ?)"
                             " RETURNING id", [branch_code, kind, ref, message, user.username]).fetchone()[0]
        audit.record(cur, user.username, "reminder.send", entity="reminder", entity_id=new_id, org_code=branch_code,
                     after={"kind": kind, "ref": ref, "message": message})
        return new_id

    return store.write(work)


def close(cur, username: str, branch_code: str, kind: str, ref: str) -> None:
    """The branch acted: its open reminders about ``ref`` are done (inside the acting write)."""
    ids = [r[0] for r in cur.execute("SELECT id FROM reminders WHERE branch_code = ? AND kind = ? AND ref = ?"
                                     " AND done_at IS NULL", [branch_code, kind, str(ref)]).fetchall()]
    for rid in ids:
        cur.execute("UPDATE reminders SET done_at = current_timestamp WHERE id = ?", [rid]).fetchall()
        audit.record(cur, username, "reminder.done", entity="reminder", entity_id=rid, org_code=branch_code,
                     before={"done": False}, after={"done": True})


def open_reminders(store: Store, scope) -> list[Reminder]:
    """Reminders not yet acted on, in ``scope``, oldest first."""
    where, params = scope.sql("b")
    rows = store.all(f"SELECT r.id, r.branch_code, r.kind, r.ref, r.message, r.sent_by, r.sent_at, r.done_at"
                     f" FROM reminders r JOIN orgs b ON b.code = r.branch_code"
                     f" WHERE {where} AND r.done_at IS NULL ORDER BY r.sent_at, r.id", params)
    return [Reminder(*r) for r in rows]


def reminder_text(store: Store, reminder: Reminder) -> str:
    name = orgs.labels(store, [reminder.branch_code])[reminder.branch_code]
    return f"乡镇催办（{reminder.sent_at:%Y-%m-%d}）：{name}{reminder.message}"
