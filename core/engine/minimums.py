"""Minimum counts per subject category (全年不少于…), computed from the events, not entered.

A scheme's ``[minimums]`` names counted indicators (组织生活: the ``org_life`` events), the
minimum of each per subject category, and requirements without a count (及时足额缴纳党费)
whose breach is an event. At the end of the cycle each minimum not met deducts once per
indicator, and each requirement breached deducts once per requirement; the deduction joins
the scheme's items component like any uncapped event, so its floor still applies.

Before the cycle ends (``annual=False``, a period result) nothing is deducted: the lines show
the count so far against the minimum, e.g. "组织生活 已 3 次 / 最低 6 次".

A subject whose category has no rule (no category, or one like 65岁以上 without minimums)
gets nothing here: its breach events are valid input that deduct nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl

from core.decimals import SCALE, fmt, scaled
from core.engine.case import Subject
from core.scheme.model import Minimums, Scheme

ZERO = Decimal(0)
END_BUCKET = 4  # the deduction falls at the end of the cycle (its last quarter)


def item_counts(events: pl.DataFrame, codes: set[str], start: date, ids: list[str]) -> dict[str, dict[str, int]]:
    """Sum of ``count`` per subject and item, over the counted events of the cycle (a false
    declaration counts for nothing). ``events`` are already filtered to the cycle's end and
    to each subject's approval date; their ``_sid`` is the subject's place in ``ids``."""
    if not codes or events.is_empty():
        return {}
    rows = (  # lazily: the filter then copies the four columns it needs, not all fifteen (31 → 20 ms for 383k)
        events.lazy().filter(pl.col("item").is_in(sorted(codes)) & ~pl.col("fraud") & (pl.col("date") >= start))
        .group_by("_sid", "item")
        .agg(pl.col("count").sum())
        .collect()
    )
    out: dict[str, dict[str, int]] = {}
    for sid, item, n in rows.iter_rows():
        out.setdefault(ids[sid], {})[item] = int(n) // SCALE  # counts are hundredths (core.engine.case)
    return out


def shortfall(rules: Minimums, subject: Subject, counts: dict[str, int], *, annual: bool) -> tuple[Decimal, list[str]]:
    """(deduction, explain lines) for one subject. ``annual`` False: a period before the
    cycle ends, which shows the counts so far and deducts nothing."""
    category = subject.category
    minimums = rules.by_category.get(category, {})
    breaches = [req for req in rules.requirements if category in req.categories]
    if not minimums and not breaches:
        return ZERO, []
    each = rules.deduction
    deduction = ZERO
    lines: list[str] = []
    for name, minimum in minimums.items():
        indicator = rules.indicators[name]
        count = sum(counts.get(code, 0) for code in indicator.items)
        unit = indicator.unit
        if not annual:
            lines.append(f"{name} 已 {count} {unit} / 最低 {minimum} {unit}")
        elif count < minimum:
            deduction += each
            lines.append(f"未达最低要求 {name}：全年 {count} {unit} / 最低 {minimum} {unit}，扣 {fmt(-each)}")
        else:
            lines.append(f"{name}：全年 {count} {unit} / 最低 {minimum} {unit}，已达到")
    for req in breaches:
        count = counts.get(req.item, 0)
        if not count:
            continue
        if annual:
            deduction += each
            lines.append(f"未履行要求 {req.name}（{count} 次），扣 {fmt(-each)}（每项只扣一次）")
        else:
            lines.append(f"未履行要求 {req.name} 已 {count} 次（周期结束时计扣）")
    return deduction, lines


def add_shortfalls(scheme: Scheme, subjects: dict[str, Subject], events: pl.DataFrame, start: date,
                   points: dict, *, annual: bool) -> None:
    """Add each subject's deduction and lines to its minimums component in ``points`` (the
    per-subject ``ComponentEvents`` of core.engine.events, whose ``events`` carry ``_sid``).
    The lines are kept even without the per-event explanation: like a cap, they say why the component moved."""
    from core.engine.events import ComponentEvents  # events imports this module

    rules = scheme.minimums
    if rules is None:
        return
    codes = {code for ind in rules.indicators.values() for code in ind.items}
    codes |= {req.item for req in rules.requirements}
    ids = sorted(subjects)
    counts = item_counts(events, codes, start, ids)
    for sid in ids:
        subject = subjects[sid]
        if subject.exempt:
            continue
        deduction, lines = shortfall(rules, subject, counts.get(sid, {}), annual=annual)
        if not lines:
            continue
        mine = points.setdefault(sid, {}).get(rules.component)
        buckets = list(mine.buckets) if mine is not None else []
        if deduction:
            cut = scaled(deduction)
            for i, (code, bucket, pos, neg) in enumerate(buckets):
                if code is None and bucket == END_BUCKET:
                    buckets[i] = (code, bucket, pos, neg + cut)
                    break
            else:
                buckets.append((None, END_BUCKET, 0, cut))
        shown = (list(mine.lines) if mine is not None else []) + lines
        points[sid][rules.component] = ComponentEvents(tuple(buckets), shown, *((mine.prior, mine.dated) if mine is not None else ()))
