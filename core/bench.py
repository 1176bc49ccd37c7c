"""The dashboard benchmark (docs/dashboards.md): each dashboard query's median time at
county scope, a whole-county evaluation of one cycle, the same aggregates computed the way a
typical internal tool would (tables copied into SQLite, then pandas ``read_sql`` +
``groupby``) with ratio = baseline / ours, each dashboard page's full AppTest run, and the
process's peak memory.

The demo database is generated in a child process, so the peak memory reported is the
dashboards', not the generator's; the pages run in another (``ui.page_bench``), since core
never imports streamlit.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from core.auth.scope import Scope
from core.metrics import activity, alerts, compare, coverage, distribution, scores, trends
from core.metrics.filters import Filter, branch_codes, default_filter, period_range
from core.store import Store

ROOT = Path(__file__).resolve().parents[1]
SQLITE_TABLES = {
    "orgs": "SELECT code, name, level, township_code FROM orgs",
    "members": "SELECT id, branch_code, status, kind, category, joined_branch FROM members",
    "events": "SELECT id, member_id, branch_code, item, date, points, count, reverses, entered_at FROM events",
    "event_reviews": "SELECT event_id, decision FROM event_reviews",
    "activities": "SELECT id, branch_code, type, date FROM activities",
    "attendance": "SELECT activity_id, member_id, status FROM attendance",
}


def _median_ms(fn, runs: int) -> float:
    fn()  # warm-up: first-touch I/O and, for score reads, the results cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def queries(store: Store, scope: Scope, flt: Filter) -> dict:
    """The reads the dashboards make, by name (score reads use the results cache)."""
    month = flt.with_period(flt.period[:4])
    return {
        "members": lambda: activity.members_in_scope(store, scope, flt),
        "participation": lambda: activity.participation(store, scope, flt),
        "participation_by_month": lambda: activity.participation(store, scope, month, by_month=True),
        "attendance": lambda: activity.attendance(store, scope, flt),
        "entries": lambda: activity.entries(store, scope, flt),
        "coverage_matrix": lambda: coverage.month_matrix(store, scope, flt),
        "scheme_running": lambda: coverage.scheme_running(store, scope, flt),
        "report_in": lambda: coverage.report_in(store, scope, flt),
        "published": lambda: coverage.published(store, scope, flt),
        "alerts_backfill": lambda: alerts.backfill(store, scope, flt),
        "monthly_points": lambda: trends.monthly_points(store, scope, flt),
        "branch_table": lambda: compare.branch_table(store, scope, flt),
        "distribution": lambda: distribution.view(store, scope, flt, "category"),
        "alerts": lambda: alerts.all_alerts(store, scope, flt),
    }


def _copy_to_sqlite(store: Store, path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    with store.cursor() as cur:
        for table, sql in SQLITE_TABLES.items():
            frame = cur.sql(sql).df()
            frame.to_sql(table, con, index=False, chunksize=50_000)
    con.execute("CREATE INDEX events_date ON events(date)")
    con.execute("CREATE INDEX activities_date ON activities(date)")
    return con


def baseline(con: sqlite3.Connection, flt: Filter, county: str) -> dict:
    """The same aggregates the typical way: read_sql the rows, merge and groupby in pandas."""
    start, end = (str(d) for d in period_range(flt.period))
    year = str(flt.period[:4])

    def branches():
        return pd.read_sql("SELECT code FROM orgs WHERE level = 'branch' AND code LIKE ?", con, params=[county + "%"])

    def participation():
        ev = pd.read_sql("SELECT e.id, e.member_id, e.reverses FROM events e WHERE e.date BETWEEN ? AND ?",
                         con, params=[start, end])
        rv = pd.read_sql("SELECT event_id, decision FROM event_reviews", con)
        ev = ev.merge(rv, left_on="id", right_on="event_id")
        ev = ev[(ev.decision == "approved") & ev.reverses.isna()]
        att = pd.read_sql("SELECT t.member_id FROM attendance t JOIN activities a ON a.id = t.activity_id"
                          " WHERE t.status = 'present' AND a.date BETWEEN ? AND ?", con, params=[start, end])
        members = pd.read_sql("SELECT id, branch_code FROM members WHERE status = 'active' AND kind = 'member'", con)
        members = members[members.branch_code.isin(branches().code)]
        touched = set(ev.member_id) | set(att.member_id)
        members["touched"] = members.id.isin(touched)
        return members.groupby("branch_code").agg(base=("id", "count"), participants=("touched", "sum"))

    def attendance():
        rows = pd.read_sql("SELECT a.branch_code, a.type, t.status FROM attendance t JOIN activities a"
                           " ON a.id = t.activity_id WHERE a.date BETWEEN ? AND ?", con, params=[start, end])
        rows = rows[rows.type.isin(activity.MEETINGS)]
        return rows.groupby(["branch_code", "status"]).size().unstack(fill_value=0)

    def entries():
        ev = pd.read_sql("SELECT id, branch_code, date, reverses, entered_at FROM events", con)
        rv = pd.read_sql("SELECT event_id, decision FROM event_reviews", con)
        ev = ev[ev.reverses.isna()].merge(rv, left_on="id", right_on="event_id", how="left")
        period = ev[(ev.date >= start) & (ev.date <= end)]
        counts = period.groupby(["branch_code"]).decision.value_counts(dropna=False).unstack(fill_value=0)
        return counts.join(ev.groupby("branch_code").entered_at.max())

    def coverage_matrix():
        ev = pd.read_sql("SELECT e.id, e.branch_code, e.date FROM events e WHERE e.date LIKE ?", con, params=[year + "%"])
        rv = pd.read_sql("SELECT event_id, decision FROM event_reviews", con)
        ev = ev.merge(rv, left_on="id", right_on="event_id", how="left")
        ev["month"] = ev.date.str[:7]
        return ev.groupby(["branch_code", "month"]).agg(entries=("id", "count"), pending=("decision", lambda s: s.isna().sum()))

    def monthly_points():
        ev = pd.read_sql("SELECT e.id, e.date, e.points, e.count, e.reverses FROM events e WHERE e.date LIKE ?",
                         con, params=[year + "%"])
        rv = pd.read_sql("SELECT event_id, decision FROM event_reviews", con)
        ev = ev.merge(rv, left_on="id", right_on="event_id")
        ev = ev[(ev.decision == "approved") & ev.reverses.isna()]
        ev["month"] = ev.date.str[:7]
        return ev.assign(value=ev.points.fillna(0) * ev["count"]).groupby("month").agg(entries=("id", "count"), points=("value", "sum"))

    return {"participation": participation, "attendance": attendance, "entries": entries,
            "coverage_matrix": coverage_matrix, "monthly_points": monthly_points}


def page_times(db: Path, runs: int) -> tuple[dict, float]:
    """(median ms per dashboard page, the page process's peak MB), from ``ui.page_bench`` run
    as a child process (core never imports streamlit)."""
    done = subprocess.run([sys.executable, "-m", "ui.page_bench", "--db", str(db), "--runs", str(runs)],
                          cwd=ROOT, check=True, capture_output=True, text=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return out["page_ms"], out["peak_mb"]


def _generate(size: str, path: Path) -> None:
    subprocess.run([sys.executable, "-m", "core", "demo", "--size", size, "--db", str(path)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run(size: str = "S", db: Path | None = None, runs: int = 5, pages: bool = True) -> dict:
    workdir = tempfile.TemporaryDirectory(prefix="jifen-bench-")
    if db is None:
        db = Path(workdir.name) / f"demo-{size}.duckdb"
        _generate(size, db)
    today = dt.date.today()
    flt = default_filter(today)
    store = Store(db)
    try:
        county, path = store.one("SELECT code, path FROM orgs WHERE level = 'county' ORDER BY code LIMIT 1")
        scope = Scope("bench", "admin", county, path)
        ours = {name: _median_ms(fn, runs) for name, fn in queries(store, scope, flt).items()}
        codes = branch_codes(store, scope, flt)
        # The dashboards' path: every branch of the county, one engine call per scheme group.
        evaluate_ms = _median_ms(lambda: scores.evaluate_branches(store, codes, flt.cycle, today), max(1, min(runs, 3)))
        counts = store.one("SELECT (SELECT count(*) FROM members), (SELECT count(*) FROM events)")
    finally:
        store.close()
        scores.clear()
    page_ms, page_peak = page_times(db, runs) if pages else ({}, 0.0)
    from core.imports.bench import timings as import_timings  # on a copy: the demo stays as built

    imported = import_timings(db)
    # The larger of this process (reads and evaluation) and the page process, taken before the
    # baseline, whose pandas copies are not the app's memory.
    peak_mb = max(_peak_mb(), page_peak)
    store = Store(db)
    try:
        con = _copy_to_sqlite(store, Path(workdir.name) / "baseline.sqlite")
    finally:
        store.close()
    base = {name: _median_ms(fn, runs) for name, fn in baseline(con, flt, county).items()}
    con.close()
    workdir.cleanup()
    return {
        "size": size, "members": counts[0], "events": counts[1], "queries": ours, "baseline": base,
        "ratio": {name: round(base[name] / ours[name], 1) if ours[name] else None for name in base},
        "evaluate_ms": evaluate_ms, "page_ms": page_ms, "peak_mb": peak_mb,
        # seconds from an uploaded .xlsx to a committed batch (docs/import.md)
        "import_events_100k_s": imported["import_events_100k_s"],
        "import_members_12k_s": imported["import_members_12k_s"],
    }
