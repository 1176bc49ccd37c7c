"""The ``effective_events`` rollup (migration 7) equals the rule worked out from scratch over
``events`` + ``event_reviews`` after every write that changes what counts, on both stores."""

from __future__ import annotations

import datetime as dt

from core import imports
from core.services import ledger, review
from tests.entry_world import SECRETARY, TODAY, world  # noqa: F401
from tests.test_import_events import ledger as ledger_file

# The rule restated here on purpose (not imported): approved, not a reversal, not reversed.
FROM_SCRATCH = """
SELECT e.id, e.branch_code, e.member_id, e.date FROM events e
JOIN event_reviews r ON r.event_id = e.id
WHERE r.decision = 'approved' AND e.reverses IS NULL
  AND e.id NOT IN (SELECT reverses FROM events WHERE reverses IS NOT NULL)
ORDER BY e.id"""


def rollup(store) -> list[tuple]:
    return store.all("SELECT event_id, branch_code, member_id, date FROM effective_events ORDER BY event_id")


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
    review.approve(world, SECRETARY, [a, b])
    assert check(world) == [a, b]
    review.reject(world, SECRETARY, [c], "材料不全")
    assert check(world) == [a, b]  # a rejection never counted
    ledger.reverse_event(world, SECRETARY, a, "录错")
    assert check(world) == [b]  # the approved one reversed stops counting at once
    ledger.reverse_event(world, SECRETARY, d, "录错")
    assert check(world) == [b]  # a pending one reversed: still nothing new counts
    p = imports.preview(world, SECRETARY, "events", ledger_file(), "台账.xlsx", "C01T01B01", today=TODAY)
    batch = imports.commit(world, SECRETARY, p, today=TODAY)
    counting = check(world)
    assert len(counting) == 1 + 4  # b plus the file's four rows, imported as approved
    assert imports.undo(world, SECRETARY, batch) == {"reversed": 4}
    assert check(world) == [b]  # the undone batch's four stop counting


def test_the_demo_rollup_equals_the_rule(demo_store):
    assert rollup(demo_store) == demo_store.all(FROM_SCRATCH)
    assert demo_store.scalar("SELECT count(*) FROM effective_events") > 0
