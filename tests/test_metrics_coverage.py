"""Coverage matrix, scheme coverage with the township target, and 在职党员 report-in."""

import pytest

from core.auth.users import User
from core.metrics import coverage
from tests import metrics_world as w


@pytest.fixture
def world(store):
    w.build(store)
    return store


def test_month_matrix_stages(world):
    frame = coverage.month_matrix(world, w.SCOPE, w.FILTER)
    stage = {(r["branch"], r["month"].month): r["stage"] for r in frame.iter_rows(named=True)}
    assert len(frame) == 3 * 11  # three branches, January to November 2026
    assert stage[(w.B1, 8)] == 2  # 25 events, all approved → 已审核
    assert stage[(w.B1, 10)] == 3 and stage[(w.B1, 11)] == 3  # 公示 of cycle 2026 Q2 (Oct–Dec) → 已公示
    assert stage[(w.B1, 9)] == 0  # nothing in September
    assert stage[(w.B2, 9)] == 2
    assert stage[(w.B2, 10)] == 2  # n1 approved, n3 rejected, nothing pending → 已审核
    assert {stage[(w.B3, m)] for m in range(1, 12)} == {0}


def test_scheme_running_against_the_target(world):
    row = coverage.scheme_running(world, w.SCOPE, w.FILTER).row(0, named=True)
    # B1 and B2 recorded in Q4 under the township's scheme; B3 recorded nothing.
    assert (row["branches"], row["running"], row["share"], row["village_share"], row["target"]) == (3, 2, 66.7, 66.7, 90.0)
    coverage.set_coverage_target(world, User("admin", "管理员", "admin", "C09"), "C09T01", 60)
    assert coverage.scheme_running(world, w.SCOPE, w.FILTER)["target"][0] == 60.0
    assert world.scalar("SELECT count(*) FROM audit_log WHERE action = 'metrics.coverage_target'") == 1


def test_coverage_target_is_refused_to_a_secretary(world):
    with pytest.raises(PermissionError):
        coverage.set_coverage_target(world, User("s", "书记", "secretary", w.B1), "C09T01", 50)


def test_published_this_quarter(world):
    assert coverage.published(world, w.SCOPE, w.FILTER) == {"branches": 3, "published": 1}
