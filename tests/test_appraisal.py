"""民主评议 grids (grade, score, votes, rater) all-or-nothing, latest wins; vetoes and their revocation."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from core.auth import PermissionDenied, ScopeError
from core.scheme_assignments import assign_scheme
from core.services import appraisal, vetoes
from core.services.entry_rules import EntryError
from tests.entry_world import OTHER_SECRETARY, RECORDER, SECRETARY, TODAY, TOWNSHIP, lock, world  # noqa: F401


def grid(store, component, period, rows, cycle=2025, user=SECRETARY, **kw):
    return appraisal.save_grid(store, user, "C01T01B01", cycle, component, period, rows, today=TODAY, **kw)


def in_force(store, component, cycle=2025):
    frame = appraisal.current_scores(store, "C01T01B01", cycle, component)
    return frame.select("member_id", "period", "rater", "value", "grade", "votes").rows()


def use(store, scheme_id):
    assign_scheme(store, TOWNSHIP, "C01T01B01", scheme_id, dt.date(2025, 1, 1), reason="支部单独适用")


def test_grade_grid_saves_in_one_go_and_the_latest_row_wins(world):
    assert grid(world, "appraisal", "H1", [{"member_id": "M01", "grade": "优秀"}, {"member_id": "M02", "grade": "合格"},
                                            {"member_id": "M03", "grade": None}]) == 2
    assert in_force(world, "appraisal") == [("M01", "H1", None, None, "优秀", None), ("M02", "H1", None, None, "合格", None)]
    grid(world, "appraisal", "H1", [{"member_id": "M02", "grade": "基本合格"}])
    assert in_force(world, "appraisal")[1] == ("M02", "H1", None, None, "基本合格", None)
    assert world.scalar("SELECT count(*) FROM scores") == 3  # appended, never updated
    audit = world.one("SELECT before_json->'M02'->>'grade', after_json->>'rows', reason FROM audit_log"
                      " WHERE action = 'scores.save' ORDER BY id DESC LIMIT 1")
    assert audit == ("合格", "1", "2025—2026年度（2025-07-01至2026-06-30）前半年（7—12月）评议分")  # a 七一 cycle's H1
    grid(world, "appraisal", "H1", [{"member_id": "M01", "grade": ""}, {"member_id": "M03", "grade": None}])
    assert in_force(world, "appraisal") == [("M01", "H1", None, None, None, None),
                                            ("M02", "H1", None, None, "基本合格", None)]


def test_a_bad_row_names_the_member_and_nothing_is_written(world):
    with pytest.raises(appraisal.GridError) as bad:
        grid(world, "appraisal", "H2", [{"member_id": "M01", "grade": "优秀"}, {"member_id": "M02", "grade": "良好"},
                                        {"member_id": "M11", "grade": "合格"}, {"member_id": "M04", "grade": "合格"}])
    assert bad.value.errors == ["李四：等次应为 优秀/合格/基本合格/不合格 之一，填写的是「良好」", "成员 M11：不在本支部",
                                "赵六：免于评星，不参加评议"]
    assert world.scalar("SELECT count(*) FROM scores") == 0
    with pytest.raises(EntryError, match="没有期间 Q1"):
        grid(world, "appraisal", "Q1", [{"member_id": "M01", "grade": "优秀"}])
    with pytest.raises(EntryError, match="没有需要录入的评议项目 daily"):
        grid(world, "daily", "Q1", [{"member_id": "M01", "value": 70}])
    with pytest.raises(EntryError, match="没有填写任何内容"):
        grid(world, "appraisal", "H2", [{"member_id": "M01", "grade": ""}])
    with pytest.raises(appraisal.GridError, match="张三：同一成员重复录入"):
        grid(world, "appraisal", "H1", [{"member_id": "M01", "grade": "优秀"}, {"member_id": "M01", "grade": "合格"}])


def test_score_grid_checks_the_range(world):
    use(world, "party-annual-7to3")
    with pytest.raises(appraisal.GridError) as bad:
        grid(world, "daily", "Q3", [{"member_id": "M01", "value": 100.5}, {"member_id": "M02", "value": "九十"},
                                    {"member_id": "M03", "value": -1}])
    assert bad.value.errors == ["张三：分数应在 0～100 之间，填写的是 100.5", "李四：分数应为数字（最多两位小数），填写的是「九十」",
                                "王五：分数应在 0～100 之间，填写的是 −1"]
    grid(world, "daily", "Q3", [{"member_id": "M01", "value": 95}, {"member_id": "M02", "value": "88.5"}])
    assert in_force(world, "daily") == [("M01", "Q3", None, Decimal("95.00"), None, None),
                                       ("M02", "Q3", None, Decimal("88.50"), None, None)]


def test_category_decides_the_maximum(world):
    use(world, "party-village-3type")
    world.write(lambda cur: cur.execute(
        "UPDATE members SET category = CASE id WHEN 'M01' THEN '无职' WHEN 'M02' THEN '流动' ELSE '村干部' END").fetchall())
    with pytest.raises(appraisal.GridError) as bad:
        grid(world, "学习", "cycle", [{"member_id": "M01", "value": 40}, {"member_id": "M02", "value": 16},
                                      {"member_id": "M03", "value": 5}])
    assert bad.value.errors == ["李四：分数应在 0～15 之间，填写的是 16", "王五：类别「村干部」不参加此项评议"]
    assert grid(world, "学习", "cycle", [{"member_id": "M01", "value": 40}, {"member_id": "M02", "value": 15}]) == 2


def test_vote_tally_counts_are_non_negative_integers(world):
    use(world, "party-votes-80-20")
    tally = {"优秀": 8, "良好": 8, "合格": 3, "差": 1}
    with pytest.raises(appraisal.GridError) as bad:
        grid(world, "votes", "cycle", [{"member_id": "M01", "votes": {**tally, "差": -1}},
                                       {"member_id": "M02", "votes": {**tally, "良好": 2.5}},
                                       {"member_id": "M03", "votes": {"优秀": 0, "良好": 0, "合格": 0, "差": 0, "弃权": 1}}])
    assert bad.value.errors == ["张三：「差」票数应为非负整数，填写的是「-1」", "李四：「良好」票数应为非负整数，填写的是「2.5」",
                                "王五：未知票档 弃权"]
    grid(world, "votes", "cycle", [{"member_id": "M01", "votes": tally}, {"member_id": "M02", "votes": {"合格": 20.0}}])
    rows = in_force(world, "votes")
    assert [json.loads(r[5]) for r in rows] == [tally, {"优秀": 0, "良好": 0, "合格": 20, "差": 0}]


def test_rater_scores_one_row_per_rater(world):
    use(world, "party-stars-raters")
    rows = [{"member_id": "M01", "rater": r, "value": v} for r, v in (("self", 90), ("masses", 80), ("leadership", 85))]
    with pytest.raises(appraisal.GridError, match="张三：评分人应为 self/masses/leadership 之一"):
        grid(world, "工作任务", "Q1", rows + [{"member_id": "M01", "rater": "boss", "value": 1}])
    assert grid(world, "工作任务", "Q1", rows) == 3
    assert [(r[2], r[3]) for r in in_force(world, "工作任务")] == [
        ("leadership", Decimal("85.00")), ("masses", Decimal("80.00")), ("self", Decimal("90.00"))]


def test_same_request_key_saves_once_and_locks_and_scope_refuse(world):
    rows = [{"member_id": "M01", "grade": "优秀"}]
    assert grid(world, "appraisal", "H1", rows, request_key="b1") == 1
    assert grid(world, "appraisal", "H1", rows, request_key="b1") == 1
    assert world.scalar("SELECT count(*) FROM scores") == 1
    with pytest.raises(PermissionDenied):
        grid(world, "appraisal", "H1", rows, user=RECORDER)
    with pytest.raises(ScopeError):
        grid(world, "appraisal", "H1", rows, user=OTHER_SECRETARY)
    lock(world, "C01T01B01", 2025, "Q2", dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    with pytest.raises(EntryError, match="已确认归档"):
        grid(world, "appraisal", "H1", rows)  # H1 (Jul–Dec) overlaps the locked Q2
    grid(world, "appraisal", "H2", rows)


def test_veto_needs_evidence_and_revoking_appends_a_reversal(world):
    day = dt.date(2025, 11, 1)
    with pytest.raises(EntryError, match="必须写明依据"):
        vetoes.add_veto(world, SECRETARY, "M01", "absent_6_months", day, " ", today=TODAY)
    with pytest.raises(EntryError, match="没有否决事项 jaywalking"):
        vetoes.add_veto(world, SECRETARY, "M01", "jaywalking", day, "x", today=TODAY)
    with pytest.raises(PermissionDenied):
        vetoes.add_veto(world, RECORDER, "M01", "absent_6_months", day, "x", today=TODAY)
    veto_id = vetoes.add_veto(world, SECRETARY, "M01", "absent_6_months", day, "2025年5—10月未交党费、未参加组织生活",
                              today=TODAY)
    with pytest.raises(EntryError, match="已记录，不能重复记录"):
        vetoes.add_veto(world, SECRETARY, "M01", "absent_6_months", day, "again", today=TODAY)
    assert vetoes.current_vetoes(world, "C01T01B01")["id"].to_list() == [veto_id]
    with pytest.raises(EntryError, match="必须填写理由"):
        vetoes.revoke_veto(world, SECRETARY, veto_id, "")
    reversal = vetoes.revoke_veto(world, SECRETARY, veto_id, "经核实已补交党费，系误记")
    assert vetoes.current_vetoes(world, "C01T01B01").height == 0
    with pytest.raises(EntryError, match="已撤销，不能重复撤销"):
        vetoes.revoke_veto(world, SECRETARY, veto_id, "again")
    with pytest.raises(EntryError, match="撤销记录，不能再撤销"):
        vetoes.revoke_veto(world, SECRETARY, reversal, "again")
    assert world.all("SELECT action FROM audit_log WHERE action LIKE 'veto.%' ORDER BY id") == [("veto.add",), ("veto.revoke",)]
