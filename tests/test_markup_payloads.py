"""User text is never markup (issue 13): payloads in every text field of every kind of record,
then every page as every role; no link, image, HTML tag or bold may come out of them.

What Streamlit renders as markdown: st.markdown, captions, titles and headers, alerts, metric
labels, expander and tab labels, every widget label, help tooltips, radio options and page links.
An unescaped payload reaches those bodies verbatim (``**b**``, ``[x](``, ``<img``); the one
helper ``ui.widgets.md`` turns it into ``\\*\\*b\\*\\*``, ``\\[x\\]\\(``, ``\\<img``, which draws
the same characters as plain text. Dataframes, tables, st.text, selectbox options and input values
are plain text by nature and are not inspected.
"""

from __future__ import annotations

import re

import pytest

from core.store import Store
from tests.page_walk import demo_copy, elements, findings, open_page, walk_cases

PAYLOAD = ("<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) "
           "![](http://127.0.0.1/x.png) **b**")

# Every free-text field a user (or an import) can fill, by table. Codes, ids, states and the
# scheme's own vocabulary are not user text.
TEXT_FIELDS = {
    "orgs": ("name",),
    "members": ("name", "department", "work_unit", "address", "head_name", "exempt_reason", "house_no"),
    "household_people": ("name", "relation"),
    "users": ("display_name",),
    "objections": ("objector", "content", "resolution", "recheck"),
    "activities": ("title", "note"),
    "events": ("note", "evidence"),
    "event_reviews": ("reason",),
    "scores": ("note",),
    "vetoes": ("evidence",),
    "member_branch_history": ("reason",),
    "period_locks": ("reopen_reason",),
    "scheme_assignments": ("reason",),
    "audit_log": ("reason",),
    # 积分超市, 社区报到, 党员义工, 上级审核, 结果运用 (issues 11 and 12)
    "goods": ("name", "unit"),
    "stock_moves": ("note",),
    "exchanges": ("note",),
    "community_posts": ("name", "description"),
    "community_evaluations": ("comment",),
    "report_ins": ("pledge",),
    "service_details": ("served_name",),
    "volunteer_trainings": ("topic",),
    "review_steps": ("attendees", "decision", "reason"),
    "reminders": ("message",),
    "disposal_cases": ("talk_note", "plan", "decision_note", "reason"),
}

# A payload drawn as markup: its syntax reached a markdown body unescaped.
LIVE = [
    ("HTML tag", re.compile(r"(?<!\\)<(script|img)\b", re.I)),
    ("link", re.compile(re.escape("[x](javascript:"))),
    ("image", re.compile(re.escape("![](http://127.0.0.1/"))),
    ("bold", re.compile(re.escape("**b**"))),
]

MARKDOWN_KINDS = ("markdown", "caption", "title", "header", "subheader", "success", "info", "warning",
                  "error", "toast")
WIDGET_KINDS = ("selectbox", "multiselect", "radio", "text_input", "text_area", "number_input", "date_input",
                "checkbox", "toggle", "button", "download_button", "slider", "select_slider", "time_input",
                "button_group", "form_submit_button", "color_picker", "file_uploader")


def plant_payloads(store: Store) -> None:
    """Append the payload to every text field that holds a value; fill empty notes of a few rows."""
    def work(cur):
        for table, columns in TEXT_FIELDS.items():
            for column in columns:
                cur.execute(f'UPDATE "{table}" SET "{column}" = "{column}" || ? WHERE "{column}" IS NOT NULL',
                            [" " + PAYLOAD]).fetchall()
        # notes and reasons most rows leave empty: a payload on a few of each, where pages show them
        for table, column in (("events", "note"), ("events", "evidence"), ("scores", "note"),
                              ("activities", "note"), ("objections", "resolution"), ("objections", "recheck"),
                              ("exchanges", "note"), ("review_steps", "reason"), ("disposal_cases", "plan"),
                              ("scheme_assignments", "version_label")):
            cur.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE "{column}" IS NULL AND rowid % 7 = 0',
                        [PAYLOAD]).fetchall()
    store.write(work)


def markup_bodies(at) -> list[tuple[str, str]]:
    """(element, source) of everything on the page that Streamlit renders as markdown."""
    out: list[tuple[str, str]] = []
    for kind, node, proto, is_label in elements(at):
        if is_label:
            out.append((kind, node.label))
            continue
        if kind in MARKDOWN_KINDS:
            out.append((kind, str(node.value)))
        elif kind == "metric":
            out.extend([(kind, node.label), (kind, proto.help)])
        elif kind in WIDGET_KINDS:
            out.extend([(kind, proto.label), (kind, getattr(proto, "help", ""))])
            if kind == "radio":  # radio options are markdown too; selectbox options are not
                out.extend((kind, str(o)) for o in node.options)
        elif proto is not None and isinstance(getattr(proto, "label", None), str):
            out.append((kind, proto.label))  # page links, link buttons
            if isinstance(getattr(proto, "help", None), str):
                out.append((kind, proto.help))

    return [(k, t) for k, t in out if t]


def live_markup(bodies: list[tuple[str, str]]) -> list[str]:
    return findings(bodies, LIVE, lambda what, kind, text: f"{what} in {kind}: 「{text[:160]}」")


@pytest.fixture(scope="module")
def payload_db(demo_db, tmp_path_factory):
    """A copy of the S demo with the payload in every text field."""
    def plant(path):
        store = Store(path)
        plant_payloads(store)
        store.close()

    yield from demo_copy(demo_db, tmp_path_factory, "payloads", plant)


@pytest.mark.parametrize(("page", "role"), list(walk_cases()))
def test_user_text_is_never_markup(payload_db, page, role):
    at = open_page(page, role)
    assert not at.exception, at.exception
    bodies = markup_bodies(at)
    bad = live_markup(bodies)
    assert not bad, f"{page} as {role}:\n" + "\n".join(bad)
    if page in SHOWS_NAMES:  # the payload did reach the page, as escaped text
        assert any("\\<img src=x" in t for _, t in bodies), f"{page} as {role}: no name drawn"


# Pages that draw an org's, a member's or a user's name in a markdown body for every role.
SHOWS_NAMES = {"pages/home.py", "pages/quick_entry.py", "pages/member_file.py"}


def test_payloads_are_planted_and_the_checker_sees_them(payload_db):
    store = Store(payload_db)
    try:
        for table, columns in TEXT_FIELDS.items():
            for column in columns:
                filled = store.scalar(f'SELECT count(*) FROM "{table}" WHERE "{column}" IS NOT NULL')
                planted = store.scalar(f'SELECT count(*) FROM "{table}" WHERE contains("{column}", ?)', [PAYLOAD])
                assert planted == filled, (table, column)
    finally:
        store.close()
    from ui.widgets import md

    assert [w.split(" in ")[0] for w in live_markup([("markdown", PAYLOAD)])] == ["HTML tag", "link", "image", "bold"]
    assert live_markup([("markdown", md(PAYLOAD)), ("caption", "**王芳** · [返回](/home)")]) == []


def test_md_escapes_markup_and_leaves_dates_times_and_decimals():
    from ui.widgets import md

    assert md("2025-07-01 08:30 85.5 分") == "2025-07-01 08:30 85.5 分"  # as typed, nothing to read as markup
    assert md("- 列表\n1. 序号\n+ 加\n=== ") == "\\- 列表\n1\\. 序号\n\\+ 加\n\\=== "  # a line start opens a list
    # icons, colours, autolinks: escaping the opening : is enough
    assert md(":material/home: :red[x] www.x.cn http://x") == (
        "\\:material/home: \\:red\\[x\\] www\\.x\\.cn http\\://x")
    assert md("$x$ ~~s~~ a|b `c` # h") == "\\$x\\$ \\~\\~s\\~\\~ a\\|b \\`c\\` \\# h"
