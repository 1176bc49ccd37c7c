"""总览: last quarter's participation beside this quarter's, and the visit list."""

from core.metrics.alerts import Alert, visit_list
from core.metrics.overview import kpis
from tests import metrics_world as world


def test_kpis_compare_this_quarter_with_the_last(store):
    world.build(store)
    k = kpis(store, world.SCOPE, world.FILTER)
    assert k["last_quarter"] == "2026Q3"
    # 2026Q3: m1 (志愿服务 07-10), m3 (August events) and n2 (September events) took part;
    # the base is m1..m4 and n1..n3 (m5 is exempt): 3 / 7 = 42.9%
    assert k["participation_last_quarter"] == 42.9


def test_visit_list_ranks_branches_by_distinct_rules_then_rule_order():
    alerts = [
        Alert("objection", "B2", "二村", "异议逾期 3 天"),
        Alert("stale", "B3", "三村", "已 62 天未录入"),
        Alert("burst", "B1", "一村", "9月 80% 在月底录入"),
        Alert("uniform", "B1", "一村", "全员同分"),
        Alert("quota", "B4", "四村", "优秀超出比例"),
        Alert("late", "B5", "五村", "集中补录"),
    ]
    visits = visit_list(alerts)
    # B1 has two distinct rules; then B3 (stale, the first rule) before B2 (objection) and B4 (quota)
    assert [v.branch for v in visits] == ["B1", "B3", "B2"]
    # reasons follow the rule order: uniform (评分雷同) comes before burst (月底突击补录)
    assert visits[0].reasons == ["评分雷同（形式主义）：全员同分", "月底突击补录：9月 80% 在月底录入"]
    assert visit_list([]) == []


def test_grade_levels_keep_the_schemes_order_and_stars_count_down():
    # party-stars-quota names no star bands: its levels go 5星 → 0星, 无等次 last; counts
    # 1 of each over 4 members → 25.0% each
    import polars as pl

    from core.metrics import distribution, scores
    res = pl.DataFrame({"branch": ["B"] * 4, "subject": list("abcd"), "category": [None] * 4,
                        "scheme": ["party-stars-quota"] * 4, "total": [None] * 4, "grade": [None] * 4,
                        "stars": [0, 5, None, 2], "rank": [None] * 4, "flags": [[]] * 4}, schema=scores.RESULT_SCHEMA)
    grades = distribution.grades_against_quota(res)
    assert grades["level"].to_list() == ["5星", "2星", "0星", "无等次"]
    assert grades["share"].to_list() == [25.0] * 4
