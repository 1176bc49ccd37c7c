"""A county's scheme groups split between this process and a helper process
(core/metrics/group_eval.py): the split, the same rows either way, and a helper that dies."""

import datetime as dt
import time

import polars as pl
import pytest

from core.metrics import group_eval
from core.scheme import load_scheme
from tests.helper_spy import asked_kinds, costs_on_members

Q100 = load_scheme("party-q100-3to1")


def _case(branch: str, ids: list[str], late: list[str]) -> dict:
    def subject(sid):
        return {"id": sid, "branch": branch, "kind": "member", "category": None, "probationary": False,
                "exempt": False, "joined_branch": None, "approved_on": None}
    return {"cycle": 2025, "subjects": [subject(sid) for sid in ids],
            "events": pl.DataFrame({"subject": late, "item": ["late_dues"] * len(late),
                                    "date": [dt.date(2025, 8, 1)] * len(late), "count": [1] * len(late),
                                    "points": [None] * len(late), "rating": [None] * len(late),
                                    "fraud": [False] * len(late)},
                                   schema_overrides={"points": pl.Float64, "rating": pl.String,
                                                     "subject": pl.String, "item": pl.String}),
            "scores": [], "vetoes": [], "history": []}


def _work() -> list:
    return [(Q100, _case("B1", ["A", "B"], ["A"]), "B1"), (Q100, _case("B2", ["C"], []), "B2"),
            (Q100, _case("B3", ["D"], ["D", "D"]), "B3")]


# 日常分 starts each quarter at 75; 未按时足额交纳党费 is −5 in Q1 (2025-08-01, a 七一 cycle).
# A: (70 + 75 + 75 + 75) / 4 = 73.75 → 73.8 (评议分 missing: 0, 奖励分 0); B, C: 75;
# D twice: (65 + 75 + 75 + 75) / 4 = 72.5.
EXPECTED = {"A": 73.8, "B": 75, "C": 75, "D": 72.5}


def _totals(out) -> dict:
    return {r["subject"]: r["total"] for rows, _ in out for r in rows}


def test_each_group_goes_to_the_side_that_lets_both_finish_sooner(monkeypatch):
    monkeypatch.setattr(group_eval, "COST", {"subject": 130, "event": 0.6, "score": 0})
    monkeypatch.setattr(group_eval, "READ", {"subject": 10, "event": 0.5, "score": 0})
    monkeypatch.setattr(group_eval, "PICKLE", {"subject": 5, "event": 0.35, "score": 0})
    monkeypatch.setattr(group_eval, "UNPICKLE", {"subject": 5, "event": 0.25, "score": 0})
    # µs:   evaluate                    read                  pickle            unpickle
    # A     130,000                     10,000                5,000             5,000
    # B     13,000 + 120,000 = 133,000  1,000 + 100,000       500 + 70,000      500 + 50,000
    # C     65,000                      5,000                 2,500             2,500
    sizes = [(1000, 0, 0), (100, 200_000, 0), (500, 0, 0)]
    # Read here first (evaluate_read on a file), B then A then C, loads (here, helper):
    # B kept (234,000, 0) | sent (171,500, 355,000): kept.
    # A kept (374,000, 0) | sent (249,000, 150,000): sent.
    # C kept (319,000, 150,000) | sent (256,500, 225,000): sent.
    assert group_eval.split(sizes) == ([1], [0, 2])
    # Already read (evaluate_groups): B kept (133,000, 0) | sent (70,500, 254,000): kept.
    # A kept (263,000, 0) | sent (138,000, 140,000): sent.  C kept (203,000, 140,000) | sent (140,500, 210,000): kept.
    assert group_eval.split(sizes, here_reads=False) == ([1, 2], [0])
    # The helper reads its own (a server): B kept (234,000, 0) | sent (0, 234,000): kept (a tie).
    # A kept (374,000, 0) | sent (234,000, 140,000): sent.  C kept (304,000, 140,000) | sent (234,000, 210,000): sent.
    assert group_eval.split(sizes, helper_reads=True) == ([1], [0, 2])


@pytest.fixture
def helper(monkeypatch):
    monkeypatch.setattr(group_eval, "MIN_SUBJECTS", 0)
    group_eval.evaluate_groups(_work())  # starts the helper; this one is evaluated here
    assert group_eval._helper is not None and group_eval._helper.ready.wait(60)
    yield group_eval._helper
    group_eval.stop()


def test_the_helper_gives_the_rows_this_process_gives(helper, monkeypatch):
    asked = asked_kinds(monkeypatch)
    costs_on_members(monkeypatch)
    out = group_eval.evaluate_groups(_work())
    assert asked == ["rows"]  # B1 (2 members) here, B2 and B3 (1 each) in the helper
    assert out == [group_eval.group_rows(*one) for one in _work()]
    assert _totals(out) == EXPECTED
    from core.memory import CombinedPeak, _rss_mb
    with CombinedPeak(lambda: [group_eval.helper_pid()]) as both:  # what bench counts as the reads' memory
        time.sleep(0.2)
    assert both.mb > _rss_mb("self") + 20  # the helper's own 40-100 MB on top of this process


def test_the_event_frames_go_beside_the_request_as_files_removed_after_the_reply(helper, monkeypatch, tmp_path):
    monkeypatch.setattr(group_eval, "_SHARED", str(tmp_path))
    sent = []
    send = group_eval._send
    monkeypatch.setattr(group_eval, "_send", lambda stream, value: sent.append(value) or send(stream, value))
    costs_on_members(monkeypatch)
    work = _work()
    out = group_eval.evaluate_groups(work)
    assert _totals(out) == EXPECTED  # B3's D read back from its file: two late dues, 72.5
    kind, request = sent[-1]
    assert kind == "rows"
    assert [type(case["events"]).__name__ for _, case, _ in request] == ["_Spilled", "_Spilled"]  # B2, B3
    assert all(isinstance(case["events"], pl.DataFrame) for _, case, _ in work)  # the caller's cases stay whole
    assert list(tmp_path.iterdir()) == []  # each file read and deleted, the request's folder removed


def test_the_files_go_to_the_temporary_folder_when_dev_shm_is_small(monkeypatch, tmp_path):
    import collections
    monkeypatch.setattr(group_eval, "_SHARED", str(tmp_path))
    work = _work()
    needed = sum(case["events"].estimated_size() for _, case, _ in work)
    usage = collections.namedtuple("usage", "total used free")
    monkeypatch.setattr(group_eval.shutil, "disk_usage", lambda path: usage(0, 0, 2 * needed + 1))
    assert group_eval._spill_dir(work) == str(tmp_path)
    monkeypatch.setattr(group_eval.shutil, "disk_usage", lambda path: usage(0, 0, 2 * needed))
    assert group_eval._spill_dir(work) is None  # tempfile's own folder


def test_a_simulation_shared_with_the_helper_reports_what_it_reports_here(helper, monkeypatch):
    from core.scheme import scheme_with_overrides
    from core.simulate import simulate
    asked = asked_kinds(monkeypatch)
    costs_on_members(monkeypatch, "SIMULATE_COST")
    # 合格 from 75 (was 80), 基本合格 below 75: B and C (75) move from 基本合格 to 合格; A (73.8)
    # and D (72.5) stay 基本合格.
    wider = scheme_with_overrides(Q100, {"grading": {"bands": {"1": {"min": 75}, "2": {"below": 75}}}})
    work = [(scheme, case, wider) for scheme, case, _ in _work()]
    reports = group_eval.evaluate_groups(work, "simulate")
    assert asked == ["simulate"]  # B1 (2 members) here, B2 and B3 (1 each) in the helper
    assert reports == [simulate(*one) for one in work]
    moved = {c["subject"]: (c["old"]["grade"], c["new"]["grade"]) for r in reports for c in r["changes"]}
    assert moved == {"B": ("基本合格", "合格"), "C": ("基本合格", "合格")}
    assert [r["subjects"] for r in reports] == [2, 1, 1]


def test_a_helper_killed_mid_request_costs_nothing_but_time(helper, monkeypatch, tmp_path):
    costs_on_members(monkeypatch)
    ask = group_eval._Helper.ask

    def killed(self, box):
        self.proc.kill()
        self.proc.wait()
        return ask(self, box)
    monkeypatch.setattr(group_eval._Helper, "ask", killed)
    monkeypatch.setattr(group_eval, "_SHARED", str(tmp_path))
    assert _totals(group_eval.evaluate_groups(_work())) == EXPECTED
    assert group_eval._helper is None  # the next large evaluation starts a new one
    assert list(tmp_path.iterdir()) == []  # the files it never read go with the request


def test_a_helper_that_cannot_start_is_not_started_again(monkeypatch):
    monkeypatch.setattr(group_eval, "MIN_SUBJECTS", 0)
    monkeypatch.setattr(group_eval, "_helper", None)
    monkeypatch.setattr(group_eval, "_cannot_start", False)
    monkeypatch.setattr(group_eval.sys, "executable", "/bin/false")  # exits before it is ready
    assert _totals(group_eval.evaluate_groups(_work())) == EXPECTED
    first = group_eval._helper
    first.proc.wait()
    assert _totals(group_eval.evaluate_groups(_work())) == EXPECTED  # evaluated here, both times
    assert group_eval._cannot_start and group_eval._helper is first


def test_once_the_sizes_are_known_the_helpers_groups_are_read_first(helper, monkeypatch):
    costs_on_members(monkeypatch)
    work, reads = _work(), []

    def read(indexes):
        reads.append(indexes)
        return [work[i] for i in indexes]
    keys = ["k1", "k2", "k3"]
    assert _totals(group_eval.evaluate_read(keys, read)) == EXPECTED
    # Sizes 2, 1, 1 members, loads (here, helper): B1 kept (2, 0) | sent (0, 2): kept (a tie);
    # B2 kept (3, 0) | sent (2, 1): sent; B3 kept (3, 1) | sent (2, 2): sent.
    work = _work()
    assert _totals(group_eval.evaluate_read(keys, read)) == EXPECTED
    assert reads == [[0, 1, 2], [1, 2], [0]]
