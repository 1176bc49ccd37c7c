"""Shared fixtures: fresh stores, the demo database, logged-in AppTests, a live server."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from core import demo
from core.demo import orgs as demo_orgs
from core.demo import report_in as demo_report_in
from core.store import Store

ROOT = Path(__file__).resolve().parents[1]
# app.py turns a page's uncaught error into a Chinese message for users; tests want the error
os.environ["JIFEN_DEBUG"] = "1"
DEMO_TODAY = dt.date.today()  # pages work on the real date, so the demo is made "as of" today
DEMO_PASSWORD = demo.DEMO_PASSWORD
CHROMIUM = Path("/usr/bin/chromium")
# The S demo's branches, all in its one township C01T01: the org plan's, the report-in part's
# 机关党支部 (one per department) and the one 党员义工工作站.
_COUNTIES, _TOWNSHIPS, _PER_TOWNSHIP, _ = demo_orgs.SIZES["S"]
DEMO_BRANCHES = _COUNTIES * _TOWNSHIPS * _PER_TOWNSHIP + len(demo_report_in.DEPARTMENTS) + 1


STORES = ["duckdb", "postgres"]

# The slowest modules, slowest first (measured 2026-11-30). `make test` hands whole files to its
# two workers in collection order (--dist loadfile --no-loadscope-reorder); xdist's own order, by
# number of tests, started the 5-test, 160-second journeys last, and one worker then ran them alone.
SLOW_FIRST = ("test_journeys.py", "test_exports.py", "test_bench.py", "test_browser_links.py",
              "test_import_crash.py", "test_bad_input.py", "test_browser_session.py", "test_demo_activity.py",
              "test_auth_hardening.py", "test_pages_dashboards.py", "test_backup.py", "test_two_processes_browser.py",
              "test_demo_killed.py", "test_case.py", "test_journey_clerk.py", "test_browser_scheme_tune.py",
              "test_browser_first_run.py", "test_browser_switch_branch.py", "test_browser_import.py")


def _scan_component_manifests_once() -> None:
    """Each AppTest scans every installed package for Streamlit component manifests when it
    first runs (0.1 s alone, 0.5 s beside another worker: ~500 AppTests in the suite). The
    packages do not change during a test run, so the scan is made once per process and each
    AppTest registers what it found, as before."""
    from functools import cache

    from streamlit.components.v2 import manifest_scanner

    found = cache(manifest_scanner.scan_component_manifests)  # AppTest calls it with no argument
    manifest_scanner.scan_component_manifests = lambda max_workers=None: list(found())


def _compile_each_script_once() -> None:
    """AppTest makes a new script cache for every run, so each run read, parsed (for Streamlit's
    "magic") and compiled app.py and its page again: ~10 ms a page, over a thousand runs. The
    same source gives the same bytecode, so it is kept per process by path and source (an
    edited page is compiled again)."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    compiled: dict[tuple[str, bytes], object] = {}
    compile_once = ScriptCache.get_bytecode

    def get_bytecode(self, script_path: str):
        path = os.path.abspath(script_path)
        key = (path, Path(path).read_bytes())
        if key not in compiled:
            compiled[key] = compile_once(self, script_path)
        return compiled[key]

    ScriptCache.get_bytecode = get_bytecode


_scan_component_manifests_once()
_compile_each_script_once()


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: modules stay whole and in order


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL cluster per test process, with a migrated template database
    (a new database copied from a template is far faster than migrating each one)."""
    from core.store.pgcluster import Cluster, bin_dir

    if bin_dir() is None:
        if os.environ.get("CI"):
            pytest.fail("CI 必须在两种数据库上运行：未找到 PostgreSQL（make test 以 root 运行时会自动安装）")
        pytest.skip("未安装 PostgreSQL（以 root 运行 make test 会自动安装）")
    cluster = Cluster().start()
    _create_db(cluster, "jifen_template")
    Store(cluster.url_for("jifen_template")).close()
    yield cluster
    cluster.stop()


def _create_db(cluster, name: str, template: str | None = None) -> str:
    import psycopg

    with psycopg.connect(cluster.url, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return cluster.url_for(name)


def _drop_db(cluster, name: str) -> None:
    import psycopg

    with psycopg.connect(cluster.url, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_pg_names = iter(range(10**9))


def pg_copy(cluster, template: str) -> tuple[str, str]:
    """A new database copied from ``template``: (name, URL)."""
    name = f"t{os.getpid()}_{next(_pg_names)}"
    return name, _create_db(cluster, name, template)


@pytest.fixture(scope="session")
def duckdb_template(tmp_path_factory) -> Path:
    """A migrated DuckDB file, made once per test process: copying it (0.08 s) is far faster than
    migrating a new file (0.3 s), as the PostgreSQL side copies its template database."""
    path = tmp_path_factory.mktemp("template") / "template.duckdb"
    Store(path).close()
    return path


@pytest.fixture(params=STORES)
def store_target(request, tmp_path):
    """Where a test's fresh store lives: a DuckDB file, or a new PostgreSQL database; both
    copied from a migrated template."""
    if request.param == "duckdb":
        path = tmp_path / "test.duckdb"
        shutil.copyfile(request.getfixturevalue("duckdb_template"), path)
        yield path
        return
    cluster = request.getfixturevalue("pg_cluster")
    name, url = pg_copy(cluster, "jifen_template")
    yield url
    _drop_db(cluster, name)


@pytest.fixture
def store(store_target):
    """A fresh, migrated store; every test that takes it runs on both engines."""
    s = Store(store_target)
    yield s
    s.close()


@contextmanager
def built_template(request, tmp_path_factory, build):
    """For a module-scoped fixture parametrised on STORES: a store holding what ``build(store)``
    writes, made once per module and engine (a DuckDB file, or a PostgreSQL database closed
    again so that it can serve as a template); ``copied_store`` gives each test its own copy.
    For worlds that cost more to build than to copy (copying is 0.1 s on either engine)."""
    if request.param == "duckdb":
        target = tmp_path_factory.mktemp("world") / "world.duckdb"
        shutil.copyfile(request.getfixturevalue("duckdb_template"), target)
        s = Store(target)
    else:
        cluster = request.getfixturevalue("pg_cluster")
        target, url = pg_copy(cluster, "jifen_template")
        s = Store(url)
    try:
        build(s)
    finally:
        s.close()
    yield target
    if request.param == "postgres":
        _drop_db(cluster, target)


@contextmanager
def copied_store(request, template, tmp_path):
    """A private copy of ``built_template``'s store for one test, open; closed (and dropped) after."""
    if isinstance(template, Path):
        path = tmp_path / "test.duckdb"
        shutil.copyfile(template, path)
        s = Store(path)
        yield s
        s.close()
        return
    cluster = request.getfixturevalue("pg_cluster")
    name, url = pg_copy(cluster, template)
    s = Store(url)
    yield s
    s.close()
    _drop_db(cluster, name)


@pytest.fixture
def with_orgs(store):
    """A county, a township and one branch: the least a user can belong to."""
    store.write(lambda cur: cur.execute(
        "INSERT INTO orgs(code, name, level, parent_code, path) VALUES"
        " ('C01', '临河县', 'county', NULL, '/C01/'),"
        " ('C01T01', '双河镇', 'township', 'C01', '/C01/C01T01/'),"
        " ('C01T01B01', '王庄村党支部', 'branch', 'C01T01', '/C01/C01T01/C01T01B01/')").fetchall())
    return store


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The S demo database, generated once per test session; copy it before writing."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    s = Store(path)
    demo.generate(s, "S", seed=2026, today=DEMO_TODAY)
    s.close()
    return path


@pytest.fixture
def demo_path(tmp_path, demo_db) -> Path:
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db, path)
    return path


@pytest.fixture
def demo_file_store(demo_path):
    """The S demo on DuckDB only, for a test about the database file itself (its folder,
    a file backup): ``demo_store`` runs on both engines."""
    s = Store(demo_path)
    yield s
    s.close()


@pytest.fixture(scope="session")
def pg_demo(pg_cluster) -> str:
    """The S demo built once per test session into a PostgreSQL database, used only as a
    template: ``CREATE DATABASE ... TEMPLATE`` copies it per test (it must have no open
    connection then, so the store is closed before any copy is made)."""
    name = "jifen_demo"
    s = Store(_create_db(pg_cluster, name, "jifen_template"))
    demo.generate(s, "S", seed=2026, today=DEMO_TODAY)
    s.close()
    return name


@pytest.fixture(params=STORES)
def demo_store(request):
    """A private copy of the S demo (same seed and day) on each engine: a copy of the
    session's DuckDB file, or a database copied from the session's PostgreSQL template."""
    if request.param == "duckdb":
        s = Store(request.getfixturevalue("demo_path"))
        yield s
        s.close()
        return
    cluster = request.getfixturevalue("pg_cluster")
    name, url = pg_copy(cluster, request.getfixturevalue("pg_demo"))
    s = Store(url)
    yield s
    s.close()
    _drop_db(cluster, name)


@pytest.fixture
def app_as(demo_path, monkeypatch):
    """``app_as("shuji01")`` returns an AppTest logged in as that demo user, on a copy of the demo DB."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("JIFEN_DB", str(demo_path))
    monkeypatch.chdir(ROOT)

    def login(username: str, password: str = DEMO_PASSWORD) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
        at.text_input[0].input(username)
        at.text_input[1].input(password)
        at.button[0].click().run()
        assert not at.exception, at.exception
        return at

    return login


def page_runner(db_path, monkeypatch, default_user):
    """``run(path, user=..., query=...)``: one page file run alone by AppTest on ``db_path``,
    as ``user`` (a session's User), with the URL's query parameters; no exception allowed."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("JIFEN_DB", str(db_path))
    monkeypatch.chdir(ROOT)

    def run(path, user=default_user, query=None):
        at = AppTest.from_file(str(ROOT / path), default_timeout=30)
        at.session_state["user"] = user
        for name, value in (query or {}).items():
            at.query_params[name] = value
        at.run()
        assert not at.exception, at.exception
        return at

    return run


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(db_path):
    """`streamlit run server.py` (app.py with its cookie route, as `make run` serves it) on a free
    port over ``db_path``; yields the base URL once /_stcore/health answers, then stops it."""
    port = _free_port()
    env = dict(os.environ, JIFEN_DB=str(db_path))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false",
         # runs the code it started with: an edit to the tree mid-test (another session's work)
         # reloaded core's modules, and the cached store then failed isinstance(…, Store)
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit 未在60秒内启动：" + proc.stderr.read().decode(errors="replace")[-2000:])
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def live_server(demo_path):
    """The app served over a copy of the demo DB; yields the base URL."""
    yield from serve(demo_path)


@pytest.fixture(scope="session")
def demo_server(demo_db, tmp_path_factory):
    """One server over a copy of the demo for the browser tests that only read it (a login
    writes only its session), shared by a test process: a server and its first script run
    cost 5-8 s. A test that changes data takes ``live_server``, its own."""
    path = tmp_path_factory.mktemp("served") / "demo.duckdb"
    shutil.copyfile(demo_db, path)
    yield from serve(path)


@contextmanager
def chromium():
    """Debian's chromium under Playwright; skips with a reason where it cannot run."""
    if not CHROMIUM.exists():
        pytest.skip("未安装 /usr/bin/chromium（以 root 运行 make test 会自动安装）")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page():
    """A Playwright page in Debian's chromium; skips with a reason where it cannot run."""
    with chromium() as browser:
        page = browser.new_page(locale="zh-CN", viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(30_000)
        yield page


def wait_idle(page) -> None:
    """Wait until Streamlit has finished the script run triggered by the last interaction."""
    page.wait_for_timeout(300)
    # 60 s: a fresh server's first run imports the whole app while another test runs beside it
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=60_000)


def go(page, title: str, until=None) -> None:
    """Follow the sidebar link (a page load would start a new, logged-out session). On a loaded
    machine a click that lands during a rerun can be lost: when ``until`` (a locator on the new
    page) has not appeared after 20 s, the link is followed again (twice at most)."""
    for _attempt in range(3):
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
        wait_idle(page)
        if until is None:
            return
        try:
            until.wait_for(timeout=20_000)
            return
        except Exception:  # noqa: BLE001 - Playwright's timeout: follow the link again
            continue
    until.wait_for(timeout=20_000)


def browser_login(page, url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(url)
    wait_idle(page)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    wait_idle(page)
    # the page hands the login to the cookie route just after it draws; a page load before
    # the cookie arrives would start logged out, so a test that loads URLs waits for it
    deadline = time.time() + 30
    while time.time() < deadline and not any(c["name"] == "jifen_session" for c in page.context.cookies()):
        time.sleep(0.2)
