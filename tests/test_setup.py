"""First run from the command line: init, setup (password from stdin), user add, org verbs."""

import io
import subprocess
import sys

import pytest

from core.auth import authenticate
from core.cli import main
from core.first_run import SetupError, needs_setup, setup
from core.store import Store


def run(argv, stdin="", monkeypatch=None):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(argv)


@pytest.fixture
def fresh(tmp_path, capsys):
    path = tmp_path / "new.duckdb"
    assert main(["init", "--db", str(path)]) == 0
    capsys.readouterr()
    return path


def test_a_fresh_database_is_set_up_then_used(fresh, monkeypatch, capsys):
    db = ["--db", str(fresh)]
    # before setup: nobody, and no org for a user
    assert run(["user", "add", "li", "--role", "admin", "--org", "C01", *db], "password-1\n", monkeypatch) == 2
    assert "未知组织编码" in capsys.readouterr().err
    assert run(["setup", *db, "--county-code", "C01", "--county-name", "某某县", "--admin", "root"],
               "a-good-password\n", monkeypatch) == 0
    assert "已建立某某县（C01）和管理员 root" in capsys.readouterr().out
    # the first failure: user add --org C01 works after setup
    assert run(["user", "add", "li", "--role", "admin", "--org", "C01", *db], "password-1\n", monkeypatch) == 0
    as_root = ["--as", "root", *db]
    assert main(["org", "add", "C01T01", "柳林镇", "--parent", "C01", "--level", "township", *as_root]) == 0
    assert main(["org", "add", "auto", "小河村党支部", "--parent", "C01T01", "--level", "branch", "--kind", "村",
                 *as_root]) == 0
    assert "已新增组织 C01T01B01" in capsys.readouterr().out
    assert main(["org", "add", "C01T01B02", "大河社区党支部", "--parent", "C01T01", "--level", "branch",
                 "--kind", "社区", *as_root]) == 0
    assert main(["org", "rename", "C01T01B01", "小河村党总支", *as_root]) == 0
    assert main(["org", "add", "C01T02", "新桥镇", "--parent", "C01", "--level", "township", *as_root]) == 0
    assert main(["org", "move", "C01T01B02", "--parent", "C01T02", *as_root]) == 0
    assert main(["org", "add", "C01T02B09", "空支部", "--parent", "C01T02", "--level", "branch", *as_root]) == 0
    assert main(["org", "merge", "C01T02B09", "C01T01B02", *as_root]) == 0
    assert main(["org", "add", "C01T02B08", "又一支部", "--parent", "C01T02", "--level", "branch", *as_root]) == 0
    assert main(["org", "deactivate", "C01T02B08", *as_root]) == 0
    store = Store(fresh)
    try:
        assert store.all("SELECT code, name, parent_code, path, active, merged_into FROM orgs ORDER BY code") == [
            ("C01", "某某县", None, "/C01/", True, None),
            ("C01T01", "柳林镇", "C01", "/C01/C01T01/", True, None),
            ("C01T01B01", "小河村党总支", "C01T01", "/C01/C01T01/C01T01B01/", True, None),
            ("C01T01B02", "大河社区党支部", "C01T02", "/C01/C01T02/C01T01B02/", True, None),
            ("C01T02", "新桥镇", "C01", "/C01/C01T02/", True, None),
            ("C01T02B08", "又一支部", "C01T02", "/C01/C01T02/C01T02B08/", False, None),
            ("C01T02B09", "空支部", "C01T02", "/C01/C01T02/C01T02B09/", False, "C01T01B02"),
        ]
        assert authenticate(store, "root", "a-good-password").role == "admin"
        actions = [r[0] for r in store.all("SELECT action FROM audit_log WHERE username = 'root'"
                                           " AND action LIKE 'org.%' ORDER BY id")]
        assert actions == ["org.add", "org.add", "org.add", "org.add", "org.rename", "org.add", "org.move",
                           "org.add", "org.merge", "org.add", "org.deactivate"]
    finally:
        store.close()


@pytest.mark.parametrize("argv, stdin, message", [
    (["--county-code", "c 1", "--county-name", "某某县", "--admin", "root"], "a-good-password\n", "县级组织编码"),
    (["--county-code", "C01", "--county-name", " ", "--admin", "root"], "a-good-password\n", "县名称"),
    (["--county-code", "C01", "--county-name", "某某县", "--admin", "root"], "short\n", "密码：至少8位"),
])
def test_setup_refuses_bad_input_with_exit_2(fresh, monkeypatch, capsys, argv, stdin, message):
    assert run(["setup", "--db", str(fresh), *argv], stdin, monkeypatch) == 2
    assert message in capsys.readouterr().err
    store = Store(fresh)
    assert needs_setup(store) and store.scalar("SELECT count(*) FROM orgs") == 0
    store.close()


def test_setup_refuses_once_an_admin_exists(demo_path, monkeypatch, capsys):
    assert run(["setup", "--db", str(demo_path), "--county-code", "C02", "--county-name", "别县", "--admin", "x"],
               "a-good-password\n", monkeypatch) == 2
    assert "已有管理员" in capsys.readouterr().err


def test_setup_checks_the_password_twice(store):
    with pytest.raises(SetupError, match="两次输入的密码不一致"):
        setup(store, "C01", "某某县", "root", "a-good-password", password_again="another-password")
    assert needs_setup(store)


@pytest.mark.parametrize("argv, message", [
    (["org", "add", "C01T09", "某镇", "--parent", "C01", "--level", "city"], "--level"),
    (["org", "add", "C01T01B01", "重复", "--parent", "C01T01", "--level", "branch"], "已存在"),
    (["org", "add", "auto", "某村", "--parent", "C01T01", "--level", "branch", "--kind", "工厂"], "支部类型"),
    (["org", "rename", "C09", "某"], "未找到"),
    (["org", "move", "C01T01B01", "--parent", "C01T01B02"], "新上级"),
    (["org", "deactivate", "C01T01B01"], "下级组织"),
    (["org", "merge", "C01T01", "C01T01B01"], "两个支部"),
])
def test_org_verbs_exit_2_on_bad_input(demo_path, capsys, argv, message):
    assert main([*argv, "--as", "admin", "--db", str(demo_path)]) == 2
    assert message in capsys.readouterr().err


def test_org_verbs_check_the_user(demo_path, capsys):
    assert main(["org", "rename", "C01T01B01", "某", "--as", "nobody", "--db", str(demo_path)]) == 2
    assert "未知或已停用的用户" in capsys.readouterr().err
    assert main(["org", "rename", "C01T01B01", "某", "--as", "shuji01", "--db", str(demo_path)]) == 2
    assert "无权调整组织架构" in capsys.readouterr().err


def test_setup_as_a_process_reads_stdin(tmp_path):
    path = tmp_path / "p.duckdb"
    cmd = [sys.executable, "-m", "core", "setup", "--db", str(path), "--county-code", "C01", "--county-name", "某某县",
           "--admin", "root"]
    done = subprocess.run(cmd, input="a-good-password\n", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    again = subprocess.run(cmd, input="a-good-password\n", capture_output=True, text=True)
    assert again.returncode == 2 and "已有管理员" in again.stderr
