import pytest

from core.backup import BackupError, backup, restore
from core.cli import main
from core.store import Store

TABLES = ["orgs", "members", "member_branch_history", "users", "schema_migrations", "events", "scores"]


def dump(store):
    return {t: store.all(f"SELECT * FROM {t} ORDER BY ALL") for t in TABLES}


def test_backup_and_restore_round_trip_the_whole_database(demo_store, tmp_path):
    before = dump(demo_store)
    dest = backup(demo_store, tmp_path / "bk", username="admin")
    restored = Store(restore(dest, tmp_path / "restored.duckdb"))
    assert dump(restored) == before
    # the audit log includes the backup's own row, and sequences continue after a restore
    assert restored.scalar("SELECT count(*) FROM audit_log WHERE action = 'backup'") == 1
    last = restored.scalar("SELECT max(id) FROM audit_log")
    restored.write(lambda cur: cur.execute("INSERT INTO audit_log(username, action) VALUES ('t', 'x')").fetchall())
    assert restored.scalar("SELECT max(id) FROM audit_log") == last + 1
    restored.close()


def test_restore_refuses_to_overwrite(demo_store, tmp_path):
    dest = backup(demo_store, tmp_path / "bk")
    with pytest.raises(BackupError, match="已存在"):
        restore(dest, demo_store.path)
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
