"""`results` equals `evaluate` on `case`, for a branch of every demo scheme, live and frozen: what
the app shows can be reproduced from the case file by support staff."""

import datetime as dt
import json
import subprocess
import sys

import pytest

from core.cli import main
from core.cycles import cycle_of
from core.scheme import load_scheme
from core.services.case import group_by_scheme
from core.store import Store
from tests.conftest import DEMO_TODAY, ROOT


@pytest.fixture
def demo_with_workflow(demo_path):
    """The demo's path and, per cycle, the branches to check: under each scheme the first branch
    whose cycle is finalised (its frozen snapshot) and the first that is not (live results). The
    same code serves every branch of a scheme, so one of each is the rule, not a sample of data."""
    store = Store(demo_path)  # the demo includes its 公示 workflow
    try:
        codes = [r[0] for r in store.all("SELECT code FROM orgs WHERE level = 'branch' ORDER BY path")]
        branches, frozen_checked = {}, 0
        for cycle in (2025, 2026):
            locked = {r[0] for r in store.all("SELECT branch_code FROM period_locks WHERE cycle = ? AND period = 'cycle'"
                                              " AND reopened_at IS NULL", [cycle])}
            groups, _ = group_by_scheme(store, codes, cycle, dt.date.today())
            branches[cycle] = [next(b for b in group.branches if (b in locked) == frozen)
                               for group in groups for frozen in (True, False)
                               if any((b in locked) == frozen for b in group.branches)]
            frozen_checked += len(locked & set(branches[cycle]))
        assert frozen_checked  # the comparison covers frozen snapshots as well as live results
    finally:
        store.close()
    return demo_path, branches


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_results_equal_evaluate_of_case_for_a_branch_of_every_scheme(demo_with_workflow, capsys, tmp_path):
    path, branches = demo_with_workflow
    for cycle, codes in branches.items():
        for branch in codes:
            code, text, err = _run(capsys, "case", "--org", branch, "--cycle", str(cycle), "--db", str(path))
            assert code == 0, err
            case = json.loads(text)
            case_file = tmp_path / f"{branch}-{cycle}.json"
            case_file.write_text(text, encoding="utf-8")
            code, evaluated, err = _run(capsys, "evaluate", "--scheme", case["scheme"], "--case", str(case_file))
            assert code == 0, err
            code, shown, err = _run(capsys, "results", "--org", branch, "--cycle", str(cycle), "--db", str(path))
            assert code == 0, err
            shown = json.loads(shown)
            # the results carry the version that produced them (issue 12); evaluate has no assignment
            assert shown.pop("version")["scheme_version"] == case["scheme_version"]
            assert shown == json.loads(evaluated), (branch, cycle)
            assert json.loads(evaluated)["scheme_version"] == case["scheme_version"]


def test_case_verb_in_a_subprocess_names_its_scheme(demo_path):
    cycle = cycle_of("07-01", DEMO_TODAY) - 1  # the demo's last whole cycle (2025 on 2026-12-01)
    done = subprocess.run([sys.executable, "-m", "core", "case", "--org", "C01T01B01", "--cycle", str(cycle),
                           "--db", str(demo_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    case = json.loads(done.stdout)
    assert (case["scheme"], case["scheme_version"], case["cycle"], case["period"]) == (
        "party-q100-3to1", load_scheme("party-q100-3to1").version, cycle, "cycle")
    assert case["subjects"] and case["events"]
    assert all(s["branch"] == "C01T01B01" for s in case["subjects"])


@pytest.mark.parametrize("verb", ["case", "results"])
def test_unknown_org_and_non_branch_exit_2_in_chinese(demo_path, capsys, verb):
    code, out, err = _run(capsys, verb, "--org", "NOPE", "--cycle", "2025", "--db", str(demo_path))
    assert (code, out) == (2, "") and "未知组织编码：NOPE" in err
    code, _, err = _run(capsys, verb, "--org", "C01T01", "--cycle", "2025", "--db", str(demo_path))
    assert code == 2 and "请给出党支部（村）的编码" in err


def test_branch_without_a_scheme_exits_2(demo_path, capsys):
    code, _, err = _run(capsys, "results", "--org", "C01T01B01", "--cycle", "2019", "--db", str(demo_path))
    assert code == 2 and "没有适用的积分方案" in err


def test_results_of_a_quarter_and_as_a_table(demo_path, capsys):
    code, text, _ = _run(capsys, "results", "--org", "C01T01B01", "--cycle", "2025", "--period", "Q1",
                         "--format", "table", "--db", str(demo_path))
    assert code == 0 and "排名" in text and "party-q100-3to1" in text


def test_period_results_equal_evaluate_of_the_period_case(demo_with_workflow, capsys, tmp_path):
    """Each branch's first published period (a quarter, half or month) of cycle 2026: what the
    公示 and 积分结果 show equals ``evaluate`` on ``case --period``."""
    path, branches = demo_with_workflow
    checked = 0
    for branch in branches[2026]:
        code, text, err = _run(capsys, "case", "--org", branch, "--cycle", "2026", "--db", str(path))
        periods = [p for p in load_scheme(json.loads(text)["scheme"]).publish_periods if p != "cycle"]
        if not periods:
            continue
        code, text, err = _run(capsys, "case", "--org", branch, "--cycle", "2026", "--period", periods[0],
                               "--db", str(path))
        assert code == 0, err
        case_file = tmp_path / f"{branch}.json"
        case_file.write_text(text, encoding="utf-8")
        code, evaluated, err = _run(capsys, "evaluate", "--scheme", json.loads(text)["scheme"], "--case", str(case_file))
        assert code == 0, err
        code, shown, err = _run(capsys, "results", "--org", branch, "--cycle", "2026", "--period", periods[0],
                                "--db", str(path))
        assert code == 0, err
        shown = json.loads(shown)
        assert shown.pop("version")["scheme_id"] == json.loads(evaluated)["scheme"]
        assert shown == json.loads(evaluated), (branch, periods[0])
        assert shown["period"] == periods[0]
        checked += 1
    assert checked


def test_the_open_quarter_publicity_has_no_annual_grade(demo_path, capsys):
    """Issue 8's check: C01T01B01's 2026 Q1 (party-q100-3to1, 评议 half-yearly) gives nobody an
    annual grade or a missing_appraisal warning; the 评议分 is 未评 and each has a subtotal."""
    code, text, err = _run(capsys, "results", "--period", "Q1", "--org", "C01T01B01", "--cycle", "2026",
                           "--db", str(demo_path))
    assert code == 0, err
    output = json.loads(text)
    active = [r for r in output["results"] if r["rank"] is not None]
    assert active and all(r["grade"] is None for r in output["results"])
    assert "missing_appraisal" not in {w["code"] for w in output["warnings"]}
    assert all(r["components"]["appraisal"] is None and "appraisal" in r["not_assessed"] for r in active)
    assert all(r["total"] is None and r["subtotal"] is not None for r in active)
