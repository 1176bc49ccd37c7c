"""The sections of a scheme file, each read and checked on its own: components, items,
caps, minimum counts and period lists (``build_scheme`` puts them together)."""

from __future__ import annotations

from core.cycles import MONTHS, PERIODS, QUARTERS
from core.scheme.model import FREQUENCIES, INPUT_KINDS, Cap, Category, Component, Indicator, Item, Minimums, Requirement
from core.scheme.reader import Reader

AGGREGATES = ("sum", "mean_all", "mean_entered", "latest")  # latest: held at the end (每月评定)


def component(r: Reader, i: int, data: dict) -> Component:
    key = f"components[{i}]"
    if not isinstance(data, dict):
        r.fail(key, "应为表")
    cid = r.text(data, "id", key)
    key = f"components.{cid}"
    kind = r.text(data, "input", key, choices=INPUT_KINDS)
    default_periods = ["cycle"]
    periods = r.strings(data, "periods", key, default_periods)
    for p in periods:
        if p not in PERIODS:
            r.fail(f"{key}.periods", f"未知期间 {p}，可选: {', '.join(PERIODS)}")
    if kind == "items" and periods not in (["cycle"], list(QUARTERS)):
        r.fail(f"{key}.periods", "事项型组成只能按 cycle 或 Q1..Q4 计算")
    if data.get("aggregate") == "latest" and not (
            len(periods) > 1 and all(p in MONTHS for p in periods if p != "cycle")):
        r.fail(f"{key}.aggregate", "latest（取最近一次评定）只用于按月评定的组成（M1..M12，可加 cycle）")
    low, high = r.number(data, "min", key), r.number(data, "max", key)
    if low is not None and high is not None and low > high:
        r.fail(key, f"最小值 {low} 大于最大值 {high}")
    floor, ceiling = r.number(data, "floor", key), r.number(data, "ceiling", key)
    if floor is not None and ceiling is not None and floor > ceiling:
        r.fail(key, f"下限 floor {floor} 大于上限 ceiling {ceiling}")
    raters = r.number_map(data, "raters", key)
    if kind == "rater":
        if not raters:
            r.fail(f"{key}.raters", "评分人权重不能为空")
        if sum(raters.values()) != 1:
            r.fail(f"{key}.raters", f"评分人权重之和应为 1，实为 {sum(raters.values())}")
    grades = r.number_map(data, "grades", key)
    if kind == "grade" and not grades:
        r.fail(f"{key}.grades", "等次对应分值不能为空")
    levels = r.number_map(data, "levels", key)
    if kind == "votes" and not levels:
        r.fail(f"{key}.levels", "票档分值不能为空")
    aliases = r.table(data, f"{key}.level_aliases")
    for alias, target in aliases.items():
        if alias in levels or target not in levels:
            r.fail(f"{key}.level_aliases.{alias}", f"应指向已有票档（{', '.join(levels)}），且本身不是票档")
    by_cat = r.number_map(data, "max_by_category", key)
    categories = r.strings(data, "categories", key)
    if by_cat and categories is None:
        categories = list(by_cat)
    sets = data.get("sets")
    if sets is not None and (kind != "grade" or sets not in ("grade", "flag")):
        r.fail(f"{key}.sets", "只有等次型（grade）组成部分可以设 sets，取值 grade 或 flag")
    flag_names = r.table(data, f"{key}.flags")
    if sets == "flag":
        missing = [g for g in grades if not isinstance(flag_names.get(g), str) or not flag_names.get(g)]
        if missing:
            r.fail(f"{key}.flags", f"每个等次都要对应一个标记名，缺少: {', '.join(missing)}")
    return Component(
        id=cid,
        name=r.text(data, "name", key),
        input=kind,
        periods=tuple(periods),
        aggregate=r.text(data, "aggregate", key, "sum" if periods == ["cycle"] else "mean_all", AGGREGATES),
        base=r.number(data, "base", key, 0),
        floor=floor,
        ceiling=ceiling,
        min=low,
        max=high,
        max_by_category=by_cat,
        grades=grades,
        levels=levels,
        raters=raters,
        categories=tuple(categories) if categories is not None else None,
        missing_warning=data.get("missing_warning"),
        dimension=bool(data.get("dimension", False)),
        sets=sets,
        flag_names=dict(flag_names) if sets == "flag" else {},
        level_aliases=dict(aliases),
        missing_period_warning=period_option(r, data, key, kind, periods, "missing_period_warning"),
        skip_before_approval=bool(period_option(r, data, key, kind, periods, "skip_before_approval")),
    )


def period_option(r: Reader, data: dict, key: str, kind: str, periods: list[str], name: str):
    """An option of an entered component scored per period (not for the cycle alone)."""
    value = data.get(name)
    if value is not None and (kind == "items" or periods == ["cycle"]):
        r.fail(f"{key}.{name}", "只适用于按期间录入的组成部分（periods 不是 cycle）")
    if name == "missing_period_warning" and value is not None and (not isinstance(value, str) or not value):
        r.fail(f"{key}.{name}", "应为非空文本（提示代码）")
    if name == "skip_before_approval" and value is not None and not isinstance(value, bool):
        r.fail(f"{key}.{name}", "应为 true 或 false")
    return value


def items_table(r: Reader, raw: dict, components, categories, kinds) -> dict[str, Item]:
    items: dict[str, Item] = {}
    for code, data in r.table(raw, "items").items():
        key = f"items.{code}"
        if not isinstance(data, dict):
            r.fail(key, "应为表")
        comp = r.text(data, "component", key)
        if comp not in components:
            r.fail(f"{key}.component", f"未知组成部分 {comp}")
        if components[comp].input != "items":
            r.fail(f"{key}.component", f"组成部分 {comp} 不是事项型（items）")
        category = r.text(data, "category", key, comp)
        if category not in categories:
            # an undeclared category is a plain sum named after itself
            name = components[comp].name if category == comp else category
            categories[category] = Category(category, name, "sum")
        points = r.number(data, "points", key)
        rng = data.get("range")
        low = high = None
        if rng is not None:
            if points is not None:
                r.fail(key, "points 与 range 只能二选一")
            if not isinstance(rng, list) or len(rng) != 2:
                r.fail(f"{key}.range", "应为 [最小值, 最大值]")
            low, high = (r.number({"v": v}, "v", f"{key}.range") for v in rng)
            if low > high:
                r.fail(f"{key}.range", f"最小值 {low} 大于最大值 {high}")
        elif points is None:
            r.fail(key, "缺少 points（固定分值）或 range（区间）")
        item_kinds = r.strings(data, "kinds", key, kinds)
        unknown = [k for k in item_kinds if k not in kinds]
        if unknown:
            r.fail(f"{key}.kinds", f"未知对象类型 {', '.join(unknown)}")
        rated = r.table(data, f"{key}.rated")
        items[code] = Item(
            code=code,
            name=r.text(data, "name", key),
            category=category,
            component=comp,
            points=points,
            min=low,
            max=high,
            frequency=r.text(data, "frequency", key, "per_event", FREQUENCIES),
            kinds=tuple(item_kinds),
            automatic=bool(data.get("automatic", False)),
            withheld_by_veto=bool(data.get("withheld_by_veto", False)),
            earn_ratings=tuple(r.strings(rated, "earn", f"{key}.rated")) if rated else None,
            unrated_warning=rated.get("warning") if rated else None,
            subject_categories=tuple(cats) if (cats := r.strings(data, "subject_categories", key)) else None,
        )
        if items[code].automatic and items[code].is_range:
            r.fail(f"{key}.automatic", "自动给分的项目必须是固定分值")
        if items[code].subject_categories is not None and not items[code].automatic:
            r.fail(f"{key}.subject_categories", "只有自动给分的项目（automatic）按对象类别给分")
    return items


def caps_table(r: Reader, raw: dict, components, categories, items) -> tuple[Cap, ...]:
    caps = []
    for i, data in enumerate(raw.get("caps", [])):
        key = f"caps[{i}]"
        target = r.text(data, "target", key)
        level, _, ref = target.partition(":")
        known = {"item": items, "category": categories, "component": components}.get(level)
        if known is None:
            r.fail(f"{key}.target", "应写成 item:代码、category:代码 或 component:代码")
        if ref not in known:
            what = {"item": "项目", "category": "类别", "component": "组成部分"}[level]
            r.fail(f"{key}.target", f"封顶指向不存在的{what} {ref}")
        limit = r.number(data, "limit", key, required=True)
        if limit < 0:
            r.fail(f"{key}.limit", "封顶值不能为负")
        caps.append(
            Cap(
                target=target,
                period=r.text(data, "period", key, choices=("quarter", "cycle")),
                sign=r.text(data, "sign", key, "positive", ("positive", "negative")),
                limit=limit,
                name=r.text(data, "name", key, target),
                subject_categories=tuple(cats) if (cats := r.strings(data, "subject_categories", key)) else None,
            )
        )
    return tuple(caps)


def period_list(r: Reader, raw: dict, name: str) -> tuple[str, ...]:
    """A list of periods in cycle order; "cycle" is always there (every template grades and
    publishes its cycle), so a file that names none means the cycle alone."""
    given = r.strings(raw, name, "", ["cycle"])
    unknown = [p for p in given if p not in PERIODS]
    if unknown:
        r.fail(name, f"未知期间 {', '.join(unknown)}，可选: {', '.join(PERIODS)}")
    return tuple(p for p in PERIODS if p in given or p == "cycle")


def minimums_table(r: Reader, raw: dict, components, items, categories) -> Minimums | None:
    """``[minimums]``: counted indicators, the minimum of each per subject category, and
    requirements whose breach events deduct once (see core/engine/minimums.py)."""
    data = r.table(raw, "minimums")
    if not data:
        return None
    key = "minimums"
    comp = r.text(data, "component", key)
    if comp not in components or components[comp].input != "items":
        r.fail(f"{key}.component", f"应为事项型组成部分，实为 {comp}")
    deduction = r.number(data, "deduction", key, required=True)
    if deduction > 0:
        r.fail(f"{key}.deduction", "扣分应为负数或 0")
    unit = r.text(data, "unit", key, "次")
    indicators: dict[str, Indicator] = {}
    for name, spec in r.table(data, f"{key}.indicators", required=True).items():
        at = f"{key}.indicators.{name}"
        if not isinstance(spec, dict):
            r.fail(at, "应为表，如 { items = [\"org_life\"] }")
        codes = r.strings(spec, "items", at)
        if not codes:
            r.fail(f"{at}.items", "缺少计数项目")
        unknown = [c for c in codes if c not in items]
        if unknown:
            r.fail(f"{at}.items", f"未知项目 {', '.join(unknown)}")
        indicators[name] = Indicator(name, tuple(codes), r.text(spec, "unit", at, unit))
    by_category: dict[str, dict[str, int]] = {}
    for cat, counts in r.table(data, f"{key}.by_category").items():
        at = f"{key}.by_category.{cat}"
        if categories and cat not in categories:
            r.fail(at, f"未知对象类别 {cat}")
        if not isinstance(counts, dict):
            r.fail(at, "应为表，如 { 组织生活 = 12 }")
        for name in counts:
            if name not in indicators:
                r.fail(f"{at}.{name}", f"未知指标 {name}（可选: {', '.join(indicators)}）")
        by_category[cat] = {name: r.integer(counts, name, at) for name in counts}
    requirements = []
    for i, spec in enumerate(data.get("requirements", [])):
        at = f"{key}.requirements[{i}]"
        if not isinstance(spec, dict):
            r.fail(at, "应为表")
        item = r.text(spec, "item", at)
        if item not in items:
            r.fail(f"{at}.item", f"未知项目 {item}")
        cats = r.strings(spec, "categories", at) or []
        unknown = [c for c in cats if categories and c not in categories]
        if unknown:
            r.fail(f"{at}.categories", f"未知对象类别 {', '.join(unknown)}")
        requirements.append(Requirement(r.text(spec, "name", at), item, tuple(cats)))
    return Minimums(comp, deduction, indicators, by_category, tuple(requirements))
