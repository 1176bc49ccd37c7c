"""The ``effective_events`` rollup (migrations 7 and 10) equals the rule worked out from scratch
over ``events`` + ``event_reviews`` after every write that changes what counts, on both stores,
with the event columns its readers take from it (item, count, points, rating, fraud); so do
``event_months``, ``pending_events``, ``member_months`` and ``member_years`` (migration 11, with
attendance)."""

from __future__ import annotations

import datetime as dt
import threading

from core import imports
from core.services import attendance, ledger, review, rollups
from tests.entry_world import ADMIN, OTHER_SECRETARY, SECRETARY, TODAY, world  # noqa: F401
from tests.import_files import ledger_file

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
                            AND e.id NOT IN (SELECT reverses FROM events WHERE reverses IS NOT NULL)),
       count(*) FILTER (WHERE CAST(e.entered_at AS DATE) >= CAST(date_trunc('month', e.date) + INTERVAL '1 month' AS DATE) - 3
                        AND CAST(e.entered_at AS DATE) < CAST(date_trunc('month', e.date) + INTERVAL '1 month' AS DATE)),
       count(*) FILTER (WHERE CAST(e.entered_at AS DATE) > e.date + 30)
FROM events e LEFT JOIN event_reviews r ON r.event_id = e.id WHERE e.reverses IS NULL
GROUP BY e.branch_code, CAST(date_trunc('month', e.date) AS DATE), e.item
ORDER BY e.branch_code, CAST(date_trunc('month', e.date) AS DATE), e.item"""


def months(store) -> list[tuple]:
    """(branch, month, item, entries, approved, rejected, counted, counted points, counted
    units), checked against the ledger from scratch with the entries made in the month's last
    3 days and those made more than 30 days after their date (the backfill alerts')."""
    rows = store.all("SELECT branch_code, month, item, entries, approved, rejected, counted, counted_points,"
                     " counted_units, burst, late FROM event_months ORDER BY branch_code, month, item")
    assert rows == store.all(MONTHS_FROM_SCRATCH)
    return [r[:9] for r in rows]


# Waiting for review (待审核): no review, not a reversal, not reversed (``pending_events``).
PENDING_FROM_SCRATCH = """
SELECT e.id, e.branch_code, e.member_id, e.entered_at FROM events e LEFT JOIN event_reviews r ON r.event_id = e.id
WHERE r.event_id IS NULL AND e.reverses IS NULL
  AND e.id NOT IN (SELECT reverses FROM events WHERE reverses IS NOT NULL)
ORDER BY e.id"""


def pending(store) -> list[int]:
    rows = store.all("SELECT event_id, branch_code, member_id, entered_at FROM pending_events ORDER BY event_id")
    assert rows == store.all(PENDING_FROM_SCRATCH)
    return [r[0] for r in rows]


# Who took part (``member_months``): per branch, month and member, the events that count and
# the present attendances at the branch's activities.
MEMBERS_FROM_SCRATCH = """
SELECT branch_code, month, member_id, CAST(sum(events) AS BIGINT), CAST(sum(present) AS BIGINT) FROM (
    SELECT e.branch_code, CAST(date_trunc('month', e.date) AS DATE) AS month, e.member_id, 1 AS events, 0 AS present
    FROM events e JOIN event_reviews r ON r.event_id = e.id
    WHERE r.decision = 'approved' AND e.reverses IS NULL
      AND e.id NOT IN (SELECT reverses FROM events WHERE reverses IS NOT NULL)
    UNION ALL
    SELECT a.branch_code, CAST(date_trunc('month', a.date) AS DATE), t.member_id, 0, 1
    FROM attendance t JOIN activities a ON a.id = t.activity_id WHERE t.status = 'present') s
GROUP BY branch_code, month, member_id ORDER BY branch_code, month, member_id"""


def members(store) -> list[tuple]:
    """(branch, month, member, counting events, present attendances), checked from scratch,
    and ``member_years``: each (branch, year, member)'s months as bits (January = 1)."""
    rows = store.all("SELECT branch_code, month, member_id, events, present FROM member_months"
                     " ORDER BY branch_code, month, member_id")
    assert rows == store.all(MEMBERS_FROM_SCRATCH)
    years: dict[tuple, int] = {}
    for branch, month, member, _, _ in rows:
        key = (branch, month.year, member)
        years[key] = years.get(key, 0) | 1 << (month.month - 1)
    assert store.all("SELECT branch_code, year, member_id, months FROM member_years"
                     " ORDER BY branch_code, year, member_id") == [(*k, v) for k, v in sorted(years.items())]
    return rows


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
    assert members(world) == []  # nobody took part yet: an entry waiting for review is nothing
    # entered on the clock's day, long after August 2025: late, none in August's last 3 days
    assert world.all("SELECT burst, late FROM event_months") == [(0, 4)]
    review.approve(world, SECRETARY, [a, b])
    assert check(world) == [a, b]
    assert months(world) == [(b01, aug, miss, 4, 2, 0, 2, None, 2)]  # two count: 2 units of the item
    assert members(world) == [(b01, aug, "M01", 1, 0), (b01, aug, "M02", 1, 0)]  # a is 张三's, b 李四's
    review.reject(world, SECRETARY, [c], "材料不全")
    assert check(world) == [a, b]  # a rejection never counted
    assert months(world) == [(b01, aug, miss, 4, 2, 1, 2, None, 2)]
    assert pending(world) == [d]  # a and b approved, c rejected
    # a 支委会 (attendance, no points) on 08-20: 张三 and 李四 present, 王五 on leave (not present)
    attendance.create_activity(world, SECRETARY, b01, "支委会", dt.date(2025, 8, 20), "八月支委会",
                               {"M01": "present", "M02": "present", "M03": "leave"}, today=TODAY)
    assert members(world) == [(b01, aug, "M01", 1, 1), (b01, aug, "M02", 1, 1)]
    assert months(world) == [(b01, aug, miss, 4, 2, 1, 2, None, 2)]  # no event of its own
    ledger.reverse_event(world, SECRETARY, a, "录错")
    assert check(world) == [b]  # the approved one reversed stops counting at once
    assert members(world) == [(b01, aug, "M01", 0, 1), (b01, aug, "M02", 1, 1)]  # 张三 still came to the meeting
    assert world.all("SELECT member_id, months FROM member_years ORDER BY member_id") == [("M01", 128), ("M02", 128)]  # August: bit 7
    ledger.reverse_event(world, SECRETARY, d, "录错")
    assert check(world) == [b]  # a pending one reversed: still nothing new counts
    assert pending(world) == []  # and it waits for no review any more
    # a reversal is no entry and leaves the review counts; a stops counting: 1 counted, 1 unit
    assert months(world) == [(b01, aug, miss, 4, 2, 1, 1, None, 1)]
    p = imports.preview(world, SECRETARY, "events", ledger_file(), "台账.xlsx", "C01T01B01", today=TODAY)
    batch = imports.commit(world, SECRETARY, p, today=TODAY)
    counting = check(world)
    assert len(counting) == 1 + 4  # b plus the file's four rows, imported as approved
    # the file: 张三 July, 李四 and 王五 August, 李四 October; 李四's August has b, the file's row
    # and the meeting
    jul, oct = dt.date(2025, 7, 1), dt.date(2025, 10, 1)
    assert members(world) == [(b01, jul, "M01", 1, 0), (b01, aug, "M01", 0, 1),
                              (b01, aug, "M02", 2, 1), (b01, aug, "M03", 1, 0),
                              (b01, oct, "M02", 1, 0)]
    # what the readers take from the rollup travels with the row: the file's 5 for 李四 and 3
    # for 王五 on 其他加分 (a range item); 缺席三会一课 and 党费 are fixed items, entered without points
    assert world.all("SELECT member_id, item, count, points FROM effective_events WHERE points IS NOT NULL"
                     " ORDER BY event_id") == [("M02", "reward_other", 1, 5), ("M03", "reward_other", 1, 3)]
    # the file's rows, imported approved: 缺席三会一课 07-01, 其他加分 5 on 08-03 and 3 on
    # 08-31, 党费 10-10 → July miss_meeting, August reward_other 2 rows worth 5 + 3 = 8, October late_dues
    assert months(world) == [(b01, jul, miss, 1, 1, 0, 1, None, 1), (b01, aug, miss, 4, 2, 1, 1, None, 1),
                             (b01, aug, "reward_other", 2, 2, 0, 2, 8, None), (b01, oct, "late_dues", 1, 1, 0, 1, None, 1)]
    assert imports.undo(world, SECRETARY, batch) == {"reversed": 4}
    assert check(world) == [b]  # the undone batch's four stop counting
    assert members(world) == [(b01, aug, "M01", 0, 1), (b01, aug, "M02", 1, 1)]
    assert pending(world) == []  # imported rows are approved, their reversals need no review
    # undone by reversals: the entries and reviews stand, nothing of the file counts
    assert months(world) == [(b01, jul, miss, 1, 1, 0, 0, None, None), (b01, aug, miss, 4, 2, 1, 1, None, 1),
                             (b01, aug, "reward_other", 2, 2, 0, 0, None, None), (b01, oct, "late_dues", 1, 1, 0, 0, None, None)]
    # entered on the day it is dated (the clock's): the step counts it in its month's last 3
    # days exactly when the rule does
    ledger.enter_event(world, SECRETARY, "M01", "miss_meeting", dt.date.today(), today=dt.date.today())
    assert months(world)[-1][3] == 1


def test_a_review_across_branches_and_months_recounts_them_all_and_nothing_else(world):
    # 一村: July and September entries, an approved August one between them; 二村: September.
    # One county review of 一村's July and 二村's September entry recounts both branches from
    # July to September: the months between come out as they were.
    enter = lambda user, m, day: ledger.enter_event(world, user, m, "miss_meeting", day, today=TODAY)
    july = enter(SECRETARY, "M01", dt.date(2025, 7, 5))
    august = enter(SECRETARY, "M02", dt.date(2025, 8, 5))
    september = enter(SECRETARY, "M03", dt.date(2025, 9, 5))
    other = enter(OTHER_SECRETARY, "M11", dt.date(2025, 9, 6))
    review.approve(world, SECRETARY, [august])
    before = months(world)
    review.approve(world, ADMIN, [july, other])
    assert check(world) == [july, august, other]
    b01, b02, miss = "C01T01B01", "C01T01B02", "miss_meeting"
    jul, aug, sep = dt.date(2025, 7, 1), dt.date(2025, 8, 1), dt.date(2025, 9, 1)
    # (branch, month, item, entries, approved, rejected, counted, points, units): the fixed item
    # counts units; 一村's August and September are as before the review
    assert months(world) == [(b01, jul, miss, 1, 1, 0, 1, None, 1), (b01, aug, miss, 1, 1, 0, 1, None, 1),
                             (b01, sep, miss, 1, 0, 0, 0, None, None), (b02, sep, miss, 1, 1, 0, 1, None, 1)]
    assert [r for r in months(world) if r[:2] in ((b01, aug), (b01, sep))] == before[1:3]
    assert members(world) == [(b01, jul, "M01", 1, 0), (b01, aug, "M02", 1, 0), (b02, sep, "M11", 1, 0)]


def test_the_demo_rollup_equals_the_rule(demo_store):
    assert rollup(demo_store) == demo_store.all(FROM_SCRATCH)
    assert months(demo_store)
    assert pending(demo_store)
    assert members(demo_store)
    assert demo_store.scalar("SELECT count(*) FROM effective_events") > 0


def test_an_import_adds_its_counts_to_the_months_it_shares_with_earlier_entries(world, monkeypatch):
    # before the file: 李四's 其他加分 of 2 on 08-10 and 张三's 缺席三会一课 on 08-05, approved;
    # 王五's 缺席三会一课 on 07-02 waiting for review
    enter = lambda m, item, day, points=None: ledger.enter_event(world, SECRETARY, m, item, day, points, today=TODAY)
    review.approve(world, SECRETARY, [enter("M02", "reward_other", dt.date(2025, 8, 10), 2),
                                      enter("M01", "miss_meeting", dt.date(2025, 8, 5))])
    enter("M03", "miss_meeting", dt.date(2025, 7, 2))
    b01, miss, other = "C01T01B01", "miss_meeting", "reward_other"
    jul, aug, oct = dt.date(2025, 7, 1), dt.date(2025, 8, 1), dt.date(2025, 10, 1)
    # (branch, month, item, entries, approved, rejected, counted, points, units)
    assert months(world) == [(b01, jul, miss, 1, 0, 0, 0, None, None), (b01, aug, miss, 1, 1, 0, 1, None, 1),
                             (b01, aug, other, 1, 1, 0, 1, 2, None)]

    def recount(*_):
        raise AssertionError("an import of new events adds to its months, it does not count them again")
    monkeypatch.setattr(rollups, "_refresh_months", recount)
    p = imports.preview(world, SECRETARY, "events", ledger_file(), "台账.xlsx", "C01T01B01", today=TODAY)
    imports.commit(world, SECRETARY, p, today=TODAY)
    # the file (approved): 张三 缺席三会一课 07-01, 李四 其他加分 5 on 08-03, 王五 其他加分 3 on
    # 08-31, 李四 党费 10-10. July: 1 + 1 entries, 0 + 1 approved and counted, units NULL + 1 = 1;
    # August's 其他加分: 1 + 2 entries, counted, points 2 + 5 + 3 = 10, no fixed units (NULL);
    # August's 缺席三会一课 is untouched; October's 党费 is new
    assert months(world) == [(b01, jul, miss, 2, 1, 0, 1, None, 1), (b01, aug, miss, 1, 1, 0, 1, None, 1),
                             (b01, aug, other, 3, 3, 0, 3, 10, None), (b01, oct, "late_dues", 1, 1, 0, 1, None, 1)]
    # who took part: 张三 July (the file) and August (his approved entry), 李四 August 1 + 1 and
    # October, 王五 August (his July entry waits for review); their years' bits are checked too
    assert members(world) == [(b01, jul, "M01", 1, 0), (b01, aug, "M01", 1, 0), (b01, aug, "M02", 2, 0),
                              (b01, aug, "M03", 1, 0), (b01, oct, "M02", 1, 0)]
    assert world.all("SELECT member_id, months FROM member_years ORDER BY member_id") == [
        ("M01", 64 + 128), ("M02", 128 + 512), ("M03", 128)]  # July bit 6, August bit 7, October bit 9


def test_an_import_and_entries_to_the_same_months_at_the_same_time_leave_the_rollups_equal_to_the_rule(world):
    # one thread imports the file (July, August and October of 一村) while another enters and
    # approves August entries one by one: the addition and the steps and recounts lock the
    # branch in turn, so every count comes out as the ledger says, whichever order they took
    p = imports.preview(world, SECRETARY, "events", ledger_file(), "台账.xlsx", "C01T01B01", today=TODAY)
    start = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []

    def importing():
        try:
            start.wait()
            imports.commit(world, SECRETARY, p, today=TODAY)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    def entering():
        try:
            start.wait()
            for k in range(8):
                event = ledger.enter_event(world, SECRETARY, ("M01", "M02", "M03")[k % 3], "miss_meeting",
                                           dt.date(2025, 8, 1 + k), today=TODAY)
                if k % 2 == 0:
                    review.approve(world, SECRETARY, [event])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
    threads = [threading.Thread(target=importing), threading.Thread(target=entering)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(check(world)) == 4 + 4  # the file's four rows and the four approved entries
    assert pending(world) != []  # the other four wait for review
    b01, aug, miss = "C01T01B01", dt.date(2025, 8, 1), "miss_meeting"
    # August's 缺席三会一课: the eight entries, four approved and counted (units: a fixed item);
    # months() and members() also check every row against the ledger from scratch
    assert [r for r in months(world) if r[:3] == (b01, aug, miss)] == [(b01, aug, miss, 8, 4, 0, 4, None, 4)]
    assert members(world)
