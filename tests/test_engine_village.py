"""Village and volunteer templates: public examples and hand-computed rules."""

from __future__ import annotations

from tests.engine_cases import codes, ev, member, result, run

ONCE_PER_CYCLE = ["no_domestic_violence", "neighbour_harmony", "no_dropout", "greening", "toilet_upgrade",
                  "waste_sorting", "care_duties", "family_motto", "no_straw_burning"]


def family(sid="H", branch="V1"):
    return member(sid, branch, kind="family")


def resident(sid="R", branch="V1"):
    return member(sid, branch, kind="resident")


def test_zhangji_family_example():
    events = [ev("H", c, "2025-03-01") for c in ONCE_PER_CYCLE]
    events += [ev("H", "clean_home", f"2025-{m:02d}-15") for m in range(1, 13)]
    # 10+15+6+10+10+15+5+6+10 = 87, + 12 months × 5 = 60 → 147
    assert result(run("village-zhangji", [family()], events), "H")["total"] == 147
    # each once-per-cycle item recorded again in November still counts once: 147
    events += [ev("H", c, "2025-11-01") for c in ONCE_PER_CYCLE]
    assert result(run("village-zhangji", [family()], events), "H")["total"] == 147


def test_zhangji_parents_trip_once_per_cycle_other_virtue_per_event():
    # 每年…陪同父母外出观光: three trips count once → 5; parents_checkup twice (per event) → 10;
    # simple_wedding_funeral 每次积10分 twice → 20; base 100 → 135
    events = [ev("R", "parents_trip", d) for d in ("2025-03-01", "2025-06-01", "2025-09-01")]
    events += [ev("R", "parents_checkup", "2025-04-01", count=2), ev("R", "simple_wedding_funeral", "2025-05-01"),
               ev("R", "simple_wedding_funeral", "2025-08-01")]
    r = result(run("village-zhangji", [resident()], events), "R")
    assert r["total"] == 135
    assert any("每周期只计一次" in line for line in r["explain"])


def test_zhangji_frequencies_follow_the_seed_words():
    from core.scheme import load_scheme

    scheme = load_scheme("village-zhangji")
    assert scheme.version == "1.1"
    freq = {code: item.frequency for code, item in scheme.items.items()}
    once_cycle = {c for c, f in freq.items() if f == "once_per_cycle"}
    assert once_cycle == {"base_law_abiding", "parents_trip", *ONCE_PER_CYCLE}
    assert {c for c, f in freq.items() if f == "once_per_month"} == {"clean_home", "clean_premises",
                                                                      "no_road_trading", "screen_publicity"}
    assert {c for c, f in freq.items() if f == "per_unit"} == {"employ_worker"}


def test_zhangji_resident_example():
    events = [ev("R", "stop_crime_person", "2025-02-01"), ev("R", "mediate_dispute", "2025-03-01"),
              ev("R", "volunteer", "2025-04-01", count=3), ev("R", "simple_wedding_funeral", "2025-05-01"),
              ev("R", "suggestion_adopted", "2025-06-01"), ev("R", "suggestion_rejected", "2025-06-02", count=2),
              ev("R", "honour_county", "2025-07-01")]
    # 100 base + 30 + 15 + 15 + 10 + 5 + 2 + 50 = 227
    assert result(run("village-zhangji", [resident()], events), "R")["total"] == 227


def test_zhangji_once_per_month_and_once_per_cycle():
    events = [ev("H", "clean_home", "2025-03-01"), ev("H", "clean_home", "2025-03-20"),
              ev("H", "greening", "2025-04-01"), ev("H", "greening", "2025-09-01")]
    r = result(run("village-zhangji", [family()], events), "H")
    # clean_home once in March = 5; greening once per cycle = 10
    assert r["total"] == 15
    assert any("每月只计一次" in line for line in r["explain"])


def test_zhangji_fraud_deducts_double_and_veto_withholds_base():
    events = [ev("R", "volunteer", "2025-04-01"), ev("R", "blood_donation", "2025-04-02", fraud=True)]
    out = run("village-zhangji", [resident()], events)
    # 100 + 5 − 2×5 = 95
    assert result(out, "R")["total"] == 95 and "fraud" in codes(out)
    out = run("village-zhangji", [resident()], events[:1],
              vetoes=[{"subject": "R", "item": "law_violation", "date": "2025-05-01"}])
    r = result(out, "R")
    # veto withholds the 100 base; points still accrue (5) but cannot be redeemed
    assert r["total"] == 5 and r["redeemable"] is False and "veto" in r["flags"]


def test_zhangji_above_average_per_kind_and_branch():
    subjects = [resident("R1"), resident("R2"), family("H1")]
    events = [ev("R1", "honour_township", "2025-03-01"), ev("H1", "greening", "2025-03-01")]
    out = run("village-zhangji", subjects, events)
    # residents 120 and 100: mean 110 → only R1 strictly above; H1 alone equals its own mean
    assert "above_average" in result(out, "R1")["flags"]
    assert "above_average" not in result(out, "R2")["flags"]
    assert "above_average" not in result(out, "H1")["flags"]


def test_zhangji_exchange_lowers_balance_not_total():
    out = run("village-zhangji", [resident()], exchanges=[{"subject": "R", "date": "2025-05-01", "points": 30}])
    r = result(out, "R")
    assert r["total"] == 100 and r["balance"] == 70


def test_4class_total_cumulative_and_balance():
    subjects = [member(f"H{i}", "V1", kind="household") for i in range(12)]
    events = [ev("H0", "title_star_household", "2024-06-01"), ev("H0", "brave_deed", "2025-06-01"),
              ev("H1", "civility", "2026-01-05")]
    out = run("village-4class", subjects, events, exchanges=[{"subject": "H0", "date": "2025-07-01", "points": 12}])
    h0 = result(out, "H0")
    # total = this cycle: 5 (2025); cumulative = 10 (2024) + 5 = 15; balance = 15 − 12 = 3;
    # the 2026 event is after the cycle → ignored with event_outside_cycle (the 2024 one is not)
    assert h0["total"] == 5 and h0["cumulative"] == 15 and h0["balance"] == 3
    assert codes(out).count("event_outside_cycle") == 1
    # award_count 10: H0 is the only household above 0 → award; the 11 at 0 tie on the last place,
    # so the whole tie is the education list (5 places, ties included)
    assert "award" in h0["flags"] and "education" not in h0["flags"]
    assert all("education" in result(out, f"H{i}")["flags"] for i in range(1, 12))


def test_volunteer_example_and_flags():
    events = [ev("V", "service", "2025-03-01", count=64, rating="满意"),
              ev("V", "service", "2025-04-01", count=6, rating="不满意")]
    history = [{"subject": "V", "cycle": 2024, "stars": 3}, {"subject": "V", "cycle": 2023, "stars": 3}]
    out = run("volunteer-stars", [member("V", kind="volunteer")], events, history=history)
    r = result(out, "V")
    # 64 h × 5 = 320 → 1 star; the 6 unsatisfied hours earn 0
    assert r["total"] == 320 and r["stars"] == 1 and "priority_service" in r["flags"]
    assert "unrated_service" in codes(out)
    assert "monthly_home_service" not in r["flags"]  # needs 3 stars this cycle too


def test_volunteer_three_star_streak_and_approval():
    events = [ev("V", "service", "2025-01-05", count=10, rating="满意"),
              ev("V", "service", "2025-03-01", count=180, rating="满意")]
    history = [{"subject": "V", "cycle": 2024, "stars": 3}, {"subject": "V", "cycle": 2023, "stars": 3}]
    out = run("volunteer-stars", [member("V", kind="volunteer", approved_on="2025-02-01")], events, history=history)
    r = result(out, "V")
    # the January hours predate approval: 180 × 5 = 900 → 3 stars, three cycles in a row
    assert r["total"] == 900 and r["stars"] == 3 and "monthly_home_service" in r["flags"]
