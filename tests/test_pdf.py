"""The printable 公示 PDF and the Excel/CSV exports."""

import datetime as dt
import io

import polars as pl
import pytest

from core.io.pdf import CJK_FONT, FontMissing, notice_pdf
from core.io.tables import csv_bytes, excel_bytes, sheet_name
from core.services.publicity import get_publicity, notice, open_publicity
from tests.entry_world import SECRETARY, TODAY, world  # noqa: F401
from tests.publicity_world import BRANCH

NOTICE = {"title": "一村党支部2025年度党员积分结果公示", "lines": ["公示期：2025-07-01 至 2025-07-07（共 7 天）"],
          "rows": [{"排名": 1, "姓名": "张三", "总分": 98.8, "等次": "优秀", "星级": None, "标记": ""}],
          "footer": ["一村党支部"]}


def test_notice_from_a_publicity(world):
    pid = open_publicity(world, SECRETARY, BRANCH, 2025, "cycle", TODAY, TODAY + dt.timedelta(days=6), today=TODAY)
    n = notice(world, get_publicity(world, pid))
    assert n["title"] == "一村党支部2025—2026年度（2025-07-01至2026-06-30）党员积分结果公示"
    assert n["lines"][1] == "公示期：2025-11-20 至 2025-11-26（共 7 天）"
    assert [r["姓名"] for r in n["rows"]] == ["张三", "李四", "王五", "赵六"]


@pytest.mark.skipif(not CJK_FONT.exists(), reason="未安装 fonts-noto-cjk")
def test_pdf_embeds_the_chinese_font():
    data = notice_pdf(NOTICE)
    assert data.startswith(b"%PDF")
    # a subset of the collection's SC face is embedded (CFF outlines: FontFile3)
    assert b"/FontFile3" in data and b"+NotoSansCJKSC" in data


def test_missing_font_is_a_clear_error(tmp_path):
    with pytest.raises(FontMissing, match="fonts-noto-cjk"):
        notice_pdf(NOTICE, font=tmp_path / "none.ttc")


def test_excel_neutralises_formulas_and_keeps_numbers():
    rows = [{"姓名": "=HYPERLINK(\"x\")", "备注": "+1", "总分": -3.5}, {"姓名": "@SUM", "备注": "正常", "总分": 75.0}]
    data = excel_bytes({"一村党支部2025年度党员积分结果公示（第一批）": rows})
    back = pl.read_excel(io.BytesIO(data))
    assert back["姓名"].to_list() == ["'=HYPERLINK(\"x\")", "'@SUM"]
    assert back["备注"].to_list() == ["'+1", "正常"]
    assert back["总分"].to_list() == [-3.5, 75.0]


def test_sheet_names_fit_excel():
    assert len(sheet_name("一" * 40)) == 31
    assert sheet_name("a/b:c") == "a_b_c"


def test_csv_has_a_bom_and_is_neutralised():
    data = csv_bytes([{"姓名": "-1+1", "总分": 1.5}])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["姓名,总分", "'-1+1,1.5"]


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    # fpdf2 maps glyphs to UTF-16; pypdf keeps the high NUL bytes, which carry no text
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\x00", "")


@pytest.mark.skipif(not CJK_FONT.exists(), reason="未安装 fonts-noto-cjk")
def test_quarter_notice_prints_its_own_scores_and_no_grade(world):
    # Q1 of party-q100-3to1: 评议分 is half-yearly, so the printed notice shows 未评 and the
    # score to date (日常分 75 + 奖励分 0 = 75), never a grade; the table follows the scheme
    pid = open_publicity(world, SECRETARY, BRANCH, 2025, "Q1", TODAY, TODAY + dt.timedelta(days=6), today=TODAY)
    n = notice(world, get_publicity(world, pid))
    assert list(n["rows"][0]) == ["排名", "姓名", "日常分（本期）", "评议分（本期）", "奖励分（本期）", "截至本期得分",
                                  "未计入（未评）", "标记"]
    text = _pdf_text(notice_pdf(n))
    assert "未评" in text and "截至本期得分" in text and "等次在年度评定" in text
    assert "基本合格" not in text and "None" not in text
    assert "第 1 页 / 共 1 页" in text


@pytest.mark.skipif(not CJK_FONT.exists(), reason="未安装 fonts-noto-cjk")
def test_long_names_wrap_instead_of_crashing():
    long = {**NOTICE, "rows": [{**NOTICE["rows"][0], "姓名": "张" * 361}] * 40}
    text = _pdf_text(notice_pdf(long))
    assert "共 " in text and text.count("张") >= 361


@pytest.mark.parametrize("typed", [" =1+1", "\t@SUM(A1)", "\r+1", "\n-1", " \t=cmd"])
def test_a_formula_after_leading_blanks_is_still_text(typed):
    from core.io.tables import neutralise

    # spreadsheets skip leading spaces, tabs and line breaks before the formula sign
    assert neutralise(typed) == "'" + typed
    back = pl.read_excel(io.BytesIO(excel_bytes({"表": [{"备注": typed}, {"备注": "正常 -1"}]})))
    assert back["备注"].to_list() == ["'" + typed, "正常 -1"]
    assert csv_bytes([{"备注": typed}]).decode("utf-8-sig").startswith("备注\n\"'") or \
        csv_bytes([{"备注": typed}]).decode("utf-8-sig").startswith("备注\n'")


@pytest.mark.skipif(not CJK_FONT.exists(), reason="未安装 fonts-noto-cjk")
def test_notice_ends_with_the_branch_seal_and_a_date_line(world):
    pid = open_publicity(world, SECRETARY, BRANCH, 2025, "cycle", TODAY, TODAY + dt.timedelta(days=6), today=TODAY)
    n = notice(world, get_publicity(world, pid))
    assert n["seal"] == ["一村党支部（盖章）", "年　　月　　日"]
    assert n["lines"][2] == "统计期间：2025-07-01 至 2026-06-30"
    text = _pdf_text(notice_pdf(n))
    # the seal block comes after the objection lines, at the end of the notice
    assert text.index("书面或当面反映") < text.index("一村党支部（盖章）") < text.index("第 1 页")
