"""Turn a parsed scheme dict into a validated ``Scheme``.

Every rejection is a ``SchemeError`` whose Chinese message names the file and
the key path, so whoever edits a template sees exactly what to fix.
"""

from __future__ import annotations

from decimal import Decimal

from core.conditions import CONDITION_TYPES
from core.cycles import MONTHS, PERIODS, QUARTERS
from core.decimals import scaled, to_decimal
from core.scheme.model import (
    FREQUENCIES,
    INPUT_KINDS,
    VETO_EFFECTS,
    Band,
    BranchWarning,
    Cap,
    Category,
    Component,
    FlagRule,
    Indicator,
    Item,
    Minimums,
    Quota,
    Requirement,
    Scheme,
    Streak,
    Veto,
)

AGGREGATES = ("sum", "mean_all", "mean_entered", "latest")  # latest: held at the end (每月评定)
RANK_KEYS = ("total", "stars", "dimension_sum")


class SchemeError(ValueError):
    """A broken scheme; the message says which file and which key."""

    def __init__(self, source: str, key: str, message: str):
        self.source, self.key = source, key
        super().__init__(f"方案文件 {source} 的 {key}: {message}")


def _at(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


class _Reader:
    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, message: str):
        raise SchemeError(self.source, key, message)

    def table(self, data, key: str, required=False) -> dict:
        value = data.get(key.rsplit(".", 1)[-1]) if isinstance(data, dict) else None
        if value is None:
            if required:
                self.fail(key, "缺少此项")
            return {}
        if not isinstance(value, dict):
            self.fail(key, "应为表（table）")
        return value

    def text(self, data: dict, name: str, key: str, default=None, choices=None) -> str:
        value = data.get(name, default)
        if value is None:
            self.fail(_at(key, name), "缺少此项")
        if not isinstance(value, str) or not value:
            self.fail(_at(key, name), "应为非空文本")
        if choices is not None and value not in choices:
            self.fail(_at(key, name), f"未知取值 {value}，可选: {', '.join(choices)}")
        return value

    def number(self, data: dict, name: str, key: str, default=None, required=False) -> Decimal | None:
        value = data.get(name, default)
        if value is None:
            if required:
                self.fail(_at(key, name), "缺少此项")
            return None
        try:
            result = to_decimal(value)
            scaled(result)
        except ValueError as exc:
            self.fail(_at(key, name), f"应为数字（最多两位小数）: {exc}")
        return result

    def integer(self, data: dict, name: str, key: str, default=None) -> int:
        value = data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(_at(key, name), "应为非负整数")
        return value

    def strings(self, data: dict, name: str, key: str, default=None) -> list[str] | None:
        value = data.get(name, default)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(_at(key, name), "应为文本列表")
        return list(value)

    def number_map(self, data: dict, name: str, key: str) -> dict[str, Decimal]:
        table = self.table(data, _at(key, name))
        return {k: self.number(table, k, _at(key, name), required=True) for k in table}


def _bands(r: _Reader, rows, key: str, label_key: str) -> tuple[Band, ...]:
    """Ordered best→worst; each band's ``below`` (if given) must meet the
    previous band's ``min`` exactly, otherwise there is a gap or an overlap."""
    if rows is None:
        return ()
    if not isinstance(rows, list) or not rows:
        r.fail(key, "应为非空的分档列表")
    bands: list[Band] = []
    for i, row in enumerate(rows):
        at = f"{key}[{i}]"
        if not isinstance(row, dict):
            r.fail(at, "应为表")
        if row.get("none"):
            label = None
        elif label_key == "stars":
            label = r.integer(row, "stars", at)
        else:
            label = r.text(row, label_key, at)
        low = r.number(row, "min", at)
        below = r.number(row, "below", at)
        if low is None and i != len(rows) - 1:
            r.fail(f"{at}.min", "只有最后一档可以不设下限")
        if low is not None and below is not None and low >= below:
            r.fail(at, f"下限 {low} 不小于上限 {below}（最小值大于最大值）")
        if bands:
            prev = bands[-1]
            if low is not None and low >= prev.min:
                r.fail(f"{at}.min", f"与上一档重叠：下限 {low} 不低于上一档下限 {prev.min}")
            if below is not None and below < prev.min:
                r.fail(f"{at}.below", f"分档有缺口：{below} 到 {prev.min} 之间没有归属")
            if below is not None and below > prev.min:
                r.fail(f"{at}.below", f"分档重叠：上限 {below} 高于上一档下限 {prev.min}")
        elif below is not None:
            r.fail(f"{at}.below", "第一档（最高档）不应设上限")
        bands.append(Band(label, low, below))
    labels = [b.label for b in bands if b.label is not None]
    if len(set(labels)) != len(labels):
        r.fail(key, "档名重复")
    return tuple(bands)


def _when(r: _Reader, when, key: str, grade_names: set[str]) -> dict:
    if not isinstance(when, dict) or not when:
        r.fail(key, "应为非空条件表")
    for name, arg in when.items():
        kind = CONDITION_TYPES.get(name)
        at = _at(key, name)
        if kind is None:
            r.fail(at, f"未知条件 {name}，可选: {', '.join(CONDITION_TYPES)}")
        if kind == "int" and (isinstance(arg, bool) or not isinstance(arg, int)):
            r.fail(at, "应为整数")
        if kind == "number":
            r.number(when, name, key)
        if kind == "bool" and not isinstance(arg, bool):
            r.fail(at, "应为 true 或 false")
        if kind == "grades":
            r.strings(when, name, key)
            unknown = [g for g in arg if g not in grade_names]
            if unknown:
                r.fail(at, f"未知等次: {', '.join(unknown)}")
        if kind == "text" and (not isinstance(arg, str) or not arg):
            r.fail(at, "应为非空文本")
        if kind == "table" and set(arg) != {"stars", "at_least"}:
            r.fail(at, "应为 { stars = n, at_least = m }")
    return dict(when)


def _component(r: _Reader, i: int, data: dict) -> Component:
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
        missing_period_warning=_period_option(r, data, key, kind, periods, "missing_period_warning"),
        skip_before_approval=bool(_period_option(r, data, key, kind, periods, "skip_before_approval")),
    )


def _period_option(r: _Reader, data: dict, key: str, kind: str, periods: list[str], name: str):
    """An option of an entered component scored per period (not for the cycle alone)."""
    value = data.get(name)
    if value is not None and (kind == "items" or periods == ["cycle"]):
        r.fail(f"{key}.{name}", "只适用于按期间录入的组成部分（periods 不是 cycle）")
    if name == "missing_period_warning" and value is not None and (not isinstance(value, str) or not value):
        r.fail(f"{key}.{name}", "应为非空文本（提示代码）")
    if name == "skip_before_approval" and value is not None and not isinstance(value, bool):
        r.fail(f"{key}.{name}", "应为 true 或 false")
    return value


def _items(r: _Reader, raw: dict, components, categories, kinds) -> dict[str, Item]:
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


def _caps(r: _Reader, raw: dict, components, categories, items) -> tuple[Cap, ...]:
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


def build_scheme(raw: dict, source: str) -> Scheme:
    r = _Reader(source)
    sid = r.text(raw, "id", "")
    kinds = r.strings(raw, "subject_kinds", "", ["member"])
    cycle_start = r.text(raw, "cycle_start", "", "01-01")
    if cycle_start not in ("01-01", "07-01"):
        r.fail("cycle_start", f"积分周期起点只能是 01-01 或 07-01，实为 {cycle_start}")
    comps_raw = raw.get("components")
    if not isinstance(comps_raw, list) or not comps_raw:
        r.fail("components", "至少要有一个组成部分（[[components]]）")
    components: dict[str, Component] = {}
    for i, data in enumerate(comps_raw):
        comp = _component(r, i, data)
        if comp.id in components:
            r.fail(f"components.{comp.id}", "组成部分 id 重复")
        components[comp.id] = comp
    categories = {
        code: Category(
            code,
            r.text(data, "name", f"categories.{code}"),
            r.text(data, "combine", f"categories.{code}", "sum", ("sum", "max")),
        )
        for code, data in r.table(raw, "categories").items()
    }
    items = _items(r, raw, components, categories, kinds)
    subject_categories = r.strings(raw, "subject_categories", "")
    for code, item in items.items():
        unknown = [c for c in item.subject_categories or () if subject_categories and c not in subject_categories]
        if unknown:
            r.fail(f"items.{code}.subject_categories", f"未知对象类别 {', '.join(unknown)}")
    caps = _caps(r, raw, components, categories, items)

    total = r.table(raw, "total")
    weights = r.number_map(total, "weights", "total")
    by_category = {
        cat: r.number_map(spec, "weights", f"total.by_category.{cat}")
        for cat, spec in r.table(total, "total.by_category").items()
    }
    for at, table in [("total.weights", weights)] + [
        (f"total.by_category.{c}.weights", w) for c, w in by_category.items()
    ]:
        for cid in table:
            if cid not in components:
                r.fail(f"{at}.{cid}", f"未知组成部分 {cid}")
    if total.get("weights_sum") is not None:
        required = r.number(total, "weights_sum", "total")
        parts = r.strings(total, "weights_sum_of", "total", list(weights))
        got = sum((weights.get(c, Decimal(0)) for c in parts), Decimal(0))
        if got != required:
            r.fail("total.weights", f"权重之和应为 {required}，实为 {got}")
    total_enabled = bool(total.get("enabled", True))
    if total_enabled and not weights:
        r.fail("total.weights", "缺少总分权重（若无总分请写 enabled = false）")
    t_floor, t_ceiling = r.number(total, "floor", "total"), r.number(total, "ceiling", "total")
    if t_floor is not None and t_ceiling is not None and t_floor > t_ceiling:
        r.fail("total", f"下限 floor {t_floor} 大于上限 ceiling {t_ceiling}")

    grading = r.table(raw, "grading")
    grade_bands = _bands(r, grading.get("bands"), "grading.bands", "name")
    grade_basis = r.text(grading, "basis", "grading", "total", ("total", "stars"))
    stars = r.table(raw, "stars")
    star_basis = r.text(stars, "basis", "stars", choices=("total", "dimensions")) if stars else None
    star_bands = _bands(r, stars.get("bands"), "stars.bands", "stars")
    if star_basis == "total" and not star_bands:
        r.fail("stars.bands", "按总分定星需要分档表")
    if star_basis == "dimensions" and not any(c.dimension for c in components.values()):
        r.fail("stars.basis", "按维度定星，但没有组成部分标记为 dimension = true")
    if (star_basis or grade_basis == "stars") and not total_enabled and star_basis is None:
        r.fail("stars", "按星级定等次需要 [stars] 配置")
    grade_names = {b.label for b in grade_bands if b.label is not None}

    vetoes = {}
    for code, data in r.table(raw, "vetoes").items():
        key = f"vetoes.{code}"
        effect = r.text(data, "effect", key, choices=VETO_EFFECTS)
        grade = data.get("grade")
        if effect == "force_grade" and grade not in grade_names:
            r.fail(f"{key}.grade", f"force_grade 需要指向已定义的等次，实为 {grade}")
        vetoes[code] = Veto(code, r.text(data, "name", key), effect, grade)

    quotas = []
    for i, data in enumerate(raw.get("quotas", [])):
        key = f"quotas[{i}]"
        grade, star = data.get("grade"), data.get("stars")
        if (grade is None) == (star is None):
            r.fail(key, "名额须指定 grade 或 stars 之一")
        if grade is not None and grade not in grade_names:
            r.fail(f"{key}.grade", f"未知等次 {grade}")
        percent = r.number(data, "percent", key, required=True)
        if not 0 <= percent <= 100:
            r.fail(f"{key}.percent", "百分比应在 0..100 之间")
        quotas.append(
            Quota(grade, star, percent, r.integer(data, "minimum", key, 0), r.text(data, "name", key, key))
        )

    rank_keys = r.strings(r.table(raw, "ranking") or {"keys": None}, "keys", "ranking") or (
        ["total"] if total_enabled else ["stars", "dimension_sum"]
    )
    for k in rank_keys:
        if k not in RANK_KEYS and k not in components:
            r.fail("ranking.keys", f"未知排序键 {k}")

    streaks = []
    for i, data in enumerate(raw.get("streaks", [])):
        key = f"streaks[{i}]"
        name = r.text(data, "name", key)
        cycles = r.integer(data, "cycles", key)
        if cycles < 2:
            r.fail(f"{key}.cycles", "连续周期数至少为 2")
        when = _when(r, data.get("when"), f"{key}.when", grade_names)
        streaks.append(Streak(name, cycles, when, data.get("flag") or f"streak:{name}"))
    flags = [
        FlagRule(
            r.text(data, "name", f"flags[{i}]"),
            _when(r, data.get("when"), f"flags[{i}].when", grade_names),
            bool(data.get("per_period", False)),
            bool(data.get("in_periods", False)),
        )
        for i, data in enumerate(raw.get("flags", []))
    ]
    market = r.table(raw, "supermarket")
    for count_key, flag, condition, extra in (
            # An award needs points: households tied at 0 would otherwise all sit "in the top N".
            ("award_count", "award", "rank_at_most", {"total_above": 0}),
            # the education list never takes an awarded household (a small village: shorter or empty)
            ("education_count", "education", "rank_from_bottom_at_most", {"without_flag": "award"})):
        if market.get(count_key) is not None:
            # 年终表彰前 N 名 / 反面教育末 N 名 are flags driven by these counts
            flags.append(FlagRule(flag, {condition: r.integer(market, count_key, "supermarket"), **extra}))
    warnings = [
        BranchWarning(
            r.text(data, "code", f"branch_warnings[{i}]"),
            r.text(data, "message", f"branch_warnings[{i}]"),
            _when(r, data.get("when"), f"branch_warnings[{i}].when", grade_names),
            r.number(data, "min_share", f"branch_warnings[{i}]"),
            r.number(data, "max_share", f"branch_warnings[{i}]"),
            r.integer(data, "min_subjects", f"branch_warnings[{i}]", 1),
        )
        for i, data in enumerate(raw.get("branch_warnings", []))
    ]
    limits = tuple(
        {"when": _when(r, d.get("when"), f"stars.limits[{i}].when", grade_names),
         "max": r.integer(d, "max", f"stars.limits[{i}]")}
        for i, d in enumerate(stars.get("limits", []))
    )
    fraud = r.table(raw, "fraud")
    decisions = r.strings(raw, "decisions", "", [])
    source_table = r.table(raw, "source", required=True)
    for name in ("seed", "section"):
        r.text(source_table, name, "source")
    return Scheme(
        id=sid,
        name=r.text(raw, "name", ""),
        version=str(raw.get("version") or r.fail("version", "缺少版本号")),
        source=source_table,
        decisions=decisions,
        cycle_start=cycle_start,
        subject_kinds=kinds,
        subject_categories=r.strings(raw, "subject_categories", ""),
        cumulative=bool(raw.get("cumulative", False)),
        components=components,
        categories=categories,
        items=items,
        caps=caps,
        total_enabled=total_enabled,
        total_weights=weights,
        total_by_category=by_category,
        total_floor=t_floor,
        total_ceiling=t_ceiling,
        grade_basis=grade_basis,
        grade_bands=grade_bands,
        star_basis=star_basis,
        star_bands=star_bands,
        star_threshold=r.number(stars, "threshold", "stars"),
        star_limits=limits,
        quotas=tuple(quotas),
        rank_keys=tuple(rank_keys),
        vetoes=vetoes,
        streaks=tuple(streaks),
        flag_rules=tuple(flags),
        branch_warnings=tuple(warnings),
        fraud_factor=r.number(fraud, "factor", "fraud"),
        supermarket=market or None,
        publicity_min_days=r.integer(raw, "publicity_min_days", "", 7),
        objection_working_days=r.integer(raw, "objection_working_days", "", 7),
        category_required=bool(raw.get("category_required", True)),
        minimums=_minimums(r, raw, components, items, r.strings(raw, "subject_categories", "")),
        graded_periods=_period_list(r, raw, "graded_periods"),
        publish_periods=_period_list(r, raw, "publish_periods"),
        path=source,
        raw=raw,
    )


def _period_list(r: _Reader, raw: dict, name: str) -> tuple[str, ...]:
    """A list of periods in cycle order; "cycle" is always there (every template grades and
    publishes its cycle), so a file that names none means the cycle alone."""
    given = r.strings(raw, name, "", ["cycle"])
    unknown = [p for p in given if p not in PERIODS]
    if unknown:
        r.fail(name, f"未知期间 {', '.join(unknown)}，可选: {', '.join(PERIODS)}")
    return tuple(p for p in PERIODS if p in given or p == "cycle")


def _minimums(r: _Reader, raw: dict, components, items, categories) -> Minimums | None:
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
