"""A village's household track beside its party branch: entry with a penalty item, results
per track, quarterly 公示 and 归档 of the household track, the honours lists and the
户积分动态管理表, on a small world (tests/village_world.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.io.village import dynamic_pdf, dynamic_xlsx
from core.scheme import load_scheme, scheme_with_overrides
from core.services.entry_rules import EntryError
from core.services.finalise import finalise
from core.services.ledger import enter_event
from core.services.publicity import current_publicity, open_publicity
from core.services.results import branch_results
from core.services.review import approve, review_queue
from core.services.village import branch_tracks, decision_note, dynamic_table, honours
from tests import entry_world
from tests import village_world as vw
from tests.engine_cases import ev, member, result

SECRETARY = vw.SECRETARY
TODAY = vw.TODAY


def _enter(store, who, item, day, points=None, note=""):
    return enter_event(store, SECRETARY, who, item, day, points=points, note=note, today=TODAY)


def _household_year(store) -> list[int]:
    """H01: 03-05 见义勇为 5, 03-20 文明礼貌 5, 05-02 街面巡守 5 → 15; H02: 04-10 违反村规民约 −3
    (a penalty, with its 村集体决定); H03, H04: nothing."""
    scheme = load_scheme("village-4class")
    note = decision_note(scheme, scheme.items["rule_violation"], "2025年4月8日村民代表会议决定", "乱倒垃圾")
    ids = [_enter(store, "H01", "brave_deed", dt.date(2025, 3, 5)), _enter(store, "H01", "civility", dt.date(2025, 3, 20)),
           _enter(store, "H01", "street_patrol", dt.date(2025, 5, 2)),
           _enter(store, "H02", "rule_violation", dt.date(2025, 4, 10), points=-3, note=note)]
    approve(store, SECRETARY, ids)
    return ids


@pytest.fixture
def party_only(store):
    entry_world.build(store)
    approve(store, SECRETARY, [_enter(store, "M01", "award_district", dt.date(2025, 8, 5))])
    return store


def test_household_scheme_beside_the_party_scheme(party_only):
    store = party_only
    before = branch_results(store, vw.BRANCH, 2025, "cycle", TODAY).output
    assert branch_tracks(store, vw.BRANCH, TODAY) == ["party"]
    # add the grids, the households and the village-4class assignment (village_world minus entry_world)
    vw.build_village(store)
    assert branch_tracks(store, vw.BRANCH, TODAY) == ["party", "village"]
    _household_year(store)
    after = branch_results(store, vw.BRANCH, 2025, "cycle", TODAY).output
    assert after == before  # the party results do not change when the household scheme is added
    village = branch_results(store, vw.BRANCH, 2025, "cycle", TODAY, track="village")
    assert village.scheme.id == "village-4class"
    # H01 5 + 5 + 5 = 15 (rank 1); H03, H04 0 (rank 2, tied); H02 −3 (rank 4)
    got = {r["subject"]: (r["total"], r["rank"]) for r in village.output["results"]}
    assert got == {"H01": (15, 1), "H03": (0, 2), "H04": (0, 2), "H02": (-3, 4)}
    assert {r["subject"] for r in after["results"]} == {"M01", "M02", "M03", "M04"}


def test_penalty_needs_its_collective_decision(store):
    vw.build(store)
    scheme = load_scheme("village-4class")
    item = scheme.items["spot_check_problem"]
    with pytest.raises(EntryError, match="村集体决定"):
        decision_note(scheme, item, "  ", "")
    assert decision_note(scheme, item, "村委会第3号决定", "") == "村集体决定：村委会第3号决定"
    assert decision_note(scheme, scheme.items["civility"], "", "好事") == "好事"  # not a penalty
    # −11 is outside −10..−1: refused, nothing written
    with pytest.raises(EntryError):
        _enter(store, "H01", "spot_check_problem", dt.date(2025, 6, 1), points=-11)
    event = _enter(store, "H01", "spot_check_problem", dt.date(2025, 6, 1), points=-10, note="村集体决定：第3号")
    assert store.one("SELECT points, note FROM events WHERE id = ?", [event])[0] == -10


def test_quarterly_publicity_and_finalise_of_households_leave_party_entries_open(store):
    vw.build(store)
    _household_year(store)
    # a household entry of Q3 (Jul–Sep) waits for the month's review; the party's does not hold it up
    august = _enter(store, "H03", "civility", dt.date(2025, 8, 12))
    party = _enter(store, "M02", "award_district", dt.date(2025, 8, 13))
    queue = review_queue(store, SECRETARY, branch_code=vw.BRANCH, start=dt.date(2025, 8, 1),
                         end=dt.date(2025, 8, 31), track="village")
    assert [r["id"] for r in queue] == [august]
    with pytest.raises(EntryError, match="待审核"):
        open_publicity(store, SECRETARY, vw.BRANCH, 2025, "Q3", TODAY, TODAY + dt.timedelta(days=6), today=TODAY,
                       track="village")
    approve(store, SECRETARY, [august])  # the month approved in one go
    pub = open_publicity(store, SECRETARY, vw.BRANCH, 2025, "Q3", TODAY, TODAY + dt.timedelta(days=6), today=TODAY,
                         track="village")
    assert current_publicity(store, vw.BRANCH, 2025, "Q3", "village").id == pub
    assert current_publicity(store, vw.BRANCH, 2025, "Q3") is None  # the party's Q3 is another window
    later = TODAY + dt.timedelta(days=7)
    finalise(store, SECRETARY, pub, today=later)
    assert store.one("SELECT track, start_date, end_date FROM period_locks") == (
        "village", dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    # the household quarter is locked …
    with pytest.raises(EntryError, match="已确认归档"):
        _enter(store, "H04", "civility", dt.date(2025, 9, 1))
    # … a party member's entry of the same days is not
    assert _enter(store, "M03", "award_district", dt.date(2025, 9, 1)) > party
    frozen = branch_results(store, vw.BRANCH, 2025, "Q3", later, track="village")
    assert frozen.frozen and not branch_results(store, vw.BRANCH, 2025, "Q1", later).frozen


def test_dynamic_table_and_honours_of_a_small_village(store):
    vw.build(store)
    _household_year(store)
    results = branch_results(store, vw.BRANCH, 2025, "cycle", TODAY, track="village")
    table = dynamic_table(store, results)
    assert table["columns"] == ["排名", "门牌号", "户主"] + [f"{m}月" for m in range(1, 13)] + ["本年度积分", "累计积分"]
    rows = {r["户主"]: r for r in table["rows"]}
    # H01: March 5 + 5 = 10, May 5, total 15; H02: April −3
    assert (rows["刘一户"]["3月"], rows["刘一户"]["5月"], rows["刘一户"]["1月"], rows["刘一户"]["本年度积分"]) == (10, 5, 0, 15)
    assert (rows["陈二户"]["4月"], rows["陈二户"]["本年度积分"], rows["陈二户"]["排名"], rows["陈二户"]["门牌号"]) == (-3, -3, 4, "1-02")
    assert [r["户主"] for r in table["rows"]][0] == "刘一户"
    assert dynamic_xlsx(table)[:2] == b"PK" and dynamic_pdf(table)[:4] == b"%PDF"
    # award_count 10: only H01 is above 0 → 年终表彰 {H01}; education 5 places among the rest:
    # H02 (−3) and the tie H03/H04 at 0 → all three, lowest first
    lists = honours(results)
    assert [r["编号"] for r in lists["award"]] == ["H01"]
    assert [r["编号"] for r in lists["education"]][0] == "H02"
    assert {r["编号"] for r in lists["education"]} == {"H02", "H03", "H04"}


def test_honours_rank_this_cycle_not_the_cumulative_points():
    from core.engine import evaluate

    # 2 award places and 1 education place (editable counts). 2025 totals: A 20, B 15, C 15, D 5, E 0, F 0;
    # B also has 100 from 2024 → cumulative 115, yet ranks on 15: A 1, B 2, C 2, D 4, E 5, F 5.
    # award: rank ≤ 2 and above 0 → A, B, C (the tie on the 2nd place all included);
    # education: 1 place from the bottom among the rest → E and F tie on it → both; D on neither list.
    scheme = scheme_with_overrides(load_scheme("village-4class"),
                                   {"supermarket": {"award_count": 2, "education_count": 1}})
    subjects = [member(s, "V1", kind="household") for s in "ABCDEF"]
    events = [ev("A", "civility", "2025-05-01", count=4), ev("B", "civility", "2025-05-01", count=3),
              ev("C", "civility", "2025-05-01", count=3), ev("D", "civility", "2025-05-01"),
              ev("B", "civility", "2024-06-01", count=20)]
    out = evaluate(scheme, {"cycle": 2025, "subjects": subjects, "events": events, "scores": [], "vetoes": [],
                            "history": []})
    b = result(out, "B")
    assert (b["total"], b["rank"], b["cumulative"]) == (15, 2, 115)
    award = {r["subject"] for r in out["results"] if "award" in r["flags"]}
    education = {r["subject"] for r in out["results"] if "education" in r["flags"]}
    assert award == {"A", "B", "C"} and education == {"E", "F"} and not award & education
