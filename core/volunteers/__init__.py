"""党员义工 (seed 002): a work station (党员义工工作站, a branch-level org running the
``volunteer-stars`` scheme, track ``volunteer``) logs its volunteers' service hours, which
become points (5 per hour rated 满意) and stars; trains them; and sends up a monthly report.

- ``stations``: the work stations in a user's scope.
- ``service_log``: one service record (an ``events`` row through ``ledger.record_event``,
  its type, form and confirmation in ``service_details``); the station's log.
- ``standing``: hours, points and stars per volunteer, the share at 3 stars against the
  scheme's target, the monthly group service (每月集中服务).
- ``training``: training sessions and the yearly minimum (2 sessions, 12 hours).
- ``monthly``: the 月报, its due date (the next month's first Wednesday) and its export.
"""

from __future__ import annotations

TRACK = "volunteer"
SERVICE_ITEM = "service"  # the volunteer-stars item whose count is hours
KIND = "volunteer"

# The seed's five kinds of service (seed 002, 三) and three forms (四).
SERVICE_TYPES = ("时政宣教", "便民利民", "困难帮扶", "社会公共", "助推中心")
FORMS = ("集中", "派单", "定点")
GROUP_FORM = "集中"  # 每月至少组织一次党员义工集中服务活动
DISPATCH_FORM = "派单"  # confirmed by the person served (派单服务时间由服务对象签字认定)
