"""民主评议 and other entered scores: a whole grid validated, then saved in one transaction.

Rows are appended, never updated: the latest row per (member, cycle, component, period,
rater) is the one in force, so a re-save corrects a grid and the earlier values stay
visible in the table and the audit log.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import polars as pl

from core import audit, bounds
from core.auth import require, scope_for
from core.cycles import period_bounds, period_label
from core.decimals import fmt
from core.scheme import EnteredInput, Scheme
from core.scheme_assignments import scheme_for_cycle
from core.services.entry_rules import EntryError, check_unlocked
from core.store import Store

VOTES_MAX = 100_000  # per level: a branch's voters are counted in hundreds, never more
INPUT_NAMES = {"score": "分数", "grade": "等次", "votes": "票数", "rater": "评分"}

# The rows in force: the latest per (member, cycle, component, period, rater).
CURRENT_SCORES_SQL = """
SELECT * FROM scores WHERE id IN (
  SELECT max(id) FROM scores GROUP BY member_id, cycle, component, period, rater)
"""


class GridError(EntryError):
    """A grid with bad rows; ``errors`` holds one message per bad cell, naming the member."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("；".join(errors))


def inputs_for(scheme: Scheme, component: str) -> list[EnteredInput]:
    """The entered-input groups of one component (one per category group)."""
    found = [e for e in scheme.entered_components() if e.id == component]
    if not found:
        raise EntryError(f"方案「{scheme.name}」中没有需要录入的评议项目 {component}")
    return found


def input_for(inputs: list[EnteredInput], category: str | None) -> EnteredInput | None:
    return next((e for e in inputs if e.categories is None or category in e.categories), None)


def save_grid(store: Store, user, branch_code: str, cycle: int, component: str, period: str,
              rows: list[dict], request_key: str | None = None, today: dt.date | None = None) -> int:
    """Validate every row, then store them all or none; returns the number of rows stored.

    A row is ``{"member_id", "value"?, "grade"?, "votes"?: {level: count}, "rater"?}``;
    a row with nothing filled in is skipped, or clears that member's earlier entry.
    """
    require(user, "appraise")
    cycle = bounds.cycle(cycle, today=today)
    if not isinstance(rows, (list, tuple)) or not all(isinstance(r, dict) for r in rows):
        raise EntryError("评议表格格式有误")
    scope_for(store, user).check_org(store, branch_code)
    scheme, _ = scheme_for_cycle(store, branch_code, cycle, today)
    inputs = inputs_for(scheme, component)
    if period not in inputs[0].periods:
        raise EntryError(f"「{inputs[0].name}」按 {'/'.join(inputs[0].periods)} 录入，没有期间 {period}")
    start, end = period_bounds(scheme.cycle_start, cycle, period)
    members = {r[0]: r[1:] for r in store.all(
        "SELECT id, name, category, status FROM members WHERE branch_code = ?", [branch_code])}
    filled = set(store.all(
        f"SELECT member_id, rater FROM ({CURRENT_SCORES_SQL}) sc WHERE branch_code = ? AND cycle = ? AND component = ?"
        " AND period = ? AND (value IS NOT NULL OR grade IS NOT NULL OR votes IS NOT NULL)",
        [branch_code, cycle, component, period]))
    clean, errors, seen = [], [], set()
    for row in rows:
        member_id = row.get("member_id")
        if not isinstance(member_id, str) or member_id not in members:
            errors.append(f"成员 {str(member_id)[:20]}：不在本支部")
            continue
        name, category, status = members[member_id]
        entry = input_for(inputs, category)
        try:
            parsed = parse_row(row, entry, name, category)
        except EntryError as exc:
            errors.append(str(exc))
            continue
        if parsed is None:
            # A cell emptied in the grid clears what was saved before (an empty row in force).
            if (member_id, row.get("rater")) in filled:
                clean.append({"member_id": member_id, "value": None, "grade": None, "votes": None,
                              "rater": row.get("rater")})
            continue
        if status != "active":
            errors.append(f"{name}：{'免于评星' if status == 'exempt' else '已转出'}，不参加评议")
            continue
        key = (member_id, parsed["rater"])
        if key in seen:
            errors.append(f"{name}：同一{'评分人' if parsed['rater'] else '成员'}重复录入")
            continue
        seen.add(key)
        clean.append({"member_id": member_id, **parsed})
    if errors:
        raise GridError(errors)
    if not clean:
        raise EntryError("表格中没有填写任何内容")
    batch = request_key or uuid.uuid4().hex

    def work(cur) -> int:
        done = cur.execute("SELECT count(*) FROM scores WHERE batch_id = ?", [batch]).fetchone()[0]
        if done:
            return done
        check_unlocked(cur, branch_code, start, end)
        before = {r[0]: {"value": r[1], "grade": r[2], "votes": r[3], "rater": r[4]} for r in cur.execute(
            f"SELECT member_id, value, grade, votes, rater FROM ({CURRENT_SCORES_SQL}) q"
            " WHERE branch_code = ? AND cycle = ? AND component = ? AND period = ?",
            [branch_code, cycle, component, period]).fetchall()}
        cur.executemany(
            "INSERT INTO scores(member_id, branch_code, cycle, component, period, rater, value, grade, votes,"
            " entered_by, batch_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[r["member_id"], branch_code, cycle, component, period, r["rater"], r["value"], r["grade"],
              None if r["votes"] is None else json.dumps(r["votes"], ensure_ascii=False), user.username, batch]
             for r in clean])
        audit.record(cur, user.username, "scores.save", entity="scores", entity_id=batch, org_code=branch_code,
                     before=before or None,
                     after={"cycle": cycle, "component": component, "period": period, "rows": len(clean),
                            "scheme": f"{scheme.id}@{scheme.version}"},
                     reason=f"{period_label(scheme, cycle, period)}{inputs[0].name}")
        return len(clean)

    return store.write(work)


def parse_row(row: dict, entry: EnteredInput | None, name: str, category: str | None) -> dict | None:
    value, grade, votes, rater = row.get("value"), row.get("grade"), row.get("votes"), row.get("rater")
    if votes is not None and not isinstance(votes, dict) or rater is not None and not isinstance(rater, str):
        raise EntryError(f"{name}：票数或评分人格式有误")
    if _blank(value) and _blank(grade) and not any(v not in (None, "", 0) for v in (votes or {}).values()):
        return None
    if entry is None:
        raise EntryError(f"{name}：类别「{category or '未分类'}」不参加此项评议")
    out = {"value": None, "grade": None, "votes": None, "rater": None}
    if entry.kind == "grade":
        if not isinstance(grade, str) or grade not in entry.grades:
            raise EntryError(f"{name}：等次应为 {'/'.join(entry.grades)} 之一，填写的是「{str(grade)[:20]}」")
        out["grade"] = grade
    elif entry.kind == "votes":
        out["votes"] = _votes(votes or {}, entry, name)
    else:
        if entry.kind == "rater":
            if not isinstance(rater, str) or rater not in entry.raters:
                raise EntryError(f"{name}：评分人应为 {'/'.join(entry.raters)} 之一")
            out["rater"] = rater
        out["value"] = _score(value, entry, name)
    return out


def _score(value, entry: EnteredInput, name: str) -> Decimal:
    try:
        number = bounds.number(value, "分数")
    except EntryError:
        raise EntryError(f"{name}：分数应为数字（最多两位小数），填写的是「{str(value)[:20]}」") from None
    low = entry.min if entry.min is not None else Decimal(0)
    if number < low or (entry.max is not None and number > entry.max):
        top = fmt(entry.max) if entry.max is not None else "不限"
        raise EntryError(f"{name}：分数应在 {fmt(low)}～{top} 之间，填写的是 {fmt(number)}")
    return number


def _votes(votes: dict, entry: EnteredInput, name: str) -> dict[str, int]:
    if not isinstance(votes, dict):
        raise EntryError(f"{name}：票数格式有误")
    unknown = [str(k)[:20] for k in votes if k not in entry.vote_levels]
    if unknown:
        raise EntryError(f"{name}：未知票档 {'/'.join(unknown)}")
    out = {}
    for level in entry.vote_levels:
        count = votes.get(level)
        count = 0 if _blank(count) else count
        if isinstance(count, float) and count.is_integer():
            count = int(count)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise EntryError(f"{name}：「{level}」票数应为非负整数，填写的是「{str(count)[:20]}」")
        if count > VOTES_MAX:
            raise EntryError(f"{name}：「{level}」票数最多 {VOTES_MAX}")
        out[level] = count
    if sum(out.values()) == 0:
        raise EntryError(f"{name}：票数合计为 0")
    return out


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and value != value)


def current_scores(store: Store, branch_code: str, cycle: int, component: str | None = None,
                   period: str | None = None) -> pl.DataFrame:
    """The score rows in force for a branch and cycle (optionally one component/period)."""
    sql = (f"SELECT member_id, component, period, rater, value, grade, votes, entered_by, entered_at"
           f" FROM ({CURRENT_SCORES_SQL}) sc WHERE branch_code = ? AND cycle = ?")
    params: list = [branch_code, cycle]
    for column, value in (("component", component), ("period", period)):
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    return store.frame(sql + " ORDER BY member_id, component, period, rater", params)
