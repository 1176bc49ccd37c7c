"""Messy spreadsheets as branches keep them, built in the tests: a title row, a two-row
(merged) header, dates written every which way, ID numbers typed as numbers."""

from __future__ import annotations

import io

import xlsxwriter

from core.idcard import check_digit


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
