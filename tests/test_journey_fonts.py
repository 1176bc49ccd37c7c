"""The journeys' CJK check (tests/journey.py) fails where no CJK font is installed: Chromium
started with a fontconfig that knows only DejaVu (no Chinese) draws 积分 as the same boxes as
two unassigned code points, and the check says so; with the system's fonts it passes."""

from __future__ import annotations

import os

import pytest

from tests.conftest import CHROMIUM
from tests.journey import _GLYPHS

pytestmark = pytest.mark.browser
HEADING = "<html><body><h1 style='font-family: sans-serif'>积分制管理系统</h1></body></html>"


def test_the_cjk_check_fails_without_a_cjk_font(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("未安装 /usr/bin/chromium（以 root 运行 make test 会自动安装）")
    sync_api = pytest.importorskip("playwright.sync_api")
    conf = tmp_path / "fonts.conf"
    conf.write_text("<?xml version='1.0'?><fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir>"
                    f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>")
    seen = {}
    with sync_api.sync_playwright() as pw:
        for name, env in (("system", None), ("no_cjk", dict(os.environ, FONTCONFIG_FILE=str(conf)))):
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, env=env,
                                         args=["--no-sandbox", "--disable-gpu"])
            try:
                page = browser.new_page()
                page.set_content(HEADING)
                seen[name] = page.locator("h1").evaluate(_GLYPHS)
            finally:
                browser.close()
    assert seen["system"]["drawn"] and seen["system"]["distinct"]
    assert not seen["no_cjk"]["drawn"] and not seen["no_cjk"]["distinct"]
