"""Small widgets shared by pages."""

from __future__ import annotations

import streamlit as st


def reset_page(key: str):
    """An on_change callback that sends a pager back to page 1 when its filter changes."""
    return lambda: st.session_state.update({key: 1})


def page_offset(key: str, page_size: int) -> int:
    return (int(st.session_state.get(key, 1)) - 1) * page_size


def pager(key: str, total: int, page_size: int) -> None:
    """A page selector under a paginated table (never send a whole large table to the browser)."""
    pages = max(1, -(-total // page_size))
    if int(st.session_state.get(key, 1)) > pages:
        st.session_state[key] = 1
    if pages > 1:
        st.number_input(f"页码（共 {pages} 页，{total} 条）", min_value=1, max_value=pages, step=1, key=key)
    else:
        st.caption(f"共 {total} 条")


_MARKDOWN_SPECIALS = "\\`*_{}[]<>()#+-.!|~$:"


def md(text: str) -> str:
    """User text (names, messages) made literal inside markdown: its * [ ] < … are not syntax."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in str(text))
