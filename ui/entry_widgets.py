"""Widgets the entry pages share: the branch picker and per-form request keys."""

from __future__ import annotations

import uuid

import streamlit as st

from core import orgs
from core.auth import Scope
from core.store import Store


def pick_branch(store: Store, scope: Scope, key: str) -> str | None:
    """The branch to work on: a secretary's own, or one chosen from the scope."""
    branches = orgs.branches(store, scope)
    if not branches:
        st.info("您的管辖范围内没有党支部")
        return None
    if len(branches) == 1:
        return branches[0][0]
    names = dict(branches)
    return st.selectbox("党支部（村）", list(names), format_func=names.get, key=key)


def form_key(name: str) -> str:
    """This form's request key. It also names the form's widgets, so a second click that
    arrives after the save targets a form that no longer exists, and one that arrives
    before finds the same key already used: either way one record."""
    slot = f"{name}_request_key"
    if slot not in st.session_state:
        st.session_state[slot] = uuid.uuid4().hex
    return st.session_state[slot]


def renew_form_key(name: str) -> None:
    """After a successful save: a fresh key, and so a fresh, empty form."""
    st.session_state[f"{name}_request_key"] = uuid.uuid4().hex


def flash(name: str, message: str) -> None:
    """A success message that survives the ``st.rerun`` after a save."""
    st.session_state[f"{name}_flash"] = message


def show_flash(name: str) -> None:
    message = st.session_state.pop(f"{name}_flash", None)
    if message:
        st.success(message)
