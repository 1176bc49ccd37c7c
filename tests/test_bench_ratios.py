"""`bench --backend both`: PostgreSQL's figure over DuckDB's, for every number both runs share."""

from core.bench import ratios


def test_ratio_per_figure_nested_as_the_runs_are():
    pg = {"size": "S", "backend": "postgres", "members": 884, "events": 102626, "writers": 40,
          "queries": {"members": 3.0, "alerts": 50.0}, "evaluate_ms": 410.0, "page_ms": {},
          "entries_per_s": 400.0, "fraud": True}
    duck = {"size": "S", "backend": "duckdb", "members": 884, "events": 102626, "writers": 40,
            "queries": {"members": 1.5, "alerts": 200.0}, "evaluate_ms": 0, "page_ms": {},
            "entries_per_s": 80.0, "fraud": False}
    assert ratios(pg, duck) == {
        # 3.0 / 1.5 = 2.0; 50 / 200 = 0.25; the query named "members" keeps its ratio
        "queries": {"members": 2.0, "alerts": 0.25},
        "evaluate_ms": None,       # DuckDB's 0: no ratio rather than a division by zero
        "page_ms": {},
        "entries_per_s": 5.0,      # 400 / 80
    }                              # counts, labels and booleans are not figures


def test_both_backends_take_no_db(tmp_path, capsys):
    from core.cli import main

    # --backend both generates a demo per store; a given database is refused (exit 2, Chinese)
    assert main(["bench", "--backend", "both", "--db", str(tmp_path / "x.duckdb")]) == 2
    assert "不能与 --db 同用" in capsys.readouterr().err
    # a DuckDB file with --backend postgres names the mismatch
    assert main(["bench", "--backend", "postgres", "--db", str(tmp_path / "x.duckdb")]) == 2
    assert "不一致" in capsys.readouterr().err
