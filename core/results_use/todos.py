"""首页待办 for 处置 cases: overdue 整改 for every role that sees 结果运用, the steps waiting for
the branch (谈心谈话, 整改计划, a probationary member's recommendation) for the secretary, and
the recommendations waiting for the Party committee for the township. core.attention wraps
each (text, urgent, link parameters) as its Todo."""

from __future__ import annotations

import datetime as dt

from core import orgs
from core.auth import can
from core.results_use.cases import overdue_by_branch, waiting
from core.store import Store


def case_todos(store: Store, user, scope, today: dt.date) -> list[tuple[str, bool, dict]]:
    overdue = overdue_by_branch(store, scope, today)
    decide = waiting(store, scope, ("recommended",)) if can(user.role, "decide_disposal") else {}
    handle = waiting(store, scope, ("open", "talked")) if can(user.role, "recommend_disposal") else {}
    names = orgs.labels(store, [*overdue, *decide, *handle])
    items = [(f"{names[b]}：{len(cases)} 名党员整改转化期已满、尚未作出处置决定（{'、'.join(c.name for c in cases)}），"
              f"最长已逾期 {max(c.overdue_days(today) for c in cases)} 天", True, {"branch": b})
             for b, cases in overdue.items()]
    items += [(f"{names[b]}：{n} 件处置建议待党委决定", False, {"branch": b}) for b, n in decide.items()]
    items += [(f"{names[b]}：{n} 件处置案件待支部办理（谈心谈话、整改计划或支部建议）", False, {"branch": b})
              for b, n in handle.items()]
    return items
