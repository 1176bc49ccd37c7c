"""Per-subject scoring: components, total, vetoes, stars and grade."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from core.conditions import describe, holds
from core.cycles import period_short
from core.decimals import fmt, round1, signed
from core.engine.case import Score, Subject
from core.engine.components import ComponentValue, entered_value, items_value
from core.engine.entered_grades import apply_entered_grades
from core.engine.entered_periods import counted_component, missing_periods
from core.engine.events import ComponentEvents
from core.engine.labels import flag_label
from core.engine.period import PeriodView
from core.engine.rules import facts_for
from core.scheme.model import Band, Scheme, Veto

ZERO = Decimal(0)


@dataclass
class Outcome:
    subject: Subject
    components: dict[str, ComponentValue] = field(default_factory=dict)
    total: Decimal | None = None
    subtotal: Decimal | None = None  # a period result with a component 未评: the assessed part
    stars: int | None = None
    period_stars: dict[str, int] = field(default_factory=dict)
    grade: str | None = None
    vetoes: list[Veto] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    redeemable: bool = True
    rank: int | None = None
    rank_from_bottom: int | None = None
    key: tuple = ()
    explain: list[str] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    dim_ids: tuple[str, ...] = ()  # dimensions that apply to this subject's category
    rank_dims: Decimal | None = None  # a graded period ranks on P's own dimension scores

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoes)

    @property
    def total_shown(self) -> Decimal | None:
        return None if self.total is None else round1(self.total)

    @property
    def subtotal_shown(self) -> Decimal | None:
        return None if self.subtotal is None else round1(self.subtotal)

    @property
    def not_assessed(self) -> list[str]:
        return [cid for cid, cv in self.components.items() if not cv.assessed]

    @property
    def rated(self) -> bool:
        return not any(v.effect == "no_rating" for v in self.vetoes)

    @property
    def dimension_sum(self) -> Decimal:
        if self.rank_dims is not None:
            return self.rank_dims
        return sum((self.components[c].value for c in self.dim_ids if self.components[c].assessed), ZERO)

    def flag(self, name: str, why: str) -> None:
        if name not in self.flags:
            self.flags.append(name)
            self.explain.append(f"标记 {flag_label(name)}：{why}")


def band_for(bands: tuple[Band, ...], value) -> tuple[object, Band] | None:
    for band in bands:
        if band.min is None or value >= band.min:
            return band.label, band
    return None


def band_text(band: Band) -> str:
    return "其余" if band.min is None else f"≥{fmt(band.min)}"


def score_subject(
    scheme: Scheme, subject: Subject, events: dict[str, ComponentEvents], scores: list[Score], vetoes: list[Veto],
    view: PeriodView, before: dict[str, ComponentEvents] | None = None, memo: dict | None = None,
) -> Outcome:
    """``events`` are those counted to P's end; ``before`` (a period result only) those
    before P's start, so a component kept over the cycle shows what P added. ``memo``, shared
    by the subjects of one evaluation, holds each component value by what it is computed from
    (``_value``)."""
    memo = {} if memo is None else memo
    o = Outcome(subject, vetoes=vetoes)
    o.dim_ids, components = _plan(scheme, subject, memo)
    own: dict[str, list[Score]] = {}
    for s in scores:
        own.setdefault(s.component, []).append(s)
    for comp, auto, kept, withheld in components:
        if comp.input == "items":
            granted = kept if vetoes else auto
            mine = events.get(comp.id)
            key = (comp.id, subject.category, granted, None if mine is None else (mine.buckets, tuple(mine.lines)))
            value = _value(memo, key, lambda: items_value(scheme, comp, mine, list(granted), subject.category, view))
            if vetoes and withheld:
                value = _copy(value)
                value.lines[:0] = [f"一票否决，不给 {name}" for name in withheld]
            if not view.annual and comp.periods == ("cycle",):
                value = _copy(value)
                _added_in_period(scheme, comp, value, before, list(granted), subject.category, view)
        else:
            rows = own.get(comp.id, [])
            comp, skipped = counted_component(scheme, comp, subject.approved_on, view.cycle_begin.year)
            key = (comp.id, comp.periods, subject.category,
                   tuple((s.period, s.value, s.grade, tuple(s.votes.items()) if s.votes else None, s.rater)
                         for s in rows))
            value = _value(memo, key, lambda: _entered(scheme, comp, rows, subject.category, view))
            if skipped:
                value = _copy(value)
                value.lines[:0] = skipped
        o.components[comp.id] = value
        o.explain.extend(value.lines)
        o.warnings.extend(tuple(w.split(":", 1)) for w in value.warnings)
    for veto in vetoes:
        o.explain.append(f"一票否决 {veto.name}：{_EFFECT_TEXT[veto.effect](veto)}")
        o.flag("veto", veto.name)
        if veto.effect == "handle":
            o.flag("handle", "不论得分均予处置")
        if veto.effect == "no_redeem":
            o.redeemable = False
    _total(scheme, o)
    return o


def _plan(scheme: Scheme, subject: Subject, memo: dict) -> tuple[tuple[str, ...], list[tuple]]:
    """(dimension ids, components) of the subject's kind and category; each component comes
    with the automatic items it grants (all of them; those a veto leaves, by code) and the
    names of those a veto withholds."""
    key = ("plan", subject.kind, subject.category)
    if key not in memo:
        automatic = [i for i in scheme.items.values() if i.automatic and i.granted_to(subject)]
        components = []
        for c in scheme.components.values():
            if c.applies_to(subject.category):
                mine = [i for i in automatic if i.component == c.id]
                components.append((c, tuple(i.code for i in mine),
                                   tuple(i.code for i in mine if not i.withheld_by_veto),
                                   [i.name for i in mine if i.withheld_by_veto]))
        memo[key] = (tuple(c.id for c in scheme.dimensions if c.applies_to(subject.category)), components)
    return memo[key]


def _value(memo: dict, key: tuple, compute) -> ComponentValue:
    """A component's value from ``memo``, computed on first use and shared: a caller that adds
    to it (the subject's own lines) takes a ``_copy``, and nothing changes a value once the
    subject is scored. ``key`` holds everything the value is computed from besides the scheme
    and the view, which one evaluation shares: many members have equal inputs (the same
    grades entered, the same quarter sums: an M county's 19,530 entered values are 3,818
    distinct ones, its 18,189 items values 9,866), and a value is exact text and Decimals, the
    same whoever it is computed for. The memo also holds each kind and category's ``_plan``."""
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _copy(value: ComponentValue) -> ComponentValue:
    return ComponentValue(value.value, dict(value.periods), list(value.lines), list(value.warnings), value.period_value)


def _entered(scheme: Scheme, comp, rows: list[Score], category, view: PeriodView) -> ComponentValue:
    value = entered_value(scheme, comp, rows, category, view)
    if view.annual:  # e.g. missing_quarter, named per quarter (core/engine/entered_periods.py)
        value.warnings.extend(missing_periods(comp, rows))
    return value


def rate_subject(scheme: Scheme, o: Outcome, scores: list[Score], view: PeriodView) -> None:
    """The subject's stars and grade from its scored components: the part a change of grade
    bands, star bands or quotas changes, and nothing before it (``core.simulate`` re-rates a
    scored case under such a change instead of scoring it again)."""
    if view.annual:
        _stars(scheme, o)
        grade_subject(scheme, o)
        apply_entered_grades(scheme, o, scores)  # a grade or flag the branch enters itself
    elif view.graded:
        _period_stars(scheme, o, view)
    elif scheme.grade_bands or scheme.star_basis:
        o.explain.append(f"{view.name}只公布得分，不评定等次或星级（在年度评定）")


def _added_in_period(scheme: Scheme, comp, value: ComponentValue, before, auto: list[str], category,
                     view: PeriodView) -> None:
    """P's own value of a component kept over the cycle: its value at P's end less its
    value the day before P began. Automatic items (a yearly 基础分) fall in the first period."""
    first = view.start == view.cycle_begin
    earlier = items_value(scheme, comp, None if first else (before or {}).get(comp.id),
                          [] if first else auto, category, view).value
    value.period_value = value.value - earlier
    value.lines.append(f"{comp.name} 本期（{view.name}）新增 {signed(value.period_value)}")


_EFFECT_TEXT = {
    "force_grade": lambda v: f"直接认定为{v.grade}，总分照常显示",
    "zero": lambda v: "总分归零",
    "no_rating": lambda v: "取消本周期等次与星级评定",
    "no_redeem": lambda v: "积分照常累计，但不得兑换",
    "handle": lambda v: "不论得分均予处置",
}


def _total(scheme: Scheme, o: Outcome) -> None:
    """The total; in a period result with a component 未评, the subtotal of the rest."""
    if not scheme.total_enabled:
        return
    weights = scheme.total_by_category.get(o.subject.category, scheme.total_weights)
    total = ZERO
    parts = []
    missing = []
    for cid, weight in weights.items():
        comp = o.components.get(cid)
        name = scheme.components[cid].name
        if comp is None:  # a component of another subject category (e.g. 村干部's dimensions)
            continue
        if not comp.assessed:
            missing.append(name)
            continue
        value = comp.value
        total += weight * value
        parts.append(f"{name} {fmt(value)}" if weight == 1 else f"{fmt(weight)}×{name} {fmt(value)}")
    word = f"小计（不含未评项：{'、'.join(missing)}）" if missing else "总分"
    line = f"{word} = {' + '.join(parts) or '0'} = {fmt(total)}".replace("+ −1×", "− ")
    if scheme.total_floor is not None and total < scheme.total_floor:
        line += f"，下限 {fmt(scheme.total_floor)} → {fmt(scheme.total_floor)}"
        total = scheme.total_floor
    if scheme.total_ceiling is not None and total > scheme.total_ceiling:
        line += f"，上限 {fmt(scheme.total_ceiling)} → {fmt(scheme.total_ceiling)}"
        total = scheme.total_ceiling
    if any(v.effect == "zero" for v in o.vetoes):
        line += "，一票否决归零 → 0"
        total = ZERO
    if round1(total) != total:
        line += f"，四舍五入 → {fmt(round1(total))}"
    if missing:
        o.subtotal = total if parts else None  # nothing assessed yet: no subtotal either
    else:
        o.total = total
    o.explain.append(line)


def _stars(scheme: Scheme, o: Outcome) -> None:
    if scheme.star_basis is None or not o.rated:
        if scheme.star_basis is not None:
            o.explain.append("不评定星级（一票否决）")
        return
    if scheme.star_basis == "total":
        o.stars, band = band_for(scheme.star_bands, o.total_shown)
        o.explain.append(f"星级：总分 {fmt(o.total_shown)} {band_text(band)} → {o.stars} 星")
        return
    threshold = scheme.star_threshold
    dims = [(scheme.components[cid].name, o.components[cid]) for cid in o.dim_ids]
    latest = bool(dims) and scheme.components[o.dim_ids[0]].aggregate == "latest"  # stars held at the end
    periods = ["cycle"] if latest else list(scheme.components[o.dim_ids[0]].periods) if dims else []
    for period in periods:  # declared, even if not entered
        earned = [name for name, cv in dims
                  if (cv.value if latest else cv.periods.get(period, ZERO)) >= threshold]
        o.period_stars[period] = len(earned)
        label = "" if period == "cycle" else f"{period_short(scheme.cycle_start, period)} "
        o.explain.append(f"星级 {label}达到 {fmt(threshold)} 的维度：{'、'.join(earned) or '无'} → {len(earned)} 星")
    o.stars = sum(o.period_stars.values())
    if len(periods) > 1:
        o.explain.append(f"星级合计 {o.stars}")
    else:
        o.period_stars = {}
    for limit in scheme.star_limits:
        if o.stars > limit["max"] and holds(limit["when"], facts_for(scheme, o)):
            o.explain.append(f"星级上限 {limit['max']}（{describe(limit['when'])}）：{o.stars} → {limit['max']}")
            o.stars = limit["max"]


def _period_stars(scheme: Scheme, o: Outcome, view: PeriodView) -> None:
    """A graded period (stars per quarter or per month) gets P's stars only; the grade and
    every other annual rule stay with the cycle."""
    if not o.rated:
        o.explain.append(f"{view.name}不评定星级（一票否决）")
        return
    if scheme.star_basis != "dimensions":
        return
    threshold = scheme.star_threshold
    dims = [(scheme.components[cid].name, o.components[cid]) for cid in o.dim_ids]
    if not dims:
        return
    own = scheme.components[o.dim_ids[0]]
    if own.aggregate == "latest":  # stars held at P's end
        if not any(cv.assessed for _, cv in dims):  # nothing rated by P's end: 未评, never 0 stars
            o.explain.append(f"{view.name}星级：未评（各维度尚未评定）")
            return
        earned = [name for name, cv in dims if cv.assessed and cv.value >= threshold]
        o.stars = len(earned)
        o.rank_dims = sum((cv.value for _, cv in dims if cv.assessed), ZERO)
    else:
        for period in view.due(own):
            o.period_stars[period] = sum(1 for _, cv in dims if cv.periods.get(period, ZERO) >= threshold)
        mine = view.within(own)
        earned = [name for name, cv in dims if any(cv.periods.get(p, ZERO) >= threshold for p in mine)]
        o.stars = sum(o.period_stars.get(p, 0) for p in mine)
        o.rank_dims = sum((cv.period_value or ZERO for _, cv in dims), ZERO)
    o.explain.append(f"{view.name}星级：达到 {fmt(threshold)} 的维度 {'、'.join(earned) or '无'} → {o.stars} 星")


def grade_subject(scheme: Scheme, o: Outcome) -> None:
    if not scheme.grade_bands or not o.rated:
        if scheme.grade_bands:
            o.explain.append("不评定等次（一票否决）")
        o.grade = None
        return
    value = o.total_shown if scheme.grade_basis == "total" else o.stars
    found = band_for(scheme.grade_bands, value) if value is not None else None
    if found is not None:
        o.grade, band = found
        what = "总分" if scheme.grade_basis == "total" else "星级"
        o.explain.append(f"等次：{what} {fmt(value)} {band_text(band)} → {o.grade or '不定等次'}")
    for veto in o.vetoes:
        if veto.effect == "force_grade":
            o.grade = veto.grade
            o.explain.append(f"等次：一票否决 → {veto.grade}")

