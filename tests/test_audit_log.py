"""操作日志 reads: filters by user, member and date, within the reader's scope."""

import datetime as dt

from core.audit_log import search
from core.auth.scope import scope_for
from core.services.publicity import open_publicity
from tests.entry_world import ADMIN, OTHER_SECRETARY, SECRETARY, TODAY, TOWNSHIP, world  # noqa: F401
from tests.publicity_world import BRANCH, approved_event


def test_filters_and_scope(world):
    approved_event(world, "M01", "miss_meeting", dt.date(2025, 8, 3))
    open_publicity(world, SECRETARY, BRANCH, 2025, "Q1", TODAY, TODAY + dt.timedelta(days=6), today=TODAY)
    township = scope_for(world, TOWNSHIP)
    frame, total = search(world, township, username="shuji01")
    assert total == 3 and set(frame["操作"]) == {"录入积分", "审核通过", "发起公示"}
    frame, total = search(world, township, member="张三")
    assert set(frame["操作"]) == {"录入积分", "审核通过"}
    assert search(world, township, start=TODAY + dt.timedelta(days=400))[1] == 0
    assert search(world, township, end=dt.date(2000, 1, 1))[1] == 0
    # the other branch's secretary sees none of branch 1's rows
    assert search(world, scope_for(world, OTHER_SECRETARY), member="张三")[1] == 0
    before_after = search(world, scope_for(world, ADMIN), username="shuji01")[0].row(0, named=True)
    assert before_after["操作"] == "发起公示" and '"Q1"' in before_after["修改后"]
