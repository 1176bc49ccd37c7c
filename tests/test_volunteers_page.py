"""志愿服务 (AppTest, DuckDB): the station's recorder logs 1.5 hours and the page still draws
its stars; a 派单 without the served person's name is refused on screen; training and the
月报 with its due date and downloads."""

from __future__ import annotations

import datetime as dt

import pytest

from core.services import review
from core.store import open_store
from core.cycles import month_start
from core.volunteers import monthly
from tests.apptest_page import run_page
from tests.conftest import ROOT
from tests.volunteers_world import STATION, STATION_RECORDER, STATION_SECRETARY, build_station


@pytest.fixture
def station_path(tmp_path, monkeypatch):
    path = tmp_path / "station.duckdb"
    store = open_store(str(path))  # the Store the app itself uses in this process
    build_station(store)
    store.write(lambda cur: [cur.execute(
        "INSERT INTO users(username, display_name, password_hash, role, org_code) VALUES (?, ?, 'x', ?, ?)",
        [u.username, u.display_name, u.role, u.org_code]).fetchall() for u in (STATION_RECORDER, STATION_SECRETARY)])
    monkeypatch.setenv("JIFEN_DB", str(path))
    monkeypatch.chdir(ROOT)
    return path


def run(user, **state):
    return run_page("pages/volunteers.py", user, **state)


def test_log_half_hours_then_stars_training_and_report(station_path):
    store = open_store(str(station_path))
    at = run(STATION_RECORDER, vol_request_key="k1")
    at.selectbox(key="vol_who_k1").set_value("V01")
    at.number_input(key="vol_hours_k1").set_value(1.5)
    at.selectbox(key="vol_type_k1").set_value("困难帮扶")
    at.radio(key="vol_form_k1").set_value("派单")
    at.button[0].click().run()  # 保存 without the served person's name
    assert not at.exception, at.exception
    assert "派单服务由服务对象签字认定：请填写服务对象姓名" in [e.value for e in at.error]
    assert store.scalar("SELECT count(*) FROM events") == 0
    at.text_input(key="vol_served_k1").input("李大娘")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("已登记：周义（V01）") and "1.5 小时，待审核" in at.success[0].value
    event_id, hours = store.one("SELECT id, count FROM events")
    assert float(hours) == 1.5
    assert store.one("SELECT confirmed_by, served_name FROM service_details") == ("李大娘", "李大娘")
    review.approve(store, STATION_SECRETARY, [event_id])
    # the secretary's view: the stars tab draws (1.5 h × 5 = 7.5 points), and the share's caption
    at = run(STATION_SECRETARY)
    frames = [d.value for d in at.dataframe]
    stars = next(f for f in frames if "星级" in f.columns)
    row = stars[stars["编号"] == "V01"].iloc[0]
    assert (row["服务时长（小时）"], row["积分"], row["星级"]) == (1.5, 7.5, 0)
    assert any("三星级及以上义工 0/4 人 = 0.0%，目标不低于 50%：未达到" in c.value for c in at.caption)
    assert "None" not in " ".join(str(c.value) for c in at.caption)
    # the 月报 of the month picked says when it is due
    today = dt.date.today()
    month = month_start(month_start(today) - dt.timedelta(days=1))
    due = monthly.due_date(month)
    assert any(f"应于 {due:%Y-%m-%d}" in m.value for m in [*at.info, *at.error])


def test_training_is_entered_on_the_page(station_path):
    store = open_store(str(station_path))
    at = run(STATION_RECORDER, vol_train_request_key="t1")
    at.text_input(key="vol_train_topic_t1").input("党性教育")
    at.number_input(key="vol_train_hours_t1").set_value(6.0)
    next(b for b in at.button if b.label == "保存培训记录").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.endswith("党性教育，4 人")
    assert store.scalar("SELECT count(*) FROM volunteer_trainings WHERE station_code = ?", [STATION]) == 4
    frames = [d.value for d in at.dataframe]
    trained = next(f for f in frames if "培训情况" in f.columns)
    assert set(trained["是否达标"]) == {"未达标"}  # one session of 6 h: 2 and 12 are needed


def test_the_last_months_report_is_marked_as_sent(station_path):
    store = open_store(str(station_path))
    at = run(STATION_RECORDER)
    month = month_start(month_start(dt.date.today()) - dt.timedelta(days=1))
    next(b for b in at.button if b.label == "标记为已上报").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == f"已登记上报：{monthly.month_label(month)}月报"
    assert store.scalar("SELECT submitted_by FROM service_reports WHERE station_code = ? AND month = ?",
                        [STATION, month]) == STATION_RECORDER.username
    assert not any(b.label == "标记为已上报" for b in at.button)  # sent once


def test_the_secretary_sets_a_registration_date(station_path):
    store = open_store(str(station_path))
    at = run(STATION_SECRETARY)
    at.selectbox(key="vol_reg_who").set_value("V04").run()
    at.date_input(key="vol_reg_day_V04").set_value(dt.date(2025, 8, 1))
    next(b for b in at.button if b.label == "保存登记日期").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "已修改：冯务 的登记日期为 2025-08-01"
    assert store.scalar("SELECT approved_on FROM members WHERE id = 'V04'") == dt.date(2025, 8, 1)
    # a recorder logs service but does not move the date counting starts from
    assert not any(b.label == "保存登记日期" for b in run(STATION_RECORDER).button)
