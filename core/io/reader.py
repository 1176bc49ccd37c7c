"""Reading the spreadsheets branches actually keep: .xlsx/.xls through fastexcel (calamine),
CSV in UTF-8 (with or without BOM), GBK or UTF-16 (Excel's Unicode text), and the web pages
or text other systems export under an .xls name. A title row and notes above the header, a
two-row (merged) header, header synonyms, extra columns, merged cells (filled into every cell
they cover), blank rows, block titles, subtotal rows and a footer; the table on any sheet, or
spread over several (one per branch or month); dates written many ways, two-digit years, names
with full-width letters and stray spaces.

Every cell is read as text and typed here, so one rule decides what a date or an ID is
whatever the cell format was. Rows keep the number the user sees in Excel (``_row``) and,
when several sheets are read as one table, their sheet (``_sheet``). A file that is no table
(empty, encrypted, a Word document, corrupt) raises ``ReadError`` with a Chinese message.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

ROW = "_row"  # the Excel row number of each data row (1-based, as the user sees it)
SHEET = "_sheet"  # the sheet a row came from, when several sheets were read as one table (else null)
NUMBER_PROBE = ("id_card",)  # fields whose cells being numbers matters (an ID number loses digits)
HEADER_SCAN_ROWS = 12  # a title, a note and a two-row header fit well inside this
EXCEL_EPOCH = "1899-12-30"  # Excel's day 0 (its 1900 leap-year bug is absorbed by starting here)
MAX_SERIAL = 2958465  # 9999-12-31
TWO_DIGIT_PIVOT = dt.date.today().year % 100  # '25.3' is 2025-03, '26.3' (next year) 1926-03


class ReadError(ValueError):
    """The file cannot be read as a table; the message is shown to the user as is."""


@dataclass
class Table:
    """The data rows of the table, one String column per recognised field plus ``_row`` and
    ``_sheet``."""

    frame: pl.DataFrame
    headers: dict[str, str]  # field -> the header text as written in the file
    extra: list[str]  # header texts no field claimed (ignored, listed in the preview)
    header_rows: tuple[int, ...]  # the header's Excel row numbers
    numeric: set[str] = field(default_factory=set)  # fields whose cells were all stored as numbers
    sheets: list[str] = field(default_factory=list)  # the sheets read as one table (empty: a single sheet)
    unit: str | None = None  # the organisation a note above the header names (填报单位：…)


def normalise_header(text) -> str:
    """'* 党员姓名（必填）' -> '党员姓名': NFKC, no spaces, no required marks or bracketed hints."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    text = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text)
    return re.sub(r"[\s*＊:：]", "", text).lower()


EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
# A row whose first text cell says this ends the table (a signature or note block) …
FOOTER_END = r"^(备注|说明|注|附注|填表人|填报人|制表人|制表|审核人|审核|负责人|联系人|经办人|填表日期|填报日期|制表日期)\s*[:：]?"
# … or is a subtotal the sheet computed (合计, 7月合计, 本季度小计): that row alone is skipped.
FOOTER_TOTAL = r"^(\d{1,2}月份?|本月|本季度?|第.季度|[一二三四]季度|全年|本年|年度)?\s*(合计|小计|总计|累计)"
# A row holding only a block's title ('第一党小组', '东片网格') between the blocks of a roster.
SECTION = r"^(第.{1,4}(党小组|小组|组|片|网格)|.{1,10}(党小组|网格|片区))$"
FOOTER_WORDS = "合计|小计|总计|累计|备注|说明|注|填表|填报|制表|审核|负责人|联系人|经办人"  # a cheap first pass
UNIT = r"(填报单位|填表单位|报送单位|单位名称|党组织名称|党支部名称|所在党组织)\s*[:：]\s*([^\s:：]+)"
QUIET_EXTRA = {"序号", "编号", "no", "no."}  # a running number column is no data anyone misses


def read_cells(data: bytes, file_name: str) -> pl.DataFrame:
    """Every cell of the first sheet (or the CSV) as text, columns c0, c1, …; row i of the
    frame is Excel row i + 1."""
    return read_sheets(data, file_name)[0][1]


def read_sheets(data: bytes, file_name: str) -> list[tuple[str, pl.DataFrame]]:
    """(sheet name, cells) of every non-empty sheet (a CSV is one sheet named ""); cells as
    ``read_cells`` gives them, a merged range's value copied into each of its cells (a date
    merged down five rows dates all five)."""
    name = Path(file_name).name
    suffix = Path(file_name).suffix.lower()
    if not data:
        raise ReadError(f"文件「{name}」是空的（0 字节），请检查后重新上传")
    if suffix in EXCEL_SUFFIXES:
        _refuse_non_workbook(data, name)
        if _is_html(data):
            # many systems' "Excel export" is a web page named .xls
            sheets = [("", _read_html(data))]
        elif data[:2] != b"PK" and data[:4] != b"\xd0\xcf\x11\xe0" and _is_text(data):
            sheets = [("", _read_csv(data))]  # text separated by tabs or commas, named .xls
        else:
            sheets = _read_workbook(data, name)
    elif suffix in (".csv", ".txt"):
        sheets = [("", _read_csv(data))]
    else:
        raise ReadError(f"不支持的文件类型「{suffix or name}」，请上传 .xlsx、.xls 或 .csv 文件")
    sheets = [(n, f.rename({c: f"c{i}" for i, c in enumerate(f.columns)})) for n, f in sheets
              if f.width and f.height and f.select(pl.any_horizontal(pl.all().is_not_null()).any()).item()]
    if not sheets:
        raise ReadError(f"文件「{name}」中没有数据")
    return sheets


def _refuse_non_workbook(data: bytes, name: str) -> None:
    """Files saved under an Excel name that are no workbook, each with the message a user can act on."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" and "EncryptedPackage".encode("utf-16-le") in data:
        # an .xlsx with an open password is stored as an OLE container holding the encrypted package
        raise ReadError(f"文件「{name}」设置了打开密码，无法读取：请在 Excel 中打开，"
                        "「文件 → 信息 → 保护工作簿 → 用密码进行加密」清除密码后保存，再上传")
    if data[:2] == b"PK":
        head = data[:200_000]
        if b"word/" in head and b"xl/" not in head:
            raise ReadError(f"文件「{name}」是 Word 文档，不是 Excel 表格：请把表格复制到 Excel 中另存为 .xlsx 再上传")
        if b"ppt/" in head and b"xl/" not in head:
            raise ReadError(f"文件「{name}」是 PowerPoint 演示文稿，不是 Excel 表格")


def _read_workbook(data: bytes, name: str) -> list[tuple[str, pl.DataFrame]]:
    import fastexcel

    broken = f"无法读取文件「{name}」：文件已损坏或不是有效的 Excel 文件，请用 Excel 打开后另存为 .xlsx 再上传"
    try:
        reader = fastexcel.read_excel(data)
        names = reader.sheet_names
    except Exception as exc:  # fastexcel raises its own error types for corrupt files
        raise ReadError(broken) from exc
    if data[:2] == b"PK":
        merges = _merged_ranges(data)
    else:
        from core.io.xls import merged_ranges

        merges = merged_ranges(data)
    out = []
    for i, sheet in enumerate(names):
        try:
            # skip_rows=0: keep leading empty rows, so frame row i is Excel row i + 1
            loaded = reader.load_sheet(i, header_row=None, skip_rows=0, dtypes="string")
            if getattr(loaded, "visible", "visible") != "visible":
                continue  # a template's hidden 选项 sheet (drop-down values) is no table
            frame = loaded.to_polars()
        except Exception as exc:
            if "empty" in str(exc).lower() or "no rows" in str(exc).lower():
                continue
            raise ReadError(broken) from exc
        if sheet in merges and frame.height:
            frame = _fill_merged(frame, *merges[sheet])
        out.append((sheet, frame))
    return out


def _merged_ranges(data: bytes) -> dict[str, tuple[int, list[tuple[int, int, int, int]]]]:
    """Sheet name -> (first used column, merged ranges as 0-based (row1, col1, row2, col2)),
    read from the .xlsx's XML: calamine gives a merged range's value in its first cell only."""
    import zipfile

    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        workbook = book.read("xl/workbook.xml").decode("utf-8")
        rels = book.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    except Exception:  # not the usual layout: no fill-down, the rest still reads
        return {}
    targets = {m.group(1): m.group(2) for m in re.finditer(
        r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)}
    targets |= {m.group(2): m.group(1) for m in re.finditer(
        r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)}
    out = {}
    for m in re.finditer(r'<sheet\b[^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"', workbook):
        sheet, rid = html.unescape(m.group(1)), m.group(2)
        target = targets.get(rid, "")
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
        try:
            xml = book.read(path)
        except KeyError:
            continue
        at = xml.rfind(b"<mergeCells")  # after the cells: a 100k-row sheet is not searched through
        if at < 0:
            continue
        ranges = [(_cell(a.decode()), _cell(b.decode()))
                  for a, b in re.findall(rb'<mergeCell ref="([A-Z]+\d+):([A-Z]+\d+)"', xml[at:])]
        dim = re.search(rb'<dimension ref="([A-Z]+)\d+', xml[:2000])
        first_col = _cell(dim.group(1).decode() + "1")[1] if dim else 0
        out[sheet] = (first_col, [(a[0], a[1], b[0], b[1]) for a, b in ranges])
    return out


def _cell(ref: str) -> tuple[int, int]:
    letters, digits = re.match(r"([A-Z]+)(\d+)", ref).groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits) - 1, col - 1


def _fill_merged(frame: pl.DataFrame, first_col: int, ranges) -> pl.DataFrame:
    columns = [frame.to_series(j).to_list() for j in range(frame.width)]
    for r1, c1, r2, c2 in ranges:
        c1, c2 = c1 - first_col, c2 - first_col
        if not (0 <= c1 < frame.width and 0 <= r1 < frame.height):
            continue
        value = columns[c1][r1]
        for j in range(c1, min(c2, frame.width - 1) + 1):
            for r in range(r1, min(r2, frame.height - 1) + 1):
                if columns[j][r] is None:
                    columns[j][r] = value
    return pl.DataFrame({name: pl.Series(col, dtype=pl.String) for name, col in zip(frame.columns, columns)})


def _is_html(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    page = head.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta", b"<head"))
    return page and b"<table" in data[:1 << 20].lower()


def _is_text(data: bytes) -> bool:
    head = data[:4096]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    return b"\0" not in head and any(sep in head for sep in (b"\t", b","))


def _read_html(data: bytes) -> pl.DataFrame:
    """The biggest <table> of a web page saved as .xls; a cell spanning rows or columns is
    copied into each, as a merged Excel cell is."""
    from html.parser import HTMLParser

    text = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue

    class Tables(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.tables, self.cell, self.spans = [], None, (1, 1)

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "table":
                self.tables.append([])
            elif tag == "tr" and self.tables:
                self.tables[-1].append([])
            elif tag in ("td", "th") and self.tables and self.tables[-1]:
                self.cell = []
                self.spans = tuple(int(attrs.get(k) or 1) if str(attrs.get(k) or 1).isdigit() else 1
                                   for k in ("rowspan", "colspan"))
            elif tag == "br" and self.cell is not None:
                self.cell.append(" ")

        def handle_data(self, chunk):
            if self.cell is not None:
                self.cell.append(chunk)

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.cell is not None:
                value = re.sub(r"\s+", " ", "".join(self.cell)).strip() or None
                self.tables[-1][-1].append((value, *self.spans))
                self.cell = None

    parser = Tables()
    parser.feed(text or "")
    table = max(parser.tables, key=len, default=[])
    grid: dict[tuple[int, int], str | None] = {}
    for r, cells in enumerate(table):
        c = 0
        for value, rows, cols in cells:
            while (r, c) in grid:
                c += 1
            for dr in range(rows):
                for dc in range(cols):
                    grid[(r + dr, c + dc)] = value
            c += cols
    height = max((r for r, _ in grid), default=-1) + 1
    width = max((c for _, c in grid), default=-1) + 1
    return pl.DataFrame({f"c{j}": pl.Series([grid.get((r, j)) for r in range(height)], dtype=pl.String)
                         for j in range(width)})


def _read_csv(data: bytes) -> pl.DataFrame:
    # Excel on Chinese Windows saves CSV as GBK; elsewhere UTF-8, often with a BOM.
    # Excel's 另存为「Unicode 文本」is UTF-16 with a BOM, separated by tabs.
    encodings = ("utf-16",) if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ReadError("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV")
    first = text[:2000].split("\n", 3)
    delimiter = "\t" if sum(line.count("\t") for line in first) > sum(line.count(",") for line in first) else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
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
    """The data rows under the recognised header; empty rows, subtotal rows (合计, 7月合计)
    and the footer (备注、填表人 and all below) dropped; every value stripped text (None when
    blank).

    A workbook's sheets are searched for the header: the roster may sit on the second sheet
    behind a cover or a note. Several sheets with the same kind of table (one per branch, one
    per month) are read as one, each row keeping its sheet's name in ``_sheet`` (the column
    is null for a single sheet), so an error names the sheet and a sheet named after a branch
    can place its rows."""
    sheets = read_sheets(data, file_name)
    found, failure = [], None
    for index, (name, cells) in enumerate(sheets):
        try:
            found.append((index, name, cells, *find_header(cells, synonyms)))
        except ReadError as exc:
            failure = failure or exc
    if not found:
        raise failure or ReadError("文件中没有数据")
    best = max(len(f[4]) for f in found)
    # a sheet with far fewer of the fields (a 统计 or 说明 sheet) is not part of the table
    found = [f for f in found if len(f[4]) >= max(1, min(2, best), -(-best * 3 // 5))]
    several = len(found) > 1
    parts, extra, headers, probed = [], [], {}, []
    for _, name, cells, header_rows, fields, texts in found:
        start = header_rows[-1] + 1
        body = cells.with_row_index(ROW, offset=1).slice(start)
        picked = body.select(pl.col(ROW).cast(pl.Int64),
                             *[_clean(pl.col(f"c{j}")).alias(key) for j, key in fields.items()])
        picked = picked.filter(_kept_rows(body))
        values = [c for c in picked.columns if c != ROW]
        picked = picked.filter(pl.any_horizontal(pl.col(c).is_not_null() for c in values))
        # A field the header did not name is still a column (all null), so importers see one shape.
        picked = picked.with_columns(pl.lit(None, pl.String).alias(k) for k in synonyms if k not in picked.columns)
        picked = picked.select(ROW, *synonyms).with_columns(pl.lit(name if several else None, pl.String)
                                                           .alias(SHEET))
        parts.append(picked)
        # An unclaimed column is listed only when it holds data (a merged title carried over an
        # empty spacer column is not a column the user kept).
        for j in sorted(texts):
            if (j not in fields and texts[j] not in extra and normalise_header(texts[j]) not in QUIET_EXTRA
                    and body[f"c{j}"].drop_nulls().len()):
                extra.append(texts[j])
        for j, key in fields.items():
            headers.setdefault(key, texts.get(j, key))
        if Path(file_name).suffix.lower() in EXCEL_SUFFIXES and data[:4] in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0"):
            probed.append((set(fields.values()), _numeric_fields(data, name, start, fields)))
    # a field is all numbers only if it is so on every sheet that has it (a sheet typed as text
    # must not be flagged for another's; a mixed one is still caught row by row)
    numeric = {f for f in NUMBER_PROBE if any(f in has for has, _ in probed)
               and all(f in num for has, num in probed if f in has)}
    frame = pl.concat(parts)
    first = found[0]
    if frame.height == 0:
        where = f"第 {first[3][-1] + 1} 行" if not several else "各工作表"
        raise ReadError(f"文件「{Path(file_name).name}」只有表头（{where}），没有数据行")
    return Table(frame, headers, extra, tuple(r + 1 for r in first[3]), numeric,
                 [f[1] for f in found] if several else [], _unit(first[2], first[3][-1]))


def _unit(cells: pl.DataFrame, header_row: int) -> str | None:
    """The organisation a note above the header names ('填报单位：一村党支部  填报日期：…')."""
    for row in cells.head(header_row).rows():
        for value in row:
            found = re.search(UNIT, unicodedata.normalize("NFKC", value)) if value else None
            if found:
                return found.group(2)
    return None


def _kept_rows(body: pl.DataFrame) -> pl.Expr:
    """False for a subtotal row, a block's title row and for the footer: the first text cell
    of a row (a 序号 or other number before it is passed over) decides. One cheap scan finds the few rows that
    could be either; only those are looked at closely."""
    cells = [c for c in body.columns if c != ROW]
    if not cells:
        return pl.lit(True)
    words = pl.any_horizontal(pl.col(c).str.contains(FOOTER_WORDS) for c in cells).fill_null(False)
    alone = pl.sum_horizontal(pl.col(c).is_not_null() for c in cells) == 1
    suspects = body.filter(words | alone)
    if suspects.height == 0:
        return pl.lit(True)
    totals, end = [], None
    for row in suspects.iter_rows(named=True):
        lead = next((unicodedata.normalize("NFKC", re.sub(r"\s+", "", v)) for v in (row[c] for c in cells)
                     if v is not None and not re.fullmatch(r"\s*[\d.]*\s*", v)), "")
        if re.match(FOOTER_END, lead):
            end = row[ROW]
            break
        filled = sum(row[c] is not None for c in cells)
        if re.match(FOOTER_TOTAL, lead) or (filled == 1 and re.search(SECTION, lead)):
            totals.append(row[ROW])
    kept = ~pl.col(ROW).is_in(pl.Series(totals, dtype=pl.Int64).implode())
    return kept & (pl.col(ROW) < end) if end is not None else kept


def _clean(expr: pl.Expr) -> pl.Expr:
    text = expr.cast(pl.String).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def _numeric_fields(data: bytes, sheet: str, start: int, fields: dict[int, str]) -> set[str]:
    """Fields of an Excel sheet whose every cell is a number (an ID column typed as numbers
    has lost its last digits). A column mixing numbers and text is found row by row by
    ``core.idcard.lost_digits``."""
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
            loaded = reader.load_sheet(sheet, header_row=None, skip_rows=start, use_columns=[j],
                                       dtype_coercion="strict", schema_sample_rows=None)
            column = loaded.to_polars().to_series(0)
        except Exception:  # mixed types in the column
            continue
        if column.dtype.is_numeric() and column.null_count() < column.len():
            out.add(key)
    return out


# -- values --------------------------------------------------------------------------

def parse_dates(expr: pl.Expr) -> pl.Expr:
    """Text -> Date for 2001-07-01, 2001.07.01, 2001.7 (the 1st), 2001年7月1日, 2001/7/1,
    20010701 and Excel day numbers; null where it is none of these."""
    text = expr.cast(pl.String).str.normalize("NFKC").str.strip_chars()
    # '85.7', '85年7月': a two-digit year is 19xx, or 20xx when that is not in the future
    # (a roster's births and joins reach back to the 1930s; '24.3' is 2024-03).
    short = text.str.extract_groups(r"^(\d{2})([./\-年]\d{1,2}(?:[./\-月]\d{1,2}[日号]?|月)?)$")
    yy = short.struct.field("1").cast(pl.Int32, strict=False)
    century = pl.when(yy <= TWO_DIGIT_PIVOT).then(pl.lit("20")).otherwise(pl.lit("19"))
    text = pl.when(yy.is_null()).then(text).otherwise(
        pl.concat_str([century, short.struct.field("1"), short.struct.field("2")]))
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


def clean_numbers_text(expr: pl.Expr) -> pl.Expr:
    """A number as branches write it, as plain text: '+2' -> '2', '－3' and '−3' -> '-3',
    '2分' -> '2', '1,000' -> '1000'; other text unchanged (so it is still shown as written)."""
    text = clean_text(expr).str.replace_all(r"[−–—]", "-").str.replace_all(r"[,\s]", "")
    return text.str.replace(r"^\+", "").str.replace(r"(\d)\s*分$", "$1")


def clean_phone(expr: pl.Expr) -> pl.Expr:
    """A phone number typed as a number comes back as '13912345678.0' or '1.3912345678E10'."""
    text = clean_text(expr)
    number = text.str.contains(r"^\d+(\.\d+)?[eE]\+?\d+$|^\d+\.0+$")
    return pl.when(~number).then(text).otherwise(
        text.cast(pl.Float64, strict=False).cast(pl.Int64, strict=False).cast(pl.String))


def parse_numbers(expr: pl.Expr) -> pl.Expr:
    """Text -> Float64 ('２.５' and ' 3 ' included); null where it is not a number."""
    return clean_text(expr).str.replace_all(",", "").cast(pl.Float64, strict=False)
