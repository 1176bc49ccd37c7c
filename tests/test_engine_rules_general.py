"""Hand-computed tests for the general semantics of SCHEMES.md that every template shares:
ranking, vetoes and rank order, exempt subjects, cycle and approval filters, quotas
(floor rounding, ties, vetoes first) and half-up rounding.

Every expected value below is derived from the text of SCHEMES.md (the arithmetic is in
the comment above each assertion), never copied from the engine's output.
"""

from __future__ import annotations

from tests.engine_cases import codes, ev, filler, member, result, run, sc, veto

DIMS_STREET = ["组织生活", "创先争优", "服务群众", "遵纪守法", "群众反映"]


def street(sid, each):
    return [sc(sid, d, value=each) for d in DIMS_STREET]


def excellent(sid, extra_reward=0, second=None):
    """q100 member with appraisal 优秀 (and an optional second appraisal) and a reward_other bonus:
    daily 75 + appraisal + reward."""
    scores = [sc(sid, "appraisal", "H1", grade="优秀")]
    if second:
        scores.append(sc(sid, "appraisal", "H2", grade=second))
    events = [ev(sid, "reward_other", "2025-09-01", points=extra_reward)] if extra_reward else []
    return events, scores


def q100(subjects, parts, vetoes=()):
    events = [e for es, _ in parts for e in es]
    scores = [s for _, ss in parts for s in ss]
    return run("party-q100-3to1", subjects, events, scores, vetoes=vetoes)


# ---------------------------------------------------------------- ranking


def test_competition_ranking_1_2_2_4():
    # street totals 18×5 = 90, 16×5 = 80, 80, 14×5 = 70 → ranks 1, 2, 2, 4
    subjects = [member(s, category="普通类") for s in "ABCD"]
    scores = street("A", 18) + street("B", 16) + street("C", 16) + street("D", 14)
    out = run("party-street-3class", subjects, scores=scores)
    assert [result(out, s)["rank"] for s in "ABCD"] == [1, 2, 2, 4]


def test_ranks_are_per_branch():
    # B1: A 90, B 80 → 1, 2; B2: C 70 alone → 1
    subjects = [member("A", category="普通类"), member("B", category="普通类"), member("C", "B2", category="普通类")]
    out = run("party-street-3class", subjects, scores=street("A", 18) + street("B", 16) + street("C", 14))
    assert [result(out, s)["rank"] for s in "ABC"] == [1, 2, 1]


def test_vetoed_subjects_rank_last_ordered_by_their_key():
    # q100: N1 75 + 25 = 100, N2 75 + 0 = 75; V1 vetoed 75 + 25 + 5 = 105, V2 vetoed 75 + 25 = 100
    # non-vetoed first: N1 1, N2 2; then vetoed by total: V1 3, V2 4 (V1's 105 does not outrank N1)
    subjects = [member(s) for s in ("N1", "N2", "V1", "V2")]
    parts = [excellent("N1"), ([], []), excellent("V1", 5), excellent("V2")]
    out = q100(subjects, parts, vetoes=[veto("V1", "embezzle", "2025-08-01"), veto("V2", "cult", "2025-08-01")])
    assert [result(out, s)["rank"] for s in ("N1", "N2", "V1", "V2")] == [1, 2, 3, 4]
    assert result(out, "V1")["total"] == 105 and result(out, "V1")["grade"] == "不合格"
    # two vetoed subjects with equal keys share their rank: both 100 → 3, 3
    parts = [excellent("N1"), ([], []), excellent("V1"), excellent("V2")]
    out = q100(subjects, parts, vetoes=[veto("V1", "embezzle", "2025-08-01"), veto("V2", "cult", "2025-08-01")])
    assert [result(out, s)["rank"] for s in ("V1", "V2")] == [3, 3]


# ---------------------------------------------------------------- exempt subjects


def test_exempt_subject_gets_nothing_and_leaves_the_quota_base():
    # 5 non-exempt (A 110, B 100, 3 at 75) + 5 exempt → base 5 → floor(5 × 20%) = 1 place
    # (were the exempt counted, base 10 → 2 places and B would keep 优秀)
    subjects = [member("A"), member("B")] + filler(3) + [member(f"X{i}", exempt=True) for i in range(5)]
    parts = [excellent("A", 10), excellent("B")]
    exempt_events = [ev("X0", "award_national", "2025-08-01")]
    out = run("party-q100-3to1", subjects, [e for es, _ in parts for e in es] + exempt_events,
              [s for _, ss in parts for s in ss] + [sc("X0", "appraisal", "H1", grade="优秀")])
    assert result(out, "A")["grade"] == "优秀"
    assert result(out, "B")["grade"] == "合格" and "quota_capped" in result(out, "B")["flags"]
    x = result(out, "X0")
    assert (x["total"], x["grade"], x["stars"], x["rank"], x["flags"]) == (None, None, None, None, [])
    # the exempt subject's missing appraisal raises no warning either
    assert not [w for w in out["warnings"] if w.get("subject", "").startswith("X")]


def test_exempt_subject_left_out_of_averages_and_star_results():
    # zhangji residents: R1 100 + 20 = 120, R2 100 → mean 110 → R1 above average;
    # X (exempt) with honour_national 500 would lift the mean to (120 + 100 + 600)/3 if counted
    subjects = [member("R1", "V1", kind="resident"), member("R2", "V1", kind="resident"),
                member("X", "V1", kind="resident", exempt=True)]
    events = [ev("R1", "honour_township", "2025-03-01"), ev("X", "honour_national", "2025-03-01")]
    out = run("village-zhangji", subjects, events)
    assert "above_average" in result(out, "R1")["flags"]
    assert result(out, "X")["total"] is None
    assert out["branches"][0]["mean_total"] == 110
    # star template: an exempt member gets no stars
    out = run("party-stars-5x20", [member("A", exempt=True)], scores=[sc("A", "服务群众", value=20)])
    assert result(out)["stars"] is None and result(out)["rank"] is None


# ---------------------------------------------------------------- cycle and approval filters


def test_event_outside_01_01_cycle():
    # index-60, cycle 2025 = 2025-01-01..2025-12-31: 2025-01-01 and 2025-12-31 count, 2024-12-31 and 2026-01-01 do not
    # 60 + 5 + 5 = 70
    events = [ev("A", "lead_study", d, points=5) for d in ("2024-12-31", "2025-01-01", "2025-12-31", "2026-01-01")]
    out = run("party-index-60", [member("A")], events)
    assert result(out)["total"] == 70
    assert [w["code"] for w in out["warnings"]].count("event_outside_cycle") == 1  # one warning naming 2 events
    assert "2" in next(w["message"] for w in out["warnings"] if w["code"] == "event_outside_cycle")


def test_event_before_approval():
    # approved 2025-05-10: the 05-09 event is ignored, the 05-10 event counts → 60 + 8 = 68
    events = [ev("A", "lead_law", "2025-05-09", points=9), ev("A", "lead_law", "2025-05-10", points=8)]
    out = run("party-index-60", [member("A", approved_on="2025-05-10")], events)
    assert result(out)["total"] == 68
    assert "event_before_approval" in codes(out) and "event_outside_cycle" not in codes(out)


# ---------------------------------------------------------------- quotas


def test_quota_allowed_is_floor_of_base_times_percent():
    # q100 优秀 ≤ 20%: members M0..M(n−1) all 优秀 with distinct totals 100 + k (reward_other k, k ≤ 10)
    # n = 4 → floor(0.8) = 0; n = 5 → 1; n = 7 → floor(1.4) = 1; n = 9 → floor(1.8) = 1; n = 10 → 2
    for n, allowed in ((4, 0), (5, 1), (7, 1), (9, 1), (10, 2)):
        subjects = [member(f"M{k}") for k in range(n)]
        parts = [excellent(f"M{k}", k) for k in range(n)]
        out = q100(subjects, parts)
        kept = sorted(r["subject"] for r in out["results"] if r["grade"] == "优秀")
        # the best totals keep the places: M(n−1), M(n−2), …
        assert kept == sorted(f"M{k}" for k in range(n - allowed, n)), n
        assert sum("quota_capped" in r["flags"] for r in out["results"]) == n - allowed
        assert "quota_tie" not in codes(out)


def test_quota_tie_on_the_line_drops_every_tied_subject():
    # 10 members → 2 places; A, B, C all 100 with the same appraisal (tie-break) → a tie across the line:
    # all three drop to 合格 with quota_capped, and the branch gets quota_tie
    subjects = [member(s) for s in "ABC"] + filler(7)
    out = q100(subjects, [excellent(s) for s in "ABC"])
    for s in "ABC":
        r = result(out, s)
        assert r["grade"] == "合格" and "quota_capped" in r["flags"] and r["rank"] == 1
    warning = next(w for w in out["warnings"] if w["code"] == "quota_tie")
    assert warning["branch"] == "B1"


def test_quota_tie_broken_by_tie_break_component_or_below_the_line():
    # 10 members → 2 places. A 75 + 25 + 10 = 110.
    # B: 75 + 25 = 100 (appraisal 25); C: 75 + (25 + 15)/2 + 5 = 100 (appraisal 20) → tie on total,
    # broken by appraisal: B keeps the second place, C drops; no quota_tie
    subjects = [member(s) for s in "ABC"] + filler(7)
    out = q100(subjects, [excellent("A", 10), excellent("B"), excellent("C", 5, second="合格")])
    assert [result(out, s)["grade"] for s in "ABC"] == ["优秀", "优秀", "合格"]
    assert [result(out, s)["rank"] for s in "ABC"] == [1, 2, 3]
    assert "quota_tie" not in codes(out)
    # 9 members → floor(1.8) = 1 place: A keeps it; B and C tie at 100 with equal appraisal *below* the line
    # → both drop as beyond the quota; the tie is not on the line, so no quota_tie
    subjects = [member(s) for s in "ABC"] + filler(6)
    out = q100(subjects, [excellent("A", 10), excellent("B"), excellent("C")])
    assert [result(out, s)["grade"] for s in "ABC"] == ["优秀", "合格", "合格"]
    assert "quota_tie" not in codes(out)


def test_vetoes_applied_before_quotas_and_base_includes_vetoed():
    # 5 members: V vetoed (force_grade 不合格) at 75 + 25 + 10 = 110; B 100; 3 at 75
    # base 5 (includes V) → 1 place; V never takes it → B keeps 优秀
    # (excluding V from the base: floor(0.8) = 0 → B would drop; quota before veto: V would take the place)
    subjects = [member("V"), member("B")] + filler(3)
    out = q100(subjects, [excellent("V", 10), excellent("B")], vetoes=[veto("V", "serious_warning", "2025-12-01")])
    assert result(out, "V")["grade"] == "不合格" and result(out, "V")["total"] == 110
    assert result(out, "B")["grade"] == "优秀" and "quota_capped" not in result(out, "B")["flags"]


# ---------------------------------------------------------------- rounding


def test_half_up_rounding_71_25():
    # formula: base 10×4 = 40, bonus 10 + 9 = 19, review 61.25 → 0.2 × 61.25 = 12.25
    # total 40 + 19 + 12.25 = 71.25 → 71.3 (half-up; banker's rounding would give 71.2)
    scores = [sc("A", "base", q, value=10) for q in ("Q1", "Q2", "Q3", "Q4")]
    scores += [sc("A", "bonus", "Q1", value=10), sc("A", "bonus", "Q2", value=9), sc("A", "review", value=61.25)]
    r = result(run("party-formula-quarterly-caps", [member("A")], scores=scores))
    assert r["total"] == 71.3 and r["grade"] == "合格"


def test_half_up_graded_on_rounded_total():
    # vanguard: daily 100 − 3×4 = 88 → 70.4; appraisal 87.75 → 17.55; commendation 2 → 89.95 → 90.0 → 优秀
    events = [ev("A", "study_absent", "2025-03-01", count=4), ev("A", "commendation", "2025-04-01", points=2)]
    out = run("party-vanguard-8to2", [member("A")] + filler(9), events, [sc("A", "appraisal", value=87.75)])
    r = result(out)
    assert r["total"] == 90.0 and r["grade"] == "优秀"
    # appraisal 87.7 → 17.54: 89.94 → 89.9 → 合格
    out = run("party-vanguard-8to2", [member("A")] + filler(9), events, [sc("A", "appraisal", value=87.7)])
    r = result(out)
    assert r["total"] == 89.9 and r["grade"] == "合格"
    # formula: 40 + 20 + 0.2 × 99.75 (19.95) = 79.95 → 80.0 → 优秀 (10 members: 2 places)
    scores = [sc("A", "base", q, value=10) for q in ("Q1", "Q2", "Q3", "Q4")]
    scores += [sc("A", "bonus", "Q1", value=10), sc("A", "bonus", "Q2", value=10), sc("A", "review", value=99.75)]
    r = result(run("party-formula-quarterly-caps", [member("A")] + filler(9), scores=scores))
    assert r["total"] == 80.0 and r["grade"] == "优秀"


# ---------------------------------------------------------------- explain


def test_explain_names_cap_clamp_veto_and_quota():
    # q100, 5 members: A has reward 10 + 6 = 16 → cap 10, and Q1 miss_meeting × 40 = −80 → 75 − 80 = −5
    # → clamp 0; daily (0 + 75 + 75 + 75)/4 = 56.25; V vetoed (embezzle);
    # A 56.25 + 25 + 10 = 91.25 → 91.3 → 优秀 within floor(5 × 20%) = 1 place
    subjects = [member("A"), member("V")] + filler(3)
    events = [ev("A", "award_national", "2025-08-01"), ev("A", "award_provincial", "2025-08-02"),
              ev("A", "miss_meeting", "2025-08-03", count=40)]
    out = run("party-q100-3to1", subjects, events, [sc("A", "appraisal", "H1", grade="优秀")],
              vetoes=[veto("V", "embezzle", "2025-09-01")])
    a, v = result(out, "A"), result(out, "V")
    assert a["total"] == 91.3 and a["grade"] == "优秀"
    text = "\n".join(a["explain"])
    assert "16" in text and "封顶" in text          # the reward cap 16 → 10
    assert "−5 → 0" in text                          # the Q1 clamp −5 → 0
    assert "名额" in text                            # the quota line
    assert any("侵占集体资产" in line for line in v["explain"])  # the veto, by its name
