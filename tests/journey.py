"""What every browser journey checks on every page it visits (issue 13: no exception or
traceback, no "None", Chinese text drawn with a CJK font), and the screenshot of its last page."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # git-ignored: for a person to look at
# "None" (or "nan") as a word: Chinese text runs into it with no space, so letters alone bound it
STRAY = re.compile(r"(?<![A-Za-z])(None|nan|Traceback)(?![A-Za-z])")

# Draws a string in the computed font of the page's heading on a canvas and compares the
# pixels (alpha channel). 积分 and 考核 are drawn by the CJK font as different glyphs; U+0378
# and U+0379 are unassigned code points that no font has, so they are drawn as the .notdef box
# ("tofu"). On a machine without fonts-noto-cjk no font has 积分 either: all three strings
# become the same two boxes, identical pixels, and the check fails.
_GLYPHS = """(el) => {
  const family = getComputedStyle(el).fontFamily;
  const draw = (text) => {
    const canvas = document.createElement('canvas');
    canvas.width = 120; canvas.height = 60;
    const ctx = canvas.getContext('2d');
    ctx.font = `48px ${family}`;
    ctx.textBaseline = 'top';
    ctx.fillText(text, 0, 0);
    return ctx.getImageData(0, 0, 120, 60).data.filter((_, i) => i % 4 === 3).join(',');
  };
  const han = draw('积分'), other = draw('考核'), tofu = draw('\\u0378\\u0379');
  return {family, drawn: han !== tofu, distinct: han !== other, blank: !/[1-9]/.test(han)};
}"""


@cache
def cjk_fonts() -> list[str]:
    """The installed fonts that cover Chinese (fontconfig), asked once per test process."""
    if shutil.which("fc-list") is None:
        return []
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False).stdout
    return [line for line in out.splitlines() if line.strip()]


def check_page(page, where: str) -> None:
    """The page as it stands: no Streamlit exception, no traceback, no "None" or "nan" in the
    rendered text, and its heading's Chinese drawn by a CJK font that is installed.

    A table's null cell is drawn "None" on the canvas but mirrored as an empty cell, like an
    empty string: that one only a screenshot (or a test of the cell) shows."""
    assert page.locator("[data-testid=stException]").count() == 0, f"{where}：页面出现异常"
    # a table's cells are drawn on a canvas; Glide mirrors the rows shown in a hidden table
    cells = page.locator("[data-testid=stDataFrame] td").evaluate_all("tds => tds.map(td => td.textContent)")
    text = "\n".join([page.get_by_test_id("stApp").inner_text(), *cells])
    stray = STRAY.search(text)
    assert stray is None, f"{where}：页面显示了 {stray.group(0)!r}：…{text[max(0, stray.start() - 40):stray.end() + 40]}…"
    assert cjk_fonts(), "fc-list :lang=zh 找不到中文字体（需要 fonts-noto-cjk）"
    heading = page.locator("[data-testid=stApp] h1").first
    target = heading if heading.count() else page.get_by_test_id("stApp")
    glyphs = target.evaluate(_GLYPHS)
    assert glyphs["drawn"] and glyphs["distinct"] and not glyphs["blank"], (
        f"{where}：中文没有用中文字体显示（{glyphs['family']}）")


def finish(page, name: str, where: str) -> Path:
    """The last page of a journey: checked, then saved as tests/artifacts/<name>.png."""
    check_page(page, where)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
