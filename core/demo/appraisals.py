"""Demo entered scores (appraisal grades, dimension scores, votes, rater scores), vetoes
with evidence, and graded history for the cycles before the demo's events begin.

Every value follows the member's standing (``Plan.m_z``) plus noise, so grades, absences
and deductions tell one story and streak rules fire for the weakest members.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl

from core.cycles import cycle_bounds, cycle_of, period_bounds
from core.demo.ledger import SECONDS
from core.demo.plan import UNIFORM, Plan, date_of, day
from core.scheme import EnteredInput, Scheme

GRADE_SHARES = (0.22, 0.63, 0.12, 0.03)  # best first: 优秀 / 合格 / 基本合格 / 不合格
STAR_SHARES = (0.15, 0.3, 0.35, 0.15, 0.05)  # most stars first
HISTORY_FROM = 2023
VETO_SHARE = 0.008  # per member and cycle, four times that for the weakest
VETO_EVIDENCE = ["支部党员大会决议及会议记录", "上级纪委处分决定书", "派出所情况说明", "党费收缴台账及谈话记录"]


def _ranked_pick(rng: np.random.Generator, z: np.ndarray, labels: list, shares: tuple) -> np.ndarray:
    """Labels (best first) handed out by the members' noisy standing, in the given shares."""
    shares = np.array(shares[:len(labels)] + (0.0,) * max(0, len(labels) - len(shares)))
    shares = np.cumsum(shares / shares.sum())
    score = z + 0.6 * rng.standard_normal(len(z))
    percentile = 1 - (np.argsort(np.argsort(score)) + 0.5) / max(len(z), 1)
    return np.array(labels, dtype=object)[np.minimum(np.searchsorted(shares, percentile), len(labels) - 1)]


def _values(rng, z, entered: EnteredInput, bias: float = 0.0) -> np.ndarray:
    lo = float(entered.min if entered.min is not None else 0)
    hi = float(entered.max if entered.max is not None else 100)
    if hi - lo <= 1:  # earned / not earned
        return np.where(rng.random(len(z)) < np.clip(0.8 + 0.1 * z, 0.3, 0.98), hi, lo)
    frac = np.clip(0.78 + bias + 0.1 * z + 0.06 * rng.standard_normal(len(z)), 0, 1)
    value = lo + (hi - lo) * frac
    return np.round(value) if hi - lo >= 20 else np.round(value, 1)


def _votes(rng, z, levels: list[str]) -> list[str]:
    out = []
    for standing in z:
        centre = float(np.clip(1 - standing, 0, len(levels) - 1))
        weights = np.exp(-np.abs(np.arange(len(levels)) - centre))
        out.append(json.dumps(dict(zip(levels, map(int, rng.multinomial(20, weights / weights.sum())))),
                              ensure_ascii=False))
    return out


def _cycles(plan: Plan, scheme: Scheme) -> range:
    return range(cycle_of(scheme.cycle_start, plan.start), cycle_of(scheme.cycle_start, plan.today) + 1)


def scores(plan: Plan) -> pl.DataFrame:
    """One row per member, entered component, period (and rater) of every period already over."""
    rng, parts = plan.rng, []
    b_scheme = np.array([b.scheme_id for b in plan.branches], dtype=object)
    uniform = np.array([b.special == UNIFORM for b in plan.branches])[plan.m_branch]
    category = np.array(plan.m_category, dtype=object)
    for scheme_id in sorted(set(b_scheme)):
        scheme = plan.schemes[scheme_id]
        in_scheme = (b_scheme[plan.m_branch] == scheme_id) & plan.m_active
        for entered in scheme.entered_components():
            eligible = in_scheme & (np.isin(category, entered.categories) if entered.categories else True)
            for cycle in _cycles(plan, scheme):
                # A member who arrived during the cycle is appraised from the next one on (and a
                # transfer's earlier branch may run a scheme with other components).
                arrived = plan.m_joined <= day(cycle_bounds(scheme.cycle_start, cycle)[0])
                for period in entered.periods:
                    end = period_bounds(scheme.cycle_start, cycle, period)[1]
                    if end >= plan.today or end < plan.start:
                        continue
                    members = np.flatnonzero(eligible & arrived & (plan.m_last >= day(end)))
                    if len(members):
                        parts += _score_rows(plan, rng, scheme, entered, cycle, period, end, members,
                                             uniform[members])
    return pl.concat(parts) if parts else pl.DataFrame()


def _score_rows(plan, rng, scheme, entered, cycle, period, end, members, uniform) -> list[pl.DataFrame]:
    z = np.where(uniform, 0.0, plan.m_z[members])
    n = len(members)
    cutoff = plan.last_entry_day(members)
    raters = entered.raters or [None]
    rows = []
    for rater in raters:
        value = grade = votes = None
        if entered.kind == "grade":
            grade = _ranked_pick(rng, z, entered.grades, GRADE_SHARES)
            grade[uniform] = entered.grades[min(1, len(entered.grades) - 1)]
        elif entered.kind == "votes":
            votes = _votes(rng, z, entered.vote_levels)
        else:
            bias = 0.05 if rater == "self" else 0.0  # people rate themselves a little higher
            value = _values(rng, z, entered, bias)
            value[uniform] = _values(rng, np.ones(1), entered)[0]  # one value for all (形式主义)
        entered_on = (day(end) + rng.integers(1, 10, n)).clip(max=plan.today_n)
        at = entered_on * SECONDS + 16 * 3600
        rows.append(pl.DataFrame({
            "member_id": plan.member_ids.gather(members),
            "branch_code": pl.Series([b.code for b in plan.branches]).gather(plan.m_branch[members]),
            "cycle": np.full(n, cycle, dtype=np.int32),
            "component": [entered.id] * n, "period": [period] * n, "rater": pl.Series([rater] * n, dtype=pl.String),
            "value": pl.Series(_column(value, n), dtype=pl.Float64),
            "grade": pl.Series(_column(grade, n), dtype=pl.String),
            "votes": pl.Series(_column(votes, n), dtype=pl.String),
            "entered_by": [plan.reviewer(plan.branches[b]) for b in plan.m_branch[members]],
            "entered_at": pl.Series(at * 1_000_000).cast(pl.Datetime("us")),
        }).filter(entered_on <= cutoff))  # the stale branch has entered nothing since its last day
    return rows


def _column(values, n: int) -> list:
    return [None] * n if values is None else list(values)


def vetoes(plan: Plan) -> pl.DataFrame:
    """A few 一票否决 per cycle, with evidence, for members of weak standing more often."""
    rng, rows = plan.rng, []
    for m in range(len(plan.m_branch)):
        branch = plan.branches[plan.m_branch[m]]
        scheme = plan.schemes[branch.scheme_id]
        if not plan.m_active[m] or branch.special == UNIFORM or not scheme.vetoes:
            continue
        for cycle in _cycles(plan, scheme):
            if rng.random() >= VETO_SHARE * (4 if plan.m_z[m] < -1.5 else 1):
                continue
            start, end = (day(d) for d in cycle_bounds(scheme.cycle_start, cycle))
            lo, hi = max(start, plan.m_first[m]), min(end, plan.m_last[m], branch.cutoff)
            if lo > hi:
                continue
            when = int(rng.integers(lo, hi + 1))
            code = sorted(scheme.vetoes)[int(rng.integers(0, len(scheme.vetoes)))]
            rows.append(dict(member_id=plan.member_ids[m], branch_code=branch.code, item=code,
                             date=date_of(when),
                             evidence=VETO_EVIDENCE[int(rng.integers(0, len(VETO_EVIDENCE)))],
                             entered_by=plan.reviewer(branch),
                             entered_at=dt.datetime.combine(date_of(min(when + 3, plan.today_n)), dt.time(10))))
    return pl.DataFrame(rows, infer_schema_length=None)


def _band(bands, value):
    return next((b.label for b in bands if b.min is None or value >= b.min), None)


def history(plan: Plan) -> pl.DataFrame:
    """Grades of the cycles before the events start, as typed in from paper records."""
    rng, parts = plan.rng, []
    b_scheme = np.array([b.scheme_id for b in plan.branches], dtype=object)
    for scheme_id in sorted(set(b_scheme)):
        scheme = plan.schemes[scheme_id]
        members = np.flatnonzero((b_scheme[plan.m_branch] == scheme_id) & plan.m_active
                                 & (plan.m_first == day(plan.start)))
        for cycle in range(HISTORY_FROM, cycle_of(scheme.cycle_start, plan.start)):
            z = plan.m_z[members]
            labels = sorted((b.label for b in scheme.star_bands if b.label is not None), reverse=True)
            stars = _ranked_pick(rng, z, labels, STAR_SHARES) if labels else None
            if stars is not None and scheme.grade_basis == "stars":
                grades = [_band(scheme.grade_bands, s) for s in stars]
            elif scheme.grade_names:
                grades = _ranked_pick(rng, z, scheme.grade_names, GRADE_SHARES)
            else:
                grades = None
            parts.append(pl.DataFrame({
                "member_id": plan.member_ids.gather(members), "cycle": np.full(len(members), cycle, dtype=np.int32),
                "scheme_id": [scheme_id] * len(members),
                "grade": pl.Series(_column(grades, len(members)), dtype=pl.String),
                "stars": pl.Series(_column(stars, len(members)), dtype=pl.Int32),
                "source": ["import"] * len(members)}))
    return pl.concat(parts) if parts else pl.DataFrame()
