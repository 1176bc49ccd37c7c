"""Printable PDFs: the 公示 notice, with Noto Sans CJK SC embedded so it prints the same
on any office PC."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from core.services.results import display_rows

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_SC_INDEX = 2  # the collection's Simplified Chinese face
PAGE_WIDTH = 190  # A4 less the 10 mm margins
FIXED = {"排名": 12, "姓名": 22}  # narrow columns; the others share the rest by their text's length


class FontMissing(RuntimeError):
    """The CJK font is not installed; the message says how to install it."""


class _Notice(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("NotoSansSC", size=8)
        self.cell(0, 6, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align="C")


def _widths(columns: list[str], rows: list[dict]) -> list[float]:
    """Fixed widths for rank and name; the rest in proportion to their longest text."""
    free = PAGE_WIDTH - sum(FIXED.get(c, 0) for c in columns)
    need = {c: max([len(c)] + [len(str(r.get(c, ""))) for r in rows]) + 1 for c in columns if c not in FIXED}
    total = sum(need.values()) or 1
    return [FIXED.get(c) or free * need[c] / total for c in columns]


def _fit(text: str, width: float, size: int, lines: int = 6) -> str:
    """A cell wraps to at most ``lines`` lines and is cut with … beyond: a row taller than a
    page cannot be printed (fpdf refuses it), and a 360-character name must not stop a 公示."""
    per_line = max(1, int(width / (size * 0.3528)))  # a CJK glyph is about 1 em wide
    limit = per_line * lines
    return text if len(text) <= limit else text[: limit - 1] + "…"


def notice_pdf(notice: dict, font: Path = CJK_FONT) -> bytes:
    """The 公示 as A4 PDF bytes. ``notice`` is ``core.services.publicity.notice``: its rows
    carry the scheme's own columns (components, 本期 scores, 未评), so the table follows them."""
    if not Path(font).exists():
        raise FontMissing(f"缺少中文字体 {font}，无法生成PDF；请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）")
    pdf = _Notice(format="A4")
    pdf.set_margins(10, 12, 10)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("NotoSansSC", "", str(font), collection_font_number=CJK_SC_INDEX)
    pdf.set_title(notice["title"])
    pdf.add_page()
    pdf.set_font("NotoSansSC", size=16)
    pdf.multi_cell(0, 10, notice["title"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("NotoSansSC", size=10)
    for line in notice["lines"]:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    rows = display_rows(notice["rows"])
    columns = list(rows[0]) if rows else ["排名", "姓名"]
    size = 9 if len(columns) <= 8 else 7
    pdf.set_font("NotoSansSC", size=size)
    with pdf.table(col_widths=_widths(columns, rows), text_align="CENTER", line_height=size * 0.6,
                   headings_style=FontFace(emphasis=None, fill_color=(235, 235, 235)), repeat_headings=1) as table:
        table.row(columns)
        widths = _widths(columns, rows)
        for row in rows:
            table.row([_fit(row.get(c, ""), width, size) for c, width in zip(columns, widths)])
    pdf.set_font("NotoSansSC", size=10)
    pdf.ln(4)
    for line in notice["footer"]:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
