"""Which organisations are volunteer work stations, and who their volunteers are."""

from __future__ import annotations

import datetime as dt

from core import audit, bounds
from core.auth import PermissionDenied, Scope, can, scope_for
from core.orgs import labels
from core.services.entry_rules import EntryError
from core.store import Store
from core.volunteers import KIND, TRACK


def stations(store: Store, scope: Scope) -> list[tuple[str, str]]:
    """(code, label) of the branches in scope that run a volunteer scheme (assigned to them
    or to an organisation above them), in tree order."""
    where, params = scope.sql("o")
    codes = [r[0] for r in store.all(
        f"SELECT o.code FROM orgs o WHERE {where} AND o.level = 'branch' AND coalesce(o.active, true)"
        " AND EXISTS (SELECT 1 FROM scheme_assignments a JOIN orgs p ON p.code = a.org_code"
        "   WHERE coalesce(a.track, 'party') = ? AND starts_with(o.path, p.path))"
        " ORDER BY o.path", params + [TRACK])]
    shown = labels(store, codes)
    return [(code, shown[code]) for code in codes]


def check_station(store: Store, scope: Scope, code: str) -> str:
    """``code`` if it is a work station in scope, else a refusal naming it."""
    if not isinstance(code, str) or code not in dict(stations(store, scope)):
        raise EntryError(f"{code} 不是您管辖范围内的党员义工工作站")
    return code


def volunteers(store: Store, station: str, on: dt.date | None = None) -> list[dict]:
    """The station's volunteers (not transferred or deceased), by name: id, name, the date
    they were registered (approved_on), status. With ``on``, only those registered by then
    (or with no registration date)."""
    rows = store.all(
        "SELECT id, name, approved_on, status FROM members WHERE branch_code = ? AND kind = ?"
        " AND status NOT IN ('transferred', 'deceased') AND (CAST(? AS DATE) IS NULL OR approved_on IS NULL"
        " OR approved_on <= ?) ORDER BY name COLLATE zh, id",
        [station, KIND, on, on])
    return [{"id": r[0], "name": r[1], "approved_on": r[2], "status": r[3]} for r in rows]


def set_registered(store: Store, user, volunteer_id: str, day: dt.date, today: dt.date | None = None) -> None:
    """Set the date a volunteer was registered (``approved_on``): counting starts then, so
    moving it changes points. The station's secretary (who approves its records), a township
    official or an admin; audited with the old and the new date."""
    if not (can(user.role, "review") or can(user.role, "manage_orgs")):
        raise PermissionDenied("只有支部书记、乡镇组织委员和管理员可以修改义工登记日期")
    scope = scope_for(store, user)
    scope.check_member(store, volunteer_id)
    row = store.one("SELECT name, kind, branch_code, approved_on FROM members WHERE id = ?", [volunteer_id])
    if row[1] != KIND:
        raise EntryError(f"{row[0]} 不是登记的党员义工")
    day = bounds.day(day, "登记日期", today=today)

    def work(cur) -> None:
        cur.execute("UPDATE members SET approved_on = ? WHERE id = ?", [day, volunteer_id]).fetchall()
        audit.record(cur, user.username, "subject.update", entity="member", entity_id=volunteer_id,
                     org_code=row[2], member_id=volunteer_id, before={"approved_on": row[3]},
                     after={"approved_on": day})

    store.write(work)
