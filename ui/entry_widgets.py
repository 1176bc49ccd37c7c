"""Widgets the entry and results pages share: the branch, member and stale-choice handling of
the pickers, the branch's scheme, per-form request keys and grid keys, flashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import streamlit as st

from core import members, orgs
from core.auth import Scope
from core.scheme import Scheme
from core.scheme_assignments import NoSchemeError, scheme_for
from core.store import Store
from ui.links import arrived
from ui.widgets import md


def pick_branch(store: Store, scope: Scope, key: str, clears: tuple[str, ...] = ()) -> str:
    """The branch to work on: a secretary's own, or one chosen from the scope (keyed on the
    code, shown by its unique label; a link's ``?branch=`` starts it). Changing it drops
    the widget state named in ``clears`` (member, item, period …): a choice made for one
    branch means nothing in another, whose scheme may not even have that item."""
    branches = orgs.branches(store, scope)
    if not branches:
        st.info("您的管辖范围内没有党支部")
        st.stop()
    if len(branches) == 1:
        return branches[0][0]
    names = dict(branches)
    linked = arrived().get("branch")  # a link's ?branch= (首页待办) is the starting choice
    if linked in names:
        st.session_state[key] = linked
        forget(clears)
    drop_stale(key, names)
    return st.selectbox("党支部（村）", list(names), format_func=names.get, key=key,
                        on_change=forget, args=(clears,))


_FIRST = object()  # drop_stale's start: the first option


def drop_stale(key: str, options, start=_FIRST) -> None:
    """A picker's kept choice that is no longer among its options (another branch's item, a
    household the search no longer finds, a choice ``forget`` cleared) is replaced by ``start``:
    the first option unless given, None for a picker with a placeholder (``index=None``).
    Set, not deleted: the browser is told a value only when the state is set. A deleted choice
    left it showing the old label while the page worked on the default: the counter's 户 picker
    read 李二户 over 张大户's balance after searching "zdh", and exchanged for 张大户."""
    if key in st.session_state and st.session_state[key] not in options:
        st.session_state[key] = next(iter(options), None) if start is _FIRST else start


def forget(keys) -> None:
    """Start these widgets again (a new branch or track has other members, items, periods).
    Their state is set to "", not dropped, for the same reason as in ``drop_stale``: a text box
    then shows it empty, and a picker, whose options are never "", restarts from its start
    through its ``drop_stale``."""
    for name in keys:
        if name in st.session_state:
            st.session_state[name] = ""


def pick_member(store: Store, scope: Scope, key: str, *, branch_code: str | None = None, among: dict | None = None,
                label: str = "党员", limit: int = 200, placeholder: str | None = None, kinds: list[str] | None = None):
    """A member picker searched by name or pinyin initials (zs → 张三, zhangs too) through the
    core search every page shares. ``among`` (id → label, e.g. the subjects of a result, in
    their order) narrows it to those. With a ``placeholder`` nothing is preselected.
    Returns (member id or None, id → label of the candidates)."""
    hint = "户主姓名、拼音首字母或门牌号" if label == "农户" else "姓名或拼音首字母，如 zs 查找张三"
    query = st.text_input(f"查找{label}", key=f"{key}_query", placeholder=hint)
    if among is None:
        found = members.pick(store, scope, query, branch_code=branch_code, limit=limit, kinds=kinds)
        names = {mid: f"{name}（{mid}）" for mid, name, _ in found}
    else:
        names = dict(among)
        if query.strip():
            hits = set(members.search(store, scope, query, branch_code=branch_code, include_transferred=True,
                                      limit=100_000)[0]["编号"])
            names = {mid: shown for mid, shown in names.items() if mid in hits}
    if not names:
        st.caption(f"没有找到匹配的{label}")
        return None, names
    drop_stale(key, names, None if placeholder else _FIRST)
    return st.selectbox(label, list(names), format_func=names.get, key=key, index=None if placeholder else 0,
                        placeholder=placeholder), names


def scheme_or_stop(store: Store, branch_code: str, day: dt.date, track: str = "party") -> Scheme:
    """The branch's scheme of ``track`` on ``day``; without one the page says so and stops."""
    try:
        return scheme_for(store, branch_code, day, track)[0]
    except NoSchemeError as exc:
        st.warning(md(exc))
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


def rows_key(ids) -> str:
    """A short digest of the rows a grid shows, for its widget key. A data_editor keeps its
    edits by row position: shown other rows (another branch, another filter), it must start
    clean, or a tick made on one record would land on whatever now sits in that row."""
    return hashlib.sha1(",".join(map(str, ids)).encode()).hexdigest()[:12]


def flash(name: str, message: str) -> None:
    """A success message that survives the ``st.rerun`` after a save."""
    st.session_state[f"{name}_flash"] = message


def show_flash(name: str) -> None:
    message = st.session_state.pop(f"{name}_flash", None)
    if message:
        st.success(md(message))  # names of members and branches in it


def pick_track(store: Store, branch_code: str, day: dt.date, key: str, clears: tuple[str, ...] = ()) -> str:
    """「积分对象」: where the branch runs more than one track (a village's 党员 and its 农户), which
    subjects the page works on; with one track, that one and no widget. Changing it drops the
    state in ``clears`` (another track has other subjects, items and periods)."""
    from core.services.village import SUBJECT_NAMES, branch_tracks

    tracks = branch_tracks(store, branch_code, day)
    if len(tracks) == 1:
        return tracks[0]
    drop_stale(key, tracks)
    # a select box, not radio buttons: an option labelled 党员 would be a second field named 党员
    # beside the member search (a browser test, or a screen reader, finds fields by label)
    return st.selectbox("积分对象", tracks, format_func=SUBJECT_NAMES.get, key=key, on_change=forget, args=(clears,))
