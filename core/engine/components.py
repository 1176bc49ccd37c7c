"""Values of the components: items with base, caps and clamps; entered scores;
grade maps; ballots; weighted raters. Each returns its explain lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from core.cycles import QUARTERS
from core.decimals import fmt, signed, unscaled
from core.engine.caps import Buckets, apply_caps, merge
from core.engine.case import Score
from core.engine.events import ComponentEvents
from core.scheme.model import Cap, Component, Scheme

ZERO = Decimal(0)


@dataclass
class ComponentValue:
    value: Decimal
    periods: dict[str, Decimal] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


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
) -> ComponentValue:
    """``auto`` lists automatic items granted to this subject (e.g. 基础分)."""
    lines: list[str] = []
    per_item: dict[str, Buckets] = {}
    for code in auto:
        item = scheme.items[code]
        per_item.setdefault(code, {})[1] = [item.points, ZERO] if item.points >= 0 else [ZERO, item.points]
        lines.append(f"自动给分 {item.name}（{code}）{signed(item.points)}")
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
        lines.append(f"{comp.name} = 基础 {fmt(comp.base)} {signed(change)} = {fmt(raw)}")
        value = _clamp(raw, comp, comp.name, lines)
        return ComponentValue(value, {"cycle": value}, lines)
    periods: dict[str, Decimal] = {}
    for index, quarter in enumerate(QUARTERS, start=1):
        pos, neg = total.get(index, [ZERO, ZERO])
        raw = comp.base + pos + neg
        label = f"{comp.name} {quarter}"
        periods[quarter] = _clamp(raw, comp, label, lines)
        lines.append(f"{label} = 基础 {fmt(comp.base)} {signed(pos + neg)} → {fmt(periods[quarter])}")
    return _aggregate(comp, periods, lines, [])


def _aggregate(comp: Component, periods: dict[str, Decimal], lines: list[str], warnings: list[str]) -> ComponentValue:
    values = list(periods.values())
    parts = " + ".join(fmt(v) for v in values)
    if comp.aggregate == "sum" or len(comp.periods) == 1:
        value = sum(values, ZERO)
        if len(values) > 1:
            lines.append(f"{comp.name} = {parts} = {fmt(value)}")
    else:
        count = len(values) if comp.aggregate == "mean_entered" else len(comp.periods)
        value = sum(values, ZERO) / count if count else ZERO
        word = "已录入期间平均" if comp.aggregate == "mean_entered" else "各期平均"
        lines.append(f"{comp.name} = {word} ({parts}) / {count} = {fmt(value)}")
    value = _clamp(value, comp, comp.name, lines)
    return ComponentValue(value, periods, lines, warnings)


def entered_value(scheme: Scheme, comp: Component, rows: list[Score], category: str | None) -> ComponentValue:
    lines: list[str] = []
    warnings: list[str] = []
    periods: dict[str, Decimal] = {}
    if comp.input == "rater":
        by_period: dict[str, dict[str, Decimal]] = {}
        for s in rows:
            by_period.setdefault(s.period, {})[s.rater] = s.value
        for period in comp.periods:
            given = by_period.get(period, {})
            if not given:
                continue
            parts = []
            value = ZERO
            for rater, weight in comp.raters.items():
                score = given.get(rater)
                if score is None:
                    warnings.append(f"missing_rater:{comp.name} {period} 缺少 {rater} 评分，按 0 计")
                    score = ZERO
                value += weight * score
                parts.append(f"{rater} {fmt(score)}×{fmt(weight)}")
            periods[period] = value
            lines.append(f"{comp.name} {period} = {' + '.join(parts)} = {fmt(value)}")
        for period in comp.periods:
            periods.setdefault(period, ZERO)
        periods = {p: periods[p] for p in comp.periods}
        return _aggregate(comp, periods, lines, warnings)
    for s in sorted(rows, key=lambda s: comp.periods.index(s.period)):
        if comp.input == "score":
            periods[s.period] = s.value
            lines.append(f"{comp.name} {s.period} 录入 {fmt(s.value)}")
        elif comp.input == "grade":
            periods[s.period] = comp.grades[s.grade]
            lines.append(f"{comp.name} {s.period} 评定为 {s.grade} → {fmt(comp.grades[s.grade])}")
        else:
            ballots = sum(s.votes.values())
            if not ballots:
                continue
            weighted = sum((comp.levels[k] * n for k, n in s.votes.items()), ZERO)
            periods[s.period] = weighted / ballots
            detail = " ".join(f"{k}{n}票" for k, n in s.votes.items())
            lines.append(f"{comp.name} {s.period} 投票 {detail}，加权平均 {fmt(weighted)} / {ballots} = {fmt(periods[s.period])}")
    if not periods:
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
    if comp.aggregate == "mean_all":
        periods = {p: periods.get(p, ZERO) for p in comp.periods}
    return _aggregate(comp, periods, lines, warnings)
