"""What a ``subject`` login (a member, or a household's head) may do: read its own account
and declare its own deeds (自我申报).

Every function takes the subject from the login's account row (``users.subject_id``), never
from a parameter, so no request can name another subject. Staff services refuse this role
(``core.auth.scope_for``); these are the only doors it has.
"""

from __future__ import annotations

import datetime as dt

from core import bounds
from core.auth import PermissionDenied, require
from core.auth.users import subject_of
from core.cycles import cycle_bounds, cycle_of
from core.evidence import check_photo, read_photo, save_photo
from core.io import exports
from core.scheme import Item, Scheme
from core.scheme_assignments import scheme_for, track_of_kind
from core.services.entry_rules import EntryError, MemberRow, check_date, member_row, require_active
from core.services.ledger import STATUS_NAMES, STATUS_SQL, ItemLookup, event_points, items_for, record_event
from core.services.member_summary import subject_summary
from core.store import Store

SOURCE = "declaration"


def own_subject(store: Store, user, action: str = "self") -> MemberRow:
    """The member or household behind ``user``'s login."""
    require(user, action)
    subject_id = subject_of(store, user.username)
    if subject_id is None:
        raise PermissionDenied("该账号没有关联积分对象，请联系村（社区）或支部重新开通")
    return member_row(store, subject_id)


def my_points(store: Store, user, today: dt.date | None = None) -> dict:
    """My score to date, grade or stars, rank in my branch among subjects of my track,
    balance and cumulative where the scheme has a 积分超市, and the explanation lines."""
    return subject_summary(store, own_subject(store, user), today)


def declarable(scheme: Scheme, kind: str) -> list[Item]:
    """The items a subject of ``kind`` may declare itself: none unless the scheme opens
    self-declaration; never a deduction or penalty (a 处罚 needs a collective decision)."""
    if not scheme.self_declare:
        return []
    return [i for i in items_for(scheme, kind) if (i.points if i.points is not None else i.max) > 0]


def declarable_items(store: Store, user, today: dt.date | None = None) -> tuple[Scheme, list[Item]]:
    """My scheme today and the items I may declare under it."""
    member = own_subject(store, user, "declare")
    scheme, _ = scheme_for(store, member.branch_code, today or dt.date.today(), track_of_kind(member.kind))
    return scheme, declarable(scheme, member.kind)


def declare(store: Store, user, item: str, date, points=None, count=1, note: str = "", photo: bytes | None = None,
            request_key: str | None = None, today: dt.date | None = None) -> int:
    """Record my declaration (待审核, source ``declaration``) with its photo, and return the
    event's id. It enters the review queue like any entry; nothing is written when refused."""
    member = own_subject(store, user, "declare")
    require_active(member)
    day = check_date(date, today)
    scheme, _ = scheme_for(store, member.branch_code, day, track_of_kind(member.kind))
    if not scheme.self_declare:
        raise EntryError(f"「{scheme.name}」未开放自我申报，请向记分员或网格员反映")
    # a deed of an earlier cycle is the branch's to record, not a late declaration's
    start = cycle_bounds(scheme.cycle_start, cycle_of(scheme.cycle_start, today or dt.date.today()))[0]
    if day < start:
        raise EntryError(f"只能申报本周期（{start:%Y-%m-%d} 起）发生的事项，{day:%Y-%m-%d} 的事项请向记分员反映")
    allowed = {i.code: i for i in declarable(scheme, member.kind)}
    if item not in allowed:
        name = scheme.items[item].name if isinstance(item, str) and item in scheme.items else item
        raise EntryError(f"项目「{name}」不能自行申报，请选择列表中的加分项目")
    if allowed[item].frequency != "per_unit" and count != 1:
        raise EntryError(f"「{allowed[item].name}」每次申报一次，做了几次请分别申报")
    note = bounds.text(note, "申报说明", required=True)
    data = bytes(photo) if isinstance(photo, (bytes, bytearray)) else photo
    digest, mime = check_photo(data)
    return record_event(store, user, member.id, item, day, points, count, note, request_key, None, today,
                        source=SOURCE, evidence=digest,
                        after_insert=lambda cur, _event_id: save_photo(cur, data, digest, mime, user.username))


def my_declarations(store: Store, user, limit: int = 50) -> list[dict]:
    """My declarations, newest first, with their status and, when rejected, the reason."""
    member = own_subject(store, user)
    rows = store.all(
        f"""SELECT e.id, e.date, e.branch_code, e.item, e.points, e.count, e.note, e.evidence,
                   {STATUS_SQL} AS status, r.reason
            FROM events e LEFT JOIN event_reviews r ON r.event_id = e.id
            WHERE e.member_id = ? AND e.source = ? AND e.reverses IS NULL ORDER BY e.id DESC LIMIT ?""",
        [member.id, SOURCE, limit])
    items, out = ItemLookup(store), []
    for event_id, day, branch, code, points, count, note, evidence, status, reason in rows:
        item = items.get(branch, day, code, member.kind)
        out.append({"id": event_id, "date": day, "item": item.name if item else code,
                    "points": event_points(item, points, count), "note": note or "", "has_photo": bool(evidence),
                    "status": status, "status_name": STATUS_NAMES[status], "reason": reason or ""})
    return out


def my_photo(store: Store, user, event_id: int) -> tuple[bytes, str] | None:
    """The photo of one of my own declarations (another subject's is refused)."""
    member = own_subject(store, user)
    row = store.one("SELECT member_id, evidence FROM events WHERE id = ?", [bounds.record_id(event_id)])
    if row is None or row[0] != member.id:
        raise EntryError(f"未找到本人的申报记录 {event_id}")
    return read_photo(store, row[1])


def my_card(store: Store, user, today: dt.date | None = None) -> bytes:
    """My 积分卡 for the running cycle, as PDF bytes."""
    member, track, cycle = _my_cycle(store, user, today)
    return exports.card_bytes(store, member.branch_code, cycle, "cycle", member.id, today=today, track=track)


def my_card_name(store: Store, user, today: dt.date | None = None) -> str:
    """What my 积分卡 is saved as: '王庄村党支部_2025_张三_积分卡.pdf'."""
    member, _, cycle = _my_cycle(store, user, today)
    return exports.file_name(store, "card", member.branch_code, cycle, None, member.id)


def _my_cycle(store: Store, user, today: dt.date | None) -> tuple[MemberRow, str, int]:
    member = own_subject(store, user)
    track = track_of_kind(member.kind)
    today = today or dt.date.today()
    scheme, _ = scheme_for(store, member.branch_code, today, track)
    return member, track, cycle_of(scheme.cycle_start, today)
