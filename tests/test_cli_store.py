"""Every CLI verb's ``--db`` takes a DuckDB file or a ``postgresql://`` URL, and a store that
cannot be opened is a Chinese message with exit code 2, never a traceback."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys

import pytest

from core.cli import build_parser, main
from core.store import Store, pg
from tests.conftest import ROOT, _drop_db, pg_copy
from tests.import_files import csv, id_number

URL = "postgresql://u@h:5432/db"

# one command line per verb that opens the store (every other argument made up but valid)
VERBS = [
    ["init"], ["demo"], ["setup", "--county-code", "C01", "--county-name", "某县", "--admin", "a"],
    ["user", "add", "li", "--role", "secretary", "--org", "C01T01B01"],
    ["org", "add", "auto", "某镇", "--parent", "C01", "--level", "township", "--as", "admin"],
    ["org", "rename", "C01T01", "新名", "--as", "admin"],
    ["scheme", "assign", "C01T01", "party-q100-3to1", "--from", "2025-07-01", "--as", "admin"],
    ["import", "members", "x.csv", "--as", "admin"], ["template", "members", "--out", "t.xlsx"],
    ["export", "ledger", "--org", "C01T01B01", "--cycle", "2025", "--out", "x.xlsx"],
    ["results", "--org", "C01T01B01", "--cycle", "2025"], ["case", "--org", "C01T01B01", "--cycle", "2025"],
    ["backup"], ["restore", "bk"],
]


@pytest.mark.parametrize("argv", VERBS, ids=lambda a: " ".join(a[:2]))
def test_every_verb_keeps_a_url_whole(argv):
    # type=Path would have folded it into postgresql:/u@h:5432/db
    assert build_parser().parse_args(argv + ["--db", URL]).db == URL
    assert str(build_parser().parse_args(argv + ["--db", "data/x.duckdb"]).db) == "data/x.duckdb"


def test_the_db_help_names_both_stores(capsys):
    with pytest.raises(SystemExit):
        main(["init", "--help"])
    text = capsys.readouterr().out
    assert "DuckDB" in text and "postgresql://" in text and "JIFEN_DB" in text


def _cli(*argv, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *argv], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, timeout=120)


def test_a_file_held_by_the_app_is_exit_2_with_a_chinese_message(tmp_path):
    path = tmp_path / "held.duckdb"
    held = Store(path)  # as the running app holds it
    try:
        for argv in (["init"], ["results", "--org", "C01T01B01", "--cycle", "2025"], ["backup"]):
            done = _cli(*argv, "--db", str(path))
            assert done.returncode == 2, done.stderr
            assert "正被另一个程序" in done.stderr and "Traceback" not in done.stderr
    finally:
        held.close()


def test_a_server_nobody_listens_on_is_exit_2_with_a_chinese_message():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    done = _cli("init", "--db", f"postgresql://postgres:secret@127.0.0.1:{port}/jifen")
    assert done.returncode == 2
    assert "无法连接数据库服务器" in done.stderr and "Traceback" not in done.stderr
    assert "secret" not in done.stderr  # the password is never printed


@pytest.fixture
def pg_url(pg_cluster):
    name, url = pg_copy(pg_cluster, "jifen_template")
    yield url
    _drop_db(pg_cluster, name)


def test_a_server_older_than_postgresql_15_is_exit_2_with_a_chinese_message(pg_url, capsys, monkeypatch):
    # the test cluster is PostgreSQL 15: asked for 99, it is refused as an older one would be
    monkeypatch.setattr(pg, "MIN_SERVER_VERSION", 990000)
    assert main(["init", "--db", pg_url]) == 2
    err = capsys.readouterr().err
    assert "是 PostgreSQL 15，需要 99 或更高版本" in err and "Traceback" not in err


def test_the_verbs_work_on_a_server(pg_url, tmp_path, capsys, monkeypatch):
    def run(*argv, stdin=None) -> str:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main([*argv, "--db", pg_url])
        out = capsys.readouterr()
        assert code == 0, out.err
        return out.out

    assert "结构版本" in run("init")
    assert "已建立" in run("setup", "--county-code", "C01", "--county-name", "测试县", "--admin", "admin",
                          stdin="county-admin-pw-1\n")
    assert "C01T01" in run("org", "add", "auto", "测试镇", "--parent", "C01", "--level", "township", "--as", "admin")
    assert "C01T01B01" in run("org", "add", "auto", "一村党支部", "--parent", "C01T01", "--level", "branch",
                              "--kind", "村", "--as", "admin")
    assert "已设置" in run("scheme", "assign", "C01T01", "party-q100-3to1", "--from", "2024-07-01", "--as", "admin")
    assert "已创建用户 shuji01" in run("user", "add", "shuji01", "--role", "secretary", "--org", "C01T01B01",
                                    stdin="village-secretary-pw-2\n")
    roster = tmp_path / "花名册.csv"
    roster.write_bytes(csv(["一村党支部党员花名册", "姓名,身份证号,出生年月", f"周九,{id_number('11010119850101456')},1985.1"]))
    assert "检查通过" in run("import", "members", str(roster), "--org", "C01T01B01", "--as", "shuji01", "--dry-run")
    store = Store(pg_url)
    store.write(lambda cur: cur.execute(
        "INSERT INTO members(id, name, branch_code, status, category) VALUES ('M01', '周九', 'C01T01B01', 'active',"
        " '普通类')").fetchall())
    store.close()
    assert run("template", "events", "--out", str(tmp_path / "t.xlsx"), "--org", "C01T01B01")
    results = json.loads(run("results", "--org", "C01T01B01", "--cycle", "2025"))
    case = json.loads(run("case", "--org", "C01T01B01", "--cycle", "2025"))
    # one member: one subject, in the branch
    assert [s["branch"] for s in case["subjects"]] == ["C01T01B01"]
    assert results["scheme"] == "party-q100-3to1"
    assert "已导出" in run("export", "ledger", "--org", "C01T01B01", "--cycle", "2025", "--out", str(tmp_path / "l.xlsx"))
    store = Store(pg_url)
    try:
        assert store.scalar("SELECT count(*) FROM members WHERE branch_code = 'C01T01B01'") == 1
    finally:
        store.close()
