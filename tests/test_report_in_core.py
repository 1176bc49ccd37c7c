"""在职党员到社区报到 in core: posts, registration (the 5月10日 deadline, one per member and
year, both sides' scope), community activities against 4 a year, the half-yearly 测评, the
报到率 against 90%, and the feedback letter. Expected values are worked out in comments."""

from __future__ import annotations

import datetime as dt

import pytest

from core.auth import ScopeError, scope_for
from core.reportin import posts as post_service
from core.reportin.activities import record_activity
from core.reportin.evaluations import record_evaluations
from core.reportin.registrations import register, withdraw
from core.reportin.rules import LATE, ON_TIME, ReportInError
from core.reportin.stats import community_summary, department_rates, member_year
from core.services.entry_rules import EntryError
from tests import report_in_world as w

D = dt.date


@pytest.fixture
def world(store):
    w.build(store)
    return store


def _register(store, members, day=D(2025, 5, 1), user=w.DEPARTMENT, post=None):
    post = post or store.scalar("SELECT min(id) FROM community_posts WHERE community_code = ?", [w.A])
    return [register(store, user, mid, w.A, day, post, "每月参加一次政策宣传", today=w.TODAY) for mid in members]


def test_posts_add_rename_deactivate_audited(world):
    first, second = w.posts(world)
    post_service.rename_post(world, w.COMMUNITY, first, "政策宣讲")
    with pytest.raises(ReportInError, match="已有在用的岗位「环境整治」"):
        post_service.add_post(world, w.COMMUNITY, w.A, "环境整治")
    post_service.set_post_active(world, w.COMMUNITY, second, False)
    assert [(p["name"], p["active"]) for p in post_service.posts(world, w.A)] == [("政策宣讲", True), ("环境整治", False)]
    # a deactivated post takes no new registration
    with pytest.raises(ReportInError, match="不是阳光社区党支部在用的岗位"):
        register(world, w.DEPARTMENT, "D01", w.A, D(2025, 5, 1), second, "承诺", today=w.TODAY)
    # another community's staff may not touch A's posts
    with pytest.raises(ScopeError):
        post_service.add_post(world, w.OUTSIDER, w.A, "便民服务")
    actions = [r[0] for r in world.all("SELECT action FROM audit_log WHERE action LIKE 'report_in.post%' ORDER BY id")]
    assert actions == ["report_in.post_add", "report_in.post_add", "report_in.post_rename", "report_in.post_active"]


def test_deadline_0510_on_time_0511_late(world):
    w.posts(world)
    _register(world, ["D01"], D(2025, 5, 10))
    _register(world, ["D02"], D(2025, 5, 11), user=w.COMMUNITY)  # the community side may register too
    rows = {r["member_id"]: r for r in member_year(world, scope_for(world, w.ADMIN), 2025).iter_rows(named=True)}
    assert (rows["D01"]["timeliness"], rows["D02"]["timeliness"]) == (ON_TIME, LATE)
    # late is counted, not refused: 2 reported of 25, 1 on time, 1 late
    dept = department_rates(world, scope_for(world, w.ADMIN), 2025).row(0, named=True)
    assert (dept["reported"], dept["on_time"], dept["late"]) == (2, 1, 1)
    comm = {r["code"]: r for r in community_summary(world, scope_for(world, w.STREET), 2025).iter_rows(named=True)}
    assert (comm[w.A]["registered"], comm[w.A]["on_time"], comm[w.A]["late"]) == (2, 1, 1)
    assert comm[w.B]["registered"] == 0


def test_one_live_registration_per_member_and_year(world):
    w.posts(world)
    (rid,) = _register(world, ["D01"])
    with pytest.raises(ReportInError, match="每人每年只有一条报到记录"):
        register(world, w.COMMUNITY, "D01", w.A, D(2025, 6, 1), world.scalar("SELECT min(id) FROM community_posts"),
                 "另一个承诺", today=w.TODAY)
    assert world.scalar("SELECT count(*) FROM report_ins") == 1
    _register(world, ["D01"], D(2024, 4, 1))  # another year is another registration
    withdraw(world, w.DEPARTMENT, rid, "搬家，改到东苑社区")
    _register(world, ["D01"], D(2025, 6, 2))  # withdrawn: may register again
    assert world.scalar("SELECT count(*) FROM report_ins WHERE year = 2025 AND withdrawn_at IS NULL") == 1
    with pytest.raises(ReportInError, match="已撤销"):
        withdraw(world, w.DEPARTMENT, rid, "再撤一次")


def test_bad_input_named_and_nothing_written(world):
    w.posts(world)
    post = world.scalar("SELECT min(id) FROM community_posts")
    with pytest.raises(ReportInError, match="请填写服务承诺"):
        register(world, w.DEPARTMENT, "D01", w.A, D(2025, 5, 1), post, "  ", today=w.TODAY)
    with pytest.raises(ReportInError, match="服务承诺最多500个字"):
        register(world, w.DEPARTMENT, "D01", w.A, D(2025, 5, 1), post, "诺" * 501, today=w.TODAY)
    with pytest.raises(ReportInError, match="在今天之后"):
        register(world, w.DEPARTMENT, "D01", w.A, D(2025, 12, 1), post, "承诺", today=w.TODAY)
    with pytest.raises(ReportInError, match="不是在用的社区党组织"):
        register(world, w.DEPARTMENT, "D01", w.DEPT, D(2025, 5, 1), post, "承诺", today=w.TODAY)
    assert world.scalar("SELECT count(*) FROM report_ins") == 0


def test_member_outside_both_sides_is_refused_and_audited(world):
    w.posts(world)
    post = world.scalar("SELECT min(id) FROM community_posts")
    # the village secretary holds neither D01's department nor community A
    with pytest.raises(ScopeError, match="都不在您的管辖范围内"):
        register(world, w.OUTSIDER, "D01", w.A, D(2025, 5, 1), post, "承诺", today=w.TODAY)
    # the department secretary may not register someone of another branch (X01) either ... unless
    # the community is theirs: it is not
    with pytest.raises(ScopeError):
        register(world, w.DEPARTMENT, "X01", w.A, D(2025, 5, 1), post, "承诺", today=w.TODAY)
    assert world.scalar("SELECT count(*) FROM audit_log WHERE action = 'scope.denied'") == 2
    assert world.scalar("SELECT count(*) FROM report_ins") == 0
    # the community's side may take X01 (a member of another township who lives there)
    register(world, w.COMMUNITY, "X01", w.A, D(2025, 5, 1), post, "承诺", today=w.TODAY)


@pytest.mark.parametrize("registered, rate, meets", [(23, 92.0, True), (22, 88.0, False)])
def test_report_in_rate_against_90(world, registered, rate, meets):
    w.posts(world)
    _register(world, w.DEPT_MEMBERS[:registered])
    row = department_rates(world, scope_for(world, w.DEPARTMENT), 2025).row(0, named=True)
    # 23 / 25 = 92.0% ≥ 90%; 22 / 25 = 88.0% < 90%
    assert (row["department"], row["members"], row["reported"], row["rate"], row["meets"]) == \
        ("县农业农村局机关党支部", 25, registered, rate, meets)


def test_community_activities_count_toward_four_a_year(world):
    w.posts(world)
    _register(world, ["D01", "D02"], D(2025, 3, 1))
    _register(world, ["D03"], D(2025, 9, 1))
    for month in (4, 5, 6, 7):  # D01 at all four, D02 at the first three
        record_activity(world, w.COMMUNITY_RECORDER, w.A, D(2025, month, 15), f"{month}月政策宣传",
                        {"D01"} | ({"D02"} if month < 7 else set()), today=w.TODAY)
    # D03 registered on 09-01: not on the list of a July activity
    with pytest.raises(EntryError, match="不在本社区的报到名单中"):
        record_activity(world, w.COMMUNITY, w.A, D(2025, 7, 20), "环境整治", {"D03"}, today=w.TODAY)
    # the department cannot record the community's activity
    with pytest.raises(ScopeError):
        record_activity(world, w.DEPARTMENT, w.A, D(2025, 8, 1), "环境整治", {"D01"}, today=w.TODAY)
    rows = {r["member_id"]: r for r in member_year(world, scope_for(world, w.DEPARTMENT), 2025).iter_rows(named=True)}
    assert {m: (r["activities"], r["meets"]) for m, r in rows.items()} == {
        "D01": (4, True), "D02": (3, False), "D03": (0, False)}
    comm = {r["code"]: r for r in community_summary(world, scope_for(world, w.COMMUNITY), 2025).iter_rows(named=True)}
    assert (comm[w.A]["activities"], comm[w.A]["met_min"]) == (4, 1)
    # absent members are listed as 缺席: 4 activities × 2 listed = 8 rows, 7 present
    assert world.one("SELECT count(*), count(*) FILTER (WHERE status = 'present') FROM attendance") == (8, 7)
    assert world.scalar("SELECT count(*) FROM events") == 0  # a community activity gives no points


def test_evaluation_once_per_member_and_half(world):
    w.posts(world)
    _register(world, ["D01", "D02"])
    assert record_evaluations(world, w.COMMUNITY, w.A, 2025, 1, {"D01": ("好", "积极"), "D02": ("较好", "")},
                              today=w.TODAY) == 2
    with pytest.raises(ReportInError, match="赵一2025年上半年已有测评结果（好），不能重复测评"):
        record_evaluations(world, w.COMMUNITY, w.A, 2025, 1, {"D01": ("一般", "")}, today=w.TODAY)
    with pytest.raises(ReportInError, match="测评等次应为好、较好、一般、差之一"):
        record_evaluations(world, w.COMMUNITY, w.A, 2025, 2, {"D01": ("优秀", "")}, today=w.TODAY)
    with pytest.raises(ReportInError, match="未在2025年向阳光社区党支部报到"):
        record_evaluations(world, w.COMMUNITY, w.A, 2025, 2, {"D03": ("好", "")}, today=w.TODAY)
    with pytest.raises(ReportInError, match="尚未开始"):
        record_evaluations(world, w.COMMUNITY, w.A, 2025, 2, {"D01": ("好", "")}, today=D(2025, 6, 30))
    with pytest.raises(PermissionError):  # a recorder does not grade
        record_evaluations(world, w.COMMUNITY_RECORDER, w.A, 2025, 2, {"D01": ("好", "")}, today=w.TODAY)
    record_evaluations(world, w.COMMUNITY, w.A, 2025, 2, {"D01": ("较好", "")}, today=w.TODAY)
    rows = {r["member_id"]: r for r in member_year(world, scope_for(world, w.ADMIN), 2025).iter_rows(named=True)}
    assert (rows["D01"]["h1"], rows["D01"]["h2"], rows["D02"]["h1"], rows["D02"]["h2"]) == ("好", "较好", "较好", None)
    assert world.scalar("SELECT count(*) FROM audit_log WHERE action = 'report_in.evaluate'") == 3


def test_feedback_letter_pdf_names_the_member(world):
    import io

    import pypdf

    from core.reportin.letter import letter_pdf, letters

    w.posts(world)
    _register(world, ["D01", "D02"])
    record_activity(world, w.COMMUNITY, w.A, D(2025, 6, 15), "六月政策宣传", {"D01"}, today=w.TODAY)
    record_evaluations(world, w.COMMUNITY, w.A, 2025, 1, {"D01": ("较好", "按时参加")}, today=w.TODAY)
    one = letters(world, w.COMMUNITY, w.A, 2025, member_id="D01")
    assert one[0]["to"] == "县农业农村局机关党支部：" and one[0]["activities"][0]["活动名称"] == "六月政策宣传"
    assert one[0]["evaluations"] == [{"测评期间": "2025年上半年", "测评等次": "较好", "评语": "按时参加"}]
    # the CJK font's text comes out of pypdf with NULs between the glyphs (as in test_pdf)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(letter_pdf(one))).pages).replace("\x00", "")
    assert "赵一" in text and "阳光社区党支部（盖章）" in text and "2025-05-01" in text
    # the whole department in one PDF: a page per member in pinyin order (钱二 qian, 赵一 zhao)
    reader = pypdf.PdfReader(io.BytesIO(letter_pdf(letters(world, w.DEPARTMENT, w.A, 2025, department=w.DEPT))))
    assert ["钱二" in p.extract_text().replace("\x00", "") for p in reader.pages] == [True, False]
    with pytest.raises(ScopeError):
        letters(world, w.OUTSIDER, w.A, 2025, member_id="D01")


def test_coverage_report_in_table_follows_the_filter(world):
    from core.metrics import coverage
    from core.metrics.filters import Filter

    w.posts(world)
    _register(world, w.DEPT_MEMBERS[:23])
    _register(world, ["X01"], D(2025, 5, 20), user=w.COMMUNITY)
    flt = Filter(today=w.TODAY, cycle=2025, period="2025Q4")
    admin = scope_for(world, w.ADMIN)
    dept = coverage.report_in(world, admin, flt).row(0, named=True)
    assert (dept["department"], dept["rate"], dept["meets"]) == ("县农业农村局机关党支部", 92.0, True)  # 23/25
    by_community = coverage.report_in(world, admin, flt, by="community")
    # A: 23 on time + X01 late (05-20) = 24; B: none
    assert by_community.select("community", "registered", "on_time", "late").rows() == [
        ("阳光社区党支部", 24, 23, 1), ("东苑社区党支部", 0, 0, 0)]
    # narrowed to the town C01T02 (only the village): no department, no community
    town = Filter(today=w.TODAY, cycle=2025, period="2025Q4", township="C01T02")
    assert coverage.report_in(world, admin, town).is_empty()
    assert coverage.report_in(world, admin, town, by="community").is_empty()
