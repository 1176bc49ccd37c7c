"""户 import: households and their people from one sheet, one row per person."""

from __future__ import annotations

import datetime as dt

import pytest

from core import imports
from core.imports import ImportRefused
from tests.entry_world import SECRETARY, world  # noqa: F401
from tests.import_files import csv, id_number, xlsx

HEAD = id_number("11010119700101001")  # 110101197001010016


def households() -> bytes:
    return csv([
        "一村农户花名册",
        "户号,户主姓名,姓名,与户主关系,身份证号,出生日期",
        f"1组1号,张大山,张大山,户主,{HEAD},1970.1",
        "1组1号,张大山,李 小 花,配偶,,1972年3月5日",
        "1组2号,,王二,户主,,",
        "1组2号,,王小二,子女,,20050101",
    ])


def test_households_and_their_people_import_from_a_gbk_csv(world):
    p = imports.preview(world, SECRETARY, "households", households(), "农户.csv", "C01T01B01")
    assert p.ok, p.errors.rows()
    assert p.added == 2 and p.shown_add["户成员"].to_list() == [2, 2]
    batch = imports.commit(world, SECRETARY, p)
    assert world.all("SELECT id, name, kind, head_name, house_no, id_card FROM members WHERE kind = 'household'"
                     " ORDER BY id") == [("H000001", "张大山", "household", "张大山", "1组1号", HEAD),
                                         ("H000002", "王二", "household", "王二", "1组2号", None)]
    assert world.all("SELECT household_id, name, relation, birth_date FROM household_people ORDER BY id") == [
        ("H000001", "张大山", "户主", dt.date(1970, 1, 1)), ("H000001", "李小花", "配偶", dt.date(1972, 3, 5)),
        ("H000002", "王二", "户主", None), ("H000002", "王小二", "子女", dt.date(2005, 1, 1))]
    again = imports.preview(world, SECRETARY, "households", households(), "农户.csv", "C01T01B01")
    assert again.already["id"] == batch and again.added == 0
    # one more person for an existing household: an update of that household
    grown = households() + "1组2号,,王小三,子女,,\n".encode("gbk")
    p2 = imports.preview(world, SECRETARY, "households", grown, "农户2.csv", "C01T01B01")
    assert (p2.added, p2.updated) == (0, 1)
    second = imports.commit(world, SECRETARY, p2)
    assert world.scalar("SELECT count(*) FROM household_people WHERE household_id = 'H000002'") == 3
    assert imports.undo(world, SECRETARY, second) == {"removed": 0, "restored": 0}
    assert world.scalar("SELECT count(*) FROM household_people WHERE household_id = 'H000002'") == 2
    assert imports.undo(world, SECRETARY, batch)["removed"] == 2
    assert world.scalar("SELECT count(*) FROM household_people") == 0


def test_a_bad_household_sheet_is_refused_whole(world):
    bad = xlsx([["户号", "户主姓名", "姓名", "与户主关系", "身份证号"],
                ["1组1号", "张大山", "张大山", "户主", None],
                ["1组1号", "张大山", "张小山", "儿子", None],        # row 3: not a relation the system knows
                [None, None, "无名", None, None],                     # row 4: no 户号, no 户主
                ["1组1号", "张大山", "李小花", "户主", None],          # row 5: a second head
                ["1组3号", "刘一", "刘一", "户主", 110101197001010016]])  # row 6: ID typed as a number
    p = imports.preview(world, SECRETARY, "households", bad, "bad.xlsx", "C01T01B01")
    got = {row: column for row, column, _ in p.errors.iter_rows()}
    assert got == {3: "与户主关系", 4: "户主姓名", 5: "与户主关系", 6: "身份证号"}
    with pytest.raises(ImportRefused):
        imports.commit(world, SECRETARY, p)
    assert world.scalar("SELECT count(*) FROM members WHERE kind = 'household'") == 0
