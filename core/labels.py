"""Unique labels for pickers whose names may repeat (two users both called 王芳).

A selectbox matches the choice it is sent back by its label, so two equal labels make the
second choice unreachable and a rerun lands on the first; every picker shows unique ones.
Orgs have their own rule (name, then township, then code: ``core.orgs.labels``).
"""

from __future__ import annotations


def unique(pairs) -> dict:
    """key → name for (key, name) pairs, with the key added in brackets where a name repeats:
    {"wangf": "王芳（wangf）", "wangf2": "王芳（wangf2）", "lil": "李莉"}."""
    pairs = list(pairs)
    seen: dict[str, int] = {}
    for _, name in pairs:
        seen[name] = seen.get(name, 0) + 1
    return {key: name if seen[name] == 1 else f"{name}（{key}）" for key, name in pairs}
