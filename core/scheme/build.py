"""Turn a parsed scheme dict into a validated ``Scheme``: the sections are read by
``core.scheme.sections`` and checked against each other here (ranking keys, quotas, vetoes,
flags, streaks, warnings)."""

from __future__ import annotations

from decimal import Decimal

from core.scheme.editable import editable_table
from core.scheme.model import (
    COMMITTEE_BODIES, VETO_EFFECTS, WORKFLOW_STEPS, BranchWarning, Category, Component, FlagRule, Quota, Scheme,
    Streak, Veto, Workflow,
)
from core.scheme.reader import Reader, SchemeError, bands, when_table
from core.cycles import PERIODS
from core.scheme.sections import caps_table, component, items_table, minimums_table, period_list

RANK_KEYS = ("total", "stars", "dimension_sum")

__all__ = ["SchemeError", "build_scheme"]


def build_scheme(raw: dict, source: str) -> Scheme:
    r = Reader(source)
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
        comp = component(r, i, data)
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
    items = items_table(r, raw, components, categories, kinds)
    subject_categories = r.strings(raw, "subject_categories", "")
    for code, item in items.items():
        unknown = [c for c in item.subject_categories or () if subject_categories and c not in subject_categories]
        if unknown:
            r.fail(f"items.{code}.subject_categories", f"未知对象类别 {', '.join(unknown)}")
    caps = caps_table(r, raw, components, categories, items)

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
    grade_bands = bands(r, grading.get("bands"), "grading.bands", "name")
    grade_basis = r.text(grading, "basis", "grading", "total", ("total", "stars"))
    stars = r.table(raw, "stars")
    star_basis = r.text(stars, "basis", "stars", choices=("total", "dimensions")) if stars else None
    star_bands = bands(r, stars.get("bands"), "stars.bands", "stars")
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
        when = when_table(r, data.get("when"), f"{key}.when", grade_names)
        streaks.append(Streak(name, cycles, when, data.get("flag") or f"streak:{name}"))
    flags = [
        FlagRule(
            r.text(data, "name", f"flags[{i}]"),
            when_table(r, data.get("when"), f"flags[{i}].when", grade_names),
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
            when_table(r, data.get("when"), f"branch_warnings[{i}].when", grade_names),
            r.number(data, "min_share", f"branch_warnings[{i}]"),
            r.number(data, "max_share", f"branch_warnings[{i}]"),
            r.integer(data, "min_subjects", f"branch_warnings[{i}]", 1),
        )
        for i, data in enumerate(raw.get("branch_warnings", []))
    ]
    limits = tuple(
        {"when": when_table(r, d.get("when"), f"stars.limits[{i}].when", grade_names),
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
        minimums=minimums_table(r, raw, components, items, r.strings(raw, "subject_categories", "")),
        graded_periods=period_list(r, raw, "graded_periods"),
        publish_periods=period_list(r, raw, "publish_periods"),
        path=source,
        raw=raw,
        self_declare=bool(raw.get("self_declare", False)),
        editable=editable_table(r, raw, items=items, categories=categories, caps=caps, quotas=quotas,
                                components=components, grade_bands=grade_bands, weights_sum=total.get("weights_sum")),
        workflow=workflow_table(r, raw),
    )


def workflow_table(r: Reader, raw: dict) -> Workflow:
    """``[workflow]``: the review steps after 支部初评, in order; a file without it gets the default."""
    data = r.table(raw, "workflow")
    if not data:
        return Workflow()
    default = Workflow()
    steps = r.strings(data, "steps", "workflow", list(default.steps))
    unknown = [s for s in steps if s not in WORKFLOW_STEPS]
    if unknown:
        r.fail("workflow.steps", f"未知步骤 {', '.join(unknown)}，可选: {', '.join(WORKFLOW_STEPS)}")
    if len(set(steps)) != len(steps):
        r.fail("workflow.steps", "步骤重复")
    if steps != sorted(steps, key=WORKFLOW_STEPS.index):
        r.fail("workflow.steps", f"步骤顺序应为 {' → '.join(WORKFLOW_STEPS)}，实为 {' → '.join(steps)}")
    committee = r.text(data, "committee", "workflow", default.committee)
    if committee not in COMMITTEE_BODIES:
        r.fail("workflow.committee", f"未知审核机构 {committee}，可选: {', '.join(COMMITTEE_BODIES)}")
    periods = r.strings(data, "township_periods", "workflow", list(default.township_periods))
    bad = [p for p in periods if p not in PERIODS]
    if bad:
        r.fail("workflow.township_periods", f"未知期间 {', '.join(bad)}，可选: {', '.join(PERIODS)}")
    if "township" in steps and not periods:
        r.fail("workflow.township_periods", "有上级党委审核步骤时，至少要有一个报送期间")
    interval = data.get("review_interval_days")
    if interval is not None:
        interval = r.integer(data, "review_interval_days", "workflow")
        if interval < 1:
            r.fail("workflow.review_interval_days", "审核间隔天数至少为 1")
    return Workflow(
        steps=tuple(steps),
        committee=committee,
        township_periods=tuple(p for p in PERIODS if p in periods),
        review_interval_days=interval,
    )


