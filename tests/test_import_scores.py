"""评议分数 and 往年等次 imports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core import imports
from core.imports import ImportRefused
from tests.entry_world import SECRETARY, TODAY, lock, world  # noqa: F401
from tests.import_files import csv, xlsx

# party-q100-3to1: 评议分 is a grade per half year (H1 = Jul–Dec, H2 = Jan–Jun), cycle from 07-01


def grades() -> bytes:
    return xlsx([["党员姓名", "年度", "期间", "评议等次"],
                 ["张 三", 2025, "前半年", "优秀"],
                 ["李四", "2025年", "H1", "合格"]], title="2025年度民主评议结果")


def test_appraisal_grades_import_and_undo_puts_back_what_was_there(world):
    p = imports.preview(world, SECRETARY, "scores", grades(), "评议.xlsx", "C01T01B01", today=TODAY)
    assert p.ok, p.errors.rows()
    assert p.shown_add.rows() == [(3, "张三", 2025, "评议分", "前半年", "优秀"), (4, "李四", 2025, "评议分", "前半年", "合格")]
    batch = imports.commit(world, SECRETARY, p, today=TODAY)
    assert world.all("SELECT member_id, cycle, component, period, grade, import_batch FROM scores ORDER BY id") == [
        ("M01", 2025, "appraisal", "H1", "优秀", batch), ("M02", 2025, "appraisal", "H1", "合格", batch)]
    assert imports.preview(world, SECRETARY, "scores", grades(), "评议.xlsx", "C01T01B01", today=TODAY).added == 0
    assert imports.undo(world, SECRETARY, batch) == {"reversed": 2}
    # the rows in force are empty again (appended, like a cleared grid)
    assert world.all("SELECT member_id, grade FROM (SELECT member_id, grade, row_number() OVER"
                     " (PARTITION BY member_id ORDER BY id DESC) AS rn FROM scores) s WHERE rn = 1"
                     " ORDER BY member_id") == [
        ("M01", None), ("M02", None)]


def test_bad_grades_are_refused_whole(world):
    lock(world, "C01T01B01", 2024, "H2", dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    bad = csv(["姓名,年度,期间,等次",
               "张三,2025,前半年,很好",      # row 2: not a grade of the scheme
               "李四,2025,第三季度,合格",     # row 3: the scheme appraises by half year
               "王五,2024,后半年,合格",       # row 4: locked (finalised)
               "赵六,2025,前半年,合格",       # row 5: exempt
               "张三,2025,H1,合格",           # row 6: repeats row 2's member and period
               "李四,二〇二五,H1,合格"])       # row 7: no year
    p = imports.preview(world, SECRETARY, "scores", bad, "bad.csv", "C01T01B01", today=TODAY)
    got = {row: (column, problem) for row, column, problem in p.errors.iter_rows()}
    assert got[2][0] == "等次" and "很好" in got[2][1]
    assert got[3] == ("期间", "期间应为 前半年、后半年 之一")
    assert got[4][0] == "期间" and "已确认归档" in got[4][1]
    assert got[5][0] == "姓名"
    assert got[7][0] == "年度"
    with pytest.raises(ImportRefused):
        imports.commit(world, SECRETARY, p, today=TODAY)
    assert world.scalar("SELECT count(*) FROM scores") == 0


def test_past_grades_go_to_history_and_come_out_again(world):
    data = csv(["往年民主评议等次", "姓名,年度,等次,总分", "张三,2023,优秀,95", "李四,2024年,不合格,"])
    p = imports.preview(world, SECRETARY, "history", data, "往年.csv", "C01T01B01", today=TODAY)
    assert p.ok and p.added == 2
    batch = imports.commit(world, SECRETARY, p, today=TODAY)
    assert world.all("SELECT member_id, cycle, grade, total, source FROM cycle_history ORDER BY member_id") == [
        ("M01", 2023, "优秀", Decimal("95.0"), "import"), ("M02", 2024, "不合格", None, "import")]
    assert imports.preview(world, SECRETARY, "history", data, "往年.csv", "C01T01B01", today=TODAY).added == 0
    assert imports.undo(world, SECRETARY, batch) == {"removed": 2}
    assert world.scalar("SELECT count(*) FROM cycle_history") == 0


def test_bad_history_is_refused_whole(world):
    data = csv(["姓名,年度,等次", "张三,2025,合格", "李四,2023,良好", "王五,2023,", "张三,2025,优秀"])
    p = imports.preview(world, SECRETARY, "history", data, "bad.csv", "C01T01B01", today=TODAY)
    got = {(row, column) for row, column, _ in p.errors.iter_rows()}
    # rows 2 and 5: cycle 2025 runs until 2026-06-30; row 3: 良好 is no grade of the scheme;
    # row 4: nothing given; row 5 also repeats row 2
    assert got == {(2, "年度"), (3, "等次"), (4, "等次"), (5, "年度"), (5, "姓名")}
