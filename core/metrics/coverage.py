"""Coverage: how far each branch has got each month (entered → approved → 公示 → 归档),
the share of branches and villages running a scheme against the township's target, and
在职党员 report-in (报到率 per department against 90%, each community's registrations).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import polars as pl

from core import audit
from core.auth import require, scope_for
from core.auth.scope import Scope
from core.cycles import period_bounds
from core.metrics.filters import Filter, branch_where, period_range
from core.reportin.rules import ACTIVITIES_MIN, RATE_TARGET
from core.reportin.stats import community_summary, department_rates
from core.scheme import load_scheme
from core.store import Store

# The demo's older record of a report day (core.demo.meetings): an activity of that type whose
# present attendees reported. Report-in itself is core.reportin (registrations, 社区报到活动).
REPORT_IN = "社区报到"
COMMUNITY_ACTIVITY = "志愿服务"
STAGES = ["未录入", "已录入", "已审核", "已公示", "已归档"]  # ordered: each implies the ones before
DEFAULT_TARGET = 90.0  # % of branches running a scheme, until the township sets its own
REPORT_RATE_TARGET = RATE_TARGET  # 报到率不低于90%
COMMUNITY_ACTIVITIES_MIN = ACTIVITIES_MIN  # 每年参加社区活动不少于4次


@lru_cache(maxsize=64)
def _cycle_start(scheme_id: str) -> str:
    return load_scheme(scheme_id).cycle_start


def _published_spans(store: Store, codes: list[str]) -> pl.DataFrame:
    """branch, first, last, stage (3 公示 / 4 归档) for every 公示 not withdrawn."""
    rows = store.all(
        "SELECT p.branch_code, p.cycle, p.period, p.scheme_id, p.state, "
        " EXISTS (SELECT 1 FROM period_locks l WHERE l.publicity_id = p.id AND l.reopened_at IS NULL) "
        "FROM publicity p WHERE p.state <> 'withdrawn' AND p.branch_code = ANY(?)", [codes])
    out = []
    for branch, cycle, period, scheme_id, state, locked in rows:
        try:
            first, last = period_bounds(_cycle_start(scheme_id), cycle, period)
        except (ValueError, LookupError):
            continue
        out.append({"branch": branch, "first": first, "last": last, "stage": 4 if locked or state == "finalised" else 3})
    return pl.DataFrame(out, schema={"branch": pl.String, "first": pl.Date, "last": pl.Date, "stage": pl.Int32})


def month_matrix(store: Store, scope: Scope, flt: Filter) -> pl.DataFrame:
    """branch, name, month, entries, pending, stage (index into STAGES), for every month of
    the filter's year up to today. The counts come from the ``event_months`` rollup (kept by
    every write, ``rollups.refresh_effective``): joining a year's events to every review took
    1.6 s on PostgreSQL at M."""
    bw, bp = branch_where(scope, flt, "o")
    year = int(flt.period[:4])
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), flt.today)
    codes = [r[0] for r in store.all(f"SELECT o.code FROM orgs o WHERE {bw}", bp)]
    with store.cursor() as cur:
        cur.register("published", _published_spans(store, codes))
        frame = cur.sql(f"""
        WITH b AS (SELECT o.code, o.name, o.sort, o.township_code FROM orgs o WHERE {bw}),
        months AS (SELECT CAST(g AS DATE) AS month
                   FROM generate_series(CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), INTERVAL '1 month') AS s(g)),
        e AS (SELECT n.branch_code, n.month, sum(n.entries) AS entries,
                     sum(n.entries - n.approved - n.rejected) AS pending, sum(n.approved) AS approved
              FROM event_months n WHERE n.month BETWEEN ? AND ? AND n.branch_code IN (SELECT code FROM b)
              GROUP BY n.branch_code, n.month),
        p AS (SELECT b.code, m.month, max(p.stage) AS stage FROM b CROSS JOIN months m
              JOIN published p ON p.branch = b.code AND m.month BETWEEN date_trunc('month', p.first) AND p.last
              GROUP BY b.code, m.month)
        SELECT b.code AS branch, b.name, m.month, CAST(coalesce(e.entries, 0) AS BIGINT) AS entries,
               CAST(coalesce(e.pending, 0) AS BIGINT) AS pending,
               greatest(coalesce(p.stage, 0),
                        CASE WHEN coalesce(e.entries, 0) = 0 THEN 0
                             WHEN e.pending = 0 AND e.approved > 0 THEN 2 ELSE 1 END) AS stage
        FROM b CROSS JOIN months m
        LEFT JOIN e ON e.branch_code = b.code AND e.month = m.month
        LEFT JOIN p ON p.code = b.code AND p.month = m.month
        ORDER BY b.township_code, b.sort, b.code, m.month""", params=bp + [start, end, start, end]).pl()
        cur.unregister("published")
    return frame


def scheme_running(store: Store, scope: Scope, flt: Filter) -> pl.DataFrame:
    """Per township: branches, villages, and how many run a scheme (one in force, and
    points, scores or meetings recorded in the period), with the township's target."""
    bw, bp = branch_where(scope, flt, "b")
    start, end = period_range(flt.period)
    frame = store.frame(f"""
    WITH b AS (SELECT b.code, b.kind, b.path, b.township_code FROM orgs b WHERE {bw}),
    assigned AS (SELECT DISTINCT b.code FROM b JOIN scheme_assignments a ON a.from_date <= ?
                 JOIN orgs o ON o.code = a.org_code AND starts_with(b.path, o.path)),
    active AS (SELECT branch_code AS code FROM events WHERE date BETWEEN ? AND ? AND reverses IS NULL
               UNION SELECT branch_code FROM scores WHERE entered_at::DATE BETWEEN ? AND ?
               UNION SELECT branch_code FROM activities WHERE date BETWEEN ? AND ?),
    running AS (SELECT code FROM assigned INTERSECT SELECT code FROM active)
    SELECT t.code AS township, t.name, count(*) AS branches,
           count(r.code) AS running,
           count(*) FILTER (WHERE b.kind = 'village') AS villages,
           count(r.code) FILTER (WHERE b.kind = 'village') AS villages_running,
           coalesce(CAST(max(meta.value) AS DOUBLE), ?) AS target
    FROM b JOIN orgs t ON t.code = b.township_code LEFT JOIN running r ON r.code = b.code
    LEFT JOIN meta ON meta.key = 'coverage_target:' || t.code
    GROUP BY t.code, t.name ORDER BY t.code""", bp + [end] + [start, end] * 3 + [DEFAULT_TARGET])
    return frame.with_columns(
        share=(pl.col("running") * 100 / pl.col("branches")).round(1),
        village_share=pl.when(pl.col("villages") > 0)
        .then((pl.col("villages_running") * 100 / pl.col("villages")).round(1)).otherwise(None))


def set_coverage_target(store: Store, user, township: str, percent: float) -> None:
    """The township's target share of branches running a scheme (audited)."""
    require(user, "assign_scheme")
    if not 0 <= percent <= 100:
        raise ValueError("目标覆盖率应在 0 到 100 之间")
    scope_for(store, user).check_org(store, township)
    key = f"coverage_target:{township}"
    before = store.scalar("SELECT value FROM meta WHERE key = ?", [key])

    def work(cur):
        cur.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [key, str(float(percent))])
        audit.record(cur, user.username, "metrics.coverage_target", org_code=township,
                     before={"target": before}, after={"target": percent})

    store.write(work)


def report_in(store: Store, scope: Scope, flt: Filter, by: str = "department") -> pl.DataFrame:
    """在职党员到社区报到 in the filter's year, for its township or branch: each department's
    报到率 against 90% (``by="department"``) or each community's registrations, on time and
    late, activities and members at 4 or more (``by="community"``); see core.reportin.stats."""
    year = int(flt.period[:4])
    narrowed = flt.branch or flt.township
    path = store.scalar("SELECT path FROM orgs WHERE code = ?", [narrowed]) if narrowed else None
    if path and path.startswith(scope.path):
        scope = Scope(scope.username, scope.role, narrowed, path)
    return (department_rates if by == "department" else community_summary)(store, scope, year)


def published(store: Store, scope: Scope, flt: Filter) -> dict[str, int]:
    """Branches in the filter, and how many opened a 公示 (not withdrawn) in the period."""
    bw, bp = branch_where(scope, flt, "b")
    start, end = period_range(flt.period)
    row = store.one(
        f"SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM publicity p WHERE p.branch_code = b.code"
        f" AND p.state <> 'withdrawn' AND p.start_date BETWEEN ? AND ?)) FROM orgs b WHERE {bw}",
        [start, end] + bp)
    return {"branches": row[0], "published": row[1]}
