"""Tabular exports users open in Excel: formula injection neutralised, CSV with a BOM.

A cell starting with = + - @ would run as a formula when the file is opened; a leading
apostrophe makes Excel show it as the text that was typed. Excel and LibreOffice skip
leading spaces, tabs and line breaks before deciding, so " =1+1" or "\t@SUM" count too.
"""

from __future__ import annotations

import io

import polars as pl
import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@")
_LEADING = " \t\r\n"  # skipped by spreadsheets before a formula sign
_FORMULA_PATTERN = r"^[ \t\r\n]*[=+\-@]"
SHEET_NAME_MAX = 31  # Excel's limit
_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def neutralise(value):
    if isinstance(value, str) and value.lstrip(_LEADING).startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(rows: list[dict] | pl.DataFrame) -> pl.DataFrame:
    """A frame whose text cells cannot be read as formulas (numbers stay numbers)."""
    frame = rows if isinstance(rows, pl.DataFrame) else pl.DataFrame(rows, infer_schema_length=None)
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_FORMULA_PATTERN)).then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c)).alias(c) for c in text
    ) if text else frame


def sheet_name(name: str) -> str:
    return (name.translate(_SHEET_FORBIDDEN).strip("'") or "Sheet1")[:SHEET_NAME_MAX]


def excel_bytes(sheets: dict[str, list[dict] | pl.DataFrame]) -> bytes:
    """An .xlsx with one sheet per entry; columns sized to their content."""
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as workbook:
        for name, rows in sheets.items():
            safe_frame(rows).write_excel(workbook, worksheet=sheet_name(name), autofit=True)
    return buffer.getvalue()


def csv_bytes(rows: list[dict] | pl.DataFrame) -> bytes:
    """UTF-8 with a BOM, so Excel on Windows reads the Chinese correctly."""
    return "\ufeff".encode() + safe_frame(rows).write_csv().encode("utf-8")
