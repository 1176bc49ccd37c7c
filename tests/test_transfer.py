"""`python -m core migrate --from FILE --to URL`: a DuckDB file built through the services
moves into an empty PostgreSQL database with every row, checksum, sequence and login."""

import datetime as dt
import json

import duckdb
import pytest

from core.auth import authenticate
from core.cli import main
from core.services.ledger import enter_event
from core.store import Store
from core.store.checksum import table_checksums
from core.store.migrations import MIGRATIONS, current_version, migrate
from tests import small_world
from tests.conftest import _drop_db, pg_copy


@pytest.fixture
def duck_world(tmp_path):
    path = tmp_path / "township.duckdb"
    store = Store(path)
    small_world.build(store)
    store.close()
    return path


@pytest.fixture
def pg_empty(pg_cluster):
    """A new database at the latest schema version, with no rows (the template is migrated)."""
    name, url = pg_copy(pg_cluster, "jifen_template")
    yield url
    _drop_db(pg_cluster, name)


def _results(capsys, db) -> dict:
    assert main(["results", "--org", "C01T01B01", "--cycle", "2025", "--db", str(db)]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def test_migrate_copies_every_table_and_the_target_works(duck_world, pg_empty, capsys):
    source = Store(duck_world)
    before = table_checksums(source)
    version = source.data_version()
    source.close()
    expected_results = _results(capsys, duck_world)

    assert main(["migrate", "--from", str(duck_world), "--to", pg_empty]) == 0
    out = capsys.readouterr().out
    assert "迁移完成" in out and "不一致" not in out
    # one line per table in the printed table, each saying 一致
    assert sum(1 for line in out.splitlines() if line.endswith("一致")) == len(before)

    target = Store(pg_empty)
    try:
        assert table_checksums(target) == before
        # counts worked out in tests/small_world.py
        assert {t: before[t][0] for t in ("orgs", "members", "users", "events", "event_reviews", "sessions")} == {
            "orgs": 4, "members": 4, "users": 2, "events": 4, "event_reviews": 3, "sessions": 1}
        assert target.data_version() == version
        # logins work on the target: the password hashes came over unchanged
        assert authenticate(target, "shuji01", small_world.SECRETARY_PASSWORD).org_code == "C01T01B01"
        assert authenticate(target, "admin", small_world.ADMIN_PASSWORD).role == "admin"
        # sequences continue past the copied ids: events 1..4 came over, the next is 5,
        # and that write bumps data_version by one
        secretary = authenticate(target, "shuji01", small_world.SECRETARY_PASSWORD)
        new = enter_event(target, secretary, "M02", "award_district", dt.date(2025, 11, 1), today=small_world.TODAY)
        assert new == 5
        assert target.data_version() > version
    finally:
        target.close()
    assert _results(capsys, pg_empty) == expected_results


def test_a_second_migrate_into_the_same_database_is_refused(duck_world, pg_empty, capsys):
    assert main(["migrate", "--from", str(duck_world), "--to", pg_empty]) == 0
    target = Store(pg_empty)
    after_first = table_checksums(target)
    target.close()
    capsys.readouterr()
    assert main(["migrate", "--from", str(duck_world), "--to", pg_empty]) == 2
    err = capsys.readouterr().err
    assert "目标数据库不为空" in err and "Traceback" not in err
    target = Store(pg_empty)
    assert table_checksums(target) == after_first  # nothing written
    target.close()


def test_a_source_below_the_latest_version_is_refused_and_left_as_it_was(tmp_path, pg_empty, capsys):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    migrate(con, "duckdb", upto=MIGRATIONS[-1][0] - 1)
    con.close()
    assert main(["migrate", "--from", str(path), "--to", pg_empty]) == 2
    err = capsys.readouterr().err
    assert f"结构版本为 {MIGRATIONS[-1][0] - 1}" in err
    con = duckdb.connect(str(path), read_only=True)
    assert current_version(con) == MIGRATIONS[-1][0] - 1  # not upgraded by the refusal
    con.close()
    target = Store(pg_empty)
    assert target.scalar("SELECT count(*) FROM audit_log") == 0
    target.close()


def test_migrate_refuses_a_file_target_and_a_missing_source(duck_world, tmp_path, capsys):
    assert main(["migrate", "--from", str(duck_world), "--to", str(tmp_path / "x.duckdb")]) == 2
    assert "postgresql://" in capsys.readouterr().err
    assert main(["migrate", "--from", str(tmp_path / "none.duckdb"), "--to", "postgresql://u@127.0.0.1:1/x"]) == 2
    assert "源数据库文件不存在" in capsys.readouterr().err
