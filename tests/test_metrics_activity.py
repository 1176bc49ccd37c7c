"""Participation, attendance and entries on the hand-made township (tests/metrics_world.py)."""

import pytest

from core.metrics import activity
from tests import metrics_world as w


@pytest.fixture
def world(store):
    w.build(store)
    return store


def _by_branch(frame):
    return {r["branch"]: r for r in frame.iter_rows(named=True)}


def test_participation_counts_approved_events_and_attendance_over_active_members(world):
    rows = _by_branch(activity.participation(world, w.SCOPE, w.FILTER))
    # B1: m1 (approved event), m3 (present at 主题党日), m4 (present at 志愿服务); m2 only pending
    # and on leave; m5 exempt is outside the base. 3 of 4.
    assert (rows[w.B1]["base"], rows[w.B1]["participants"], rows[w.B1]["rate"]) == (4, 3, 75.0)
    # B2: n1's event was reversed, n3's rejected, n2's is dated 09-30 (before Q4): 0 of 3.
    assert (rows[w.B2]["base"], rows[w.B2]["participants"], rows[w.B2]["rate"]) == (3, 0, 0.0)
    assert rows[w.B3]["base"] == 0 and rows[w.B3]["rate"] is None


def test_participation_by_month_and_category(world):
    frame = activity.participation(world, w.SCOPE, w.FILTER.with_period("2026"), by_month=True)
    b2 = {r["month"].month: r["participants"] for r in frame.iter_rows(named=True) if r["branch"] == w.B2}
    assert b2 == {9: 1}  # n2 in September (the 25 back-filled events and the one on 09-30)
    other = activity.participation(world, w.SCOPE, w.FILTER.__class__(**{**w.FILTER.__dict__, "category": "村干部"}))
    assert other["base"].sum() == 0


def test_attendance_rate_counts_meetings_only(world):
    rows = _by_branch(activity.attendance(world, w.SCOPE, w.FILTER))
    # 主题党日: m1, m3 present; m2 leave; m4 absent (m5 exempt is not expected). 志愿服务 is no meeting.
    b1 = rows[w.B1]
    assert (b1["meetings"], b1["expected"], b1["present"], b1["leave"], b1["absent"], b1["rate"]) == (1, 4, 2, 1, 1, 50.0)
    assert rows[w.B2]["expected"] == 0 and rows[w.B2]["rate"] is None


def test_entries_and_days_since_last_entry(world):
    rows = _by_branch(activity.entries(world, w.SCOPE, w.FILTER))
    assert (rows[w.B1]["entries"], rows[w.B1]["approved"], rows[w.B1]["pending"]) == (2, 1, 1)
    assert rows[w.B1]["days_since"] == 5  # m2's entry on 11-15
    # B2 in Q4: n1 (approved; its reversal is not an entry) and n3 (rejected); last thing 10-20.
    assert (rows[w.B2]["entries"], rows[w.B2]["approved"], rows[w.B2]["rejected"]) == (2, 1, 1)
    assert rows[w.B2]["days_since"] == 31
    assert rows[w.B3]["entries"] == 0 and rows[w.B3]["days_since"] is None


def test_members_in_scope(world):
    assert activity.members_in_scope(world, w.SCOPE, w.FILTER) == {"active": 7, "exempt": 1}


def test_monthly_points_count_effective_events_at_the_scheme_value(world):
    from core.metrics import trends
    frame = trends.monthly_points(world, w.SCOPE, w.FILTER)
    got = {r["month"].month: (r["entries"], r["points"]) for r in frame.iter_rows(named=True)}
    # article_district (投稿，区级) is +1 under party-q100-3to1. August: m3's 25; September: n2's 25 + 1;
    # October: m1's approved one (n1's was reversed, n3's rejected, m2's pending).
    assert got == {8: (25, 25.0), 9: (26, 26.0), 10: (1, 1.0)}
    monthly = trends.monthly_participation(world, w.SCOPE, w.FILTER)
    assert dict(zip([m.month for m in monthly["month"]], monthly["participants"])) == {4: 1, 3: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 1, 10: 3}
