"""Values of the components: items with base, caps and clamps; entered scores;
grade maps; ballots; weighted raters. Each returns its explain lines.

Every value is taken for a ``PeriodView``: the cycle, or a period P with the cycle to
date. A component with nothing due by P's end is 未评: its value is None, never 0."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from core.cycles import QUARTERS
from core.decimals import fmt, signed, unscaled
from core.engine.caps import Buckets, apply_caps, merge
from core.engine.case import Score
from core.engine.events import ComponentEvents
from core.engine.period import PeriodView
from core.scheme.model import Cap, Component, Scheme

ZERO = Decimal(0)


RATER_NAMES = {"self": "自评", "masses": "群众评价", "leadership": "组织评价"}


@dataclass
class ComponentValue:
    value: Decimal | None  # the cycle (to date); None = 未评
    periods: dict[str, Decimal] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    period_value: Decimal | None = None  # P alone, in a period result

    @property
    def assessed(self) -> bool:
        return self.value is not None


def _clamp(value: Decimal, comp: Component, label: str, lines: list[str]) -> Decimal:
    if comp.floor is not None and value < comp.floor:
        lines.append(f"{label} 下限 {fmt(comp.floor)}：{fmt(value)} → {fmt(comp.floor)}")
        return comp.floor
    if comp.ceiling is not None and value > comp.ceiling:
        lines.append(f"{label} 上限 {fmt(comp.ceiling)}：{fmt(value)} → {fmt(comp.ceiling)}")
        return comp.ceiling
    return value


def items_value(
    scheme: Scheme, comp: Component, events: ComponentEvents | None, auto: list[str], category: str | None,
    view: PeriodView,
) -> ComponentValue:
    """``auto`` lists automatic items granted to this subject (e.g. 基础分)."""
    lines: list[str] = []
    per_item: dict[str, Buckets] = {}
    for code in auto:
        item = scheme.items[code]
        per_item.setdefault(code, {})[1] = [item.points, ZERO] if item.points >= 0 else [ZERO, item.points]
        lines.append(f"自动给分 {item.name} {signed(item.points)}")
    uncapped: Buckets = {}
    if events is not None:
        for code, bucket, pos, neg in events.buckets:  # one row per (code, bucket)
            into = uncapped if code is None else per_item.setdefault(code, {})
            into[bucket] = [unscaled(pos), unscaled(neg)]
        lines.extend(events.lines)
    caps: dict[str, list[Cap]] = {}
    for cap in scheme.caps:
        if cap.binds(category):
            caps.setdefault(cap.target, []).append(cap)
    per_cat: dict[str, Buckets] = {}
    for code, buckets in per_item.items():
        item = scheme.items[code]
        mine = caps.get(f"item:{code}")
        merge(per_cat.setdefault(item.category, {}), apply_caps(buckets, mine, item.name, lines) if mine else buckets)
    total: Buckets = {}
    for code, buckets in per_cat.items():
        mine = caps.get(f"category:{code}")
        merge(total, apply_caps(buckets, mine, scheme.categories[code].name, lines) if mine else buckets)
    if total:
        merge(total, uncapped)
    else:
        total = uncapped
    mine = caps.get(f"component:{comp.id}")
    if mine:
        total = apply_caps(total, mine, comp.name, lines)
    if comp.periods == ("cycle",):
        change = sum((p + n for p, n in total.values()), ZERO)
        raw = comp.base + change
        name = comp.name if view.annual else f"{comp.name}（截至{view.name}）"
        lines.append(f"{name} = 基础 {fmt(comp.base)} {signed(change)} = {fmt(raw)}")
        value = _clamp(raw, comp, comp.name, lines)
        return ComponentValue(value, {"cycle": value}, lines)
    periods: dict[str, Decimal] = {}
    due = view.due(comp)
    for index, quarter in enumerate(QUARTERS, start=1):
        if quarter not in due:  # a later quarter counts neither at its base nor as 0
            continue
        pos, neg = total.get(index, [ZERO, ZERO])
        raw = comp.base + pos + neg
        label = f"{comp.name} {view.short(quarter)}"
        periods[quarter] = _clamp(raw, comp, label, lines)
        lines.append(f"{label} = 基础 {fmt(comp.base)} {signed(pos + neg)} → {fmt(periods[quarter])}")
    return _aggregate(comp, periods, lines, [], view)


def _combine(comp: Component, periods: dict[str, Decimal], count: int, view: PeriodView,
             lines: list[str] | None) -> Decimal:
    """The component's own rule over some of its periods: a sum, a mean, or the latest."""
    values = list(periods.values())
    parts = " + ".join(fmt(v) for v in values)
    names = "" if view.annual else "（" + "、".join(view.short(p) for p in periods) + "）"  # which counted so far
    if comp.aggregate == "latest":
        last = list(periods)[-1]
        if lines is not None and len(values) > 1:
            lines.append(f"{comp.name} 取最近一次评定（{view.short(last)}）{fmt(periods[last])}")
        return periods[last]
    if comp.aggregate == "sum" or len(comp.periods) == 1:
        value = sum(values, ZERO)
        if lines is not None and len(values) > 1:
            lines.append(f"{comp.name} = {parts} = {fmt(value)}{names}")
        return value
    value = sum(values, ZERO) / count if count else ZERO
    if lines is not None:
        word = ("截至本期平均" if not view.annual else
                "各期平均" if comp.aggregate == "mean_all" else "已录入期间平均")
        lines.append(f"{comp.name} = {word} ({parts}) / {count} = {fmt(value)}{names}")
    return value


def _aggregate(comp: Component, periods: dict[str, Decimal], lines: list[str], warnings: list[str],
               view: PeriodView) -> ComponentValue:
    """The cycle value, or in a period result the cycle to date (only the periods that
    ended by P's end, a mean over those alone) and P's own value."""
    if comp.aggregate == "latest" and view.annual and "cycle" in periods:
        lines.append(f"{comp.name} 年终考核 {fmt(periods['cycle'])}（以年终考核为准）")
        return ComponentValue(periods["cycle"], periods, lines, warnings)
    periods = {p: v for p, v in periods.items() if p != "cycle" or comp.periods == ("cycle",)}
    if not periods:
        lines.append(view.not_assessed_line(comp))
        return ComponentValue(None, {}, lines, warnings)
    count = len(comp.periods) if view.annual and comp.aggregate == "mean_all" else len(periods)
    value = _clamp(_combine(comp, periods, count, view, lines), comp, comp.name, lines)
    out = ComponentValue(value, periods, lines, warnings)
    if not view.annual:
        mine = {p: periods[p] for p in view.within(comp) if p in periods}
        if mine:
            out.period_value = _clamp(_combine(comp, mine, len(mine), view, None), comp, comp.name, [])
            if comp.aggregate != "latest":
                lines.append(f"{comp.name} 本期（{view.name}）{fmt(out.period_value)}")
    return out


def entered_value(scheme: Scheme, comp: Component, rows: list[Score], category: str | None,
                  view: PeriodView) -> ComponentValue:
    lines: list[str] = []
    warnings: list[str] = []
    periods: dict[str, Decimal] = {}
    due = view.due(comp)
    rows = [s for s in rows if s.period in due]  # a later period's row is never counted
    if not view.annual and not due:
        lines.append(view.not_assessed_line(comp))
        return ComponentValue(None, {}, lines, warnings)
    if comp.input == "rater":
        by_period: dict[str, dict[str, Decimal]] = {}
        for s in rows:
            by_period.setdefault(s.period, {})[s.rater] = s.value
        warn_in = due if view.annual else view.within(comp)  # a period result warns for P only
        for period in due:
            given = by_period.get(period, {})
            if not given:
                continue
            parts = []
            value = ZERO
            for rater, weight in comp.raters.items():
                who = RATER_NAMES.get(rater, rater)
                score = given.get(rater)
                if score is None:
                    if period in warn_in:
                        warnings.append(f"missing_rater:{comp.name} {view.short(period)} 缺少{who}，按 0 计")
                    score = ZERO
                value += weight * score
                parts.append(f"{who} {fmt(score)}×{fmt(weight)}")
            periods[period] = value
            lines.append(f"{comp.name} {view.short(period)} = {' + '.join(parts)} = {fmt(value)}")
        if view.annual:  # the cycle counts a quarter nobody rated as 0; a period result leaves it 未评
            periods = {p: periods.get(p, ZERO) for p in comp.periods}
        return _aggregate(comp, periods, lines, warnings, view)
    for s in sorted(rows, key=lambda s: comp.periods.index(s.period)):
        when = view.short(s.period)
        if comp.input == "score":
            periods[s.period] = s.value
            lines.append(f"{comp.name} {when} 录入 {fmt(s.value)}")
        elif comp.input == "grade":
            periods[s.period] = comp.grades[s.grade]
            lines.append(f"{comp.name} {when} 评定为 {s.grade} → {fmt(comp.grades[s.grade])}")
        else:
            ballots = sum(s.votes.values())
            if not ballots:
                continue
            weighted = sum((comp.levels[k] * n for k, n in s.votes.items()), ZERO)
            periods[s.period] = weighted / ballots
            detail = " ".join(f"{k}{n}票" for k, n in s.votes.items())
            lines.append(f"{comp.name} {when} 投票 {detail}，加权平均 {fmt(weighted)} / {ballots} = {fmt(periods[s.period])}")
    if not periods:
        if not view.annual:  # due but not entered: 未评 in a period result
            lines.append(f"{comp.name} 未评（尚未录入）")
            return ComponentValue(None, {}, lines, warnings)
        note = f"{comp.name} 未录入，按 0 计"
        lines.append(note)
        if comp.missing_warning:
            warnings.append(f"{comp.missing_warning}:{note}")
        return ComponentValue(ZERO, {}, lines, warnings)
    mine = [c for c in scheme.caps if c.level == "component" and c.ref == comp.id and c.binds(category)]
    if mine:
        index = {p: i for i, p in enumerate(comp.periods, start=1)}
        buckets = {index[p]: [max(v, ZERO), min(v, ZERO)] for p, v in periods.items()}
        capped = apply_caps(buckets, mine, comp.name, lines)
        periods = {p: sum(capped[index[p]], ZERO) for p in periods}
    if comp.aggregate == "mean_all" and view.annual:
        periods = {p: periods.get(p, ZERO) for p in comp.periods}
    return _aggregate(comp, periods, lines, warnings, view)
