"""The volunteers' service log, stars, training and 月报 on both stores (a small station:
tests/volunteers_world.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.auth import PermissionDenied, ScopeError
from core.services import ledger, review
from core.services.entry_rules import EntryError
from core.services.results import branch_results
from core.volunteers import monthly, service_log, standing, training
from tests.entry_world import RECORDER, TOWNSHIP
from tests.volunteers_world import STATION, STATION_RECORDER, STATION_SECRETARY, TODAY, station  # noqa: F401

D = dt.date(2025, 9, 12)


def log(store, vid="V01", day=D, hours="2", service_type="便民利民", form="集中", rating="满意", user=STATION_RECORDER,
        **kw):
    kw.setdefault("confirmed_by", "" if form == "派单" else "站长")
    return service_log.log_service(store, user, vid, day, hours, service_type, form, rating, today=TODAY, **kw)


def approve(store, *ids):
    review.approve(store, STATION_SECRETARY, list(ids))


def test_half_hours_save_and_the_results_count_them(station):
    event_id = log(station, hours="1.5")
    assert station.one("SELECT item, count, rating FROM events WHERE id = ?", [event_id]) == (
        "service", Decimal("1.50"), "满意")
    assert station.one("SELECT service_type, form, confirmed_by, served_name FROM service_details WHERE event_id = ?",
                       [event_id]) == ("便民利民", "集中", "站长", None)
    approve(station, event_id)
    # the station's results (积分结果, track volunteer): 1.5 h × 5 = 7.5 points
    out = branch_results(station, STATION, 2025, today=TODAY, track="volunteer").output
    assert {r["subject"]: r["total"] for r in out["results"]}["V01"] == 7.5
    row = next(r for r in standing.standing(station, STATION_SECRETARY, STATION, 2025, TODAY)["rows"] if r["编号"] == "V01")
    assert (row["服务时长（小时）"], row["满意时长（小时）"], row["积分"], row["星级"]) == (1.5, 1.5, 7.5, 0)
    # a quarter of an hour is not a half-hour step
    with pytest.raises(EntryError, match="以半小时为单位（如 1.5），填写的是 1.25"):
        log(station, hours="1.25")
    with pytest.raises(EntryError, match="服务时长（小时）最多 24"):
        log(station, hours=25)


def test_service_before_registration_is_refused(station):
    # 郑服 (V03) registered on 2025-03-01: the day before is refused, the day itself saves
    with pytest.raises(EntryError, match="郑服 于 2025-03-01 登记为党员义工，2025-02-28 的服务在此之前，不计积分，未保存"):
        log(station, "V03", dt.date(2025, 2, 28))
    assert station.scalar("SELECT count(*) FROM events") == 0
    assert log(station, "V03", dt.date(2025, 3, 1))


def test_dispatch_needs_the_served_persons_name_and_group_service_a_confirmer(station):
    with pytest.raises(EntryError, match="派单服务由服务对象签字认定：请填写服务对象姓名"):
        log(station, form="派单")
    with pytest.raises(EntryError, match="集中服务的时长由工作站认定：请填写认定人"):
        log(station, form="集中", confirmed_by="  ")
    assert station.scalar("SELECT count(*) FROM events") == 0
    event_id = log(station, form="派单", served_name="李大娘")
    # the person served is the one who confirmed it
    assert station.one("SELECT confirmed_by, served_name FROM service_details WHERE event_id = ?",
                       [event_id]) == ("李大娘", "李大娘")
    with pytest.raises(EntryError, match="服务类别应为 时政宣教、便民利民、困难帮扶、社会公共、助推中心 之一"):
        log(station, service_type="文艺演出")
    with pytest.raises(EntryError, match="评价应为|请选择服务评价"):
        log(station, rating="很好")


def test_only_station_staff_in_scope_log_service(station):
    with pytest.raises(PermissionDenied, match="无权登记义工服务"):
        log(station, user=TOWNSHIP)
    with pytest.raises(ScopeError, match="不在您的管辖范围内"):
        log(station, user=RECORDER)  # a village's recorder, not the station's
    with pytest.raises(EntryError, match="张三 不是登记的党员义工"):
        service_log.log_service(station, RECORDER, "M01", D, 2, "便民利民", "集中", "满意", "站长", today=TODAY)


def test_share_at_three_stars_is_one_of_four(station):
    # 周义 180 h → 900 → 3★; 吴工, 郑服, 冯务 60 h → 300 → 1★ each (冯务 registered 2025-09-10)
    ids = [ledger.record_event(station, STATION_RECORDER, "V01", "service", D, count=180, rating="满意", today=TODAY)]
    ids += [ledger.record_event(station, STATION_RECORDER, vid, "service", D, count=60, rating="满意", today=TODAY)
            for vid in ("V02", "V03", "V04")]
    approve(station, *ids)
    year = standing.standing(station, STATION_SECRETARY, STATION, 2025, TODAY)
    assert sorted((r["编号"], r["星级"], r["积分"]) for r in year["rows"]) == [
        ("V01", 3, 900.0), ("V02", 1, 300.0), ("V03", 1, 300.0), ("V04", 1, 300.0)]
    # 1 of 4 volunteers at ≥3★ = 25%, against the 50% target (not 3+1+1+1 of 12 possible stars = 50%)
    assert year["share"] == {"hits": 1, "of": 4, "percent": 25, "min_percent": 50, "max_percent": None}
    assert "优先享受服务" in next(r for r in year["rows"] if r["编号"] == "V02")["标记"]


def test_training_needs_two_sessions_and_twelve_hours(station):
    add = training.add_training
    add(station, STATION_RECORDER, STATION, ["V01", "V02", "V03"], dt.date(2025, 4, 1), 6, "党性教育", today=TODAY)
    add(station, STATION_RECORDER, STATION, ["V01", "V02"], dt.date(2025, 8, 1), "5.5", "急救技能", today=TODAY)
    add(station, STATION_RECORDER, STATION, ["V01"], dt.date(2025, 10, 1), "0.5", "政策宣讲", today=TODAY)
    status = training.training_status(station, STATION, 2025)
    # V01: 3 sessions, 6 + 5.5 + 0.5 = 12 h → met; V02: 2 sessions, 11.5 h → not; V03: 1 session, 6 h → not
    assert [(status[v]["sessions"], float(status[v]["hours"]), status[v]["met"]) for v in ("V01", "V02", "V03")] == [
        (3, 12.0, True), (2, 11.5, False), (1, 6.0, False)]
    assert training.training_text(status["V02"]) == "2 次 / 11.5 小时，未达标（每年至少 2 次、12 小时）"
    # a session of 2024 does not count for 2025
    add(station, STATION_RECORDER, STATION, ["V03"], dt.date(2024, 12, 31), 8, "往年培训", today=TODAY)
    assert training.training_status(station, STATION, 2025)["V03"]["sessions"] == 1
    with pytest.raises(EntryError, match="不是本工作站的义工"):
        add(station, STATION_RECORDER, STATION, ["M01"], dt.date(2025, 4, 1), 2, "x", today=TODAY)
    with pytest.raises(EntryError, match="请填写培训内容"):
        add(station, STATION_RECORDER, STATION, ["V01"], dt.date(2025, 4, 1), 2, " ", today=TODAY)


def test_due_date_is_the_next_months_first_wednesday():
    assert monthly.due_date(dt.date(2025, 9, 1)) == dt.date(2025, 10, 1)  # 10-01 is a Wednesday
    assert monthly.due_date(dt.date(2025, 10, 1)) == dt.date(2025, 11, 5)  # 11-01 Saturday → 11-05
    assert monthly.due_date(dt.date(2025, 12, 1)) == dt.date(2026, 1, 7)  # 2026-01-01 Thursday → 01-07


def test_monthly_report_counts_and_its_state(station):
    a = log(station, "V01", dt.date(2025, 10, 3), "1.5", "时政宣教", "集中")
    log(station, "V02", dt.date(2025, 10, 3), "2", "时政宣教", "集中")
    log(station, "V02", dt.date(2025, 10, 20), "3", "困难帮扶", "派单", served_name="李大娘")
    rejected = log(station, "V03", dt.date(2025, 10, 21), "4", "社会公共", "定点")
    log(station, "V01", dt.date(2025, 9, 30), "1", "社会公共", "定点")  # September: not in October's report
    approve(station, a)
    review.reject(station, STATION_SECRETARY, [rejected], "时长有误")
    rep = monthly.report(station, STATION_SECRETARY, STATION, dt.date(2025, 10, 1), today=dt.date(2025, 11, 5))
    # standing: 1.5 + 2 + 3 = 6.5 h in 3 records (the rejected 4 h left out), 2 pending; all 4 registered
    # by 10-31 (冯务 on 09-10, so not new in October); 周义 and 吴工 served
    summary = {r["项目"]: r["数值"] for r in rep["summary"]}
    assert summary == {"服务时长（小时）": "6.5", "服务记录（条）": "3", "其中待审核（条）": "2", "集中服务（天）": "1",
                       "在册义工（人）": "4", "参加服务的义工（人）": "2", "本月新登记义工（人）": "0"}
    by_type = {r["服务类别"]: r for r in rep["by_type"]}
    assert by_type["时政宣教"]["集中（条/小时）"] == "2 / 3.5" and by_type["困难帮扶"]["派单（条/小时）"] == "1 / 3"
    assert by_type["社会公共"]["合计（条）"] == "0"
    assert rep["title"] == "测试镇党员义工工作站服务活动月报（2025年10月）"
    # due 2025-11-05: on that day not yet overdue, the day after overdue; sent late it says so
    assert monthly.state(station, STATION, dt.date(2025, 10, 1), dt.date(2025, 11, 5))["overdue"] is False
    late = monthly.state(station, STATION, dt.date(2025, 10, 1), dt.date(2025, 11, 6))
    assert late["overdue"] is True and late["text"] == "已逾期，未上报（应于 2025-11-05（星期三）前上报）"
    with pytest.raises(EntryError, match="2025年11月尚未结束"):
        monthly.submit(station, STATION_RECORDER, STATION, dt.date(2025, 11, 1), today=dt.date(2025, 11, 20))
    monthly.submit(station, STATION_RECORDER, STATION, dt.date(2025, 10, 1), today=dt.date(2025, 11, 4))
    sent = monthly.state(station, STATION, dt.date(2025, 10, 1), dt.date(2025, 11, 20))
    assert sent["overdue"] is False and sent["text"].startswith("已上报：2025-11-04")
    with pytest.raises(EntryError, match="已于 2025-11-04 上报"):
        monthly.submit(station, STATION_RECORDER, STATION, dt.date(2025, 10, 1), today=dt.date(2025, 11, 5))
    assert monthly.report_excel(rep)[:2] == b"PK"
    assert monthly.report_pdf(rep)[:4] == b"%PDF"


def test_group_service_by_month(station):
    log(station, "V01", dt.date(2025, 1, 10), form="集中")
    log(station, "V01", dt.date(2025, 2, 10), form="定点")
    log(station, "V02", dt.date(2025, 3, 5), form="集中")
    log(station, "V01", dt.date(2025, 3, 5), form="集中")  # the same day's activity: one day
    months = standing.group_service(station, STATION, dt.date(2025, 1, 1), dt.date(2025, 3, 31), dt.date(2025, 3, 31))
    assert [(m["月份"], m["集中服务（天）"], m["情况"]) for m in months] == [
        ("2025年1月", 1, "已开展"), ("2025年2月", 0, "未开展"), ("2025年3月", 1, "已开展")]


def test_monthly_home_service_reads_the_two_cycles_before(station):
    # 周义 180 h in 2025 → 900 → 3★; 2024 and 2023 at 3★ in cycle_history → 每月上门服务
    # 吴工 180 h too, but 2023 at 2★ → only 优先享受服务
    ids = [ledger.record_event(station, STATION_RECORDER, vid, "service", D, count=180, rating="满意", today=TODAY)
           for vid in ("V01", "V02")]
    approve(station, *ids)
    station.write(lambda cur: cur.executemany(
        "INSERT INTO cycle_history(member_id, cycle, scheme_id, stars, source) VALUES (?, ?, 'volunteer-stars', ?, 'import')",
        [["V01", 2024, 3], ["V01", 2023, 3], ["V02", 2024, 3], ["V02", 2023, 2]]))
    flags = {r["编号"]: r["标记"] for r in standing.standing(station, STATION_SECRETARY, STATION, 2025, TODAY)["rows"]}
    assert flags["V01"] == "优先享受服务、每月上门服务" and flags["V02"] == "优先享受服务"


def test_the_registration_date_is_set_by_the_secretary_and_audited(station):
    from core.volunteers.stations import set_registered

    with pytest.raises(PermissionDenied, match="只有支部书记、乡镇组织委员和管理员"):
        set_registered(station, STATION_RECORDER, "V03", dt.date(2025, 2, 1), today=TODAY)
    set_registered(station, STATION_SECRETARY, "V03", dt.date(2025, 2, 1), today=TODAY)
    assert station.scalar("SELECT approved_on FROM members WHERE id = 'V03'") == dt.date(2025, 2, 1)
    assert log(station, "V03", dt.date(2025, 2, 28))  # refused before (registered 03-01), counted now
    before, after = station.one("SELECT before_json, after_json FROM audit_log WHERE action = 'subject.update'")
    assert "2025-03-01" in before and "2025-02-01" in after


def test_a_volunteer_roster_carries_the_registration_date(station):
    from core import imports
    from tests.import_files import csv

    # 登记日期 written two ways; a second roster with another date updates it
    data = csv(["义工名册", "姓名,联系电话,登记日期", "钱多,13800000011,2025-04-01", "孙少,13800000012,2025.6.15"])
    p = imports.preview(station, STATION_SECRETARY, "volunteers", data, "v.csv", STATION, today=TODAY)
    assert (p.added, p.updated) == (2, 0)
    imports.commit(station, STATION_SECRETARY, p, today=TODAY)
    assert station.all("SELECT name, approved_on FROM members WHERE name IN ('钱多', '孙少') ORDER BY name") == [
        ("孙少", dt.date(2025, 6, 15)), ("钱多", dt.date(2025, 4, 1))]
    new = station.scalar("SELECT id FROM members WHERE name = '钱多'")
    with pytest.raises(EntryError, match="钱多 于 2025-04-01 登记为党员义工"):
        log(station, new, dt.date(2025, 3, 31))


def test_a_station_opens_on_its_volunteers_not_the_inherited_party_scheme(station):
    from core.services.village import branch_tracks

    # the station inherits the township's party scheme but has only volunteers (V01…): its pages
    # offer the volunteer track alone; a village with members beside households keeps both
    assert branch_tracks(station, STATION, TODAY) == ["volunteer"]
    assert branch_tracks(station, "C01T01B01", TODAY) == ["party"]
