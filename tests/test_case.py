"""The case builder: which subjects, events, scores, vetoes and history reach the engine."""

import datetime as dt

import polars as pl
import pytest

from core.engine import evaluate
from core.scheme_assignments import NoSchemeError, assign_scheme, scheme_for_cycle
from core.services import ledger, review
from core.metrics.scores import RESULT_SCHEMA, branch_schemes, evaluate_branches
from core.services.case import build_case, group_by_scheme, read_cases
from tests.entry_world import ADMIN, OTHER_SECRETARY, SECRETARY, TODAY, world  # noqa: F401 (fixture)
from tests.helper_spy import asked_kinds, costs_on_members
from tests.publicity_world import BRANCH, approved_event, score

D = dt.date


def test_subjects_are_active_and_exempt_members_of_the_branch(world):
    scheme, case = build_case(world, BRANCH, 2025, today=TODAY)
    assert scheme.id == "party-q100-3to1"
    assert [(s["id"], s["exempt"]) for s in case["subjects"]] == [
        ("M01", False), ("M02", False), ("M03", False), ("M04", True)]  # M05 transferred, M11 elsewhere
    assert case["subjects"][0] | {} == {
        "id": "M01", "name": "张三", "branch": BRANCH, "kind": "member", "category": "普通类",
        "probationary": False, "exempt": False, "joined_branch": None, "approved_on": None}


def test_member_who_moved_counts_in_the_branch_of_their_latest_stay(world):
    # M11 was in B01 until 2025-08-31, then moved to B02: cycle 2025 counts M11 in B02 only.
    world.write(lambda cur: cur.execute(
        "INSERT INTO member_branch_history(member_id, branch_code, from_date, to_date) VALUES"
        " ('M11', 'C01T01B01', '2020-01-01', '2025-08-31'), ('M11', 'C01T01B02', '2025-09-01', NULL)").fetchall())
    _, b1 = build_case(world, BRANCH, 2025, today=TODAY)
    _, b2 = build_case(world, "C01T01B02", 2025, today=TODAY)
    assert "M11" not in [s["id"] for s in b1["subjects"]]
    assert [s["id"] for s in b2["subjects"]] == ["M11"]
    # in cycle 2024 (2024-07-01..2025-06-30) M11 was only in B01
    _, old = build_case(world, BRANCH, 2024, today=TODAY)
    assert "M11" in [s["id"] for s in old["subjects"]]


def test_only_effective_events_in_the_cycle(world):
    counted = approved_event(world, "M01", "miss_meeting", D(2025, 8, 3))
    ledger.enter_event(world, SECRETARY, "M01", "late_dues", D(2025, 8, 4), today=TODAY)  # 待审核
    rejected = ledger.enter_event(world, SECRETARY, "M02", "late_dues", D(2025, 8, 5), today=TODAY)
    review.reject(world, SECRETARY, [rejected], "记录有误")
    undone = approved_event(world, "M02", "miss_meeting", D(2025, 8, 6))
    ledger.reverse_event(world, SECRETARY, undone, "录错")
    approved_event(world, "M03", "miss_meeting", D(2025, 6, 30))  # cycle 2024
    approved_event(world, "M03", "award_city", D(2025, 9, 1))
    _, case = build_case(world, BRANCH, 2025, today=TODAY)
    assert counted
    assert case["events"] == [
        {"subject": "M01", "item": "miss_meeting", "date": "2025-08-03", "count": 1, "points": None,
         "rating": None, "fraud": False},
        {"subject": "M03", "item": "award_city", "date": "2025-09-01", "count": 1, "points": None,
         "rating": None, "fraud": False},
    ]


def test_range_points_and_count_are_plain_numbers(world):
    approved_event(world, "M01", "reward_other", D(2025, 8, 3), points="2.5")
    approved_event(world, "M02", "miss_meeting", D(2025, 8, 3), count=2)
    _, case = build_case(world, BRANCH, 2025, today=TODAY)
    assert [(e["points"], e["count"]) for e in case["events"]] == [(2.5, 1), (None, 2)]


def test_latest_score_wins_and_an_empty_save_clears(world):
    score(world, "M01", "appraisal", "H1", grade="合格")
    score(world, "M01", "appraisal", "H1", grade="优秀")
    score(world, "M02", "appraisal", "H1", grade="合格")
    score(world, "M02", "appraisal", "H1")  # cleared
    score(world, "M03", "appraisal", "H1", grade="合格", cycle=2024)
    _, case = build_case(world, BRANCH, 2025, today=TODAY)
    assert case["scores"] == [{"subject": "M01", "component": "appraisal", "period": "H1", "value": None,
                               "grade": "优秀", "votes": None, "rater": None}]


def test_upto_cuts_events_and_later_periods(world):
    approved_event(world, "M01", "miss_meeting", D(2025, 8, 3))
    approved_event(world, "M01", "miss_meeting", D(2025, 10, 3))
    score(world, "M01", "appraisal", "H2", grade="优秀")  # H2 starts 2026-01-01
    _, case = build_case(world, BRANCH, 2025, today=TODAY, upto=D(2025, 9, 30))
    assert [e["date"] for e in case["events"]] == ["2025-08-03"]
    assert case["scores"] == []


def test_revoked_vetoes_are_left_out(world):
    def work(cur):
        cur.execute("INSERT INTO vetoes(id, member_id, branch_code, item, date, evidence, entered_by) VALUES"
                    " (1, 'M01', ?, 'absent_6_months', '2025-10-01', '支委会记录', 'shuji01'),"
                    " (2, 'M02', ?, 'embezzle', '2025-10-02', '审计报告', 'shuji01')", [BRANCH, BRANCH]).fetchall()
        cur.execute("INSERT INTO vetoes(id, member_id, branch_code, item, date, evidence, reverses, entered_by)"
                    " VALUES (3, 'M02', ?, 'embezzle', '2025-10-02', '复核撤销', 2, 'shuji01')", [BRANCH]).fetchall()

    world.write(work)
    _, case = build_case(world, BRANCH, 2025, today=TODAY)
    assert case["vetoes"] == [{"subject": "M01", "item": "absent_6_months", "date": "2025-10-01"}]


def test_history_latest_row_and_foreign_grades_dropped(world):
    world.write(lambda cur: cur.execute(
        "INSERT INTO cycle_history(member_id, cycle, grade, stars, source, recorded_at) VALUES"
        " ('M01', 2024, '合格', NULL, 'entered', '2025-01-01'), ('M01', 2024, '基本合格', NULL, 'finalised', '2025-08-01'),"
        " ('M02', 2024, '良好', 3, 'entered', '2025-01-01'), ('M03', 2024, '良好', NULL, 'entered', '2025-01-01'),"
        " ('M01', 2025, '优秀', NULL, 'entered', '2025-01-01')").fetchall())
    _, case = build_case(world, BRANCH, 2025, today=TODAY)
    assert case["history"] == [{"subject": "M01", "cycle": 2024, "grade": "基本合格", "stars": None},
                               {"subject": "M02", "cycle": 2024, "grade": None, "stars": 3}]


def test_case_evaluates_to_hand_worked_totals(world):
    # M01: Q1 daily 75 − 2 = 73, other quarters 75 → 74.5; appraisal 优秀 and 合格 → 20; reward 4 → 98.5
    approved_event(world, "M01", "miss_meeting", D(2025, 8, 3))
    approved_event(world, "M01", "award_city", D(2025, 9, 1))
    score(world, "M01", "appraisal", "H1", grade="优秀")
    score(world, "M01", "appraisal", "H2", grade="合格")
    scheme, case = build_case(world, BRANCH, 2025, today=TODAY)
    out = evaluate(scheme, case)
    m01 = next(r for r in out["results"] if r["subject"] == "M01")
    assert (m01["total"], m01["components"]) == (98.5, {"daily": 74.5, "appraisal": 20, "reward": 4})


def test_unknown_branch_or_no_scheme(world):
    with pytest.raises(NoSchemeError, match="未知组织"):
        build_case(world, "NOPE", 2025, today=TODAY)
    with pytest.raises(NoSchemeError, match="没有适用的积分方案"):
        build_case(world, BRANCH, 2023, today=dt.date(2024, 1, 1))


def branch_by_branch(world, codes, cycle):
    """What each branch's own case gives, in the dashboards' result columns."""
    rows = []
    for code in codes:
        scheme, case = build_case(world, code, cycle, today=TODAY)
        rows += [{**{k: r.get(k) for k in RESULT_SCHEMA}, "scheme": scheme.id}
                 for r in evaluate(scheme, case, explain=False)["results"] if not r.get("exempt")]
    return pl.DataFrame(rows, schema=RESULT_SCHEMA, strict=False)


def test_county_evaluation_equals_branch_by_branch(world):
    approved_event(world, "M01", "miss_meeting", D(2025, 8, 3))
    score(world, "M11", "appraisal", "H1", grade="优秀", branch="C01T01B02")
    results, warnings = evaluate_branches(world, [BRANCH, "C01T01B02"], 2025, TODAY)
    assert results.equals(branch_by_branch(world, [BRANCH, "C01T01B02"], 2025))
    assert branch_schemes(results) == {BRANCH: "party-q100-3to1", "C01T01B02": "party-q100-3to1"}
    assert "skipped_row" not in warnings["code"].to_list()


def test_a_moved_members_scores_and_vetoes_stay_with_the_branch_that_entered_them(world):
    # M11 was in B01 until 2025-08-31, then moved to B02. B01 graded M11's H1 and recorded a
    # veto before the move; B02's case for cycle 2025 carries only what B02 entered.
    world.write(lambda cur: cur.execute(
        "INSERT INTO member_branch_history(member_id, branch_code, from_date, to_date) VALUES"
        " ('M11', 'C01T01B01', '2020-01-01', '2025-08-31'), ('M11', 'C01T01B02', '2025-09-01', NULL)").fetchall())
    score(world, "M11", "appraisal", "H1", grade="不合格", branch=BRANCH)
    score(world, "M11", "appraisal", "H2", grade="优秀", branch="C01T01B02")
    world.write(lambda cur: cur.execute(
        "INSERT INTO vetoes(member_id, branch_code, item, date, evidence, entered_by) VALUES"
        " ('M11', ?, 'absent_6_months', '2025-08-20', '支委会记录', 'shuji01')", [BRANCH]).fetchall())
    _, case = build_case(world, "C01T01B02", 2025, today=TODAY)
    assert case["scores"] == [{"subject": "M11", "component": "appraisal", "period": "H2", "value": None,
                               "grade": "优秀", "votes": None, "rater": None}]
    assert case["vetoes"] == []
    results, _ = evaluate_branches(world, [BRANCH, "C01T01B02"], 2025, TODAY)
    m11 = results.filter(pl.col("subject") == "M11")
    assert m11.equals(branch_by_branch(world, ["C01T01B02"], 2025).filter(pl.col("subject") == "M11"))
    assert m11["branch"].to_list() == ["C01T01B02"]


def test_schemes_resolved_together_match_branch_by_branch(world):
    # A branch override, a later township switch and a branch without any scheme.
    assign_scheme(world, ADMIN, "C01T01B02", "party-vanguard-8to2", D(2025, 3, 1))
    assign_scheme(world, ADMIN, "C01T01", "party-stars-10", D(2026, 1, 1))
    for cycle, today in ((2024, TODAY), (2025, TODAY), (2025, D(2026, 8, 1)), (2026, D(2026, 8, 1))):
        groups, missing = group_by_scheme(world, [BRANCH, "C01T01B02", "NOPE"], cycle, today)
        assert "未知组织" in missing["NOPE"]
        for group in groups:
            for code in group.branches:
                scheme, assignment = scheme_for_cycle(world, code, cycle, today)
                assert (group.scheme.id, group.scheme.version) == (scheme.id, scheme.version)
                assert group.assignment.scheme_id == assignment.scheme_id


def test_a_county_shared_with_the_helper_process_equals_branch_by_branch(world, monkeypatch):
    from core.metrics import group_eval
    # Two scheme groups (B01 on the township's 季度百分制, B02 on its own 先锋 scheme), one on each
    # side: with every cost on the members, B01 (the larger) stays here and B02 goes to the helper.
    assign_scheme(world, ADMIN, "C01T01B02", "party-vanguard-8to2", D(2025, 3, 1))
    approved_event(world, "M01", "miss_meeting", D(2025, 8, 3))
    monkeypatch.setattr(group_eval, "MIN_SUBJECTS", 0)
    costs_on_members(monkeypatch)
    monkeypatch.setattr(group_eval, "_sizes", group_eval.OrderedDict())
    if group_eval._helper is not None:  # one an earlier test in this process left
        group_eval._discard(group_eval._helper)
    codes = [BRANCH, "C01T01B02"]
    expected = branch_by_branch(world, codes, 2025)
    try:
        first, _ = evaluate_branches(world, codes, 2025, TODAY)  # starts the helper, evaluated here
        assert group_eval._helper.ready.wait(60)
        asked = asked_kinds(monkeypatch)
        shared, _ = evaluate_branches(world, codes, 2025, TODAY)
    finally:
        group_eval._discard(group_eval._helper)
    # On PostgreSQL the helper reads B02's case itself; a DuckDB file is read here and sent.
    assert asked == ["read" if world.backend == "postgres" else "rows"]
    assert first.equals(expected) and shared.sort("subject").equals(expected.sort("subject"))


def test_a_county_simulation_shared_with_the_helper_equals_one_made_here(world, monkeypatch):
    from core.bench import _lower_first_quota
    from core.metrics import group_eval
    from core.scheme_edit import simulate_groups
    # The same two groups; each scheme's first editable quota at its lower bound. With every
    # cost on the members, B01 is simulated here and B02 in the helper.
    assign_scheme(world, ADMIN, "C01T01B02", "party-vanguard-8to2", D(2025, 3, 1))
    approved_event(world, "M01", "miss_meeting", D(2025, 8, 3))
    monkeypatch.setattr(group_eval, "MIN_SUBJECTS", 0)
    costs_on_members(monkeypatch, "SIMULATE_COST")
    monkeypatch.setattr(group_eval, "_sizes", group_eval.OrderedDict())
    if group_eval._helper is not None:  # one an earlier test in this process left
        group_eval._discard(group_eval._helper)
    groups, _ = group_by_scheme(world, [BRANCH, "C01T01B02"], 2025, TODAY)
    try:
        alone = simulate_groups(world, groups, 2025, _lower_first_quota)  # starts the helper, all here
        assert group_eval._helper.ready.wait(60)
        asked = asked_kinds(monkeypatch)
        shared = simulate_groups(world, groups, 2025, _lower_first_quota)
    finally:
        group_eval._discard(group_eval._helper)
    assert asked == ["read" if world.backend == "postgres" else "simulate"]
    changes, distribution, subjects = alone
    # B01: M01–M03 active and M04 exempt (M05 moved away); B02: M11 (tests/entry_world.py)
    assert shared == alone and subjects == 5 and distribution


def test_a_scheme_group_evaluated_in_parts_gives_the_same_results(world, monkeypatch):
    from core.metrics import scores
    approved_event(world, "M01", "miss_meeting", D(2025, 8, 3))
    score(world, "M11", "appraisal", "H1", grade="优秀", branch="C01T01B02")
    codes = [BRANCH, "C01T01B02"]
    whole, whole_warnings = evaluate_branches(world, codes, 2025, TODAY)
    monkeypatch.setattr(scores, "PART_BRANCHES", 1)  # each branch a part of its own
    parts, part_warnings = evaluate_branches(world, codes, 2025, TODAY)
    assert parts.equals(whole)
    assert sorted(part_warnings.rows()) == sorted(whole_warnings.rows())


def test_branches_of_two_cycle_windows_read_together_keep_their_own_events(world):
    # B01's 季度百分制 runs 07-01..06-30 (cycle 2025: 2025-07-01..2026-06-30); from 2025-03-01 B02
    # is on the 先锋 scheme, 01-01..12-31 (cycle 2025: 2025-01-01..2025-12-31). Read in one query,
    # each branch gets its own window's events: B01's March event belongs to its cycle 2024.
    assign_scheme(world, ADMIN, "C01T01B02", "party-vanguard-8to2", D(2025, 3, 1))
    approved_event(world, "M01", "miss_meeting", D(2025, 3, 5))  # B01, cycle 2024
    approved_event(world, "M01", "miss_meeting", D(2025, 8, 3))  # B01, cycle 2025
    review.approve(world, OTHER_SECRETARY, [
        ledger.enter_event(world, OTHER_SECRETARY, "M11", "study_absent", D(2025, 4, 8), today=TODAY),
        ledger.enter_event(world, OTHER_SECRETARY, "M11", "late_dues", D(2025, 10, 9), today=TODAY)])
    groups, _ = group_by_scheme(world, [BRANCH, "C01T01B02"], 2025, TODAY)
    cases = read_cases(world, groups, 2025)
    events = {group.branches: sorted((e["subject"], e["date"]) for e in case["events"])
              for group, case in zip(groups, cases)}
    assert events == {(BRANCH,): [("M01", "2025-08-03")],
                      ("C01T01B02",): [("M11", "2025-04-08"), ("M11", "2025-10-09")]}
