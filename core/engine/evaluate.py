"""``evaluate(scheme, case)``: the one entry point pages, services and the CLI
share, so what the app shows equals what ``python -m core evaluate`` prints."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from core.cycles import cycle_bounds
from core.decimals import json_number
from core.engine.case import Case, normalise_case
from core.engine.events import aggregate_events
from core.engine.supermarket import add_balances, prior_points
from core.engine.gc_pause import gc_paused
from core.engine.outcome import Outcome, grade_subject, rate_subject, score_subject
from core.engine.period import PeriodView
from core.engine.ranking import rank_key
from core.engine.rules import apply_flags, apply_period_flags, apply_quotas, branch_warnings, rank_group, rule_hits
from core.scheme.model import Scheme

WARNING_TEXT = {
    "event_outside_cycle": "{n} 条记录不在本积分周期内，未计入",
    "event_before_approval": "{n} 条记录早于纳入积分管理日期，未计入",
    "fraud": "{n} 条虚报记录，按规则扣分",
    "fraud_ignored": "{n} 条虚报记录，不计分（本方案未设虚报扣分）",
}


@dataclass
class Scored:
    """A case scored under a scheme, before anything is rated: the subjects' components and
    totals, and the warnings so far. Rating (stars, grades, quotas, ranks, flags) reads it;
    ``fresh()`` gives an unrated copy to rate again under other bands or quotas."""

    data: Case
    view: PeriodView
    start: dt.date
    end: dt.date
    prior: dict
    warnings: list[dict]
    scores: dict[str, list]
    outcomes: dict[tuple[str, str], list[Outcome]]
    exempt: list[Outcome]

    def fresh(self) -> Scored:
        def copy(o: Outcome) -> Outcome:
            return replace(o, flags=list(o.flags), explain=list(o.explain), warnings=list(o.warnings),
                           period_stars=dict(o.period_stars))
        return replace(self, warnings=list(self.warnings),
                       outcomes={key: [copy(o) for o in group] for key, group in self.outcomes.items()},
                       exempt=[copy(o) for o in self.exempt])


@gc_paused()
def evaluate(scheme: Scheme, case: dict, *, explain: bool = True, period: str | None = None) -> dict:
    """Results for one cycle, or for a period of it (``period``, else the case's
    ``period``, else the cycle): P's own scores plus the cycle to date, graded only where
    the scheme grades P. ``explain=False`` leaves the per-event lines out of the
    explanation (caps, clamps, totals, grades stay), for county-wide dashboards that
    never show them."""
    return rate_case(scheme, score_case(scheme, case, explain=explain, period=period))


@gc_paused()
def evaluate_outcomes(scheme: Scheme, case: dict) -> tuple[list[Outcome], list[dict], PeriodView]:
    """``evaluate`` without the explanation's per-event lines and without its output: every
    subject's rated outcome (in the output's order), the warnings, and the period (the case's
    own, else the cycle). The county dashboards read a few fields of each outcome, so they
    skip building a dict of every subject's components that they would throw away."""
    scored = score_case(scheme, case, explain=False)
    everyone, _ = rate_outcomes(scheme, scored)
    return everyone, scored.warnings, scored.view


@gc_paused()
def score_case(scheme: Scheme, case: dict, *, explain: bool = True, period: str | None = None) -> Scored:
    """Every subject's components and total under ``scheme`` (``evaluate``'s first half)."""
    data = normalise_case(scheme, case)
    view = PeriodView.of(scheme, data.cycle, period or case.get("period") or "cycle")
    start, end = cycle_bounds(scheme.cycle_start, data.cycle)
    if not view.annual:  # what falls after P's end is not yet counted (not "outside the cycle")
        data = data.until(view.end, end)
    points, notes = aggregate_events(scheme, data, start, end, with_lines=explain, annual=view.annual)
    prior = prior_points(points)  # a cumulative scheme's earlier cycles (积分超市 balance)
    before = {}
    if not view.annual and view.start > start:
        before, _ = aggregate_events(scheme, data.until(view.start - dt.timedelta(days=1), end), start, end,
                                     with_lines=False, annual=False)
    warnings: list[dict] = []
    subjects = data.subjects
    for sid, code, n in notes:
        text = WARNING_TEXT.get(code, "{n} 条服务记录评价不是满意，不计分").format(n=n)
        warnings.append({"branch": subjects[sid].branch, "subject": sid, "code": code, "message": text})

    vetoes: dict[str, list] = {}
    for row, sid, code, when in data.vetoes:
        approved = subjects[sid].approved_on
        if not start <= when <= end:
            code_w, text = "event_outside_cycle", f"一票否决事项「{scheme.vetoes[code].name}」（第 {row + 1} 条）不在本积分周期内，未计入"
        elif approved is not None and when < approved:
            code_w, text = "event_before_approval", f"一票否决事项「{scheme.vetoes[code].name}」（第 {row + 1} 条）早于纳入日期，未计入"
        else:
            vetoes.setdefault(sid, []).append(scheme.vetoes[code])
            continue
        warnings.append({"branch": subjects[sid].branch, "subject": sid, "code": code_w, "message": text})
    scores: dict[str, list] = {}
    for s in data.scores:
        scores.setdefault(s.subject, []).append(s)

    outcomes: dict[tuple[str, str], list[Outcome]] = {}
    exempt: list[Outcome] = []
    memo: dict = {}  # component values by their inputs (outcome._value)
    for sid in sorted(subjects):
        subject = subjects[sid]
        if subject.exempt:
            o = Outcome(subject, redeemable=None)
            o.explain.append("免于积分管理（年老体弱等，经批准），不计分、不定等次、不排名")
            exempt.append(o)
            continue
        o = score_subject(scheme, subject, points.get(sid, {}), scores.get(sid, []), vetoes.get(sid, []), view,
                          before.get(sid), memo)
        outcomes.setdefault((subject.branch, subject.kind), []).append(o)
    return Scored(data, view, start, end, prior, warnings, scores, outcomes, exempt)


@gc_paused()
def rate_case(scheme: Scheme, scored: Scored) -> dict:
    """Stars, grades, quotas, ranks and flags of a scored case, and the output
    (``evaluate``'s second half); the outcomes in ``scored`` are rated in place."""
    everyone, shares = rate_outcomes(scheme, scored)
    data, view, start = scored.data, scored.view, scored.start
    spent: dict[str, Decimal] = {}
    for sid, when, points in data.exchanges:
        if when <= view.end and (scheme.cumulative or when >= start):
            spent[sid] = spent.get(sid, Decimal(0)) + points
    out = {
        "scheme": scheme.id,
        "scheme_version": scheme.version,
        "name": scheme.name,
        "cycle": data.cycle,
        "cycle_start": scheme.cycle_start,
        "period": view.period,
        "graded": view.graded,
        "components": {cid: comp.name for cid, comp in scheme.components.items()},
        "results": [_result(scheme, o, spent, view) for o in everyone],
        "warnings": scored.warnings,
        "branches": _branches(scheme, scored.outcomes, shares),
    }
    add_balances(scheme, out["results"], scored.prior, data.exchanges, start, view.end)
    return out


def rate_outcomes(scheme: Scheme, scored: Scored) -> tuple[list[Outcome], dict]:
    """(every outcome in the output's order, each branch's rule shares), the outcomes rated
    in place and their warnings added to ``scored.warnings``: what the county dashboards read,
    without the output (a dict per subject, every component's number) they never show."""
    data, view = scored.data, scored.view
    warnings = scored.warnings
    outcomes = scored.outcomes
    for sid, o in sorted((o.subject.id, o) for group in outcomes.values() for o in group):
        rate_subject(scheme, o, scored.scores.get(sid, []), view)
        for code, text in o.warnings:
            warnings.append({"branch": o.subject.branch, "subject": sid, "code": code, "message": text})

    shares: dict[str, dict[str, list[int]]] = {}  # branch → rule code → [hits, subjects]
    for (branch, _kind), group in sorted(outcomes.items()):
        if view.annual:
            for o in group:
                o.key = rank_key(scheme.rank_keys, o)
            apply_quotas(scheme, group, branch, warnings, lambda o: grade_subject(scheme, o))
        rank_group(scheme, group)
        if view.annual:
            apply_flags(scheme, group, data.cycle, data.history)
            branch_warnings(scheme, group, branch, data.cycle, warnings)
            for rule in scheme.branch_warnings:
                tally = shares.setdefault(branch, {}).setdefault(rule.code, [0, 0])
                tally[0] += rule_hits(scheme, rule, group, data.cycle)
                tally[1] += len(group)
        elif view.graded:
            apply_period_flags(scheme, group, view)

    everyone = [o for group in outcomes.values() for o in group] + scored.exempt
    everyone.sort(key=lambda o: (o.subject.branch, o.rank is None, o.rank or 0, o.subject.id))
    return everyone, shares


def _result(scheme: Scheme, o: Outcome, spent: dict[str, Decimal], view: PeriodView) -> dict:
    result = {
        "subject": o.subject.id,
        "branch": o.subject.branch,
        "kind": o.subject.kind,
        "category": o.subject.category,
        "period": view.period,
        "total": json_number(o.total),
        "grade": o.grade,
        "stars": o.stars,
        "rank": o.rank,
        "components": {cid: json_number(cv.value) for cid, cv in o.components.items()},
        "flags": o.flags,
        "redeemable": o.redeemable,
        "explain": o.explain,
    }
    if not view.annual:
        if o.subtotal is not None:
            result["subtotal"] = json_number(o.subtotal)
        result["period_components"] = {cid: json_number(cv.period_value) for cid, cv in o.components.items()}
        result["not_assessed"] = o.not_assessed
    if o.subject.name:
        result["name"] = o.subject.name
    if o.period_stars:
        result["period_stars"] = dict(o.period_stars)
    points = o.total if o.total is not None else o.subtotal
    if scheme.supermarket is not None and points is not None:
        result["balance"] = json_number(points - spent.get(o.subject.id, Decimal(0)))
    return result


def _branches(scheme: Scheme, outcomes: dict, shares: dict) -> list[dict]:
    """Per-branch summary. ``star_share`` is the unit's share of the possible stars, the
    branch output of the dimension-star templates (party-stars-raters); a star ladder on the
    total (volunteer-stars: 0–3) has no such output: read as "the share at 3 stars" it said
    50% when 1 of 4 volunteers had 3 stars (3 + 1 + 1 + 1 of 12 possible). ``shares`` gives,
    for each of the scheme's branch rules (三星级及以上不低于50%), the share of *subjects*
    meeting it, with its target, in the graded cycle."""
    rows: dict[str, dict] = {}
    for (branch, _kind), group in sorted(outcomes.items()):
        row = rows.setdefault(branch, {"branch": branch, "subjects": 0, "totals": [], "stars": 0, "possible": 0})
        row["subjects"] += len(group)
        row["totals"] += [o.total_shown for o in group if o.total_shown is not None]
        for o in group:
            row["stars"] += o.stars or 0
            row["possible"] += _possible_stars(scheme, o)
    out = []
    for row in rows.values():
        totals = row.pop("totals")
        row["mean_total"] = json_number(sum(totals, Decimal(0)) / len(totals)) if totals else None
        possible = row.pop("possible")
        if scheme.star_basis is None:
            row.pop("stars")
        elif scheme.star_basis == "dimensions":
            row["possible_stars"] = possible
            row["star_share"] = json_number(Decimal(row["stars"]) * 100 / possible) if possible else None
        rules = {rule.code: rule for rule in scheme.branch_warnings}
        for code, (hits, of) in shares.get(row["branch"], {}).items():
            rule = rules[code]
            row.setdefault("shares", {})[code] = {
                "hits": hits, "of": of, "percent": json_number(Decimal(hits) * 100 / of) if of else None,
                "min_percent": None if rule.min_share is None else json_number(rule.min_share * 100),
                "max_percent": None if rule.max_share is None else json_number(rule.max_share * 100)}
        out.append(row)
    return out


def _possible_stars(scheme: Scheme, o: Outcome) -> int:
    if scheme.star_basis == "dimensions" and o.dim_ids:
        own = scheme.components[o.dim_ids[0]]
        return len(o.dim_ids) * (1 if own.aggregate == "latest" else len(own.periods))
    return 0
