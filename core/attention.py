"""首页待办: what needs the user's attention today, per role and scope.

Each item names the page that deals with it and the branch, cycle and period it is about
(query parameters the page's pickers start from), so a link lands where the item is
explained: a 公示 on its own window, "31 天未录入" on that branch's 覆盖情况.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core import orgs
from core.auth import can
from core.auth.scope import Scope
from core.cycles import period_label
from core.metrics.alerts import Alert, stale
from core.metrics.filters import default_filter
from core.results_use.todos import case_todos
from core.scheme_assignments import resolve_scheme
from core.services.ledger import STATUS_SQL
from core.services.objections import overdue_objections
from core.scheme_assignments import scheme_for_cycle
from core.services.publicity import get_publicity
from core.services.reminders import open_reminders, reminder_text
from core.services.review_chain import returned_results, township_queue
from core.services.review_steps import EXCHANGE, latest
from core.store import Store

REJECTION_DAYS = 30  # a recorder is reminded of rejections this recent
REVIEW_URGENT_DAYS = 7  # a result waiting this long for the township is urgent on its 首页

# The page that explains each dashboard alert (core.metrics.alerts.RULE_NAMES): no entries
# and back-filling show on the branch × month coverage (so do records waiting for review: a township
# may not open the review queue), grades and quotas on the results.
ALERT_PAGES = {"stale": "coverage", "objection": "publicity", "quota": "results", "uniform": "distribution",
               "burst": "coverage", "late": "coverage", "distribution": "results", "skipped": "results",
               "disposal": "results_use", "unpublished": "publicity", "review_overdue": "coverage"}


@dataclass(frozen=True)
class Link:
    page: str  # the page key (ui.registry)
    params: dict = field(default_factory=dict)  # branch / cycle / period the page starts on


@dataclass(frozen=True)
class Todo:
    page: str  # the page key that deals with it
    text: str
    urgent: bool = False
    params: dict = field(default_factory=dict)  # as Link.params


def alert_link(alert: Alert, cycle: int) -> Link:
    """Where a dashboard alert is explained: its branch on the page of its rule; the results
    of the filter's ``cycle`` for grade and quota alerts; a 公示 on its open window."""
    params = {"branch": alert.branch}
    page = ALERT_PAGES.get(alert.rule, "coverage")
    if page == "results":
        params |= {"cycle": str(cycle), "period": "cycle"}
    return Link(page, params)


def todos(store: Store, user, scope: Scope, today: dt.date | None = None) -> list[Todo]:
    today = today or dt.date.today()
    where, params = scope.sql("o")
    items: list[Todo] = []
    if can(user.role, "review"):
        waiting = dict(store.all(
            f"SELECT e.branch_code, count(*) FROM events e JOIN orgs o ON o.code = e.branch_code"
            f" LEFT JOIN event_reviews r ON r.event_id = e.id WHERE {where} AND {STATUS_SQL} = 'entered'"
            f" GROUP BY e.branch_code", params))
        if waiting:  # all in one branch: the link opens that branch's queue
            there = {"branch": next(iter(waiting))} if len(waiting) == 1 else {}
            items.append(Todo("review", f"{sum(waiting.values())} 条积分记录待审核", params=there))
    if user.role == "recorder":
        rejected = store.scalar(
            "SELECT count(*) FROM events e JOIN event_reviews r ON r.event_id = e.id"
            " WHERE e.entered_by = ? AND r.decision = 'rejected' AND r.reviewed_at >= ?",
            [user.username, today - dt.timedelta(days=REJECTION_DAYS)])
        if rejected:
            items.append(Todo("quick_entry", f"近{REJECTION_DAYS}天有 {rejected} 条录入被驳回，请查看原因后重新录入", True))
    if can(user.role, "publish") or can(user.role, "reopen"):
        items += _publicity_todos(store, user, scope, today)
    items += _chain_todos(store, user, scope, today)
    if can(user.role, "results_use"):  # 处置 cases: overdue 整改, steps waiting for this role
        items += [Todo("results_use", text, urgent, params) for text, urgent, params in case_todos(store, user, scope, today)]
    if can(user.role, "dashboards") and user.role != "secretary":
        alerts = stale(store, scope, default_filter(today))
        shown = orgs.labels(store, [a.branch for a in alerts])
        items += [Todo(link.page, f"{shown.get(a.branch, a.name)}{a.message}，建议走访督促", True, link.params)
                  for a in alerts for link in [alert_link(a, default_filter(today).cycle)]]
    return sorted(items, key=lambda t: not t.urgent)


def _publicity_todos(store: Store, user, scope: Scope, today: dt.date) -> list[Todo]:
    where, params = scope.sql("o")
    items: list[Todo] = []
    rows = store.all(
        f"""SELECT o.code, p.scheme_id, p.cycle, p.period, p.start_date, p.end_date, coalesce(p.track, 'party'),
                   (SELECT count(*) FROM objections x WHERE x.publicity_id = p.id AND x.state = 'open')
            FROM publicity p JOIN orgs o ON o.code = p.branch_code
            WHERE {where} AND p.state = 'open' ORDER BY p.end_date, o.path""", params)
    names = orgs.labels(store, [r[0] for r in rows])
    for code, scheme_id, cycle, period, start, end, track, open_objections in rows:
        label = f"{names[code]}{period_label(resolve_scheme(scheme_id, None), cycle, period)}公示"
        there = {"branch": code, "cycle": str(cycle), "period": period}
        if today < start:
            items.append(Todo("publicity", f"{label}将于 {start:%Y-%m-%d} 开始", params=there))
        elif today <= end:
            extra = f"，{open_objections} 条异议待办结" if open_objections else ""
            items.append(Todo("publicity", f"{label}进行中，至 {end:%Y-%m-%d}（剩 {(end - today).days + 1} 天）{extra}",
                              params=there))
        elif open_objections:
            items.append(Todo("publicity", f"{label}已结束，还有 {open_objections} 条异议未办结，办结后才能归档", True,
                              there))
        elif can(user.role, "finalise"):
            workflow = resolve_scheme(scheme_id, None).workflow
            items.append(Todo("publicity", _closed_text(store, label, code, cycle, period, track, workflow),
                              params=there))
    for obj in overdue_objections(store, scope, today):
        pub = get_publicity(store, obj.publicity_id)
        items.append(Todo("publicity", f"异议逾期：{obj.member_name}（{obj.objector}提出），办理期限 {obj.deadline:%Y-%m-%d}",
                          True, {"branch": pub.branch_code, "cycle": str(pub.cycle), "period": pub.period}))
    return items


def _closed_text(store: Store, label: str, code: str, cycle: int, period: str, track: str, workflow) -> str:
    """A closed 公示 without open objections: archive it, or first send it up (上级审核). Read
    from the steps alone: the live results are the publicity page's to compare."""
    if not workflow.needs_township(period):
        return f"{label}已结束，可以确认归档"
    last = latest(store, code, cycle, period, track, EXCHANGE)
    if last is None or last.outcome == "returned":
        return f"{label}已结束，可以报送乡镇审核"
    if last.outcome == "submitted":
        return f"{label}已结束，已于 {last.made_at:%Y-%m-%d} 报送，等待乡镇党委审核"
    return f"{label}已结束，乡镇党委已审核通过，可以确认归档"


def _chain_todos(store: Store, user, scope: Scope, today: dt.date) -> list[Todo]:
    """上级审核 and 催办: results waiting for the township; for a branch, a returned result
    with its reason and the township's reminders."""
    items: list[Todo] = []
    if can(user.role, "township_review"):
        for w in township_queue(store, scope, today):
            items.append(Todo("township_review", f"{w.branch_name}{w.label}结果已报送 {w.days} 天，待乡镇党委审核",
                              w.days >= REVIEW_URGENT_DAYS,
                              {"branch": w.branch_code, "cycle": str(w.cycle), "period": w.period}))
    if can(user.role, "finalise"):
        returned = returned_results(store, scope)
        names = orgs.labels(store, [r.branch_code for r in returned])
        for r in returned:
            label = period_label(scheme_for_cycle(store, r.branch_code, r.cycle, track=r.track)[0], r.cycle, r.period)
            items.append(Todo("publicity", f"{names[r.branch_code]}{label}结果被乡镇党委退回（{r.made_at:%Y-%m-%d}）："
                              f"{r.reason}；请更正后重新报送", True,
                              {"branch": r.branch_code, "cycle": str(r.cycle), "period": r.period}))
        for rem in open_reminders(store, scope):
            items.append(Todo("publicity", reminder_text(store, rem), True, {"branch": rem.branch_code}))
    return items
