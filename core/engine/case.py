"""Checking and normalising the case JSON before any scoring.

Messages name the field and the row (``events[3].points: ...``) so a branch
recorder can find the bad line. Events are checked as one Polars frame so a
county-sized case is validated without a Python loop over events.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import polars as pl

from core.cycles import PERIODS, period_of
from core.decimals import SCALE, fmt, scaled, to_decimal, unscaled
from core.scheme.model import Scheme

RATINGS = ("满意", "基本满意", "不满意")
EVENT_COLUMNS = ("subject", "item", "date", "count", "points", "rating", "fraud")


class CaseError(ValueError):
    def __init__(self, field: str, row: int | None, message: str):
        self.field, self.row = field, row
        where = field if row is None else f"{field.split('.')[0]}[{row}].{field.split('.', 1)[1]}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Subject:
    id: str
    branch: str
    kind: str
    category: str | None
    probationary: bool
    exempt: bool
    joined_branch: date | None
    approved_on: date | None
    name: str | None


@dataclass(frozen=True)
class Score:
    row: int
    subject: str
    component: str
    period: str
    value: Decimal | None
    grade: str | None
    votes: dict[str, int] | None
    rater: str | None


@dataclass(frozen=True)
class Case:
    cycle: int
    subjects: dict[str, Subject]
    events: pl.DataFrame  # row, subject, item, date, count and points (both scaled Int64: hundredths), rating, fraud
    scores: list[Score]
    vetoes: list[tuple[int, str, str, date]]
    history: dict[str, dict[int, tuple[str | None, int | None]]]
    exchanges: list[tuple[str, date, Decimal]]

    def until(self, day: date, cycle_end: date) -> "Case":
        """The case as counted on ``day`` inside the cycle: later events and vetoes of the
        cycle are left out (not yet happened, so not "outside the cycle"); events after the
        cycle's end stay, to be warned about as usual."""
        keep = (pl.col("date") <= day) | (pl.col("date") > cycle_end)
        return replace(self, events=self.events.filter(keep),
                       vetoes=[v for v in self.vetoes if v[3] <= day or v[3] > cycle_end])


def _date(value, field: str, row: int | None, allow_none=False) -> date | None:
    if value is None and allow_none:
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise CaseError(field, row, f"日期格式错误（应为 YYYY-MM-DD）: {value!r}")


def _bool(value, field: str, row: int | None) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise CaseError(field, row, f"应为 true 或 false: {value!r}")
    return value


def _text(value, field: str, row: int | None, allow_none=False) -> str | None:
    if value is None and allow_none:
        return None
    if not isinstance(value, str) or not value:
        raise CaseError(field, row, f"应为非空文本: {value!r}")
    return value


def _number(value, field: str, row: int | None) -> Decimal:
    try:
        return to_decimal(value)
    except ValueError:
        raise CaseError(field, row, f"应为数字: {value!r}") from None


def _rows(case: dict, name: str) -> list[dict]:
    value = case.get(name) or []
    if isinstance(value, pl.DataFrame):
        value = value.to_dicts()
    if not isinstance(value, list):
        raise CaseError(f"{name}", None, "应为列表")
    for i, row in enumerate(value):
        if not isinstance(row, dict):
            raise CaseError(f"{name}.(行)", i, "每一行应为对象")
    return value


def _subjects(scheme: Scheme, case: dict) -> dict[str, Subject]:
    out: dict[str, Subject] = {}
    for i, row in enumerate(_rows(case, "subjects")):
        sid = _text(row.get("id"), "subjects.id", i)
        if sid in out:
            raise CaseError("subjects.id", i, f"对象编号重复: {sid}")
        kind = row.get("kind") or scheme.subject_kinds[0]
        if kind not in scheme.subject_kinds:
            raise CaseError(
                "subjects.kind", i, f"方案 {scheme.id} 不适用于对象类型 {kind}（可选: {', '.join(scheme.subject_kinds)}）"
            )
        category = _text(row.get("category"), "subjects.category", i, allow_none=True)
        missing_ok = category is None and not scheme.category_required  # scored by the default rules
        if scheme.subject_categories and category not in scheme.subject_categories and not missing_ok:
            raise CaseError(
                "subjects.category", i, f"类别应为 {'/'.join(scheme.subject_categories)}: {category!r}"
            )
        out[sid] = Subject(
            id=sid,
            branch=_text(row.get("branch"), "subjects.branch", i),
            kind=kind,
            category=category,
            probationary=_bool(row.get("probationary"), "subjects.probationary", i),
            exempt=_bool(row.get("exempt"), "subjects.exempt", i),
            joined_branch=_date(row.get("joined_branch"), "subjects.joined_branch", i, True),
            approved_on=_date(row.get("approved_on"), "subjects.approved_on", i, True),
            name=row.get("name"),
        )
    return out


def _count(value, i: int) -> int:
    """An event's count in hundredths, like points: volunteer service counts hours, and
    half-hours (1.5) are allowed (SCHEMES.md: ``count`` means hours for volunteer service)."""
    if value is None:
        return SCALE
    try:
        hundredths = scaled(to_decimal(value))
    except ValueError:
        hundredths = None
    if hundredths is None or hundredths <= 0:
        raise CaseError("events.count", i, f"次数/数量应为正数（最多两位小数）: {value!r}")
    return hundredths


def _events_frame(raw) -> pl.DataFrame:
    """Typed frame from a list of dicts or a DataFrame; type errors name the row."""
    if isinstance(raw, pl.DataFrame):
        df = raw
        for col in ("subject", "item", "date"):
            if col not in df.columns:
                raise CaseError(f"events.{col}", None, "缺少此列")
    else:
        if not isinstance(raw, list):
            raise CaseError("events", None, "应为列表")
        cols: dict[str, list] = {c: [] for c in EVENT_COLUMNS}
        for i, row in enumerate(raw):
            if not isinstance(row, dict):
                raise CaseError("events.(行)", i, "每一行应为对象")
            cols["subject"].append(_text(row.get("subject"), "events.subject", i))
            cols["item"].append(_text(row.get("item"), "events.item", i))
            cols["date"].append(_date(row.get("date"), "events.date", i))
            cols["count"].append(_count(row.get("count", 1), i))
            points = row.get("points")
            if points is not None:
                try:
                    points = scaled(to_decimal(points))
                except ValueError:
                    raise CaseError("events.points", i, f"应为数字（最多两位小数）: {points!r}") from None
            cols["points"].append(points)
            rating = row.get("rating")
            if rating is not None and rating not in RATINGS:
                raise CaseError("events.rating", i, f"评价应为 {'/'.join(RATINGS)}: {rating!r}")
            cols["rating"].append(rating)
            cols["fraud"].append(_bool(row.get("fraud"), "events.fraud", i))
        schema = {"subject": pl.String, "item": pl.String, "date": pl.Date, "count": pl.Int64,
                  "points": pl.Int64, "rating": pl.String, "fraud": pl.Boolean}
        return pl.DataFrame(cols, schema=schema).with_row_index("row")
    return _typed_frame(df)


def _at_row(df: pl.DataFrame, row: int) -> dict:
    return df.filter(pl.col("row") == row).row(0, named=True)


def _typed_frame(df: pl.DataFrame) -> pl.DataFrame:
    df = df.with_row_index("row")
    for col, default in (("count", 1), ("points", None), ("rating", None), ("fraud", False)):
        if col not in df.columns:
            df = df.with_columns(pl.lit(default).alias(col))
    date_expr = pl.col("date")
    if df.schema["date"] == pl.String:
        date_expr = pl.col("date").str.to_date("%Y-%m-%d", strict=False)
    elif df.schema["date"] != pl.Date:
        date_expr = pl.col("date").cast(pl.Date, strict=False)
    points = pl.col("points")
    if df.schema["points"] in (pl.String, pl.Null):
        points = points.cast(pl.Float64, strict=False)
    typed = df.with_columns(
        date_expr.alias("_date"),
        (points.cast(pl.Float64, strict=False) * SCALE).alias("_p"),
        (pl.col("count").fill_null(1).cast(pl.Float64, strict=False) * SCALE).alias("_count"),
        pl.col("fraud").fill_null(False).cast(pl.Boolean, strict=False).alias("_fraud"),
    )
    checks = [
        ("events.subject", pl.col("subject").is_null(), "缺少对象编号"),
        ("events.item", pl.col("item").is_null(), "缺少项目代码"),
        ("events.date", pl.col("_date").is_null(), "日期格式错误（应为 YYYY-MM-DD）"),
        ("events.count", pl.col("_count").is_null() | (pl.col("_count") <= 0), "次数/数量应为正数"),
        ("events.count", (pl.col("_count") - pl.col("_count").round()).abs() > 1e-6, "次数/数量最多两位小数"),
        ("events.points", pl.col("points").is_not_null() & pl.col("_p").is_null(), "应为数字"),
        ("events.points", (pl.col("_p") - pl.col("_p").round()).abs() > 1e-6, "最多两位小数"),
        ("events.rating", pl.col("rating").is_not_null() & ~pl.col("rating").is_in(RATINGS),
         f"评价应为 {'/'.join(RATINGS)}"),
    ]
    first = typed.select(pl.col("row").filter(mask).min().alias(str(i)) for i, (_, mask, _) in enumerate(checks)).row(0)
    for (field, _, message), row in zip(checks, first):  # each check's first bad row, in one pass
        if row is not None:
            raise CaseError(field, row, message)
    return typed.select(
        "row",
        pl.col("subject").cast(pl.String),
        pl.col("item").cast(pl.String),
        pl.col("_date").alias("date"),
        pl.col("_count").round().cast(pl.Int64).alias("count"),
        pl.col("_p").round().cast(pl.Int64).alias("points"),
        pl.col("rating").cast(pl.String),
        pl.col("_fraud").alias("fraud"),
    )


def _check_events(scheme: Scheme, subjects: dict[str, Subject], df: pl.DataFrame) -> None:
    """Semantic checks against the scheme, each giving its first bad row. One pass over the
    events gives each item's first rows and its least and greatest points, and the item
    checks run on those (a county's 800k events have a few dozen items); the members are
    looked up by id. Only the events of an item that some of the case's kinds may not earn
    are joined to their members' kinds (none, in most schemes)."""
    items = list(scheme.items.values())
    table = pl.DataFrame(
        {
            "item": [i.code for i in items],
            "_range": [i.is_range for i in items],
            "_min": [None if i.min is None else scaled(i.min) for i in items],
            "_max": [None if i.max is None else scaled(i.max) for i in items],
            "_per_unit": [i.frequency == "per_unit" for i in items],
        },
        schema={"item": pl.String, "_range": pl.Boolean, "_min": pl.Int64, "_max": pl.Int64, "_per_unit": pl.Boolean},
    )
    row, points = pl.col("row"), pl.col("points")
    per_item = df.group_by("item").agg(
        row.min().alias("_first"),
        row.filter(points.is_not_null()).min().alias("_valued"),
        points.is_null().any().alias("_blank"),
        points.min().alias("_low"),
        points.max().alias("_high"),
        row.filter(pl.col("count") % SCALE != 0).min().alias("_fraction"),
    ).join(table, on="item", how="left")
    automatic = [i.code for i in items if i.automatic]
    ranged = pl.col("_range") & (pl.col("_blank") | (pl.col("_low") < pl.col("_min")) | (pl.col("_high") > pl.col("_max")))
    # Reported in this order. Only a per-unit item (hours of service, workers) may count a
    # fraction; occurrences are whole. An item's first row may be in range: its first bad
    # row is found below.
    checks = {
        "item": (pl.col("_range").is_null(), "_first"),
        "automatic": (pl.col("item").is_in(automatic), "_first"),
        "fixed": (~pl.col("_range") & pl.col("_valued").is_not_null(), "_valued"),
        "range": (ranged, "_first"),
        "whole": (~pl.col("_per_unit") & pl.col("_fraction").is_not_null(), "_fraction"),
    }
    first = per_item.select(pl.col(at).filter(mask).min().alias(name) for name, (mask, at) in checks.items()).row(0, named=True)
    first = {"subject": df.filter(~pl.col("subject").is_in(list(subjects)))["row"].min(),
             "item": first.pop("item"), "kind": _wrong_kind(items, subjects, df), **first}
    name = next((name for name, at in first.items() if at is not None), None)
    if name is None:
        return
    row = first[name]
    if name == "range":
        bounds = per_item.filter(ranged).select("item", "_min", "_max")
        row = (df.join(bounds, on="item")
               .filter(points.is_null() | (points < pl.col("_min")) | (points > pl.col("_max")))["row"].min())
    r = _at_row(df, row)
    if name == "subject":
        raise CaseError("events.subject", row, f"未知对象 {r['subject']}")
    code = r["item"]
    if name == "item":
        hint = "（这是一票否决事项，请写入 vetoes）" if code in scheme.vetoes else ""
        raise CaseError("events.item", row, f"方案 {scheme.id} 中没有项目 {code}{hint}")
    if name == "kind":
        raise CaseError("events.item", row, f"项目 {code} 不适用于对象类型 {subjects[r['subject']].kind}")
    if name == "automatic":
        raise CaseError("events.item", row, f"项目 {code} 每周期自动给分，不能录入")
    item = scheme.items[code]
    if name == "fixed":
        raise CaseError("events.points", row, f"固定分值项目 {code} 不能填写分值（固定为 {fmt(item.points)}）")
    if name == "range":
        raise CaseError("events.points", row, f"区间项目 {item.code} 必须填写分值 ({fmt(item.min)}..{fmt(item.max)})")
    raise CaseError("events.count", row, f"项目 {code} 按次计分，次数应为整数: {fmt(unscaled(r['count']))}")


def _wrong_kind(items: list, subjects: dict[str, Subject], df: pl.DataFrame) -> int | None:
    """The first event of an item its member's kind may not earn (e.g. a 党员 item entered for
    a household), looking only at the items some kind of the case may not earn."""
    present = {s.kind for s in subjects.values()}
    narrow = [i.code for i in items if not present <= set(i.kinds)]
    if not narrow:
        return None
    known = pl.DataFrame({"subject": list(subjects), "_kind": [s.kind for s in subjects.values()]},
                         schema={"subject": pl.String, "_kind": pl.String})
    allowed = pl.DataFrame([(i.code, k) for i in items for k in i.kinds],
                           schema={"item": pl.String, "_kind": pl.String}, orient="row")
    return (df.filter(pl.col("item").is_in(narrow)).join(known, on="subject")
            .join(allowed, on=["item", "_kind"], how="anti")["row"].min())


def _scores(scheme: Scheme, case: dict, subjects: dict[str, Subject]) -> list[Score]:
    out: list[Score] = []
    seen: set[tuple] = set()
    checked: dict[tuple, tuple] = {}  # a row's fields and category → what _score_fields made of them
    for i, row in enumerate(_rows(case, "scores")):
        sid = _text(row.get("subject"), "scores.subject", i)
        if sid not in subjects:
            raise CaseError("scores.subject", i, f"未知对象 {sid}")
        category = subjects[sid].category
        value = row.get("value")
        # A county's 19,530 entries repeat a few thousand (component, period, grade or value)
        # combinations: each is checked once. A vote tally (a dict) is checked every time.
        key = (row.get("component"), category, row.get("period"), type(value), value, row.get("grade"),
               row.get("rater")) if row.get("votes") is None else None
        try:
            fields = checked.get(key) if key is not None else None
        except TypeError:  # an unhashable field: checked below, where it is refused by name
            key = fields = None
        if fields is None:
            fields = _score_fields(scheme, row, category, i)
            if key is not None:
                checked[key] = fields
        cid, period, value, grade, votes, rater = fields
        key = (sid, cid, period, rater)
        if key in seen:
            raise CaseError("scores.period", i, f"重复录入: {sid} {cid} {period}{' ' + rater if rater else ''}")
        seen.add(key)
        out.append(Score(i, sid, cid, period, value, grade, votes, rater))
    return out


def _score_fields(scheme: Scheme, row: dict, category: str | None, i: int) -> tuple:
    """(component, period, value, grade, votes, rater) of entry ``i``, checked against the scheme
    and the member's category."""
    cid = _text(row.get("component"), "scores.component", i)
    comp = scheme.components.get(cid)
    if comp is None or comp.input == "items":
        names = ", ".join(c.id for c in scheme.components.values() if c.input != "items")
        raise CaseError("scores.component", i, f"方案 {scheme.id} 中没有录入型组成部分 {cid}（可选: {names}）")
    if not comp.applies_to(category):
        raise CaseError("scores.component", i, f"{cid} 不适用于类别 {category}")
    period = row.get("period") or "cycle"
    if period not in PERIODS:
        period = period_of(scheme.cycle_start, _date(period, "scores.period", i), comp.periods)
    if period not in comp.periods:
        raise CaseError("scores.period", i, f"{cid} 的期间应为 {'/'.join(comp.periods)}，实为 {period}")
    value = grade = votes = rater = None
    if comp.input in ("score", "rater"):
        if row.get("value") is None:
            raise CaseError("scores.value", i, f"{cid} 需要填写分值")
        value = _number(row.get("value"), "scores.value", i)
        high = comp.max_for(category)
        if (comp.min is not None and value < comp.min) or (high is not None and value > high):
            raise CaseError("scores.value", i, f"{cid} 的分值应在 {fmt(comp.min or 0)}..{fmt(high)} 之间: {fmt(value)}")
    if comp.input == "rater":
        rater = row.get("rater")
        if rater not in comp.raters:
            raise CaseError("scores.rater", i, f"评分人应为 {'/'.join(comp.raters)}: {rater!r}")
    if comp.input == "grade":
        grade = row.get("grade")
        if grade not in comp.grades:
            raise CaseError("scores.grade", i, f"等次应为 {'/'.join(comp.grades)}: {grade!r}")
    if comp.input == "votes":
        votes = row.get("votes")
        if not isinstance(votes, dict) or not votes:
            raise CaseError("scores.votes", i, "应为 {票档: 票数} 对象")
        counted: dict[str, int] = {}
        for level, count in votes.items():
            if level not in comp.levels and level not in comp.level_aliases:
                raise CaseError("scores.votes", i, f"未知票档 {level}（可选: {'/'.join(comp.levels)}）")
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise CaseError("scores.votes", i, f"票数应为非负整数: {level}={count!r}")
            target = comp.level_aliases.get(level, level)  # e.g. 一般 counted as 合格
            counted[target] = counted.get(target, 0) + count
        votes = counted
    return cid, period, value, grade, votes, rater


def normalise_case(scheme: Scheme, case: dict) -> Case:
    if not isinstance(case, dict):
        raise CaseError("case", None, "应为 JSON 对象")
    cycle = case.get("cycle")
    if isinstance(cycle, bool) or not isinstance(cycle, int) or not 1900 < cycle < 3000:
        raise CaseError("cycle", None, f"应为年份整数: {cycle!r}")
    subjects = _subjects(scheme, case)
    events = _events_frame(case.get("events") if case.get("events") is not None else [])
    _check_events(scheme, subjects, events)
    vetoes = []
    for i, row in enumerate(_rows(case, "vetoes")):
        sid = _text(row.get("subject"), "vetoes.subject", i)
        if sid not in subjects:
            raise CaseError("vetoes.subject", i, f"未知对象 {sid}")
        code = _text(row.get("item"), "vetoes.item", i)
        if code not in scheme.vetoes:
            raise CaseError("vetoes.item", i, f"方案 {scheme.id} 中没有一票否决事项 {code}")
        vetoes.append((i, sid, code, _date(row.get("date"), "vetoes.date", i)))
    history: dict[str, dict[int, tuple]] = {}
    for i, row in enumerate(_rows(case, "history")):
        sid = _text(row.get("subject"), "history.subject", i)
        past = row.get("cycle")
        if isinstance(past, bool) or not isinstance(past, int):
            raise CaseError("history.cycle", i, f"应为年份整数: {past!r}")
        grade, stars = row.get("grade"), row.get("stars")
        if grade is not None and grade not in scheme.grade_names:
            raise CaseError("history.grade", i, f"未知等次 {grade}（可选: {'/'.join(scheme.grade_names)}）")
        if stars is not None and (isinstance(stars, bool) or not isinstance(stars, int)):
            raise CaseError("history.stars", i, f"星级应为整数: {stars!r}")
        history.setdefault(sid, {})[past] = (grade, stars)
    exchanges = []
    for i, row in enumerate(_rows(case, "exchanges")):
        sid = _text(row.get("subject"), "exchanges.subject", i)
        if sid not in subjects:
            raise CaseError("exchanges.subject", i, f"未知对象 {sid}")
        exchanges.append((sid, _date(row.get("date"), "exchanges.date", i), _number(row.get("points"), "exchanges.points", i)))
    return Case(cycle, subjects, events, _scores(scheme, case, subjects), vetoes, history, exchanges)


def validate_case(scheme: Scheme, case: dict) -> None:
    normalise_case(scheme, case)
