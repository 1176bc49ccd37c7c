"""core.store.checksum: an order-independent digest read in batches (``store.stream``), on
both stores: the same rows in another order agree, a changed cell or a duplicated row does
not, and the engines' values hash alike."""

import datetime as dt
from decimal import Decimal

from core.store.checksum import rows_checksum, table_checksum

A = (1, "张三", Decimal("1.50"), dt.datetime(2025, 7, 1, 8, 30), '{"b": 1, "a": 2}')
B = (2, "李四", Decimal("-2.00"), None, None)
C = (3, "王五", Decimal("0.25"), dt.datetime(2025, 12, 31, 23, 59, 59), '{"a": [1, 2]}')


def _fill(store, *rows) -> None:
    def work(cur):
        cur.execute("DELETE FROM probe").fetchall()
        for row in rows:
            cur.execute("INSERT INTO probe(id, name, amount, seen, doc) VALUES (?, ?, ?, ?, ?)", list(row)).fetchall()
    store.write(work)


def test_digest_ignores_order_and_sees_a_changed_cell_and_a_duplicated_row(store):
    store.write(lambda cur: cur.execute(
        "CREATE TABLE probe(id INTEGER, name VARCHAR, amount DECIMAL(8, 2), seen TIMESTAMP, doc JSON)").fetchall())
    _fill(store, A, B, C)
    first = table_checksum(store, "probe")
    # the same Python rows hashed directly (columns by name: amount, doc, id, name, seen)
    by_name = [(r[2], r[4], r[0], r[1], r[3]) for r in (C, A, B)]
    assert first == rows_checksum(by_name, json_columns=[1])
    assert first[0] == 3

    _fill(store, C, A, B)  # another insertion order, another physical order
    assert table_checksum(store, "probe") == first

    _fill(store, A, B, (3, "王五", Decimal("0.26"), C[3], C[4]))  # one cell: 0.25 → 0.26
    assert table_checksum(store, "probe")[1] != first[1]

    # two equal rows are not one row, and do not cancel (XOR would make {A, A, B} equal {B})
    _fill(store, A, A, B, C)
    twice = table_checksum(store, "probe")
    assert twice[0] == 4 and twice[1] != first[1]
    _fill(store, A, A, B)
    _both_a = table_checksum(store, "probe")
    _fill(store, B)
    assert _both_a[1] != table_checksum(store, "probe")[1]


def test_stream_reads_in_batches_and_inside_a_write_sees_it(store):
    store.write(lambda cur: cur.execute("CREATE TABLE probe(id INTEGER)").fetchall())
    store.write(lambda cur: cur.executemany("INSERT INTO probe(id) VALUES (?)", [[i] for i in range(1, 6)]))
    sql = "SELECT id FROM probe WHERE id >= ? ORDER BY id"
    assert list(store.stream(sql, [1], batch=2)) == [[(1,), (2,)], [(3,), (4,)], [(5,)]]  # 5 rows: 2 + 2 + 1

    def work(cur):
        cur.execute("INSERT INTO probe(id) VALUES (6)").fetchall()
        return [row for rows in store.stream(sql, [5], batch=2) for row in rows]

    # PostgreSQL reads inside a write on the write's connection, so migrate checks the rows it
    # copied before committing them; DuckDB's store reads are another cursor's, as for all()
    seen = store.write(work)
    assert seen == ([(5,), (6,)] if store.backend == "postgres" else [(5,)])
    # a stream left half-read gives its connection back: the store still answers
    half = store.stream("SELECT id FROM probe", batch=1)
    next(half)
    half.close()
    assert store.scalar("SELECT count(*) FROM probe") == 6
