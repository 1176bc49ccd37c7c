"""趋势's quarter-end averages are period results to date (SCHEMES.md "Period results")."""

import datetime as dt

import pytest

from core.metrics import scores, trends
from tests import metrics_world as world
from core.services.rollups import refresh_effective


@pytest.fixture
def township(store):
    world.build(store)
    # m4 of B1 owes dues in Q1 of cycle 2026 (Jul–Sep): late_dues −5, approved
    store.write(lambda cur: (
        cur.execute("INSERT INTO events(id, member_id, branch_code, item, date, entered_by, entered_at)"
                    " VALUES (900, 'm4', ?, 'late_dues', DATE '2026-08-20', 't', TIMESTAMP '2026-08-21 10:00')",
                    [world.B1]).fetchall(),
        cur.execute("INSERT INTO event_reviews(event_id, decision, reviewed_by) VALUES (900, 'approved', 't')")
        .fetchall(),
        refresh_effective(cur, [900])))  # written straight to the tables: the rollup too
    scores.clear()
    return store


def test_quarter_end_average_counts_only_the_quarters_that_ended(township):
    flt = world.FILTER.__class__(**{**world.FILTER.__dict__, "cycle": 2026, "branch": world.B1})
    frame = trends.quarterly_average(township, world.SCOPE, flt)
    at_q1 = frame.filter(frame["quarter_end"] == dt.date(2026, 9, 30))["average"].item()
    # B1 at 2026-09-30 (Q1 of the 七一 cycle), 评议 not yet due (未评, left out):
    #   m1, m2: daily 75 + reward 0 = 75; m3: 75 + reward min(25 × 1, cap 10) = 85;
    #   m4: daily 75 − 5 = 70 (Q1 alone; Q2–Q4 are not counted at 75) → (75 + 75 + 85 + 70) / 4 = 76.25
    # (a cycle result of the cut data would average m4's quarters as (70 + 75 × 3) / 4 = 73.75 → 77.19 overall)
    assert abs(at_q1 - 76.25) <= 0.05  # shown with one decimal
