"""Branch-level rules after scoring: quotas, ranks, flags, streaks and branch
warnings. All of them read their conditions from the scheme."""

from __future__ import annotations

from decimal import Decimal

from core.conditions import Facts, describe, holds
from core.cycles import cycle_bounds
from core.decimals import fmt
from core.engine.labels import rank_key_label
from core.engine.ranking import allowed_places, competition_ranks, quota_cut, rank_key
from core.scheme.model import Scheme


def facts_for(scheme: Scheme, o, kind_mean=None, previous_grade=None, cycle_end=None) -> Facts:
    dims = [o.components[c].value for c in o.dim_ids if o.components[c].assessed]
    return Facts(
        total=o.total_shown,
        grade=o.grade,
        stars=o.stars,
        rank=o.rank,
        rank_from_bottom=o.rank_from_bottom,
        probationary=o.subject.probationary,
        joined_branch=o.subject.joined_branch,
        cycle_end=cycle_end,
        dimension_mean=sum(dims, Decimal(0)) / len(dims) if dims else None,
        kind_mean=kind_mean,
        previous_grade=previous_grade,
        period_stars=o.period_stars,
        vetoed=o.vetoed,
        flags=o.flags,
    )


def apply_quotas(scheme: Scheme, group: list, branch: str, warnings: list[dict], regrade) -> None:
    base = len(group)
    names = scheme.grade_names
    ordered = sorted(
        scheme.quotas,
        key=lambda q: (names.index(q.grade), 0) if q.grade is not None else (0, -q.stars),
    )
    for quota in ordered:
        allowed = allowed_places(base, quota.percent, quota.minimum)
        if quota.grade is not None:
            holders = [o for o in group if o.grade == quota.grade]
            label = quota.grade
        else:
            holders = [o for o in group if o.stars == quota.stars]
            label = f"{quota.stars} 星"
        if not holders:
            continue
        for o in holders:  # rank on the level held now: a member dropped by an earlier quota
            o.key = rank_key(scheme.rank_keys, o)  # competes on its dimension sum, not its old stars
        kept, dropped, tie = quota_cut(holders, allowed)
        rule = (f"名额 {quota.name}：{label}不超过 {fmt(quota.percent)}%，基数 {base} 人，"
                f"允许 {allowed} 人，候选 {len(holders)} 人")
        for o in kept:
            o.explain.append(f"{rule}，在名额内")
        for o in dropped:
            if quota.grade is not None:
                index = names.index(quota.grade)
                new = names[index + 1] if index + 1 < len(names) else quota.grade
                why = "一票否决不占名额" if o.vetoed else ("名额线上并列，全部顺延" if tie else "超出名额")
                o.grade = new
            else:
                o.stars -= 1
                new = f"{o.stars} 星"
                why = "超出名额"
                if scheme.grade_basis == "stars":
                    regrade(o)
            o.explain.append(f"{rule}，{why} → {new}")
            o.flag("quota_capped", f"{label}名额已满")
        if tie:
            warnings.append({
                "branch": branch,
                "code": "quota_tie",
                "message": f"{label}名额线上出现并列（允许 {allowed} 人），并列者均未占名额，请支委会研究决定",
            })


def rank_group(scheme: Scheme, group: list) -> None:
    for o in group:
        o.key = rank_key(scheme.rank_keys, o)
    competition_ranks(group)
    keys = "、".join(rank_key_label(scheme, k) for k in scheme.rank_keys)
    for o in group:
        o.explain.append(f"支部内排名第 {o.rank}（排序依据：{keys}）")


def apply_period_flags(scheme: Scheme, group: list, view) -> None:
    """A graded period's flags: each per-period rule for P alone (明星党员:Q2), and the rules
    the scheme marks ``in_periods``, which read P's stars and the periods to date (two
    one-star quarters so far → 预警). Nothing annual: no grade, history or rank rule."""
    for o in group:
        facts = facts_for(scheme, o)
        for rule in scheme.flag_rules:
            if rule.per_period and view.period in o.period_stars:
                facts.period = view.period
                if holds(rule.when, facts):
                    o.flag(f"{rule.name}:{view.period}", describe(rule.when))
                facts.period = None
            elif rule.in_periods and not rule.per_period and holds(rule.when, facts):
                o.flag(rule.name, describe(rule.when))


def apply_flags(scheme: Scheme, group: list, cycle: int, history: dict) -> None:
    totals = [o.total_shown for o in group if o.total_shown is not None]
    kind_mean = sum(totals, Decimal(0)) / len(totals) if totals else None
    _, end = cycle_bounds(scheme.cycle_start, cycle)
    for o in group:
        past = history.get(o.subject.id, {})
        previous = past.get(cycle - 1, (None, None))[0]
        facts = facts_for(scheme, o, kind_mean, previous, end)
        for rule in scheme.flag_rules:
            if rule.per_period:
                for period in o.period_stars:
                    facts.period = period
                    if holds(rule.when, facts):
                        o.flag(f"{rule.name}:{period}", describe(rule.when))
                facts.period = None
            elif holds(rule.when, facts):
                o.flag(rule.name, describe(rule.when))
        for streak in scheme.streaks:
            earlier = [past.get(cycle - k) for k in range(1, streak.cycles)]
            if not holds(streak.when, facts) or any(h is None for h in earlier):
                continue
            if all(holds(streak.when, Facts(None, g, s, None, None, False, None, end, None, None, None))
                   for g, s in earlier):
                o.flag(streak.flag, f"连续 {streak.cycles} 个周期满足 {describe(streak.when)}")


def rule_hits(scheme: Scheme, rule, group: list, cycle: int) -> int:
    """How many subjects of ``group`` meet a branch rule's condition (e.g. 3 stars or more):
    a share of *subjects*, the measure a target such as 三星级义工不低于50% is about."""
    _, end = cycle_bounds(scheme.cycle_start, cycle)
    return sum(1 for o in group if holds(rule.when, facts_for(scheme, o, cycle_end=end)))


def branch_warnings(scheme: Scheme, group: list, branch: str, cycle: int, warnings: list[dict]) -> None:
    for rule in scheme.branch_warnings:
        if len(group) < rule.min_subjects:
            continue
        hits = rule_hits(scheme, rule, group, cycle)
        share = Decimal(hits) / len(group)
        low = rule.min_share is not None and share < rule.min_share
        high = rule.max_share is not None and share > rule.max_share
        if low or high:
            warnings.append({
                "branch": branch,
                "code": rule.code,
                "message": f"{rule.message}（{hits}/{len(group)} = {fmt(round(share * 100, 1))}%）",
            })
