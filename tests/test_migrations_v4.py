"""Migration 4 upgrades a v3 file in place: rows kept, members may be deceased, new tables."""

import duckdb
import pytest

from core.store import Store
from core.store.migrations import MIGRATIONS, migrate


def test_a_v3_file_upgrades_in_place(tmp_path):
    path = tmp_path / "v3.duckdb"
    con = duckdb.connect(str(path))
    assert migrate(con, upto=3) == 3
    con.execute("INSERT INTO orgs(code, name, level, path) VALUES ('C01', '某某县', 'county', '/C01/')").fetchall()
    con.execute("INSERT INTO members(id, name, branch_code, status, exempt_reason) "
                "VALUES ('M000001', '张三', 'C01', 'exempt', '年老体弱')").fetchall()
    con.execute("INSERT INTO events(member_id, branch_code, item, date, entered_by) "
                "VALUES ('M000001', 'C01', 'x', DATE '2025-01-01', 'a')").fetchall()
    with pytest.raises(duckdb.ConstraintException):
        con.execute("UPDATE members SET status = 'deceased'").fetchall()
    con.close()

    store = Store(path)
    try:
        assert store.scalar("SELECT max(version) FROM schema_migrations") == MIGRATIONS[-1][0]
        # the v1 row survives the rebuild of members, with the new columns empty
        assert store.all("SELECT id, name, status, exempt_reason, id_card, import_batch FROM members") == [
            ("M000001", "张三", "exempt", "年老体弱", None, None)]
        store.write(lambda cur: cur.execute("UPDATE members SET status = 'deceased'").fetchall())
        assert store.scalar("SELECT status FROM members") == "deceased"
        with pytest.raises(duckdb.ConstraintException):
            store.write(lambda cur: cur.execute("UPDATE members SET status = 'gone'").fetchall())
        # existing orgs are active; events gained a nullable import_batch
        assert store.all("SELECT code, active, merged_into FROM orgs") == [("C01", True, None)]
        assert store.all("SELECT id, import_batch FROM events") == [(1, None)]
        for table in ("household_people", "import_batches"):
            assert store.scalar("SELECT count(*) FROM " + table) == 0
        for table in ("events", "scores", "members", "orgs", "cycle_history", "member_branch_history"):
            assert store.scalar("SELECT count(*) FROM information_schema.columns "
                                "WHERE table_name = ? AND column_name = 'import_batch'", [table]) == 1
    finally:
        store.close()
    # opening again applies nothing twice
    store = Store(path)
    assert store.scalar("SELECT count(*) FROM schema_migrations") == len(MIGRATIONS)
    store.close()
