"""Links that land on the branch, period and view an item is about.

A link is a page plus query parameters (``?branch=C01T01B01&cycle=2025&period=Q1``), made
with ``st.page_link(..., query_params=link.params)``; core decides where an item leads
(``core.attention``). The target page's pickers apply the parameters once, as their
starting choice, then drop them from the URL, so the user's own choices on later reruns
are not overridden by the link they came in by.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from ui.widgets import md

LINK_KEYS = ("branch", "cycle", "period")


def arrived() -> dict[str, str]:
    """The link parameters this run brought, taken out of the URL (other parameters stay)."""
    params = {}
    for name in LINK_KEYS:
        if name in st.query_params:
            params[name] = st.query_params[name]
            del st.query_params[name]
    return params


def page_link(link, label: str, **kwargs) -> None:
    """A ``core.attention.Link`` as a Streamlit page link (to its page, with its parameters).
    A page run on its own (a page test, the bench) has no navigation to link within: there
    the same address is written as a plain link (app.py serves each page at its key)."""
    from ui.registry import BY_KEY

    try:
        st.page_link(BY_KEY[link.page].path, label=md(label), query_params=link.params or None, **kwargs)
    except StreamlitPageNotFoundError:
        query = f"?{urlencode(link.params)}" if link.params else ""
        st.markdown(f"[{md(label)}](/{link.page}{query})")
