"""Printable PDFs: the 公示 notice, with Noto Sans CJK SC embedded so it prints the same
on any office PC."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_SC_INDEX = 2  # the collection's Simplified Chinese face
COLUMNS = ("排名", "姓名", "总分", "等次", "星级", "标记")
WIDTHS = (14, 30, 22, 24, 16, 74)


class FontMissing(RuntimeError):
    """The CJK font is not installed; the message says how to install it."""


def _cell(column: str, value) -> str:
    if value is None:
        return ""
    return f"{value:.1f}" if column == "总分" else str(value)


def notice_pdf(notice: dict, font: Path = CJK_FONT) -> bytes:
    """The 公示 as A4 PDF bytes. ``notice`` is ``core.services.publicity.notice``."""
    if not Path(font).exists():
        raise FontMissing(f"缺少中文字体 {font}，无法生成PDF；请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）")
    pdf = FPDF(format="A4")
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
    present = [i for i, c in enumerate(COLUMNS) if not notice["rows"] or c in notice["rows"][0]]
    columns = [COLUMNS[i] for i in present]
    with pdf.table(col_widths=[WIDTHS[i] for i in present], text_align="CENTER", line_height=6,
                   headings_style=FontFace(emphasis=None, fill_color=(235, 235, 235))) as table:
        table.row(columns)
        for row in notice["rows"]:
            table.row([_cell(c, row.get(c)) for c in columns])
    pdf.ln(4)
    for line in notice["footer"]:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
