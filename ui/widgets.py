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


# Escaped wherever they stand: links, images, emphasis, code, HTML, headings, tables, strikes, LaTeX.
_ALWAYS = frozenset("\\`*_{}[]<>()#!|~$")
# Escaped where markdown would read them: a list or rule only opens a line.
_LINE_START = frozenset("-+=")


def md(text) -> str:
    """User text (names, notes, messages) made literal inside markdown, the one way it reaches
    st.markdown, captions, titles, alerts, labels and links: ``**b**``, ``[x](…)``, ``<img …>``
    and the rest are drawn as the characters they are.

    ``-``, ``+`` and ``=`` are escaped only where a line starts (list, rule, heading underline);
    ``.`` except between two digits (``1.`` list, ``www.`` autolinks); ``:`` before a letter or
    ``/`` (``:smile:``, ``:material/…:``, ``http://`` autolinks). So dates, times and decimals
    (2025-07-01, 08:30, 85.5) read the same in the source as on the screen.
    """
    text = str(text)
    out = []
    line_start = True
    for i, ch in enumerate(text):
        prev = text[i - 1] if i else ""
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if ch in _ALWAYS or (ch in _LINE_START and line_start) \
                or (ch == "." and not (prev.isdigit() and nxt.isdigit())) \
                or (ch == ":" and ((nxt.isascii() and nxt.isalpha()) or nxt == "/")):
            out.append("\\" + ch)
        else:
            out.append(ch)
        if ch == "\n":
            line_start = True
        elif not ch.isspace():
            line_start = False
    return "".join(out)


def uploader_in_chinese() -> None:
    """Streamlit 1.67's file uploader speaks English ("Upload", "200MB per file • XLSX, XLS,
    CSV") and has no option to change it. Every uploader's label already says which files and
    how large, so the instructions are hidden and the button reads 选择文件 (a style, no user
    text). Call it once on a page, before its uploader."""
    st.html("<style>[data-testid=stFileUploaderDropzoneInstructions]{display:none}"
            "[data-testid=stFileUploaderDropzone] button p{font-size:0}"
            "[data-testid=stFileUploaderDropzone] button p::after{content:'选择文件';font-size:0.875rem}</style>")
