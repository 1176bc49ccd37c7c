"""The demo's activity data: deterministic, at the DESIGN.md volume, valid for every branch's
scheme, in realistic proportions, and with one branch for each township alert."""

import datetime as dt

import pytest

from core import demo
from core.demo.plan import SPECIALS
from core.scheme_assignments import scheme_for
from core.store import Store
from tests.conftest import DEMO_TODAY

# Columns the generator sets itself (default timestamps such as assigned_at are left out).
FINGERPRINTS = {
    "events": "member_id, branch_code, item, date, points, reverses, entered_at, source",
    "event_reviews": "event_id, decision, reason",  # the 公示 workflow approves with today's time
    "activities": "branch_code, type, date, title",
    "attendance": "activity_id, member_id, status",
    "scores": "member_id, cycle, component, period, rater, value, grade, votes",
    "vetoes": "member_id, item, date, evidence",
    "cycle_history": "member_id, cycle, grade, stars",
    "scheme_assignments": "org_code, scheme_id, scheme_version, from_date",
}


GENERATED = {"events": "source IN ('manual', 'attendance')"}  # not the 公示 workflow's corrections


def _fingerprint(store) -> dict:
    return {t: store.one(f"SELECT count(*), sum(hash({c})) FROM {t} WHERE {GENERATED.get(t, 'true')}")
            for t, c in FINGERPRINTS.items()}


def test_same_seed_and_day_give_the_same_activity(tmp_path, demo_store):
    again = Store(tmp_path / "again.duckdb")
    try:
        demo.generate(again, "S", seed=2026, today=DEMO_TODAY)
        assert _fingerprint(again) == _fingerprint(demo_store)
    finally:
        again.close()


def test_volumes_are_in_the_design_range(demo_store):
    counts = dict(demo_store.all(
        "SELECT 'events', count(*) FROM events UNION ALL SELECT 'attendance', count(*) FROM attendance"
        " UNION ALL SELECT 'scores', count(*) FROM scores UNION ALL SELECT 'activities', count(*) FROM activities"
        " UNION ALL SELECT 'vetoes', count(*) FROM vetoes UNION ALL SELECT 'history', count(*) FROM cycle_history"))
    assert 80_000 <= counts["events"] <= 130_000  # S: ~100k over 2 cycles
    assert counts["attendance"] > 20_000 and counts["activities"] > 1_000
    assert counts["scores"] > 1_000 and counts["history"] > 500 and counts["vetoes"] >= 1
    first, last = demo_store.one("SELECT min(date), max(date) FROM events")
    assert first == dt.date(2025, 7, 1) and last <= DEMO_TODAY


def test_every_event_item_exists_in_its_branch_scheme(demo_store):
    rows = demo_store.all(
        "SELECT branch_code, item, count(*), count(points), min(points), max(points) FROM events"
        " WHERE source IN ('manual', 'attendance') GROUP BY ALL")
    for branch, code, n, with_points, low, high in rows:
        scheme, _ = scheme_for(demo_store, branch, DEMO_TODAY)
        item = scheme.items.get(code)
        assert item is not None and "member" in item.kinds, (branch, code)
        if item.is_range:
            assert with_points == n and min(item.min, item.max) <= low <= high <= max(item.min, item.max), (branch, code)
        else:
            assert with_points == 0, (branch, code)


def test_entered_scores_match_the_scheme_inputs(demo_store):
    for branch, component, period, grade in demo_store.all(
            "SELECT DISTINCT branch_code, component, period, grade FROM scores"):
        scheme, _ = scheme_for(demo_store, branch, DEMO_TODAY)
        assert component in scheme.components and period in scheme.components[component].periods
        if grade is not None:
            assert grade in scheme.components[component].grades


def test_branch_kinds_get_their_schemes(demo_store):
    kinds = {}
    for code, kind in demo_store.all("SELECT code, kind FROM orgs WHERE level = 'branch'"):
        kinds.setdefault(kind, set()).add(scheme_for(demo_store, code, DEMO_TODAY)[0].id)
    assert kinds["school"] == {"party-stars-5x20"} and kinds["机关"] == {"party-stars-10"}
    assert kinds["enterprise"] == {"party-stars-quota"} and kinds["community"] <= {"party-street-3class", "party-vanguard-8to2"}
    assert kinds["village"] == {"party-q100-3to1", "party-village-3type"}


def test_review_and_attendance_proportions(demo_store):
    old, approved, rejected, unreasoned = demo_store.one(
        "SELECT count(*), count(*) FILTER (WHERE r.decision = 'approved'), count(*) FILTER (WHERE r.decision = 'rejected'),"
        " count(*) FILTER (WHERE r.decision = 'rejected' AND r.reason IS NULL)"
        " FROM events e LEFT JOIN event_reviews r ON r.event_id = e.id"
        " WHERE e.reverses IS NULL AND e.entered_at < ? AND e.source IN ('manual', 'attendance')",
        [DEMO_TODAY - dt.timedelta(days=30)])
    assert approved / old > 0.95 and 0.005 < rejected / old < 0.05 and unreasoned == 0
    recent_pending = demo_store.scalar(
        "SELECT count(*) FROM events e LEFT JOIN event_reviews r ON r.event_id = e.id"
        " WHERE r.event_id IS NULL AND e.reverses IS NULL AND e.entered_at >= ?", [DEMO_TODAY - dt.timedelta(days=14)])
    assert recent_pending > 100
    assert demo_store.scalar("SELECT count(*) FROM events WHERE reverses IS NOT NULL") > 10
    present = demo_store.scalar(
        "SELECT avg((t.status = 'present')::INT) FROM attendance t JOIN activities a ON a.id = t.activity_id"
        " WHERE a.type IN ('主题党日', '党小组会', '支部党员大会', '党课')")
    assert 0.85 <= present <= 0.96
    assert demo_store.scalar("SELECT count(*) FROM attendance WHERE status = 'leave'") > 100


@pytest.mark.parametrize("suffix", sorted(SPECIALS))
def test_each_alert_has_a_branch_that_triggers_it(demo_store, suffix):
    branch = f"C01T01{suffix}"
    special = SPECIALS[suffix]
    if special == "stale":
        assert demo_store.scalar("SELECT max(entered_at) FROM events WHERE branch_code = ?", [branch]) \
            < dt.datetime.combine(DEMO_TODAY - dt.timedelta(days=60), dt.time())
    elif special == "spike":
        share = demo_store.scalar(
            "SELECT avg((entered_at::DATE >= last_day(date) - 2)::INT) FROM events"
            " WHERE branch_code = ? AND last_day(date) < ? AND source = 'manual'", [branch, DEMO_TODAY])
        assert share > 0.9
    else:
        assert demo_store.scalar(
            "SELECT count(DISTINCT status) FROM attendance t JOIN activities a ON a.id = t.activity_id"
            " WHERE a.branch_code = ?", [branch]) == 1


def test_report_in_data_for_in_service_members(demo_store):
    members, reported = demo_store.one(
        "SELECT count(DISTINCT m.id), count(DISTINCT t.member_id) FROM members m"
        " LEFT JOIN attendance t ON t.member_id = m.id AND t.activity_id IN (SELECT id FROM activities WHERE type = '社区报到')"
        " WHERE m.department IS NOT NULL AND m.status = 'active'")
    assert members > 0 and 0.6 < reported / members < 1.0
