"""Each alert rule firing and not firing, on the hand-made township and on hand-made results."""

import polars as pl
import pytest

from core.metrics import alerts, scores
from core.metrics.group_eval import SKIPPED
from tests import metrics_world as w

NAMES = {w.B1: "一村", w.B2: "二村", w.B3: "三村"}


@pytest.fixture
def world(store):
    w.build(store)
    return store


def test_stale_fires_after_30_days_and_for_branches_that_never_entered(world):
    fired = {a.branch: a.message for a in alerts.stale(world, w.SCOPE, w.FILTER)}
    assert set(fired) == {w.B2, w.B3}  # B1 entered 5 days ago
    assert "31 天" in fired[w.B2] and fired[w.B3] == "从未录入积分"


def test_overdue_objection_fires_only_past_its_deadline(world):
    fired = alerts.objections(world, w.SCOPE, w.FILTER, NAMES)
    assert [(a.branch, a.message) for a in fired] == [(w.B1, "1 条异议已超过答复期限（最早 2026-11-10）")]


def test_backfilling_month_end_burst_and_late_entry(world):
    fired = {(a.rule, a.branch) for a in alerts.backfill(world, w.SCOPE, w.FILTER)}
    # B2's September was typed in on its last 3 days; B1's August 40 days late. October has
    # too few events in either branch to judge.
    assert fired == {("burst", w.B2), ("late", w.B1)}


def _results(totals: dict[str, list[float]], grades=None, flags=None) -> pl.DataFrame:
    rows = []
    for branch, values in totals.items():
        for i, total in enumerate(values):
            rows.append({"branch": branch, "subject": f"{branch}-{i}", "category": "无职", "scheme": "party-q100-3to1",
                         "total": total, "grade": (grades or {}).get(branch, "合格"), "stars": None, "rank": i + 1,
                         "flags": (flags or {}).get(branch, [])})
    return pl.DataFrame(rows, schema=scores.RESULT_SCHEMA)


NO_WARNINGS = pl.DataFrame(schema=scores.WARNING_SCHEMA)


def test_uniform_scores_fire_when_a_branch_is_flat_and_the_township_is_not():
    res = _results({w.B1: [90.0] * 9 + [75.0], w.B2: [70, 75, 80, 85, 90, 95], w.B3: [88.0, 88.0, 88.0]})
    fired = [a for a in alerts.from_results(res, NO_WARNINGS, NAMES) if a.rule == "uniform"]
    # B1: 9 of 10 share 90.0 (≥80%); B2 varies; B3 is flat but has fewer than 5 members.
    assert [(a.branch, a.message[:19]) for a in fired] == [(w.B1, "9/10 名党员总分同为 90.0 分")]


def test_uniform_scores_do_not_fire_when_everyone_is_flat():
    res = _results({w.B1: [90.0] * 6, w.B2: [90.0] * 6})
    assert not [a for a in alerts.from_results(res, NO_WARNINGS, NAMES) if a.rule == "uniform"]


def test_quota_alert_fires_for_loose_grading_or_a_tie_only():
    capped = {w.B1: ["quota_capped"]}
    res = _results({w.B1: [95.0] * 6, w.B2: [95.0, 80.0, 80.0, 80.0]})
    fired = [a for a in alerts.from_results(res, NO_WARNINGS, NAMES) if a.rule == "quota"]
    assert not fired  # nobody capped
    res = _results({w.B1: [95.0] * 6}, flags=capped)  # all 6 capped: over half the branch
    assert [a.branch for a in alerts.from_results(res, NO_WARNINGS, NAMES) if a.rule == "quota"] == [w.B1]
    few = pl.concat([_results({w.B2: [95.0]}, flags={w.B2: ["quota_capped"]}), _results({w.B2: [80.0] * 5})])
    assert not [a for a in alerts.from_results(few, NO_WARNINGS, NAMES) if a.rule == "quota"]  # 1 of 6 capped
    tie = pl.DataFrame([{"branch": w.B2, "code": "quota_tie", "message": "并列", "scheme": "party-q100-3to1"}],
                       schema=scores.WARNING_SCHEMA)
    assert [a.message for a in alerts.from_results(few, tie, NAMES) if a.rule == "quota"] == ["名额线上有并列，需支委会研究决定"]


def test_scheme_distribution_warning_and_skipped_rows_become_alerts():
    res = _results({w.B1: [80.0, 90.0]})
    warn = pl.DataFrame([
        {"branch": w.B1, "code": "forced_distribution", "message": "60分以下比例不在2%–5%", "scheme": "party-formula-quarterly-caps"},
        {"branch": w.B1, "code": "missing_appraisal", "message": "缺评议", "scheme": "party-q100-3to1"},
        {"branch": w.B2, "code": SKIPPED, "message": "成员 n1 未计入", "scheme": "party-q100-3to1"},
    ], schema=scores.WARNING_SCHEMA)
    fired = {(a.rule, a.branch) for a in alerts.from_results(res, warn, NAMES)}
    assert fired == {("distribution", w.B1), ("skipped", w.B2)}  # missing_appraisal is not an alert
