"""Party-member templates: the public examples of SCHEMES.md and hand-computed rules."""

from __future__ import annotations

from tests.engine_cases import codes, ev, filler, member, result, run, sc


def q100_example(extra_subjects=5):
    events = [
        ev("A", "miss_meeting", "2025-08-03"), ev("A", "miss_meeting", "2025-09-10"),
        ev("A", "late_dues", "2026-02-01"),
        ev("A", "award_city", "2025-10-01"), ev("A", "article_city", "2026-05-01"),
    ]
    scores = [sc("A", "appraisal", "H1", grade="优秀"), sc("A", "appraisal", "H2", grade="合格")]
    return run("party-q100-3to1", [member("A")] + filler(extra_subjects), events, scores)


def test_q100_public_example():
    # Q1 75-4=71, Q2 75, Q3 75-5=70, Q4 75 → mean 72.75; appraisal (25+15)/2=20; reward 4+2=6
    # total 98.75 → 98.8 优秀 (6 members: floor(1.2)=1 place, A is the best)
    r = result(q100_example())
    assert r["components"] == {"daily": 72.8, "appraisal": 20, "reward": 6}
    assert r["total"] == 98.8 and r["grade"] == "优秀" and r["rank"] == 1
    assert any("72.75" in line for line in r["explain"])


def test_q100_one_member_branch_has_no_excellent_place():
    # 20% of 1 = 0.2 → floor 0 places: A drops to the next grade 合格
    r = result(q100_example(extra_subjects=0))
    assert r["grade"] == "合格" and "quota_capped" in r["flags"]


def test_q100_daily_quarter_clamps_to_0():
    # Q1: 40 missed meetings = 40 × −2 = −80 → 75 − 80 = −5 → clamp 0; Q2..Q4 no events → 75
    events = [ev("A", "miss_meeting", "2025-07-05", count=40)]
    out = run("party-q100-3to1", [member("A")], events)
    # daily (0+75+75+75)/4 = 56.25 → 56.3; no appraisal → 0 + warning
    assert result(out)["components"]["daily"] == 56.3
    assert "missing_appraisal" in codes(out)


def test_q100_daily_items_are_deductions_only():
    # corrected text: volunteer_service and pledge_done (+1) are removed; the daily items all deduct
    from core.scheme import load_scheme

    scheme = load_scheme("party-q100-3to1")
    assert scheme.version == "1.1"
    assert "volunteer_service" not in scheme.items and "pledge_done" not in scheme.items
    daily = {c: i.points for c, i in scheme.items.items() if i.component == "daily"}
    assert daily == {"miss_meeting": -2, "late_dues": -5, "task_undone": -3}
    assert all("Decision" not in d for d in scheme.decisions)
    assert any("volunteer_service" in d and "pledge_done" in d for d in scheme.decisions)


def test_q100_reward_cap_10_per_cycle():
    # 10 + 6 + 4 = 20 → capped at 10
    events = [ev("A", c, "2025-09-01") for c in ("award_national", "award_provincial", "award_city")]
    r = result(run("party-q100-3to1", [member("A")], events))
    assert r["components"]["reward"] == 10
    assert any("封顶" in line for line in r["explain"])


def test_q100_range_item_points():
    r = result(run("party-q100-3to1", [member("A")], [ev("A", "reward_other", "2025-09-01", points=7)]))
    assert r["components"]["reward"] == 7


def test_q100_cycle_starts_on_07_01():
    # 2025-06-30 belongs to cycle 2024 → outside; 2026-06-30 is the last day of cycle 2025 (Q4)
    events = [ev("A", "late_dues", "2025-06-30"), ev("A", "late_dues", "2026-06-30")]
    out = run("party-q100-3to1", [member("A")], events)
    r = result(out)
    # Q4 = 75-5 = 70 → daily (75*3+70)/4 = 73.75 → 73.8
    assert r["components"]["daily"] == 73.8
    assert "event_outside_cycle" in codes(out)


def test_q100_event_before_approval_ignored():
    out = run("party-q100-3to1", [member("A", approved_on="2025-10-01")],
              [ev("A", "late_dues", "2025-09-30"), ev("A", "late_dues", "2025-10-01")])
    # only the 10-01 event counts (Q2): daily (75+70+75+75)/4 = 73.75
    assert result(out)["components"]["daily"] == 73.8
    assert "event_before_approval" in codes(out)


def test_q100_veto_force_grade_keeps_total():
    out = run("party-q100-3to1", [member("A")] + filler(9),
              scores=[sc("A", "appraisal", "H1", grade="优秀")],
              vetoes=[{"subject": "A", "item": "embezzle", "date": "2025-11-01"}])
    r = result(out)
    # 75 + 25 = 100 shown, grade forced to 不合格, vetoed ranks last (10 of 10)
    assert r["total"] == 100 and r["grade"] == "不合格" and "veto" in r["flags"] and r["rank"] == 10


def test_q100_streak_two_cycles():
    # no appraisal: 75 + 0 = 75 → 基本合格; previous cycle 基本合格 → streak:处置
    out = run("party-q100-3to1", [member("A")], history=[{"subject": "A", "cycle": 2024, "grade": "基本合格"}])
    r = result(out)
    assert r["grade"] == "基本合格" and "streak:处置" in r["flags"]
    out = run("party-q100-3to1", [member("A")], history=[{"subject": "A", "cycle": 2024, "grade": "合格"}])
    assert "streak:处置" not in result(out)["flags"]


def test_q100_quota_tie_on_the_line_drops_everyone_tied():
    # 10 members → floor(2.0) = 2 places. A = 75 + 25 + 10 = 110 keeps the first place.
    # B, C: daily (70 + 75*3)/4 = 73.75, + 25 + 4 = 102.75 → 102.8, same appraisal: a tie on the line
    subjects = [member(s) for s in "ABC"] + filler(7)
    scores = [sc(s, "appraisal", "H1", grade="优秀") for s in "ABC"]
    events = [ev("A", "award_national", "2025-08-01")]
    events += [ev(s, item, "2025-08-01") for s in "BC" for item in ("late_dues", "award_city")]
    out = run("party-q100-3to1", subjects, events, scores)
    a, b, c = result(out, "A"), result(out, "B"), result(out, "C")
    assert b["total"] == c["total"] == 102.8
    assert b["grade"] == c["grade"] == "合格" and "quota_capped" in b["flags"]
    assert a["grade"] == "优秀"
    assert "quota_tie" in codes(out)
    assert a["rank"] == 1 and b["rank"] == c["rank"] == 2


def test_q100_exempt_subject_gets_nothing():
    out = run("party-q100-3to1", [member("A", exempt=True)], [ev("A", "late_dues", "2025-08-01")])
    r = result(out)
    assert r["total"] is None and r["grade"] is None and r["rank"] is None and r["flags"] == []


QUARTERS = ("Q1", "Q2", "Q3", "Q4")


def annual_scores(sid, daily: dict, appraisal=None) -> list[dict]:
    rows = [sc(sid, "daily", q, value=v) for q, v in daily.items()]
    return rows + ([sc(sid, "appraisal", value=appraisal)] if appraisal is not None else [])


def test_annual_7to3_public_example():
    # daily 95 in each quarter: (95×4)/4 = 95; 0.7×95 + 0.3×90 = 66.5 + 27 = 93.5 → 优秀
    subjects = [member("A")] + [member(f"F{i}") for i in range(9)]
    scores = annual_scores("A", dict.fromkeys(QUARTERS, 95), 90)
    scores += [row for i in range(9) for row in annual_scores(f"F{i}", dict.fromkeys(QUARTERS, 60), 60)]
    out = run("party-annual-7to3", subjects, scores=scores)
    r = result(out)
    assert r["total"] == 93.5 and r["grade"] == "优秀"
    assert "missing_quarter" not in codes(out)


def test_annual_7to3_public_example_without_q4():
    # daily (95×3 + 0)/4 = 71.25; 0.7×71.25 + 0.3×90 = 49.875 + 27 = 76.875 → 76.9 → 合格
    scores = annual_scores("A", {"Q1": 95, "Q2": 95, "Q3": 95}, 90)
    out = run("party-annual-7to3", [member("A")], scores=scores)
    r = result(out)
    assert r["components"]["daily"] == 71.3 and r["total"] == 76.9 and r["grade"] == "合格"
    missing = [w for w in out["warnings"] if w["code"] == "missing_quarter"]
    assert len(missing) == 1 and "第4季度" in missing[0]["message"]


def test_annual_7to3_quarters_before_approval_leave_the_mean():
    # approved 2025-04-15: Q1 (ends 03-31) is left out, the divisor is 3 and Q1 raises nothing.
    # (80 + 80 + 80)/3 = 80; 0.7×80 + 0.3×90 = 56 + 27 = 83 → 合格
    scores = annual_scores("A", {"Q2": 80, "Q3": 80, "Q4": 80}, 90)
    out = run("party-annual-7to3", [member("A", approved_on="2025-04-15")], scores=scores)
    assert result(out)["total"] == 83 and "missing_quarter" not in codes(out)
    # approved 2025-03-31, the day Q1 ends: Q1 counts, as 0 with missing_quarter:
    # (0 + 80×3)/4 = 60; 0.7×60 + 27 = 42 + 27 = 69 → 基本合格
    out = run("party-annual-7to3", [member("A", approved_on="2025-03-31")], scores=scores)
    assert result(out)["total"] == 69 and result(out)["grade"] == "基本合格"
    assert codes(out).count("missing_quarter") == 1


def test_annual_7to3_80_to_89_is_qualified_and_quota_15_percent():
    # 0.7×85 + 0.3×85 = 85 → 合格 (the 80–89 gap of the source)
    scores = annual_scores("A", dict.fromkeys(QUARTERS, 85), 85)
    assert result(run("party-annual-7to3", [member("A")], scores=scores))["grade"] == "合格"
    # 13 members → floor(13 × 15%) = floor(1.95) = 1 place: A 0.7×95 + 0.3×95 = 95 keeps it,
    # B 66.5 + 28.2 = 94.7 drops to 合格
    subjects = [member("A"), member("B")] + filler(11)
    scores = annual_scores("A", dict.fromkeys(QUARTERS, 95), 95) + annual_scores("B", dict.fromkeys(QUARTERS, 95), 94)
    out = run("party-annual-7to3", subjects, scores=scores)
    assert result(out)["grade"] == "优秀" and result(out, "B")["grade"] == "合格"


def test_annual_daily_mean_over_all_four_quarters():
    # Q2 and Q4 not entered count 0: (80 + 0 + 90 + 0)/4 = 42.5 → 0.7×42.5 + 0.3×70 = 29.75 + 21 = 50.75 → 50.8
    scores = annual_scores("A", {"Q1": 80, "Q3": 90}, 70)
    out = run("party-annual-7to3", [member("A")], scores=scores)
    assert result(out)["total"] == 50.8 and codes(out).count("missing_quarter") == 2


def test_rounding_half_up_and_grade_on_rounded_total():
    # 0.7*89.5 + 0.3*91 = 62.65 + 27.3 = 89.95 → shown 90.0 and graded ≥90 → 优秀
    scores = annual_scores("A", dict.fromkeys(QUARTERS, 89.5), 91)
    r = result(run("party-annual-7to3", [member("A")] + filler(9), scores=scores))
    assert r["total"] == 90.0 and r["grade"] == "优秀"
    # 71.25 → 71.3: d = 75, a = 62.5: 52.5 + 18.75 = 71.25
    scores = annual_scores("A", dict.fromkeys(QUARTERS, 75), 62.5)
    assert result(run("party-annual-7to3", [member("A")], scores=scores))["total"] == 71.3


def test_vanguard_public_example_and_same_category_max():
    # deductions: study_absent −3 × 4 = −12
    events = [ev("A", "study_absent", f"2025-0{m}-01") for m in range(1, 5)]
    events += [ev("A", "commendation", "2025-03-01", points=8), ev("A", "commendation", "2025-04-01", points=5)]
    scores = [sc("A", "appraisal", value=90)]
    r = result(run("party-vanguard-8to2", [member("A")] + filler(9), events, scores))
    # daily 100-12 = 88 → 70.4; appraisal 18; bonus max(8,5)=8 → 96.4 优秀
    assert r["components"]["dynamic"] == 8
    assert r["total"] == 96.4 and r["grade"] == "优秀"


def test_vanguard_bonus_cap_penalties_uncapped_and_floor():
    events = [ev("A", c, "2025-03-01", points=8) for c in ("commendation", "media")]
    events += [ev("A", "penalty_gambling", "2025-05-01", points=-20) for _ in range(3)]
    r = result(run("party-vanguard-8to2", [member("A")], events, [sc("A", "appraisal", value=50)]))
    # bonus 16 → 10; penalties -60 → dynamic -50; 80 + 10 - 50 = 40
    assert r["components"]["dynamic"] == -50 and r["total"] == 40
    events = [ev("A", "miss_meeting", "2025-03-01", count=30)]
    r = result(run("party-vanguard-8to2", [member("A")], events))
    # daily 100 - 150 → floor 0; total 0
    assert r["components"]["daily"] == 0 and r["total"] == 0 and r["grade"] == "不合格"


def test_vanguard_probation_flags_and_streak():
    # daily 100 − 5×5 = 75; 0.8*75 + 0.2*25 = 60 + 5 = 65 → 基本合格
    events = [ev("A", "miss_meeting", "2025-03-01", count=5)]
    out = run("party-vanguard-8to2", [member("A", probationary=True)], events, [sc("A", "appraisal", value=25)],
              history=[{"subject": "A", "cycle": 2024, "grade": "基本合格"}])
    r = result(out)
    assert r["total"] == 65 and r["grade"] == "基本合格"
    assert "probation_extend" in r["flags"] and "streak:不合格处置" in r["flags"]


def test_formula_public_example():
    scores = [sc("A", "base", q, value=v) for q, v in zip(["Q1", "Q2", "Q3", "Q4"], [10, 12, 9, 10])]
    scores += [sc("A", "bonus", q, value=v) for q, v in zip(["Q1", "Q2", "Q3", "Q4"], [8, 14, 5, 6])]
    scores += [sc("A", "deduction", q, value=v) for q, v in zip(["Q1", "Q2", "Q3", "Q4"], [0, 0, 3, 25])]
    scores += [sc("A", "review", value=88)]
    r = result(run("party-formula-quarterly-caps", [member("A")], scores=scores))
    # 39 + 29 - 23 + 17.6 = 62.6 合格, 后进整顿
    assert r["components"] == {"base": 39, "bonus": 29, "deduction": 23, "review": 88}
    assert r["total"] == 62.6 and r["grade"] == "合格" and "后进整顿" in r["flags"]


def test_formula_cycle_cap_40_and_zero_veto():
    scores = [sc("A", "base", q, value=10) for q in ("Q1", "Q2", "Q3", "Q4")]
    scores += [sc("A", "bonus", q, value=10) for q in ("Q1", "Q2", "Q3", "Q4")]
    out = run("party-formula-quarterly-caps", [member("A")], scores=scores,
              vetoes=[{"subject": "A", "item": "discipline_sanction", "date": "2025-06-01"}])
    r = result(out)
    assert r["components"]["base"] == 40 and r["total"] == 0 and r["grade"] == "诫勉"


def test_formula_forced_distribution_needs_20_members():
    subjects = [member(f"M{i:02d}") for i in range(20)]
    scores = [sc(f"M{i:02d}", "review", value=100) for i in range(20)]  # each 20 → all below 60
    assert "forced_distribution" in codes(run("party-formula-quarterly-caps", subjects, scores=scores))
    assert "forced_distribution" not in codes(run("party-formula-quarterly-caps", subjects[:19], scores=scores[:19]))


def test_street_3class_public_example_and_report_up_tie():
    dims = ["组织生活", "创先争优", "服务群众", "遵纪守法", "群众反映"]
    scores = [sc("A", d, value=v) for d, v in zip(dims, [18, 17, 19, 20, 16])]
    r = result(run("party-street-3class", [member("A", category="骨干类")], scores=scores))
    assert r["total"] == 90 and r["grade"] == "优秀" and "report_up" in r["flags"]
    # four members at 90, 85, 85, 85 → ranks 1, 2, 2, 2 → all four are top 3 with ties
    subjects = [member(s, category="普通类") for s in "ABCDE"]
    values = {"A": 18, "B": 17, "C": 17, "D": 17, "E": 10}
    scores = [sc(s, d, value=v) for s, v in values.items() for d in dims]
    out = run("party-street-3class", subjects, scores=scores)
    assert all("report_up" in result(out, s)["flags"] for s in "ABCD")
    assert result(out, "E")["grade"] == "诫勉"


def test_stars_5x20_public_example():
    events = [ev("A", "miss_meeting", "2025-08-01", count=2), ev("A", "missing_notes", "2025-09-01"),
              ev("A", "excellence", "2025-10-01", points=5), ev("A", "miss_activity", "2025-11-01"),
              ev("A", "good_conduct", "2026-01-01", points=4)]
    r = result(run("party-stars-5x20", [member("A")], events, [sc("A", "服务群众", value=18)]))
    # 学习 20 − 2×3 − 5 = 9; 佳绩 12 + 5 = 17; 守法 20 − 5 = 15; 服务 18; 正气 14 + 4 = 18
    # 9 + 17 + 15 + 18 + 18 = 77 → 3 stars (≥70)
    assert r["components"] == {"学习提高": 9, "争创佳绩": 17, "遵纪守法": 15, "服务群众": 18, "弘扬正气": 18}
    assert r["total"] == 77 and r["stars"] == 3
    assert r["flags"] == []  # 3 stars: neither report_up (5) nor 批评教育 (≤2)


def test_stars_5x20_veto_no_rating_and_probation_watch():
    for code in ("absent_6_months", "policy_violation", "serious_violation"):
        out = run("party-stars-5x20", [member("A")], scores=[sc("A", "服务群众", value=18)],
                  vetoes=[{"subject": "A", "item": code, "date": "2025-09-01"}])
        r = result(out)
        # 取消当年星级党员评定资格: no stars, and 留党观察 for a year
        assert r["stars"] is None and "veto" in r["flags"] and "留党观察" in r["flags"]
        assert "批评教育" not in r["flags"]


def test_stars_5x20_replaced_veto_code():
    from core.engine.case import CaseError

    out = run("party-stars-5x20", [member("A")], vetoes=[{"subject": "A", "item": "policy_violation",
                                                           "date": "2025-09-01"}])
    assert "veto" in result(out)["flags"]
    try:
        run("party-stars-5x20", [member("A")], vetoes=[{"subject": "A", "item": "petition_or_order_violation",
                                                         "date": "2025-09-01"}])
    except CaseError as exc:
        assert "vetoes[0].item" in str(exc)
    else:
        raise AssertionError("the replaced veto code is bad input")


def test_stars_5x20_report_up_at_5_and_criticism_at_2_or_fewer():
    # no events, 服务群众 20: 20 + 12 + 20 + 20 + 14 = 86 → 4 stars; + excellence 8 + good_conduct 6:
    # 20 + 20 + 20 + 20 + 20 = 100 → 5 stars → report_up
    events = [ev("A", "excellence", "2025-09-01", points=8), ev("A", "good_conduct", "2025-09-01", points=6)]
    r = result(run("party-stars-5x20", [member("A")], events, [sc("A", "服务群众", value=20)]))
    assert r["total"] == 100 and r["stars"] == 5 and r["flags"] == ["report_up"]
    # 4 missed meetings (−12) + 2 missing notes (−10) → 学习 20 − 22 → floor 0; 3 missed activities −15 → 5;
    # 服务 0: 0 + 12 + 5 + 0 + 14 = 31 → 1 star → 批评教育
    events = [ev("A", "miss_meeting", "2025-09-01", count=4), ev("A", "missing_notes", "2025-09-01", count=2),
              ev("A", "miss_activity", "2025-10-01", count=3)]
    r = result(run("party-stars-5x20", [member("A")], events, [sc("A", "服务群众", value=0)]))
    assert r["components"]["学习提高"] == 0 and r["total"] == 31 and r["stars"] == 1
    assert r["flags"] == ["批评教育"]


def raters(sid, dim, q, s, m, l):
    return [sc(sid, dim, q, value=s, rater="self"), sc(sid, dim, q, value=m, rater="masses"),
            sc(sid, dim, q, value=l, rater="leadership")]


def test_stars_raters_public_example():
    # 84.5/82/79/91/80 → four dimensions ≥ 80 → 4 stars in Q1
    dims = {"工作任务": 84.5, "各项指标": 82, "创新创效": 79, "学习培训": 91, "各项活动": 80}
    scores = raters("A", "工作任务", "Q1", 90, 80, 85)  # 18 + 24 + 42.5 = 84.5
    scores += [row for d, v in dims.items() if d != "工作任务" for row in raters("A", d, "Q1", v, v, v)]
    r = result(run("party-stars-raters", [member("A")], scores=scores))
    assert r["period_stars"]["Q1"] == 4 and r["stars"] == 4
    assert r["grade"] == "不合格"  # fewer than 5 stars in the cycle
    assert "诫勉:Q2" in r["flags"] and "诫勉:Q1" not in r["flags"]


def test_stars_raters_missing_rater_warning_and_star_member():
    dims = ["工作任务", "各项指标", "创新创效", "学习培训", "各项活动"]
    scores = [row for q in ("Q1", "Q2", "Q3", "Q4") for d in dims for row in raters("A", d, q, 90, 90, 90)]
    r = result(run("party-stars-raters", [member("A")], scores=scores))
    assert r["stars"] == 20 and r["grade"] is None and "明星党员" in r["flags"] and "明星党员:Q3" in r["flags"]
    out = run("party-stars-raters", [member("A")], scores=[sc("A", "工作任务", "Q1", value=100, rater="self")])
    assert "missing_rater" in codes(out)


def test_stars_raters_vetoes_as_corrected():
    from core.scheme import load_scheme

    vetoes = load_scheme("party-stars-raters").vetoes
    # absent_unjustified replaces absent_6_months: the seed sets no duration
    assert "absent_6_months" not in vetoes
    assert vetoes["absent_unjustified"].name == "无正当理由不参加党的组织生活、不缴纳党费、不完成党组织所分配工作"
    assert set(vetoes) == {"team_disunity", "dereliction", "major_incident", "discipline_period", "family_planning",
                           "illegal_organisation", "absent_unjustified", "other_branch_decision"}
    assert all(v.effect == "no_rating" for v in vetoes.values())
    dims = ["工作任务", "各项指标", "创新创效", "学习培训", "各项活动"]
    scores = [row for d in dims for row in raters("A", d, "Q1", 90, 90, 90)]
    out = run("party-stars-raters", [member("A")], scores=scores,
              vetoes=[{"subject": "A", "item": "absent_unjustified", "date": "2025-02-01"}])
    r = result(out)
    assert r["stars"] is None and r["grade"] is None and "veto" in r["flags"]


def test_stars_quota_public_example_and_limits():
    dims = ["爱岗敬业", "技术创新", "安全生产", "奉献爱心", "诚实守信"]
    scores = [sc("A", d, value=v) for d, v in zip(dims, [9, 8, 8.5, 7, 9])]
    out = run("party-stars-quota", [member("A")] + filler(9), scores=scores)
    assert result(out)["stars"] == 4
    # three dims ≥ 8 → 3 stars, mean 6 > 4: no limit
    scores = [sc("A", d, value=v) for d, v in zip(dims, [10, 10, 10, 0, 0])]
    assert result(run("party-stars-quota", [member("A")], scores=scores))["stars"] == 3
    # three dims at 8 → 3 stars, mean 24/5 = 4.8 > 4: the "mean ≤ 4 → at most 2" limit cannot bind
    # with threshold 8 (3 stars need a mean ≥ 4.8); it is exercised with a lowered threshold below
    scores = [sc("A", d, value=v) for d, v in zip(dims, [8, 8, 8, 0, 0])]
    assert result(run("party-stars-quota", [member("A")], scores=scores))["stars"] == 3


def test_stars_quota_mean_limit_with_lower_threshold():
    from core.engine import evaluate
    from core.scheme import load_scheme, scheme_with_overrides

    scheme = scheme_with_overrides(load_scheme("party-stars-quota"), {"stars": {"threshold": 6}})
    dims = ["爱岗敬业", "技术创新", "安全生产", "奉献爱心", "诚实守信"]
    # 6, 6, 6, 2, 0 → 3 dims ≥ 6 = 3 stars; mean 20/5 = 4 ≤ 4 → at most 2
    case = {"cycle": 2025, "subjects": [member("A")],
            "scores": [sc("A", d, value=v) for d, v in zip(dims, [6, 6, 6, 2, 0])]}
    assert result(evaluate(scheme, case))["stars"] == 2


def test_stars_quota_five_star_minimum_one_and_drops():
    dims = ["爱岗敬业", "技术创新", "安全生产", "奉献爱心", "诚实守信"]
    subjects = [member(s) for s in "AB"]
    scores = [sc("A", d, value=10) for d in dims] + [sc("B", d, value=9) for d in dims]
    out = run("party-stars-quota", subjects, scores=scores)
    # 2 members: 5 stars max(1, floor(0.2)) = 1 → A keeps 5; B drops to 4; 4 stars floor(0.4)=0 → B drops to 3
    assert result(out, "A")["stars"] == 5
    assert result(out, "B")["stars"] == 3 and "quota_capped" in result(out, "B")["flags"]
    assert "three_star_share" not in codes(out)


def test_stars_10_categories_and_report_up():
    gov = ["理论学习", "执行政策", "服务群众", "爱岗敬业", "遵纪守法", "文明形象", "业务能力", "求实创新", "承诺守信", "清正廉洁"]
    scores = [sc("A", d, value=1) for d in gov[:9]] + [sc("A", gov[9], value=0)]
    r = result(run("party-stars-10", [member("A", category="机关")], scores=scores))
    assert r["stars"] == 9 and r["grade"] == "优秀" and "report_up" in r["flags"]
    scores = [sc("A", d, value=1) for d in gov[:6]]
    r = result(run("party-stars-10", [member("A", category="机关")], scores=scores))
    assert r["stars"] == 6 and r["grade"] == "基本合格" and r["flags"] == []


def test_index_60_examples_and_zero_veto():
    # public example: 60 + 25 − 10 = 75 → 3 stars (≥70)
    events = [ev("A", "lead_study", "2025-03-01", points=20), ev("A", "lead_law", "2025-04-01", points=5),
              ev("A", "misconduct", "2025-05-01", points=-10)]
    r = result(run("party-index-60", [member("A")], events))
    assert r["total"] == 75 and r["stars"] == 3
    assert any("行为操守失范" in line for line in r["explain"])
    # public example: 60 + 20 + 20 + 10 = 110 → clamped 100 → 5 stars
    events = [ev("A", c, "2025-03-01", points=20) for c in ("lead_study", "lead_service")] + [
        ev("A", "lead_law", "2025-03-01", points=10)]
    r = result(run("party-index-60", [member("A")], events))
    assert r["total"] == 100 and r["stars"] == 5
    out = run("party-index-60", [member("A")], events, vetoes=[{"subject": "A", "item": "cult", "date": "2025-04-01"}])
    assert result(out)["total"] == 0 and result(out)["stars"] == 1


def test_index_60_names_as_in_the_seed():
    from core.scheme import load_scheme

    scheme = load_scheme("party-index-60")
    names = {c: scheme.items[c].name for c in ("weak_belief", "weak_service", "passive_work", "lax_discipline",
                                                "misconduct")}
    assert names == {"weak_belief": "政治信仰滑坡", "weak_service": "宗旨意识淡薄", "passive_work": "工作消极落后",
                     "lax_discipline": "组织纪律涣散", "misconduct": "行为操守失范"}
    assert scheme.vetoes["group_petition"].name == "煽动、组织群体性上访"
    assert {v.effect for v in scheme.vetoes.values()} == {"zero"} and len(scheme.vetoes) == 8


def test_village_3type_public_example_no_post():
    # 无职: base 20 + dimensions 35 + 15 + 20 + 10 + 8 = 88; + flood_relief 5 + commend_county 2
    # − collective_petition 3 → 20 + 88 + 4 = 112 (no ceiling) → 5 stars → township_recheck
    dims = {"学习": 35, "党日活动": 15, "作用发挥": 20, "承诺": 10, "设岗定责": 8}
    scores = [sc("A", d, value=v) for d, v in dims.items()]
    events = [ev("A", "flood_relief", "2025-03-01"), ev("A", "commend_county", "2025-04-01"),
              ev("A", "collective_petition", "2025-05-01")]
    r = result(run("party-village-3type", [member("A", category="无职")], events, scores))
    assert r["components"]["base"] == 20 and r["components"]["adjust"] == 4
    assert r["total"] == 112 and r["stars"] == 5 and r["grade"] is None and "township_recheck" in r["flags"]
    assert "自动给分 基础分（无职党员） +20" in r["explain"]  # from the category, not entered


def test_village_3type_public_example_elderly():
    # 老年或特殊情况: no dimensions; base 60 + commend_county 2 − skip_public_labour 2 = 60 → 2 stars
    events = [ev("A", "commend_county", "2025-04-01"), ev("A", "skip_public_labour", "2025-05-01")]
    r = result(run("party-village-3type", [member("A", category="老年或特殊情况")], events))
    assert r["components"] == {"base": 60, "adjust": 0}
    assert r["total"] == 60 and r["stars"] == 2 and r["grade"] is None


def test_village_3type_base_is_not_entered():
    from core.engine.case import CaseError

    try:
        run("party-village-3type", [member("A", category="无职")], [ev("A", "base_no_post", "2025-03-01")])
    except CaseError as exc:
        assert "events[0].item" in str(exc) and "自动给分" in str(exc)
    else:
        raise AssertionError("the base comes from the category, once per cycle")


def test_village_3type_base_by_category_and_cadre_bonus_cap():
    # 流动 with nothing entered: base 40 → 1 star (below 60) → 不合格
    r = result(run("party-village-3type", [member("A", category="流动")]))
    assert r["total"] == 40 and r["stars"] == 1 and r["grade"] == "不合格"
    # 村干部: base 0; dimensions 20 + 20 + 10 + 10 = 60; bonus 5 + 5 + 3 = 13 → capped 10 → 70 → 3 stars
    cadre = {"组织生活": 20, "履行职责": 20, "廉洁自律": 10, "遵纪守法": 10}
    scores = [sc("A", d, value=v) for d, v in cadre.items()]
    events = [ev("A", "flood_relief", "2025-03-01"), ev("A", "commend_provincial", "2025-04-01"),
              ev("A", "commend_city", "2025-04-01")]
    r = result(run("party-village-3type", [member("A", category="村干部")], events, scores))
    assert r["components"]["base"] == 0
    assert r["total"] == 70 and r["stars"] == 3
    # 村干部 at most 100 + 10 = 110: the full dimensions and 13 bonus
    scores = [sc("A", d, value=v) for d, v in {"组织生活": 30, "履行职责": 30, "廉洁自律": 20, "遵纪守法": 20}.items()]
    r = result(run("party-village-3type", [member("A", category="村干部")], events, scores))
    assert r["total"] == 110 and r["stars"] == 5
    # the bonus of a 无职 member is uncapped: 20 + 13 = 33
    r = result(run("party-village-3type", [member("A", category="无职")], events))
    assert r["total"] == 33


def test_village_3type_flags():
    out = run("party-village-3type", [member("A", category="流动", probationary=True, joined_branch="2025-08-01")],
              history=[{"subject": "A", "cycle": 2024, "stars": 2}, {"subject": "A", "cycle": 2023, "stars": 1}])
    r = result(out)
    # no scores: 流动 base 40 → 1 star (below 60) → 不合格
    assert r["stars"] == 1 and r["grade"] == "不合格"
    assert {"not_award_eligible", "probation_extend_or_cancel", "streak:不提名"} <= set(r["flags"])


RURAL_EVENTS = [ev("A", "miss_org_life", "2025-03-01", count=3), ev("A", "late_dues", "2025-04-01"),
                ev("A", "task_undone", "2025-05-01", points=-3), ev("A", "suggestion", "2025-06-01"),
                ev("A", "public_good", "2025-06-01", points=8), ev("A", "skill_help", "2025-06-01", points=4)]


def test_rural_80_20_public_example():
    # 35 − 3×2 = 29; 20 − 2 = 18; 25 − 3 = 22; review 16; bonuses 5 + 8 + 4 = 17
    # 29 + 18 + 22 + 16 + 17 = 102; an entered grade row 优秀 is the grade
    scores = [sc("A", "review", value=16), sc("A", "grade", grade="优秀")]
    out = run("party-rural-80-20", [member("A")], RURAL_EVENTS, scores)
    r = result(out)
    assert r["components"] == {"组织生活": 29, "党费": 18, "发挥作用": 22, "review": 16, "contribution": 17}
    assert r["total"] == 102 and r["grade"] == "优秀" and "missing_grade" not in codes(out)
    # without the grade row: grade null and missing_grade
    out = run("party-rural-80-20", [member("A")], RURAL_EVENTS, scores[:1])
    assert result(out)["total"] == 102 and result(out)["grade"] is None and "missing_grade" in codes(out)


def test_rural_80_20_grade_is_never_derived_and_a_veto_keeps_it():
    # total 35 + 20 + 25 + 0 + 0 = 80, entered 不合格: the entered grade stands; the handle veto
    # (religion_superstition replaces religion) flags but leaves the grade as entered
    out = run("party-rural-80-20", [member("A")], scores=[sc("A", "grade", grade="不合格")],
              vetoes=[{"subject": "A", "item": "religion_superstition", "date": "2025-07-01"}])
    r = result(out)
    assert r["total"] == 80 and r["grade"] == "不合格" and r["flags"] == ["veto", "handle"]


def test_rural_80_20_probation_recommendation_is_entered():
    scores = [sc("A", "probation", grade="延长预备期"), sc("B", "probation", grade="取消预备党员资格")]
    out = run("party-rural-80-20", [member("A", probationary=True), member("B", probationary=True)],
              scores=scores)
    assert result(out, "A")["flags"] == ["probation_extend"]
    assert result(out, "B")["flags"] == ["probation_cancel"]
    # never computed: a low total without the row raises nothing (35 + 20 + 25 − 25 = 55)
    out = run("party-rural-80-20", [member("A", probationary=True)],
              [ev("A", "task_undone", "2025-05-01", points=-25)])
    assert result(out)["total"] == 55 and result(out)["flags"] == []


def test_votes_80_20_public_example():
    # 社区-普通: 组织生活 6 (min 6), 志愿服务 3 (min 3), 心得 0 of 1 → 100 − 5 = 95 → 0.8 × 95 = 76
    # votes (8×100 + 8×80 + 3×60 + 1×40)/20 = 1660/20 = 83 → 0.2 × 83 = 16.6; total 92.6 → 优秀
    events = [ev("A", "org_life", "2025-03-01", count=6), ev("A", "volunteer", "2025-05-01", count=3)]
    scores = [sc("A", "votes", votes={"优秀": 8, "良好": 8, "合格": 3, "差": 1})]
    r = result(run("party-votes-80-20", [member("A", category="社区-普通")], events, scores))
    assert r["components"] == {"daily": 95, "votes": 83}
    assert r["total"] == 92.6 and r["grade"] == "优秀"
    assert "未达最低要求 心得：全年 0 篇 / 最低 1 篇，扣 5" in r["explain"]
    # no history for the previous cycle (a first cycle): not_award_eligible is not raised
    assert "not_award_eligible" not in r["flags"]


def test_votes_80_20_not_award_eligible_reads_the_previous_grade():
    scores = [sc("A", "votes", votes={"优秀": 1})]
    for grade, raised in (("合格", True), ("良好", False), ("优秀", False)):
        out = run("party-votes-80-20", [member("A", category="65岁以上")], scores=scores,
                  history=[{"subject": "A", "cycle": 2024, "grade": grade}])
        assert ("not_award_eligible" in result(out)["flags"]) is raised


def test_votes_80_20_caps_in_service_members():
    # 在职 with its 4 minimums met; bonus 15 + 15 = 30 → capped 20: daily 120;
    # 在职 total = daily alone, capped 100
    events = [ev("A", "exceed_quota", "2025-03-01", points=15), ev("A", "outstanding", "2025-04-01", points=15),
              ev("A", "volunteer_post", "2025-02-01"), ev("A", "volunteer", "2025-02-01", count=2),
              ev("A", "pair_poor", "2025-02-01"), ev("A", "joint_org_life", "2025-02-01")]
    r = result(run("party-votes-80-20", [member("A", category="在职")], events))
    assert r["components"]["daily"] == 120 and r["total"] == 100
