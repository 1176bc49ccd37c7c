"""Hand-computed rule tests for the village and volunteer templates of SCHEMES.md:
village-zhangji, village-4class and volunteer-stars.

Every expected value below is derived from the text of SCHEMES.md (the arithmetic is in
the comment above each assertion), never copied from the engine's output.
"""

from __future__ import annotations

from collections import Counter

from core.scheme import load_scheme
from tests.engine_cases import codes, ev, hist, member, result, run, veto


def resident(sid="R", branch="V1", **extra):
    return member(sid, branch, kind="resident", **extra)


def family(sid="H", branch="V1", **extra):
    return member(sid, branch, kind="family", **extra)


def unit(sid="U", branch="V1", **extra):
    return member(sid, branch, kind="unit", **extra)


# ---------------------------------------------------------------- village-zhangji


def test_zhangji_unit_items_monthly_and_per_event_no_base():
    # clean_premises twice in March → once per month → 10; no_road_trading in Mar, Apr, May → 3 × 5 = 15
    # sponsor_activity twice (per event) → 2 × 20 = 40; units get no 100 base (residents only) → 65
    events = [ev("U", "clean_premises", "2025-03-02"), ev("U", "clean_premises", "2025-03-28"),
              ev("U", "no_road_trading", "2025-03-05"), ev("U", "no_road_trading", "2025-04-05"),
              ev("U", "no_road_trading", "2025-05-05"),
              ev("U", "sponsor_activity", "2025-06-01"), ev("U", "sponsor_activity", "2025-09-01")]
    assert result(run("village-zhangji", [unit()], events), "U")["total"] == 65


def test_zhangji_per_unit_workers_and_once_per_cycle_family_item():
    # employ_worker: 5 per worker × 4 = 20; base 100 → 120
    r = result(run("village-zhangji", [resident()], [ev("R", "employ_worker", "2025-04-01", count=4)]), "R")
    assert r["total"] == 120
    # family: waste_sorting 15 recorded in March and November → once per cycle → 15;
    # education_upgrade 5 per event × 2 = 10 → 25
    events = [ev("H", "waste_sorting", "2025-03-01"), ev("H", "waste_sorting", "2025-11-01"),
              ev("H", "education_upgrade", "2025-05-01"), ev("H", "education_upgrade", "2025-08-01")]
    assert result(run("village-zhangji", [family()], events), "H")["total"] == 25


def test_zhangji_points_reset_each_cycle():
    # 2024-12-31 belongs to cycle 2024 → ignored (年底清零) with event_outside_cycle; 2025-12-31 counts
    # 100 base + volunteer 5 = 105
    events = [ev("R", "volunteer", "2024-12-31"), ev("R", "volunteer", "2025-12-31")]
    out = run("village-zhangji", [resident()], events)
    assert result(out, "R")["total"] == 105
    assert "event_outside_cycle" in codes(out)


def test_zhangji_fraud_on_once_per_cycle_item_deducts_double():
    # family: greening 10 declared falsely → −2 × 10 = −20, nothing credited → total −20
    out = run("village-zhangji", [family()], [ev("H", "greening", "2025-04-01", fraud=True)])
    assert result(out, "H")["total"] == -20
    # resident: base 100 + honour_village 10 − 2 × 20 (false honour_township) = 70
    events = [ev("R", "honour_village", "2025-04-01"), ev("R", "honour_township", "2025-05-01", fraud=True)]
    assert result(run("village-zhangji", [resident()], events), "R")["total"] == 70


def test_zhangji_veto_ignored_outside_cycle_or_before_approval():
    # a law_violation dated 2024-12-20 is outside cycle 2025 → base kept, still redeemable
    out = run("village-zhangji", [resident()], vetoes=[veto("R", "law_violation", "2024-12-20")])
    r = result(out, "R")
    assert r["total"] == 100 and r["redeemable"] is True and "veto" not in r["flags"]
    assert "event_outside_cycle" in codes(out)
    # approved 2025-06-01: a veto of 2025-05-01 and a volunteer event of 2025-05-31 are ignored;
    # the volunteer event of 2025-06-01 counts → 100 + 5 = 105
    subject = resident(approved_on="2025-06-01")
    events = [ev("R", "volunteer", "2025-05-31"), ev("R", "volunteer", "2025-06-01")]
    out = run("village-zhangji", [subject], events, vetoes=[veto("R", "law_violation", "2025-05-01")])
    r = result(out, "R")
    assert r["total"] == 105 and r["redeemable"] is True
    assert "event_before_approval" in codes(out)


def test_zhangji_no_redeem_keeps_accruing_without_base():
    # veto inside the cycle: base withheld; mediate_dispute 15 + help_arrest 30 = 45 still accrue
    events = [ev("R", "mediate_dispute", "2025-08-01"), ev("R", "help_arrest", "2025-10-01")]
    r = result(run("village-zhangji", [resident()], events, vetoes=[veto("R", "law_violation", "2025-02-01")]), "R")
    assert r["total"] == 45 and r["redeemable"] is False and "veto" in r["flags"]
    assert "handle" not in r["flags"]


def test_zhangji_vetoed_resident_ranks_after_the_others():
    # R1 vetoed: base withheld, honour_provincial 300 → 300; R2 base 100 → R2 rank 1, R1 rank 2 (vetoed last)
    subjects = [resident("R1"), resident("R2")]
    out = run("village-zhangji", subjects, [ev("R1", "honour_provincial", "2025-03-01")],
              vetoes=[veto("R1", "law_violation", "2025-04-01")])
    assert result(out, "R1")["total"] == 300 and result(out, "R1")["rank"] == 2
    assert result(out, "R2")["rank"] == 1


def test_zhangji_above_average_within_branch_and_kind_only():
    # V1 residents 100 and 100 + 20 = 120 → mean 110 → only R1; V2 residents 100 + 300 and 100 → mean 250 → only R3
    # (V2's high totals do not move V1's mean); a V1 unit with 5 is alone in its kind → not above
    subjects = [resident("R1"), resident("R2"), resident("R3", "V2"), resident("R4", "V2"), unit("U1")]
    events = [ev("R1", "honour_township", "2025-03-01"), ev("R3", "honour_provincial", "2025-03-01"),
              ev("U1", "remove_ads", "2025-03-01")]
    out = run("village-zhangji", subjects, events)
    flagged = {s for s in ("R1", "R2", "R3", "R4", "U1") if "above_average" in result(out, s)["flags"]}
    assert flagged == {"R1", "R3"}


# ---------------------------------------------------------------- village-4class


def households(n, branch="V1"):
    return [member(f"H{i:02d}", branch, kind="household") for i in range(n)]


def test_4class_earlier_cycles_count_in_cumulative_not_in_total():
    # total is this cycle's points: 2025 brave_deed 5; cumulative is never cleared:
    # 2023 civility 5 + 2024 media_report 10 + 5 = 20; earlier cycles raise no event_outside_cycle
    events = [ev("H00", "civility", "2023-05-01"), ev("H00", "media_report", "2024-03-01"),
              ev("H00", "brave_deed", "2025-02-01")]
    out = run("village-4class", households(1), events)
    r = result(out, "H00")
    assert r["total"] == 5 and r["cumulative"] == 20 and r["balance"] == 20
    assert "event_outside_cycle" not in codes(out)
    assert "累计积分 = 本周期 5 + 往年 15 = 20（累计积分不清零）" in r["explain"]


def test_4class_exchanges_lower_balance_across_cycles():
    # cumulative 20 as above; exchanges 8 (2024) + 4 (2025) = 12 → balance 20 − 12 = 8;
    # total (5) and cumulative (20) are not lowered by an exchange
    events = [ev("H00", "civility", "2023-05-01"), ev("H00", "media_report", "2024-03-01"),
              ev("H00", "brave_deed", "2025-02-01")]
    exchanges = [{"subject": "H00", "date": "2024-06-01", "points": 8}, {"subject": "H00", "date": "2025-03-01", "points": 4}]
    r = result(run("village-4class", households(1), events, exchanges=exchanges), "H00")
    assert r["total"] == 5 and r["cumulative"] == 20 and r["balance"] == 8


def test_4class_penalty_can_make_the_balance_negative():
    # 2024 civility 5, exchanged 5 in 2024; 2025 rule_violation −8 (range −1..−10):
    # total −8; cumulative 5 − 8 = −3; balance −3 − 5 = −8
    events = [ev("H00", "civility", "2024-05-01"), ev("H00", "rule_violation", "2025-02-01", points=-8)]
    exchanges = [{"subject": "H00", "date": "2024-06-01", "points": 5}]
    r = result(run("village-4class", households(1), events, exchanges=exchanges), "H00")
    assert r["total"] == -8 and r["cumulative"] == -3 and r["balance"] == -8


def test_4class_penalties_are_ranges_of_minus_1_to_minus_10():
    from core.engine.case import CaseError

    scheme = load_scheme("village-4class")
    for code in ("rule_violation", "spot_check_problem"):
        item = scheme.items[code]
        assert item.is_range and (item.min, item.max) == (-10, -1)
    try:
        run("village-4class", households(1), [ev("H00", "spot_check_problem", "2025-02-01", points=-11)])
    except CaseError as exc:
        assert "events[0].points" in str(exc)
    else:
        raise AssertionError("−11 is outside −10..−1")


def test_4class_award_and_education_never_overlap_in_a_small_village():
    # 4 households with 5, 10, 15, 20: all four are above 0 and within the top 10 → all awarded;
    # the education list may not take an awarded household → empty
    events = [ev(f"H{i:02d}", "civility", "2025-05-01", count=i + 1) for i in range(4)]
    out = run("village-4class", households(4), events)
    assert all("award" in r["flags"] and "education" not in r["flags"] for r in out["results"])
    # 8 households: H00..H03 with 5..20 awarded (above 0), H04..H07 at 0 → not awarded, tied on the
    # last place → all four on the education list (5 places: the tie is not split)
    out = run("village-4class", households(8), events)
    education = {r["subject"] for r in out["results"] if "education" in r["flags"]}
    award = {r["subject"] for r in out["results"] if "award" in r["flags"]}
    assert award == {"H00", "H01", "H02", "H03"} and education == {"H04", "H05", "H06", "H07"}


def test_4class_tie_on_the_last_award_place_includes_everyone_tied():
    # 13 households: H00..H08 with (10 − i) × civility → 50, 45, …, 10 (ranks 1..9); H09, H10, H11
    # with 5 each tie at rank 10, the last of the 10 places → all three awarded (11 households);
    # H12 with 0 is the only one not awarded → the education list is {H12}
    events = [ev(f"H{i:02d}", "civility", "2025-05-01", count=10 - i) for i in range(9)]
    events += [ev(f"H{i:02d}", "civility", "2025-05-01") for i in (9, 10, 11)]
    out = run("village-4class", households(13), events)
    award = {r["subject"] for r in out["results"] if "award" in r["flags"]}
    education = {r["subject"] for r in out["results"] if "education" in r["flags"]}
    assert award == {f"H{i:02d}" for i in range(12)} and education == {"H12"}


def test_4class_award_top_10_and_education_bottom_5():
    # 15 households, H_i has i × civility (5 each) → totals 0, 5, …, 70, all distinct
    # ranks: H14 1st … H00 15th → award = ranks 1..10 = H05..H14; education = bottom 5 = H00..H04
    events = [ev(f"H{i:02d}", "civility", "2025-05-01", count=i) for i in range(1, 15)]
    out = run("village-4class", households(15), events)
    award = {r["subject"] for r in out["results"] if "award" in r["flags"]}
    education = {r["subject"] for r in out["results"] if "education" in r["flags"]}
    assert award == {f"H{i:02d}" for i in range(5, 15)}
    assert education == {f"H{i:02d}" for i in range(0, 5)}


def test_4class_award_needs_points_when_many_households_tie_at_zero():
    # 12 households; H01..H03 have 1, 2, 3 × civility (5 each) → totals 5, 10, 15; the other 9 have 0.
    # Ranks: H03 1st, H02 2nd, H01 3rd, the nine zeros tie at 4th — all "within the top 10",
    # but a household with no points earns no 年终表彰: award = {H01, H02, H03} only.
    events = [ev(f"H{i:02d}", "civility", "2025-05-01", count=i) for i in range(1, 4)]
    out = run("village-4class", households(12), events)
    award = {r["subject"] for r in out["results"] if "award" in r["flags"]}
    assert award == {"H01", "H02", "H03"}


def test_4class_item_list_and_default_values():
    # ≥ 5 items in each of 法治, 德治, 自治, 示范带动; 5 points by default, 10 for the three titles and media reports
    scheme = load_scheme("village-4class")
    per_cat = Counter(item.category for item in scheme.items.values())
    assert all(per_cat[c] >= 5 for c in ("法治", "德治", "自治", "示范带动"))
    tens = {code for code, item in scheme.items.items() if item.points == 10}
    assert tens == {"title_star_household", "title_beautiful_yard", "title_civilised_family", "media_report"}
    penalties = {code for code, item in scheme.items.items() if item.category == "处罚"}
    assert penalties == {"rule_violation", "spot_check_problem"}
    assert all(item.points == 5 for code, item in scheme.items.items() if code not in tens | penalties)


# ---------------------------------------------------------------- volunteer-stars


def volunteer(sid="V", **extra):
    return member(sid, kind="volunteer", **extra)


def test_volunteer_only_satisfied_hours_earn():
    # 10 h 满意 → 50; 4 h 基本满意 → 0; 3 h without rating → 0; both raise unrated_service
    events = [ev("V", "service", "2025-02-01", count=10, rating="满意"),
              ev("V", "service", "2025-03-01", count=4, rating="基本满意"),
              ev("V", "service", "2025-04-01", count=3)]
    out = run("volunteer-stars", [volunteer()], events)
    r = result(out, "V")
    assert r["total"] == 50 and r["stars"] == 0 and "priority_service" not in r["flags"]
    assert codes(out).count("unrated_service") >= 1


def test_volunteer_star_band_edges():
    # hours × 5: 59 → 295 → 0★; 60 → 300 → 1★; 119 → 595 → 1★; 120 → 600 → 2★; 179 → 895 → 2★; 180 → 900 → 3★
    for hours, stars in ((59, 0), (60, 1), (119, 1), (120, 2), (179, 2), (180, 3)):
        r = result(run("volunteer-stars", [volunteer()], [ev("V", "service", "2025-06-01", count=hours, rating="满意")]), "V")
        assert (r["total"], r["stars"], "priority_service" in r["flags"]) == (hours * 5, stars, stars > 0)


def test_volunteer_no_carry_over():
    # 100 h on 2024-12-31 belong to cycle 2024 → ignored; 70 h in 2025 → 350 → 1★
    events = [ev("V", "service", "2024-12-31", count=100, rating="满意"),
              ev("V", "service", "2025-01-01", count=70, rating="满意")]
    out = run("volunteer-stars", [volunteer()], events)
    assert result(out, "V")["total"] == 350 and result(out, "V")["stars"] == 1
    assert "event_outside_cycle" in codes(out)


def test_volunteer_home_service_needs_three_consecutive_three_star_cycles():
    events = [ev("V", "service", "2025-06-01", count=200, rating="满意")]  # 1000 → 3★
    # 2024 3★ but 2023 2★ → no
    r = result(run("volunteer-stars", [volunteer()], events, history=[hist("V", 2024, stars=3), hist("V", 2023, stars=2)]), "V")
    assert r["stars"] == 3 and "monthly_home_service" not in r["flags"]
    # 2023 missing → no
    r = result(run("volunteer-stars", [volunteer()], events, history=[hist("V", 2024, stars=3)]), "V")
    assert "monthly_home_service" not in r["flags"]
    # 2024 and 2023 3★ → yes
    r = result(run("volunteer-stars", [volunteer()], events, history=[hist("V", 2024, stars=3), hist("V", 2023, stars=3)]), "V")
    assert "monthly_home_service" in r["flags"]


def test_4class_exchange_that_overdraws_the_balance_is_refused():
    from core.engine.case import CaseError

    events = [ev("H00", "civility", "2025-06-01"), ev("H00", "brave_deed", "2025-08-01")]
    # on 2025-06-01 the household holds 5 (the civility of that day counts): exchanging 5 leaves 0;
    # at the end cumulative 10, balance 10 − 5 = 5
    r = result(run("village-4class", households(1), events,
                   exchanges=[{"subject": "H00", "date": "2025-06-01", "points": 5}]), "H00")
    assert r["cumulative"] == 10 and r["balance"] == 5
    # on 2025-05-31 it holds 10 − 5 − 5 = 0 (both events come later): exchanging 5 is refused, naming the row
    for exchanges, row in (([{"subject": "H00", "date": "2025-05-31", "points": 5}], 0),
                           ([{"subject": "H00", "date": "2025-06-01", "points": 5},
                             {"subject": "H00", "date": "2025-07-01", "points": 1}], 1)):
        try:
            run("village-4class", households(1), events, exchanges=exchanges)
        except CaseError as exc:
            assert f"exchanges[{row}].points" in str(exc) and "不予兑换" in str(exc)
        else:
            raise AssertionError("an exchange may not make the balance negative")
