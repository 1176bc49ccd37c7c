"""我的积分卡: a subject downloads its own card, and every printed card carries the QR code of
the login page (``JIFEN_PUBLIC_URL``); the CLI opens a subject's login."""

from __future__ import annotations

import io

import pytest

from core import self_service
from core.io.pdf import card_pdf, font_problem, login_url, qr_png
from core.store import Store
from tests.entry_world import TODAY
from tests.subject_world import ZHANGSAN, build

needs_font = pytest.mark.skipif(font_problem() is not None, reason="缺少中文字体")


def plain(page) -> str:
    """A page's text without the spacing pypdf puts between CJK glyphs."""
    return "".join(ch for ch in page.extract_text() if ch not in " \x00\u3000")


def pdf_pages(data: bytes):
    import pypdf

    return pypdf.PdfReader(io.BytesIO(data)).pages


@needs_font
def test_my_card_is_my_own_with_the_login_qr_code(tmp_path, monkeypatch):
    monkeypatch.setenv("JIFEN_PUBLIC_URL", "https://jifen.example.gov.cn/")
    assert login_url() == "https://jifen.example.gov.cn/login"
    store = Store(tmp_path / "card.duckdb")
    try:
        build(store)
        pages = pdf_pages(self_service.my_card(store, ZHANGSAN, TODAY))
        text = "".join(plain(p) for p in pages)
        assert "张三积分卡" in text and "李四" not in text
        assert "https://jifen.example.gov.cn/login" in text
        assert sum(len(p.images) for p in pages) == 1  # the QR code, a PNG
        assert self_service.my_card_name(store, ZHANGSAN, TODAY) == "一村党支部_2025_张三_积分卡.pdf"
    finally:
        store.close()


@needs_font
def test_every_card_of_a_branch_prints_the_qr_code_and_it_reads_back(monkeypatch):
    monkeypatch.delenv("JIFEN_PUBLIC_URL", raising=False)
    card = {"title": "一村党支部　张三　积分卡", "branch_title": "一村党支部　积分卡", "lines": ["2025年度"], "entries": [],
            "result": ["总分：80"], "explain": [], "footer": "张三　积分卡"}
    pages = pdf_pages(card_pdf([card, dict(card, title="一村党支部　李四　积分卡", footer="李四　积分卡")]))
    assert [len(p.images) for p in pages] == [1, 1]
    assert "http://localhost:8501/login" in plain(pages[0])
    # the image is the QR code of that address: the same pixels segno draws for it
    from PIL import Image, ImageChops

    printed = pages[0].images[0].image.convert("L")
    expected = Image.open(io.BytesIO(qr_png("http://localhost:8501/login"))).convert("L")
    assert printed.size == expected.size and ImageChops.difference(printed, expected).getbbox() is None


def test_the_cli_opens_a_subject_login(tmp_path, monkeypatch, capsys):
    from core.cli import main

    path = tmp_path / "cli.duckdb"
    store = Store(path)
    build(store)
    store.close()
    monkeypatch.setattr("sys.stdin", io.StringIO("wangwu-pass-2025\n"))
    assert main(["user", "add", "wangwu", "--role", "subject", "--subject", "M03", "--db", str(path)]) == 0
    assert "已创建用户 wangwu（积分对象（党员、户主），C01T01B01）" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("qianqi-pass-2025\n"))
    assert main(["user", "add", "qianqi", "--role", "subject", "--subject", "M05", "--db", str(path)]) == 2
    assert "钱七已转出，不能开通本人账号" in capsys.readouterr().err
    store = Store(path)
    try:
        assert store.one("SELECT org_code, subject_id, display_name FROM users WHERE username = 'wangwu'") == (
            "C01T01B01", "M03", "王五")
    finally:
        store.close()
