"""成员档案: one member's timeline (events, meetings, scores, vetoes), totals and grades per
cycle (computed, and history typed in or finalised), and the explanation of a cycle."""

from __future__ import annotations

import datetime as dt

import polars as pl

from core.auth.scope import Scope
from core.cycles import PERIODS, cycle_bounds, cycle_label, cycle_of, period_label
from core.engine.components import RATER_NAMES
from core.metrics import scores
from core.scheme import Scheme, list_schemes
from core.scheme_assignments import NoSchemeError, scheme_for, track_of_kind
from core.services.ledger import STATUS_NAMES, STATUS_SQL
from core.services.results import branch_results, explain_lines
from core.store import Store

TIMELINE_SQL = f"""
SELECT e.date, '积分' AS kind, e.item AS what,
       coalesce(CAST(e.points AS VARCHAR), '') || CASE WHEN e.count <> 1 THEN ' ×' || CAST(e.count AS VARCHAR) ELSE '' END AS detail,
       {STATUS_SQL} AS status, coalesce(e.note, '') AS note
FROM events e LEFT JOIN event_reviews r ON r.event_id = e.id WHERE e.member_id = ?
UNION ALL
SELECT a.date, '活动', a.title, '', t.status, a.type
FROM attendance t JOIN activities a ON a.id = t.activity_id WHERE t.member_id = ?
UNION ALL
SELECT coalesce(CASE WHEN s.period LIKE '____-__-__' THEN CAST(s.period AS DATE) END, CAST(s.entered_at AS DATE)),
       '评议/评分', s.component,
       coalesce(s.grade, CAST(s.value AS VARCHAR), CAST(s.votes AS VARCHAR), ''), coalesce(s.rater, ''),
       s.cycle || ':' || s.period
FROM scores s WHERE s.member_id = ?
UNION ALL
SELECT v.date, '一票否决', v.item, '', CASE WHEN v.reverses IS NULL THEN '有效' ELSE '撤销' END, v.evidence
FROM vetoes v WHERE v.member_id = ?
"""
ATTENDANCE_NAMES = {"present": "出席", "leave": "请假", "absent": "缺席"}


def profile(store: Store, scope: Scope, member_id: str) -> dict:
    """The member's record (refused, and audited, outside the user's scope)."""
    scope.check_member(store, member_id)
    row = store.one(
        "SELECT m.id, m.name, m.branch_code, b.name, m.category, m.status, m.probationary, m.department,"
        " m.joined_branch, m.kind FROM members m JOIN orgs b ON b.code = m.branch_code WHERE m.id = ?", [member_id])
    keys = ("id", "name", "branch", "branch_name", "category", "status", "probationary", "department", "joined_branch",
            "kind")
    out = dict(zip(keys, row))
    out["track"] = track_of_kind(out["kind"] or "member")  # a household's file reads its village scheme
    return out


def _scheme_of(store: Store, member: dict, today: dt.date) -> Scheme | None:
    try:
        return scheme_for(store, member["branch"], today, member.get("track", "party"))[0]
    except NoSchemeError:
        return None


def code_names(scheme: Scheme | None) -> dict[str, str]:
    """Item, component and veto codes → their Chinese names: the member's scheme first, then
    every template (a record may predate a change of scheme)."""
    names: dict[str, str] = {}
    for s in ([scheme] if scheme else []) + list_schemes():
        for table in (s.items, s.components, s.vetoes):
            for code, thing in table.items():
                names.setdefault(code, thing.name)
    return names


def _score_note(scheme: Scheme | None, key: str) -> str:
    """'2025:H1' → '2025—2026年度（2025-07-01至2026-06-30）前半年（7—12月）'."""
    cycle, period = key.split(":", 1)
    if scheme is None or period not in PERIODS:
        return f"{cycle}年度"
    return period_label(scheme, int(cycle), period)


def timeline(store: Store, member: dict, offset: int, limit: int, today: dt.date | None = None
             ) -> tuple[pl.DataFrame, int]:
    """A page of the member's timeline, newest first, and the number of rows in all; items,
    components and vetoes by their Chinese names, score periods with their dates."""
    params = [member["id"]] * 4
    total = store.scalar(f"SELECT count(*) FROM ({TIMELINE_SQL}) q", params)
    frame = store.frame(f"SELECT * FROM ({TIMELINE_SQL}) q ORDER BY 1 DESC, 2, 3 LIMIT ? OFFSET ?",
                        params + [limit, offset])
    scheme = _scheme_of(store, member, today or dt.date.today())
    names = code_names(scheme)
    scored = pl.col("kind") == "评议/评分"
    return frame.with_columns(
        what=pl.col("what").replace(names),
        status=pl.when(scored).then(pl.col("status").replace(RATER_NAMES))
        .otherwise(pl.col("status").replace(STATUS_NAMES | ATTENDANCE_NAMES)),
        note=pl.when(scored).then(pl.col("note").map_elements(lambda k: _score_note(scheme, k), return_dtype=pl.String))
        .otherwise(pl.col("note"))), total


def cycles(store: Store, member: dict, today: dt.date) -> list[int]:
    """Cycles with data for the member, newest first, up to the current one."""
    try:
        current = cycle_of(scheme_for(store, member["branch"], today, member.get("track", "party"))[0].cycle_start, today)
    except NoSchemeError:
        return []
    first = store.scalar("SELECT CAST(min(extract(year FROM date)) AS INTEGER) FROM events WHERE member_id = ?", [member["id"]]) or current
    return list(range(current, min(first, current) - 2, -1))


def per_cycle(store: Store, member: dict, today: dt.date) -> pl.DataFrame:
    """cycle, total, grade, stars, rank, source, label: computed from the ledger, or the
    history record for cycles before the ledger (typed in, or finalised)."""
    rows = []
    scheme = _scheme_of(store, member, today)
    for cycle in cycles(store, member, today):
        r = _computed(store, member, cycle, today)
        if r is not None:
            # a cycle not yet ended has a grade only so far (积分结果 says the same of its 全年)
            running = scheme is not None and cycle_bounds(scheme.cycle_start, cycle)[1] >= today
            rows.append({"cycle": cycle, "total": r["total"], "grade": r["grade"], "stars": r["stars"],
                         "rank": r["rank"], "source": "台账计算（本年度未结束，暂定）" if running else "台账计算"})
    computed = {r["cycle"] for r in rows}
    for cycle, grade, stars, total, source in store.all(
            "SELECT cycle, grade, stars, CAST(total AS DOUBLE), source FROM ("
            " SELECT *, row_number() OVER (PARTITION BY cycle ORDER BY recorded_at DESC) AS rn"
            " FROM cycle_history WHERE member_id = ?) h WHERE rn = 1 ORDER BY cycle DESC",
            [member["id"]]):
        if cycle not in computed:
            rows.append({"cycle": cycle, "total": total, "grade": grade, "stars": stars, "rank": None,
                         "source": "归档结果" if source == "finalised" else "历史记录"})
    frame = pl.DataFrame(rows, schema={"cycle": pl.Int64, "total": pl.Float64, "grade": pl.String,
                                       "stars": pl.Int64, "rank": pl.Int64, "source": pl.String})
    return frame.sort("cycle", descending=True).with_columns(  # the cycle with its dates, as 公示 names it
        label=pl.col("cycle").map_elements(lambda c: cycle_label(scheme, c) if scheme else f"{c}年度",
                                           return_dtype=pl.String))


def _computed(store: Store, member: dict, cycle: int, today: dt.date) -> dict | None:
    """The member's cycle result from the ledger: the county-wide cached results for a party
    member; a household's from its branch's village results."""
    track = member.get("track", "party")
    if track == "party":
        res, _ = scores.results(store, [member["branch"]], cycle, today)
        mine = res.filter(pl.col("subject") == member["id"])
        return mine.row(0, named=True) if mine.height else None
    try:
        output = branch_results(store, member["branch"], cycle, "cycle", today, track).output
    except NoSchemeError:
        return None
    return next((r for r in output["results"] if r["subject"] == member["id"]), None)


def explanation(store: Store, member: dict, cycle: int, today: dt.date) -> list[str]:
    """Line by line: why the member's total for ``cycle`` is what it is."""
    output = branch_results(store, member["branch"], cycle, "cycle", today, member.get("track", "party")).output
    try:
        return explain_lines(output, member["id"])
    except ValueError:
        return []
