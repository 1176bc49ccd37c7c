import subprocess
import sys

from core.cli import main
from core.store import Store


def test_init_creates_an_empty_database(tmp_path, capsys):
    path = tmp_path / "x.duckdb"
    assert main(["init", "--db", str(path)]) == 0
    assert "数据库就绪" in capsys.readouterr().out
    s = Store(path)
    assert s.scalar("SELECT count(*) FROM orgs") == 0
    s.close()


def test_demo_if_missing_keeps_an_existing_database(tmp_path, capsys):
    path = tmp_path / "x.duckdb"
    assert main(["init", "--db", str(path)]) == 0
    assert main(["demo", "--db", str(path), "--if-missing"]) == 0
    assert "跳过" in capsys.readouterr().out
    s = Store(path)
    assert s.scalar("SELECT count(*) FROM orgs") == 0
    s.close()


def test_jifen_db_env_sets_the_default_path(tmp_path, monkeypatch, capsys):
    path = tmp_path / "env.duckdb"
    monkeypatch.setenv("JIFEN_DB", str(path))
    assert main(["init"]) == 0
    assert path.exists()


def test_user_add_reads_the_password_from_stdin(demo_path):
    cmd = [sys.executable, "-m", "core", "user", "add", "li", "--role", "secretary", "--org", "C01T01B02",
           "--db", str(demo_path)]
    ok = subprocess.run(cmd, input="a-good-password\n", capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "已创建用户 li" in ok.stdout
    again = subprocess.run(cmd, input="a-good-password\n", capture_output=True, text=True)
    assert again.returncode == 2 and "用户已存在" in again.stderr
    s = Store(demo_path)
    from core.auth import authenticate
    assert authenticate(s, "li", "a-good-password").org_code == "C01T01B02"
    s.close()


def test_a_copy_of_core_without_its_data_folder_says_so_and_leaves_no_file(tmp_path):
    """``pip install .`` without ``-e`` puts ``core`` in the virtualenv without ``data/``: the
    CLI names the missing schemes folder (not "unknown scheme"), and the refused demo leaves
    neither its database nor the file it was building."""
    import shutil
    from pathlib import Path
    site = tmp_path / "site"
    shutil.copytree(Path(__file__).resolve().parents[1] / "core", site / "core",
                    ignore=shutil.ignore_patterns("__pycache__"))
    db = tmp_path / "x.duckdb"
    done = subprocess.run([sys.executable, "-m", "core", "demo", "--size", "S", "--db", str(db)],
                          cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(site)},
                          capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert f"找不到积分方案目录 {site / 'data' / 'schemes'}" in done.stderr  # beside the copied core
    assert "pip install -e ." in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
