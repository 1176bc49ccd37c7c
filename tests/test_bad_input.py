"""Bad input gets a Chinese message and nothing is written (issue 13, "Bad input").

Every service that takes user input is called with values mixing good ones and the nasty
ones the probe found (huge counts, Decimal specials, lone surrogates, NUL, zero-width-only
text, 1 MB strings, None, wrong types, far dates). Each call either succeeds or raises one of
the refusal types the pages show (EntryError, AuthError, PermissionError and their kin)
with a message containing Chinese; any other exception fails the test. After a refusal
every table's row count and checksum is what it was before: no half-write. Both stores.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.auth import AuthError, PermissionDenied, ScopeError, add_user
from core.auth.credentials import check_password
from core.services import appraisal, attendance, ledger, objections, publicity, review, vetoes
from core.services.entry_rules import EntryError
from core.store.checksum import table_names
from tests.entry_world import SECRETARY, TODAY, world  # noqa: F401
from tests.publicity_world import BRANCH, approved_event

ROOT = Path(__file__).resolve().parents[1]
REFUSALS = (EntryError, AuthError, PermissionDenied, ScopeError)
CJK = re.compile(r"[\u4e00-\u9fff]")
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# The nasty values of the issue, then good ones so that some calls get through and write.
NASTY_TEXT = ["\ud800", "a\x00b", "\u200b\u200c\u200d\u2060\ufeff", "  \u200b ", "x" * 1_000_000, "", None, 123,
              b"bytes", ["list"], 1.5]
GOOD_TEXT = ["张三", "8月3日我请过假", "  有误  ", "line one\nline two"]
texts = st.sampled_from(NASTY_TEXT + GOOD_TEXT) | st.text(max_size=30)
NASTY_NUMBERS = [10**10, 10**9, 10**30, 0, -1, -5, 1.5, 0.001, Decimal("Infinity"), Decimal("-Infinity"),
                 Decimal("NaN"), Decimal("sNaN"), Decimal("1e7"), float("inf"), float("nan"), "abc", "", None, True,
                 [1], "1" * 100]
numbers = st.sampled_from(NASTY_NUMBERS + [1, 2, "3", Decimal("2"), 5]) | st.integers()
dates = st.sampled_from([dt.date(1900, 1, 1), dt.date(1999, 12, 31), dt.date(9999, 12, 31), dt.date(1, 1, 1),
                         dt.date(2025, 8, 3), dt.date(2025, 11, 20), TODAY + dt.timedelta(days=1), None,
                         "2025-08-03", 20250803, dt.datetime(2025, 8, 3, 10, 0)])
cycles = st.sampled_from([99999, -5, 2200, 0, 1999, None, "2025", "abc", True, 2025.0, 10**30, 2025])
ids = st.sampled_from(["abc", None, -1, 0, 10**30, 1.5, "1; DROP TABLE events", [1], True, "\ud800", 1, 2, 999_999])
members = st.sampled_from(["M01", "M02", "M11", "M05", "nobody", None, 123, ["M01"], "\ud800", "M\x000", "x" * 10_000])


def table_checksums(store) -> dict[str, int]:
    """Every table's row count, in one query (a digest of every table per call made the file
    take minutes; the services only ever insert, or update rows they also audit)."""
    names = table_names(store)
    row = store.one("SELECT " + ", ".join(f"(SELECT count(*) FROM {n})" for n in names))
    return dict(zip(names, row))


def call(store, fn, refusals: tuple[type[Exception], ...] = REFUSALS):
    """Run ``fn``; a refusal (one of ``refusals``, the types the pages show) must be Chinese
    and leave every table as it was.

    Every write goes through ``store.write`` (one transaction each), so the row counts are
    taken when ``fn`` first calls it, and compared only then: a refusal raised before any
    write began cannot have written (and on DuckDB each count of every table costs ~20 ms)."""
    counted: dict = {}
    real_write = store.write

    def write(work, *args, **kwargs):
        if "before" not in counted:
            counted["before"] = table_checksums(store)
        return real_write(work, *args, **kwargs)

    store.write = write  # this call's writes only: the instance attribute shadows the method
    try:
        fn()
    except refusals as exc:
        assert CJK.search(str(exc)), f"refusal without Chinese: {exc!r}"
        if "before" not in counted:
            return False
        before, after = counted["before"], table_checksums(store)
        if isinstance(exc, (PermissionDenied, ScopeError)):
            # a denied access is itself recorded (audit_log, and meta's chain head): that row
            # is the point, so only the other tables must be as they were
            after = {k: v for k, v in after.items() if k not in ("audit_log", "meta")}
            before = {k: v for k, v in before.items() if k not in ("audit_log", "meta")}
        assert after == before, f"half-write after refusal {exc!r}"
        return False
    finally:
        del store.write
    return True


@SETTINGS
@given(member=members, item=st.sampled_from(["miss_meeting", "reward_other", "award_city", "nope", None, 7]),
       day=dates, points=numbers, count=numbers, note=texts,
       rating=st.sampled_from([None, "满意", "很好", ["满意"], 1]))
def test_enter_event(world, member, item, day, points, count, note, rating):
    call(world, lambda: ledger.enter_event(world, SECRETARY, member, item, day, points, count, note=note,
                                           rating=rating, today=TODAY))


def _one_event(store) -> None:
    """Event 1, entered once per store (hypothesis runs every example on the same store)."""
    if not store.scalar("SELECT count(*) FROM events"):
        ledger.enter_event(store, SECRETARY, "M01", "miss_meeting", dt.date(2025, 8, 3), today=TODAY)


@SETTINGS
@given(event_id=ids, reason=texts)
def test_reverse_event(world, event_id, reason):
    _one_event(world)
    call(world, lambda: ledger.reverse_event(world, SECRETARY, event_id, reason=reason))


@SETTINGS
@given(event_ids=st.lists(ids, max_size=3) | st.sampled_from([None, "abc", 5, b"1"]), reason=texts,
       approve=st.booleans())
def test_review(world, event_ids, reason, approve):
    _one_event(world)
    if approve:
        call(world, lambda: review.approve(world, SECRETARY, event_ids))
    else:
        call(world, lambda: review.reject(world, SECRETARY, event_ids, reason))


@SETTINGS
@given(member=members, item=st.sampled_from(["embezzle", "cult", "nope", None, 5]), day=dates, evidence=texts,
       veto_id=ids, reason=texts)
def test_vetoes(world, member, item, day, evidence, veto_id, reason):
    call(world, lambda: vetoes.add_veto(world, SECRETARY, member, item, day, evidence, today=TODAY))
    call(world, lambda: vetoes.revoke_veto(world, SECRETARY, veto_id, reason))


@SETTINGS
@given(kind=st.sampled_from(["支部党员大会", "志愿服务", "nope", None, 3]), day=dates, title=texts, note=texts,
       statuses=st.sampled_from([{"M01": "present", "M02": "absent"}, {"M01": "gone"}, {"M11": "present"}, {},
                                 None, ["M01"], {"M01": ["present"]}, {("M01",): "present"}]))
def test_create_activity(world, kind, day, title, note, statuses):
    call(world, lambda: attendance.create_activity(world, SECRETARY, BRANCH, kind, day, title, statuses,
                                                   note=note, today=TODAY))


@SETTINGS
@given(cycle=cycles, period=st.sampled_from(["H1", "H2", "Q9", None, ["H1"]]),
       rows=st.sampled_from([
           [{"member_id": "M01", "grade": "优秀"}], [{"member_id": "M01", "grade": "\ud800"}],
           [{"member_id": "M01", "grade": ["优秀"]}], [{"member_id": ["M01"], "grade": "优秀"}],
           [{"member_id": "M01", "votes": [1]}], [{"member_id": "M01", "rater": ["x"], "grade": "合格"}],
           [{"member_id": "M01", "value": Decimal("sNaN")}], ["M01"], None, "rows", [{"member_id": None}]]))
def test_save_grid(world, cycle, period, rows):
    call(world, lambda: appraisal.save_grid(world, SECRETARY, BRANCH, cycle, "appraisal", period, rows,
                                            today=TODAY))


@pytest.fixture
def published(world):
    approved_event(world, "M01", "miss_meeting", dt.date(2025, 8, 3))
    pid = publicity.open_publicity(world, SECRETARY, BRANCH, 2025, "Q1", TODAY, TODAY + dt.timedelta(days=6),
                                   today=TODAY)
    return world, pid


@SETTINGS
@given(cycle=cycles, start=dates | st.just(TODAY), end=dates | st.sampled_from([TODAY + dt.timedelta(days=6),
                                                                                  dt.date(9999, 12, 31)]))
def test_open_publicity(world, cycle, start, end):
    approved_event(world, "M01", "miss_meeting", dt.date(2025, 8, 3)) if not world.scalar(
        "SELECT count(*) FROM events") else None
    call(world, lambda: publicity.open_publicity(world, SECRETARY, BRANCH, cycle, "Q1", start, end, today=TODAY))


@SETTINGS
@given(pub_id=ids, member=members, objector=texts, content=texts, handler=texts, resolution=texts, recheck=texts,
       end=st.sampled_from([None, dt.date(9999, 12, 31), TODAY + dt.timedelta(days=10), "x"]), reason=texts)
def test_objections_and_republish(published, pub_id, member, objector, content, handler, resolution, recheck,
                                  end, reason):
    store, pid = published
    call(store, lambda: objections.file_objection(store, SECRETARY, pub_id, member, objector, content,
                                                  handler=handler, today=TODAY))
    oid = store.scalar("SELECT max(id) FROM objections")
    if oid is not None:
        call(store, lambda: objections.assign_handler(store, SECRETARY, oid, handler))
        call(store, lambda: objections.resolve_objection(store, SECRETARY, oid, resolution, recheck, today=TODAY))
    call(store, lambda: objections.resolve_objection(store, SECRETARY, pub_id, resolution, recheck, today=TODAY))
    call(store, lambda: publicity.republish(store, SECRETARY, pub_id if pub_id != 1 else pid, reason, today=TODAY,
                                            end=end))


@SETTINGS
@given(username=texts, password=st.sampled_from([None, "", "        ", "123456", "\ud800" * 10, "a\x00bcdefgh",
                                                  "x" * 1_000_000, 12345678, "Strong-pass-2025"]),
       role=st.sampled_from(["secretary", "king", None, ["admin"]]),
       org=st.sampled_from(["C01T01B01", "C99", None, 5, ["C01"]]), display=texts)
def test_add_user(world, username, password, role, org, display):
    call(world, lambda: add_user(world, username, password, role, org, display_name=display))


def test_the_probe_findings_each_get_a_chinese_refusal(world):
    """The issue's list, one by one (each refused, nothing written)."""
    enter = lambda **kw: lambda: ledger.enter_event(  # noqa: E731
        world, SECRETARY, "M01", kw.pop("item", "miss_meeting"), dt.date(2025, 8, 3), today=TODAY, **kw)
    for fn in (enter(count=10**10), enter(count=10**9), enter(item="reward_other", points=Decimal("Infinity")),
               enter(item="reward_other", points=Decimal("sNaN")), enter(note="\ud800"), enter(note=123),
               enter(note="x" * 1_000_000), enter(note="a\x00b"),
               lambda: review.reject(world, SECRETARY, [1], None), lambda: review.approve(world, SECRETARY, ["abc"]),
               lambda: check_password(None)):
        assert call(world, fn) is False
    assert world.scalar("SELECT count(*) FROM events") == 0
    # zero-width text is not "filled in": a reason made of it is no reason
    event_id = ledger.enter_event(world, SECRETARY, "M01", "miss_meeting", dt.date(2025, 8, 3), today=TODAY)
    with pytest.raises(EntryError, match="驳回必须填写理由"):
        review.reject(world, SECRETARY, [event_id], "\u200b\u200b")
    # a per-event count of 1000 is the most one record takes: 1000 × −2 = −2000 points
    big = ledger.enter_event(world, SECRETARY, "M01", "miss_meeting", dt.date(2025, 8, 4), count=1000, today=TODAY)
    assert world.scalar("SELECT count FROM events WHERE id = ?", [big]) == 1000


def test_a_window_to_9999_is_refused(world):
    approved_event(world, "M01", "miss_meeting", dt.date(2025, 8, 3))
    with pytest.raises(EntryError, match="公示期最长 60 天"):
        publicity.open_publicity(world, SECRETARY, BRANCH, 2025, "Q1", TODAY, dt.date(9999, 12, 31), today=TODAY)
    # 60 days, both ends included, is the longest taken: 11-20 + 59 days = 2026-01-18
    assert publicity.open_publicity(world, SECRETARY, BRANCH, 2025, "Q1", TODAY, dt.date(2026, 1, 18), today=TODAY)
    with pytest.raises(EntryError, match="积分周期应在 2000～"):
        publicity.open_publicity(world, SECRETARY, BRANCH, 2200, "Q1", TODAY, TODAY, today=TODAY)


# -- the command line --------------------------------------------------------------------

def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("cycle", ["99999", "-5", "2200"])
def test_results_cycle_out_of_range_exits_2(cycle, tmp_path, capsys):
    from core.cli import main

    # in-process (an exception would fail the test as a traceback would show); the real
    # process's exit code and stderr are the simulate test's below
    assert main(["results", "--org", "C01T01B01", "--cycle", cycle, "--db", str(tmp_path / "none.duckdb")]) == 2
    assert "积分周期应在 2000～" in capsys.readouterr().err


def test_simulate_with_a_row_the_scheme_lacks_exits_2(tmp_path):
    import json

    from tests.test_evaluate_cli import CASE

    case = tmp_path / "case.json"
    case.write_text(json.dumps(CASE, ensure_ascii=False), encoding="utf-8")
    proc = _cli("simulate", "--scheme", "party-q100-3to1", "--set", 'quotas."99".percent = 30', "--case", str(case))
    assert proc.returncode == 2
    assert "方案中没有这一行" in proc.stderr and "Traceback" not in proc.stderr
