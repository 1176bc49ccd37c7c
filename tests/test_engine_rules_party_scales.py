"""Hand-computed rule tests for the party-member point-scale templates of SCHEMES.md:
q100-3to1, annual-7to3, vanguard-8to2, formula-quarterly-caps, street-3class,
rural-80-20, votes-80-20 and index-60.

Every expected value below is derived from the text of SCHEMES.md (the arithmetic is in
the comment above each assertion), never copied from the engine's output.
"""

from __future__ import annotations

from tests.engine_cases import codes, ev, filler, hist, member, result, run, sc, veto

QS = ("Q1", "Q2", "Q3", "Q4")


# ---------------------------------------------------------------- party-q100-3to1


def test_q100_quarters_counted_from_07_01():
    # 2025-09-30 is the last day of Q1 (Jul–Sep), 2025-10-01 the first of Q2 (Oct–Dec).
    # Q1: 75 − 2×40 = −5 → clamp 0; Q2: 75 −5 = 70; Q3, Q4 75 → mean (0+70+75+75)/4 = 55
    # (were both in Q1 the clamp would eat the −5: (0+75+75+75)/4 = 56.25)
    events = [ev("A", "miss_meeting", "2025-09-30", count=40), ev("A", "late_dues", "2025-10-01")]
    r = result(run("party-q100-3to1", [member("A")], events))
    assert r["components"]["daily"] == 55
    # 2025-12-31 is Q2 and 2026-01-01 is Q3; 2026-03-31 is Q3 and 2026-04-01 is Q4.
    # Q2: 75 −5×16 = −5 → clamp 0; Q3: 75 −2 −3 = 70; Q4: 75 −3 = 72 → (75+0+70+72)/4 = 54.25 → 54.3
    # (had 2026-01-01 fallen in Q2 the clamp would eat it: (75+0+72+72)/4 = 54.75)
    events = [ev("A", "late_dues", "2025-12-31", count=16), ev("A", "miss_meeting", "2026-01-01"),
              ev("A", "task_undone", "2026-03-31"), ev("A", "task_undone", "2026-04-01")]
    r = result(run("party-q100-3to1", [member("A")], events))
    assert r["components"]["daily"] == 54.3


def test_q100_appraisal_single_entry_mean_and_inclusive_90():
    # only H1 appraisal 合格 = 15: mean of the appraisals given = 15; daily 75 (no events)
    # total 75 + 15 + 0 = 90 → ≥90 inclusive → 优秀 (10 members: floor(2.0) = 2 places)
    out = run("party-q100-3to1", [member("A")] + filler(9), scores=[sc("A", "appraisal", "H1", grade="合格")])
    r = result(out)
    assert r["components"]["appraisal"] == 15
    assert r["total"] == 90 and r["grade"] == "优秀"
    assert "missing_appraisal" not in [w["code"] for w in out["warnings"] if w.get("subject") == "A"]


def test_q100_grade_bands_and_half_up_total():
    # daily: Q1 miss_meeting ×2 → 71, Q2 75, Q3 late_dues → 70, Q4 75 → 291/4 = 72.75
    # appraisal (15 + 10)/2 = 12.5; total 72.75 + 12.5 = 85.25 → half-up 85.3 → 合格 (80 ≤ 85.3 < 90)
    events = [ev("A", "miss_meeting", "2025-08-01", count=2), ev("A", "late_dues", "2026-02-01")]
    scores = [sc("A", "appraisal", "H1", grade="合格"), sc("A", "appraisal", "H2", grade="基本合格")]
    r = result(run("party-q100-3to1", [member("A")], events, scores))
    assert r["total"] == 85.3 and r["grade"] == "合格"
    # daily 75, appraisal 基本合格 10 and 不合格 0 → 5 → total 80 → 合格 (bound inclusive)
    scores = [sc("A", "appraisal", "H1", grade="基本合格"), sc("A", "appraisal", "H2", grade="不合格")]
    r = result(run("party-q100-3to1", [member("A")], scores=scores))
    assert r["total"] == 80 and r["grade"] == "合格"
    # Q1 −5 → 70: daily (70+75+75+75)/4 = 73.75; appraisal 不合格 0 → 73.75 → 73.8 → 基本合格 (≥65)
    r = result(run("party-q100-3to1", [member("A")], [ev("A", "late_dues", "2025-07-10")],
                   [sc("A", "appraisal", "H1", grade="不合格")]))
    assert r["total"] == 73.8 and r["grade"] == "基本合格"
    # Q1 and Q2 each late_dues ×3 → 60; daily (60+60+75+75)/4 = 67.5; appraisal 0 → 67.5 基本合格;
    # every quarter late_dues ×3 → 60 → 60 < 65 → 不合格
    events = [ev("A", "late_dues", d, count=3) for d in ("2025-07-10", "2025-10-10", "2026-01-10", "2026-04-10")]
    r = result(run("party-q100-3to1", [member("A")], events, [sc("A", "appraisal", "H1", grade="不合格")]))
    assert r["total"] == 60 and r["grade"] == "不合格"


def test_q100_reward_cap_cuts_only_the_excess():
    # award_provincial 6 + award_city 4 = 10 → exactly the cap; no cut
    ev_ok = [ev("A", "award_provincial", "2025-08-01"), ev("A", "award_city", "2025-09-01")]
    assert result(run("party-q100-3to1", [member("A")], ev_ok))["components"]["reward"] == 10
    # + article_district 1 + reward_other 5 = 16 → capped to 10
    more = ev_ok + [ev("A", "article_district", "2026-01-01"), ev("A", "reward_other", "2026-05-01", points=5)]
    r = result(run("party-q100-3to1", [member("A")], more, [sc("A", "appraisal", "H1", grade="优秀")]))
    # total 75 + 25 + 10 = 110
    assert r["components"]["reward"] == 10 and r["total"] == 110


def test_q100_veto_outside_cycle_or_before_approval_is_ignored():
    # 2025-06-30 lies in cycle 2024 (07-01 start): the veto is ignored with event_outside_cycle
    scores = [sc("A", "appraisal", "H1", grade="优秀")]
    out = run("party-q100-3to1", [member("A")] + filler(9), scores=scores,
              vetoes=[veto("A", "cult", "2025-06-30")])
    r = result(out)
    # 75 + 25 = 100 → 优秀, no veto
    assert r["grade"] == "优秀" and "veto" not in r["flags"]
    assert "event_outside_cycle" in codes(out)
    out = run("party-q100-3to1", [member("A", approved_on="2025-09-01")] + filler(9), scores=scores,
              vetoes=[veto("A", "cult", "2025-08-01")])
    assert result(out)["grade"] == "优秀" and "event_before_approval" in codes(out)


def test_q100_forced_grade_counts_for_the_streak():
    # veto force_grade 不合格 this cycle; previous cycle 不合格 → two cycles at 基本合格 or below
    out = run("party-q100-3to1", [member("A")], scores=[sc("A", "appraisal", "H1", grade="优秀")],
              vetoes=[veto("A", "illegal_petition", "2026-03-01")], history=[hist("A", 2024, "不合格")])
    r = result(out)
    assert r["total"] == 100 and r["grade"] == "不合格"
    assert "veto" in r["flags"] and "streak:处置" in r["flags"]
    # previous 不合格, this cycle 75 + 15 = 90 优秀 (with room) → no streak
    out = run("party-q100-3to1", [member("A")] + filler(9), scores=[sc("A", "appraisal", "H1", grade="合格")],
              history=[hist("A", 2024, "不合格")])
    assert "streak:处置" not in result(out)["flags"]


# ---------------------------------------------------------------- party-annual-7to3


def annual(sid, daily, appraisal) -> list[dict]:
    """The same daily score in all four quarters (the cycle value is their sum / 4), and the appraisal."""
    return [sc(sid, "daily", q, value=daily) for q in QS] + [sc(sid, "appraisal", value=appraisal)]


def test_annual_veto_force_grade_keeps_total_and_ranks_last():
    # 0.7×95 + 0.3×90 = 66.5 + 27 = 93.5 kept, grade forced to 不合格; 5 others at 0.7×80+0.3×80 = 80
    subjects = [member("A")] + filler(5)
    scores = annual("A", 95, 90) + [row for s in subjects[1:] for row in annual(s["id"], 80, 80)]
    out = run("party-annual-7to3", subjects, scores=scores, vetoes=[veto("A", "discipline_sanction", "2025-05-01")])
    r = result(out)
    assert r["total"] == 93.5 and r["grade"] == "不合格" and "veto" in r["flags"]
    assert r["rank"] == 6  # after the 5 others, who share rank 1
    assert all(result(out, s["id"])["rank"] == 1 for s in subjects[1:])


def test_annual_quota_tie_break_on_appraisal_in_7_member_branch():
    # 7 members → floor(7 × 15%) = floor(1.05) = 1 place
    # A: 0.7×95 + 0.3×90 = 93.5; B: 0.7×92 + 0.3×97 = 64.4 + 29.1 = 93.5 → tie on total, B has the higher appraisal
    subjects = [member("A"), member("B")] + filler(5)
    scores = annual("A", 95, 90) + annual("B", 92, 97)
    scores += [row for s in subjects[2:] for row in annual(s["id"], 60, 60)]
    out = run("party-annual-7to3", subjects, scores=scores)
    a, b = result(out, "A"), result(out, "B")
    assert a["total"] == b["total"] == 93.5
    assert b["grade"] == "优秀" and b["rank"] == 1
    assert a["grade"] == "合格" and "quota_capped" in a["flags"] and a["rank"] == 2
    assert "quota_tie" not in codes(out)


def test_annual_missing_daily_counts_zero_and_band_edges():
    # no daily entered → each quarter 0, each named in missing_quarter; 0.3 × 90 = 27 → 不合格
    out = run("party-annual-7to3", [member("A")], scores=[sc("A", "appraisal", value=90)])
    r = result(out)
    assert r["total"] == 27 and r["grade"] == "不合格"
    assert codes(out).count("missing_quarter") == 4
    # daily Q1 70, Q2 71, Q3 70, Q4 71 → 282/4 = 70.5; 0.7×70.5 + 0.3×69 = 49.35 + 20.7 = 70.05 → 70.1 → 合格
    scores = [sc("A", "daily", q, value=v) for q, v in zip(QS, (70, 71, 70, 71))] + [sc("A", "appraisal", value=69)]
    r = result(run("party-annual-7to3", [member("A")], scores=scores))
    assert r["total"] == 70.1 and r["grade"] == "合格"
    # 0.7×60 + 0.3×60 = 60 → 基本合格; 0.7×59.5 + 0.3×60 = 41.65 + 18 = 59.65 → 59.7 → 不合格
    r = result(run("party-annual-7to3", [member("A")], scores=annual("A", 60, 60)))
    assert r["total"] == 60 and r["grade"] == "基本合格"
    r = result(run("party-annual-7to3", [member("A")], scores=annual("A", 59.5, 60)))
    assert r["total"] == 59.7 and r["grade"] == "不合格"
    # only Q4 entered at 60: (0 + 0 + 0 + 60)/4 = 15; 0.7×15 + 0.3×60 = 10.5 + 18 = 28.5 → 不合格, three quarters missing
    out = run("party-annual-7to3", [member("A")], scores=[sc("A", "daily", "Q4", value=60), sc("A", "appraisal", value=60)])
    assert result(out)["total"] == 28.5 and codes(out).count("missing_quarter") == 3


# ---------------------------------------------------------------- party-vanguard-8to2


def test_vanguard_highest_per_category_then_cap_10():
    # commendation 3 and 6 → 6; endorsement 2; media 1; branch_resolution 2 → 6+2+1+2 = 11 → cap 10
    events = [ev("A", "commendation", "2025-02-01", points=3), ev("A", "commendation", "2025-03-01", points=6),
              ev("A", "endorsement", "2025-04-01", points=2), ev("A", "media", "2025-05-01", points=1),
              ev("A", "branch_resolution", "2025-06-01", points=2)]
    r = result(run("party-vanguard-8to2", [member("A")] + filler(9), events, [sc("A", "appraisal", value=100)]))
    # 0.8×100 + 0.2×100 + 10 = 110: no ceiling (Decision)
    assert r["components"]["dynamic"] == 10 and r["total"] == 110 and r["grade"] == "优秀"
    # without commendation 3 → 6+2+1+2 = 11 too; without media and branch_resolution: 6 + 2 = 8, no cap
    r = result(run("party-vanguard-8to2", [member("A")], events[:3], [sc("A", "appraisal", value=50)]))
    # 80 + 10 + 8 = 98
    assert r["components"]["dynamic"] == 8 and r["total"] == 98


def test_vanguard_penalties_accumulate_and_total_floor_0():
    # penalties −20 and −15: every occurrence counts → −35; bonus 10 (capped from 10) → dynamic −25
    events = [ev("A", "penalty_work", "2025-02-01", points=-20), ev("A", "penalty_work", "2025-03-01", points=-15),
              ev("A", "media", "2025-04-01", points=10)]
    r = result(run("party-vanguard-8to2", [member("A")], events, [sc("A", "appraisal", value=60)]))
    # 80 + 12 − 25 = 67 → 基本合格
    assert r["components"]["dynamic"] == -25 and r["total"] == 67 and r["grade"] == "基本合格"
    # daily 100 − 5×20 = 0; appraisal 0; penalty −20 → −20 → total floor 0
    events = [ev("A", "late_dues", "2025-02-01", count=20), ev("A", "penalty_morality", "2025-03-01", points=-20)]
    r = result(run("party-vanguard-8to2", [member("A")], events))
    assert r["components"]["daily"] == 0 and r["total"] == 0 and r["grade"] == "不合格"


def test_vanguard_probation_cancel_and_streak_needs_basic_twice():
    # daily 100 − 5×3 = 85; appraisal not entered → 0; 0.8×85 + 0 = 68 → 基本合格 (60 ≤ 68 < 70)
    events = [ev("A", "task_undone", "2025-06-01", count=3)]
    r = result(run("party-vanguard-8to2", [member("A")], events, history=[hist("A", 2024, "合格")]))
    assert r["total"] == 68 and r["grade"] == "基本合格"
    assert "streak:不合格处置" not in r["flags"] and "probation_extend" not in r["flags"]
    # probationary, daily 100 − 5×10 = 50 → 40 → 不合格 → probation_cancel; streak names 基本合格 only
    events = [ev("A", "pledge_unmet", "2025-06-01", count=10)]
    r = result(run("party-vanguard-8to2", [member("A", probationary=True)], events,
                   history=[hist("A", 2024, "基本合格")]))
    assert r["total"] == 40 and r["grade"] == "不合格"
    assert "probation_cancel" in r["flags"] and "probation_extend" not in r["flags"]
    assert "streak:不合格处置" not in r["flags"]


def test_vanguard_switched_to_07_01_cycle():
    # the template may start on 07-01: cycle 2025 = 2025-07-01..2026-06-30
    # late_dues 2025-06-30 → outside (warning); 2026-06-30 → counted: daily 95 → 76; appraisal 50 → 10 → 86
    from core.engine import evaluate
    from core.scheme import load_scheme, scheme_with_overrides

    scheme = scheme_with_overrides(load_scheme("party-vanguard-8to2"), {"cycle_start": "07-01"})
    case = {"cycle": 2025, "subjects": [member("A")], "scores": [sc("A", "appraisal", value=50)],
            "events": [ev("A", "late_dues", "2025-06-30"), ev("A", "late_dues", "2026-06-30")]}
    out = evaluate(scheme, case)
    assert result(out)["components"]["daily"] == 95 and result(out)["total"] == 86
    assert "event_outside_cycle" in codes(out)


# ---------------------------------------------------------------- party-formula-quarterly-caps


def formula_scores(sid, base=(), bonus=(), deduction=(), review=None):
    rows = [sc(sid, "base", q, value=v) for q, v in zip(QS, base)]
    rows += [sc(sid, "bonus", q, value=v) for q, v in zip(QS, bonus)]
    rows += [sc(sid, "deduction", q, value=v) for q, v in zip(QS, deduction)]
    if review is not None:
        rows.append(sc(sid, "review", value=review))
    return rows


def test_formula_quarter_caps_and_uncapped_deduction_cycle():
    # base 15/15/15/15 → 10 each → 40; bonus 0; deduction 30/30 → 20 + 20 = 40 (no cycle cap on deduction)
    # review 50 → 10; total 40 + 0 − 40 + 10 = 10 → 诫勉
    scores = formula_scores("A", base=(15, 15, 15, 15), deduction=(30, 30), review=50)
    r = result(run("party-formula-quarterly-caps", [member("A")], scores=scores))
    assert r["components"]["base"] == 40 and r["components"]["deduction"] == 40
    assert r["total"] == 10 and r["grade"] == "诫勉"
    # bonus 11/9/0/0 → 10 + 9 = 19 (quarter cap on Q1 only); base 10 ×2 = 20; review 100 → 20 → 59 → 诫勉
    scores = formula_scores("A", base=(10, 10), bonus=(11, 9), review=100)
    r = result(run("party-formula-quarterly-caps", [member("A")], scores=scores))
    assert r["components"]["bonus"] == 19 and r["total"] == 59 and r["grade"] == "诫勉"


def test_formula_total_floor_0():
    # deduction 20 ×4 = 80; review 100 → 20; total 0 + 0 − 80 + 20 = −60 → floor 0
    scores = formula_scores("A", deduction=(20, 20, 20, 20), review=100)
    r = result(run("party-formula-quarterly-caps", [member("A")], scores=scores))
    assert r["total"] == 0 and r["grade"] == "诫勉"


def test_formula_backward_flag_band_and_streak():
    # base 10×4 = 40, bonus 5×4 = 20, review 50 → 10: total 70 → 合格, no 后进整顿 (needs < 70)
    r = result(run("party-formula-quarterly-caps", [member("A")],
                   scores=formula_scores("A", base=(10,) * 4, bonus=(5,) * 4, review=50)))
    assert r["total"] == 70 and r["grade"] == "合格" and "后进整顿" not in r["flags"]
    # review 49.5 → 9.9: total 69.9 → 合格 with 后进整顿
    r = result(run("party-formula-quarterly-caps", [member("A")],
                   scores=formula_scores("A", base=(10,) * 4, bonus=(5,) * 4, review=49.5)))
    assert r["total"] == 69.9 and "后进整顿" in r["flags"]
    # base 40 + bonus 10 + review 50 → 10 = 60 → 合格 and 后进整顿 (60 ≤ t < 70)
    r = result(run("party-formula-quarterly-caps", [member("A")],
                   scores=formula_scores("A", base=(10,) * 4, bonus=(10,), review=50)))
    assert r["total"] == 60 and r["grade"] == "合格" and "后进整顿" in r["flags"]
    # 59.8 (review 49 → 9.8) → 诫勉, no 后进整顿; previous 诫勉 → streak:不合格
    out = run("party-formula-quarterly-caps", [member("A")],
              scores=formula_scores("A", base=(10,) * 4, bonus=(10,), review=49), history=[hist("A", 2024, "诫勉")])
    r = result(out)
    assert r["total"] == 59.8 and r["grade"] == "诫勉"
    assert "后进整顿" not in r["flags"] and "streak:不合格" in r["flags"]


def test_formula_quota_20_percent_of_7_and_second_zero_veto():
    # 7 members → floor(1.4) = 1 place for 优秀 (≥80)
    # A: 40 + 40 + 0.2×100 = 100; B: 40 + 30 + 20 = 90; C: 40 + 20 + 20 = 80 — all ≥ 80
    subjects = [member(s) for s in "ABC"] + filler(4)
    scores = formula_scores("A", base=(10,) * 4, bonus=(10,) * 4, review=100)
    scores += formula_scores("B", base=(10,) * 4, bonus=(10, 10, 10), review=100)
    scores += formula_scores("C", base=(10,) * 4, bonus=(10, 10), review=100)
    out = run("party-formula-quarterly-caps", subjects, scores=scores)
    assert result(out, "A")["grade"] == "优秀"
    for s in "BC":
        assert result(out, s)["grade"] == "合格" and "quota_capped" in result(out, s)["flags"]
    # irregular_petition_organiser (zero): A's 100 becomes 0; the 优秀 place passes to B (90)
    out = run("party-formula-quarterly-caps", subjects, scores=scores,
              vetoes=[veto("A", "irregular_petition_organiser", "2025-03-01")])
    assert result(out, "A")["total"] == 0 and result(out, "A")["grade"] == "诫勉"
    assert result(out, "B")["grade"] == "优秀" and result(out, "C")["grade"] == "合格"


def test_formula_forced_distribution_band_2_to_5_percent():
    subjects = [member(f"M{i:02d}") for i in range(20)]
    # exactly 1 of 20 below 60 → 5% → inside 2%–5% → no warning
    scores = [row for s in subjects[1:] for row in formula_scores(s["id"], base=(10,) * 4, review=100)]  # 40+20 = 60
    scores.append(sc("M00", "review", value=100))  # 20 → below 60
    assert "forced_distribution" not in codes(run("party-formula-quarterly-caps", subjects, scores=scores))
    # nobody below 60 → 0% < 2% → warning
    scores = [row for s in subjects for row in formula_scores(s["id"], base=(10,) * 4, review=100)]
    assert "forced_distribution" in codes(run("party-formula-quarterly-caps", subjects, scores=scores))
    # two of 20 below 60 → 10% > 5% → warning
    scores = [row for s in subjects[2:] for row in formula_scores(s["id"], base=(10,) * 4, review=100)]
    assert "forced_distribution" in codes(run("party-formula-quarterly-caps", subjects, scores=scores))


# ---------------------------------------------------------------- party-street-3class

DIMS_STREET = ["组织生活", "创先争优", "服务群众", "遵纪守法", "群众反映"]


def street(sid, values):
    return [sc(sid, d, value=v) for d, v in zip(DIMS_STREET, values)]


def test_street_grade_band_edges_and_missing_dimension():
    # 16×5 = 80 → 优秀 (≥80); 16×4 + 15 = 79 → 合格; 12×5 = 60 → 合格; 12×4 + 11 = 59 → 诫勉
    for values, total, grade in (((16,) * 5, 80, "优秀"), ((16, 16, 16, 16, 15), 79, "合格"),
                                 ((12,) * 5, 60, "合格"), ((12, 12, 12, 12, 11), 59, "诫勉")):
        r = result(run("party-street-3class", [member("A", category="普通类")], scores=street("A", values)))
        assert (r["total"], r["grade"]) == (total, grade)
    # 群众反映 not entered → 0: 20×4 = 80 → 优秀
    r = result(run("party-street-3class", [member("A", category="流动类")], scores=street("A", (20, 20, 20, 20))))
    assert r["total"] == 80 and r["grade"] == "优秀"


def test_street_report_up_top_three_excellent_with_tie_for_third():
    # totals 95, 90, 85, 85, 80 → ranks 1, 2, 3, 3, 5: the tie for third includes both; 80 is 5th → none
    subjects = [member(s, category="骨干类") for s in "ABCDE"]
    scores = street("A", (19,) * 5) + street("B", (18,) * 5) + street("C", (17,) * 5) + street("D", (17,) * 5)
    scores += street("E", (16,) * 5)
    out = run("party-street-3class", subjects, scores=scores)
    assert [result(out, s)["rank"] for s in "ABCDE"] == [1, 2, 3, 3, 5]
    assert all(result(out, s)["grade"] == "优秀" for s in "ABCDE")
    assert [("report_up" in result(out, s)["flags"]) for s in "ABCDE"] == [True, True, True, True, False]


def test_street_report_up_needs_excellent():
    # A 80 优秀 rank 1; B 75 合格 rank 2 → only A
    subjects = [member("A", category="普通类"), member("B", category="普通类")]
    out = run("party-street-3class", subjects, scores=street("A", (16,) * 5) + street("B", (15,) * 5))
    assert "report_up" in result(out, "A")["flags"]
    assert "report_up" not in result(out, "B")["flags"] and result(out, "B")["grade"] == "合格"


def test_street_streak_and_exempt_member():
    # 10×5 = 50 → 诫勉 twice → streak:不合格; previous 合格 → no streak
    subjects = [member("A", category="普通类"), member("B", category="普通类"),
                member("X", category="普通类", exempt=True)]
    scores = street("A", (10,) * 5) + street("B", (10,) * 5) + street("X", (20,) * 5)
    out = run("party-street-3class", subjects, scores=scores,
              history=[hist("A", 2024, "诫勉"), hist("B", 2024, "合格")])
    assert "streak:不合格" in result(out, "A")["flags"]
    assert "streak:不合格" not in result(out, "B")["flags"]
    # the exempt member's 100 is ignored: no total/grade/rank; A and B tie at rank 1
    x = result(out, "X")
    assert x["total"] is None and x["grade"] is None and x["rank"] is None and x["flags"] == []
    assert result(out, "A")["rank"] == result(out, "B")["rank"] == 1


# ---------------------------------------------------------------- party-rural-80-20


def test_rural_component_floors_at_zero():
    # 组织生活 35 − 2×20 = −5 → 0; 党费 20 − 2×11 = −2 → 0; 发挥作用 25 − 25 − 5 = −5 → 0; review 20
    events = [ev("A", "miss_org_life", "2025-02-01", count=20), ev("A", "late_dues", "2025-03-01", count=11),
              ev("A", "task_undone", "2025-04-01", points=-25), ev("A", "task_undone", "2025-05-01", points=-5)]
    r = result(run("party-rural-80-20", [member("A")], events, [sc("A", "review", value=20)]))
    assert r["components"]["组织生活"] == 0 and r["components"]["党费"] == 0 and r["components"]["发挥作用"] == 0
    assert r["total"] == 20 and r["grade"] is None


def test_rural_contribution_uncapped_and_missing_review_zero():
    # contribution_other 10 ×5 = 50, public_good 10, suggestion ×3 = 15, mediation 3 → 78 (no cap)
    events = [ev("A", "contribution_other", f"2025-0{m}-01", points=10) for m in range(1, 6)]
    events += [ev("A", "public_good", "2025-06-01", points=10), ev("A", "suggestion", "2025-07-01", count=3),
               ev("A", "mediation", "2025-08-01", points=3)]
    r = result(run("party-rural-80-20", [member("A")], events))
    # base 35 + 20 + 25 = 80; review not entered → 0; total 80 + 78 = 158
    assert r["components"]["contribution"] == 78 and r["components"]["review"] == 0
    assert r["total"] == 158 and r["grade"] is None


def test_rural_handle_veto_keeps_score_and_ranks_last():
    # A: 80 + review 20 = 100 with veto mass_incident (handle); B: 80 + 10 = 90
    subjects = [member("A"), member("B")]
    out = run("party-rural-80-20", subjects, scores=[sc("A", "review", value=20), sc("B", "review", value=10)],
              vetoes=[veto("A", "mass_incident", "2025-09-01")])
    a, b = result(out, "A"), result(out, "B")
    assert a["total"] == 100 and "veto" in a["flags"] and "handle" in a["flags"]
    assert a["redeemable"] is True  # handle is a flag only
    assert b["rank"] == 1 and a["rank"] == 2
    assert "handle" not in b["flags"]


# ---------------------------------------------------------------- party-votes-80-20


def ordinary(sid="A") -> list[dict]:
    """社区-普通 minimums met: 组织生活 6, 志愿服务 3, 心得 1."""
    return [ev(sid, "org_life", "2025-02-01", count=6), ev(sid, "volunteer", "2025-03-01", count=3),
            ev(sid, "study_notes", "2025-04-01")]


def test_votes_bonus_cap_then_total_cap_100():
    # 社区-普通 with 组织生活 4 of 6 and 志愿服务 1 of 3 (心得 1 of 1 met) → 2 minimums missed → −5×2 = −10;
    # bonus exceed_quota 15 + personal_award 10 = 25 → cap 20 → daily 100 + 20 − 10 = 110
    # votes all 优秀 → 100; 0.8×110 + 0.2×100 = 88 + 20 = 108 → cap 100 → 优秀
    events = [ev("A", "exceed_quota", "2025-02-01", points=15), ev("A", "personal_award", "2025-03-01", points=10),
              ev("A", "org_life", "2025-02-01", count=4), ev("A", "volunteer", "2025-03-01"),
              ev("A", "study_notes", "2025-04-01")]
    scores = [sc("A", "votes", votes={"优秀": 5})]
    r = result(run("party-votes-80-20", [member("A", category="社区-普通")], events, scores,
                   history=[hist("A", 2024, "良好")]))
    assert r["components"]["daily"] == 110 and r["components"]["votes"] == 100
    assert r["total"] == 100 and r["grade"] == "优秀"
    assert "not_award_eligible" not in r["flags"]
    assert "未达最低要求 组织生活：全年 4 次 / 最低 6 次，扣 5" in r["explain"]
    assert "未达最低要求 志愿服务：全年 1 次 / 最低 3 次，扣 5" in r["explain"]


def test_votes_weighted_mean_and_rounding():
    # votes 1 良好 + 2 合格 → (80 + 120)/3 = 66.666… → 0.2× = 13.333…
    # 社区-普通 minimums met, dues_unpaid ×2 and task_undone ×1: two requirements breached, once each
    # → daily 100 − 5×2 = 90 → 72; total 85.333… → 85.3 → 良好 (70..90)
    events = ordinary() + [ev("A", "dues_unpaid", "2025-05-01"), ev("A", "dues_unpaid", "2025-08-01"),
                           ev("A", "task_undone", "2025-09-01")]
    scores = [sc("A", "votes", votes={"良好": 1, "合格": 2})]
    r = result(run("party-votes-80-20", [member("A", category="社区-普通")], events, scores,
                   history=[hist("A", 2024, "优秀")]))
    assert r["components"]["daily"] == 90 and r["components"]["votes"] == 66.7
    assert r["total"] == 85.3 and r["grade"] == "良好" and "not_award_eligible" not in r["flags"]
    # a ballot at 一般 counts as 合格 (60): 1 良好 + 2 一般 gives the same 66.7
    scores = [sc("A", "votes", votes={"良好": 1, "一般": 2})]
    r = result(run("party-votes-80-20", [member("A", category="社区-普通")], events, scores))
    assert r["components"]["votes"] == 66.7


def test_votes_in_service_members_daily_alone_and_bands():
    # 在职: total = daily alone. No events: 4 minimums missed (认领岗位 0/1, 志愿服务 0/2, 结对困难 0/1,
    # 共过组织生活 0/1) → 100 − 20 = 80 → 良好 even with perfect votes (not counted)
    out = run("party-votes-80-20", [member("A", category="在职")], scores=[sc("A", "votes", votes={"优秀": 10})])
    r = result(out)
    assert r["components"]["daily"] == 80 and r["total"] == 80 and r["grade"] == "良好"
    # 在职 has no dues/task/job requirement: breach events are valid input and deduct nothing
    events = [ev("A", "volunteer_post", "2025-02-01"), ev("A", "volunteer", "2025-02-01", count=2),
              ev("A", "pair_poor", "2025-02-01"), ev("A", "joint_org_life", "2025-02-01"),
              ev("A", "dues_unpaid", "2025-03-01"), ev("A", "job_undone", "2025-03-01")]
    assert result(run("party-votes-80-20", [member("A", category="在职")], events))["total"] == 100


def test_votes_65_and_over_and_no_category_have_no_minimums():
    # 65岁以上: no minimums and no requirements → daily 100; 0.8×100 + 0.2×0 = 80 → 良好
    out = run("party-votes-80-20", [member("A", category="65岁以上"), member("B")],
              [ev("A", "dues_unpaid", "2025-03-01"), ev("B", "task_undone", "2025-03-01")])
    for sid in "AB":  # B has no category: the default rules, not refused
        r = result(out, sid)
        assert r["components"]["daily"] == 100 and r["total"] == 80 and r["grade"] == "良好"
        assert not any("最低" in line for line in r["explain"])


def test_votes_category_outside_the_list_is_bad_input():
    from core.engine.case import CaseError

    try:
        run("party-votes-80-20", [member("A", category="社区-普通"), member("B", category="社区党员")])
    except CaseError as exc:
        assert "subjects[1].category" in str(exc) and "社区党员" in str(exc)
    else:
        raise AssertionError("社区党员 is not a category of the corrected template")


def test_votes_job_requirement_only_for_cadre_categories():
    # 机关-普通 with every minimum met (组织生活 12, 结对困难 1, 走访 100, 进社区 2, 心得 2) and job_undone ×2
    # → one requirement breached once: 100 − 5 = 95 → 76; votes 100 → 20 → 96 → 优秀
    events = [ev("A", "org_life", "2025-02-01", count=12), ev("A", "pair_poor", "2025-02-01"),
              ev("A", "visit", "2025-03-01", count=100), ev("A", "community_activity", "2025-04-01", count=2),
              ev("A", "study_notes", "2025-05-01", count=2), ev("A", "job_undone", "2025-06-01", count=2)]
    scores = [sc("A", "votes", votes={"优秀": 3})]
    r = result(run("party-votes-80-20", [member("A", category="机关-普通")], events, scores))
    assert r["components"]["daily"] == 95 and r["total"] == 96
    # 社区-普通 has no 本职岗位 requirement: job_undone deducts nothing → daily 100 → 80 + 20 = 100
    events = ordinary() + [ev("A", "job_undone", "2025-06-01")]
    r = result(run("party-votes-80-20", [member("A", category="社区-普通")], events, scores))
    assert r["components"]["daily"] == 100 and r["total"] == 100


def test_votes_period_counts_so_far_deduct_nothing():
    # minimums.shortfall(annual=False): a period before the cycle ends shows count so far / minimum
    from core.engine.case import Subject
    from core.engine.minimums import shortfall
    from core.scheme import load_scheme

    rules = load_scheme("party-votes-80-20").minimums
    subject = Subject("A", "B1", "member", "社区-普通", False, False, None, None, None)
    deduction, lines = shortfall(rules, subject, {"org_life": 3, "dues_unpaid": 1}, annual=False)
    assert deduction == 0
    assert "组织生活 已 3 次 / 最低 6 次" in lines and "心得 已 0 篇 / 最低 1 篇" in lines
    # the same counts at the end of the cycle: 组织生活, 志愿服务, 心得 missed and dues unpaid → −20
    deduction, _ = shortfall(rules, subject, {"org_life": 3, "dues_unpaid": 1}, annual=True)
    assert deduction == -20


# ---------------------------------------------------------------- party-index-60


def test_index_clamp_floor_zero():
    # 60 − 20×4 = −20 → clamp 0 → 1 star
    events = [ev("A", c, "2025-03-01", points=-20) for c in ("weak_belief", "weak_service", "passive_work", "lax_discipline")]
    r = result(run("party-index-60", [member("A")], events))
    assert r["total"] == 0 and r["stars"] == 1


def test_index_star_band_edges():
    # 60 → 2; 59 → 1; 70 → 3; 89 → 4; 90 → 5
    for pts, total, stars in ((None, 60, 2), (-1, 59, 1), (10, 70, 3), (29, 89, 4), (30, 90, 5)):
        events = []
        if pts is not None and pts < 0:
            events = [ev("A", "misconduct", "2025-05-01", points=pts)]
        elif pts:
            # split over two positive items (each 1..20)
            events = [ev("A", "lead_service", "2025-05-01", points=min(pts, 20))]
            if pts > 20:
                events.append(ev("A", "lead_integrity", "2025-06-01", points=pts - 20))
        r = result(run("party-index-60", [member("A")], events))
        assert (r["total"], r["stars"]) == (total, stars)


def test_index_range_items_each_count_and_zero_veto_without_events():
    # lead_performance 7 three times = 21 (no per-item cap); passive_work −4 → 60 + 21 − 4 = 77 → 3 stars
    events = [ev("A", "lead_performance", f"2025-0{m}-01", points=7) for m in (2, 3, 4)]
    events.append(ev("A", "passive_work", "2025-05-01", points=-4))
    assert result(run("party-index-60", [member("A")], events))["total"] == 77
    # veto no_dues_6_months (zero): 60 → 0 → 1 star, flag veto
    r = result(run("party-index-60", [member("A")], vetoes=[veto("A", "no_dues_6_months", "2025-09-01")]))
    assert r["total"] == 0 and r["stars"] == 1 and "veto" in r["flags"]


def test_votes_deduction_per_indicator_is_editable():
    # Decision: 5 per indicator is editable. With 3: 社区-普通 with nothing recorded misses 组织生活, 志愿服务
    # and 心得 → 100 − 3×3 = 91; votes not entered → 0; 0.8×91 = 72.8 → 良好
    from core.engine import evaluate
    from core.scheme import load_scheme, scheme_with_overrides

    scheme = scheme_with_overrides(load_scheme("party-votes-80-20"), {"minimums": {"deduction": -3}})
    r = result(evaluate(scheme, {"cycle": 2025, "subjects": [member("A", category="社区-普通")]}))
    assert r["components"]["daily"] == 91 and r["total"] == 72.8 and r["grade"] == "良好"
    assert "未达最低要求 组织生活：全年 0 次 / 最低 6 次，扣 3" in r["explain"]
