"""Hand-computed rule tests for the party-member star templates of SCHEMES.md:
stars-5x20, stars-raters, stars-quota, stars-10 and village-3type.

Every expected value below is derived from the text of SCHEMES.md (the arithmetic is in
the comment above each assertion), never copied from the engine's output.
"""

from __future__ import annotations

from tests.engine_cases import codes, ev, filler, hist, member, result, run, sc, veto

QS = ("Q1", "Q2", "Q3", "Q4")


# ---------------------------------------------------------------- party-stars-5x20


def test_5x20_caps_at_20_and_floors_at_0():
    # 学习提高 20 − 3×5 − 5×2 = −5 → floor 0
    # 争创佳绩 12 + 8 + 8 = 28 → cap 20
    # 遵纪守法 20 − 20 − 5 = −5 → floor 0
    # 服务群众 not entered → 0
    # 弘扬正气 14 + 6 + 6 = 26 → cap 20
    # total 0 + 20 + 0 + 0 + 20 = 40 → below 60 → 1 star
    events = [ev("A", "miss_meeting", "2025-08-01", count=5), ev("A", "missing_notes", "2025-09-01", count=2),
              ev("A", "excellence", "2025-10-01", points=8), ev("A", "excellence", "2026-03-01", points=8),
              ev("A", "minor_violation", "2025-11-01", points=-20), ev("A", "miss_activity", "2025-12-01"),
              ev("A", "good_conduct", "2026-01-01", points=6), ev("A", "good_conduct", "2026-04-01", points=6)]
    r = result(run("party-stars-5x20", [member("A")], events))
    assert r["components"] == {"学习提高": 0, "争创佳绩": 20, "遵纪守法": 0, "服务群众": 0, "弘扬正气": 20}
    assert r["total"] == 40 and r["stars"] == 1


def test_5x20_cycle_runs_07_01_to_06_30():
    # miss_activity on 2025-06-30 belongs to cycle 2024 → ignored (event_outside_cycle);
    # the one on 2026-06-30 counts: 遵纪守法 20 − 5 = 15
    # total 20 + 12 + 15 + 0 + 14 = 61 → 2 stars (60..70)
    events = [ev("A", "miss_activity", "2025-06-30"), ev("A", "miss_activity", "2026-06-30")]
    out = run("party-stars-5x20", [member("A")], events)
    r = result(out)
    assert r["components"]["遵纪守法"] == 15 and r["total"] == 61 and r["stars"] == 2
    assert "event_outside_cycle" in codes(out)


def test_5x20_star_band_edges():
    # no events: 20 + 12 + 20 + s + 14 = 66 + s
    # s = 14 → 80 → 4 stars; s = 13 → 79 → 3 stars; s = 20 + excellence 4 → 90 → 5 stars
    r = result(run("party-stars-5x20", [member("A")], scores=[sc("A", "服务群众", value=14)]))
    assert (r["total"], r["stars"]) == (80, 4)
    r = result(run("party-stars-5x20", [member("A")], scores=[sc("A", "服务群众", value=13)]))
    assert (r["total"], r["stars"]) == (79, 3)
    r = result(run("party-stars-5x20", [member("A")], [ev("A", "excellence", "2025-09-01", points=4)],
                   [sc("A", "服务群众", value=20)]))
    assert (r["total"], r["stars"]) == (90, 5)


def test_5x20_rank_stars_then_total_and_no_rating_ranks_last():
    # A 66+20 = 86 (4★), B 66+15 = 81 (4★), D 81 (4★), C 66+13 = 79 (3★)
    # V 66+20 = 86 but vetoed no_rating → no stars, ranked after everyone
    subjects = [member(s) for s in "ABCDV"]
    scores = [sc(s, "服务群众", value=v) for s, v in zip("ABCDV", (20, 15, 13, 15, 20))]
    out = run("party-stars-5x20", subjects, scores=scores, vetoes=[veto("V", "discipline_handled", "2025-12-01")])
    assert [result(out, s)["rank"] for s in "ABDC"] == [1, 2, 2, 4]
    v = result(out, "V")
    assert v["stars"] is None and v["grade"] is None and v["rank"] == 5 and "veto" in v["flags"]
    assert v["total"] == 86  # no_rating removes grade and stars only


# ---------------------------------------------------------------- party-stars-raters

DIMS_RATERS = ["工作任务", "各项指标", "创新创效", "学习培训", "各项活动"]


def raters(sid, dim, q, s, m, l):
    return [sc(sid, dim, q, value=s, rater="self"), sc(sid, dim, q, value=m, rater="masses"),
            sc(sid, dim, q, value=l, rater="leadership")]


def quarter(sid, q, stars, value=90, low=50):
    """`stars` dimensions at `value` from all raters, the rest at `low`."""
    return [row for i, d in enumerate(DIMS_RATERS) for row in raters(sid, d, q, *(3 * [value if i < stars else low]))]


def test_raters_weights_and_threshold_edge():
    # 工作任务 100/0/60 → 20 + 0 + 30 = 50 → no star
    # 各项指标 80/80/80 → 16 + 24 + 40 = 80 → star (≥80 inclusive)
    # 创新创效 79/80/80 → 15.8 + 24 + 40 = 79.8 → no star
    # 学习培训 60/100/80 → 12 + 30 + 40 = 82 → star
    scores = raters("A", "工作任务", "Q1", 100, 0, 60) + raters("A", "各项指标", "Q1", 80, 80, 80)
    scores += raters("A", "创新创效", "Q1", 79, 80, 80) + raters("A", "学习培训", "Q1", 60, 100, 80)
    r = result(run("party-stars-raters", [member("A")], scores=scores))
    assert r["period_stars"]["Q1"] == 2 and r["stars"] == 2
    assert r["total"] is None


def test_raters_five_stars_in_one_quarter_clears_the_grade():
    # Q1 5 stars, Q2..Q4 0 → cycle 5 stars → not fewer than 5 → grade null
    r = result(run("party-stars-raters", [member("A")], scores=quarter("A", "Q1", 5)))
    assert r["stars"] == 5 and r["grade"] is None
    assert "明星党员:Q1" in r["flags"] and "明星党员" not in r["flags"]
    assert {"诫勉:Q2", "诫勉:Q3", "诫勉:Q4"} <= set(r["flags"]) and "诫勉:Q1" not in r["flags"]
    # Q1 4 stars only → 4 < 5 → 不合格
    r = result(run("party-stars-raters", [member("A")], scores=quarter("A", "Q1", 4)))
    assert r["stars"] == 4 and r["grade"] == "不合格"


def test_raters_warning_flag_for_two_one_star_quarters():
    # Q1 1★, Q2 1★, Q3 5★, Q4 3★ → 10 stars; two quarters with exactly 1 star → warning
    scores = quarter("A", "Q1", 1) + quarter("A", "Q2", 1) + quarter("A", "Q3", 5) + quarter("A", "Q4", 3)
    r = result(run("party-stars-raters", [member("A")], scores=scores))
    assert r["stars"] == 10 and r["grade"] is None
    assert r["period_stars"] == {"Q1": 1, "Q2": 1, "Q3": 5, "Q4": 3}
    assert {"warning", "诫勉:Q1", "诫勉:Q2", "明星党员:Q3"} <= set(r["flags"])
    assert "诫勉:Q4" not in r["flags"] and "明星党员" not in r["flags"]
    # one 1★ quarter only (Q2 has 2 stars) → no warning
    scores = quarter("A", "Q1", 1) + quarter("A", "Q2", 2) + quarter("A", "Q3", 5) + quarter("A", "Q4", 3)
    assert "warning" not in result(run("party-stars-raters", [member("A")], scores=scores))["flags"]


def test_raters_missing_rater_counts_zero():
    # self 100, masses 100, leadership missing → 20 + 30 + 0 = 50 → no star; warning missing_rater
    scores = [sc("A", "工作任务", "Q2", value=100, rater="self"), sc("A", "工作任务", "Q2", value=100, rater="masses")]
    scores += [row for d in DIMS_RATERS[1:] for row in raters("A", d, "Q2", 90, 90, 90)]
    out = run("party-stars-raters", [member("A")], scores=scores)
    assert result(out)["period_stars"]["Q2"] == 4
    assert "missing_rater" in codes(out)


def test_raters_rank_by_stars_then_dimension_sum_and_star_share():
    # A, B, C 5★ in Q1; A's dimensions at 90 beat B's and C's at 85 → A 1, B 2, C 2
    # D 4★ → rank 4; V vetoed (no_rating) → no stars, rank 5
    scores = quarter("A", "Q1", 5, value=90) + quarter("B", "Q1", 5, value=85) + quarter("C", "Q1", 5, value=85)
    scores += quarter("D", "Q1", 4, value=100) + quarter("V", "Q1", 5, value=100)
    out = run("party-stars-raters", [member(s) for s in "ABCDV"], scores=scores,
              vetoes=[veto("V", "dereliction", "2025-02-01")])
    assert [result(out, s)["rank"] for s in "ABCDV"] == [1, 2, 2, 4, 5]
    assert result(out, "V")["stars"] is None and result(out, "V")["grade"] is None
    # star share: (5 + 5 + 5 + 4 + 0) of 5 subjects × 20 possible = 19/100 = 19%
    branch = out["branches"][0]
    assert branch["star_share"] == 19


# ---------------------------------------------------------------- party-stars-quota

DIMS_QUOTA = ["爱岗敬业", "技术创新", "安全生产", "奉献爱心", "诚实守信"]


def quota_scores(sid, values):
    return [sc(sid, d, value=v) for d, v in zip(DIMS_QUOTA, values)]


def test_quota_star_threshold_edge():
    # 8 earns a star, 7.99 does not: 8, 7.99, 10, 10, 0 → 3 stars (mean 35.99/5 > 4: no limit)
    r = result(run("party-stars-quota", [member("A")] + filler(9), scores=quota_scores("A", (8, 7.99, 10, 10, 0))))
    assert r["stars"] == 3 and r["total"] is None


def test_quota_missing_first_dimension_counts_zero_not_no_stars():
    # 爱岗敬业 not entered → 0 (a component with no input counts 0); 技术创新..诚实守信 9, 9, 9, 9 → 4 stars
    # (mean 36/5 = 7.2 > 4: no limit). 10 members → 4★ places floor(2.0) = 2: A keeps 4
    scores = [sc("A", d, value=9) for d in DIMS_QUOTA[1:]]
    r = result(run("party-stars-quota", [member("A")] + filler(9), scores=scores))
    assert r["components"]["爱岗敬业"] == 0 and r["stars"] == 4


def test_quota_four_star_floor_20_percent():
    # 10 members → 4★ places floor(2.0) = 2
    # P 9,9,9,9,0 (sum 36), Q 9,9,9,8,0 (35), R 8,8,8,8,0 (32): three 4★ → R, the lowest sum, drops to 3
    subjects = [member(s) for s in "PQR"] + filler(7)
    scores = quota_scores("P", (9, 9, 9, 9, 0)) + quota_scores("Q", (9, 9, 9, 8, 0)) + quota_scores("R", (8, 8, 8, 8, 0))
    out = run("party-stars-quota", subjects, scores=scores)
    assert result(out, "P")["stars"] == 4 and result(out, "Q")["stars"] == 4
    r = result(out, "R")
    assert r["stars"] == 3 and "quota_capped" in r["flags"]
    # 3 of 10 hold 3★ or more → 30% < 60% → three_star_share
    assert "three_star_share" in codes(out)


def test_quota_five_star_tie_on_the_line():
    # 10 members → 5★ places max(1, floor(1.0)) = 1; A and B both 9×5 = 45 → tie on the line → both drop to 4,
    # warning quota_tie; then 4★ places floor(2.0) = 2 → both keep 4
    subjects = [member("A"), member("B")] + filler(8)
    out = run("party-stars-quota", subjects, scores=quota_scores("A", (9,) * 5) + quota_scores("B", (9,) * 5))
    for s in "AB":
        assert result(out, s)["stars"] == 4 and "quota_capped" in result(out, s)["flags"]
    assert "quota_tie" in codes(out)


def test_quota_five_star_floor_10_percent_of_20():
    # 20 members → 5★ places max(1, floor(2.0)) = 2: A 50, B 49, C 48 → C drops to 4;
    # 4★ places floor(4.0) = 4 → C keeps 4
    subjects = [member(s) for s in "ABC"] + filler(17)
    scores = quota_scores("A", (10,) * 5) + quota_scores("B", (10, 10, 10, 10, 9)) + quota_scores("C", (10, 10, 10, 9, 9))
    out = run("party-stars-quota", subjects, scores=scores)
    assert [result(out, s)["stars"] for s in "ABC"] == [5, 5, 4]
    assert "quota_capped" in result(out, "C")["flags"] and "quota_tie" not in codes(out)


def test_quota_member_dropped_from_five_competes_for_four_on_dimension_sum():
    # 10 members. 5★: A 10×5 (50), B 9.5×5 (47.5), C 9×5 (45); 4★: D 10,10,10,10,7.9 (47.9)
    # 5★ places max(1, floor(1.0)) = 1 → A keeps 5; B and C drop to 4 (quota_capped)
    # 4★ places floor(2.0) = 2 among B, C, D ranked by the sum of the dimensions: D 47.9, B 47.5, C 45
    # → D and B keep 4; C drops again to 3
    subjects = [member(s) for s in "ABCD"] + filler(6)
    scores = quota_scores("A", (10,) * 5) + quota_scores("B", (9.5,) * 5) + quota_scores("C", (9,) * 5)
    scores += quota_scores("D", (10, 10, 10, 10, 7.9))
    out = run("party-stars-quota", subjects, scores=scores)
    assert [result(out, s)["stars"] for s in "ABCD"] == [5, 4, 3, 4]
    assert "quota_capped" not in result(out, "D")["flags"] and "quota_capped" in result(out, "C")["flags"]
    # final rank: stars, then dimension sum → A 1, D 2, B 3, C 4
    assert [result(out, s)["rank"] for s in "ADBC"] == [1, 2, 3, 4]


def test_quota_base_includes_vetoed_members():
    # 10 members incl. V (vetoed, no_rating) → base 10 → 4★ places floor(2.0) = 2 → P and Q both keep 4
    # (without V the base would be 9 → floor(1.8) = 1)
    subjects = [member(s) for s in "VPQ"] + filler(7)
    scores = quota_scores("P", (9, 9, 9, 9, 0)) + quota_scores("Q", (9, 9, 9, 8, 0))
    out = run("party-stars-quota", subjects, scores=scores, vetoes=[veto("V", "other_violation", "2025-04-01")])
    assert result(out, "P")["stars"] == 4 and result(out, "Q")["stars"] == 4


def test_quota_vetoed_member_takes_no_place_and_share_warning_edge():
    # 5 members: V (vetoed, no_rating) 10×5, A 9×5, B and C 8,8,8,0,0 (3★), D no scores
    # 5★ places max(1, floor(0.5)) = 1 → A keeps 5 (V has no stars at all)
    # ≥3★: A, B, C = 3 of 5 = 60% → not below 60% → no three_star_share
    subjects = [member(s) for s in "VABCD"]
    scores = quota_scores("V", (10,) * 5) + quota_scores("A", (9,) * 5)
    scores += quota_scores("B", (8, 8, 8, 0, 0)) + quota_scores("C", (8, 8, 8, 0, 0))
    out = run("party-stars-quota", subjects, scores=scores, vetoes=[veto("V", "party_warning_or_worse", "2025-04-01")])
    assert result(out, "V")["stars"] is None and result(out, "V")["rank"] == 5
    assert result(out, "A")["stars"] == 5 and "quota_capped" not in result(out, "A")["flags"]
    assert "three_star_share" not in codes(out)
    # drop C to 2★ (8,8,0,0,0): 2 of 5 = 40% → warning
    scores = scores[:-5] + quota_scores("C", (8, 8, 0, 0, 0))
    out = run("party-stars-quota", subjects, scores=scores, vetoes=[veto("V", "party_warning_or_worse", "2025-04-01")])
    assert "three_star_share" in codes(out)


# ---------------------------------------------------------------- party-stars-10

GOV = ["理论学习", "执行政策", "服务群众", "爱岗敬业", "遵纪守法", "文明形象", "业务能力", "求实创新", "承诺守信", "清正廉洁"]
INST = ["理论学习", "执行政策", "服务群众", "爱岗敬业", "遵纪守法", "职业道德", "求实创新", "文明形象", "业务技能", "清正廉洁"]


def ten(sid, dims, earned):
    return [sc(sid, d, value=1 if i < earned else 0) for i, d in enumerate(dims)]


def test_stars10_institution_set_counts_its_own_dimensions():
    # 事业单位: all ten (incl. 职业道德, 业务技能) earned → 10 stars → 优秀, report_up; no total
    r = result(run("party-stars-10", [member("A", category="事业单位")], scores=ten("A", INST, 10)))
    assert r["stars"] == 10 and r["grade"] == "优秀" and "report_up" in r["flags"] and r["total"] is None
    # only 职业道德 and 业务技能 earned → 2 stars → 不合格, report_up (≤4)
    scores = [sc("A", "职业道德", value=1), sc("A", "业务技能", value=1)]
    r = result(run("party-stars-10", [member("A", category="事业单位")], scores=scores))
    assert r["stars"] == 2 and r["grade"] == "不合格" and "report_up" in r["flags"]


def test_stars10_grade_band_edges_and_report_up():
    # 8 → 合格; 7 → 合格; 5 → 基本合格; 4 → 不合格 + report_up; 9 → 优秀 + report_up
    for earned, grade, report in ((8, "合格", False), (7, "合格", False), (5, "基本合格", False),
                                  (4, "不合格", True), (9, "优秀", True)):
        r = result(run("party-stars-10", [member("A", category="机关")], scores=ten("A", GOV, earned)))
        assert (r["stars"], r["grade"], "report_up" in r["flags"]) == (earned, grade, report)


def test_stars10_competition_rank_by_stars():
    # stars 9, 7, 7, 5 → ranks 1, 2, 2, 4
    subjects = [member(s, category="机关") for s in "ABCD"]
    scores = ten("A", GOV, 9) + ten("B", GOV, 7) + ten("C", GOV, 7) + ten("D", GOV, 5)
    out = run("party-stars-10", subjects, scores=scores)
    assert [result(out, s)["rank"] for s in "ABCD"] == [1, 2, 2, 4]


# ---------------------------------------------------------------- party-village-3type


def test_village3_no_ceiling_and_floor_0():
    # 无职 base 20 + 40 + 15 + 25 + 10 + 10 = 120, + flood_relief 5 = 125: no ceiling → 5 stars, township_recheck
    dims = {"学习": 40, "党日活动": 15, "作用发挥": 25, "承诺": 10, "设岗定责": 10}
    r = result(run("party-village-3type", [member("A", category="无职")], [ev("A", "flood_relief", "2025-07-01")],
                   [sc("A", d, value=v) for d, v in dims.items()]))
    assert r["total"] == 125 and r["stars"] == 5 and "township_recheck" in r["flags"] and r["grade"] is None
    # 流动, no dimensions: base 40 −5 −3 −3 −2 −10 −10 −10 = −3 → floor 0 → 1 star → 不合格
    # (not probationary: no probation flag)
    events = [ev("A", "relative_violation", "2025-02-01"), ev("A", "vice", "2025-03-01"),
              ev("A", "family_feud", "2025-04-01"), ev("A", "skip_public_labour", "2025-05-01"),
              ev("A", "deduction_other", "2025-06-01", points=-10), ev("A", "deduction_other", "2025-07-01", points=-10),
              ev("A", "deduction_other", "2025-08-01", points=-10)]
    r = result(run("party-village-3type", [member("A", category="流动", joined_branch="2020-01-01")], events))
    assert r["total"] == 0 and r["stars"] == 1 and r["grade"] == "不合格"
    assert "probation_extend_or_cancel" not in r["flags"] and "not_award_eligible" not in r["flags"]


def test_village3_bonus_cap_only_for_cadres():
    # 流动: base 40 + 党员管理 30 + 学习 10 + 作用发挥 10 + 承诺 5 = 95; bonus 5 + 10 + 8 = 23 uncapped → 118 → 5 stars
    dims = {"党员管理": 30, "学习": 10, "作用发挥": 10, "承诺": 5}
    events = [ev("A", "commend_provincial", "2025-03-01"), ev("A", "investment", "2025-04-01", points=10),
              ev("A", "bonus_other", "2025-05-01", points=8)]
    r = result(run("party-village-3type", [member("A", category="流动")], events,
                   [sc("A", d, value=v) for d, v in dims.items()]))
    assert r["total"] == 118 and r["stars"] == 5
    # 村干部: base 0 + 25 + 25 + 15 + 15 = 80; bonus 10 + 3 = 13 → cap 10; deduction vice −3 is not capped → 87 → 4 stars
    dims = {"组织生活": 25, "履行职责": 25, "廉洁自律": 15, "遵纪守法": 15}
    events = [ev("A", "investment", "2025-04-01", points=10), ev("A", "commend_city", "2025-05-01"),
              ev("A", "vice", "2025-06-01")]
    r = result(run("party-village-3type", [member("A", category="村干部")], events,
                   [sc("A", d, value=v) for d, v in dims.items()]))
    assert r["total"] == 87 and r["stars"] == 4


def test_village3_joined_branch_six_month_edge():
    # cycle 2025 ends 2025-12-31; six months before the end is 2025-07-01
    # joined 2025-07-01 → exactly 6 months → eligible; joined 2025-07-02 → less than 6 months → not_award_eligible
    out = run("party-village-3type", [member("A", category="无职", joined_branch="2025-07-01"),
                                      member("B", category="无职", joined_branch="2025-07-02")])
    assert "not_award_eligible" not in result(out, "A")["flags"]
    assert "not_award_eligible" in result(out, "B")["flags"]


def test_village3_streak_needs_three_cycles_and_probation_only_at_one_star():
    # 无职 base 20 + 学习 25 + 党日活动 10 + 作用发挥 10 = 65 → 2 stars → grade null
    dims = {"学习": 25, "党日活动": 10, "作用发挥": 10}
    scores = [sc("A", d, value=v) for d, v in dims.items()]
    subject = member("A", category="无职", probationary=True, joined_branch="2020-01-01")
    r = result(run("party-village-3type", [subject], scores=scores, history=[hist("A", 2024, stars=2)]))
    assert r["total"] == 65 and r["stars"] == 2 and r["grade"] is None
    # only one earlier cycle → no streak; 2 stars → no probation flag
    assert "streak:不提名" not in r["flags"] and "probation_extend_or_cancel" not in r["flags"]
    # 2★ in 2023 and 2024 and now → streak:不提名
    r = result(run("party-village-3type", [subject], scores=scores,
                   history=[hist("A", 2024, stars=2), hist("A", 2023, stars=1)]))
    assert "streak:不提名" in r["flags"]
    # 2023 had 3 stars → broken streak
    r = result(run("party-village-3type", [subject], scores=scores,
                   history=[hist("A", 2024, stars=2), hist("A", 2023, stars=3)]))
    assert "streak:不提名" not in r["flags"]
