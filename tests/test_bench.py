"""The benchmark runs end to end on the S demo database and reports every figure (no
timing assertions: the numbers are for people to read)."""

import json

from core import bench
from ui.page_bench import PAGES
from core.cli import main

KEYS = {"size", "members", "events", "queries", "baseline", "ratio", "evaluate_ms", "page_ms", "peak_mb",
        "import_events_100k_s", "import_members_12k_s"}


def test_bench_reports_every_figure(demo_path):
    out = bench.run("S", db=demo_path, runs=1)
    assert set(out) == KEYS
    assert out["size"] == "S" and out["members"] > 0 and out["events"] > 0
    assert out["queries"] and all(v > 0 for v in out["queries"].values())
    assert set(out["ratio"]) == set(out["baseline"]) <= set(out["queries"])
    assert all(v > 0 for v in out["baseline"].values()) and all(v > 0 for v in out["ratio"].values())
    assert set(out["page_ms"]) == set(PAGES) and all(v > 0 for v in out["page_ms"].values())
    assert out["evaluate_ms"] > 0 and out["peak_mb"] > 0
    assert out["import_events_100k_s"] > 0 and out["import_members_12k_s"] > 0


def test_bench_cli_prints_one_json_object(demo_path, capsys, monkeypatch):
    monkeypatch.setattr(bench, "page_times", lambda db, runs: ({p: 1.0 for p in PAGES}, 1.0))
    import core.imports.bench as import_bench  # measured in the test above; here only the output's shape

    monkeypatch.setattr(import_bench, "timings", lambda db: {"import_events_100k_s": 1.0, "import_members_12k_s": 1.0})
    assert main(["bench", "--db", str(demo_path), "--runs", "1"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == KEYS
