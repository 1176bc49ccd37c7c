"""Which organisations are volunteer work stations, and who their volunteers are."""

from __future__ import annotations

import datetime as dt

from core.auth import Scope
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
