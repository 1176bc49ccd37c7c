"""What every importer shares: its columns, the preview, row-numbered errors, the batch.

An importer reads a file into a Polars frame (``core.io.reader``), validates every row with
frame expressions (no per-row SQL), and returns a ``Plan``: the rows to add, to update and
how many are unchanged. Nothing is written until ``commit``; then everything goes in one
``Store.write`` with its ``import_batches`` row, or nothing does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from core.io.reader import ROW, SHEET
from core.services.entry_rules import EntryError

ERROR_COLUMNS = ("行号", "列", "问题")


class ImportRefused(EntryError):
    """The file has errors (or the batch cannot be undone); nothing was written."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the template's header
    synonyms: tuple[str, ...] = ()
    required: bool = False
    example: str = ""
    choices: tuple[str, ...] = ()  # a drop-down in the template
    width: int = 14

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header,) + self.synonyms


@dataclass
class Context:
    """One import's surroundings: who, where (the branch a one-branch roster goes to), when."""

    store: Any
    user: Any
    scope: Any
    org_code: str | None
    today: dt.date
    headers: dict[str, str] = field(default_factory=dict)  # key -> header as written in the file
    columns: dict[str, Column] = field(default_factory=dict)
    unit: str | None = None  # the organisation the file's note names (填报单位：一村党支部), if any

    def header(self, key: str) -> str:
        return self.headers.get(key) or (self.columns[key].header if key in self.columns else key)


@dataclass
class Plan:
    """What a valid file would change. ``add``/``update`` are the importer's own frames;
    ``shown_*`` are the same rows with Chinese headers for the preview."""

    add: pl.DataFrame
    update: pl.DataFrame
    unchanged: int
    errors: pl.DataFrame
    shown_add: pl.DataFrame | None = None
    shown_update: pl.DataFrame | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class Preview:
    kind: str
    kind_name: str
    file_name: str
    content_hash: str
    org_code: str | None
    rows: int
    added: int
    updated: int
    unchanged: int
    errors: pl.DataFrame  # 行号, 列, 问题
    extra_columns: list[str]
    header_rows: tuple[int, ...]
    already: dict | None  # the earlier batch of this very file, when it is still in force
    shown_add: pl.DataFrame
    shown_update: pl.DataFrame
    plan: Plan | None = None
    sheets: list[str] = field(default_factory=list)  # the sheets read as one table (empty: one sheet)

    @property
    def ok(self) -> bool:
        return self.errors.height == 0

    @property
    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "added": self.added, "updated": self.updated, "unchanged": self.unchanged}

    def summary(self) -> str:
        if not self.ok:
            return (f"文件「{self.file_name}」有 {self.errors.height} 处问题，整个文件未导入；"
                    "请按错误清单改正后重新上传")
        if self.already:
            return (f"此文件已于 {self.already['created_at']:%Y-%m-%d %H:%M} 由 {self.already['username']} 导入"
                    f"（批次 {self.already['id']}），本次不会重复添加")
        if not (self.added or self.updated):
            return f"共 {self.rows} 行，全部与系统中已有内容一致，无需导入"
        return (f"共 {self.rows} 行：新增 {self.added} 条，更新 {self.updated} 条，"
                f"{self.unchanged} 条与系统一致")

    def error_report(self) -> bytes:
        from core.io.tables import excel_bytes

        return excel_bytes({"错误清单": self.errors if self.errors.height else
                            pl.DataFrame({c: [] for c in ERROR_COLUMNS}, schema={c: pl.String for c in ERROR_COLUMNS})})


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- errors --------------------------------------------------------------------------

def no_errors() -> pl.DataFrame:
    return pl.DataFrame(schema={"行号": pl.Int64, "列": pl.String, "问题": pl.String})


def errors_where(frame: pl.DataFrame, condition: pl.Expr, column: str, message: pl.Expr | str) -> pl.DataFrame:
    """One error row (Excel row, column header, Chinese message) per row where ``condition``."""
    text = (pl.lit(message) if isinstance(message, str) else message).cast(pl.String)
    if SHEET in frame.columns:
        text = pl.concat_str([sheet_prefix(pl.col(SHEET)), text])
    return frame.filter(condition).select(pl.col(ROW).alias("行号"), pl.lit(column).alias("列"),
                                          text.alias("问题"))


def sheet_prefix(sheet) -> pl.Expr | str:
    """'工作表「二村」：' before a message when the file's table spans several sheets (the
    row number alone would be ambiguous); '' otherwise."""
    if isinstance(sheet, pl.Expr):
        return pl.format("工作表「{}」：", sheet).fill_null("")
    return f"工作表「{sheet}」：" if sheet else ""


def one_error(row: int, column: str, message: str) -> pl.DataFrame:
    return pl.DataFrame({"行号": [row], "列": [column], "问题": [message]},
                        schema={"行号": pl.Int64, "列": pl.String, "问题": pl.String})


def gather(parts: list[pl.DataFrame]) -> pl.DataFrame:
    parts = [p for p in parts if p.height]
    if not parts:
        return no_errors()
    return pl.concat(parts).unique(maintain_order=True).sort("行号", maintain_order=True)


def required(frame: pl.DataFrame, ctx: Context, keys) -> list[pl.DataFrame]:
    return [errors_where(frame, pl.col(k).is_null(), ctx.header(k), f"「{ctx.header(k)}」不能为空") for k in keys]


def duplicates(frame: pl.DataFrame, keys: list[str], column: str, what: str) -> pl.DataFrame:
    """Rows repeating an earlier row's ``keys`` within the file, naming the earlier row."""
    present = pl.all_horizontal(pl.col(k).is_not_null() for k in keys)
    # the earlier row is the first in file order (sheets in order, then rows)
    marked = frame.filter(present).with_row_index("_i").with_columns(pl.col("_i").min().over(keys).alias("_f"))
    marked = marked.with_columns(pl.col(ROW).gather(pl.col("_f")).alias("_first"))
    where = pl.format(f"与第 {{}} 行{what}重复", pl.col("_first"))
    if SHEET in frame.columns:
        # across sheets the row number alone is ambiguous: name the earlier row's sheet
        marked = marked.with_columns(pl.col(SHEET).gather(pl.col("_f")).alias("_first_sheet"))
        other = pl.col("_first_sheet")
        where = pl.when(other.is_not_null() & (other != pl.col(SHEET))).then(
            pl.format(f"与工作表「{{}}」第 {{}} 行{what}重复", other, pl.col("_first"))).otherwise(where)
    return errors_where(marked, pl.col("_i") != pl.col("_f"), column, where)


def dates_in_range(frame: pl.DataFrame, raw: str, parsed: str, column: str, earliest: dt.date,
                   latest: dt.date) -> list[pl.DataFrame]:
    """A filled date cell that is no date, or outside earliest..latest."""
    bad = errors_where(frame, pl.col(raw).is_not_null() & pl.col(parsed).is_null(), column,
                       pl.format("「{}」不是日期（可写 2001-07-01、2001.7.1、2001年7月1日 或 20010701）", pl.col(raw)))
    out = errors_where(frame, pl.col(parsed).is_not_null() & ~pl.col(parsed).is_between(earliest, latest), column,
                       pl.format(f"日期 {{}} 不在 {earliest:%Y-%m-%d} 至 {latest:%Y-%m-%d} 之间",
                                 pl.col(parsed).dt.strftime("%Y-%m-%d")))
    return [bad, out]


def row_errors(rows: list[tuple[int, str, str]]) -> pl.DataFrame:
    if not rows:
        return no_errors()
    return pl.DataFrame(rows, schema={"行号": pl.Int64, "列": pl.String, "问题": pl.String}, orient="row")
