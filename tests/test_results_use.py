"""结果运用 (core.results_use) on both stores, over tests/results_use_world.py's three branches
(the world's docstring works out every total, grade and flag by hand)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.attention import todos
from core.auth import PermissionDenied, ScopeError, scope_for
from core.metrics.alerts import disposals
from core.metrics.filters import default_filter
from core.results_use import cases as C
from core.results_use.candidates import candidate_rows, candidates
from core.results_use.files import candidates_document, pdf_bytes, stars_document, xlsx_bytes
from core.results_use.stars import star_groups, star_rows
from core.services.entry_rules import EntryError
from tests import results_use_world as w
from tests.rhythm_world import fresh_store  # one fresh store per engine for a module's world

TODAY = w.TODAY


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def world(request, tmp_path_factory):
    """One world per engine, its cases opened once by the township; each test below works on
    its own members' cases."""
    with fresh_store(request, tmp_path_factory) as store:
        users = w.build(store)
        yield store, users, C.open_cases(store, users["zhen01"], "C01T01", 2025, TODAY)


def case_of(store, user, member, kind=C.DISPOSAL):
    return next(c for c in C.list_cases(store, user, "C01T01", TODAY) if c.member_id == member and c.kind == kind)


def audited(store, action, member):
    return store.scalar("SELECT count(*) FROM audit_log WHERE action = ? AND member_id = ?", [action, member])


def test_candidates_follow_each_schemes_rule(world):
    store, users, _ = world
    chosen, struck = candidates(store, users["zhen01"], "C01T01", 2025, TODAY)
    # B01: report_up = top 3 优秀 (M04 is 优秀 but 4th); B02 has no report_up rule: its 优秀 (M11;
    # M12 is 优秀 but vetoed); B03: report_up at 5 stars (M21, 94 points)
    assert [(c.member_id, c.reason) for c in chosen] == [
        ("M01", "方案规定上报表彰（优秀，本支部第1名）"), ("M02", "方案规定上报表彰（优秀，本支部第2名）"),
        ("M03", "方案规定上报表彰（优秀，本支部第3名）"), ("M11", "年度等次为优秀（本支部第1名）"),
        ("M21", "方案规定上报表彰（★★★★★ 五星，本支部第1名）")]
    assert [(c.member_id, c.reason) for c in struck] == [("M12", "一票否决")]
    rows = candidate_rows(chosen)
    assert rows[4] == {"序号": 5, "支部": "三村党支部", "姓名": "刘一", "等次": "", "星级": "★★★★★ 五星", "总分": 94,
                       "推荐理由": "方案规定上报表彰（★★★★★ 五星，本支部第1名）"}
    # a secretary sees its own branch; another branch is refused and audited
    mine, _ = candidates(store, users["shuji01"], w.B01, 2025, TODAY)
    assert [c.member_id for c in mine] == ["M01", "M02", "M03"]
    before = store.scalar("SELECT count(*) FROM audit_log WHERE action = 'scope.denied' AND username = 'shuji01'")
    with pytest.raises(ScopeError):
        candidates(store, users["shuji01"], w.B02, 2025, TODAY)
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'scope.denied' AND username = 'shuji01'") == before + 1
    with pytest.raises(PermissionDenied):
        candidates(store, users["jilu01"], w.B01, 2025, TODAY)


def test_star_list_groups_members_by_stars(world):
    store, users, _ = world
    groups, label = star_groups(store, users["zhen01"], "C01T01", 2025, "cycle", TODAY)
    assert label == "2025—2026年度（2025-07-01至2026-06-30）"  # party-stars-5x20 starts 07-01
    # only B03's scheme awards stars: 94 → 5, 84 → 4, 66 → 2
    assert star_rows(groups) == [
        {"支部": "三村党支部", "星级": "★★★★★ 五星党员", "姓名": "刘一", "标记": "上报上级"},
        {"支部": "三村党支部", "星级": "★★★★ 四星党员", "姓名": "陈二", "标记": ""},
        {"支部": "三村党支部", "星级": "★★ 二星党员", "姓名": "林三", "标记": "批评教育"}]
    assert star_groups(store, users["zhen01"], "C01T01", 2025, "Q1", TODAY)[0] == []  # Q1 is rated by no scheme here
    doc = stars_document("测试镇", label, groups, TODAY)
    assert doc["title"] == "测试镇2025—2026年度（2025-07-01至2026-06-30）星级党员挂牌名单"
    assert xlsx_bytes(doc)[:2] == b"PK"


def test_cases_opened_from_grades_and_flags_once(world):
    store, users, opened = world
    # 诫勉 M06; 基本合格 M13; 不合格 M15; handle veto M12 (优秀); probation flags M14, M15
    assert opened == 6
    kinds = {(c.member_id, c.kind, c.grade, c.reason) for c in C.list_cases(store, users["zhen01"], "C01T01", TODAY)}
    assert kinds == {("M06", "disposal", "诫勉", "年度等次为诫勉"), ("M13", "disposal", "基本合格", "年度等次为基本合格"),
                     ("M15", "disposal", "不合格", "年度等次为不合格"),
                     ("M12", "disposal", "优秀", "一票否决，不论得分均予处置"),
                     ("M14", "probation_extend", "合格", "积分结果标记：延长预备期"),
                     ("M15", "probation_cancel", "不合格", "积分结果标记：取消预备资格")}
    assert C.open_cases(store, users["shuji02"], w.B02, 2025, TODAY) == 0  # idempotent
    assert store.scalar("SELECT count(*) FROM disposal_cases") == 6
    assert audited(store, "disposal.open", "M15") == 2


def test_disposal_steps_in_order_by_role(world):
    store, users, _ = world
    s1, s2, town, rec = users["shuji01"], users["shuji02"], users["zhen01"], users["jilu01"]
    case = case_of(store, town, "M06")  # B01's 诫勉
    with pytest.raises(ScopeError):  # another branch's secretary: refused and audited
        C.record_talk(store, s2, case.id, dt.date(2026, 1, 5), "谈话", today=TODAY)
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'scope.denied' AND member_id IS NULL"
                        " AND username = 'shuji02' AND org_code = ?", [w.B01]) == 1
    with pytest.raises(PermissionDenied, match="记分员无权办理支部处置步骤"):
        C.record_talk(store, rec, case.id, dt.date(2026, 1, 5), "谈话", today=TODAY)
    assert audited(store, "disposal.denied", "M06") == 1
    with pytest.raises(EntryError, match="还没有谈心谈话，现在不能制定整改计划"):
        C.record_plan(store, s1, case.id, "每月参加组织生活", dt.date(2026, 1, 15), today=TODAY)
    with pytest.raises(EntryError, match="在今天之后"):
        C.record_talk(store, s1, case.id, dt.date(2026, 7, 11), "谈话", today=TODAY)
    C.record_talk(store, s1, case.id, dt.date(2026, 1, 5), "指出问题，听取想法", today=TODAY)
    with pytest.raises(EntryError, match="还没有整改计划，现在不能提出支部建议"):
        C.recommend(store, s1, case.id, "转化")
    with pytest.raises(EntryError, match="早于谈心谈话日期"):
        C.record_plan(store, s1, case.id, "每月参加组织生活", dt.date(2026, 1, 4), today=TODAY)
    C.record_plan(store, s1, case.id, "每月参加组织生活", dt.date(2026, 1, 15), today=TODAY)
    case = C.get_case(store, case.id)
    assert (case.plan_date, case.deadline) == (dt.date(2026, 1, 15), dt.date(2026, 7, 15))  # + 6 months
    assert case.state_text(TODAY) == "转化期中，至 2026-07-15"
    with pytest.raises(EntryError, match="现在不能作出党委决定"):  # nothing recommended yet
        C.decide(store, town, case.id, "转化")
    with pytest.raises(EntryError, match="支部建议应为 转化、限期改正、劝退、除名 之一"):
        C.recommend(store, s1, case.id, "延长预备期")
    C.recommend(store, s1, case.id, "转化")
    with pytest.raises(PermissionDenied, match="支部书记无权作出党委处置决定"):  # the branch never decides
        C.decide(store, s1, case.id, "转化")
    assert audited(store, "disposal.denied", "M06") == 2
    C.decide(store, town, case.id, "转化", "转化期表现良好")
    case = C.get_case(store, case.id)
    assert (case.state, case.outcome, case.state_text(dt.date(2026, 8, 1))) == ("decided", "转化", "已决定：转化")
    with pytest.raises(EntryError, match="已作出决定"):
        C.decide(store, town, case.id, "除名")
    assert [audited(store, a, "M06") for a in ("disposal.talk", "disposal.plan", "disposal.recommend",
                                               "disposal.decide")] == [1, 1, 1, 1]


def test_month_end_deadline_and_overdue_listing(world):
    store, users, _ = world
    s2, town = users["shuji02"], users["zhen01"]
    case = case_of(store, town, "M13")  # B02's 基本合格
    C.record_talk(store, s2, case.id, dt.date(2025, 8, 30), "谈话", today=TODAY)
    C.record_plan(store, s2, case.id, "按时交纳党费", dt.date(2025, 8, 31), today=TODAY)
    assert C.get_case(store, case.id).deadline == dt.date(2026, 2, 28)  # 08-31 + 6 months: February's last day
    # on its deadline not yet overdue; ten days later overdue (2026-03-10 − 2026-02-28 = 10 days)
    assert [c.member_id for c in C.list_cases(store, town, "C01T01", dt.date(2026, 2, 28), overdue=True)] == []
    late = C.list_cases(store, town, "C01T01", dt.date(2026, 3, 10), overdue=True)
    assert [(c.member_id, c.state_text(dt.date(2026, 3, 10))) for c in late] == [("M13", "已逾期 10 天（转化期中）")]
    # 总览's alert and the township's 首页 待办 (on TODAY 2026-07-10: 2026-02-28 + 132 days)
    scope = scope_for(store, town)
    flt = default_filter(TODAY)
    alerts = disposals(store, scope, flt, {w.B02: "二村党支部"})
    assert [(a.rule, a.branch, a.message) for a in alerts] == [
        ("disposal", w.B02, "1 名党员整改转化期已满、尚未作出处置决定（郑三，最长已逾期 132 天）")]
    texts = [t.text for t in todos(store, town, scope, TODAY) if t.page == "results_use"]
    assert "二村党支部：1 名党员整改转化期已满、尚未作出处置决定（郑三），最长已逾期 132 天" in texts
    # the secretary of B02 sees it too, with B02's steps still waiting (M12's talk, M15's, M14/M15 probation)
    mine = [t.text for t in todos(store, s2, scope_for(store, s2), TODAY) if t.page == "results_use"]
    assert mine[0].startswith("二村党支部：1 名党员整改") and any("待支部办理" in t for t in mine)
    # a decision ends it
    C.recommend(store, s2, case.id, "限期改正")
    C.decide(store, users["admin"], case.id, "限期改正")
    assert C.list_cases(store, town, "C01T01", dt.date(2026, 3, 10), overdue=True) == []


def test_probation_cases_skip_the_transformation_period(world):
    store, users, _ = world
    s2, town, admin = users["shuji02"], users["zhen01"], users["admin"]
    extend, cancel = case_of(store, town, "M14", "probation_extend"), case_of(store, town, "M15", "probation_cancel")
    assert extend.state_text(TODAY) == "待支部提出建议"
    with pytest.raises(EntryError, match="没有谈心谈话步骤"):
        C.record_talk(store, s2, extend.id, dt.date(2026, 1, 5), "谈话", today=TODAY)
    with pytest.raises(EntryError, match="支部建议应为 延长预备期、取消预备党员资格 之一"):
        C.recommend(store, s2, extend.id, "转化")
    C.recommend(store, s2, extend.id, "延长预备期")
    C.recommend(store, s2, cancel.id, "取消预备党员资格")
    C.decide(store, town, extend.id, "延长预备期")
    C.decide(store, admin, cancel.id, "取消预备党员资格", "经党委会研究")
    got = {c.kind: (c.state, c.outcome, c.deadline) for c in C.list_cases(store, town, w.B02, TODAY)
           if c.kind != C.DISPOSAL}
    assert got == {"probation_extend": ("decided", "延长预备期", None),
                   "probation_cancel": ("decided", "取消预备党员资格", None)}


def test_candidate_list_prints():
    """One PDF (about 0.7 s: the CJK font is embedded); the rows are the tested candidate rows."""
    doc = candidates_document("测试镇", "2025年度", [], TODAY)
    assert doc["rows"] == [{"序号": "", "姓名": "（无符合条件的人选）"}]
    assert pdf_bytes(doc)[:4] == b"%PDF"


@pytest.mark.parametrize("start, months, end", [
    (dt.date(2026, 1, 15), 6, dt.date(2026, 7, 15)),
    (dt.date(2025, 8, 31), 6, dt.date(2026, 2, 28)),
    (dt.date(2023, 8, 31), 6, dt.date(2024, 2, 29)),  # a leap February
    (dt.date(2025, 7, 31), 6, dt.date(2026, 1, 31)),
    (dt.date(2025, 12, 30), 2, dt.date(2026, 2, 28)),
])
def test_months_later(start, months, end):
    assert C.months_later(start, months) == end
