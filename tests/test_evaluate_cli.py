"""``python -m core evaluate`` / ``simulate``: exit codes and messages naming field and row."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import main

ROOT = Path(__file__).resolve().parents[1]

CASE = {
    "cycle": 2025,
    "subjects": [{"id": "A", "branch": "B1", "kind": "member", "category": "普通类", "probationary": False,
                  "exempt": False, "joined_branch": "2020-01-01", "approved_on": None}],
    "events": [
        {"subject": "A", "item": "miss_meeting", "date": "2025-08-03", "count": 2, "points": None},
        {"subject": "A", "item": "late_dues", "date": "2026-02-01"},
        {"subject": "A", "item": "award_city", "date": "2025-10-01"},
        {"subject": "A", "item": "reward_other", "date": "2025-10-02", "points": 2},
    ],
    "scores": [{"subject": "A", "component": "appraisal", "period": "H1", "grade": "优秀"},
               {"subject": "A", "component": "appraisal", "period": "H2", "grade": "合格"}],
    "vetoes": [],
    "history": [],
}


def write(tmp_path: Path, case: dict) -> str:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_subprocess_prints_json_and_exits_0(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "core", "evaluate", "--scheme", "party-q100-3to1", "--case", write(tmp_path, CASE)],
        capture_output=True, text=True, cwd=ROOT, encoding="utf-8",
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    # (71 + 75 + 70 + 75)/4 = 72.75 + 20 + (4 + 2) → 98.75 → 98.8; one member → 20% of 1 = 0 places → 合格
    assert out["results"][0]["total"] == 98.8 and out["results"][0]["grade"] == "合格"
    assert "优秀" in proc.stdout  # ensure_ascii=False keeps Chinese readable


def bad(tmp_path, capsys, mutate, scheme="party-q100-3to1") -> str:
    case = json.loads(json.dumps(CASE))
    mutate(case)
    code = main(["evaluate", "--scheme", scheme, "--case", write(tmp_path, case)])
    assert code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda c: c["events"][3].update(points=None), "events[3].points: 区间项目 reward_other 必须填写分值 (1..10)"),
        (lambda c: c["events"][3].update(points=11), "events[3].points: 区间项目 reward_other 必须填写分值 (1..10)"),
        (lambda c: c["events"][2].update(points=4), "events[2].points: 固定分值项目 award_city 不能填写分值"),
        (lambda c: c["events"][1].update(item="nope"), "events[1].item: 方案 party-q100-3to1 中没有项目 nope"),
        (lambda c: c["events"][0].update(subject="Z"), "events[0].subject: 未知对象 Z"),
        (lambda c: c["events"][1].update(date="2025-13-01"), "events[1].date: 日期格式错误"),
        (lambda c: c["events"][0].update(count="two"), "events[0].count:"),
        (lambda c: c["scores"][1].update(grade="很好"), "scores[1].grade: 等次应为"),
        (lambda c: c["vetoes"].append({"subject": "A", "item": "x", "date": "2025-09-01"}), "vetoes[0].item:"),
        (lambda c: c.update(cycle="2025"), "cycle: 应为年份整数"),
        (lambda c: c["subjects"][0].update(exempt="no"), "subjects[0].exempt:"),
    ],
)
def test_bad_input_exits_2_naming_field_and_row(tmp_path, capsys, mutate, expected):
    assert expected in bad(tmp_path, capsys, mutate)


def test_unknown_scheme_and_missing_file(tmp_path, capsys):
    assert "未知方案: nope" in bad(tmp_path, capsys, lambda c: None, scheme="nope")
    assert main(["evaluate", "--scheme", "party-q100-3to1", "--case", str(tmp_path / "none.json")]) == 2
    assert "无法读取" in capsys.readouterr().err


def test_table_format(tmp_path, capsys):
    assert main(["evaluate", "--scheme", "party-q100-3to1", "--case", write(tmp_path, CASE), "--format", "table"]) == 0
    text = capsys.readouterr().out
    # the table is for people: flags by their Chinese name (quota_capped → 受比例限制降档)
    assert "姓名/编号" in text and "98.8" in text and "受比例限制降档" in text and "quota_capped" not in text


def test_simulate_cli(tmp_path, capsys):
    args = ["simulate", "--scheme", "party-q100-3to1", "--set", 'quotas."0".percent = 100', "--case",
            write(tmp_path, CASE)]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["changes"][0]["new"]["grade"] == "优秀" and report["grade_moves"] == {"合格 → 优秀": 1}
    assert main(["simulate", "--scheme", "party-q100-3to1", "--case", write(tmp_path, CASE)]) == 2
