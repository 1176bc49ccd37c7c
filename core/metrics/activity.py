"""Participation, meeting attendance and entry activity, per branch or per month.

Definitions (docs/dashboards.md):
- participation: members with at least one approved (effective) event or a present
  attendance in the period, over the active (not exempt, not transferred) members;
- attendance: present / all roster rows of the 三会一课 and 主题党日 meetings held;
- entries: every event typed in (any review state, reversals excluded) dated in the period.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from core.auth.scope import Scope
from core.metrics.filters import Filter, branch_where, member_where, period_range
from core.services.attendance import ORG_LIFE
from core.store import Store

MEETINGS = ORG_LIFE + ("支委会",)  # the meetings whose attendance rate is reported


def _scoped(scope: Scope, flt: Filter, kinds=None) -> tuple[str, list]:
    """CTEs every activity query starts from: ``b`` (branches) and ``base`` (members counted,
    or with ``kinds`` the subjects of those kinds)."""
    bw, bp = branch_where(scope, flt, "o")
    mw, mp = member_where(flt, "m", kinds)
    start, end = period_range(flt.period)
    sql = f"""
    b AS (SELECT o.code, o.name, o.township_code, o.sort FROM orgs o WHERE {bw}),
    base AS NOT MATERIALIZED (SELECT m.id, m.branch_code FROM members m JOIN b ON b.code = m.branch_code
             WHERE m.status = 'active' AND {mw} AND coalesce(m.joined_branch, DATE '1900-01-01') <= ?)"""
    return sql, bp + mp + [end]


def participation(store: Store, scope: Scope, flt: Filter, by_month: bool = False, kinds=None) -> pl.DataFrame:
    """branch (and month), base, participants, rate (%); party members, or with ``kinds`` the
    subjects of those kinds (core.targets: 户, 义工 … against their targets).

    Who took part is read from the ``member_years`` rollup (migration 11: per branch, year and
    member, the months with a counting event or a present attendance as bits, kept by every
    write of either), not from a period's counting events united with its attendance
    (PostgreSQL at M: 1.2 s by month). A period is whole months of one year
    (``period_range``), so it is a mask of that year's months."""
    ctes, params = _scoped(scope, flt, kinds)
    start, end = period_range(flt.period)
    mask = sum(1 << (m - 1) for m in range(start.month, end.month + 1))
    # each member once per branch (the member's own) with the months of every branch's rows:
    # a member who took part in two branches in one month is one participant
    x = """x AS (SELECT base.branch_code, bit_or(t.months & ?) AS months FROM member_years t
          JOIN base ON base.id = t.member_id
          WHERE t.year = ? AND (t.months & ?) <> 0 AND t.branch_code IN (SELECT code FROM b)
          GROUP BY base.branch_code, t.member_id)"""
    if by_month:
        # twelve counts per branch in one pass, then one row per month that has participants
        bits = ", ".join(f"CAST(sum((x.months >> {i}) & 1) AS BIGINT) AS m{i + 1}" for i in range(12))
        pick = " ".join(f"WHEN {i + 1} THEN c.m{i + 1}" for i in range(12))
        p = f"""c AS (SELECT x.branch_code, {bits} FROM x GROUP BY x.branch_code),
    p AS (SELECT branch_code, m, participants FROM (
            SELECT c.branch_code, g.m, CASE g.m {pick} END AS participants
            FROM c CROSS JOIN generate_series(1, 12) AS g(m)) s WHERE participants > 0)"""
        month, order = ", date_trunc('month', make_date(?, p.m, 1)) AS month", ", p.m"
        extra = [start.year]
    else:
        p = "p AS (SELECT x.branch_code, count(*) AS participants FROM x GROUP BY x.branch_code)"
        month, order, extra = "", "", []
    sql = f"""
    WITH {ctes},
    {x},
    {p},
    sizes AS (SELECT branch_code, count(*) AS base FROM base GROUP BY branch_code)
    SELECT b.code AS branch, b.name{month}, coalesce(s.base, 0) AS base, coalesce(p.participants, 0) AS participants
    FROM b LEFT JOIN sizes s ON s.branch_code = b.code LEFT JOIN p ON p.branch_code = b.code
    ORDER BY b.code{order}"""
    frame = store.frame(sql, params + [mask, start.year, mask] + extra)
    if by_month:
        frame = frame.filter(pl.col("month").is_not_null())
    return frame.with_columns(rate=_rate(pl.col("participants"), pl.col("base")))


def _rate(part: pl.Expr, whole: pl.Expr) -> pl.Expr:
    return pl.when(whole > 0).then((part * 100 / whole).round(1)).otherwise(None)


def attendance(store: Store, scope: Scope, flt: Filter) -> pl.DataFrame:
    """branch, meetings, expected, present, leave, absent, rate (%)."""
    ctes, params = _scoped(scope, flt)
    start, end = period_range(flt.period)
    # the period's meetings first (MATERIALIZED: PostgreSQL then reads their attendance by its
    # key, 49k rows of 880k at M for a quarter; planned as one query it joined the meetings to
    # the branches once per branch, or scanned all the attendance), counted per branch
    sql = f"""
    WITH {ctes},
    meetings AS MATERIALIZED (SELECT a.id, a.branch_code FROM activities a
          WHERE a.type = ANY(?) AND a.date BETWEEN ? AND ? AND a.branch_code IN (SELECT code FROM b)),
    r AS (SELECT a.branch_code, count(DISTINCT a.id) AS meetings, count(t.status) AS expected,
                 count(*) FILTER (WHERE t.status = 'present') AS present,
                 count(*) FILTER (WHERE t.status = 'leave') AS leave,
                 count(*) FILTER (WHERE t.status = 'absent') AS absent
          FROM meetings a JOIN attendance t ON t.activity_id = a.id JOIN base ON base.id = t.member_id
          GROUP BY a.branch_code)
    SELECT b.code AS branch, b.name, coalesce(r.meetings, 0) AS meetings, coalesce(r.expected, 0) AS expected,
           coalesce(r.present, 0) AS present, coalesce(r.leave, 0) AS leave, coalesce(r.absent, 0) AS absent
    FROM b LEFT JOIN r ON r.branch_code = b.code ORDER BY b.code"""
    frame = store.frame(sql, params + [list(MEETINGS), start, end])
    return frame.with_columns(rate=_rate(pl.col("present"), pl.col("expected")))


def entries(store: Store, scope: Scope, flt: Filter) -> pl.DataFrame:
    """branch, entries in the period, approved, pending, rejected, and the last thing recorded
    (an event, an entered score or a meeting) with the days since."""
    bw, bp = branch_where(scope, flt, "o")
    start, end = period_range(flt.period)
    # Period counts are the ``event_months`` rollup's (a period is whole months; every write
    # keeps it, ``rollups.refresh_effective``), not the period's events joined to every review
    # (PostgreSQL at M: about 1 s of the branch table). The last entry is a max
    # per branch, asked branch by branch: PostgreSQL reads each from the end of a (branch,
    # time) index (300 lookups, not a 2M-row scan grouped by branch: 1.3 s at M); DuckDB
    # turns it into the same grouped scan it ran before.
    sql = f"""
    WITH b AS (SELECT o.code, o.name FROM orgs o WHERE {bw}),
    e AS (SELECT n.branch_code, CAST(sum(n.entries) AS BIGINT) AS entries, CAST(sum(n.approved) AS BIGINT) AS approved,
                 CAST(sum(n.entries - n.approved - n.rejected) AS BIGINT) AS pending,
                 CAST(sum(n.rejected) AS BIGINT) AS rejected
          FROM event_months n WHERE n.month BETWEEN ? AND ? AND n.branch_code IN (SELECT code FROM b)
          GROUP BY n.branch_code),
    l AS (SELECT b.code AS branch_code, (SELECT max(s.stamp) FROM (
            SELECT max(x.entered_at) AS stamp FROM events x WHERE x.branch_code = b.code AND x.entered_at < ?
            UNION ALL SELECT max(x.entered_at) FROM scores x WHERE x.branch_code = b.code AND x.entered_at < ?
            UNION ALL SELECT max(x.created_at) FROM activities x WHERE x.branch_code = b.code AND x.created_at < ?
          ) s) AS last_entry FROM b)
    SELECT b.code AS branch, b.name, coalesce(e.entries, 0) AS entries, coalesce(e.approved, 0) AS approved,
           coalesce(e.pending, 0) AS pending, coalesce(e.rejected, 0) AS rejected, l.last_entry
    FROM b LEFT JOIN e ON e.branch_code = b.code LEFT JOIN l ON l.branch_code = b.code ORDER BY b.code"""
    upto = dt.datetime.combine(flt.today + dt.timedelta(days=1), dt.time())
    frame = store.frame(sql, bp + [start, end, upto, upto, upto])
    return frame.with_columns(
        days_since=(pl.lit(flt.today) - pl.col("last_entry").dt.date()).dt.total_days())


def members_in_scope(store: Store, scope: Scope, flt: Filter) -> dict[str, int]:
    bw, bp = branch_where(scope, flt, "b")
    mw, mp = member_where(flt, "m")
    row = store.one(
        f"SELECT count(*) FILTER (WHERE m.status = 'active'), count(*) FILTER (WHERE m.status = 'exempt')"
        f" FROM members m JOIN orgs b ON b.code = m.branch_code WHERE {bw} AND {mw}", bp + mp)
    return {"active": row[0], "exempt": row[1]}
