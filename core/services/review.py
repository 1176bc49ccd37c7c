"""审核: approve or reject entered events, one or many at once, all or nothing.

A review is a row in ``event_reviews`` keyed by the event, so an event is reviewed once;
the state is re-read inside the write transaction, so two reviewers clicking at the same
moment cannot both succeed.
"""

from __future__ import annotations

import datetime as dt

from core import audit, bounds
from core.auth import require, scope_for
from core.members import search_clause
from core.orgs import labels
from core.scheme_assignments import track_of_kind
from core.services.entry_rules import EntryError, check_unlocked
from core.services.ledger import STATUS_NAMES, STATUS_SQL, ItemLookup, event_points
from core.services.rollups import refresh_effective
from core.store import Store
from core.store.locks import lock_rows


def approve(store: Store, user, event_ids: list[int], branch_code: str | None = None) -> int:
    """Approve every event in ``event_ids``; returns how many were approved. With
    ``branch_code`` (the branch the page shows), every event must be that branch's."""
    return _review(store, user, event_ids, "approved", None, branch_code)


def reject(store: Store, user, event_ids: list[int], reason: str, branch_code: str | None = None) -> int:
    """Reject every event in ``event_ids`` with ``reason`` (required, shown to the recorder)."""
    reason = bounds.text(reason, "驳回理由")
    if not reason:
        raise EntryError("驳回必须填写理由")
    return _review(store, user, event_ids, "rejected", reason, branch_code)


def _review(store: Store, user, event_ids, decision: str, reason: str | None, branch_code: str | None) -> int:
    require(user, "review")
    if isinstance(event_ids, (str, bytes)) or not hasattr(event_ids, "__iter__"):
        raise EntryError("积分记录编号应为数字")
    ids = list(dict.fromkeys(bounds.record_id(i) for i in event_ids))
    if not ids:
        raise EntryError("请先勾选要审核的记录")
    marks = ", ".join("?" for _ in ids)
    events = store.all(f"SELECT e.id, e.branch_code, e.date, e.item, m.kind FROM events e"
                       f" LEFT JOIN members m ON m.id = e.member_id WHERE e.id IN ({marks})", ids)
    branches = sorted({r[1] for r in events})
    scope = scope_for(store, user)
    for branch in branches:
        scope.check_org(store, branch)
    if branch_code is not None and set(branches) - {branch_code}:
        # A batch is decided for the branch on screen; a record of another branch in it means
        # the page and the request disagree (e.g. a stale selection), so nothing is reviewed.
        shown = labels(store, [branch_code]).get(branch_code, branch_code)
        others = "、".join(labels(store, sorted(set(branches) - {branch_code})).values())
        raise EntryError(f"所选记录中有不属于「{shown}」的记录（{others}），本次未作任何审核，请刷新页面后重试")
    # Items are looked up before the write: an event's branch, date and item never change, and
    # a lookup inside it would take a second pooled connection on a server (eight reviewers
    # each holding one and waiting for another would starve the pool).
    lookup = ItemLookup(store)
    items = {event_id: lookup.get(branch, day, code, kind or "member") for event_id, branch, day, code, kind in events}

    def work(cur) -> int:
        lock_rows(cur, "events", ids)  # a reversal racing this approval waits, then is judged on it
        rows = cur.execute(
            f"""SELECT e.id, e.member_id, m.name, e.branch_code, e.item, e.date, e.points, e.count,
                       {STATUS_SQL} AS status, m.kind
                FROM events e JOIN members m ON m.id = e.member_id
                LEFT JOIN event_reviews r ON r.event_id = e.id WHERE e.id IN ({marks})""", ids).fetchall()
        found = {r[0]: r for r in rows}
        for event_id in ids:
            if event_id not in found:
                raise EntryError(f"未找到积分记录 {event_id}")
            _, member_id, name, branch, code, day, points, count, status, kind = found[event_id]
            item = items[event_id]
            what = f"{name} {day:%Y-%m-%d}「{item.name if item else code}」"
            if status == "reversal":
                raise EntryError(f"{what}是撤销记录，立即生效，无需审核")
            if status != "entered":
                raise EntryError(f"{what}{STATUS_NAMES[status]}，不能再审核")
            check_unlocked(cur, branch, day, track=track_of_kind(kind))
            cur.execute("INSERT INTO event_reviews(event_id, decision, reason, reviewed_by) VALUES (?, ?, ?, ?)",
                        [event_id, decision, reason, user.username]).fetchall()
            audit.record(cur, user.username, f"event.{'approve' if decision == 'approved' else 'reject'}",
                         entity="event", entity_id=event_id, org_code=branch, member_id=member_id,
                         before={"status": "entered"},
                         after={"status": decision, "points": event_points(item, points, count)}, reason=reason)
        refresh_effective(cur, ids)  # an approval makes them count, in the same transaction
        return len(ids)

    return store.write(work)


def review_queue(store: Store, user, *, branch_code: str | None = None, member_query: str = "",
                 item: str | None = None, start: dt.date | None = None, end: dt.date | None = None,
                 entered_by: str | None = None, status: str | None = "entered", limit: int = 500,
                 track: str | None = None) -> list[dict]:
    """Events in the user's scope matching the filters, oldest first (reversal rows excluded);
    with ``track``, only its subjects' (a village's households reviewed month by month)."""
    scope = scope_for(store, user)
    where, params = scope.sql("o")
    clause, qparams = search_clause(member_query)
    where += clause
    params += qparams
    for clause, value in (("e.branch_code = ?", branch_code), ("e.item = ?", item), ("e.date >= ?", start),
                          ("e.date <= ?", end), ("e.entered_by = ?", entered_by)):
        if value:
            where += f" AND {clause}"
            params.append(value)
    if track is not None:
        from core.services.village import kinds_of  # village reads results, which read the ledger

        where += " AND coalesce(m.kind, 'member') = ANY(?)"
        params.append(kinds_of(track))
    status_filter = ""
    if status:
        status_filter = "WHERE status = ?"
        params.append(status)
    rows = store.all(
        f"""SELECT * FROM (
              SELECT e.id, e.date, e.member_id, m.name, e.branch_code, e.item, e.points, e.count, e.note,
                     e.entered_by, coalesce(u.display_name, e.entered_by), e.entered_at, e.source,
                     {STATUS_SQL} AS status, r.reason, m.kind
              FROM events e JOIN members m ON m.id = e.member_id JOIN orgs o ON o.code = e.branch_code
              LEFT JOIN event_reviews r ON r.event_id = e.id LEFT JOIN users u ON u.username = e.entered_by
              WHERE {where} AND e.reverses IS NULL) q {status_filter}
            ORDER BY date, id LIMIT ?""",
        params + [limit],
    )
    items, out = ItemLookup(store), []
    for event_id, day, mid, name, branch, code, points, count, note, by, by_name, at, source, state, why, kind in rows:
        entry = items.get(branch, day, code, kind or "member")
        out.append({"id": event_id, "date": day, "member_id": mid, "member": name, "item_code": code,
                    "item": entry.name if entry else code, "points": event_points(entry, points, count),
                    "note": note or "", "entered_by": by, "entered_by_name": by_name, "entered_at": at, "source": source,
                    "status": state, "status_name": STATUS_NAMES[state], "reason": why or ""})
    return out
