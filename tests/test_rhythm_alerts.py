"""The two rhythm alerts (季度未公示, 超期未审核) on the rhythm world, worked out by hand."""

import dataclasses
import datetime as dt

import pytest

from core.metrics import alerts
from tests import rhythm_world as w

NAMES = {w.B1: "一村党支部", w.B2: "二村党支部"}


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def world(request, tmp_path_factory):
    with w.fresh_store(request, tmp_path_factory) as store:
        w.build(store)
        yield store


def _on(day: dt.date):
    return dataclasses.replace(w.SEPTEMBER, today=day)


def test_a_quarter_ended_without_a_publicity(world):
    # 2025-10-10: cycle 2025 Q1 (Jul–Sep) ended 09-30, 10 days ago (> 5): B1 opened its 公示 on
    # 10-05, B2 none → B2 alone. Cycle 2024 Q4 (Apr–Jun) ended 06-30: both published it in July.
    # B2's village scheme starts 10-01: no village quarter has ended under it.
    fired = alerts.unpublished(world, w.SCOPE, _on(w.TODAY), NAMES)
    assert [(a.rule, a.branch, a.message) for a in fired] == [
        ("unpublished", w.B2, "2025—2026年度第1季度（7—9月）已于 2025-09-30 结束，10 天未发起公示")]
    # 2025-10-03: 3 days after the quarter's end, still within the 5 days a 公示 may take
    assert alerts.unpublished(world, w.SCOPE, _on(dt.date(2025, 10, 3)), NAMES) == []


def test_records_pending_longer_than_the_review_interval(world):
    # B2's r1 (村民, village-zhangji: review_interval_days = 30): event 4 entered 09-09 → 31 days
    # on 10-10 (alert), event 5 entered 09-11 → 29 days (none). B1's p2 has waited 31 days too,
    # but party-q100-3to1 sets no interval: no alert. v1's 1.5 h (09-21) likewise.
    fired = alerts.review_overdue(world, w.SCOPE, _on(w.TODAY), NAMES)
    assert [(a.branch, a.message) for a in fired] == [
        (w.B2, "1 条积分记录待审核已超过 30 天（最早 2025-09-09 录入）")]
    assert alerts.RULE_NAMES[fired[0].rule] == "超期未审核"
    # on 10-09 event 4 has waited 30 days: not yet longer than the interval
    assert alerts.review_overdue(world, w.SCOPE, _on(dt.date(2025, 10, 9)), NAMES) == []
