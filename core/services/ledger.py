"""The append-only point ledger: enter and reverse (which events count, and the rollups kept
from them in each write: ``core.services.rollups``).

An event row is never updated or deleted. Its status is derived:
  entered (no review row) → approved | rejected (one ``event_reviews`` row, see review.py);
  a reversal is its own event whose ``reverses`` names the original, and it takes effect at
  once (no review), so the original stops counting the moment it is reversed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import polars as pl

from core import audit, bounds
from core.auth import can, require, scope_for
from core.decimals import fmt, signed
from core.scheme import Item, Scheme
from core.scheme_assignments import scheme_for, track_of_kind
from core.services.entry_rules import EntryError, MemberRow, check_date, check_unlocked, member_row, require_active
from core.services.rollups import EFFECTIVE_EVENTS_SQL, count_entered, refresh_effective
from core.store import Store
from core.store.locks import lock_rows

RATINGS = ("满意", "基本满意", "不满意")
KIND_NAMES = {"member": "党员", "resident": "村民", "family": "家庭户", "household": "农户", "unit": "单位",
              "volunteer": "义工"}

# Status of an ``events e`` row left-joined to ``event_reviews r``.
STATUS_SQL = """CASE WHEN e.reverses IS NOT NULL THEN 'reversal'
  WHEN EXISTS (SELECT 1 FROM events x WHERE x.reverses = e.id) THEN 'reversed'
  ELSE coalesce(r.decision, 'entered') END"""
STATUS_NAMES = {"entered": "待审核", "approved": "已通过", "rejected": "已驳回", "reversed": "已撤销",
                "reversal": "撤销记录"}


def new_request_key() -> str:
    """One per form submission: a resubmission with the same key is recognised."""
    return uuid.uuid4().hex


# -- items ---------------------------------------------------------------------------

def item_points_text(item: Item) -> str:
    if item.is_range:
        return f"{fmt(item.min)}～{fmt(item.max)}分"
    unit = "/小时" if item.frequency == "per_unit" else ""
    return f"{signed(item.points)}分{unit}"


def item_label(item: Item) -> str:
    """'缺席三会一课（−2分）' — what the item picker and lists show."""
    return f"{item.name}（{item_points_text(item)}）"


def items_for(scheme: Scheme, kind: str) -> list[Item]:
    """Items a recorder may enter for a subject of ``kind`` (automatic items are the engine's)."""
    return [i for i in scheme.items.values() if kind in i.kinds and not i.automatic]


def check_item(scheme: Scheme, member: MemberRow, code: str, points, count, rating=None
               ) -> tuple[Item, Decimal | None, Decimal]:
    """Validate one event against the member's scheme; returns (item, points, count)."""
    item = scheme.items.get(code) if isinstance(code, str) else None
    if item is None:
        raise EntryError(f"方案「{scheme.name}」中没有项目 {code}")
    if member.kind not in item.kinds:
        raise EntryError(f"项目「{item.name}」不适用于{KIND_NAMES.get(member.kind, member.kind)}")
    if item.automatic:
        raise EntryError(f"项目「{item.name}」由系统自动计分，无需录入")
    if item.is_range:
        if points is None or points == "":
            raise EntryError(f"「{item.name}」需要填写分值（{item_points_text(item)}）")
        value = bounds.number(points, "分值")
        if not item.min <= value <= item.max:
            raise EntryError(f"「{item.name}」的分值应在 {item_points_text(item)} 之间，填写的是 {fmt(value)}")
    else:
        if points is not None and points != "":
            raise EntryError(f"「{item.name}」是固定分值（{item_points_text(item)}），不需要填写分值")
        value = None
    amount = bounds.count(count, "数量", whole=False)
    if item.frequency != "per_unit" and amount != amount.to_integral_value():
        raise EntryError(f"「{item.name}」按次计分，次数应为整数")
    if rating is not None and (not isinstance(rating, str) or rating not in RATINGS):
        raise EntryError(f"评价应为 {'/'.join(RATINGS)} 之一")
    return item, value, amount


# -- writes --------------------------------------------------------------------------

def existing_request(cur, request_key: str | None) -> int | None:
    if not request_key:
        return None
    row = cur.execute("SELECT id FROM events WHERE request_key = ? ORDER BY id LIMIT 1", [request_key]).fetchone()
    return row[0] if row else None


TWIN_SECONDS = 120


def recent_twin(cur, member_id: str, item: str, day: dt.date, points, count, note: str, entered_by: str) -> int | None:
    """An identical manual entry by the same person in the last two minutes: the same form
    submitted from a second tab, which carries its own request key."""
    row = cur.execute(
        "SELECT id FROM events WHERE member_id = ? AND item = ? AND date = ? AND points IS NOT DISTINCT FROM ?"
        " AND count = ? AND coalesce(note, '') = ? AND entered_by = ? AND source = 'manual' AND reverses IS NULL"
        f" AND entered_at >= CAST(current_timestamp AS TIMESTAMP) - INTERVAL '{TWIN_SECONDS} seconds'"
        " ORDER BY id DESC LIMIT 1",
        [member_id, item, day, points, count, note, entered_by]).fetchone()
    return row[0] if row else None


def insert_event(cur, member: MemberRow, item: str, day: dt.date, points, count, *, entered_by: str,
                 note: str | None = None, rating: str | None = None, activity_id: int | None = None,
                 reverses: int | None = None, source: str = "manual", request_key: str | None = None,
                 evidence: str | None = None) -> int:
    event_id, entered_at = cur.execute(
        "INSERT INTO events(member_id, branch_code, item, date, count, points, rating, note, activity_id,"
        " reverses, source, entered_by, request_key, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id, entered_at",
        [member.id, member.branch_code, item, day, count, points, rating, note or None, activity_id, reverses,
         source, entered_by, request_key, evidence],
    ).fetchone()
    if reverses is not None:
        refresh_effective(cur, [reverses])  # the reversed event stops counting in this transaction
    else:
        count_entered(cur, event_id, member.branch_code, member.id, day, item, entered_at)
    return event_id


def enter_event(store: Store, user, member_id: str, item: str, date: dt.date, points=None, count=1,
                note: str = "", request_key: str | None = None, rating: str | None = None,
                today: dt.date | None = None) -> int:
    """Record one point event (status 待审核) and return its id.

    A second call with the same ``request_key`` returns the first event's id and writes
    nothing: the check and the insert share one transaction under the write lock.
    """
    require(user, "enter")
    member_id = bounds.text(member_id, "成员编号", required=True, max_len=bounds.NAME_MAX, multiline=False)
    scope_for(store, user).check_member(store, member_id)
    return record_event(store, user, member_id, item, date, points, count, note, request_key, rating, today)


def record_event(store: Store, user, member_id: str, item: str, date: dt.date, points=None, count=1,
                 note: str = "", request_key: str | None = None, rating: str | None = None,
                 today: dt.date | None = None, *, source: str = "manual", evidence: str | None = None,
                 after_insert: Callable[[object, int], None] | None = None) -> int:
    """The one write path of a new event, for a caller that has already checked the user's
    right to it (``enter_event``: a recorder in scope; a volunteers' service log; a subject's
    own declaration). ``after_insert(cur, event_id)`` writes what the caller keeps beside the
    event (a service record's details) in the same transaction."""
    member = member_row(store, member_id)
    require_active(member)
    day = check_date(date, today)
    scheme, assignment = scheme_for(store, member.branch_code, day, track_of_kind(member.kind))
    entry, value, amount = check_item(scheme, member, item, points, count, rating)
    note = bounds.text(note, "备注")

    def work(cur) -> int:
        first = existing_request(cur, request_key)
        if first is not None:
            return first
        check_unlocked(cur, member.branch_code, day, track=track_of_kind(member.kind))
        twin = recent_twin(cur, member.id, entry.code, day, value, amount, note, user.username)
        if twin is not None:
            # On PostgreSQL each statement sees what committed before it began, so the same
            # request committed by another app process just after the key check above shows
            # up here as a twin: it is that request, answered with its id, not refused.
            first = existing_request(cur, request_key)
            if first is not None:
                return first
            raise EntryError(f"{member.name} {day:%Y-%m-%d}「{entry.name}」刚刚已录入过相同记录（编号 {twin}），"
                             "本次未保存；如确实发生了两次，请在备注中注明后再提交")
        event_id = insert_event(cur, member, entry.code, day, value, amount, entered_by=user.username, note=note,
                                rating=rating, request_key=request_key, source=source, evidence=evidence)
        if after_insert is not None:
            after_insert(cur, event_id)
        audit.record(cur, user.username, "event.enter", entity="event", entity_id=event_id,
                     org_code=member.branch_code, member_id=member.id,
                     after={"item": entry.code, "date": day, "points": value, "count": amount, "note": note,
                            "scheme": f"{scheme.id}@{assignment.scheme_version}",
                            **({"source": source} if source != "manual" else {})})
        return event_id

    return store.write(work)


def reverse_event(store: Store, user, event_id: int, reason: str = "", request_key: str | None = None) -> int:
    """撤销: append a reversal event linked to ``event_id``; returns the reversal's id.

    Refused for a reversal, an event already reversed, a rejected event (it never counted),
    and a date in a locked period. A recorder may undo only what is still 待审核; undoing
    an approved event is a reviewer's decision.

    Everything is judged by the event, not by the member: after a transfer the record still
    belongs to the branch that entered it, so that branch's scope and locks apply and the
    reversal is booked there. The checks run inside the write, after the event's row is
    locked, so an approval committed a moment earlier is seen (a recorder racing an approval
    would otherwise undo a record that had just been approved).
    """
    require(user, "enter")
    event_id = bounds.record_id(event_id)
    reason = bounds.text(reason, "撤销原因")
    found = store.one("SELECT member_id, branch_code FROM events WHERE id = ?", [event_id])
    if found is None:
        raise EntryError(f"未找到积分记录 {event_id}")
    member_id, event_branch = found
    scope_for(store, user).check_org(store, event_branch)
    member = replace(member_row(store, member_id), branch_code=event_branch)

    def work(cur) -> int:
        first = existing_request(cur, request_key)
        if first is not None:
            return first
        lock_rows(cur, "events", [event_id])
        item, day, points, count, reverses, decision = cur.execute(
            "SELECT e.item, e.date, e.points, e.count, e.reverses, r.decision"
            " FROM events e LEFT JOIN event_reviews r ON r.event_id = e.id WHERE e.id = ?", [event_id]).fetchone()
        if reverses is not None:
            raise EntryError("这是一条撤销记录，不能再撤销；如需恢复请重新录入")
        if decision == "rejected":
            raise EntryError("该记录已被驳回，不计分，无需撤销")
        if decision == "approved" and not can(user.role, "review"):
            raise EntryError("该记录已审核通过，记分员不能撤销；请联系支部书记")
        if cur.execute("SELECT 1 FROM events WHERE reverses = ?", [event_id]).fetchone():
            raise EntryError("该记录已撤销，不能重复撤销")
        check_unlocked(cur, event_branch, day, track=track_of_kind(member.kind))
        new_id = insert_event(cur, member, item, day, points, count, entered_by=user.username,
                              note=reason or "撤销", reverses=event_id, source="reversal",
                              request_key=request_key)
        audit.record(cur, user.username, "event.reverse", entity="event", entity_id=event_id,
                     org_code=event_branch, member_id=member.id,
                     before={"status": decision or "entered"}, after={"reversal_id": new_id},
                     reason=reason or None)
        return new_id

    return store.write(work)


# -- reads ---------------------------------------------------------------------------

def effective_events(store: Store, *, branch_code: str | None = None, member_id: str | None = None,
                     start: dt.date | None = None, end: dt.date | None = None) -> pl.DataFrame:
    """Events that count (approved, not reversed, not a reversal), oldest first."""
    where, params = [], []
    for clause, value in (("branch_code = ?", branch_code), ("member_id = ?", member_id),
                          ("date >= ?", start), ("date <= ?", end)):
        if value is not None:
            where.append(clause)
            params.append(value)
    sql = (f"SELECT id, member_id, branch_code, item, date, count, points, rating, fraud, note, activity_id,"
           f" source, entered_by, entered_at FROM ({EFFECTIVE_EVENTS_SQL}) e"
           f"{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY date, id")
    return store.frame(sql, params)


def event_points(item: Item | None, points, count) -> Decimal | None:
    """What one event is worth before caps and bases: (entered or item points) × count."""
    base = points if points is not None else (item.points if item is not None else None)
    return None if base is None else Decimal(base) * Decimal(count)


def recent_entries(store: Store, user, *, member_id: str | None = None, limit: int = 10) -> list[dict]:
    """The latest events the user entered (or of one member), newest first, with status."""
    scope = scope_for(store, user)
    where, params = scope.sql("o")
    if member_id is not None:
        where += " AND e.member_id = ?"
        params.append(member_id)
    else:
        where += " AND e.entered_by = ?"
        params.append(user.username)
    rows = store.all(
        f"""SELECT e.id, e.date, e.member_id, m.name, e.branch_code, e.item, e.points, e.count, e.note,
                   {STATUS_SQL} AS status, r.reason, m.kind
            FROM events e JOIN members m ON m.id = e.member_id JOIN orgs o ON o.code = e.branch_code
            LEFT JOIN event_reviews r ON r.event_id = e.id
            WHERE {where} AND e.reverses IS NULL ORDER BY e.id DESC LIMIT ?""",
        params + [limit],
    )
    items, out = ItemLookup(store), []
    for event_id, day, mid, name, branch, code, points, count, note, status, reason, kind in rows:
        item = items.get(branch, day, code, kind)
        out.append({"id": event_id, "date": day, "member_id": mid, "member": name,
                    "item": item.name if item else code, "points": event_points(item, points, count),
                    "note": note or "", "status": status, "status_name": STATUS_NAMES[status],
                    "reason": reason or ""})
    return out


class ItemLookup:
    """Scheme items by (branch, date) for listing many events: one scheme lookup per
    distinct pair instead of one per row."""

    def __init__(self, store: Store):
        self.store = store
        self._schemes: dict[tuple[str, dt.date, str], Scheme] = {}

    def get(self, branch_code: str, day: dt.date, code: str, kind: str = "member") -> Item | None:
        """The item ``code`` of the scheme scoring subjects of ``kind`` (a household's item
        is its village scheme's)."""
        key = (branch_code, day, track_of_kind(kind))
        if key not in self._schemes:
            self._schemes[key] = scheme_for(self.store, branch_code, day, key[2])[0]
        return self._schemes[key].items.get(code)
