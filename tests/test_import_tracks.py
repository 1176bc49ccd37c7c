"""积分记录 import for a village's households and a station's volunteers: each row is checked
against the scheme of its subject's track, a 处罚积分 needs its 村集体决定, a service its rating."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from core import imports
from core.imports import ImportRefused
from core.imports.templates import template_bytes
from tests import village_world
from tests.import_files import csv
from tests.volunteers_world import STATION, STATION_SECRETARY, build_station

TODAY = dt.date(2025, 11, 20)


@pytest.fixture
def village(store):
    village_world.build(store)
    return store


def test_a_village_ledger_of_households_and_members_imports_each_by_its_own_scheme(village):
    data = csv([
        "姓名,积分项目,日期,分值,村集体决定,备注",
        "刘一户,见义勇为,2025-03-02,,,",                                 # household item (village-4class, 5 points)
        "陈二户,违反村规民约、积分管理细则的不良行为（形成村集体决定）,2025-04-10,-3,2025-04-08村民代表会议,乱堆柴草",
        "张三,缺席三会一课,2025-08-01,,,",                               # a member: the party scheme's item
    ])
    p = imports.preview(village, village_world.SECRETARY, "events", data, "村台账.csv", village_world.BRANCH,
                        today=TODAY)
    assert p.ok, p.errors.rows()
    imports.commit(village, village_world.SECRETARY, p, today=TODAY)
    rows = village.all("SELECT member_id, item, points, note FROM events ORDER BY id")
    # the penalty's note leads with its decision, as 积分录入 stores it (village.decision_note)
    assert rows == [("H01", "brave_deed", None, None),
                    ("H02", "rule_violation", Decimal("-3.00"), "村集体决定：2025-04-08村民代表会议；乱堆柴草"),
                    ("M01", "miss_meeting", None, None)]


def test_a_penalty_without_its_decision_and_an_item_of_the_other_track_are_refused_by_row(village):
    data = csv([
        "姓名,积分项目,日期,分值",
        "刘一户,违反村规民约、积分管理细则的不良行为（形成村集体决定）,2025-04-10,-3",  # row 2: no 村集体决定
        "陈二户,缺席三会一课,2025-04-11,",                                              # row 3: a party item
        "杨三户,见义勇为,2025-04-12,",                                                  # row 4: fine
    ])
    p = imports.preview(village, village_world.SECRETARY, "events", data, "x.csv", village_world.BRANCH, today=TODAY)
    with pytest.raises(ImportRefused):
        imports.commit(village, village_world.SECRETARY, p, today=TODAY)
    errors = {(r["行号"], r["列"]): r["问题"] for r in p.errors.iter_rows(named=True)}
    assert "须形成村集体决定" in errors[(2, "村集体决定")]
    assert "没有项目「缺席三会一课」" in errors[(3, "积分项目")]
    assert village.scalar("SELECT count(*) FROM events") == 0


def test_a_stations_service_hours_import_with_their_rating(store):
    build_station(store)
    def ledger(rating: str) -> bytes:
        return csv(["义工姓名,积分项目,日期,时长,服务评价",
                    "周义,党员义工服务（每小时，评价满意）,2025-06-01,1.5,满意",
                    f"吴工,service,2025-06-02,2,{rating}"])

    data = ledger("很好")  # row 3: not one of 满意/基本满意/不满意
    p = imports.preview(store, STATION_SECRETARY, "events", data, "服务.csv", STATION, today=TODAY)
    with pytest.raises(ImportRefused):
        imports.commit(store, STATION_SECRETARY, p, today=TODAY)
    assert [(r["行号"], r["列"]) for r in p.errors.iter_rows(named=True)] == [(3, "服务评价")]
    fixed = ledger("基本满意")
    imports.commit(store, STATION_SECRETARY,
                   imports.preview(store, STATION_SECRETARY, "events", fixed, "服务.csv", STATION, today=TODAY),
                   today=TODAY)
    assert store.all("SELECT member_id, item, count, rating FROM events ORDER BY id") == [
        ("V01", "service", Decimal("1.50"), "满意"), ("V02", "service", Decimal("2.00"), "基本满意")]


def test_a_village_template_lists_party_and_household_items(village):
    book = template_bytes("events", village, village_world.BRANCH)
    assert "村集体决定" in pl.read_excel(book, engine="calamine", sheet_id=1).columns
    options = pl.read_excel(book, engine="calamine", sheet_name="选项", has_header=False)
    items = {v for column in options.columns for v in options[column].drop_nulls()}  # every drop-down's values
    assert "缺席三会一课" in items and "见义勇为" in items


def test_a_household_row_before_the_village_scheme_is_refused_though_the_party_scheme_is_in_force(village):
    # the township's party scheme runs from 2024-07-01, the village's household scheme from
    # 2025-01-01: on 2024-10-01 a member has a scheme, a household none
    data = csv([
        "姓名,积分项目,日期,分值",
        "刘一户,见义勇为,2024-10-01,",     # row 2
        "张三,缺席三会一课,2024-10-01,",   # row 3
    ])
    p = imports.preview(village, village_world.SECRETARY, "events", data, "x.csv", village_world.BRANCH, today=TODAY)
    errors = {(r["行号"], r["列"]): r["问题"] for r in p.errors.iter_rows(named=True)}
    assert errors[(2, "日期")] == "2024-10-01 该支部没有适用的乡村治理积分方案，请先在「积分方案」页面设置"
    assert not any(row == 3 and "方案" in text for (row, _), text in errors.items())
