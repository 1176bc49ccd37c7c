"""The township's alert list. Each rule names its threshold here (and in docs/dashboards.md)
and yields alerts of the same shape: rule, branch, branch name, message."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from core.auth.scope import Scope
from core.metrics import scores
from core.metrics.activity import entries
from core.metrics.at_once import at_once
from core.metrics.filters import Filter, branch_codes, branch_where, cycle_name
from core.metrics.group_eval import SKIPPED
from core.results_use.cases import overdue_by_branch
from core.cycles import cycle_of, month_end, period_name, quarter_of
from core.scheme import load_scheme
from core.scheme_assignments import TRACKS, Assignments, track_of_kind
from core.services.rollups import BURST_DAYS, LATE_DAYS  # the month's last days, entered this late (突击补录)
from core.services.objections import overdue_objections
from core.store import Store

STALE_DAYS = 30  # no entries for this many days
UNIFORM_STD = 0.5  # a branch's totals vary less than this, or ...
UNIFORM_SHARE = 0.8  # ... this share of its members have exactly the same total,
TOWNSHIP_STD = 3.0  # while the totals across the selection vary at least this much (形式主义)
UNIFORM_MIN_MEMBERS = 5
BURST_SHARE = 0.6  # share of a month's events entered in its last days
LATE_SHARE = 0.2
MIN_EVENTS = 20  # a month with fewer events raises no back-filling alert
QUOTA_FLAG, QUOTA_TIE = "quota_capped", "quota_tie"
LOOSE_SHARE = 50  # % of a branch dropped by the quota: far more reached the top grade than allowed
PUBLISH_GRACE_DAYS = 5  # a quarter's 公示 is due this many days after it ends (一季一公示) ...
PUBLISH_LOOKBACK_DAYS = 92  # ... for the last quarter that ended (older ones are the 覆盖情况 history)

RULE_NAMES = {"stale": "长期未录入", "objection": "异议逾期未答复", "quota": "超出比例限制", "uniform": "评分雷同（形式主义）",
              "burst": "月底突击补录", "late": "集中补录", "distribution": "等次分布预警", "skipped": "数据无法计分",
              "unpublished": "季度未公示", "review_overdue": "超期未审核",
              "disposal": "整改逾期"}


@dataclass(frozen=True)
class Alert:
    rule: str
    branch: str
    name: str
    message: str

    @property
    def rule_name(self) -> str:
        return RULE_NAMES[self.rule]


@lru_cache(maxsize=64)
def _warning_codes(scheme_id: str) -> frozenset[str]:
    return frozenset(w.code for w in load_scheme(scheme_id).branch_warnings)


def _names(store: Store, scope: Scope, flt: Filter) -> dict[str, str]:
    where, params = branch_where(scope, flt)
    return dict(store.all(f"SELECT b.code, b.name FROM orgs b WHERE {where}", params))


def stale(store: Store, scope: Scope, flt: Filter) -> list[Alert]:
    frame = entries(store, scope, flt)
    late = frame.filter(pl.col("days_since").is_null() | (pl.col("days_since") > STALE_DAYS))
    return [Alert("stale", r["branch"], r["name"],
                  "从未录入积分" if r["days_since"] is None else f"已 {r['days_since']} 天未录入积分（最近 {r['last_entry']:%Y-%m-%d}）")
            for r in late.iter_rows(named=True)]


def objections(store: Store, scope: Scope, flt: Filter, names: dict[str, str]) -> list[Alert]:
    by_branch: dict[str, list] = {}
    for obj in overdue_objections(store, scope, flt.today):
        branch = store.scalar("SELECT branch_code FROM publicity WHERE id = ?", [obj.publicity_id])
        if branch in names:
            by_branch.setdefault(branch, []).append(obj)
    return [Alert("objection", b, names[b], f"{len(objs)} 条异议已超过答复期限（最早 {min(o.deadline for o in objs):%Y-%m-%d}）")
            for b, objs in sorted(by_branch.items())]


def disposals(store: Store, scope: Scope, flt: Filter, names: dict[str, str]) -> list[Alert]:
    """处置 cases whose six-month 转化期 has ended with no Party committee decision
    (core.results_use.cases)."""
    return [Alert("disposal", b, names[b], f"{len(cases)} 名党员整改转化期已满、尚未作出处置决定（{'、'.join(c.name for c in cases)}，"
                  f"最长已逾期 {max(c.overdue_days(flt.today) for c in cases)} 天）")
            for b, cases in overdue_by_branch(store, scope, flt.today).items() if b in names]


def unpublished(store: Store, scope: Scope, flt: Filter, names: dict[str, str],
                assignments: dict[str, Assignments] | None = None) -> list[Alert]:
    """Quarters of a scheme that publishes quarters (一季一公示), ended more than
    PUBLISH_GRACE_DAYS ago (at most PUBLISH_LOOKBACK_DAYS ago: the last one), with no 公示 of that
    quarter ever opened for the branch and track; the scheme is the one in force at the quarter's
    end. Every cycle starts on a month's first day, so its quarters end where calendar quarters
    do: only those dates are looked at."""
    today = flt.today
    ends = sorted({end for back in range(PUBLISH_GRACE_DAYS + 1, PUBLISH_LOOKBACK_DAYS + 1)
                   for end in [today - dt.timedelta(days=back)] if end.month % 3 == 0 and end == month_end(end)})
    opened = {tuple(r) for r in store.all(
        "SELECT branch_code, cycle, period, coalesce(track, 'party') FROM publicity WHERE branch_code = ANY(?)",
        [sorted(names)])}
    out: list[Alert] = []
    # every branch's assignments of a track in one query (a lookup per branch, track and
    # quarter end took 4 s on DuckDB at M)
    if assignments is None:
        assignments = _assignments(store, names) if ends else {}
    for branch in sorted(names):
        for track in TRACKS:
            for end in ends:
                found = assignments[track].on(branch, end)
                if found is None:
                    continue
                scheme = found[0]
                cycle, quarter = cycle_of(scheme.cycle_start, end), quarter_of(scheme.cycle_start, end)
                if quarter not in scheme.publish_periods or (branch, cycle, quarter, track) in opened:
                    continue
                who = "" if track == "party" else f"（{TRACKS[track]}）"
                out.append(Alert("unpublished", branch, names[branch],
                                 f"{cycle_name([scheme.cycle_start], cycle, dates=False)}{period_name(scheme, cycle, quarter)}"
                                 f"{who}已于 {end:%Y-%m-%d} 结束，{(today - end).days} 天未发起公示"))
    return out


def review_overdue(store: Store, scope: Scope, flt: Filter, names: dict[str, str],
                   assignments: dict[str, Assignments] | None = None) -> list[Alert]:
    """Records still waiting for review (待审核) longer than the scheme's
    ``[workflow] review_interval_days`` (一月一审核); a scheme without an interval raises none."""
    where, params = branch_where(scope, flt, "o")
    upto = dt.datetime.combine(flt.today + dt.timedelta(days=1), dt.time())
    # the waiting ones from the ``pending_events`` rollup (kept by every write), with their
    # member and entry time: finding them among all events by review and reversal took 5.3 s
    # on PostgreSQL at M, looking up their 32k events 0.1 s
    rows = store.all(
        f"SELECT p.branch_code, coalesce(m.kind, 'member'), CAST(p.entered_at AS DATE), count(*)"
        f" FROM pending_events p JOIN orgs o ON o.code = p.branch_code LEFT JOIN members m ON m.id = p.member_id"
        f" WHERE {where} AND p.entered_at < ?"
        f" GROUP BY p.branch_code, coalesce(m.kind, 'member'), CAST(p.entered_at AS DATE)", params + [upto])
    if assignments is None:  # the waiting records' branches and tracks only
        assignments = _assignments(store, {r[0] for r in rows}, {track_of_kind(r[1]) for r in rows})
    intervals: dict[tuple[str, str], int | None] = {}
    late: dict[tuple[str, int], list] = {}
    for branch, kind, day, n in rows:
        key = (branch, track_of_kind(kind))
        if key not in intervals:
            found = assignments[key[1]].on(branch, flt.today)
            intervals[key] = found[0].workflow.review_interval_days if found else None
        interval = intervals[key]
        if interval is not None and (flt.today - day).days > interval:
            late.setdefault((branch, interval), []).append((day, n))
    return [Alert("review_overdue", b, names.get(b, b),
                  f"{sum(n for _, n in days)} 条积分记录待审核已超过 {interval} 天（最早 {min(d for d, _ in days):%Y-%m-%d} 录入）")
            for (b, interval), days in sorted(late.items())]


def from_results(res: pl.DataFrame, warn: pl.DataFrame, names: dict[str, str]) -> list[Alert]:
    """Quota breaches, uniform totals, scheme branch warnings and rows the engine refused."""
    out: list[Alert] = []
    # The engine enforces quotas, so capping itself is routine; the township hears of a
    # branch where more members reached the line than the quota let through (grading far too
    # loose), or where a tie on the line leaves the decision to the branch committee.
    reached = (res.filter(pl.col("flags").list.contains(QUOTA_FLAG)).group_by("branch").len(name="capped")
               .join(res.group_by("branch").agg(n=pl.len()), on="branch", how="left"))
    ties = set(warn.filter(pl.col("code") == QUOTA_TIE)["branch"].to_list())
    loose = {r["branch"]: r["capped"] for r in reached.iter_rows(named=True) if r["capped"] * 100 > LOOSE_SHARE * r["n"]}
    for branch in sorted(set(loose) | ties):
        what = [f"{loose[branch]} 人超出优秀比例被降档（超过参评人数的{LOOSE_SHARE}%）"] if branch in loose else []
        what += ["名额线上有并列，需支委会研究决定"] if branch in ties else []
        out.append(Alert("quota", branch, names.get(branch, branch), "；".join(what)))
    totals = res.filter(pl.col("total").is_not_null())
    overall = totals["total"].std() if totals.height > 1 else None
    if overall is not None and overall >= TOWNSHIP_STD:
        modal = (totals.group_by("branch", "total").len()
                 .sort(["branch", "len", "total"], descending=[False, True, True])
                 .group_by("branch", maintain_order=True).first()
                 .join(totals.group_by("branch").agg(n=pl.len(), std=pl.col("total").std()), on="branch"))
        flat = modal.filter((pl.col("n") >= UNIFORM_MIN_MEMBERS)
                            & ((pl.col("std") < UNIFORM_STD) | (pl.col("len") >= UNIFORM_SHARE * pl.col("n"))))
        for r in flat.iter_rows(named=True):
            out.append(Alert("uniform", r["branch"], names.get(r["branch"], r["branch"]),
                             f"{r['len']}/{r['n']} 名党员总分同为 {r['total']:.1f} 分（全部党员总分标准差 {overall:.1f}）"))
    for r in warn.sort("branch").iter_rows(named=True):
        if r["code"] in _warning_codes(r["scheme"]):
            out.append(Alert("distribution", r["branch"], names.get(r["branch"], r["branch"]), r["message"]))
        elif r["code"] == SKIPPED:
            out.append(Alert("skipped", r["branch"], names.get(r["branch"], r["branch"]), r["message"]))
    return out


def backfill(store: Store, scope: Scope, flt: Filter, months: int = 3) -> list[Alert]:
    """突击补录 over the last ``months`` complete months: most of a month's events entered in
    its last 3 days, or a large share entered more than 30 days after their date."""
    where, params = branch_where(scope, flt)
    first_of_month = flt.today.replace(day=1)
    start = (first_of_month - dt.timedelta(days=1)).replace(day=1)
    for _ in range(months - 1):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    # each month's entries, those in its last days and those entered late, from the
    # ``event_months`` rollup (kept by every write): grouping the 3 months' 230k events took
    # 0.3 s of the alerts' 0.55 s on PostgreSQL at M
    frame = store.frame(f"""
    SELECT n.branch_code AS branch, n.month, CAST(sum(n.entries) AS BIGINT) AS n,
           CAST(sum(n.burst) AS BIGINT) AS burst, CAST(sum(n.late) AS BIGINT) AS late
    FROM event_months n JOIN orgs b ON b.code = n.branch_code
    WHERE {where} AND n.month BETWEEN ? AND ?
    GROUP BY n.branch_code, n.month HAVING sum(n.entries) >= ? ORDER BY n.branch_code, n.month""",
        params + [start, first_of_month - dt.timedelta(days=1), MIN_EVENTS])
    names = _names(store, scope, flt)
    out = []
    for r in frame.iter_rows(named=True):
        label = f"{r['month'].year}年{r['month'].month}月"
        if r["burst"] >= BURST_SHARE * r["n"]:
            out.append(Alert("burst", r["branch"], names[r["branch"]],
                             f"{label} {r['burst'] * 100 / r['n']:.1f}% 的积分在月末{BURST_DAYS}天内集中录入"))
        elif r["late"] >= LATE_SHARE * r["n"]:
            out.append(Alert("late", r["branch"], names[r["branch"]],
                             f"{label} {r['late'] * 100 / r['n']:.1f}% 的积分在发生{LATE_DAYS}天以后才录入"))
    return out


def _assignments(store: Store, branches, tracks=TRACKS) -> dict[str, Assignments]:
    """Each track's assignments of ``branches``, one query per track."""
    return Assignments.of_tracks(store, sorted(branches), tracks)


def all_alerts(store: Store, scope: Scope, flt: Filter) -> list[Alert]:
    names = _names(store, scope, flt)
    res, warn = scores.results(store, branch_codes(store, scope, flt), flt.cycle, flt.today)
    assignments = _assignments(store, names)  # read once for 未公示 and 超期未审核
    found = at_once(lambda: stale(store, scope, flt), lambda: objections(store, scope, flt, names),
                    lambda: from_results(res, warn, names), lambda: backfill(store, scope, flt),
                    lambda: unpublished(store, scope, flt, names, assignments),
                    lambda: review_overdue(store, scope, flt, names, assignments),
                    lambda: disposals(store, scope, flt, names))
    return [alert for part in found for alert in part]


@dataclass(frozen=True)
class Visit:
    branch: str
    name: str
    reasons: list[str]


def visit_list(alerts: list[Alert], n: int = 3) -> list[Visit]:
    """The branches most worth a visit: most distinct alert rules first, then by the rules'
    order in RULE_NAMES (no entries at all outranks an overdue objection, and so on)."""
    by_branch: dict[str, list[Alert]] = {}
    for alert in alerts:
        by_branch.setdefault(alert.branch, []).append(alert)
    order = list(RULE_NAMES)

    def key(branch: str):
        rules = {a.rule for a in by_branch[branch]}
        return (-len(rules), min(order.index(r) for r in rules), branch)

    return [Visit(b, by_branch[b][0].name,
                  [f"{a.rule_name}：{a.message}" for a in sorted(by_branch[b], key=lambda a: order.index(a.rule))])
            for b in sorted(by_branch, key=key)[:n]]
