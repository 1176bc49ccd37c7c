"""首页待办: what needs the user's attention today, per role and scope.

Each item names the page that deals with it, so the home page can link straight there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.auth import can
from core.auth.scope import Scope
from core.metrics.alerts import stale
from core.metrics.filters import default_filter
from core.services.entry_rules import period_label
from core.services.ledger import STATUS_SQL
from core.services.objections import overdue_objections
from core.store import Store

REJECTION_DAYS = 30  # a recorder is reminded of rejections this recent


@dataclass(frozen=True)
class Todo:
    page: str  # the page key that deals with it
    text: str
    urgent: bool = False


def todos(store: Store, user, scope: Scope, today: dt.date | None = None) -> list[Todo]:
    today = today or dt.date.today()
    where, params = scope.sql("o")
    items: list[Todo] = []
    if can(user.role, "review"):
        pending = store.scalar(
            f"SELECT count(*) FROM events e JOIN orgs o ON o.code = e.branch_code"
            f" LEFT JOIN event_reviews r ON r.event_id = e.id WHERE {where} AND {STATUS_SQL} = 'entered'", params)
        if pending:
            items.append(Todo("review", f"{pending} 条积分记录待审核"))
    if user.role == "recorder":
        rejected = store.scalar(
            "SELECT count(*) FROM events e JOIN event_reviews r ON r.event_id = e.id"
            " WHERE e.entered_by = ? AND r.decision = 'rejected' AND r.reviewed_at >= ?",
            [user.username, today - dt.timedelta(days=REJECTION_DAYS)])
        if rejected:
            items.append(Todo("quick_entry", f"近{REJECTION_DAYS}天有 {rejected} 条录入被驳回，请查看原因后重新录入", True))
    if can(user.role, "publish") or can(user.role, "reopen"):
        items += _publicity_todos(store, user, scope, today)
    if can(user.role, "dashboards") and user.role != "secretary":
        items += [Todo("overview", f"{a.name}{a.message}，建议走访督促", True)
                  for a in stale(store, scope, default_filter(today))]
    return sorted(items, key=lambda t: not t.urgent)


def _publicity_todos(store: Store, user, scope: Scope, today: dt.date) -> list[Todo]:
    where, params = scope.sql("o")
    items: list[Todo] = []
    for name, cycle, period, start, end, open_objections in store.all(
            f"""SELECT o.name, p.cycle, p.period, p.start_date, p.end_date,
                       (SELECT count(*) FROM objections x WHERE x.publicity_id = p.id AND x.state = 'open')
                FROM publicity p JOIN orgs o ON o.code = p.branch_code
                WHERE {where} AND p.state = 'open' ORDER BY p.end_date, o.path""", params):
        label = f"{name}{period_label(cycle, period)}公示"
        if today < start:
            items.append(Todo("publicity", f"{label}将于 {start:%Y-%m-%d} 开始"))
        elif today <= end:
            extra = f"，{open_objections} 条异议待办结" if open_objections else ""
            items.append(Todo("publicity", f"{label}进行中，至 {end:%Y-%m-%d}（剩 {(end - today).days + 1} 天）{extra}"))
        elif open_objections:
            items.append(Todo("publicity", f"{label}已结束，还有 {open_objections} 条异议未办结，办结后才能归档", True))
        elif can(user.role, "finalise"):
            items.append(Todo("publicity", f"{label}已结束，可以确认归档"))
    for obj in overdue_objections(store, scope, today):
        items.append(Todo("publicity", f"异议逾期：{obj.member_name}（{obj.objector}提出），办理期限 {obj.deadline:%Y-%m-%d}", True))
    return items
