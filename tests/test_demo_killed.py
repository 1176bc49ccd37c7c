"""A demo build killed half way leaves no file that `make run` (demo --if-missing) would take
for a finished database (issue 13): the file is built beside its name and renamed at the end."""

import os
import signal
import subprocess
import sys
import time

from core.store import Store
from tests.conftest import DEMO_BRANCHES, ROOT


def demo_cmd(path, *extra):
    return [sys.executable, "-m", "core", "demo", "--size", "S", "--db", str(path), *extra]


def test_a_killed_build_leaves_nothing_and_the_next_run_builds_whole(tmp_path):
    path = tmp_path / "jifen.duckdb"
    proc = subprocess.Popen(demo_cmd(path, "--if-missing"), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    # wait until it is writing (its progress reaches the activity records), then kill it
    for line in proc.stderr:
        if "活动与积分记录" in line:
            break
    time.sleep(0.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    assert not path.exists()  # only the ".building" file, which the next run replaces

    done = subprocess.run(demo_cmd(path, "--if-missing"), cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "演示数据已生成" in done.stdout
    assert not (tmp_path / "jifen.duckdb.building").exists()
    store = Store(path)
    try:
        # the whole S demo: every branch, and the publicity workflow ran to its end
        assert store.scalar("SELECT count(*) FROM orgs WHERE level = 'branch'") == DEMO_BRANCHES
        assert store.scalar("SELECT count(*) FROM publicity") > 0
    finally:
        store.close()
    again = subprocess.run(demo_cmd(path, "--if-missing"), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "跳过" in again.stdout
