"""Named predicates that scheme files use for flags, streaks, star limits and
branch warnings, e.g. ``when = { total_at_least = 60, total_below = 70 }``.

Every key of a ``when`` table must hold for the rule to fire. Keeping the
vocabulary here lets the loader reject unknown keys and lets the engine stay
free of template names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core.decimals import to_decimal


@dataclass
class Facts:
    """What a condition may read about one subject's result."""

    total: Decimal | None
    grade: str | None
    stars: int | None
    rank: int | None
    rank_from_bottom: int | None
    probationary: bool
    joined_branch: date | None
    cycle_end: date
    dimension_mean: Decimal | None
    kind_mean: Decimal | None
    previous_grade: str | None
    period_stars: dict[str, int] = field(default_factory=dict)
    period: str | None = None
    vetoed: bool = False
    flags: list[str] = field(default_factory=list)  # raised so far, in the scheme's rule order


def _months_before_end(cycle_end: date, months: int) -> date:
    """The day that lies ``months`` whole months before the end of the cycle."""
    index = cycle_end.year * 12 + cycle_end.month - months  # month after end, minus N
    return date(index // 12, index % 12 + 1, 1)


def _num(f, arg, attr, op):
    value = getattr(f, attr)
    return value is not None and op(value, to_decimal(arg))


CONDITIONS = {
    "total_at_least": lambda f, a: _num(f, a, "total", lambda v, x: v >= x),
    "total_below": lambda f, a: _num(f, a, "total", lambda v, x: v < x),
    "total_above": lambda f, a: _num(f, a, "total", lambda v, x: v > x),
    "stars_at_least": lambda f, a: _num(f, a, "stars", lambda v, x: v >= x),
    "stars_at_most": lambda f, a: _num(f, a, "stars", lambda v, x: v <= x),
    "stars_equal": lambda f, a: _num(f, a, "stars", lambda v, x: v == x),
    "grade_in": lambda f, a: f.grade in a,
    "probationary": lambda f, a: bool(f.probationary) == bool(a),
    "rank_at_most": lambda f, a: f.rank is not None and f.rank <= a,
    "rank_from_bottom_at_most": lambda f, a: f.rank_from_bottom is not None and f.rank_from_bottom <= a,
    "above_kind_mean": lambda f, a: (
        f.total is not None and f.kind_mean is not None and (f.total > f.kind_mean) == bool(a)
    ),
    "joined_within_months": lambda f, a: (
        f.joined_branch is not None and f.joined_branch > _months_before_end(f.cycle_end, a)
    ),
    # only with a grade on record for the previous cycle: a first cycle raises nothing
    "previous_grade_not_in": lambda f, a: f.previous_grade is not None and f.previous_grade not in a,
    "dimension_mean_at_most": lambda f, a: _num(f, a, "dimension_mean", lambda v, x: v <= x),
    "period_stars_equal": lambda f, a: f.period_stars.get(f.period) == a,
    "period_stars_at_most": lambda f, a: f.period_stars.get(f.period, 0) <= a,
    "all_periods_stars_equal": lambda f, a: bool(f.period_stars)
    and all(v == a for v in f.period_stars.values()),
    "periods_with_stars": lambda f, a: sum(1 for v in f.period_stars.values() if v == a["stars"])
    >= a["at_least"],
    "vetoed": lambda f, a: bool(f.vetoed) == bool(a),
    "without_flag": lambda f, a: a not in f.flags,
}

# The value type each key expects, for the loader's messages.
CONDITION_TYPES = {
    "total_at_least": "number", "total_below": "number", "total_above": "number", "stars_at_least": "int",
    "stars_at_most": "int", "stars_equal": "int", "grade_in": "grades", "probationary": "bool",
    "rank_at_most": "int", "rank_from_bottom_at_most": "int", "above_kind_mean": "bool",
    "joined_within_months": "int", "previous_grade_not_in": "grades",
    "dimension_mean_at_most": "number", "period_stars_equal": "int",
    "period_stars_at_most": "int", "all_periods_stars_equal": "int",
    "periods_with_stars": "table", "vetoed": "bool", "without_flag": "text",
}


def holds(when: dict, facts: Facts) -> bool:
    return all(CONDITIONS[key](facts, arg) for key, arg in when.items())


def _flag(code: str) -> str:
    from core.engine.labels import flag_label  # the engine package imports this module

    return flag_label(code)


def _grades(names) -> str:
    return "、".join(names)


# How each condition reads in an explanation line ("总分不低于 60，低于 70"), never key=value.
DESCRIBE = {
    "total_at_least": lambda a: f"总分不低于 {a}",
    "total_below": lambda a: f"总分低于 {a}",
    "total_above": lambda a: f"总分高于 {a}",
    "stars_at_least": lambda a: f"{a} 星及以上",
    "stars_at_most": lambda a: f"{a} 星及以下",
    "stars_equal": lambda a: f"{a} 星",
    "grade_in": lambda a: f"等次为{_grades(a)}",
    "probationary": lambda a: "预备党员" if a else "正式党员",
    "rank_at_most": lambda a: f"排名前 {a} 名",
    "rank_from_bottom_at_most": lambda a: f"排名倒数 {a} 名以内",
    "above_kind_mean": lambda a: "高于同类平均分" if a else "不高于同类平均分",
    "joined_within_months": lambda a: f"转入本支部不满 {a} 个月",
    "previous_grade_not_in": lambda a: f"上一周期等次不是{_grades(a)}",
    "dimension_mean_at_most": lambda a: f"各维度平均分不高于 {a}",
    "period_stars_equal": lambda a: f"本期 {a} 星",
    "period_stars_at_most": lambda a: f"本期 {a} 星及以下",
    "all_periods_stars_equal": lambda a: f"各期均为 {a} 星",
    "periods_with_stars": lambda a: f"已有 {a['at_least']} 期恰为 {a['stars']} 星",
    "vetoed": lambda a: "有一票否决事项" if a else "无一票否决事项",
    "without_flag": lambda a: f"未列入{_flag(a)}",
}


def describe(when: dict) -> str:
    return "，".join(DESCRIBE[key](value) if key in DESCRIBE else f"{key}={value}" for key, value in when.items())
