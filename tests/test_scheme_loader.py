"""The scheme loader: shipped templates, and rejections that name file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.cycles import cycle_bounds, cycle_of, period_bounds, quarter_of
from core.scheme import SchemeError, list_schemes, load_scheme, load_scheme_text, scheme_with_overrides

IDS = ["party-q100-3to1", "party-annual-7to3", "party-vanguard-8to2", "party-formula-quarterly-caps",
       "party-street-3class", "party-stars-5x20", "party-stars-raters", "party-stars-quota", "party-stars-10",
       "party-index-60", "party-village-3type", "party-rural-80-20", "party-votes-80-20", "village-zhangji",
       "village-4class", "volunteer-stars"]

MINIMAL = """
id = "t"
name = "测试"
version = "1"
[source]
seed = "x"
section = "y"
[[components]]
id = "daily"
name = "日常"
input = "items"
[items.a]
name = "甲"
component = "daily"
points = 1
[total]
weights = { daily = 1 }
"""


def test_all_sixteen_templates_load():
    schemes = list_schemes()
    assert [s.id for s in schemes] == sorted(IDS)
    for s in schemes:
        assert s.source["seed"] and s.version and s.name
        assert s.publicity_min_days == 7 and s.objection_working_days == 7


def test_decision_lines_are_quoted():
    assert any("80–89" in d for d in load_scheme("party-annual-7to3").decisions)
    assert load_scheme("village-4class").supermarket["subsidy_rate"] == 0.5


def test_entered_components_for_the_appraisal_page():
    inputs = {i.id: i for i in load_scheme("party-q100-3to1").entered_components()}
    assert inputs["appraisal"].kind == "grade" and inputs["appraisal"].periods == ["H1", "H2"]
    study = [i for i in load_scheme("party-village-3type").entered_components() if i.id == "学习"]
    assert {(tuple(i.categories), i.max) for i in study} == {(("无职",), 40), (("流动",), 15)}


def test_item_attributes():
    item = load_scheme("party-q100-3to1").items["reward_other"]
    assert item.is_range and (item.min, item.max) == (1, 10) and item.points is None


def broken(patch_from: str, patch_to: str) -> str:
    assert patch_from in MINIMAL
    return MINIMAL.replace(patch_from, patch_to)


@pytest.mark.parametrize(
    "text, key, words",
    [
        (MINIMAL + '[grading]\nbands = [{name="优", min=90}, {name="良", min=60, below=80}]\n', "grading.bands[1].below", "缺口"),
        (MINIMAL + '[grading]\nbands = [{name="优", min=90}, {name="良", min=95}]\n', "grading.bands[1].min", "重叠"),
        (broken('component = "daily"', 'component = "nope"'), "items.a.component", "未知组成部分"),
        (MINIMAL + '[[caps]]\ntarget = "item:zzz"\nperiod = "cycle"\nlimit = 1\n', "caps[0].target", "不存在的项目"),
        (broken("weights = { daily = 1 }", "weights = { daily = 0.6 }\nweights_sum = 1"), "total.weights", "权重之和"),
        (broken("points = 1", "range = [5, 1]"), "items.a.range", "最小值 5 大于最大值 1"),
        (broken("points = 1", 'points = 1\nfrequency = "weekly"'), "items.a.frequency", "未知取值"),
        (broken('version = "1"', ""), "version", "版本"),
    ],
)
def test_loader_rejects_broken_schemes(text, key, words):
    with pytest.raises(SchemeError) as err:
        load_scheme_text(text, "broken.toml")
    assert "broken.toml" in str(err.value) and key in str(err.value) and words in str(err.value)


def test_unknown_scheme_id():
    with pytest.raises(SchemeError, match="未知方案: nope"):
        load_scheme("nope")


def test_overrides_deep_merge_and_revalidate():
    base = load_scheme("party-q100-3to1")
    tuned = scheme_with_overrides(base, {"quotas": {"0": {"percent": 30}}, "components": {"0": {"base": 70}}})
    assert tuned.quotas[0].percent == 30 and tuned.components["daily"].base == 70
    assert base.quotas[0].percent == 20
    with pytest.raises(SchemeError, match="缺口"):
        scheme_with_overrides(base, {"grading": {"bands": [{"name": "优秀", "min": 90},
                                                           {"name": "合格", "min": 80, "below": 85}]}})


def test_schemes_dir_env_override(tmp_path: Path, monkeypatch):
    (tmp_path / "t.toml").write_text(MINIMAL, encoding="utf-8")
    monkeypatch.setenv("JIFEN_SCHEMES_DIR", str(tmp_path))
    assert [s.id for s in list_schemes()] == ["t"]


def test_cycle_helpers_start_07_01():
    start, end = cycle_bounds("07-01", 2025)
    assert (start.isoformat(), end.isoformat()) == ("2025-07-01", "2026-06-30")
    from datetime import date

    assert cycle_of("07-01", date(2026, 6, 30)) == 2025 and cycle_of("07-01", date(2026, 7, 1)) == 2026
    assert quarter_of("07-01", date(2025, 10, 1)) == "Q2" and quarter_of("01-01", date(2025, 10, 1)) == "Q4"
    assert [d.isoformat() for d in period_bounds("07-01", 2025, "H2")] == ["2026-01-01", "2026-06-30"]
    assert [d.isoformat() for d in period_bounds("01-01", 2025, "Q1")] == ["2025-01-01", "2025-03-31"]


CORRECTED = ["party-village-3type", "party-votes-80-20", "party-stars-5x20", "party-stars-raters", "party-index-60",
             "party-rural-80-20", "party-annual-7to3", "party-q100-3to1", "village-zhangji", "village-4class"]


def test_corrected_templates_are_at_1_1_and_quote_decisions_in_chinese():
    # the ten templates marked (corrected) in SCHEMES.md: version bumped, decisions in Chinese
    for sid in CORRECTED:
        scheme = load_scheme(sid)
        assert scheme.version == "1.1", sid
        assert scheme.decisions and all("Decision" not in d for d in scheme.decisions), sid
    # every **Decision** of the corrected votes section is quoted: 5 per indicator, 116, 70/80, 一般 = 合格, no history
    votes = "\n".join(load_scheme("party-votes-80-20").decisions)
    assert all(word in votes for word in ("扣5分", "116", "70-80", "一般", "没有上一周期"))


def test_minimums_and_entered_grade_keys_are_checked():
    bad_minimums = MINIMAL + """
[minimums]
component = "daily"
deduction = -5
indicators = { "组织生活" = { items = ["nope"] } }
"""
    with pytest.raises(SchemeError, match=r"minimums\.indicators\.组织生活\.items: 未知项目 nope"):
        load_scheme_text(bad_minimums, "x.toml")
    bad_count = MINIMAL + """
[minimums]
component = "daily"
deduction = -5
indicators = { "组织生活" = { items = ["a"] } }
by_category = { "甲类" = { "培训" = 2 } }
"""
    with pytest.raises(SchemeError, match=r"minimums\.by_category\.甲类\.培训: 未知指标 培训"):
        load_scheme_text(bad_count, "x.toml")
    positive = bad_count.replace('deduction = -5', 'deduction = 5')
    with pytest.raises(SchemeError, match=r"minimums\.deduction: 扣分应为负数或 0"):
        load_scheme_text(positive, "x.toml")
    flag_without_name = MINIMAL + """
[[components]]
id = "probation"
name = "预备党员"
input = "grade"
sets = "flag"
grades = { "延长预备期" = 0, "取消预备党员资格" = 0 }
flags = { "延长预备期" = "probation_extend" }
"""
    with pytest.raises(SchemeError, match=r"components\.probation\.flags: 每个等次都要对应一个标记名，缺少: 取消预备党员资格"):
        load_scheme_text(flag_without_name, "x.toml")
    sets_on_score = flag_without_name.replace('input = "grade"', 'input = "score"')
    with pytest.raises(SchemeError, match=r"components\.probation\.sets"):
        load_scheme_text(sets_on_score, "x.toml")
    on_items = MINIMAL.replace('input = "items"', 'input = "items"\nmissing_period_warning = "missing_quarter"')
    with pytest.raises(SchemeError, match=r"components\.daily\.missing_period_warning: 只适用于按期间录入"):
        load_scheme_text(on_items, "x.toml")


def test_entered_grade_names_join_the_grade_names():
    # party-rural-80-20 has no grade bands: its grades come from the entered grade component
    scheme = load_scheme("party-rural-80-20")
    assert scheme.grade_bands == () and scheme.grade_names == ["优秀", "合格", "基本合格", "不合格"]
    assert scheme.components["probation"].flag_names == {"延长预备期": "probation_extend",
                                                         "取消预备党员资格": "probation_cancel"}
