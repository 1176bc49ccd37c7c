"""Tuning a scheme (core/scheme_edit.py): editable fields within bounds, the loader's checks,
simulation = evaluate with the edited scheme, adoption as a version, finalised results frozen,
the version on every live result, versions compared line by line. The world: tests/tune_world.py
(its docstring works out who changes when 优秀's quota goes from 20% to 15%)."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from core.auth.permissions import PermissionDenied
from core.engine import evaluate
from core.scheme import list_schemes, load_scheme, load_scheme_text, schemes_dir
from core.scheme.reader import SchemeError
from core.scheme_edit import EditError, adopt, check_edit, compare_versions, editable_fields, simulate_org, versions
from core.services.case import build_case
from core.services.results import branch_results, live_output
from tests import tune_world as w

Q100 = "party-q100-3to1"


def test_every_template_ships_values_inside_its_own_bounds():
    for scheme in list_schemes():
        for field in editable_fields(scheme):
            assert field["lo"] <= field["value"] <= field["hi"], (scheme.id, field["path"])
    fields = {f["path"]: f for f in editable_fields(load_scheme(Q100))}
    quota = fields[w.QUOTA]
    assert (quota["label"], quota["value"], quota["lo"], quota["hi"]) == (
        "「优秀等次人数不超过本支部党员总数的20%」比例（%）", Decimal(20), Decimal(5), Decimal(30))
    # items by category: 缺席三会一课 is a 日常行为 item (-10..-1); the range item 酌情加分 is not offered
    assert fields["items.miss_meeting.points"]["value"] == Decimal(-2)
    assert "items.reward_other.points" not in fields
    assert not editable_fields(load_scheme("party-index-60"))  # no [editable]: nothing


def test_edits_refused_by_bounds_and_by_the_loader():
    scheme = load_scheme(Q100)
    with pytest.raises(EditError, match="「优秀等次人数不超过本支部党员总数的20%」比例（%） 须在 5 至 30 之间，实为 40"):
        check_edit(scheme, {w.QUOTA: 40})
    with pytest.raises(EditError, match="vetoes.cult.grade 不可调整"):
        check_edit(scheme, {"vetoes.cult.grade": "合格"})
    with pytest.raises(EditError, match="应为数字"):
        check_edit(scheme, {w.QUOTA: "十五"})
    # 合格's minimum 80 → 92 is above its own upper limit, 优秀's 90: the loader's message
    with pytest.raises(EditError, match=r"grading\.bands\[1\]: 下限 92 不小于上限 90（最小值大于最大值）"):
        check_edit(scheme, {"grading.bands.1.min": 92})
    # 合格 from 85 but 基本合格 up to 88: 85..88 would be both
    with pytest.raises(EditError, match=r"grading\.bands\[2\]\.below: 分档重叠：上限 88 高于上一档下限 85"):
        check_edit(scheme, {"grading.bands.1.min": 85, "grading.bands.2.below": 88})
    # 合格 from 85 but 基本合格's upper limit left at 75: 75..85 belongs to nobody
    with pytest.raises(EditError, match=r"grading\.bands\[2\]\.below: 分档有缺口：75 到 85 之间没有归属"):
        check_edit(scheme, {"grading.bands.1.min": 85, "grading.bands.2.below": 75})
    # a moved minimum takes the next band's upper limit along: 合格 from 85, 基本合格 below 85
    edited, overrides = check_edit(scheme, {"grading.bands.1.min": 85})
    assert overrides == {"grading": {"bands": {"1": {"min": 85}, "2": {"below": 85}}}}
    assert [(b.min, b.below) for b in edited.grade_bands][1:3] == [(85, 90), (65, 85)]
    # weights (party-annual-7to3: 日常 0.7 + 评议 0.3 = 1): 0.8 + 0.3 is refused by the loader
    with pytest.raises(EditError, match=r"total\.weights: 权重之和应为 1，实为 1\.1"):
        check_edit(load_scheme("party-annual-7to3"), {"total.weights.daily": 0.8})
    _, overrides = check_edit(load_scheme("party-annual-7to3"), {"total.weights.daily": 0.8, "total.weights.appraisal": 0.2})
    assert overrides == {"total": {"weights": {"daily": 0.8, "appraisal": 0.2}}}
    # unchanged values are not part of the version; the quota's name follows its percent
    assert check_edit(scheme, {w.QUOTA: 20})[1] == {}
    edited, overrides = check_edit(scheme, {w.QUOTA: 15})
    assert overrides == {"quotas": {"0": {"percent": 15, "name": "优秀等次人数不超过本支部党员总数的15%"}}}
    assert edited.quotas[0].percent == 15


def test_editable_table_shape_is_checked_by_the_loader():
    raw = (schemes_dir() / f"{Q100}.toml").read_text(encoding="utf-8")
    with pytest.raises(SchemeError, match="editable.quotas.良好: 方案中没有这个名额（等次或星数）: 良好"):
        load_scheme_text(raw.replace('quotas = { "优秀" = [5, 30] }', 'quotas = { "良好" = [5, 30] }'), "x.toml")
    with pytest.raises(SchemeError, match="可调整范围的下限 30 大于上限 5"):
        load_scheme_text(raw.replace('quotas = { "优秀" = [5, 30] }', 'quotas = { "优秀" = [30, 5] }'), "x.toml")


@pytest.fixture
def tuned(store):
    w.build(store)
    return store


@pytest.mark.parametrize("part", [40, 1])
def test_simulation_equals_evaluate_with_the_edited_scheme(tuned, monkeypatch, part):
    # part 1: each branch simulated apart (a county's large group is simulated in parts of
    # 40 branches); the same changes, and the distribution summed over the parts
    monkeypatch.setattr("core.metrics.scores.PART_BRANCHES", part)
    sim = simulate_org(tuned, w.TOWNSHIP, "C01T01", {w.QUOTA: 15}, today=w.TODAY)
    assert (sim["branches"], sim["subjects"], sim["cycle"]) == (2, 15, 2025)
    # tune_world: W01 (B01, rank 2 of 10) and W10 (B02, rank 1 of 5) drop from 优秀 to 合格
    moved = {c["subject"]: (c["old"]["grade"], c["new"]["grade"], c["old"]["rank"], c["new"]["rank"], c["branch_name"])
             for c in sim["changes"]}
    assert moved == {"W01": ("优秀", "合格", 2, 2, "一村党支部"), "W10": ("优秀", "合格", 1, 1, "二村党支部")}
    w01 = next(c for c in sim["changes"] if c["subject"] == "W01")
    assert w01["removed"] == ["名额 优秀等次人数不超过本支部党员总数的20%：优秀不超过 20%，基数 10 人，允许 2 人，候选 10 人，在名额内"]
    assert w01["added"][0] == "名额 优秀等次人数不超过本支部党员总数的15%：优秀不超过 15%，基数 10 人，允许 1 人，候选 10 人，超出名额 → 合格"
    assert w01["explain_old"] != w01["explain_new"]
    # 优秀: 2 + 1 → 1 + 0 held; allowed floor(10 × 20%) + floor(5 × 20%) = 3 → floor(1.5) + floor(0.75) = 1
    assert sim["distribution"][:2] == [
        {"level": "优秀", "before": 3, "after": 1, "allowed_before": 3, "allowed_after": 1},
        {"level": "合格", "before": 12, "after": 14, "allowed_before": None, "allowed_after": None}]
    for branch in (w.B01, w.B02):
        _, case = build_case(tuned, branch, 2025, today=w.TODAY)
        expected = {r["subject"]: (r["total"], r["grade"], r["rank"]) for r in evaluate(sim["edited"], case)["results"]}
        _, case_now = build_case(tuned, branch, 2025, today=w.TODAY)
        before = {r["subject"]: (r["total"], r["grade"], r["rank"]) for r in evaluate(sim["scheme"], case_now)["results"]}
        for change in sim["changes"]:
            if change["branch"] == branch:
                before[change["subject"]] = tuple(change["new"][k] for k in ("total", "grade", "rank"))
        assert before == expected


def test_adoption_makes_a_version_and_leaves_finalised_results(tuned):
    # B01's cycle is finalised with W00, W01 优秀 (a snapshot, as 确认归档 leaves it)
    _, snapshot, _ = live_output(tuned, w.B01, 2025, today=w.TODAY)

    def finalise(cur):
        pid = cur.execute(
            "INSERT INTO publicity(branch_code, cycle, period, scheme_id, scheme_version, start_date, end_date, state,"
            " snapshot, created_by) VALUES (?, 2025, 'cycle', ?, '1.1', DATE '2025-11-01', DATE '2025-11-08',"
            " 'finalised', ?, 'shuji01') RETURNING id", [w.B01, Q100, json.dumps(snapshot, ensure_ascii=False)]).fetchone()[0]
        cur.execute("INSERT INTO period_locks(branch_code, cycle, period, start_date, end_date, publicity_id, locked_by)"
                    " VALUES (?, 2025, 'cycle', DATE '2025-07-01', DATE '2026-06-30', ?, 'shuji01')", [w.B01, pid]).fetchall()

    tuned.write(finalise)
    with pytest.raises(EditError, match="请填写调整理由"):
        adopt(tuned, w.TOWNSHIP, "C01T01", {w.QUOTA: 15}, dt.date(2025, 11, 1), " ", today=w.TODAY)
    with pytest.raises(EditError, match="没有调整任何内容"):
        adopt(tuned, w.TOWNSHIP, "C01T01", {w.QUOTA: 20}, dt.date(2025, 11, 1), "镇党委会议研究", today=w.TODAY)
    with pytest.raises(PermissionDenied):
        adopt(tuned, w.SECRETARY, "C01T01", {w.QUOTA: 15}, dt.date(2025, 11, 1), "x", today=w.TODAY)
    with pytest.raises(PermissionError):  # another township's subtree
        simulate_org(tuned, w.OTHER_TOWNSHIP, "C01T01", {w.QUOTA: 15}, today=w.TODAY)
    assert tuned.scalar("SELECT count(*) FROM scheme_assignments") == 1  # refusals wrote nothing

    new_id = adopt(tuned, w.TOWNSHIP, "C01T01", {w.QUOTA: 15}, dt.date(2025, 11, 1), "镇党委会议研究", today=w.TODAY)
    row = tuned.one("SELECT org_code, scheme_id, scheme_version, from_date, version_label, overrides, reason"
                    " FROM scheme_assignments WHERE id = ?", [new_id])
    assert row[:5] == ("C01T01", Q100, "1.1", dt.date(2025, 11, 1), "测试镇调整版 2025-11-01")
    assert json.loads(row[5]) == {"quotas": {"0": {"percent": 15, "name": "优秀等次人数不超过本支部党员总数的15%"}}}
    assert tuned.scalar("SELECT count(*) FROM audit_log WHERE action = 'scheme.assign' AND entity_id = ?",
                        [str(new_id)]) == 1
    frozen = branch_results(tuned, w.B01, 2025, today=w.TODAY)
    assert frozen.frozen and frozen.output == snapshot  # W00, W01 still 优秀 under the old version
    assert [r["grade"] for r in frozen.output["results"][:2]] == ["优秀", "优秀"]
    live = branch_results(tuned, w.B02, 2025, today=w.TODAY)
    assert not live.frozen and live.output["results"][0]["grade"] == "合格"  # W10: 0 places at 15% of 5
    assert live.output["version"] == {"scheme_id": Q100, "scheme_version": "1.1", "label": "测试镇调整版 2025-11-01",
                                      "name": load_scheme(Q100).name}
    assert snapshot["version"]["label"] is None  # the archived result says it came from the template


def test_versions_compared_line_by_line(tuned):
    adopt(tuned, w.TOWNSHIP, "C01T01", {w.QUOTA: 15, "items.miss_meeting.points": -3}, dt.date(2025, 11, 1),
          "镇党委会议研究", today=w.TODAY)
    listed = versions(tuned, w.TOWNSHIP, w.B01)
    assert [v["label"] for v in listed] == ["测试镇调整版 2025-11-01", None]
    assert listed[0]["text"].startswith("2025-11-01 起 · 测试镇 · 党员积分季度百分制")
    lines = compare_versions(listed[0], listed[1])
    assert lines == [
        {"内容": "「缺席三会一课」分值", "原值": "-2", "新值": "-3"},
        {"内容": "第 1 项名额的名称", "原值": "优秀等次人数不超过本支部党员总数的20%", "新值": "优秀等次人数不超过本支部党员总数的15%"},
        {"内容": "「优秀等次人数不超过本支部党员总数的15%」比例（%）", "原值": "20", "新值": "15"},
    ]
    assert compare_versions(listed[0], None) == lines  # against its template: the same lines
