"""The PostgreSQL engine's own guarantees (the shared behaviour is tested on both engines)."""

import threading

import pytest

from core.store import Store


@pytest.fixture
def small_pool(pg_cluster, monkeypatch):
    from tests.conftest import _drop_db, pg_copy

    name, url = pg_copy(pg_cluster, "jifen_template")
    monkeypatch.setenv("JIFEN_PG_POOL", "2")
    s = Store(url)
    yield s
    s.close()
    _drop_db(pg_cluster, name)


def test_reads_inside_writes_do_not_exhaust_the_pool(small_pool):
    """12 threads on a pool of 2, each write reading through the store while it is open: on a
    second pooled connection each would hold one and wait for another (a deadlock); on the
    write's own connection all 12 finish, and each read sees its own write so far."""
    store = small_pool
    seen, errors = [], []

    def one(i):
        def work(cur):
            cur.execute("INSERT INTO orgs(code, name, level, path) VALUES (?, ?, 'county', ?)",
                        [f"C{i:02d}", f"县{i}", f"/C{i:02d}/"]).fetchall()
            seen.append(store.scalar("SELECT count(*) FROM orgs WHERE code = ?", [f"C{i:02d}"]))
        try:
            store.write(work)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert seen == [1] * 12  # each read saw its own uncommitted row
    assert store.scalar("SELECT count(*) FROM orgs") == 12


def test_a_write_inside_a_write_is_refused(small_pool):
    store = small_pool
    with pytest.raises(RuntimeError, match="one transaction"):
        store.write(lambda cur: store.write(lambda inner: None))
    assert store.scalar("SELECT count(*) FROM orgs") == 0
