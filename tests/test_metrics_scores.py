"""The results cache and what the dashboards build on it."""

import datetime as dt

import polars as pl

from core.metrics import compare, distribution, scores
from core.metrics.filters import branch_codes, default_filter
from core.metrics.group_eval import SKIPPED, group_rows
from core.auth.scope import Scope
from tests.conftest import DEMO_BRANCHES, DEMO_TODAY

ADMIN = Scope("t", "admin", "C01", "/C01/")


def test_results_are_cached_until_the_next_write(demo_store):
    flt = default_filter(DEMO_TODAY)
    codes = branch_codes(demo_store, ADMIN, flt)
    first, _ = scores.results(demo_store, codes, flt.cycle, DEMO_TODAY)
    assert scores.results(demo_store, codes, flt.cycle, DEMO_TODAY)[0] is first
    demo_store.write(lambda cur: None)  # any write bumps data_version
    again, _ = scores.results(demo_store, codes, flt.cycle, DEMO_TODAY)
    assert again is not first and again.equals(first)


def test_a_refused_row_is_set_aside_and_named(store):
    bad = {"cycle": 2025, "subjects": [
        {"id": "A", "branch": "B", "kind": "member", "category": None, "probationary": False, "exempt": False,
         "joined_branch": None, "approved_on": None},
        {"id": "Z", "branch": "B", "kind": "member", "category": None, "probationary": False, "exempt": False,
         "joined_branch": None, "approved_on": None}],
        "events": pl.DataFrame({"subject": ["A", "Z"], "item": ["late_dues", "no_such_item"],
                                "date": [dt.date(2025, 8, 1)] * 2, "count": [1, 1], "points": [None, None],
                                "rating": [None, None], "fraud": [False, False]},
                               schema_overrides={"points": pl.Float64, "rating": pl.String}),
        "scores": [], "vetoes": [], "history": []}
    from core.scheme import load_scheme
    rows, warnings = group_rows(load_scheme("party-q100-3to1"), bad, "B")
    # Only the refused event is set aside: Z is still scored, without it.
    assert {r["subject"]: r["total"] for r in rows}["Z"] == 75
    skipped = [w for w in warnings if w["code"] == SKIPPED]
    assert len(skipped) == 1 and skipped[0]["message"].startswith("成员 Z 的记录未计入") and "no_such_item" in skipped[0]["message"]
    bad["subjects"][1]["category"] = 42  # a refused subject takes its rows with it
    rows, warnings = group_rows(load_scheme("party-q100-3to1"), bad, "B")
    assert [r["subject"] for r in rows] == ["A"]
    assert [w["message"][:4] for w in warnings if w["code"] == SKIPPED] == ["成员 Z"]


def test_compare_and_distribution_on_the_demo(demo_store):
    flt = default_filter(DEMO_TODAY)
    table = compare.branch_table(demo_store, ADMIN, flt)
    assert table.height == DEMO_BRANCHES and table["average"].drop_nulls().len() > 10
    box = compare.box_by_filter(demo_store, ADMIN, flt)
    assert (box["q1"] <= box["median"]).all() and (box["median"] <= box["q3"]).all()
    view = distribution.view(demo_store, ADMIN, flt, "category")
    assert view["bins"]["count"].sum() == view["scored"] > 0
    assert set(view["bands"]["grade"]) >= {"优秀", "合格"}
    page, total = distribution.band_members(demo_store, ADMIN, flt, 90.0, None, 0, 10)
    assert total > 0 and page.height <= 10 and (page["total"] >= 90).all()


def test_grade_shares_are_over_every_rated_member_of_the_branch():
    # B1 (party-village-3type, stars; only its 1-star band is named 不合格): 2 of 5 rated
    # members have a 等次, both 不合格 → 2 / 5 = 40.0%, not 2 / 2 = 100%. Its scheme has no
    # 优秀, so that share is empty. B2 (party-q100-3to1): 1 优秀 of 2 → 50.0%, 不合格 0 of 2 → 0.0.
    res = pl.DataFrame({
        "branch": ["B1"] * 5 + ["B2"] * 2, "subject": list("abcdefg"), "category": [None] * 7,
        "scheme": ["party-village-3type"] * 5 + ["party-q100-3to1"] * 2,
        "total": [None] * 5 + [95.0, 85.0], "grade": ["不合格", "不合格", None, None, None, "优秀", "合格"],
        "stars": [1, 1, 3, 4, 5, None, None], "rank": [None] * 7, "flags": [[]] * 7},
        schema=scores.RESULT_SCHEMA)
    stats = {r["branch"]: r for r in compare.score_stats(res).iter_rows(named=True)}
    assert stats["B1"]["rated"] == 5 and stats["B1"]["scored"] == 0 and stats["B1"]["average"] is None
    assert stats["B1"]["grade:不合格"] == 40.0 and stats["B1"]["grade:优秀"] is None
    assert stats["B2"]["grade:优秀"] == 50.0 and stats["B2"]["grade:不合格"] == 0.0
    assert stats["B2"]["average"] == 90.0  # (95 + 85) / 2
    # columns follow the schemes' grade order, not code points (合格 sorts before 优秀 there)
    grades = [c for c in compare.score_stats(res).columns if c.startswith("grade:")]
    assert grades.index("grade:优秀") < grades.index("grade:合格") < grades.index("grade:不合格")


def test_a_band_lists_only_the_members_its_scheme_grades(demo_store):
    flt = default_filter(DEMO_TODAY)
    name = "党员积分季度百分制（日常分:评议分=3:1）"  # party-q100-3to1: 优秀 from 90
    page, total = distribution.band_members(demo_store, ADMIN, flt, 90.0, None, 0, 100, name)
    res, _ = scores.results(demo_store, branch_codes(demo_store, ADMIN, flt), flt.cycle, DEMO_TODAY)
    expected = res.filter((pl.col("scheme") == "party-q100-3to1") & (pl.col("total") >= 90)).height
    assert total == expected > 0
    assert set(page["subject"]) <= set(res.filter(pl.col("scheme") == "party-q100-3to1")["subject"])


def test_a_large_scheme_group_is_split_into_even_parts_of_consecutive_branches():
    from core.services.case import SchemeGroup
    group = SchemeGroup(None, None, tuple(f"B{i:03d}" for i in range(133)))
    # 133 branches, at most 40 a part: ⌈133/40⌉ = 4 parts of ⌈133/4⌉ = 34: 34, 34, 34 and 31.
    parts = scores.parts(group)
    assert [len(p.branches) for p in parts] == [34, 34, 34, 31]
    assert sum((p.branches for p in parts), ()) == group.branches
    assert [len(p.branches) for p in scores.parts(SchemeGroup(None, None, ("B1",) * 40))] == [40]
