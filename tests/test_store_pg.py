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


def test_connections_the_server_dropped_are_replaced_not_shown_as_errors(small_pool):
    """A server restart (or an idle timeout) ends every connection a process keeps: its pooled
    ones and its idle ADBC ones. The next reads, small (psycopg) and large (ADBC), must get
    their rows, not the dead connections' errors; before, the first read on each failed."""
    import psycopg

    from core.store.bulk import large

    store = small_pool
    big = large("SELECT code, name FROM orgs WHERE level = ? ORDER BY code")

    def read_large():
        with store.cursor() as cur:
            return cur.sql(big, params=["county"]).pl().rows()

    store.write(lambda cur: cur.execute("INSERT INTO orgs(code, name, level, path) VALUES ('C07', '七县', 'county', '/C07/')").fetchall())
    assert store.scalar("SELECT count(*) FROM orgs") == 1 and read_large() == [("C07", "七县")]
    assert store.arrow._idle  # an ADBC connection kept for the next large read
    with psycopg.connect(store.url, autocommit=True) as admin:
        ended = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                              " WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0]
    assert ended >= 2  # at least the pool's connection and ADBC's
    assert store.scalar("SELECT count(*) FROM orgs") == 1
    assert read_large() == [("C07", "七县")]
    assert store.arrow.usable


def test_no_connection_to_be_had_is_the_store_being_unavailable(small_pool):
    """A server that went down after the start (or every connection busy past the pool's
    wait) is ``StoreUnavailable``, as at the start, which the app says in Chinese without
    the address; before, the pool's own English PoolTimeout reached the page."""
    from core.store.errors import StoreUnavailable

    store = small_pool
    store.pool.timeout = 0.5  # its wait for a free connection (30 s)
    with store.cursor(), store.cursor():  # the pool of 2, both lent
        with pytest.raises(StoreUnavailable, match="在 0.5 秒内没有可用的连接：服务器未运行，或连接都在忙"):
            store.cursor()
    assert store.scalar("SELECT 1") == 1  # given back: lent again
