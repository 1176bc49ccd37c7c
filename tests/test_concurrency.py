"""Eight sessions writing to one branch at once lose nothing and double nothing."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

from core.services import attendance, ledger, review
from core.services.entry_rules import EntryError
from tests.entry_world import RECORDER, SECRETARY, TODAY, world  # noqa: F401

THREADS = 8
PER_THREAD = 12
DOUBLED = 5  # keys every thread submits, as a double click or a second tab would
MEMBERS = ("M01", "M02", "M03")


def run_together(work) -> list[BaseException]:
    barrier, errors = threading.Barrier(THREADS), []

    def body(n):
        barrier.wait()
        try:
            work(n)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return errors


def test_eight_threads_entering_into_one_branch(world):
    def work(n):
        for i in range(PER_THREAD):
            ledger.enter_event(world, RECORDER, MEMBERS[i % 3], "miss_meeting", dt.date(2025, 8, 1 + i),
                               note=f"t{n}-{i}", request_key=f"t{n}-{i}", today=TODAY)
            if i < DOUBLED:
                ledger.enter_event(world, RECORDER, "M01", "late_dues", dt.date(2025, 9, 1 + i),
                                   note=f"dup-{i} by t{n}", request_key=f"dup-{i}", today=TODAY)

    assert run_together(work) == []
    keys = Counter(r[0] for r in world.all("SELECT request_key FROM events"))
    assert len(keys) == THREADS * PER_THREAD + DOUBLED
    assert set(keys.values()) == {1}
    assert {f"t{n}-{i}" for n in range(THREADS) for i in range(PER_THREAD)} | {f"dup-{i}" for i in range(DOUBLED)} == set(keys)
    assert world.scalar("SELECT count(*) FROM audit_log WHERE action = 'event.enter'") == THREADS * PER_THREAD + DOUBLED


def test_eight_reviewers_approving_the_same_events_approve_each_once(world):
    ids = [ledger.enter_event(world, RECORDER, MEMBERS[i % 3], "miss_meeting", dt.date(2025, 8, 1 + i), today=TODAY)
           for i in range(20)]
    approved, refused = Counter(), Counter()
    lock = threading.Lock()

    def work(n):
        for event_id in ids[n % 4:] + ids[: n % 4]:
            try:
                review.approve(world, SECRETARY, [event_id])
                with lock:
                    approved[event_id] += 1
            except EntryError:
                with lock:
                    refused[event_id] += 1

    assert run_together(work) == []
    assert approved == Counter(ids)
    assert sum(refused.values()) == (THREADS - 1) * len(ids)
    assert world.scalar("SELECT count(*) FROM event_reviews") == len(ids)


def test_the_same_activity_saved_from_two_tabs_is_one_activity(world):
    statuses = {"M01": "present", "M02": "absent", "M03": "leave"}

    def work(n):
        attendance.create_activity(world, RECORDER, "C01T01B01", "党小组会", dt.date(2025, 9, 2), "9月党小组会",
                                   statuses, request_key="tab-form-1" if n % 2 else "tab-form-2", today=TODAY)

    assert run_together(work) == []
    assert [world.scalar(f"SELECT count(*) FROM {t}") for t in ("activities", "attendance", "events")] == [2, 6, 2]
