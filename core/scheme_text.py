"""A scheme's decisions and source as a user reads them on 积分方案: Chinese only.

The scheme files keep, for the engineers, an English "Decision:" line beside each Chinese
one, and name warnings and flags by code ("并提示 missing_appraisal"). A user sees the
Chinese lines as 说明, with the codes taken out, and the source as its title and section
(never the seed's file name).
"""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u4e00-\u9fff]")
_PAREN_CODE = re.compile(r"\s*[（(][A-Za-z_][A-Za-z0-9_:=.,\s\"'\-]*[）)]")  # "（approved_on）", "(fraud: true)"
_SAID_CODE = re.compile(r"(提示|标记)\s*[A-Za-z_][A-Za-z0-9_]*")  # "并提示 missing_appraisal"
_HALVES = {"H1": "前半年", "H2": "后半年"}


def plain_decisions(decisions: list[str]) -> list[str]:
    """The Chinese decision lines, without "决定：", codes in brackets or named codes."""
    out = []
    for line in decisions:
        if not _CJK.search(line) or line.lstrip().lower().startswith("decision"):
            continue
        text = line.removeprefix("决定：").replace("streak:", "")
        text = _SAID_CODE.sub(r"\1", _PAREN_CODE.sub("", text))
        text = re.sub(r"(?<![A-Za-z0-9])H[12](?![A-Za-z0-9])", lambda m: _HALVES[m.group(0)], text)
        out.append(text.strip())
    return out


def source_line(source: dict) -> str:
    """'关于落实《…》的通知（第二篇）': the seed's title and section, not its file name."""
    title, section = source.get("title", ""), source.get("section", "")
    return f"{title}（{section}）" if section else title
