"""Report-in figures: each department's 报到率 against 90%, each community's registrations
and activities, and each reported member's year (activities against 4, the 测评 grades).

A department is a 机关 branch (its 机关党支部) whose members carry a 工作单位 or have
registered: 报到率 = its active members with a live registration this year ÷ its active
members. Rates are computed here from the two counts (the engines divide and round
differently in SQL).
"""

from __future__ import annotations

import polars as pl

from core.auth.scope import Scope
from core.reportin.rules import ACTIVITIES_MIN, ACTIVITY_TYPE, HALVES, LATE, ON_TIME, RATE_TARGET, deadline
from core.store import Store

ACTIVE = "m.kind = 'member' AND m.status = 'active'"


def _rate(part: str, whole: str) -> pl.Expr:
    return pl.when(pl.col(whole) > 0).then((pl.col(part) * 100 / pl.col(whole)).round(1)).otherwise(None)


def department_rates(store: Store, scope: Scope, year: int) -> pl.DataFrame:
    """code, department, members, reported, on_time, late, rate, meets — one row per department in scope."""
    where, params = scope.sql("b")
    frame = store.frame(f"""
    WITH d AS (SELECT b.code, b.name, b.path FROM orgs b WHERE {where} AND b.level = 'branch' AND b.kind = '机关'
               AND EXISTS (SELECT 1 FROM members m WHERE m.branch_code = b.code
                           AND (m.work_unit IS NOT NULL OR m.id IN (SELECT member_id FROM report_ins)))),
    r AS (SELECT member_id, date FROM report_ins WHERE year = ? AND withdrawn_at IS NULL)
    SELECT d.code, d.name AS department, count(m.id) AS members, count(r.member_id) AS reported,
           count(r.member_id) FILTER (WHERE r.date <= ?) AS on_time,
           count(r.member_id) FILTER (WHERE r.date > ?) AS late
    FROM d LEFT JOIN members m ON m.branch_code = d.code AND {ACTIVE}
    LEFT JOIN r ON r.member_id = m.id
    GROUP BY d.code, d.name, d.path ORDER BY d.path""", params + [year, deadline(year), deadline(year)])
    return frame.with_columns(rate=_rate("reported", "members")).with_columns(
        meets=pl.col("rate").fill_null(0) >= RATE_TARGET)


def community_summary(store: Store, scope: Scope, year: int) -> pl.DataFrame:
    """code, community, registered, on_time, late, activities, met_min — one row per community in scope."""
    where, params = scope.sql("b")
    return store.frame(f"""
    WITH c AS (SELECT b.code, b.name, b.path FROM orgs b
               WHERE {where} AND b.level = 'branch' AND b.kind = 'community' AND coalesce(b.active, true)),
    r AS (SELECT community_code, member_id, date FROM report_ins WHERE year = ? AND withdrawn_at IS NULL),
    a AS (SELECT a.branch_code, count(*) AS activities FROM activities a
          WHERE a.type = ? AND extract(year FROM a.date) = ? GROUP BY a.branch_code),
    seen AS (SELECT t.member_id, count(*) AS times FROM attendance t JOIN activities a ON a.id = t.activity_id
             WHERE t.status = 'present' AND a.type = ? AND extract(year FROM a.date) = ? GROUP BY t.member_id)
    SELECT c.code, c.name AS community, count(r.member_id) AS registered,
           count(r.member_id) FILTER (WHERE r.date <= ?) AS on_time,
           count(r.member_id) FILTER (WHERE r.date > ?) AS late,
           coalesce(max(a.activities), 0) AS activities,
           count(r.member_id) FILTER (WHERE coalesce(s.times, 0) >= ?) AS met_min
    FROM c LEFT JOIN r ON r.community_code = c.code LEFT JOIN a ON a.branch_code = c.code
    LEFT JOIN seen s ON s.member_id = r.member_id
    GROUP BY c.code, c.name, c.path ORDER BY c.path""",
        params + [year, ACTIVITY_TYPE, year, ACTIVITY_TYPE, year, deadline(year), deadline(year), ACTIVITIES_MIN])


def member_year(store: Store, scope: Scope, year: int, *, community_code: str | None = None,
                department: str | None = None) -> pl.DataFrame:
    """One row per live registration of the year that the scope sees from either side (the
    member's branch or the community): who, where, when, post, pledge, activities attended
    this year against 4, and the half-yearly grades."""
    where_b, params_b = scope.sql("b")
    where_c, params_c = scope.sql("c")
    sql = f"""
    WITH seen AS (SELECT t.member_id, count(*) AS times FROM attendance t JOIN activities a ON a.id = t.activity_id
                  WHERE t.status = 'present' AND a.type = ? AND extract(year FROM a.date) = ? GROUP BY t.member_id)
    SELECT r.id, m.id AS member_id, m.name, b.code AS department_code, b.name AS department, m.work_unit,
           c.code AS community_code, c.name AS community, r.date, p.name AS post, r.pledge,
           coalesce(s.times, 0) AS activities,
           (SELECT e.grade FROM community_evaluations e WHERE e.member_id = m.id AND e.community_code = r.community_code
            AND e.year = r.year AND e.half = 1) AS h1,
           (SELECT e.grade FROM community_evaluations e WHERE e.member_id = m.id AND e.community_code = r.community_code
            AND e.year = r.year AND e.half = 2) AS h2
    FROM report_ins r JOIN members m ON m.id = r.member_id JOIN orgs b ON b.code = m.branch_code
    JOIN orgs c ON c.code = r.community_code LEFT JOIN community_posts p ON p.id = r.post_id
    LEFT JOIN seen s ON s.member_id = m.id
    WHERE r.year = ? AND r.withdrawn_at IS NULL AND (({where_b}) OR ({where_c}))"""
    params = [ACTIVITY_TYPE, year, year] + params_b + params_c
    if community_code:
        sql += " AND r.community_code = ?"
        params.append(community_code)
    if department:
        sql += " AND m.branch_code = ?"
        params.append(department)
    frame = store.frame(sql + " ORDER BY c.path, m.name COLLATE zh, m.id", params)
    return frame.with_columns(
        timeliness=pl.when(pl.col("date") > deadline(year)).then(pl.lit(LATE)).otherwise(pl.lit(ON_TIME)),
        meets=pl.col("activities") >= ACTIVITIES_MIN)


def attended(store: Store, member_id: str, year: int) -> list[tuple]:
    """(date, community, title) of the 社区报到活动 the member came to in the year."""
    return store.all(
        "SELECT a.date, o.name, a.title FROM attendance t JOIN activities a ON a.id = t.activity_id"
        " JOIN orgs o ON o.code = a.branch_code WHERE t.member_id = ? AND t.status = 'present' AND a.type = ?"
        " AND extract(year FROM a.date) = ? ORDER BY a.date, a.id", [member_id, ACTIVITY_TYPE, year])


def evaluations(store: Store, member_id: str, community_code: str, year: int) -> list[tuple[str, str, str]]:
    """(half, grade, comment) of the member's 测评 by the community in the year."""
    return [(HALVES[h], g, c or "") for h, g, c in store.all(
        "SELECT half, grade, comment FROM community_evaluations WHERE member_id = ? AND community_code = ?"
        " AND year = ? ORDER BY half", [member_id, community_code, year])]


def communities(store: Store, scope: Scope) -> list[tuple[str, str, bool]]:
    """(code, name, in the scope) of the active communities of the scope's county: a
    department registers its members with any of them, a community works on its own."""
    county = "/" + scope.path.split("/")[1] + "/"
    return [(code, name, path.startswith(scope.path)) for code, name, path in store.all(
        "SELECT code, name, path FROM orgs WHERE level = 'branch' AND kind = 'community'"
        " AND coalesce(active, true) AND starts_with(path, ?) ORDER BY path", [county])]
