"""Walking every page as every role (AppTest), shared by the plain-Chinese and markup tests."""

from __future__ import annotations

import os
import shutil

import pytest

from core.auth import can
from tests.conftest import DEMO_PASSWORD, ROOT
from ui.registry import PAGES

# a subject: the first demo village's first household head, with a self-declaration and its photo
ROLES = {"admin": "admin", "township": "zhen01", "secretary": "shuji01", "recorder": "jilu01", "subject": "nonghu01"}


def walk_cases(marks_for=lambda key, role: ()):
    """One param per (page, role) the role's navigation offers (a page outside it is never linked)."""
    for spec in PAGES:
        for role in ROLES:
            if can(role, spec.action):
                yield pytest.param(spec.path, role, id=f"{spec.key}-{role}", marks=list(marks_for(spec.key, role)))


_SESSIONS: dict[tuple[str, str], object] = {}  # (role, database) → its logged-in AppTest


def open_page(page: str, role: str):
    """The page as the role's demo user sees it after logging in: one session per role and
    database, moving from page to page as the user does (a login per page cost half the walk)."""
    from streamlit.testing.v1 import AppTest

    key = (role, os.environ.get("JIFEN_DB", ""))
    at = _SESSIONS.get(key)
    if at is None:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        at.text_input[0].input(ROLES[role])
        at.text_input[1].input(DEMO_PASSWORD)
        at.button[0].click().run()
        _SESSIONS[key] = at
    return at.switch_page(page).run()


def findings(texts: list[tuple[str, str]], patterns, say) -> list[str]:
    """Each (kind, text) a pattern matches, once, as ``say(name, kind, text)`` tells it."""
    seen: list[str] = []
    for kind, text in texts:
        for name, pattern in patterns:
            if pattern.search(text):
                line = say(name, kind, text)
                if line not in seen:
                    seen.append(line)
    return seen


def demo_copy(demo_db, tmp_path_factory, name: str, prepare=None):
    """A module's own copy of the S demo (``prepare(path)`` may change it), served to AppTest."""
    path = tmp_path_factory.mktemp(name) / "demo.duckdb"
    shutil.copyfile(demo_db, path)
    if prepare is not None:
        prepare(path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JIFEN_DB", str(path))
        mp.chdir(ROOT)
        yield path


def elements(at) -> list[tuple[str, object, object, bool]]:
    """(type, node, proto, is_container_label) of everything AppTest drew, in page order: an
    expander's or tab's label first, then its children; every other element once."""
    out: list[tuple[str, object, object, bool]] = []

    def walk(node) -> None:
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        if kind in ("expander", "tab"):
            out.append((kind, node, proto, True))
        if hasattr(node, "children") and isinstance(node.children, dict):
            for child in node.children.values():
                walk(child)
            return
        out.append((kind, node, proto, False))

    walk(at._tree)
    return out
