"""Reading the spreadsheets branches actually keep: .xlsx/.xls through fastexcel (calamine),
CSV in UTF-8 (with or without BOM) or GBK; a title row above the header, a two-row
(merged) header, header synonyms, extra columns, dates written six ways, names typed with
full-width letters and stray spaces.

Every cell is read as text and typed here, so one rule decides what a date or an ID is
whatever the cell format was. Rows keep the number the user sees in Excel (``_row``).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

ROW = "_row"  # the Excel row number of each data row (1-based, as the user sees it)
NUMBER_PROBE = ("id_card",)  # fields whose cells being numbers matters (an ID number loses digits)
HEADER_SCAN_ROWS = 12  # a title, a note and a two-row header fit well inside this
EXCEL_EPOCH = "1899-12-30"  # Excel's day 0 (its 1900 leap-year bug is absorbed by starting here)
MAX_SERIAL = 2958465  # 9999-12-31


class ReadError(ValueError):
    """The file cannot be read as a table; the message is shown to the user as is."""


@dataclass
class Table:
    """The data rows of one sheet, one String column per recognised field plus ``_row``."""

    frame: pl.DataFrame
    headers: dict[str, str]  # field -> the header text as written in the file
    extra: list[str]  # header texts no field claimed (ignored, listed in the preview)
    header_rows: tuple[int, ...]  # the header's Excel row numbers
    numeric: set[str] = field(default_factory=set)  # fields whose cells were all stored as numbers


def normalise_header(text) -> str:
    """'* 党员姓名（必填）' -> '党员姓名': NFKC, no spaces, no required marks or bracketed hints."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    text = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text)
    return re.sub(r"[\s*＊:：]", "", text).lower()


def read_cells(data: bytes, file_name: str) -> pl.DataFrame:
    """Every cell of the first sheet (or the CSV) as text, columns c0, c1, …; row i of the
    frame is Excel row i + 1."""
    suffix = Path(file_name).suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        try:
            frame = pl.read_excel(io.BytesIO(data), engine="calamine", has_header=False,
                                  read_options={"dtypes": "string", "header_row": None})
        except Exception as exc:  # fastexcel raises its own error types for corrupt files
            raise ReadError(f"无法读取文件「{Path(file_name).name}」：不是有效的 Excel 文件，"
                            f"请用 Excel 打开后另存为 .xlsx 再上传") from exc
    elif suffix in (".csv", ".txt"):
        frame = _read_csv(data)
    else:
        raise ReadError(f"不支持的文件类型「{suffix or Path(file_name).name}」，请上传 .xlsx、.xls 或 .csv 文件")
    if frame.width == 0 or frame.height == 0:
        raise ReadError("文件中没有数据")
    return frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})


def _read_csv(data: bytes) -> pl.DataFrame:
    # Excel on Chinese Windows saves CSV as GBK; elsewhere UTF-8, often with a BOM.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ReadError("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV")
    rows = list(csv.reader(io.StringIO(text)))
    width = max((len(r) for r in rows), default=0)
    columns = [[(r[i] if i < len(r) and r[i] != "" else None) for r in rows] for i in range(width)]
    return pl.DataFrame({f"c{i}": pl.Series(col, dtype=pl.String) for i, col in enumerate(columns)})


def _match(text: str, lookup: dict[str, str]) -> str | None:
    return lookup.get(normalise_header(text)) if text else None


def find_header(cells: pl.DataFrame, synonyms: dict[str, tuple[str, ...]]
                ) -> tuple[tuple[int, ...], dict[int, str], dict[int, str]]:
    """(header row indexes, column index -> field, column index -> header text) of the row
    (or two rows, for a merged header) that names the most fields."""
    lookup = {normalise_header(name): key for key, names in synonyms.items() for name in names}
    top = cells.head(HEADER_SCAN_ROWS).rows()
    best: tuple[int, tuple[int, ...], dict[int, str], dict[int, str]] = (0, (), {}, {})
    for i, row in enumerate(top):
        single = _claim([(j, [v]) for j, v in enumerate(row)], lookup)
        if len(single[0]) > best[0]:
            best = (len(single[0]), (i,), *single)
        if i + 1 < len(top):
            # A merged upper cell (出生 over 年月 | 日期) is only in its first column: carry it right.
            upper, held = [], None
            for value in row:
                held = value if value is not None else held
                upper.append(held)
            lower = top[i + 1]
            double = _claim([(j, [lower[j], (upper[j] or "") + (lower[j] or ""), upper[j]])
                             for j in range(len(row))], lookup)
            if len(double[0]) > best[0]:
                best = (len(double[0]), (i, i + 1), *double)
    if best[0] == 0:
        wanted = "、".join(names[0] for names in synonyms.values())
        raise ReadError(f"没有找到表头：前 {HEADER_SCAN_ROWS} 行中没有可识别的列名（应有：{wanted}）")
    return best[1], best[2], best[3]


def _claim(candidates: list[tuple[int, list]], lookup: dict[str, str]) -> tuple[dict[int, str], dict[int, str]]:
    fields, texts = {}, {}
    for j, options in candidates:
        for text in options:
            key = _match(text, lookup)
            if key is not None and key not in fields.values():
                fields[j] = key
                texts[j] = str(text).strip()
                break
        shown = next((str(t).strip() for t in options if t is not None and str(t).strip()), "")
        if shown and j not in texts:
            texts[j] = shown
    return fields, texts


def read_table(data: bytes, file_name: str, synonyms: dict[str, tuple[str, ...]]) -> Table:
    """The data rows under the recognised header; empty rows dropped; every value stripped
    text (None when blank)."""
    cells = read_cells(data, file_name)
    header_rows, fields, texts = find_header(cells, synonyms)
    start = header_rows[-1] + 1
    body = cells.with_row_index(ROW, offset=1).slice(start)
    picked = body.select(pl.col(ROW).cast(pl.Int64),
                         *[_clean(pl.col(f"c{j}")).alias(key) for j, key in fields.items()])
    values = [c for c in picked.columns if c != ROW]
    picked = picked.filter(pl.any_horizontal(pl.col(c).is_not_null() for c in values))
    # A field the header did not name is still a column (all null), so importers see one shape.
    picked = picked.with_columns(pl.lit(None, pl.String).alias(k) for k in synonyms if k not in picked.columns)
    # An unclaimed column is listed only when it holds data (a merged title carried over an
    # empty spacer column is not a column the user kept).
    extra = [texts[j] for j in sorted(texts) if j not in fields and body[f"c{j}"].drop_nulls().len()]
    headers = {key: texts.get(j, key) for j, key in fields.items()}
    return Table(picked, headers, extra, tuple(r + 1 for r in header_rows),
                 _numeric_fields(data, file_name, start, fields))


def _clean(expr: pl.Expr) -> pl.Expr:
    text = expr.cast(pl.String).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def _numeric_fields(data: bytes, file_name: str, start: int, fields: dict[int, str]) -> set[str]:
    """Fields of an Excel sheet whose every cell is a number (an ID column typed as numbers
    has lost its last digits). A column mixing numbers and text is found row by row by
    ``core.idcard.lost_digits``."""
    if Path(file_name).suffix.lower() not in (".xlsx", ".xlsm", ".xls"):
        return set()
    import fastexcel

    out = set()
    try:
        reader = fastexcel.read_excel(data)
    except Exception:  # already read once above; a failure here only loses the hint
        return out
    for j, key in fields.items():
        if key not in NUMBER_PROBE:
            continue
        try:
            sheet = reader.load_sheet(0, header_row=None, skip_rows=start, use_columns=[j],
                                      dtype_coercion="strict", schema_sample_rows=None)
            column = sheet.to_polars().to_series(0)
        except Exception:  # mixed types in the column
            continue
        if column.dtype.is_numeric() and column.null_count() < column.len():
            out.add(key)
    return out


# -- values --------------------------------------------------------------------------

def parse_dates(expr: pl.Expr) -> pl.Expr:
    """Text -> Date for 2001-07-01, 2001.07.01, 2001.7 (the 1st), 2001年7月1日, 2001/7/1,
    20010701 and Excel day numbers; null where it is none of these."""
    text = expr.cast(pl.String).str.strip_chars()
    serial = text.str.extract(r"^(\d{1,7})(?:\.\d+)?$").cast(pl.Int64, strict=False)
    from_serial = pl.when(serial.is_between(1, MAX_SERIAL) & (text.str.len_chars() <= 7)
                          & ~text.str.contains(r"^\d{8}$")).then(
        pl.lit(EXCEL_EPOCH).str.to_date() + pl.duration(days=serial))
    compact = text.str.extract(r"^(\d{8})$").str.to_date("%Y%m%d", strict=False)
    spaced = (text.str.replace(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "")
              .str.replace_all(r"[年月./\-]", "-").str.replace_all(r"[日号\s]", "").str.strip_chars("-"))
    parts = spaced.str.extract_groups(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
    rebuilt = pl.concat_str([parts.struct.field("1"), parts.struct.field("2").str.zfill(2),
                             parts.struct.field("3").fill_null("1").str.zfill(2)], separator="-")
    # A year and month ('2001.07') is only a date when no day was given: '2001.7' -> 2001-07-01.
    return pl.coalesce(compact, rebuilt.str.to_date("%Y-%m-%d", strict=False), from_serial.cast(pl.Date))


def clean_names(expr: pl.Expr) -> pl.Expr:
    """Full-width letters and spaces folded (NFKC); a Chinese name loses every inner space
    ('张 三' -> '张三'); other names keep single spaces."""
    text = expr.cast(pl.String).str.normalize("NFKC").str.strip_chars()
    chinese = text.str.contains(r"[\p{Han}]")
    return pl.when(chinese).then(text.str.replace_all(r"\s+", "")).otherwise(text.str.replace_all(r"\s+", " "))


def clean_text(expr: pl.Expr) -> pl.Expr:
    """NFKC and stripped (full-width digits and letters in codes and phones become ASCII)."""
    text = expr.cast(pl.String).str.normalize("NFKC").str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def parse_numbers(expr: pl.Expr) -> pl.Expr:
    """Text -> Float64 ('２.５' and ' 3 ' included); null where it is not a number."""
    return clean_text(expr).str.replace_all(",", "").cast(pl.Float64, strict=False)
