"""How frames reach Polars: the case builder's events and ``cur.sql(...).pl()``.

On PostgreSQL a query marked large (``core.store.bulk``) is read through ADBC outside a
write (``core.store.pg_arrow``) and through psycopg inside one; both must give the same
frame, dtypes included, with DuckDB's values. Each test reads once on each path
(``store.arrow = None`` turns ADBC off).
"""

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from core.services.case import branch_group, read_cases
from core.store import pg_arrow
from core.store.bulk import large
from tests import village_world
from tests.entry_world import TODAY, world  # noqa: F401 (fixture)

D = dt.date


def _by_each_path(store, read):
    """``read()`` on this store's paths: [DuckDB] or [PostgreSQL by ADBC, by psycopg, by
    psycopg after ADBC failed to connect]."""
    frames = [read()]
    if getattr(store, "arrow", None) is not None:
        arrow = store.arrow
        try:
            store.arrow = None
            frames.append(read())
            store.arrow = pg_arrow.ArrowReader("host=127.0.0.1 port=1 dbname=none connect_timeout=5", 1)
            frames.append(read())
            assert not store.arrow.usable
        finally:
            store.arrow = arrow
    return frames


def test_case_events_frame_is_the_same_on_every_path(world):
    # The rollup the case builder reads, written directly: party-q100-3to1's items have
    # whole fixed points, and these rows need a fractional count, points, a rating, fraud.
    world.write(lambda cur: cur.execute(
        "INSERT INTO effective_events(event_id, branch_code, member_id, date, item, count, points, rating, fraud) VALUES"
        " (7, 'C01T01B01', 'M02', '2025-07-01', 'miss_meeting', 1, NULL, NULL, false),"
        " (3, 'C01T01B01', 'M01', '2025-08-03', 'award_city', 1.5, -2.25, '优秀', true),"
        " (5, 'C01T01B01', 'M01', '2026-06-30', 'late_dues', 2, 0, '', false),"
        " (1, 'C01T01B01', 'M03', '2025-06-30', 'miss_meeting', 1, NULL, NULL, false),"  # cycle 2024
        " (2, 'C01T01B02', 'M11', '2025-08-03', 'miss_meeting', 1, NULL, NULL, false)").fetchall())  # other branch
    group = branch_group(world, "C01T01B01", 2025, TODAY)
    frames = _by_each_path(world, lambda: read_cases(world, [group], 2025, frames=True)[0]["events"])
    expected = pl.DataFrame(
        # sorted by event id (3, 5, 7); count and points as the engine takes them (Float64)
        {"subject": ["M01", "M01", "M02"], "item": ["award_city", "late_dues", "miss_meeting"],
         "date": [D(2025, 8, 3), D(2026, 6, 30), D(2025, 7, 1)], "count": [1.5, 2.0, 1.0],
         "points": [-2.25, 0.0, None], "rating": ["优秀", "", None], "fraud": [True, False, False]},
        schema={"subject": pl.String, "item": pl.String, "date": pl.Date, "count": pl.Float64,
                "points": pl.Float64, "rating": pl.String, "fraud": pl.Boolean})
    for frame in frames:
        assert_frame_equal(frame, expected)


@pytest.mark.parametrize("store_target", ["postgres"], indirect=True)  # ADBC is PostgreSQL's path
def test_a_passing_adbc_failure_sends_one_read_to_psycopg_and_keeps_adbc(world):
    """Once ADBC has connected, a failure to open another connection (the server's connection
    limit reached, a restart) reads that frame through psycopg and leaves ADBC on; before, it
    turned ADBC off for the process's life, every county read then twice as slow."""
    group = branch_group(world, "C01T01B01", 2025, TODAY)
    read = lambda: read_cases(world, [group], 2025, frames=True)[0]["events"]  # noqa: E731
    arrow = world.arrow
    world.arrow = pg_arrow.ArrowReader(arrow._conninfo, 1)
    try:
        first = read()  # connected: ADBC reaches this server
        assert world.arrow._connected
        reachable = world.arrow._conninfo
        world.arrow._idle.clear()  # no idle connection left: the next read must open one
        world.arrow._conninfo = "host=127.0.0.1 port=1 dbname=none connect_timeout=5"
        assert_frame_equal(read(), first)  # read through psycopg
        assert world.arrow.usable
        world.arrow._conninfo = reachable
        assert_frame_equal(read(), first)
        assert world.arrow._idle  # the read went through ADBC again, and its connection waits
    finally:
        world.arrow.close()
        world.arrow = arrow


def test_a_branch_in_two_groups_gives_each_its_own_subjects_over_its_own_window(store):
    # C01T01B01 runs a party scheme (cycle 2025: 2025-07-01..2026-06-30) and village-4class for
    # its households (cycle 2025: 2025-01-01..2025-12-31): read together, one query reads the
    # branch over both windows, and each event goes to the group of its member, within that
    # group's window.
    village_world.build(store)
    store.write(lambda cur: cur.execute(
        "INSERT INTO effective_events(event_id, branch_code, member_id, date, item, count, points, rating, fraud) VALUES"
        " (1, 'C01T01B01', 'H01', '2025-03-02', 'brave_deed', 1, NULL, NULL, false),"    # village window only
        " (2, 'C01T01B01', 'M01', '2025-03-02', 'miss_meeting', 1, NULL, NULL, false),"  # before the party window
        " (3, 'C01T01B01', 'M01', '2025-08-01', 'miss_meeting', 1, NULL, NULL, false),"  # party
        " (4, 'C01T01B01', 'H01', '2026-02-01', 'brave_deed', 1, NULL, NULL, false),"    # after the village window
        " (5, 'C01T01B01', 'H02', '2025-12-31', 'brave_deed', 1, NULL, NULL, false)").fetchall())  # village
    groups = [branch_group(store, "C01T01B01", 2025, village_world.TODAY, track)
              for track in ("party", "village")]
    for party, village in _by_each_path(store, lambda: [case["events"] for case in
                                                        read_cases(store, groups, 2025, frames=True)]):
        assert party.select("subject", "date").rows() == [("M01", D(2025, 8, 1))]
        assert village.select("subject", "date").rows() == [("H01", D(2025, 3, 2)), ("H02", D(2025, 12, 31))]


ODD_SQL = large("SELECT o.*, k.blank, k.tag FROM odd o LEFT JOIN keys k ON k.n = o.n"
                " WHERE o.n >= ? AND o.t IS DISTINCT FROM ? ORDER BY o.n DESC")


def test_sql_frames_keep_every_value_on_every_path(store):
    store.write(lambda cur: cur.execute(
        "CREATE TABLE odd(n BIGINT, t VARCHAR, d DECIMAL(12, 2), b BOOLEAN, day DATE, stamp TIMESTAMP, f DOUBLE, i INTEGER)"
    ).fetchall())
    store.write(lambda cur: cur.execute(
        "INSERT INTO odd VALUES"
        " (1, 'a,b \"q\" 中文\n第二行', 1.50, true, '2025-07-01', '2025-07-01 10:00:00', 1.1, 3),"
        " (2, '', -0.01, false, NULL, '2025-07-01 10:00:00.123456', NULL, NULL),"
        " (3, NULL, NULL, NULL, '2024-02-29', NULL, 1e300, -5)").fetchall())
    keys = pl.DataFrame({"n": [1, 3], "blank": [None, None], "tag": ["甲", "乙"]}).with_columns(
        pl.col("tag").cast(pl.Categorical))  # registered as VARCHAR on both stores

    def read():
        with store.cursor() as cur:
            cur.register("keys", keys)
            frame = cur.sql(ODD_SQL, params=[1, "%"]).pl()
            cur.unregister("keys")
            return frame

    frames = _by_each_path(store, read)
    assert frames[0].to_dicts() == [
        {"n": 3, "t": None, "d": None, "b": None, "day": D(2024, 2, 29), "stamp": None, "f": 1e300, "i": -5,
         "blank": None, "tag": "乙"},
        {"n": 2, "t": "", "d": Decimal("-0.01"), "b": False, "day": None,
         "stamp": dt.datetime(2025, 7, 1, 10, 0, 0, 123456), "f": None, "i": None, "blank": None, "tag": None},
        {"n": 1, "t": 'a,b "q" 中文\n第二行', "d": Decimal("1.50"), "b": True, "day": D(2025, 7, 1),
         "stamp": dt.datetime(2025, 7, 1, 10, 0), "f": 1.1, "i": 3, "blank": None, "tag": "甲"}]
    assert isinstance(frames[0].schema["d"], pl.Decimal) and frames[0].schema["d"].scale == 2
    for frame in frames[1:]:
        assert_frame_equal(frame, frames[0])  # dtypes too
    empty = store.frame(large("SELECT n, d FROM odd WHERE n < ?"), [0])
    assert empty.height == 0 and isinstance(empty.schema["d"], pl.Decimal)

    # inside a write a frame sees the write so far (ADBC's own connection would not)
    def work(cur):
        cur.execute("INSERT INTO odd(n) VALUES (4)").fetchall()
        return cur.sql(large("SELECT count(*) AS n_rows FROM odd")).pl()
    assert store.write(work)["n_rows"].to_list() == [4]


MERGEJOIN_SQL = large("SELECT current_setting('enable_mergejoin') AS merge_join")


def test_large_reads_plan_without_merge_joins_and_leave_other_reads_as_they_were(store):
    """A large read joins a county's events to a temporary table without statistics; at L,
    PostgreSQL merged them on the branch alone (5.4 s, against 0.36 s by a hash join). Large
    reads plan without merge joins, on every path, and the connection's other reads keep the
    default."""
    if store.backend != "postgres":  # DuckDB has no such setting: nothing to change there
        assert store.frame(large("SELECT 1 AS one"))["one"].to_list() == [1]
        return
    for frame in _by_each_path(store, lambda: store.frame(MERGEJOIN_SQL)):
        assert frame["merge_join"].to_list() == ["off"]
    assert store.scalar("SELECT current_setting('enable_mergejoin')") == "on"

    def work(cur):  # inside a write, through psycopg: set for the read, reset after it
        during = cur.sql(MERGEJOIN_SQL).pl()["merge_join"].to_list()
        return during, cur.execute("SELECT current_setting('enable_mergejoin')").fetchall()[0][0]
    assert store.write(work) == (["off"], "on")
