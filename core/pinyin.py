"""Pinyin keys for member search: ``zs`` finds 张三, ``zhangs`` too."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

# Surnames read differently from the same character in ordinary words.
_SURNAMES = {
    "曾": "zeng", "单": "shan", "仇": "qiu", "解": "xie", "区": "ou", "朴": "piao", "查": "zha",
    "乐": "yue", "覃": "qin", "盖": "ge", "翟": "zhai", "缪": "miao", "尉": "yu", "召": "shao",
    "种": "chong", "秘": "bi", "隗": "wei", "长": "chang", "重": "chong", "万": "wan", "黑": "he",
}


def syllables(name: str) -> list[str]:
    parts = lazy_pinyin(name, style=Style.NORMAL, errors="ignore")
    if name and name[0] in _SURNAMES and parts:
        parts[0] = _SURNAMES[name[0]]
    return [p.lower() for p in parts]


def keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) for a name, e.g. 张三 -> ('zs', 'zhangsan')."""
    parts = syllables(name)
    return "".join(p[0] for p in parts if p), "".join(parts)
