"""Formatted workbooks for printing and filing (台账, township report): a title row, a frozen
header row, tables side by side, a totals row under each table, and columns sized to their
text (a CJK character takes two widths).

Cells are written with ``write_string`` / ``write_number`` (never ``write``, which would
turn "=..." into a formula) and text passes ``neutralise`` first, as every export does.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import xlsxwriter

from core.io.tables import neutralise, sheet_name

HEADER_ROW = 1  # row 0 is the title; the header row under it stays frozen with it
MAX_WIDTH = 60


@dataclass
class Table:
    """A block of rows under the header row; ``totals`` is the row printed under it
    (column → value; the first column usually carries its label, e.g. 合计)."""
    columns: list[str]
    rows: list[dict]
    totals: list[dict] = field(default_factory=list)


@dataclass
class Sheet:
    name: str
    title: str
    tables: list[Table]
    notes: list[str] = field(default_factory=list)  # lines under the tables


def _width(value) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _write(ws, row: int, col: int, value, fmt) -> None:
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(neutralise(str(value))), fmt)


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as wb:
        title_fmt = wb.add_format({"bold": True, "font_size": 14})
        head_fmt = wb.add_format({"bold": True, "bg_color": "#EBEBEB", "border": 1, "align": "center",
                                  "valign": "vcenter", "text_wrap": True})
        cell_fmt = wb.add_format({"border": 1})
        number_fmt = wb.add_format({"border": 1, "num_format": "0.0##"})
        total_fmt = wb.add_format({"bold": True, "border": 1, "top": 2, "num_format": "0.0##"})
        used: set[str] = set()
        for sheet in sheets:
            name = sheet_name(sheet.name)
            while name in used:  # two periods cut to the same 31 characters
                name = sheet_name(name[:28] + f"_{len(used)}")
            used.add(name)
            ws = wb.add_worksheet(name)
            ws.write_string(0, 0, str(neutralise(sheet.title)), title_fmt)
            ws.set_row(HEADER_ROW, 30)
            start, bottom = 0, HEADER_ROW
            for table in sheet.tables:
                widths = [_width(c) for c in table.columns]
                for j, column in enumerate(table.columns):
                    ws.write_string(HEADER_ROW, start + j, column, head_fmt)
                for i, row in enumerate(table.rows, start=HEADER_ROW + 1):
                    for j, column in enumerate(table.columns):
                        value = row.get(column)
                        _write(ws, i, start + j, value, number_fmt if isinstance(value, float) else cell_fmt)
                        widths[j] = max(widths[j], _width(value))
                for k, totals in enumerate(table.totals, start=HEADER_ROW + 1 + len(table.rows)):
                    for j, column in enumerate(table.columns):
                        _write(ws, k, start + j, totals.get(column), total_fmt)
                        widths[j] = max(widths[j], _width(totals.get(column)))
                for j, w in enumerate(widths):
                    ws.set_column(start + j, start + j, min(MAX_WIDTH, w + 2))
                bottom = max(bottom, HEADER_ROW + len(table.rows) + len(table.totals))
                start += len(table.columns) + 1  # a blank column between side-by-side tables
            for k, line in enumerate(sheet.notes, start=bottom + 2):
                ws.write_string(k, 0, str(neutralise(line)))
            ws.freeze_panes(HEADER_ROW + 1, 0)  # title and header stay in view while scrolling
            ws.repeat_rows(0, HEADER_ROW)  # and on every printed page
            ws.set_paper(9)  # A4
            ws.set_landscape()
            ws.fit_to_pages(1, 0)
    return buffer.getvalue()
