"""首页待办 on the hand-made township of tests/metrics_world.py (today 2026-11-20)."""

import pytest

from core.attention import todos
from core.auth import Scope, User
from tests import metrics_world as world


@pytest.fixture
def township(store):
    world.build(store)
    return store


# party-q100-3to1 runs from 07-01: its cycle 2026's 第2季度 is October to December 2026
Q2 = "2026—2027年度（2026-07-01至2027-06-30）第2季度（10—12月）"


def texts(items):
    return [(t.page, t.text, t.urgent) for t in items]


def test_admin_sees_every_kind_of_todo_urgent_first(township):
    admin = User("t", "管理员", "admin", "C09")
    got = texts(todos(township, admin, world.SCOPE, world.TODAY))
    assert got == [
        # B1's Q2 公示 ran 11-01..11-08; objections 1 and 2 are still open
        ("publicity", f"B01村党支部{Q2}公示已结束，还有 2 条异议未办结，办结后才能归档", True),
        # objection 1's deadline 11-10 has passed; objection 2's (11-30) has not
        ("publicity", "异议逾期：m1（群众提出），办理期限 2026-11-10", True),
        # B2 last entered 10-20 (the reversal): 31 days before 11-20, over the 30-day rule; B3 never
        ("coverage", "B02村党支部已 31 天未录入积分（最近 2026-10-20），建议走访督促", True),
        ("coverage", "B03村党支部从未录入积分，建议走访督促", True),
        # only event 2 (m2) is entered and unreviewed: 4 is a reversal, 5 rejected, the rest approved
        ("review", "1 条积分记录待审核", False),
    ]


def test_secretary_sees_own_branch_without_stale_alerts(township):
    secretary = User("s", "书记", "secretary", world.B1)
    scope = Scope("s", "secretary", world.B1, f"/C09/C09T01/{world.B1}/")
    pages = [t.page for t in todos(township, secretary, scope, world.TODAY)]
    assert pages == ["publicity", "publicity", "review"]


def test_recorder_sees_rejections_only(township):
    recorder = User("t", "记分员", "recorder", world.B2)
    scope = Scope("t", "recorder", world.B2, f"/C09/C09T01/{world.B2}/")
    # event 5 (n3, entered by t) was rejected when the world was built, within the last 30 days
    assert texts(todos(township, recorder, scope, world.TODAY)) == [
        ("quick_entry", "近30天有 1 条录入被驳回，请查看原因后重新录入", True)]


def test_nothing_to_do_in_a_quiet_open_window(township):
    # after the window closed with no open objection, a secretary is told to finalise
    township.write(lambda cur: cur.execute("UPDATE objections SET state = 'resolved'").fetchall())
    secretary = User("s", "书记", "secretary", world.B1)
    scope = Scope("s", "secretary", world.B1, f"/C09/C09T01/{world.B1}/")
    assert ("publicity", f"B01村党支部{Q2}公示已结束，可以确认归档", False) in texts(
        todos(township, secretary, scope, world.TODAY))


def test_each_todo_links_to_the_branch_and_period_it_is_about(township):
    admin = User("t", "管理员", "admin", "C09")
    links = [(t.page, t.params) for t in todos(township, admin, world.SCOPE, world.TODAY)]
    window = {"branch": world.B1, "cycle": "2026", "period": "Q2"}  # B1's 公示 of 2026 Q2
    assert links == [("publicity", window), ("publicity", window),  # the overdue objection is in that window
                     ("coverage", {"branch": world.B2}), ("coverage", {"branch": world.B3}),  # 未录入: coverage
                     ("review", {"branch": world.B1})]  # the one record waiting is B1's
