"""Sessions one app process holds (the figures in docs/scale.md).

    .venv/bin/python -m tests.bench_sessions DB [--sessions 12] [--page results] [--user shuji01]

Serves ``streamlit run server.py`` over DB (a DuckDB file or a postgresql:// URL holding the
demo), opens ``sessions`` logged-in Chromium tabs on one page (each tab is one Streamlit
session: a WebSocket and a script run), and prints one JSON line:
- the server's resident memory before any session, after the first, after all, and so the
  memory per further session;
- script runs: 20 reruns of the page in one tab, one after another (ms each, median), and
  ``sessions`` tabs rerunning at once, three times (runs per second the process sustains:
  Streamlit runs scripts on threads of one interpreter, so on one core for Python).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def rss_mb(pid: int) -> float:
    """Resident memory of the server process and its children (streamlit runs in one)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# From the key press to the end of the run it starts: the first time the app's script state
# is back to "notRunning" after it changed (a quick run may flip to "running" and back within
# one batch of mutations, so only the end is looked for). -1 if no run came in 60 s.
WATCH = """() => { const app = document.querySelector('[data-testid=stApp]'); const t0 = performance.now();
  window.__run = new Promise(done => { const obs = new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'notRunning') { obs.disconnect(); done(performance.now() - t0); } });
    obs.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
    setTimeout(() => { obs.disconnect(); done(-1); }, 60000); }); }"""


def timed_rerun(page) -> float:
    """One rerun (Streamlit's "r" shortcut), ms from the key press to the end of the run."""
    page.evaluate(WATCH)
    page.keyboard.press("r")
    return page.evaluate("window.__run")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--sessions", type=int, default=12)
    parser.add_argument("--page", default="results")
    parser.add_argument("--user", default="shuji01")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    import tests.conftest as conftest
    from tests.conftest import CHROMIUM, browser_login, wait_idle

    server = conftest.serve(args.db)
    url = next(server)
    port = int(url.rsplit(":", 1)[1])
    pid = next(int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
               and f"--server.port\0{port}" in _cmdline(p))
    result = {"db": "postgres" if args.db.startswith("postgresql") else "duckdb", "page": args.page}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                         args=["--no-sandbox", "--disable-gpu"])
            result["rss_idle_mb"] = round(rss_mb(pid), 1)
            pages = []
            for n in range(args.sessions):
                page = browser.new_context(locale="zh-CN").new_page()
                page.set_default_timeout(120_000)
                browser_login(page, url, args.user)
                page.goto(f"{url}/{args.page}")
                wait_idle(page)
                pages.append(page)
                if n == 0:
                    result["rss_one_session_mb"] = round(rss_mb(pid), 1)
            time.sleep(2)
            result["rss_all_sessions_mb"] = round(rss_mb(pid), 1)
            result["sessions"] = args.sessions
            result["mb_per_further_session"] = round(
                (result["rss_all_sessions_mb"] - result["rss_one_session_mb"]) / (args.sessions - 1), 1)

            runs = [timed_rerun(pages[0]) for _ in range(20)]
            assert min(runs) > 0, runs
            result["rerun_ms_median"] = round(statistics.median(runs))

            start = time.time()
            for _ in range(3):
                for page in pages:
                    page.evaluate(WATCH)
                    page.keyboard.press("r")
                for page in pages:
                    page.evaluate("window.__run")
            elapsed = time.time() - start
            result["concurrent_runs_per_s"] = round(3 * len(pages) / elapsed, 2)
            result["rss_after_runs_mb"] = round(rss_mb(pid), 1)
            browser.close()
    finally:
        next(server, None)
    print(json.dumps(result, ensure_ascii=False))


def _cmdline(proc_dir: Path) -> str:
    try:
        return (proc_dir / "cmdline").read_text()
    except OSError:
        return ""


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
