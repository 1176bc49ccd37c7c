"""Printable PDFs: the 公示 notice and the 积分卡, with Noto Sans CJK SC embedded so they
print the same on any office PC. A4, page numbers in the footer, a table's header repeated on
every page it runs over."""

from __future__ import annotations

import io
import os
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from core.services.results import display_rows

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_SC_INDEX = 2  # the collection's Simplified Chinese face
FONT = "NotoSansSC"
PAGE_WIDTH = 190  # A4 less the 10 mm margins
FIXED = {"排名": 12, "姓名": 22, "序号": 10, "日期": 22}  # narrow columns; the others share the rest by their text's length
HEADINGS = FontFace(emphasis=None, fill_color=(235, 235, 235))
# Where members and households open the app from a printed card's QR code: the address the
# app is served at for them (a township's server name), set at deployment.
PUBLIC_URL_ENV = "JIFEN_PUBLIC_URL"
DEFAULT_PUBLIC_URL = "http://localhost:8501/"
QR_SIZE = 24  # mm: a phone reads it from arm's length


class FontMissing(RuntimeError):
    """The CJK font is not installed; the message says how to install it."""


class _Document(FPDF):
    """A4 with the CJK font; the footer numbers the pages and may name whose pages they are."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        prefix = f"{self.footer_text}　" if self.footer_text else ""
        self.cell(0, 6, f"{prefix}第 {self.page_no()} 页 / 共 {{nb}} 页", align="C")


def font_problem(font: Path = CJK_FONT) -> str | None:
    """Why no PDF can be made, in plain Chinese (the font is missing), or None. Pages ask
    before offering a PDF, so nobody downloads a file of empty boxes."""
    if Path(font).exists():
        return None
    return f"缺少中文字体 {font}，无法生成PDF；请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）"


def _document(title: str, font: Path) -> _Document:
    problem = font_problem(font)
    if problem:
        raise FontMissing(problem)
    pdf = _Document(format="A4")
    pdf.set_margins(10, 12, 10)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font(FONT, "", str(font), collection_font_number=CJK_SC_INDEX)
    pdf.set_title(title)
    return pdf


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


def _lines(pdf: FPDF, lines, size: int = 10, align: str = "L", height: float = 6) -> None:
    pdf.set_font(FONT, size=size)
    for line in lines:
        pdf.multi_cell(0, height, _fit(str(line), PAGE_WIDTH, size, 20), align=align, new_x="LMARGIN", new_y="NEXT")


def _table(pdf: FPDF, columns: list[str], rows: list[dict], size: int) -> None:
    """The rows as a bordered table whose header row repeats on every page it runs over."""
    pdf.set_font(FONT, size=size)
    widths = _widths(columns, rows)
    with pdf.table(col_widths=widths, text_align="CENTER", line_height=size * 0.6, headings_style=HEADINGS,
                   repeat_headings=1) as table:
        table.row(columns)
        for row in rows:
            table.row([_fit(str(row.get(c, "")), width, size) for c, width in zip(columns, widths)])


def notice_pdf(notice: dict, font: Path = CJK_FONT) -> bytes:
    """The 公示 as A4 PDF bytes. ``notice`` is ``core.services.publicity.notice``: its rows
    carry the scheme's own columns (components, 本期 scores, 未评), so the table follows them;
    under the table, how to object and by when, then the branch's name with room for its seal
    and the date, right-aligned as on a paper notice."""
    pdf = _document(notice["title"], font)
    pdf.add_page()
    _lines(pdf, [notice["title"]], size=16, align="C", height=10)
    _lines(pdf, notice["lines"])
    pdf.ln(2)
    rows = display_rows(notice["rows"])
    columns = list(rows[0]) if rows else ["排名", "姓名"]
    _table(pdf, columns, rows, 9 if len(columns) <= 8 else 7)
    pdf.ln(4)
    _lines(pdf, notice["footer"])
    if notice.get("seal"):
        pdf.ln(10)  # room for the seal
        _lines(pdf, notice["seal"], size=11, align="R", height=8)
    return bytes(pdf.output())


def card_pdf(cards: list[dict], font: Path = CJK_FONT) -> bytes:
    """积分卡 as A4 PDF bytes: each card (``core.io.card.card``) starts a new page, its entries
    table repeats its header across pages, the footer names the card's subject, and a QR code
    under it opens the app's login page."""
    if not cards:
        raise ValueError("没有可打印的积分卡")
    pdf = _document(cards[0]["title"] if len(cards) == 1 else cards[0]["branch_title"], font)
    url = login_url()
    code = qr_png(url)  # one image for every card of the file
    for card in cards:
        pdf.add_page()  # closes the previous page first, with the previous card's footer
        pdf.footer_text = card["footer"]
        _lines(pdf, [card["title"]], size=15, align="C", height=9)
        _lines(pdf, card["lines"])
        pdf.ln(2)
        if card["entries"]:
            _table(pdf, list(card["entries"][0]), card["entries"], 8)
        else:
            _lines(pdf, ["本期没有已审核通过的积分记录。"])
        pdf.ln(3)
        _lines(pdf, ["积分结果"], size=12, height=8)
        _lines(pdf, card["result"])
        if card["explain"]:
            pdf.ln(2)
            _lines(pdf, ["计分说明"], size=12, height=8)
            _lines(pdf, [f"{i}. {line}" for i, line in enumerate(card["explain"], start=1)], size=9, height=5)
        _login_code(pdf, code, url)
    return bytes(pdf.output())


def login_url() -> str:
    """The login page's address for a printed QR code (``JIFEN_PUBLIC_URL``, else localhost)."""
    base = os.environ.get(PUBLIC_URL_ENV, "").strip() or DEFAULT_PUBLIC_URL
    return base.rstrip("/") + "/login"


def qr_png(text: str) -> bytes:
    import segno  # only a card needs it

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=8, border=2)
    return out.getvalue()


def _login_code(pdf: FPDF, code: bytes, url: str) -> None:
    """Under the card, the QR code of the login page: scanned with a phone, it opens the app,
    where the member or household head sees this card kept up to date (我的积分)."""
    if pdf.get_y() + QR_SIZE + 6 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(4)
    top = pdf.get_y()
    pdf.image(io.BytesIO(code), x=pdf.l_margin, y=top, w=QR_SIZE, h=QR_SIZE)
    pdf.set_xy(pdf.l_margin + QR_SIZE + 4, top + 5)
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(PAGE_WIDTH - QR_SIZE - 4, 5, "手机扫码登录，查看本人积分、积分卡和自我申报记录（本人账号由村或支部开通）。\n"
                   + url, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + QR_SIZE))
