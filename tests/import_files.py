"""Messy spreadsheets as branches keep them, built in the tests: a title row, a two-row
(merged) header, dates written every which way, ID numbers typed as numbers."""

from __future__ import annotations

import datetime as dt
import io

import xlsxwriter

from core.idcard import check_digit

# xlsxwriter stamps the creation time to the second: a fixed one makes the same rows the
# same bytes (the same file, as the importer's content hash sees it) whenever they are built
CREATED = dt.datetime(2025, 3, 1, 9, 0, 0)


def id_number(first17: str) -> str:
    return first17 + check_digit(first17)


def xlsx(rows: list[list], *, title: str | None = None, merged: list[tuple[int, int, str]] = (),
         numbers_as_excel: bool = True) -> bytes:
    """An .xlsx whose first rows are ``title`` (merged across the table) and ``merged``
    header cells (row, first col, last col, text is given as (first, last, text) on the row
    before ``rows[0]``); ``rows`` follow as written. An int of 16+ digits is stored as Excel
    stores a typed number: 15 significant digits."""
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        book.set_properties({"created": CREATED})
        sheet = book.add_worksheet()
        r = 0
        width = max(len(row) for row in rows)
        if title:
            sheet.merge_range(r, 0, r, width - 1, title)
            r += 1
        if merged:
            for first, last, text in merged:
                if first == last:
                    sheet.write(r, first, text)
                else:
                    sheet.merge_range(r, first, r, last, text)
            r += 1
        for row in rows:
            for j, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, int) and numbers_as_excel and value >= 10 ** 15:
                    value = float(f"{value:.14e}")  # what Excel keeps of a typed 18-digit number
                if hasattr(value, "year"):
                    sheet.write_datetime(r, j, value, book.add_format({"num_format": "yyyy-mm-dd"}))
                else:
                    sheet.write(r, j, value)
            r += 1
    return buffer.getvalue()


def csv(lines: list[str], encoding: str = "gbk") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def workbook(*sheets: tuple[str, list[list], list[tuple]]) -> bytes:
    """An .xlsx of several sheets, each (name, rows, merges), cells typed as a user types them:
    a str is text (so '19850701' and a leading-apostrophe ID stay text), an int or float a
    number, a date an Excel date; a merge (row1, col1, row2, col2) is 0-based and keeps the
    value of its first cell, as Excel does."""
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        book.set_properties({"created": CREATED})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        for name, rows, merges in sheets:
            sheet = book.add_worksheet(name)
            for r, row in enumerate(rows):
                for j, value in enumerate(row):
                    if value is None:
                        continue
                    if hasattr(value, "year"):
                        sheet.write_datetime(r, j, value, day)
                    elif isinstance(value, str):
                        sheet.write_string(r, j, value)
                    else:
                        sheet.write_number(r, j, value)
            for r1, c1, r2, c2 in merges:
                first = rows[r1][c1] if r1 < len(rows) and c1 < len(rows[r1]) else None
                if hasattr(first, "year"):
                    sheet.merge_range(r1, c1, r2, c2, None, day)
                    sheet.write_datetime(r1, c1, first, day)
                else:
                    sheet.merge_range(r1, c1, r2, c2, first if first is not None else "")
    return buffer.getvalue()


def id_with_x(first14: str) -> str:
    """The first valid ID number starting with ``first14`` whose check character is X."""
    for seq in range(1000):
        first17 = f"{first14}{seq:03d}"
        if check_digit(first17) == "X":
            return first17 + "X"
    raise AssertionError("no X check digit")  # pragma: no cover - one in eleven has it


LEDGER_TITLE = "一村党支部2025年度积分台账"


def ledger_file() -> bytes:
    """一村党支部's 2025 ledger of four entries (tests/test_import_events.py, tests/test_effective_rollup.py)."""
    # title row, a two-row header (日期 under 记分情况 merged over D:F), dates four ways
    return xlsx([
        ["党员姓名", "积分项目", None, "日期", "分值", "备注", "经办人"],
        ["张 三", "缺席三会一课", None, "2025.7.1", -2, "7月主题党日", "王"],
        ["李四", "reward_other", None, "2025年8月3日", 5, None, None],
        ["王五", "其他积极发挥党员先锋模范作用，经支委会研究酌情加分", None, dt.date(2025, 8, 31), 3, None, None],
        ["李四", "未按时足额交纳党费", None, 20251010, None, None, None],
    ], title=LEDGER_TITLE, merged=[(0, 2, "人员"), (3, 5, "记分情况")])
