"""How the dashboards name their periods and cycles: calendar periods by their months, a
cycle by the dates of the schemes in scope (core.cycles.cycle_label)."""

import datetime as dt
from dataclasses import replace

from core.metrics.filters import cycle_name, cycle_starts, period_label
from tests import metrics_world as world


def test_calendar_periods_read_as_months_never_as_quarters():
    # a 七一 scheme's 第1季度 is Jul–Sep, so Oct–Dec is never called "第4季度" on a dashboard
    assert period_label("2026Q4") == "2026年10—12月"
    assert period_label("2026Q1") == "2026年1—3月"
    assert period_label("2026-11") == "2026年11月"
    assert period_label("2026") == "2026年1—12月"


def test_a_cycle_is_named_with_its_dates():
    assert cycle_name(["07-01"], 2025) == "2025—2026年度（2025-07-01至2026-06-30）"
    assert cycle_name(["07-01"], 2025, dates=False) == "2025—2026年度"
    assert cycle_name(["01-01"], 2025) == "2025年度（2025-01-01至2025-12-31）"
    # branches on schemes with different starts: both spans are given
    assert cycle_name(["01-01", "07-01"], 2025) == (
        "2025年度（各支部方案起止不同：2025-01-01至2025-12-31；2025-07-01至2026-06-30）")
    assert cycle_name([], 2025) == "2025年度"


def test_cycle_starts_come_from_the_schemes_in_scope(store):
    world.build(store)  # township C09T01 runs party-q100-3to1 (七一)
    assert cycle_starts(store, world.SCOPE, world.FILTER) == ["07-01"]
    from core.auth import User
    from core.scheme_assignments import assign_scheme
    assign_scheme(store, User("t", "管理员", "admin", "C09"), world.B1, "party-annual-7to3", dt.date(2025, 1, 1),
                  reason="试点")
    assert cycle_starts(store, world.SCOPE, world.FILTER) == ["01-01", "07-01"]
    assert cycle_starts(store, world.SCOPE, replace(world.FILTER, branch=world.B2)) == ["07-01"]
