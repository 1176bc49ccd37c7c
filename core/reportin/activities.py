"""A community's 社区报到活动: it ticks which of the members reported to it came. The
attendance flow (core.services.attendance) writes it, listing the community's reported
members instead of its own branch's; absent members are kept as 缺席 so the community's
实到/应到 reads as for any activity."""

from __future__ import annotations

import datetime as dt

from core.reportin.rules import ACTIVITY_TYPE, ReportInError, community
from core.services.attendance import SavedActivity, create_activity
from core.reportin.registrations import community_roster
from core.store import Store


def record_activity(store: Store, user, community_code: str, day: dt.date, title: str, present, note: str = "",
                    request_key: str | None = None, today: dt.date | None = None) -> SavedActivity:
    """Save the activity with every reported member as present (in ``present``) or absent."""
    code, name = community(store, community_code)
    if not isinstance(day, dt.date):
        raise ReportInError("请选择活动日期")
    listed = community_roster(store, code, day)
    if not listed:
        raise ReportInError(f"{day:%Y-%m-%d}前没有党员向{name}报到（{day.year}年），无法登记社区报到活动")
    present = set(present or ())
    statuses = {m.id: "present" if m.id in present else "absent" for m in listed}
    stray = present - set(statuses)
    if stray:
        raise ReportInError(f"成员 {sorted(stray)[0][:20]} 不在本社区的报到名单中")
    return create_activity(store, user, code, ACTIVITY_TYPE, day, title, statuses, note, request_key, today)
