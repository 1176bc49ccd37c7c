"""The results cache and what the dashboards build on it."""

import datetime as dt

import polars as pl

from core.metrics import compare, distribution, scores
from core.metrics.filters import branch_codes, default_filter
from core.auth.scope import Scope
from tests.conftest import DEMO_TODAY

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
    output, dropped = scores._evaluate_group(load_scheme("party-q100-3to1"), bad)
    # Only the refused event is set aside: Z is still scored, without it.
    assert {r["subject"]: r["total"] for r in output["results"]}["Z"] == 75
    assert dropped[0][0] == "Z" and "no_such_item" in dropped[0][1]
    bad["subjects"][1]["category"] = 42  # a refused subject takes its rows with it
    output, dropped = scores._evaluate_group(load_scheme("party-q100-3to1"), bad)
    assert [r["subject"] for r in output["results"]] == ["A"] and dropped[0][0] == "Z"


def test_compare_and_distribution_on_the_demo(demo_store):
    flt = default_filter(DEMO_TODAY)
    table = compare.branch_table(demo_store, ADMIN, flt)
    assert table.height == 20 and table["average"].drop_nulls().len() > 10
    box = compare.box_by_filter(demo_store, ADMIN, flt)
    assert (box["q1"] <= box["median"]).all() and (box["median"] <= box["q3"]).all()
    view = distribution.view(demo_store, ADMIN, flt, "category")
    assert view["bins"]["count"].sum() == view["scored"] > 0
    assert set(view["bands"]["grade"]) >= {"优秀", "合格"}
    page, total = distribution.band_members(demo_store, ADMIN, flt, 90.0, None, 0, 10)
    assert total > 0 and page.height <= 10 and (page["total"] >= 90).all()
