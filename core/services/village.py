"""A village's household track beside its party branch: which tracks a branch runs (the
pages' 积分对象 selector), penalty items that need a 村集体决定, the year-end honours lists
and the 户积分动态管理表 (households × months).

The honours themselves are the engine's flags (``award``/``education``, driven by the
scheme's ``supermarket.award_count``/``education_count``); this module only lists them.
"""

from __future__ import annotations

import datetime as dt

from core import bounds
from core.cycles import cycle_bounds, next_month
from core.io.ledger import branch_name, period_events
from core.scheme import Scheme
from core.scheme.model import Item
from core.scheme_assignments import TRACKS, NoSchemeError, scheme_for, track_of_kind
from core.services.entry_rules import EntryError
from core.services.ledger import KIND_NAMES
from core.services.results import BranchResults
from core.store import Store

# What the pages call each track's subjects (「积分对象：党员 / 农户（乡村治理）/ 义工」).
SUBJECT_NAMES = {"party": "党员", "village": "农户（乡村治理）", "volunteer": "义工"}
# The word a table heads its subjects with: a household is named by its head.
HEAD_WORDS = {"party": "姓名", "village": "户主", "volunteer": "姓名"}


def kinds_of(track: str) -> list[str]:
    """The subject kinds a track scores (``track_of_kind`` read the other way)."""
    return [kind for kind in KIND_NAMES if track_of_kind(kind) == track]


def branch_tracks(store: Store, branch_code: str, day: dt.date) -> list[str]:
    """The tracks with a scheme in force for the branch on ``day`` and subjects to score, in
    ``TRACKS`` order (party first). A work station inherits its township's party scheme but
    has only volunteers: its pages open on them, not on an empty party list. A branch with no
    subjects yet keeps every track with a scheme; one with no scheme gets ["party"], whose
    page says what is missing."""
    found = []
    for track in TRACKS:
        try:
            scheme_for(store, branch_code, day, track)
        except NoSchemeError:
            continue
        found.append(track)
    kinds = {k for (k,) in store.all("SELECT DISTINCT kind FROM members WHERE branch_code = ?"
                                     " AND status IN ('active', 'exempt')", [branch_code])}
    peopled = [t for t in found if any(track_of_kind(k) == t for k in kinds)]
    return peopled or found or ["party"]


def needs_decision(scheme: Scheme, item: Item) -> bool:
    """A 处罚积分 item: a deduction the scheme marks as needing a 村集体决定 (in its name or
    its category's, as village-4class's 处罚 category says 须形成村集体决定)."""
    category = scheme.categories.get(item.category)
    marked = "集体决定" in item.name or (category is not None and "集体决定" in category.name)
    deducts = (item.max is not None and item.max < 0) or (item.points is not None and item.points < 0)
    return marked and deducts


def decision_note(scheme: Scheme, item: Item, decision: str | None, note: str | None) -> str:
    """The note stored with a penalty: the 村集体决定 it rests on comes first and is required
    (a deduction without one is refused, naming the field); other items keep their note."""
    note = bounds.text(note, "备注") or ""
    if not needs_decision(scheme, item):
        return note
    decision = bounds.text(decision, "村集体决定", max_len=bounds.NAME_MAX * 2) or ""
    if not decision:
        raise EntryError(f"「{item.name}」须形成村集体决定：请填写“村集体决定”（会议日期或决定文号）")
    return f"村集体决定：{decision}" + (f"；{note}" if note else "")


def honours(results: BranchResults) -> dict[str, list[dict]]:
    """年终表彰 and 反面教育 lists of a cycle's results, by rank (the engine's flags: this
    cycle's total, never the cumulative points; ties on the last place all included)."""
    head = HEAD_WORDS.get(results.track, "姓名")
    out: dict[str, list[dict]] = {"award": [], "education": []}
    for r in results.output["results"]:
        for flag in out:
            if flag in r["flags"]:
                out[flag].append({"排名": r["rank"], "编号": r["subject"], head: r.get("name") or r["subject"],
                                  "当年积分": r["total"]})
    out["education"].sort(key=lambda row: -(row["排名"] or 0))  # the lowest first
    return out


def honour_counts(scheme: Scheme) -> tuple[int | None, int | None]:
    """(award places, education places) the scheme sets (its overrides included)."""
    market = scheme.supermarket or {}
    return market.get("award_count"), market.get("education_count")


def dynamic_table(store: Store, results: BranchResults) -> dict:
    """户积分动态管理表: one row per household of the results (by rank), the points its
    counting entries brought in each month of the cycle up to the results' end, this cycle's
    total as 积分结果 computes it, the cumulative points where the scheme keeps them, and the
    rank. Returned as a printable dict (title, lines, columns, rows) the PDF and Excel share."""
    scheme = results.scheme
    start = cycle_bounds(scheme.cycle_start, results.cycle)[0]
    end = results.through
    months = []
    day = start
    while day <= end and len(months) < 12:
        months.append((day.year, day.month))
        day = next_month(day)
    labels = {m: f"{m[1]}月" for m in months}
    per: dict[str, dict[tuple[int, int], float]] = {}
    for event in period_events(store, results.branch_code, start, end, scheme):
        when = dt.date.fromisoformat(event["日期"])
        cell = per.setdefault(event["编号"], {})
        cell[(when.year, when.month)] = cell.get((when.year, when.month), 0.0) + (event["分值"] or 0.0)
    houses = dict(store.all("SELECT id, coalesce(house_no, '') FROM members WHERE branch_code = ?",
                            [results.branch_code]))
    head = HEAD_WORDS.get(results.track, "姓名")
    cumulative = any("cumulative" in r for r in results.output["results"])
    rows = []
    for r in results.output["results"]:
        row = {"排名": r["rank"], "门牌号": houses.get(r["subject"], ""), head: r.get("name") or r["subject"]}
        mine = per.get(r["subject"], {})
        for m in months:
            row[labels[m]] = round(mine.get(m, 0.0), 2)
        row["本年度积分"] = r["total"] if r["total"] is not None else r.get("subtotal")
        if cumulative:
            row["累计积分"] = r.get("cumulative")
        rows.append(row)
    columns = ["排名", "门牌号", head] + list(labels.values()) + ["本年度积分"] + (["累计积分"] if cumulative else [])
    branch = branch_name(store, results.branch_code)
    return {"title": f"{branch}户积分动态管理表", "columns": columns, "rows": rows,
            "lines": [f"{results.label}　积分方案：{results.output.get('name', scheme.name)}"
                      f"（版本 {results.output['scheme_version']}）",
                      f"统计范围：{start:%Y-%m-%d} 至 {end:%Y-%m-%d} 已审核通过、未撤销的积分记录；"
                      "各月为当月记录的加减分，本年度积分和排名与“积分结果”一致。"]}
