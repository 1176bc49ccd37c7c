"""Demo 参与率目标: the first township sets 党员 100% and 户 50%, and its first village (the
示范村, whose households the village demo fills) carries its own 户 70%, so 总览 shows the
branches below target. Set through core.targets as the township's own login (audited)."""

from __future__ import annotations

import datetime as dt

from core.auth.users import get_user
from core.store import Store
from core.targets import set_target


def generate(store: Store, seed: int, size: str, today: dt.date, say) -> dict[str, int]:
    say("参与率目标")
    township = store.scalar("SELECT code FROM orgs WHERE level = 'township' ORDER BY path LIMIT 1")
    user = get_user(store, "zhen01")
    if township is None or user is None:
        return {"targets": 0}
    village = store.scalar("SELECT m.branch_code FROM members m JOIN orgs o ON o.code = m.branch_code"
                           " WHERE o.township_code = ? AND m.kind = ANY(?) ORDER BY o.path LIMIT 1",
                           [township, ["household", "family"]])
    targets = [(township, "member", 100), (township, "household", 50)]
    targets += [(village, "household", 70)] if village else []
    for org, kind, percent in targets:
        set_target(store, user, org, kind, percent)
    return {"targets": len(targets)}
