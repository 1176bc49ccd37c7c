"""The dashboard benchmark (docs/dashboards.md): each dashboard query's median time at
county scope, a whole-county evaluation of one cycle, the same aggregates computed the way a
typical internal tool would (tables copied into SQLite, then pandas ``read_sql`` +
``groupby``) with ratio = baseline / ours, each dashboard page's full AppTest run, and the
process's peak memory.

The demo database is generated in a child process, so the peak memory reported is the
dashboards', not the generator's; the pages run in another (``ui.page_bench``), since core
never imports streamlit.

Either store: a DuckDB file, or PostgreSQL (``backend="postgres"``: a given URL, else a
throwaway cluster with durability on, so write figures are honest). ``entries_per_s`` is
sustained ``ledger.enter_event`` calls per second from 40 writer threads, on a copy of the
demo (the file copied, or ``CREATE DATABASE ... TEMPLATE``), never on the demo the pages
read. On PostgreSQL ``peak_mb`` is the app processes' memory, not the server's.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import polars as pl

from core.auth.scope import Scope
from core.metrics import activity, alerts, compare, coverage, distribution, group_eval, scores, trends
from core.metrics.filters import Filter, branch_codes, default_filter, period_range
from core.scheme_edit import check_edit, editable_fields, simulate_groups
from core.services.case import group_by_scheme
from core.store import Store, is_server_url
from core.memory import CombinedPeak, peak_mb

WRITERS = 40  # writer threads of the entries_per_s figure
WRITE_WARMUP_S, WRITE_S = 2.0, 10.0  # entries counted over WRITE_S after a warm-up
WRITE_MAX_S = 120.0  # how far the window stretches when no call has finished in it

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


def _lower_first_quota(scheme):
    """The edit the simulation figure times: the scheme's first editable quota at its lower
    bound (a scheme without one is simulated unchanged, which costs the same two evaluations)."""
    quota = next((f for f in editable_fields(scheme) if f["section"] == "quotas"), None)
    return check_edit(scheme, {quota["path"]: quota["lo"]})[0] if quota else scheme


def simulate_county(store: Store, codes: list[str], cycle: int, today: dt.date) -> int:
    """A county-wide 模拟 as the 积分方案 page runs one for a township (the scheme groups
    resolved, each case read once, old and new evaluated); the number of changed subjects."""
    groups, _ = group_by_scheme(store, codes, cycle, today)
    return len(simulate_groups(store, groups, cycle, _lower_first_quota)[0])


def _copy_to_sqlite(store: Store, path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    with store.cursor() as cur:
        for table, sql in SQLITE_TABLES.items():
            frame = cur.sql(sql).pl()
            # DECIMAL as float, as DuckDB's .df() gave it (sqlite binds no Decimal)
            frame = frame.with_columns(pl.col(c).cast(pl.Float64) for c, t in frame.schema.items()
                                       if isinstance(t, pl.Decimal))
            frame.to_pandas().to_sql(table, con, index=False, chunksize=50_000)
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


def page_times(db: Path | str, runs: int) -> tuple[dict, float]:
    """(median ms per dashboard page, the page process's peak MB), from ``ui.page_bench`` run
    as a child process (core never imports streamlit)."""
    done = subprocess.run([sys.executable, "-m", "ui.page_bench", "--db", str(db), "--runs", str(runs)],
                          cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)  # its errors show on stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return out["page_ms"], out["peak_mb"]


def _generate(size: str, target: Path | str) -> None:
    subprocess.run([sys.executable, "-m", "core", "demo", "--size", size, "--db", str(target)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


class _Server:
    """Databases on one PostgreSQL server: the demo and its throwaway copies."""

    def __init__(self, url: str):
        import psycopg

        self.url = url
        self.demo = psycopg.conninfo.conninfo_to_dict(url).get("dbname") or "postgres"

    def url_for(self, name: str) -> str:
        from urllib.parse import urlsplit, urlunsplit

        return urlunsplit(urlsplit(self.url)._replace(path="/" + name))

    def _admin(self, sql: str) -> None:
        import psycopg

        # the maintenance database: a copy's template must have no connection at CREATE time
        with psycopg.connect(self.url_for("postgres"), autocommit=True) as con:
            con.execute(sql)

    def create(self, name: str, template: str | None = None) -> str:
        self._admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url_for(name)

    def drop(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def copy_of(target: Path | str):
    """A throwaway copy of the database ``target`` (a file or a URL), removed afterwards."""
    if is_server_url(str(target)):
        server = _Server(str(target))
        name = f"{server.demo}_bench_{uuid.uuid4().hex[:8]}"
        url = server.create(name, template=server.demo)
        try:
            yield url
        finally:
            server.drop(name)
    else:
        with tempfile.TemporaryDirectory(prefix="jifen-bench-copy-") as work:
            copy = Path(work) / Path(target).name
            shutil.copyfile(target, copy)
            yield copy


def write_throughput(target: Path | str, writers: int = WRITERS, seconds: float | None = None,
                     warmup: float | None = None) -> float:
    """Sustained ``ledger.enter_event`` calls per second from ``writers`` threads on the
    database ``target`` (write to a copy: every call commits an event). On DuckDB the
    threads share the one writer; on PostgreSQL each has a pooled connection. Each call is
    a new request with its own note (a repeated one would be refused as a twin)."""
    from core.auth import User
    from core.scheme_assignments import NoSchemeError, scheme_for
    from core.services import ledger

    seconds = WRITE_S if seconds is None else seconds
    warmup = WRITE_WARMUP_S if warmup is None else warmup
    kwargs = {"pool_size": writers + 2} if is_server_url(str(target)) else {}
    store = Store(target, **kwargs)
    try:
        today = dt.date.today()
        user = User(*store.one("SELECT username, display_name, role, org_code FROM users WHERE role = 'admin'"
                               " ORDER BY username LIMIT 1"))
        # one member per writer, each of a different branch, whose day is not locked
        rows = store.all("SELECT id, branch_code, kind FROM (SELECT id, branch_code, kind, row_number() OVER"
                         " (PARTITION BY branch_code ORDER BY id) AS rn FROM members WHERE status = 'active') m"
                         " WHERE rn = 1 AND NOT EXISTS (SELECT 1 FROM period_locks l WHERE l.branch_code = m.branch_code"
                         " AND l.reopened_at IS NULL AND ? BETWEEN l.start_date AND l.end_date) ORDER BY branch_code",
                         [today])
        picks = []
        for member, branch, kind in rows:
            try:
                scheme, _ = scheme_for(store, branch, today)
            except NoSchemeError:
                continue
            items = [i for i in ledger.items_for(scheme, kind) if not i.is_range and i.frequency == "per_event"]
            if items:
                picks.append((member, items[0].code))
            if len(picks) == writers:
                break
        if not picks:
            raise RuntimeError("no member to enter events for")
        start = time.perf_counter()
        begin, end = start + warmup, start + warmup + seconds
        counted = [0] * writers
        failed: list[BaseException] = []
        stopped = [end]  # the window's real end: past ``end`` until one call has finished in it

        run_id = uuid.uuid4().hex[:6]  # another run on the same copy must not repeat a note

        def writer(n: int) -> None:
            member, item = picks[n % len(picks)]
            i = 0
            try:
                # a loaded machine can take longer than the window for one call: the window
                # then stretches until some call has finished in it (at most WRITE_MAX_S)
                while (now := time.perf_counter()) < end or (not any(counted) and now < start + WRITE_MAX_S):
                    ledger.enter_event(store, user, member, item, today, note=f"压测{run_id}-{n}-{i}",
                                       request_key=uuid.uuid4().hex)
                    i += 1
                    done = time.perf_counter()
                    if done >= begin and (done <= end or not any(counted)):
                        counted[n] += 1
                        stopped[0] = max(stopped[0], done)
            except BaseException as exc:  # reported below: a failed write is a bench failure
                failed.append(exc)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if failed:
            raise RuntimeError(f"{len(failed)} writer(s) failed: {failed[0]!r}")
        return round(sum(counted) / (stopped[0] - begin), 2)
    finally:
        store.close()


IMPORT_SCALE = 1.0  # the import files' size: 100k events and a 12k roster


def import_times(target: Path | str) -> dict:
    """``core.imports.bench`` on a copy of ``target``, in a child process so its peak memory
    is its own figure (an upload's, in the app)."""
    done = subprocess.run([sys.executable, "-m", "core.imports.bench", "--db", str(target),
                           "--scale", str(IMPORT_SCALE)],
                          cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)  # its errors show on stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(size: str = "S", db: Path | str | None = None, runs: int = 5, pages: bool = True,
        backend: str = "duckdb") -> dict:
    """The figures on one store: ``db`` (a file or a URL), else a demo of ``size`` generated
    into a temporary file (duckdb) or a throwaway cluster (postgres)."""
    if db is not None:
        return _run(size, db, runs, pages)
    if backend == "postgres":
        from core.store.pgcluster import Cluster

        with Cluster(durable=True) as cluster:
            url = _Server(cluster.url).create("jifen_demo")
            _generate(size, url)
            return _run(size, url, runs, pages)
    with tempfile.TemporaryDirectory(prefix="jifen-bench-") as work:
        path = Path(work) / f"demo-{size}.duckdb"
        _generate(size, path)
        return _run(size, path, runs, pages)


def _run(size: str, db: Path | str, runs: int, pages: bool) -> dict:
    workdir = tempfile.TemporaryDirectory(prefix="jifen-bench-")
    today = dt.date.today()
    flt = default_filter(today)
    # the reads' memory: this process and its evaluation helper (core/metrics/group_eval.py),
    # sampled together: their own peaks fall at different moments
    with CombinedPeak(lambda: [pid for pid in (group_eval.helper_pid(),) if pid]) as both:
        store = Store(db)
        try:
            backend = store.backend
            county, path = store.one("SELECT code, path FROM orgs WHERE level = 'county' ORDER BY code LIMIT 1")
            scope = Scope("bench", "admin", county, path)
            ours = {name: _median_ms(fn, runs) for name, fn in queries(store, scope, flt).items()}
            codes = branch_codes(store, scope, flt)
            # The dashboards' path: every branch of the county, one engine call per scheme group.
            evaluate_ms = _median_ms(lambda: scores.evaluate_branches(store, codes, flt.cycle, today), max(1, min(runs, 3)))
            # 方案调整's 模拟 for the whole county (issue 12: 12,000 members in under 3 s)
            simulate_county_ms = _median_ms(lambda: simulate_county(store, codes, flt.cycle, today), max(1, min(runs, 3)))
            counts = store.one("SELECT (SELECT count(*) FROM members), (SELECT count(*) FROM events)")
        finally:
            store.close()
            scores.clear()
            group_eval.stop()  # with its connections: the import's copy needs the demo database alone
    peaks = {"reads": max(peak_mb(), round(both.mb, 1))}
    page_ms, peaks["pages"] = page_times(db, runs) if pages else ({}, 0.0)
    imported = import_times(db)  # on a copy: the demo stays as built
    peaks["import"] = imported["peak_mb"]
    with copy_of(db) as copy:  # every call commits an event: never the demo the pages read
        entries_per_s = write_throughput(copy)
        entries_per_s_1 = write_throughput(copy, writers=1)  # the same calls one at a time
    # The app's peak: the largest of its parts (each an app process doing that), taken before
    # the baseline, whose pandas copies are not the app's memory.
    peak = max(peaks.values())
    store = Store(db)
    try:
        con = _copy_to_sqlite(store, Path(workdir.name) / "baseline.sqlite")
    finally:
        store.close()
    base = {name: _median_ms(fn, runs) for name, fn in baseline(con, flt, county).items()}
    con.close()
    workdir.cleanup()
    return {
        "size": size, "backend": backend, "members": counts[0], "events": counts[1], "queries": ours,
        "baseline": base,
        "ratio": {name: round(base[name] / ours[name], 1) if ours[name] else None for name in base},
        "evaluate_ms": evaluate_ms, "simulate_county_ms": simulate_county_ms, "page_ms": page_ms, "peak_mb": peak, "peak_mb_parts": peaks,
        # seconds from an uploaded .xlsx to a committed batch (docs/import.md)
        "import_events_100k_s": imported["import_events_100k_s"],
        "import_members_12k_s": imported["import_members_12k_s"],
        "entries_per_s": entries_per_s, "writers": WRITERS, "entries_per_s_1": entries_per_s_1,
    }


def ratios(pg: dict, duck: dict, top: bool = True) -> dict:
    """PostgreSQL's figure over DuckDB's, for every number the two runs share (nested as
    they are): above 1 is slower (or bigger) on PostgreSQL, except for ``ratio`` (our speed-up
    over the baseline) and ``entries_per_s``, where above 1 is PostgreSQL ahead."""
    out = {}
    for key, value in pg.items():
        other = duck.get(key)
        if isinstance(value, dict) and isinstance(other, dict):
            out[key] = ratios(value, other, top=False)
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and isinstance(other, (int, float)) \
                and not (top and key in ("members", "events", "writers")):
            out[key] = round(value / other, 2) if other else None
    return out


def run_both(size: str = "S", runs: int = 5, pages: bool = True) -> dict:
    """Both stores on demos of one size, one after the other, and PostgreSQL / DuckDB per figure."""
    duck = run(size, None, runs, pages, backend="duckdb")
    pg = run(size, None, runs, pages, backend="postgres")
    return {"size": size, "duckdb": duck, "postgres": pg, "ratio_pg_duckdb": ratios(pg, duck)}
