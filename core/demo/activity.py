"""Demo activity at volume: scheme assignments, meetings and attendance, point events with
their reviews and reversals, entered scores, vetoes and graded history.

Built county by county as numpy/Polars columns and inserted with ``INSERT ... SELECT``
from registered frames, so the M demo (≈2M events) takes seconds, not minutes. The same
seed, size and ``today`` give the same rows.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from core import audit
from core.demo import appraisals, ledger, meetings
from core.demo.frames import insert_frame
from core.demo.plan import ASSIGNED_FROM, DEFAULT_SCHEME, Plan, load_plans
from core.scheme import load_scheme
from core.services import rollups
from core.store import Store

EVENTS_TARGET = {"S": 100_000, "M": 2_000_000, "L": 20_000_000}  # DESIGN.md demo sizes


REFRESH_SLICE = 250_000  # events per rollup refresh in the bulk load


def generate_activity(store: Store, rng_seed: int, size: str, today: dt.date, progress=None) -> dict[str, int]:
    say = progress or (lambda message: None)
    totals = {"events": 0, "activities": 0, "attendance": 0, "scores": 0, "vetoes": 0}
    members = store.scalar("SELECT count(*) FROM members WHERE kind = 'member'") or 1
    say("写入积分方案分配")
    store.write(_assign_townships)
    with store.bulk_memory():  # a county's events are one transaction (L: ten of them)
        for plan in load_plans(store, size, rng_seed, today):
            county = plan.branches[0].code[:3]
            say(f"生成活动与积分记录（{county}）")
            share = len(plan.m_branch) / members
            counts = store.write(lambda cur, plan=plan: _write_county(cur, plan, EVENTS_TARGET[size] * share))
            for key, value in counts.items():
                totals[key] += value
    # The bulk load left the planner without statistics (autovacuum comes later), and the
    # 公示 workflow that follows then joined events by nested loops: 20 s instead of 3.
    store.refresh_statistics()
    store.write(lambda cur: audit.record(
        cur, "system", "demo.activity", reason=f"演示活动数据 规模{size} 种子{rng_seed} 截至{today}", after=totals))
    return totals


def _assign_townships(cur) -> None:
    cur.execute(
        "INSERT INTO scheme_assignments(org_code, scheme_id, scheme_version, from_date, assigned_by, reason) "
        "SELECT code, ?, ?, ?, 'demo', '镇党委统一推行党员积分制管理' FROM orgs WHERE level = 'township' ORDER BY code",
        [DEFAULT_SCHEME, load_scheme(DEFAULT_SCHEME).version, ASSIGNED_FROM]).fetchall()


def _insert(cur, table: str, frame: pl.DataFrame) -> int:
    return insert_frame(cur, table, frame)


def _next_id(cur, sequence: str) -> int:
    return cur.execute(f"SELECT nextval('{sequence}')").fetchone()[0]


def _reserve(cur, sequence: str, used: int) -> None:
    """Advance ``sequence`` past the ``used`` ids taken from its first value on, so later
    entries made through the services never collide with demo rows (one writer, one
    transaction, so the ids are consecutive)."""
    if used > 1:
        cur.execute(f"SELECT max(nextval('{sequence}')) FROM generate_series(1, ?) AS g(i)", [used - 1]).fetchall()


def _write_county(cur, plan: Plan, events_target: float) -> dict[str, int]:
    overrides = [(b.code, plan.schemes[b.scheme_id]) for b in plan.branches
                 if plan.schemes[b.scheme_id].id != DEFAULT_SCHEME]
    _insert(cur, "scheme_assignments", pl.DataFrame({
        "org_code": [code for code, _ in overrides], "scheme_id": [s.id for _, s in overrides],
        "scheme_version": [s.version for _, s in overrides],
        "from_date": pl.Series([ASSIGNED_FROM] * len(overrides), dtype=pl.Date),
        "assigned_by": ["demo"] * len(overrides), "reason": ["支部类型适用专门方案"] * len(overrides)}))
    first_activity = _next_id(cur, "activity_seq")
    activities, attendance, attended = meetings.regular(plan, first_activity)
    report_activities, report_attendance = meetings.report_ins(plan, first_activity + activities.height)
    n_activities = activities.height + report_activities.height
    _reserve(cur, "activity_seq", n_activities)
    _insert(cur, "activities", pl.concat([activities, report_activities]))
    n_attendance = _insert(cur, "attendance", pl.concat([attendance, report_attendance]))
    # who took part (member_months): the attendance side now, the events' when their slices
    # are refreshed below (each recounts its months from both)
    rollups.refresh_attendance_range(cur, first_activity, first_activity + n_activities - 1)

    typed = ledger.random_events(plan, events_target - len(attended), meetings.ALL_ABSENCE_ITEMS)
    batch = ledger.EventBatch.concat([attended, typed])
    order = np.lexsort((batch.member, batch.day))  # ids follow the dates, as a real ledger would
    batch = batch.take(order)
    first_event = _next_id(cur, "event_seq")
    events, reviews = ledger.event_frames(plan, batch, first_event)
    _reserve(cur, "event_seq", events.height)
    n_events = _insert(cur, "events", events)
    _insert(cur, "event_reviews", reviews)
    # the rollups, set-based once the reviews are in (same transaction), a slice of ids at a
    # time: an M county's 2M uncommitted events in one go overran DuckDB's 512 MB buffer pool
    # (a transaction's own new rows cannot spill). The ids follow the dates, so a slice
    # recounts a few months; a month cut by two slices is counted again whole, the same.
    end = first_event + events.height
    for start in range(first_event, end, REFRESH_SLICE):
        rollups.refresh_effective_range(cur, start, min(start + REFRESH_SLICE, end) - 1)
    n_scores = _insert(cur, "scores", appraisals.scores(plan))
    n_vetoes = _insert(cur, "vetoes", appraisals.vetoes(plan))
    _insert(cur, "cycle_history", appraisals.history(plan))
    return {"events": n_events, "activities": n_activities, "attendance": n_attendance,
            "scores": n_scores, "vetoes": n_vetoes}
