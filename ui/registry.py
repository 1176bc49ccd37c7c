"""Every page of the app: its file, Chinese title, section and the action it needs.

app.py builds the navigation from this list for the logged-in role, and each page calls
``ui.session.guard(KEY)`` so a hidden page stays refused when reached directly.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    key: str
    path: str
    title: str
    icon: str
    section: str
    action: str


PAGES: list[PageSpec] = [
    PageSpec("home", "pages/home.py", "首页", ":material/home:", "工作台", "view"),
    PageSpec("admin", "pages/admin.py", "系统管理", ":material/settings:", "系统", "manage_users"),
]

BY_KEY = {p.key: p for p in PAGES}
