"""参与率目标: the nearest organisation's target wins, bounds and scope, and participation
against it on the rhythm world (tests/rhythm_world.py; every figure worked out there)."""

import pytest

from core.auth.permissions import PermissionDenied
from core.auth.scope import ScopeError
from core.services.entry_rules import EntryError
from core.targets import below_target, branch_targets, participation_vs_target, set_target
from tests import rhythm_world as w


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def world(request, tmp_path_factory):
    """One world per engine for the module: the tests below only add or change targets."""
    with w.fresh_store(request, tmp_path_factory) as store:
        w.build(store)
        set_target(store, w.TOWNSHIP, w.TOWN, "member", 100)
        set_target(store, w.TOWNSHIP, w.TOWN, "household", 70)
        set_target(store, w.TOWNSHIP, w.B2, "household", "50")
        yield store


def _rows(frame):
    return {(r["branch"], r["kind"]): (r["participants"], r["base"], r["rate"], r["target"], r["below"])
            for r in frame.iter_rows(named=True)}


def test_nearest_organisation_wins_and_participation_is_counted_by_kind(world):
    assert branch_targets(world, [w.B1, w.B2]) == {
        (w.B1, "member"): (100.0, w.TOWN), (w.B1, "household"): (70.0, w.TOWN),
        (w.B2, "member"): (100.0, w.TOWN), (w.B2, "household"): (50.0, w.B2)}  # B2's own 户 50% beats the town's 70%
    # September: B1 党员 p1 (approved + present), p2 (present; its entry still pending), p3 absent, p4
    # exempt → 2 of 3; B1 户 h01..h07 present of 10 → 7/10 = 70% meets 70% exactly; B2 q1 1/1; B2 户
    # k01..k06 → 6/10 = 60% ≥ its own 50%. No 义工 or 村民 target: no rows for v1, r1.
    assert _rows(participation_vs_target(world, w.SCOPE, w.SEPTEMBER)) == {
        (w.B1, "member"): (2, 3, 66.7, 100.0, True), (w.B1, "household"): (7, 10, 70.0, 70.0, False),
        (w.B2, "member"): (1, 1, 100.0, 100.0, False), (w.B2, "household"): (6, 10, 60.0, 50.0, False)}


def test_removing_a_branch_target_falls_back_to_the_township(world):
    set_target(world, w.TOWNSHIP, w.B2, "household", None)
    try:
        below = below_target(world, w.SCOPE, w.SEPTEMBER)
        # B2 户 now carries the township's 70%: 6 of 10 = 60% < 70%
        assert _rows(below) == {(w.B1, "member"): (2, 3, 66.7, 100.0, True),
                                (w.B2, "household"): (6, 10, 60.0, 70.0, True)}
        assert below.filter(below["branch"] == w.B2)["target_org"].to_list() == [w.TOWN]
    finally:
        set_target(world, w.TOWNSHIP, w.B2, "household", 50)


def test_bounds_scope_role_and_audit(world):
    for bad in (101, -1, "七十", "nan"):
        with pytest.raises(EntryError, match="目标参与率"):
            set_target(world, w.TOWNSHIP, w.B1, "household", bad)
    with pytest.raises(EntryError, match="类别"):
        set_target(world, w.TOWNSHIP, w.B1, "cat", 50)
    with pytest.raises(ScopeError, match="不在您的管辖范围内"):  # another township's branch
        set_target(world, w.OTHER_TOWNSHIP, w.B1, "household", 50)
    with pytest.raises(PermissionDenied):  # a secretary sets no targets
        set_target(world, w.SECRETARY, w.B1, "household", 50)
    set_target(world, w.ADMIN, w.B3, "member", "0")  # the county's admin anywhere; 0 and 100 are in bounds
    assert branch_targets(world, [w.B3]) == {(w.B3, "member"): (0.0, w.B3)}
    audited = world.all("SELECT username, org_code, after_json FROM audit_log WHERE action = 'targets.set' ORDER BY id")
    # the three of the fixture, the removal and re-setting of B2's in the test before, the admin's
    assert [(u, o) for u, o, _ in audited] == [("zhen07", w.TOWN)] * 2 + [("zhen07", w.B2)] * 3 + [("admin", w.B3)]
    assert '"kind": "household"' in audited[1][2] and '"percent": ' in audited[1][2]
    assert '"percent": null' in audited[3][2]
