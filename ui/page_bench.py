"""Page timings for ``python -m core bench``: each dashboard page's full AppTest run, logged in
as the demo administrator. It lives outside ``core`` because it drives streamlit; the bench
runs it as a child process and reads one JSON line from it.

    python -m ui.page_bench --db PATH_OR_URL --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from core.cli import db_target
from core.memory import peak_mb

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["overview", "compare", "distribution", "coverage", "trends", "member_file"]
USER, PASSWORD = "admin", "jifen2026"  # the demo's county administrator


def page_times(db: Path | str, runs: int) -> dict[str, float]:
    """Median ms per page, after one warm-up run (which fills the caches, as a first visit does)."""
    from streamlit.testing.v1 import AppTest
    os.environ["JIFEN_DB"] = str(db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600).run()
    at.text_input[0].input(USER)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    out = {}
    for page in PAGES:
        times = []
        for attempt in range(runs + 1):
            start = time.perf_counter()
            at.switch_page(f"pages/{page}.py").run()
            if at.exception:
                raise RuntimeError(f"{page}: {at.exception[0].value}")
            if attempt:
                times.append((time.perf_counter() - start) * 1000)
        out[page] = round(statistics.median(times), 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=db_target, required=True)  # a DuckDB file or a postgresql:// URL
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    timings = page_times(args.db, max(1, args.runs))
    print(json.dumps({"page_ms": timings, "peak_mb": peak_mb()}))


if __name__ == "__main__":
    main()
