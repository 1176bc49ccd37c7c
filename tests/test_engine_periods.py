"""Period results (SCHEMES.md, "Period results"): a quarter, half or month shows its own
component scores and the cycle to date; what is not yet due is 未评, never 0; nothing annual
is applied to a period the scheme does not grade. Every expectation is worked out by hand."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from core.engine import CaseError, evaluate
from core.scheme import load_scheme
from tests.engine_cases import codes, ev, filler, hist, member, result, sc, veto


def run_p(scheme_id, period, subjects, events=(), scores=(), vetoes=(), history=(), cycle=2025):
    case = {"cycle": cycle, "subjects": list(subjects), "events": list(events), "scores": list(scores),
            "vetoes": list(vetoes), "history": list(history)}
    return evaluate(load_scheme(scheme_id), case, period=period)


# --- party-q100-3to1: quarters of a 七一 cycle, a half-yearly 评议 -------------------------

Q100_EVENTS = [
    ev("A", "miss_meeting", "2025-08-03", count=2),  # Q1 (Jul–Sep): 75 − 2×2 = 71
    ev("A", "award_city", "2025-10-01"),  # Q2 (Oct–Dec): reward +4
    ev("A", "late_dues", "2026-01-05"),  # Q3 (Jan–Mar): 75 − 5 = 70
]
Q100_SCORES = [sc("A", "appraisal", "H1", grade="优秀")]  # H1 = Jul–Dec: 25


def test_q100_public_period_example():
    # SCHEMES.md: Q1 with miss_meeting ×2 → daily 71 (period and to date), appraisal 未评,
    # reward 0; total null, subtotal 71 + 0 = 71; no grade and no missing_appraisal
    out = run_p("party-q100-3to1", "Q1", [member("A")] + filler(9), Q100_EVENTS, Q100_SCORES)
    r = result(out)
    assert out["period"] == r["period"] == "Q1"
    assert r["components"] == {"daily": 71, "appraisal": None, "reward": 0}
    assert r["period_components"] == {"daily": 71, "appraisal": None, "reward": 0}
    assert r["not_assessed"] == ["appraisal"]
    assert r["total"] is None and r["subtotal"] == 71
    assert r["grade"] is None and r["stars"] is None
    assert "missing_appraisal" not in codes(out) and "quota_tie" not in codes(out)
    assert any(line.startswith("评议分 未评") for line in r["explain"])
    # the fillers have no events: 75 each, so A (71) ranks last of 10 on the subtotal
    assert r["rank"] == 10


def test_q100_second_quarter_counts_only_quarters_that_ended():
    # to date at Q2's end: daily mean of Q1 71 and Q2 75 = 73 (Q3's 70 and Q4 not counted,
    # neither at 75 nor as 0); 评议 H1 ended with Q2 → 25; reward 4 → total 73 + 25 + 4 = 102.
    # Q2 alone: daily 75, reward +4, and no 评议 of its own (H1 is not inside Q2).
    r = result(run_p("party-q100-3to1", "Q2", [member("A")] + filler(9), Q100_EVENTS, Q100_SCORES))
    assert r["components"] == {"daily": 73, "appraisal": 25, "reward": 4}
    assert r["period_components"] == {"daily": 75, "appraisal": None, "reward": 4}
    assert r["total"] == 102 and "subtotal" not in r and r["not_assessed"] == []
    assert r["grade"] is None and "quota_capped" not in r["flags"]


def test_q100_half_aggregates_its_quarters_by_the_components_rule():
    # H1 alone: daily mean(71, 75) = 73, 评议 H1 25, reward 4
    r = result(run_p("party-q100-3to1", "H1", [member("A")] + filler(9), Q100_EVENTS, Q100_SCORES))
    assert r["period_components"] == {"daily": 73, "appraisal": 25, "reward": 4}
    assert r["total"] == 102


def test_q100_no_streak_or_cycle_warning_in_a_quarter():
    # 基本合格 last cycle and a low score now: the streak is an annual rule, never in Q1
    events = [ev("A", "late_dues", "2025-07-10", count=3)]  # 75 − 15 = 60
    out = run_p("party-q100-3to1", "Q1", [member("A")], events, history=[hist("A", 2024, grade="基本合格")])
    r = result(out)
    assert r["subtotal"] == 60 and r["grade"] is None and r["flags"] == []
    assert codes(out) == []


def test_q100_veto_after_the_period_does_not_change_it_and_one_before_shows():
    later = run_p("party-q100-3to1", "Q1", [member("A")], vetoes=[veto("A", "embezzle", "2025-11-01")])
    assert result(later)["flags"] == [] and result(later)["subtotal"] == 75
    earlier = run_p("party-q100-3to1", "Q1", [member("A")], vetoes=[veto("A", "embezzle", "2025-08-01")])
    r = result(earlier)
    # shown and flagged, but force_grade acts only where the period is graded: still no grade
    assert r["flags"] == ["veto"] and r["grade"] is None
    assert any("一票否决" in line and "侵占集体资产" in line for line in r["explain"])


# --- a component kept over the cycle: P shows what it added ---------------------------------

def test_index_60_quarter_shows_points_added_in_it_and_zero_veto_applies_to_date():
    events = [ev("A", "lead_study", "2025-02-01", points=10), ev("A", "lead_service", "2025-05-01", points=5)]
    q1 = result(run_p("party-index-60", "Q1", [member("A")], events))
    # Q1: 60 + 10 = 70 to date; Q1 added 70 − base 60 = 10
    assert (q1["total"], q1["period_components"]) == (70, {"index": 10})
    q2 = result(run_p("party-index-60", "Q2", [member("A")], events))
    # Q2: 60 + 10 + 5 = 75 to date; added 75 − 70 = 5
    assert (q2["total"], q2["period_components"]) == (75, {"index": 5})
    zeroed = result(run_p("party-index-60", "Q2", [member("A")], events, vetoes=[veto("A", "criminal", "2025-04-01")]))
    assert zeroed["total"] == 0 and "veto" in zeroed["flags"]
    before_it = result(run_p("party-index-60", "Q1", [member("A")], events, vetoes=[veto("A", "criminal", "2025-04-01")]))
    assert before_it["total"] == 70 and before_it["flags"] == []


# --- party-annual-7to3: entered quarters; a missing one is 未评, out of the mean --------------

def test_annual_7to3_quarter_without_a_row_is_not_assessed_and_left_out_of_the_mean():
    scores = [sc("A", "daily", "Q2", value=80)]
    q2 = run_p("party-annual-7to3", "Q2", [member("A")], scores=scores)
    r = result(q2)
    # Q1 ended with no row → 未评, left out: daily to date = 80 / 1; Q2 alone 80; appraisal 未评
    # → subtotal 0.7 × 80 = 56; no missing_quarter (a cycle warning)
    assert r["components"]["daily"] == 80 and r["period_components"]["daily"] == 80
    assert r["total"] is None and r["subtotal"] == 56 and r["not_assessed"] == ["appraisal"]
    assert "missing_quarter" not in codes(q2)
    q1 = result(run_p("party-annual-7to3", "Q1", [member("A")], scores=scores))
    # nothing assessed by Q1's end: both 未评, no subtotal, no grade
    assert q1["components"] == {"daily": None, "appraisal": None}
    assert q1["total"] is None and q1.get("subtotal") is None and q1["grade"] is None


# --- party-formula-quarterly-caps: one quarter's data gives no 诫勉 and no streak -------------

def test_formula_quarterly_caps_one_quarter_has_no_grade_flag_or_streak():
    scores = [sc("A", "base", "Q1", value=5), sc("A", "bonus", "Q1", value=3)]
    out = run_p("party-formula-quarterly-caps", "Q1", [member("A")] + filler(20), scores=scores,
                history=[hist("A", 2024, grade="诫勉")])
    r = result(out)
    # Q1: base 5 + bonus 3 − deduction (none entered, 未评) ; review (cycle) 未评 → subtotal 8
    assert r["subtotal"] == 8 and r["total"] is None
    assert r["grade"] is None and r["flags"] == []  # no 诫勉, no 后进整顿, no streak:不合格
    assert "forced_distribution" not in codes(out)


# --- party-stars-raters: each quarter is graded with its own stars ---------------------------

DIMS = ("工作任务", "各项指标", "创新创效", "学习培训", "各项活动")


def raters(sid, period, values, missing=()):
    rows = []
    for dim, value in zip(DIMS, values):
        for rater in ("self", "masses", "leadership"):
            if (dim, rater) not in missing:
                rows.append(sc(sid, dim, period, value=value, rater=rater))
    return rows


def test_stars_raters_quarter_gets_its_stars_and_per_period_flags_only():
    # Q1: two dimensions at 90 (≥ 80 → star), three at 50 → 2 stars → 诫勉:Q1 (≤ 2 stars)
    scores = raters("A", "Q1", [90, 90, 50, 50, 50])
    out = run_p("party-stars-raters", "Q1", [member("A")], scores=scores)
    r = result(out)
    assert r["stars"] == 2 and r["grade"] is None  # the cycle's 不合格 (< 5 stars) is annual
    assert r["flags"] == ["诫勉:Q1"]
    assert "missing_rater" not in codes(out)
    # the cycle result of the same data: 2 stars over the year → 不合格
    cycle = result(run_p("party-stars-raters", "cycle", [member("A")], scores=scores))
    assert cycle["stars"] == 2 and cycle["grade"] == "不合格"


def test_stars_raters_warning_counts_quarters_to_date_and_missing_rater_is_for_p_only():
    # Q1 and Q2 each 1 star → two quarters at exactly 1 star so far → warning in Q2's result
    scores = raters("A", "Q1", [90, 10, 10, 10, 10]) + raters("A", "Q2", [90, 10, 10, 10, 10])
    q2 = result(run_p("party-stars-raters", "Q2", [member("A")], scores=scores))
    assert q2["stars"] == 1 and "warning" in q2["flags"] and "诫勉:Q2" in q2["flags"]
    assert "诫勉:Q1" not in q2["flags"]
    q1 = result(run_p("party-stars-raters", "Q1", [member("A")], scores=scores))
    assert "warning" not in q1["flags"]
    # a rater missing in Q1: warned in Q1's result (counted 0), not in Q2's
    gap = raters("A", "Q1", [90] * 5, missing={("工作任务", "self")}) + raters("A", "Q2", [90] * 5)
    assert "missing_rater" in codes(run_p("party-stars-raters", "Q1", [member("A")], scores=gap))
    assert "missing_rater" not in codes(run_p("party-stars-raters", "Q2", [member("A")], scores=gap))


# --- party-stars-10: monthly 评定, stars held at the month's end -----------------------------

STARS10 = ("理论学习", "执行政策", "服务群众", "爱岗敬业", "遵纪守法", "文明形象", "业务能力", "求实创新", "承诺守信",
           "清正廉洁")


def test_stars_10_month_holds_the_latest_rating_of_each_dimension():
    scores = [sc("A", "理论学习", "2025-01-15", value=1), sc("A", "执行政策", "2025-02-10", value=1),
              sc("A", "理论学习", "2025-03-10", value=0)]
    subject = [member("A", category="机关")]
    m2 = result(run_p("party-stars-10", "M2", subject, scores=scores))
    # by Feb's end: 理论学习 1 (Jan), 执行政策 1 (Feb) → 2 stars; ≤ 4 → report_up (报局党组备案)
    assert m2["stars"] == 2 and m2["grade"] is None and m2["flags"] == ["report_up"]
    m3 = result(run_p("party-stars-10", "M3", subject, scores=scores))
    assert m3["stars"] == 1  # 理论学习 re-rated 0 in March
    # the cycle: a 年底考核 (cycle) row of every dimension overrides → 10 stars → 优秀, report_up (≥ 9)
    year = scores + [sc("A", dim, "cycle", value=1) for dim in STARS10]
    cycle = result(run_p("party-stars-10", "cycle", subject, scores=year))
    assert cycle["stars"] == 10 and cycle["grade"] == "优秀" and cycle["flags"] == ["report_up"]


def test_stars_10_month_with_no_dimension_rated_yet_is_not_assessed_not_zero_stars():
    # January, nothing rated: every dimension 未评, so the month has no stars (null, never 0)
    # and no 4-stars-or-fewer report_up, which would send an unrated member up for 备案
    jan = result(run_p("party-stars-10", "M1", [member("A", category="机关")], scores=[]))
    assert jan["stars"] is None and jan["flags"] == []
    assert "1月星级：未评（各维度尚未评定）" in jan["explain"]


# --- contract: period input and output --------------------------------------------------------

def test_case_period_field_and_bad_period():
    scheme = load_scheme("party-q100-3to1")
    case = {"cycle": 2025, "period": "Q1", "subjects": [member("A")], "events": []}
    assert evaluate(scheme, case)["period"] == "Q1"
    with pytest.raises(CaseError, match="期间"):
        evaluate(scheme, case | {"period": "Q9"})


def test_cli_evaluate_period(tmp_path):
    case = {"cycle": 2025, "subjects": [member("A")], "events": Q100_EVENTS, "scores": Q100_SCORES}
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "core", "evaluate", "--scheme", "party-q100-3to1", "--case",
                           str(path), "--period", "Q1"], capture_output=True, text=True, check=True)
    r = json.loads(done.stdout)["results"][0]
    assert (r["period"], r["total"], r["subtotal"], r["grade"]) == ("Q1", None, 71, None)
