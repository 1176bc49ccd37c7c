"""异议: objections against a member's published result, filed during the 公示 window.

Each has a deadline of N working days (the scheme's ``objection_working_days``, counted
with the holiday calendar), a handler, and on resolution a written answer (处理意见) and
a re-check (复核意见). A resolution may correct the ledger and republish the results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core import audit, bounds
from core.auth import require, scope_for
from core.cycles import cycle_bounds, period_bounds
from core.decimals import signed
from core.scheme_assignments import scheme_for_cycle
from core.services import ledger, reminders, review
from core.services.entry_rules import EntryError
from core.services.publicity import Publicity, current_publicity, get_publicity, republish
from core.store import Store
from core.workdays import add_working_days, working_days_between

STATE_NAMES = {"open": "处理中", "resolved": "已办结"}

_COLUMNS = ("o.id, o.publicity_id, o.member_id, m.name, o.objector, o.content, o.filed_on, o.deadline, o.handler,"
            " o.state, o.resolution, o.recheck, o.resolved_by, o.resolved_on, o.created_by, p.branch_code")


@dataclass(frozen=True)
class Objection:
    id: int
    publicity_id: int
    member_id: str
    member_name: str
    objector: str
    content: str
    filed_on: dt.date
    deadline: dt.date
    handler: str
    state: str
    resolution: str | None
    recheck: str | None
    resolved_by: str | None
    resolved_on: dt.date | None
    created_by: str
    branch_code: str

    def overdue(self, today: dt.date) -> bool:
        return self.state == "open" and today > self.deadline

    def working_days_left(self, today: dt.date) -> int:
        return working_days_between(today, self.deadline)


@dataclass(frozen=True)
class Correction:
    """A ledger change decided when resolving: reverse an event, or enter a new one
    (approved at once, since the branch committee decided it)."""

    reverse_event: int | None = None
    member_id: str | None = None
    item: str | None = None
    date: dt.date | None = None
    points: object = None
    count: int = 1
    note: str = ""


_FROM = "FROM objections o JOIN publicity p ON p.id = o.publicity_id JOIN members m ON m.id = o.member_id"


def get_objection(store: Store, objection_id: int) -> Objection:
    objection_id = bounds.record_id(objection_id, "异议编号")
    row = store.one(f"SELECT {_COLUMNS} {_FROM} WHERE o.id = ?", [objection_id])
    if row is None:
        raise EntryError(f"未找到异议 {objection_id}")
    return Objection(*row)


def window_objections(store: Store, branch_code: str, cycle: int, period: str,
                      track: str = "party") -> list[Objection]:
    """Every objection of the window (all its publicity rows of ``track``), newest first."""
    rows = store.all(f"SELECT {_COLUMNS} {_FROM} WHERE p.branch_code = ? AND p.cycle = ? AND p.period = ?"
                     " AND coalesce(p.track, 'party') = ? ORDER BY o.id DESC", [branch_code, cycle, period, track])
    return [Objection(*r) for r in rows]


def open_count(cur, branch_code: str, cycle: int, period: str, track: str = "party") -> int:
    return cur.execute(
        "SELECT count(*) FROM objections o JOIN publicity p ON p.id = o.publicity_id"
        " WHERE p.branch_code = ? AND p.cycle = ? AND p.period = ? AND coalesce(p.track, 'party') = ?"
        " AND o.state = 'open'", [branch_code, cycle, period, track]).fetchone()[0]


def overdue_objections(store: Store, scope, today: dt.date) -> list[Objection]:
    """Open objections past their deadline in the scope, oldest deadline first (for the
    township's alerts)."""
    where, params = scope.sql("b")
    rows = store.all(
        f"SELECT {_COLUMNS} {_FROM} JOIN orgs b ON b.code = p.branch_code"
        f" WHERE {where} AND o.state = 'open' AND o.deadline < ? ORDER BY o.deadline, o.id",
        params + [today])
    return [Objection(*r) for r in rows]


def _text(value: str | None, what: str, max_len: int = bounds.NOTE_MAX) -> str:
    return bounds.text(value, what, required=True, max_len=max_len, multiline=max_len > bounds.NAME_MAX)


def file_objection(store: Store, user, publicity_id: int, member_id: str, objector: str, content: str,
                   handler: str | None = None, today: dt.date | None = None) -> int:
    """登记异议 against ``member_id``'s published result, only while the window is open."""
    today = today or dt.date.today()
    require(user, "publish")
    pub = get_publicity(store, publicity_id)
    scope_for(store, user).check_org(store, pub.branch_code)
    if pub.window(today) != "open":
        raise EntryError(f"只能在公示期内（{pub.start_date:%Y-%m-%d}至{pub.end_date:%Y-%m-%d}）登记异议，"
                         f"今天是 {today:%Y-%m-%d}")
    if not isinstance(member_id, str) or member_id not in {r["subject"] for r in pub.snapshot["results"]}:
        raise EntryError(f"成员 {member_id} 不在本次公示名单中")
    objector, content = _text(objector, "异议人", bounds.NAME_MAX), _text(content, "异议内容")
    handler = bounds.text(handler, "经办人", max_len=bounds.NAME_MAX, multiline=False) or user.display_name
    scheme, _ = scheme_for_cycle(store, pub.branch_code, pub.cycle, today, pub.track)
    deadline = add_working_days(today, scheme.objection_working_days)

    def work(cur) -> int:
        state = cur.execute("SELECT state FROM publicity WHERE id = ?", [publicity_id]).fetchone()[0]
        if state != "open":
            raise EntryError("该公示已被替代或已归档，请在最新的公示下登记")
        new_id = cur.execute(
            "INSERT INTO objections(publicity_id, member_id, objector, content, filed_on, deadline, handler, state,"
            " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?) RETURNING id",
            [publicity_id, member_id, objector, content, today, deadline, handler, user.username]).fetchone()[0]
        audit.record(cur, user.username, "objection.file", entity="objection", entity_id=new_id,
                     org_code=pub.branch_code, member_id=member_id,
                     after={"objector": objector, "content": content, "deadline": deadline, "handler": handler})
        return new_id

    return store.write(work)


def _open_objection(store: Store, user, objection_id: int) -> Objection:
    require(user, "publish")
    obj = get_objection(store, objection_id)
    scope_for(store, user).check_org(store, obj.branch_code)
    if obj.state != "open":
        raise EntryError(f"异议 {objection_id} 已办结")
    return obj


def assign_handler(store: Store, user, objection_id: int, handler: str) -> None:
    obj = _open_objection(store, user, objection_id)
    objection_id = obj.id
    handler = _text(handler, "经办人", bounds.NAME_MAX)

    def work(cur) -> None:
        cur.execute("UPDATE objections SET handler = ? WHERE id = ? AND state = 'open'", [handler, objection_id]).fetchall()
        audit.record(cur, user.username, "objection.assign", entity="objection", entity_id=objection_id,
                     org_code=obj.branch_code, member_id=obj.member_id, before={"handler": obj.handler},
                     after={"handler": handler})

    store.write(work)


def correctable_events(store: Store, objection: Objection | int) -> list[dict]:
    """The records that fed the published result the objection is about, which are the only
    ones its correction may reverse: the member's events that count, of the published
    branch, dated in the cycle up to the period's end. Newest first, each with its item's
    Chinese name, date and points and a label for the picker."""
    obj = objection if isinstance(objection, Objection) else get_objection(store, objection)
    pub = get_publicity(store, obj.publicity_id)
    scheme, _ = scheme_for_cycle(store, pub.branch_code, pub.cycle, track=pub.track)
    first = cycle_bounds(scheme.cycle_start, pub.cycle)[0]
    last = period_bounds(scheme.cycle_start, pub.cycle, pub.period)[1]
    frame = ledger.effective_events(store, branch_code=pub.branch_code, member_id=obj.member_id,
                                    start=first, end=last)
    items, out = ledger.ItemLookup(store), []
    kind = store.scalar("SELECT kind FROM members WHERE id = ?", [obj.member_id]) or "member"
    for row in reversed(frame.to_dicts()):
        item = items.get(row["branch_code"], row["date"], row["item"], kind)  # a household's: its village scheme
        name = item.name if item else "（方案中已无此项目）"
        points = ledger.event_points(item, row["points"], row["count"])
        shown = "" if points is None else f" {signed(points)}分"
        note = f"（{row['note']}）" if row["note"] else ""
        out.append({"id": row["id"], "date": row["date"], "item": name, "points": points, "note": row["note"] or "",
                    "label": f"{row['date']:%Y-%m-%d} {name}{shown}{note}"})
    return out


def _check_corrections(store: Store, obj: Objection, corrections) -> None:
    """Refuse the whole resolution before anything is written when a correction reaches
    outside the objection: another member, or a record that did not feed the result."""
    offered = None
    for correction in corrections:
        if correction.reverse_event is not None:
            if offered is None:
                offered = {e["id"] for e in correctable_events(store, obj)}
            if correction.reverse_event not in offered:
                raise EntryError("所选记录不是本次公示结果所依据的该成员记录，不能在办结异议时撤销；"
                                 "请从列出的记录中选择")
        elif correction.member_id != obj.member_id:
            raise EntryError("更正只能针对被提出异议的成员")


def _apply(store: Store, user, obj: Objection, correction: Correction, today: dt.date) -> int:
    """One correction through the ledger services (each audited there); returns the event id."""
    if correction.reverse_event is not None:
        return ledger.reverse_event(store, user, correction.reverse_event, reason=f"异议{obj.id}处理更正")
    event_id = ledger.enter_event(store, user, obj.member_id, correction.item, correction.date, correction.points,
                                  correction.count, note=correction.note or f"异议{obj.id}处理更正", today=today)
    review.approve(store, user, [event_id])
    return event_id


def resolve_objection(store: Store, user, objection_id: int, resolution: str, recheck: str,
                      today: dt.date | None = None, corrections: list[Correction] = (),
                      republish_results: bool = False, keep_window: bool = False) -> int | None:
    """办结: record the answer and the re-check; apply corrections; optionally republish.

    Returns the new publicity id when republished. The corrections are checked first (each
    must concern the objection's member, and a reversal one of ``correctable_events``),
    then go through the ledger one by one before the resolution is written, so a refused
    correction leaves the objection open with its message shown. A republished result gets
    a fresh window of the scheme's minimum days from today, unless ``keep_window``.
    """
    today = today or dt.date.today()
    obj = _open_objection(store, user, objection_id)
    objection_id = obj.id
    resolution, recheck = _text(resolution, "处理意见"), _text(recheck, "复核意见")
    _check_corrections(store, obj, corrections)
    applied = [_apply(store, user, obj, c, today) for c in corrections]
    _resolve(store, user, obj, resolution, recheck, today, {"corrections": applied})
    if not republish_results:
        return None
    current = _current_open(store, obj)
    return republish(store, user, current.id, f"异议{objection_id}办结后更正结果", today=today,
                     keep_window=keep_window)


def _resolve(store: Store, user, obj: Objection, resolution: str, recheck: str, today: dt.date,
             extra: dict, took_over: bool = False) -> None:
    """Write the resolution (the one path both 办结 and the township's 代为办理 take); any
    催办 about the objection is done."""
    objection_id = obj.id

    def work(cur) -> None:
        state = cur.execute("SELECT state FROM objections WHERE id = ?", [objection_id]).fetchone()[0]
        if state != "open":
            raise EntryError(f"异议 {objection_id} 已办结")
        cur.execute("UPDATE objections SET state = 'resolved', resolution = ?, recheck = ?, resolved_by = ?,"
                    " resolved_on = ? WHERE id = ?", [resolution, recheck, user.username, today, objection_id]).fetchall()
        audit.record(cur, user.username, "objection.take_over" if took_over else "objection.resolve",
                     entity="objection", entity_id=objection_id,
                     org_code=obj.branch_code, member_id=obj.member_id, before={"state": "open"},
                     after={"state": "resolved", "resolution": resolution, "recheck": recheck, **extra},
                     reason=resolution)
        reminders.close(cur, user.username, obj.branch_code, "objection", objection_id)

    store.write(work)


def take_over_objection(store: Store, user, objection_id: int, resolution: str, recheck: str,
                        today: dt.date | None = None) -> None:
    """代为办理: the township (scope) resolves an overdue objection the branch left open. No
    ledger correction here (that stays the branch's, through its own 办结 or a 重新开放); the
    audit row says who took it over."""
    today = today or dt.date.today()
    require(user, "township_review")
    obj = get_objection(store, objection_id)
    scope_for(store, user).check_org(store, obj.branch_code)
    if obj.state != "open":
        raise EntryError(f"异议 {obj.id} 已办结")
    if not obj.overdue(today):
        raise EntryError(f"异议 {obj.id} 的办理期限 {obj.deadline:%Y-%m-%d} 未过，应由支部办理")
    resolution, recheck = _text(resolution, "处理意见"), _text(recheck, "复核意见")
    _resolve(store, user, obj, resolution, recheck, today, {"taken_over_by": user.username, "handler": obj.handler},
             took_over=True)


def _current_open(store: Store, obj: Objection) -> Publicity:
    pub = get_publicity(store, obj.publicity_id)
    current = current_publicity(store, pub.branch_code, pub.cycle, pub.period, pub.track)
    if current is None or current.state != "open":
        raise EntryError("公示已归档，不能重新公示")
    return current
