"""The benchmark runs end to end on the S demo database and reports every figure (no
timing assertions: the numbers are for people to read)."""

import json

from core import bench
from ui.page_bench import PAGES
from core.cli import main

KEYS = {"size", "backend", "members", "events", "queries", "baseline", "ratio", "evaluate_ms", "simulate_county_ms", "page_ms", "peak_mb",
        "peak_mb_parts", "import_events_100k_s", "import_members_12k_s", "entries_per_s", "writers", "entries_per_s_1"}


def test_bench_reports_every_figure(demo_path, monkeypatch):
    monkeypatch.setattr(bench, "WRITE_S", 0.5)  # the write figure's length, not its shape, is the bench's
    monkeypatch.setattr(bench, "WRITE_WARMUP_S", 0.1)
    monkeypatch.setattr(bench, "IMPORT_SCALE", 0.1)  # 10k events and a 1.2k roster: the figure's shape
    out = bench.run("S", db=demo_path, runs=1)
    assert set(out) == KEYS
    assert out["size"] == "S" and out["members"] > 0 and out["events"] > 0
    assert out["queries"] and all(v > 0 for v in out["queries"].values())
    assert set(out["ratio"]) == set(out["baseline"]) <= set(out["queries"])
    assert all(v > 0 for v in out["baseline"].values()) and all(v > 0 for v in out["ratio"].values())
    assert set(out["page_ms"]) == set(PAGES) and all(v > 0 for v in out["page_ms"].values())
    assert out["evaluate_ms"] > 0 and out["simulate_county_ms"] > 0 and out["peak_mb"] > 0
    assert out["import_events_100k_s"] > 0 and out["import_members_12k_s"] > 0
    assert out["backend"] == "duckdb" and out["writers"] == 40
    assert out["entries_per_s"] > 0 and out["entries_per_s_1"] > 0
    assert out["peak_mb"] == max(out["peak_mb_parts"].values())


def test_bench_cli_prints_one_json_object(demo_path, capsys, monkeypatch):
    """The verb passes its arguments to ``bench.run`` (whose figures the test above checks) and
    prints what it returns as one JSON object."""
    calls = []
    monkeypatch.setattr(bench, "run", lambda *args, **kw: calls.append((args, kw)) or {"size": "S", "名": "甲"})
    assert main(["bench", "--db", str(demo_path), "--runs", "1"]) == 0
    assert json.loads(capsys.readouterr().out) == {"size": "S", "名": "甲"}
    assert calls == [(("S", demo_path, 1), {"backend": "duckdb"})]
