"""The engine's checks of a case's events run in one pass over the frame, but still name the
first check in their order that some row fails, and that check's first row (SCHEMES.md, the
``evaluate`` contract: a bad case is refused naming the field and the row)."""

from __future__ import annotations

import polars as pl
import pytest

from core.engine import evaluate
from core.engine.case import CaseError
from core.scheme import load_scheme
from tests.engine_cases import ev, member, run


def refusal(scheme_id, subjects, events) -> tuple[str, int | None, str]:
    with pytest.raises(CaseError) as caught:
        run(scheme_id, subjects, events)
    return caught.value.field, caught.value.row, str(caught.value)


HOUSE, PERSON = member("H", "V1", kind="family"), member("R", "V1", kind="resident")


@pytest.mark.parametrize(("events", "field", "row", "words"), [
    # village-zhangji: stop_crime_public is for residents only, base_law_abiding is given automatically
    ([ev("H", "stop_crime_public", "2025-03-01")], "events.item", 0, "不适用于对象类型 family"),
    ([ev("R", "base_law_abiding", "2025-03-01")], "events.item", 0, "每周期自动给分，不能录入"),
    ([ev("R", "stop_crime_public", "2025-03-01", points=3)], "events.points", 0, "固定分值项目 stop_crime_public"),
    ([ev("R", "stop_crime_public", "2025-03-01", count=1.5)], "events.count", 0, "按次计分，次数应为整数"),
    # two failures: the unknown item (an earlier check) is named though the automatic item is an earlier row
    ([ev("R", "base_law_abiding", "2025-03-01"), ev("R", "no_such_item", "2025-03-02")],
     "events.item", 1, "中没有项目 no_such_item"),
    # two rows failing one check: the first row is named
    ([ev("R", "mediate_dispute", "2025-03-01"), ev("H", "rescue", "2025-03-02"), ev("H", "rescue", "2025-03-03")],
     "events.item", 1, "不适用于对象类型"),
    ([ev("X", "rescue", "2025-03-01")], "events.subject", 0, "未知对象 X"),
])
def test_the_first_failed_check_and_its_first_row_are_named(events, field, row, words):
    got = refusal("village-zhangji", [HOUSE, PERSON], events)
    assert got[:2] == (field, row) and words in got[2], got


def test_a_frame_of_events_is_checked_the_same_way():
    # the store hands the engine a Polars frame: a bad date in row 2 and a negative count in row 1;
    # the date check comes first in the order, so row 2 is named
    frame = pl.DataFrame({"subject": ["R", "R", "R"], "item": ["rescue"] * 3,
                          "date": ["2025-03-01", "2025-03-02", "2025-13-01"], "count": [1.0, -1.0, 1.0]})
    case = {"cycle": 2025, "subjects": [HOUSE, PERSON], "events": frame, "scores": [], "vetoes": [], "history": []}
    with pytest.raises(CaseError) as caught:
        evaluate(load_scheme("village-zhangji"), case)
    field, row, message = caught.value.field, caught.value.row, str(caught.value)
    assert (field, row) == ("events.date", 2) and "日期格式错误" in message


@pytest.mark.parametrize(("events", "field", "row", "words"), [
    # party-rural-80-20: public_good is a range item of 5..10 points. The item's first event is
    # in range and its third is not: the third row is named, not the item's first.
    ([ev("A", "public_good", "2025-03-01", points=6), ev("A", "public_good", "2025-03-02", points=10),
      ev("A", "public_good", "2025-03-03", points=11)], "events.points", 2, "区间项目 public_good"),
    # the same, a later row left without points
    ([ev("A", "public_good", "2025-03-01", points=6), ev("A", "public_good", "2025-03-02")],
     "events.points", 1, "必须填写分值"),
    # a fixed item (suggestion, 5 points) given points only on its second event
    ([ev("A", "suggestion", "2025-03-01"), ev("A", "suggestion", "2025-03-02", points=5)],
     "events.points", 1, "固定分值项目 suggestion"),
    # a fraction on the second event of an item counted per occurrence
    ([ev("A", "suggestion", "2025-03-01"), ev("A", "suggestion", "2025-03-02", count=2.5)],
     "events.count", 1, "按次计分，次数应为整数: 2.5"),
    # a range failure (row 0) comes before a fractional count (row 1) in the order of the checks,
    # and an unknown member (row 2) before both
    ([ev("A", "public_good", "2025-03-01", points=4), ev("A", "suggestion", "2025-03-02", count=1.5),
      ev("Z", "suggestion", "2025-03-03")], "events.subject", 2, "未知对象 Z"),
])
def test_a_later_row_of_an_item_is_named_when_its_first_row_is_good(events, field, row, words):
    got = refusal("party-rural-80-20", [member("A"), member("B")], events)
    assert got[:2] == (field, row) and words in got[2], got


def test_an_item_of_one_kind_is_refused_on_the_first_member_of_another_kind():
    # village-zhangji: rescue is for residents. Two residents' rescues (rows 0 and 2) pass; the
    # family's (row 1) is refused, and the unit's (row 3) comes after it.
    events = [ev("R", "rescue", "2025-03-01"), ev("H", "rescue", "2025-03-02"), ev("R2", "rescue", "2025-03-03"),
              ev("U", "rescue", "2025-03-04")]
    subjects = [PERSON, HOUSE, member("R2", "V1", kind="resident"), member("U", "V1", kind="unit")]
    assert refusal("village-zhangji", subjects, events)[:2] == ("events.item", 1)


def test_equal_entries_are_each_kept_and_each_checked_for_their_own_member():
    # party-stars-10: 职业道德 is entered for 事业单位 members only, 0..1 a month. A (事业单位) and
    # B (事业单位) get the same M3 entry and both keep it; C (机关) gets the same entry too, and is
    # refused at its own row (2), though rows 0 and 1 with equal fields passed.
    people = [member("A", category="事业单位"), member("B", category="事业单位"), member("C", category="机关")]
    same = {"component": "职业道德", "period": "M3", "value": 1}
    out = run("party-stars-10", people[:2], scores=[{"subject": "A", **same}, {"subject": "B", **same}])
    assert [r["components"]["职业道德"] for r in out["results"]] == [1, 1]  # 1 point in M3, the only month entered
    with pytest.raises(CaseError) as caught:
        run("party-stars-10", people, scores=[{"subject": s, **same} for s in "ABC"])
    assert (caught.value.field, caught.value.row) == ("scores.component", 2) and "不适用于类别 机关" in str(caught.value)
    # the same fields entered twice for one member are a duplicate, named at the second row
    with pytest.raises(CaseError) as caught:
        run("party-stars-10", people[:1], scores=[{"subject": "A", **same}, {"subject": "A", **same}])
    assert (caught.value.field, caught.value.row) == ("scores.period", 1) and "重复录入" in str(caught.value)
