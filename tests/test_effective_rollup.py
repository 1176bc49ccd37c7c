"""The ``effective_events`` rollup (migrations 7 and 10) equals the rule worked out from scratch
over ``events`` + ``event_reviews`` after every write that changes what counts, on both stores,
with the event columns its readers take from it (item, count, points, rating, fraud)."""

from __future__ import annotations

import datetime as dt

from core import imports
from core.services import ledger, review
from tests.entry_world import SECRETARY, TODAY, world  # noqa: F401
from tests.test_import_events import ledger as ledger_file

# The rule restated here on purpose (not imported): approved, not a reversal, not reversed.
FROM_SCRATCH = """
SELECT e.id, e.branch_code, e.member_id, e.date, e.item, e.count, e.points, e.rating, e.fraud FROM events e
JOIN event_reviews r ON r.event_id = e.id
WHERE r.decision = 'approved' AND e.reverses IS NULL
  AND e.id NOT IN (SELECT reverses FROM events WHERE reverses IS NOT NULL)
ORDER BY e.id"""

# Each branch's events per month and item by review state, reversals apart, and the ones
# that count with their entered points and fixed-value units (``event_months``).
MONTHS_FROM_SCRATCH = """
SELECT e.branch_code, CAST(date_trunc('month', e.date) AS DATE), e.item, count(*),
       count(*) FILTER (WHERE r.decision = 'approved'), count(*) FILTER (WHERE r.decision = 'rejected'),
       count(*) FILTER (WHERE r.decision = 'approved' AND e.id NOT IN (SELECT reverses FROM events WHERE reverses IS NOT NULL)),
       sum(e.points * e.count) FILTER (WHERE r.decision = 'approved' AND e.id NOT IN (SELECT reverses FROM events WHERE reverses IS NOT NULL)),
       sum(e.count) FILTER (WHERE r.decision = 'approved' AND e.points IS NULL
                            AND e.id NOT IN (SELECT reverses FROM events WHERE reverses IS NOT NULL))
FROM events e LEFT JOIN event_reviews r ON r.event_id = e.id WHERE e.reverses IS NULL
GROUP BY e.branch_code, CAST(date_trunc('month', e.date) AS DATE), e.item
ORDER BY e.branch_code, CAST(date_trunc('month', e.date) AS DATE), e.item"""


def months(store) -> list[tuple]:
    """(branch, month, item, entries, approved, rejected, counted, counted points, counted
    units), checked against the ledger from scratch."""
    rows = store.all("SELECT branch_code, month, item, entries, approved, rejected, counted, counted_points,"
                     " counted_units FROM event_months ORDER BY branch_code, month, item")
    assert rows == store.all(MONTHS_FROM_SCRATCH)
    return rows


# Waiting for review (待审核): no review, not a reversal, not reversed (``pending_events``).
PENDING_FROM_SCRATCH = """
SELECT e.id, e.branch_code FROM events e LEFT JOIN event_reviews r ON r.event_id = e.id
WHERE r.event_id IS NULL AND e.reverses IS NULL
  AND e.id NOT IN (SELECT reverses FROM events WHERE reverses IS NOT NULL)
ORDER BY e.id"""


def pending(store) -> list[int]:
    rows = store.all("SELECT event_id, branch_code FROM pending_events ORDER BY event_id")
    assert rows == store.all(PENDING_FROM_SCRATCH)
    return [r[0] for r in rows]


def rollup(store) -> list[tuple]:
    return store.all("SELECT event_id, branch_code, member_id, date, item, count, points, rating, fraud"
                     " FROM effective_events ORDER BY event_id")


def check(store) -> list[int]:
    """The rollup equals the rule from scratch; returns the ids that count."""
    rows = rollup(store)
    assert rows == store.all(FROM_SCRATCH)
    return [r[0] for r in rows]


def test_every_write_keeps_the_rollup_equal_to_the_rule(world):
    day = dt.date(2025, 8, 3)
    a, b, c, d = (ledger.enter_event(world, SECRETARY, m, "miss_meeting", day + dt.timedelta(days=k), today=TODAY)
                  for k, m in enumerate(("M01", "M02", "M03", "M01")))
    assert check(world) == []  # entered (待审核) counts for nothing yet
    assert pending(world) == [a, b, c, d]
    aug, b01, miss = dt.date(2025, 8, 1), "C01T01B01", "miss_meeting"  # a fixed-value item: no points entered
    assert months(world) == [(b01, aug, miss, 4, 0, 0, 0, None, None)]  # four entered in August, none reviewed
    review.approve(world, SECRETARY, [a, b])
    assert check(world) == [a, b]
    assert months(world) == [(b01, aug, miss, 4, 2, 0, 2, None, 2)]  # two count: 2 units of the item
    review.reject(world, SECRETARY, [c], "材料不全")
    assert check(world) == [a, b]  # a rejection never counted
    assert months(world) == [(b01, aug, miss, 4, 2, 1, 2, None, 2)]
    assert pending(world) == [d]  # a and b approved, c rejected
    ledger.reverse_event(world, SECRETARY, a, "录错")
    assert check(world) == [b]  # the approved one reversed stops counting at once
    ledger.reverse_event(world, SECRETARY, d, "录错")
    assert check(world) == [b]  # a pending one reversed: still nothing new counts
    assert pending(world) == []  # and it waits for no review any more
    # a reversal is no entry and leaves the review counts; a stops counting: 1 counted, 1 unit
    assert months(world) == [(b01, aug, miss, 4, 2, 1, 1, None, 1)]
    p = imports.preview(world, SECRETARY, "events", ledger_file(), "台账.xlsx", "C01T01B01", today=TODAY)
    batch = imports.commit(world, SECRETARY, p, today=TODAY)
    counting = check(world)
    assert len(counting) == 1 + 4  # b plus the file's four rows, imported as approved
    # what the readers take from the rollup travels with the row: the file's 5 for 李四 and 3
    # for 王五 on 其他加分 (a range item); 缺席三会一课 and 党费 are fixed items, entered without points
    assert world.all("SELECT member_id, item, count, points FROM effective_events WHERE points IS NOT NULL"
                     " ORDER BY event_id") == [("M02", "reward_other", 1, 5), ("M03", "reward_other", 1, 3)]
    # the file's rows, imported approved: 缺席三会一课 07-01, 其他加分 5 on 08-03 and 3 on
    # 08-31, 党费 10-10 → July miss_meeting, August reward_other 2 rows worth 5 + 3 = 8, October late_dues
    jul, oct = dt.date(2025, 7, 1), dt.date(2025, 10, 1)
    assert months(world) == [(b01, jul, miss, 1, 1, 0, 1, None, 1), (b01, aug, miss, 4, 2, 1, 1, None, 1),
                             (b01, aug, "reward_other", 2, 2, 0, 2, 8, None), (b01, oct, "late_dues", 1, 1, 0, 1, None, 1)]
    assert imports.undo(world, SECRETARY, batch) == {"reversed": 4}
    assert check(world) == [b]  # the undone batch's four stop counting
    assert pending(world) == []  # imported rows are approved, their reversals need no review
    # undone by reversals: the entries and reviews stand, nothing of the file counts
    assert months(world) == [(b01, jul, miss, 1, 1, 0, 0, None, None), (b01, aug, miss, 4, 2, 1, 1, None, 1),
                             (b01, aug, "reward_other", 2, 2, 0, 0, None, None), (b01, oct, "late_dues", 1, 1, 0, 0, None, None)]


def test_the_demo_rollup_equals_the_rule(demo_store):
    assert rollup(demo_store) == demo_store.all(FROM_SCRATCH)
    assert months(demo_store)
    assert pending(demo_store)
    assert demo_store.scalar("SELECT count(*) FROM effective_events") > 0
