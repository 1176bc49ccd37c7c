"""Per-subject scoring: components, total, vetoes, stars and grade."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from core.conditions import describe, holds
from core.decimals import fmt, round1
from core.engine.case import Score, Subject
from core.engine.components import ComponentValue, entered_value, items_value
from core.engine.entered_grades import apply_entered_grades
from core.engine.events import ComponentEvents
from core.engine.rules import facts_for
from core.scheme.model import Band, Scheme, Veto

ZERO = Decimal(0)


@dataclass
class Outcome:
    subject: Subject
    components: dict[str, ComponentValue] = field(default_factory=dict)
    total: Decimal | None = None
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

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoes)

    @property
    def total_shown(self) -> Decimal | None:
        return None if self.total is None else round1(self.total)

    @property
    def rated(self) -> bool:
        return not any(v.effect == "no_rating" for v in self.vetoes)

    @property
    def dimension_sum(self) -> Decimal:
        return sum((self.components[c].value for c in self.dim_ids), ZERO)

    def flag(self, name: str, why: str) -> None:
        if name not in self.flags:
            self.flags.append(name)
            self.explain.append(f"标记 {name}：{why}")


def band_for(bands: tuple[Band, ...], value) -> tuple[object, Band] | None:
    for band in bands:
        if band.min is None or value >= band.min:
            return band.label, band
    return None


def band_text(band: Band) -> str:
    return "其余" if band.min is None else f"≥{fmt(band.min)}"


def score_subject(
    scheme: Scheme, subject: Subject, events: dict[str, ComponentEvents], scores: list[Score], vetoes: list[Veto],
) -> Outcome:
    o = Outcome(subject, vetoes=vetoes)
    o.dim_ids = tuple(c.id for c in scheme.dimensions if c.applies_to(subject.category))
    automatic = [i for i in scheme.items.values() if i.automatic and subject.kind in i.kinds]
    for comp in scheme.components.values():
        if not comp.applies_to(subject.category):
            continue
        if comp.input == "items":
            auto = [i.code for i in automatic if i.component == comp.id and not (i.withheld_by_veto and vetoes)]
            withheld = [i.name for i in automatic if i.withheld_by_veto and vetoes and i.component == comp.id]
            value = items_value(scheme, comp, events.get(comp.id), auto, subject.category)
            value.lines[:0] = [f"一票否决，不给 {name}" for name in withheld]
        else:
            value = entered_value(scheme, comp, [s for s in scores if s.component == comp.id], subject.category)
        o.components[comp.id] = value
        o.explain.extend(value.lines)
        o.warnings.extend(tuple(w.split(":", 1)) for w in value.warnings)
    for veto in vetoes:
        o.explain.append(f"一票否决 {veto.name}（{veto.code}）：{_EFFECT_TEXT[veto.effect](veto)}")
        o.flag("veto", veto.name)
        if veto.effect == "handle":
            o.flag("handle", "不论得分均予处置")
        if veto.effect == "no_redeem":
            o.redeemable = False
    _total(scheme, o)
    _stars(scheme, o)
    grade_subject(scheme, o)
    apply_entered_grades(scheme, o, scores)  # a grade or flag the branch enters itself
    return o


_EFFECT_TEXT = {
    "force_grade": lambda v: f"直接认定为{v.grade}，总分照常显示",
    "zero": lambda v: "总分归零",
    "no_rating": lambda v: "取消本周期等次与星级评定",
    "no_redeem": lambda v: "积分照常累计，但不得兑换",
    "handle": lambda v: "不论得分均予处置",
}


def _total(scheme: Scheme, o: Outcome) -> None:
    if not scheme.total_enabled:
        return
    weights = scheme.total_by_category.get(o.subject.category, scheme.total_weights)
    total = ZERO
    parts = []
    for cid, weight in weights.items():
        comp = o.components.get(cid)
        value = comp.value if comp is not None else ZERO
        total += weight * value
        name = scheme.components[cid].name
        parts.append(f"{name} {fmt(value)}" if weight == 1 else f"{fmt(weight)}×{name} {fmt(value)}")
    line = f"总分 = {' + '.join(parts)} = {fmt(total)}".replace("+ −1×", "− ")
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
    periods = list(scheme.components[o.dim_ids[0]].periods) if dims else []  # declared, even if not entered
    for period in periods:
        earned = [name for name, cv in dims if cv.periods.get(period, ZERO) >= threshold]
        o.period_stars[period] = len(earned)
        label = "" if period == "cycle" else f"{period} "
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

