import threading

import duckdb
import pytest

from core.store import Store
from core.store.migrations import MIGRATIONS, current_version, migrate


def test_fresh_store_is_at_latest_version(store):
    assert store.scalar("SELECT max(version) FROM schema_migrations") == MIGRATIONS[-1][0]


def test_reopening_does_not_recreate(tmp_path):
    path = tmp_path / "a.duckdb"
    s = Store(path)
    s.write(lambda cur: cur.execute(
        "INSERT INTO orgs(code, name, level, path) VALUES ('C01', '临河县', 'county', '/C01/')").fetchall())
    s.close()
    s = Store(path)
    assert s.all("SELECT code, name FROM orgs") == [("C01", "临河县")]
    assert s.scalar("SELECT count(*) FROM schema_migrations") == len(MIGRATIONS)
    s.close()


def test_old_file_is_upgraded_in_place(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    assert migrate(con, upto=1) == 1
    con.execute("INSERT INTO orgs(code, name, level, path) VALUES ('C01', '临河县', 'county', '/C01/')").fetchall()
    con.close()
    s = Store(path)  # start-up applies the pending migrations
    assert current_version(s.con) == MIGRATIONS[-1][0]
    assert s.scalar("SELECT name FROM orgs WHERE code = 'C01'") == "临河县"
    assert s.scalar("SELECT count(*) FROM events") == 0
    s.close()


def test_failed_write_leaves_nothing(store):
    version = store.data_version()

    def work(cur):
        cur.execute("INSERT INTO orgs(code, name, level, path) VALUES ('C01', '临河县', 'county', '/C01/')").fetchall()
        raise ValueError("第2行 出错")

    with pytest.raises(ValueError):
        store.write(work)
    assert store.scalar("SELECT count(*) FROM orgs") == 0
    assert store.data_version() == version


def test_every_write_bumps_the_data_version(store):
    before = store.data_version()
    store.write(lambda cur: None)
    store.write(lambda cur: None)
    assert store.data_version() == before + 2


def test_concurrent_writes_are_serialised(store):
    def writer(n):
        for i in range(10):
            store.write(lambda cur, i=i: cur.execute(
                "INSERT INTO audit_log(username, action) VALUES (?, ?)", [f"u{n}", f"a{i}"]).fetchall())

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.scalar("SELECT count(*) FROM audit_log") == 80
    assert store.scalar("SELECT count(DISTINCT (username, action)) FROM audit_log") == 80


def test_extensions_are_not_autoloaded(tmp_path):
    # DuckDB's own setting (PostgreSQL loads no extension by itself)
    store = Store(tmp_path / "ext.duckdb")
    settings = dict(store.all(
        "SELECT name, value FROM duckdb_settings() WHERE name LIKE 'auto%known_extensions'"))
    store.close()
    assert settings == {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}


def test_duckdb_memory_is_capped_and_configurable(tmp_path, monkeypatch):
    s = Store(tmp_path / "a.duckdb")
    assert s.scalar("SELECT current_setting('memory_limit')") == "488.2 MiB"  # 512 MB, in MiB
    s.close()
    monkeypatch.setenv("JIFEN_DB_MEMORY", "1GB")
    s = Store(tmp_path / "b.duckdb")
    assert s.scalar("SELECT current_setting('memory_limit')") == "953.6 MiB"
    s.close()


def test_a_bulk_load_gets_3_gb_then_the_cap_is_back(tmp_path, monkeypatch):
    monkeypatch.setenv("JIFEN_DB_MEMORY", "1GB")
    s = Store(tmp_path / "a.duckdb")
    with s.bulk_memory():
        assert s.scalar("SELECT current_setting('memory_limit')") == "2.7 GiB"  # 3 GB = 3e9 / 2**30 GiB
    assert s.scalar("SELECT current_setting('memory_limit')") == "953.6 MiB"  # 1e9 / 2**20
    s.close()
