"""Widgets the entry pages share: the branch and its scheme, per-form request keys, flashes."""

from __future__ import annotations

import datetime as dt
import uuid

import streamlit as st

from core import orgs
from core.auth import Scope
from core.scheme import Scheme
from core.scheme_assignments import NoSchemeError, scheme_for
from core.store import Store


def pick_branch(store: Store, scope: Scope, key: str) -> str:
    """The branch to work on: a secretary's own, or one chosen from the scope."""
    branches = orgs.branches(store, scope)
    if not branches:
        st.info("您的管辖范围内没有党支部")
        st.stop()
    if len(branches) == 1:
        return branches[0][0]
    names = dict(branches)
    return st.selectbox("党支部（村）", list(names), format_func=names.get, key=key)


def scheme_or_stop(store: Store, branch_code: str, day: dt.date) -> Scheme:
    """The branch's scheme on ``day``; without one the page says so and stops."""
    try:
        return scheme_for(store, branch_code, day)[0]
    except NoSchemeError as exc:
        st.warning(str(exc))
        st.stop()


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
