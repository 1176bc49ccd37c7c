"""Links land on the branch, period and view their item is about: 首页待办, 总览's visits
and alerts, and the pages that read a link's ?branch=&cycle=&period=."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from core.auth import User
from core.metrics.alerts import all_alerts, visit_list
from core.metrics.filters import default_filter
from core.auth.scope import scope_for
from core.store import Store
from tests.conftest import DEMO_TODAY, page_runner

TOWNSHIP = User("zhen01", "孙丽", "township", "C01T01")


@pytest.fixture
def page(demo_path, monkeypatch):
    return page_runner(demo_path, monkeypatch, TOWNSHIP)


def links(at) -> list[tuple[str, dict]]:
    """(page's URL path, query) of every st.page_link on the page."""
    return [(e.proto.page, {k: v[0] for k, v in parse_qs(e.proto.query_string).items()})
            for e in at.get("page_link")]


def open_windows(demo_path):
    store = Store(demo_path)
    rows = store.all("SELECT branch_code, cycle, period FROM publicity WHERE state = 'open' ORDER BY id")
    store.close()
    return rows


def test_home_todo_links_carry_the_window_they_are_about(app_as, demo_path):
    at = app_as("zhen01")  # lands on 首页 (page links need the app's navigation)
    got = links(at)
    windows = open_windows(demo_path)
    assert len(windows) >= 2  # the demo has several open 公示 in the township
    store = Store(demo_path)
    # the township returned or approved these (core/demo/review_chain.py): the branch acts next
    decided = {tuple(r) for r in store.all("SELECT branch_code, cycle, period FROM review_steps WHERE step = 'township'")}
    store.close()
    for branch, cycle, period in windows:
        if (branch, cycle, period) in decided:
            continue
        # a closed cycle 公示 sent up to the township is on its 上级审核 queue
        pages = ("publicity", "township_review")
        assert any(p in pages and q == {"branch": branch, "cycle": str(cycle), "period": period}
                   for p, q in got), (branch, got)


def test_a_publicity_link_opens_that_branch_and_period(page, demo_path):
    for branch, cycle, period in open_windows(demo_path):
        at = page("pages/publicity.py", query={"branch": branch, "cycle": str(cycle), "period": period})
        assert (at.selectbox(key="pub_branch").value, at.selectbox(key="pub_cycle").value,
                at.selectbox(key="pub_period").value) == (branch, cycle, period)
        assert at.metric[0].value in ("公示中", "公示期已结束，待归档", "未开始")
        # the link is applied once: the user's own choice then holds
        at.selectbox(key="pub_period").set_value("cycle").run()
        assert at.selectbox(key="pub_period").value == "cycle"


def test_a_results_link_opens_that_cycle(page):
    at = page("pages/results.py", query={"branch": "C01T01B03", "cycle": "2025", "period": "Q2"})
    assert (at.selectbox(key="res_branch").value, at.selectbox(key="res_cycle").value,
            at.selectbox(key="res_period").value) == ("C01T01B03", 2025, "Q2")


def test_a_coverage_link_narrows_the_dashboard_to_the_branch(page):
    at = page("pages/coverage.py", query={"branch": "C01T01B07"})
    assert at.selectbox(key="f_branch").value == "C01T01B07"


def test_every_visit_reason_links_to_its_branch(app_as, demo_store):
    at = app_as("zhen01")
    at.switch_page("pages/overview.py").run()
    assert not at.exception, at.exception
    scope = scope_for(demo_store, TOWNSHIP)
    alerts = all_alerts(demo_store, scope, default_filter(DEMO_TODAY))
    visits = visit_list(alerts)
    assert len(visits) == 3  # items 2 and 3 navigated nowhere before
    got = links(at)
    for visit in visits:
        mine = [(p, q) for p, q in got if q.get("branch") == visit.branch]
        # one link per reason of the visit, and each alert of the branch in its tab
        assert len(mine) >= 2 * len(visit.reasons), (visit, got)
    stale = [a for a in alerts if a.rule == "stale"]
    for alert in stale:  # "N 天未录入" → that branch's 覆盖情况
        assert ("coverage", {"branch": alert.branch}) in got


@pytest.mark.parametrize("path,key", [("pages/review.py", "rv_branch"), ("pages/quick_entry.py", "qe_branch"),
                                      ("pages/attendance.py", "att_branch"), ("pages/appraisal.py", "ap_branch")])
def test_entry_pages_open_on_a_linked_branch(page, path, key):
    at = page(path, user=User("admin", "管理员", "admin", "C01"), query={"branch": "C01T01B05"})
    assert at.selectbox(key=key).value == "C01T01B05"
    at.selectbox(key=key).set_value("C01T01B06").run()  # then the user's own choice holds
    assert at.selectbox(key=key).value == "C01T01B06"
