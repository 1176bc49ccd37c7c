import json

import pytest

from core.backup import BackupError, backup, restore
from core.cli import main
from core.store import Store
from core.store.checksum import table_checksums
from tests import small_world
from tests.conftest import _create_db, _drop_db, pg_copy

# a restore ends the copied login sessions: those two columns differ by design
SESSIONS_ENDED = {"sessions": ["revoked_at", "revoke_reason"]}


def dump(store):
    return table_checksums(store, exclude=SESSIONS_ENDED)


@pytest.fixture
def new_target(demo_store, tmp_path, request):
    """Where a restore of ``demo_store``'s backup goes: a new file, or a new database with no tables."""
    if demo_store.backend == "duckdb":
        yield tmp_path / "restored.duckdb"
        return
    cluster = request.getfixturevalue("pg_cluster")
    name = f"restored_{abs(hash(str(tmp_path))) % 10**9}"
    yield _create_db(cluster, name)
    _drop_db(cluster, name)


def test_backup_and_restore_round_trip_the_whole_database(demo_store, new_target, tmp_path):
    dest = backup(demo_store, tmp_path / "bk", username="admin")
    before = dump(demo_store)
    restored = Store(restore(dest, new_target))
    assert dump(restored) == before
    # the audit log includes the backup's own row, and sequences continue after a restore
    assert restored.scalar("SELECT count(*) FROM audit_log WHERE action = 'backup'") == 1
    last = restored.scalar("SELECT max(id) FROM audit_log")
    restored.write(lambda cur: cur.execute("INSERT INTO audit_log(username, action) VALUES ('t', 'x')").fetchall())
    assert restored.scalar("SELECT max(id) FROM audit_log") == last + 1
    restored.close()


def test_a_backup_folder_named_relative_to_the_working_folder_restores(demo_store, new_target, tmp_path,
                                                                       monkeypatch):
    """``restore data/backups/jifen-…`` as typed at a prompt: PostgreSQL's pg_restore runs in
    another folder, so the dump's path must not be left relative."""
    backup(demo_store, tmp_path / "data" / "backups" / "bk")
    monkeypatch.chdir(tmp_path)
    restored = Store(restore("data/backups/bk", new_target))
    assert dump(restored) == dump(demo_store)
    restored.close()


def test_restore_refuses_to_overwrite(demo_store, tmp_path):
    dest = backup(demo_store, tmp_path / "bk")
    with pytest.raises(BackupError, match="已存在|不为空"):
        restore(dest, demo_store.path or demo_store.url)
    with pytest.raises(BackupError, match="schema.sql"):
        restore(tmp_path, tmp_path / "new.duckdb")
    with pytest.raises(BackupError, match="不为空"):
        backup(demo_store, dest)


def test_cli_backup_and_restore(demo_path, tmp_path, capsys):
    assert main(["backup", "--db", str(demo_path), "--to", str(tmp_path / "bk")]) == 0
    assert main(["restore", str(tmp_path / "bk"), "--db", str(tmp_path / "r.duckdb")]) == 0
    assert "已恢复数据库" in capsys.readouterr().out
    a, b = Store(demo_path), Store(tmp_path / "r.duckdb")
    assert dump(a) == dump(b)
    a.close(), b.close()


# -- PostgreSQL: pg_dump -Fc / pg_restore, and the checks before anything is loaded ---------

@pytest.fixture
def pg_world(pg_cluster):
    """The small world on a server, and a fresh database with no tables to restore into."""
    name, url = pg_copy(pg_cluster, "jifen_template")
    store = Store(url)
    small_world.build(store)
    empty = f"{name}_restored"
    target = _create_db(pg_cluster, empty)
    yield store, target
    store.close()
    _drop_db(pg_cluster, name)
    _drop_db(pg_cluster, empty)


def test_pg_backup_and_restore_round_trip(pg_world, tmp_path):
    store, target = pg_world
    dest = backup(store, tmp_path / "bk", username="admin")
    manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["backend"], sorted(manifest["files"])) == ("postgres", ["jifen.dump"])
    before = dump(store)
    assert restore(dest, target) == target
    restored = Store(target)
    try:
        assert dump(restored) == before
        # the backup's own audit row came along; the one login session is ended by the restore
        assert restored.scalar("SELECT count(*) FROM audit_log WHERE action = 'backup'") == 1
        assert restored.all("SELECT revoke_reason FROM sessions") == [("restored",)]
        # sequences continue: the next audit id is one past the copied ones
        last = restored.scalar("SELECT max(id) FROM audit_log")
        restored.write(lambda cur: cur.execute("INSERT INTO audit_log(username, action) VALUES ('t', 'x')").fetchall())
        assert restored.scalar("SELECT max(id) FROM audit_log") == last + 1
        assert restored.data_version() == store.data_version() + 1
    finally:
        restored.close()


def test_pg_restore_refuses_a_target_with_tables_and_a_wrong_store(pg_world, tmp_path):
    store, target = pg_world
    dest = backup(store, tmp_path / "bk")
    with pytest.raises(BackupError, match="不为空"):
        restore(dest, store.url)
    with pytest.raises(BackupError, match="只能恢复到"):
        restore(dest, tmp_path / "x.duckdb")
    assert not (tmp_path / "x.duckdb").exists()


def test_pg_restore_checks_the_dump_before_loading(pg_world, tmp_path):
    store, target = pg_world
    dest = backup(store, tmp_path / "bk")
    dump = dest / "jifen.dump"
    data = bytearray(dump.read_bytes())
    data[-10] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="校验值不符"):
        restore(dest, target)
    # a dump that is not pg_dump's, with a manifest rewritten to match, is refused by its header
    dump.write_bytes(b"CREATE TABLE evil(x int);")
    manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    from core.backup import _sha256
    manifest["files"]["jifen.dump"] = _sha256(dump)
    (dest / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(BackupError, match="不是 pg_dump"):
        restore(dest, target)
    import psycopg
    with psycopg.connect(target) as con:  # nothing was loaded
        assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").fetchone() == (0,)


def test_cli_backup_and_restore_on_a_server(pg_world, tmp_path, capsys):
    store, target = pg_world
    assert main(["backup", "--db", store.url, "--to", str(tmp_path / "bk")]) == 0
    assert main(["restore", str(tmp_path / "bk"), "--db", target]) == 0
    assert "已恢复数据库" in capsys.readouterr().out
    restored = Store(target)
    assert restored.scalar("SELECT count(*) FROM events") == 4  # tests/small_world.py
    restored.close()


# -- DuckDB backups are checked too ------------------------------------------------------

def test_duckdb_restore_refuses_tampered_or_foreign_files(demo_path, tmp_path):
    store = Store(demo_path)
    dest = backup(store, tmp_path / "bk")
    store.close()
    assert json.loads((dest / "manifest.json").read_text(encoding="utf-8"))["backend"] == "duckdb"
    with pytest.raises(BackupError, match="DuckDB 文件的备份"):
        restore(dest, "postgresql://u@127.0.0.1:1/x")
    # a statement that would read a file while restoring, even with a matching manifest
    load = dest / "load.sql"
    load.write_text(load.read_text(encoding="utf-8") + "\nCOPY orgs FROM '/etc/passwd';\n", encoding="utf-8")
    with pytest.raises(BackupError, match="校验值不符"):
        restore(dest, tmp_path / "r.duckdb")
    (dest / "manifest.json").unlink()  # as a backup from before manifests
    with pytest.raises(BackupError, match="不允许的语句"):
        restore(dest, tmp_path / "r.duckdb")
    assert not (tmp_path / "r.duckdb").exists()
    schema = dest / "schema.sql"
    load.write_text("", encoding="utf-8")
    schema.write_text("CREATE TABLE orgs AS SELECT * FROM read_csv('/etc/passwd');", encoding="utf-8")
    with pytest.raises(BackupError, match="不允许的语句"):
        restore(dest, tmp_path / "r.duckdb")
