"""The ``[editable]`` table of a scheme file: what a township may change and within which
bounds (issue 12, "Schemes a township can tune, safely"). A file without it allows nothing.

    [editable]
    items = { daily = [-10, -1], award_city = [2, 6] }  # by category or item code: new points in [lo, hi]
    caps = { "component:reward" = [5, 20] }              # by the cap's target: the limit
    quotas = { "优秀" = [10, 20], "5" = [5, 10] }         # by grade name or star count: the percent
    grade_bands = [60, 100]                               # every grade band's minimum
    weights = { daily = [0.5, 0.9] }                      # component weights (needs total.weights_sum)

Only the shape is checked here (every key names something the scheme has, lo <= hi); the
values a template ships with are checked against its bounds by the tests, so ``simulate
--set`` may still try a value outside them.
"""

from __future__ import annotations

from decimal import Decimal

from core.scheme.reader import Reader

SECTIONS = ("items", "caps", "quotas", "grade_bands", "weights")


def _bounds(r: Reader, value, key: str) -> tuple[Decimal, Decimal]:
    if not isinstance(value, list) or len(value) != 2:
        r.fail(key, "可调整范围应写成 [下限, 上限]")
    pair = {"lo": value[0], "hi": value[1]}
    lo, hi = r.number(pair, "lo", key, required=True), r.number(pair, "hi", key, required=True)
    if lo > hi:
        r.fail(key, f"可调整范围的下限 {lo} 大于上限 {hi}")
    return lo, hi


def editable_table(r: Reader, raw: dict, *, items, categories, caps, quotas, components, grade_bands,
                   weights_sum) -> dict:
    """``{"items": {code: (lo, hi)}, "caps": {target: ...}, "quotas": {grade or stars: ...},
    "grade_bands": (lo, hi) | None, "weights": {component: ...}}``; empty when not declared."""
    table = r.table(raw, "editable")
    if not table:
        return {}
    unknown = [k for k in table if k not in SECTIONS]
    if unknown:
        r.fail(f"editable.{unknown[0]}", f"未知的可调整内容，可选: {', '.join(SECTIONS)}")
    known = {
        "items": (set(items) | set(categories), "项目或类别"),
        "caps": ({cap.target for cap in caps}, "封顶（target）"),
        "quotas": ({q.grade if q.grade is not None else str(q.stars) for q in quotas}, "名额（等次或星数）"),
        "weights": (set(components), "组成部分"),
    }
    out: dict = {}
    for section, (names, what) in known.items():
        spec = r.table(table, f"editable.{section}")
        for name, value in spec.items():
            if name not in names:
                r.fail(f"editable.{section}.{name}", f"方案中没有这个{what}: {name}")
        out[section] = {name: _bounds(r, value, f"editable.{section}.{name}") for name, value in spec.items()}
    if out["weights"] and weights_sum is None:
        r.fail("editable.weights", "可调整权重的方案须写明权重之和（total.weights_sum）")
    bands = table.get("grade_bands")
    if bands is not None and not grade_bands:
        r.fail("editable.grade_bands", "方案没有等次分档（grading.bands）")
    out["grade_bands"] = _bounds(r, bands, "editable.grade_bands") if bands is not None else None
    return out
