"""Run one page alone under AppTest as a logged-in user (the guard still checks the role and
re-reads the account, so the user must exist in the store that ``JIFEN_DB`` names)."""

from __future__ import annotations

from tests.conftest import ROOT


def run_page(path: str, user, timeout: int = 30, query: dict | None = None, **state):
    """The page at ``path`` (from the repo root) after its first run, with ``state`` seeded
    into the session and ``query`` as the link's parameters (?branch=…); any exception fails the test."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / path), default_timeout=timeout)
    at.session_state["user"] = user
    for key, value in state.items():
        at.session_state[key] = value
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at
