"""党员花名册 and 义工 imports: messy rosters, matched by ID number or name, all or nothing, undo."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from core import imports
from core.imports import ImportRefused
from tests.entry_world import ADMIN, SECRETARY, TODAY, world  # noqa: F401
from tests.import_files import csv, id_number, xlsx

ZHOU = id_number("11010119850101456")  # 110101198501014560
ZHANG = id_number("11010119900307123")  # 110101199003071233


def roster() -> bytes:
    # a title, a merged two-row header (出生 over 年月; 入党 over 时间), dates four ways; 张三 is
    # already in the branch (matched by name, gets an ID number), 周九 is new
    return xlsx([
        ["党员姓名", "公民身份号码", "年月", "时间", "党员类别", "手机号码", "备注"],
        ["张　三", ZHANG, "1990.3", "2015年7月1日", "正式党员", "138 0000 0001", "组长"],
        ["周九", ZHOU, dt.date(1985, 1, 1), 20100701, "预备党员", None, None],
    ], title="一村党支部党员花名册", merged=[(0, 1, "基本信息"), (2, 2, "出生"), (3, 3, "入党"), (4, 6, "其他")])


def test_a_messy_roster_adds_and_updates(world):
    p = imports.preview(world, SECRETARY, "members", roster(), "花名册.xlsx", "C01T01B01", today=TODAY)
    assert p.ok, p.errors.rows()
    assert (p.added, p.updated, p.unchanged) == (1, 1, 0)
    assert p.extra_columns == ["备注"]
    # the ID number is masked in the preview
    assert p.shown_add.row(0) == (5, "周九", "1101**********4560", "一村党支部")  # title, 2 header rows, 张三
    assert "性别：（空） → 男" in p.shown_update["变更"][0]
    batch = imports.commit(world, SECRETARY, p, today=TODAY)
    zhang = world.one("SELECT id_card, gender, birth_date, join_date, phone, import_batch FROM members"
                      " WHERE id = 'M01'")
    # 出生年月 1990.3 agrees with the ID number, which gives the day (1990-03-07)
    assert zhang == (ZHANG, "男", dt.date(1990, 3, 7), dt.date(2015, 7, 1), "13800000001", None)
    zhou = world.one("SELECT name, branch_code, gender, probationary, probation_start, probation_end, import_batch,"
                     " initials FROM members WHERE id_card = ?", [ZHOU])
    # 预备期 one year from 入党: 2010-07-01 .. 2011-06-30; the 17th digit 6 is even: 女
    assert zhou == ("周九", "C01T01B01", "女", True, dt.date(2010, 7, 1), dt.date(2011, 6, 30), batch, "zj")
    added = world.one("SELECT after_json FROM audit_log WHERE action = 'subject.add'")[0]
    assert json.loads(added)["id_card"] == "1101**********4560"  # the audit never holds the full number


def test_the_same_roster_again_adds_nothing(world):
    imports.commit(world, SECRETARY, imports.preview(world, SECRETARY, "members", roster(), "花名册.xlsx",
                                                      "C01T01B01", today=TODAY), today=TODAY)
    again = imports.preview(world, SECRETARY, "members", roster(), "花名册.xlsx", "C01T01B01", today=TODAY)
    assert again.already and (again.added, again.updated, again.unchanged) == (0, 0, 2)
    # the same people in a new file: matched by ID number, nothing to change
    copy = csv(["姓名,身份证号", f"张三,{ZHANG}", f"周九,{ZHOU}"], "utf-8-sig")
    p = imports.preview(world, SECRETARY, "members", copy, "copy.csv", "C01T01B01", today=TODAY)
    assert (p.added, p.updated, p.unchanged) == (0, 0, 2)


def test_a_bad_roster_is_refused_whole(world):
    bad = xlsx([
        ["姓名", "身份证号", "出生日期", "入党日期", "所在支部"],
        ["吴十", 110101198001017890, None, None, "一村党支部"],            # row 2: typed as a number
        ["郑一", "110101198001017891", None, None, "一村党支部"],          # row 3: wrong check digit
        ["", None, "1980.1", None, "一村党支部"],                         # row 4: no name
        ["冯二", None, "1990-01-01", "2001.7.1", "一村党支部"],             # row 5: joined at 11
        ["陈三", None, None, None, "三村党支部"],                          # row 6: no such branch
        ["褚四", None, "1990.1.1", None, None],                           # row 7: no branch, none chosen
    ])
    p = imports.preview(world, ADMIN, "members", bad, "bad.xlsx", today=TODAY)
    got = {row: (column, problem) for row, column, problem in p.errors.iter_rows()}
    assert got[2] == ("身份证号", "身份证号以数字保存，已丢失末几位，请把该列设为文本后重新填写")
    assert got[3][0] == "身份证号" and "校验位" in got[3][1]
    assert got[4] == ("姓名", "「姓名」不能为空")
    assert got[5][0] == "入党日期" and "18岁" in got[5][1]
    assert got[6] == ("所在支部", "未找到支部「三村党支部」（或不在您的管辖范围内）")
    assert got[7] == ("所在支部", "请填写所在支部，或在导入时选择支部")
    with pytest.raises(ImportRefused):
        imports.commit(world, ADMIN, p)
    assert world.scalar("SELECT count(*) FROM members") == 6


def test_a_secretary_cannot_import_into_another_branch(world):
    other = csv(["姓名,所在支部", "新人,二村党支部"])
    p = imports.preview(world, SECRETARY, "members", other, "a.csv", "C01T01B01", today=TODAY)
    assert p.errors.row(0) == (2, "所在支部", "未找到支部「二村党支部」（或不在您的管辖范围内）")


def test_undo_removes_the_added_and_restores_the_updated(world):
    batch = imports.commit(world, SECRETARY, imports.preview(world, SECRETARY, "members", roster(), "花名册.xlsx",
                                                              "C01T01B01", today=TODAY), today=TODAY)
    assert imports.undo(world, SECRETARY, batch) == {"removed": 1, "restored": 1}
    assert world.scalar("SELECT count(*) FROM members WHERE id_card = ?", [ZHOU]) == 0
    restored = world.one("SELECT id_card, gender, birth_date, phone FROM members WHERE id = 'M01'")
    assert restored == (None, None, None, None)
    assert world.scalar("SELECT count(*) FROM member_branch_history WHERE import_batch = ?", [batch]) == 0


def test_undo_is_refused_once_an_added_member_has_points(world):
    batch = imports.commit(world, SECRETARY, imports.preview(world, SECRETARY, "members", roster(), "花名册.xlsx",
                                                              "C01T01B01", today=TODAY), today=TODAY)
    points = csv(["姓名,积分项目,日期", "周九,缺席三会一课,2025-10-09"])
    imports.commit(world, SECRETARY, imports.preview(world, SECRETARY, "events", points, "p.csv", "C01T01B01",
                                                      today=TODAY), today=TODAY)
    with pytest.raises(ImportRefused, match="周九"):
        imports.undo(world, SECRETARY, batch)


def test_volunteers_are_their_own_subjects(world):
    data = csv(["义工名册", "姓名,身份证号,联系电话", f"张三,{ZHANG},13800000001"])
    p = imports.preview(world, SECRETARY, "volunteers", data, "v.csv", "C01T01B01", today=TODAY)
    # 张三 the party member is not 张三 the volunteer: a new subject of its own kind
    assert (p.added, p.updated) == (1, 0)
    imports.commit(world, SECRETARY, p, today=TODAY)
    assert world.one("SELECT id, kind FROM members WHERE kind = 'volunteer'") == ("V000001", "volunteer")


def test_an_old_xls_roster_is_read_too(world):
    """tests/fixtures/roster.xls was saved by xlwt (BIFF8, as Excel 97–2003 saves .xls): a merged
    title, a date cell, and 吴十's ID number typed as a number."""
    from pathlib import Path

    data = (Path(__file__).parent / "fixtures" / "roster.xls").read_bytes()
    p = imports.preview(world, SECRETARY, "members", data, "roster.xls", "C01T01B01", today=TODAY)
    assert p.errors.rows() == [(4, "身份证号", "身份证号以数字保存，已丢失末几位，请把该列设为文本后重新填写")]
    assert p.shown_add.row(0) == (3, "周九", "1101**********4560", "一村党支部")


def test_a_county_wide_batch_is_undone_only_by_its_importer_or_an_admin(world):
    from tests.entry_world import TOWNSHIP

    data = csv(["姓名,所在支部", "新人甲,一村党支部", "新人乙,二村党支部"])
    batch = imports.commit(world, TOWNSHIP, imports.preview(world, TOWNSHIP, "members", data, "镇名册.csv",
                                                            today=TODAY), today=TODAY)
    with pytest.raises(ImportRefused, match="只有本人或县级管理员"):
        imports.undo(world, SECRETARY, batch)
    assert imports.undo(world, ADMIN, batch)["removed"] == 2
