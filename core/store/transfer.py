"""Moving a DuckDB file into an empty PostgreSQL database (``python -m core migrate``).

A township that grows into a county server keeps every row, id and sequence position:

1. checks, before anything is written: the source file is at this program's latest schema
   version (opened read-only first, so an old file is reported, not silently upgraded),
   the target is a PostgreSQL database at the same version whose tables hold no rows
   (``schema_migrations`` and ``meta``, which the migration itself fills, aside), and every
   table has the same columns on both sides;
2. one PostgreSQL transaction: every table copied with COPY (psycopg adapts each value,
   JSON text included), in foreign-key order, ``schema_migrations`` and ``meta`` replaced by
   the source's so ``data_version`` carries over;
3. still inside it, per table row counts and checksums (``core.store.checksum``) on both
   sides: any difference rolls the whole copy back;
4. last, each sequence is set past both the largest id and the source sequence's own
   position (ids a rolled-back write consumed are not handed out twice).

Memory stays bounded whatever the file's size: each table is read from DuckDB and written
by COPY ``BATCH`` rows at a time, and the checksums read both sides in batches and keep a
sum, not the rows (L: 20 million events).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from core.store.base import Store, is_server_url
from core.store.checksum import table_checksums, table_columns, table_names
from core.store.errors import StoreUnavailable

BOOKKEEPING = ("schema_migrations", "meta")  # filled by the target's own migration
BATCH = 10_000


class TransferError(ValueError):
    """A refusal or a failed check, in words for the user; nothing was written."""


@dataclass(frozen=True)
class TableCheck:
    table: str
    source_rows: int
    target_rows: int
    source_sum: str
    target_sum: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_sum == self.target_sum


def source_version(path: str | Path) -> int:
    """The schema version of a DuckDB file, read without upgrading it."""
    from core.store.duck import connect
    from core.store.migrations import current_version

    path = Path(path)
    if not path.is_file():
        raise TransferError(f"源数据库文件不存在：{path}")
    con = connect(path, access_mode="READ_ONLY")  # StoreUnavailable when the app holds it
    try:
        return current_version(con)
    finally:
        con.close()


def latest_version() -> int:
    from core.store.migrations import MIGRATIONS

    return MIGRATIONS[-1][0]


def check_source(path: str | Path) -> None:
    version, latest = source_version(path), latest_version()
    if version != latest:
        how = ("请先用本程序打开一次以升级结构（python -m core init --db 该文件），再迁移" if version < latest
               else "请先升级本程序")
        raise TransferError(f"源数据库 {path} 的结构版本为 {version}，本程序为 {latest}：{how}")


def open_pair(source_path: str | Path, target_url: str) -> tuple[Store, Store]:
    """The checked source (DuckDB, at the latest version) and the target (PostgreSQL, migrated)."""
    if not is_server_url(str(target_url)):
        raise TransferError(f"--to 应为 PostgreSQL 地址 postgresql://用户@主机:端口/库名，不是 {target_url}")
    if is_server_url(str(source_path)):
        raise TransferError("--from 应为 DuckDB 数据库文件")
    check_source(source_path)
    source = Store(Path(source_path))
    try:
        target = Store(str(target_url))
    except StoreUnavailable:
        source.close()
        raise
    return source, target


def check_target(source: Store, target: Store) -> list[str]:
    """The tables to copy (in dependency order); refuses a target that holds rows or differs."""
    version = lambda s: int(s.scalar("SELECT max(version) FROM schema_migrations"))  # noqa: E731
    if version(target) != version(source):
        raise TransferError(f"目标数据库的结构版本为 {version(target)}，源数据库为 {version(source)}，无法迁移")
    held = [t for t in table_names(target) if t not in BOOKKEEPING
            and target.scalar(f'SELECT count(*) FROM "{t}"')]
    if held:
        raise TransferError(f"目标数据库不为空（{'、'.join(held)} 中已有数据），为防止覆盖，迁移只写入空数据库")
    tables = table_names(source)
    missing = sorted(set(tables) - set(table_names(target)))
    if missing:
        raise TransferError(f"目标数据库缺少数据表：{'、'.join(missing)}")
    for table in tables:
        mine = {name for name, _ in table_columns(source, table)}
        theirs = {name for name, _ in table_columns(target, table)}
        if mine != theirs:
            raise TransferError(f"数据表 {table} 的列在两边不同：{'、'.join(sorted(mine ^ theirs))}")
    return _dependency_order(target, tables)


def _dependency_order(target: Store, tables: list[str]) -> list[str]:
    """Referenced tables before the tables that reference them (a self-reference is checked
    at the end of its COPY statement, so it needs no order)."""
    edges = target.all(
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c"
        " WHERE c.contype = 'f' AND c.conrelid <> c.confrelid")
    needs = {t: {parent.strip('"') for child, parent in edges if child.strip('"') == t} for t in tables}
    ordered: list[str] = []
    while len(ordered) < len(tables):
        ready = [t for t in tables if t not in ordered and needs[t] <= set(ordered) | (needs[t] - set(tables))]
        if not ready:
            raise TransferError("数据表之间的外键成环，无法确定复制顺序")
        ordered.extend(ready)
    return ordered


def _sequences(target: Store) -> list[tuple[str, str, str]]:
    """(sequence, table, column) for every column whose default draws from a sequence."""
    rows = target.all(
        "SELECT table_name, column_name, column_default FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'")
    found = []
    for table, column, default in rows:
        name = default.split("'")[1]
        found.append((name, table, column))
    return sorted(found)


def _source_sequence_positions(source: Store) -> dict[str, int]:
    return {name: int(value) for name, value in
            source.all("SELECT sequence_name, last_value FROM duckdb_sequences() WHERE last_value IS NOT NULL")}


def transfer(source: Store, target: Store, progress: Callable[[str], None] | None = None) -> list[TableCheck]:
    """Copy ``source`` (DuckDB) into the empty ``target`` (PostgreSQL) and verify it; returns
    one check per table, all equal (otherwise ``TransferError`` and nothing is written)."""
    say = progress or (lambda message: None)
    if target.backend != "postgres" or source.backend != "duckdb":
        raise TransferError("迁移只支持从 DuckDB 文件到 PostgreSQL 数据库")
    tables = check_target(source, target)
    say("计算源数据库各表的行数和校验值")
    expected = table_checksums(source, tables)
    positions = _source_sequence_positions(source)
    sequences = _sequences(target)

    def work(cur) -> list[TableCheck]:
        for table in BOOKKEEPING:
            cur.execute(f'DELETE FROM "{table}"').fetchall()
        for table in tables:
            say(f"复制 {table}（{expected[table][0]} 行）")
            _copy_table(source, cur, table)
        say("核对目标数据库各表的行数和校验值")
        # through the store: inside this write its reads use this transaction's connection
        got = table_checksums(target, tables)
        checks = [TableCheck(t, expected[t][0], got[t][0], expected[t][1], got[t][1]) for t in tables]
        bad = [c.table for c in checks if not c.ok]
        if bad:
            raise TransferError(f"复制后核对不一致（{'、'.join(bad)}），已全部撤销，目标数据库未写入任何数据")
        for name, table, column in sequences:
            top = max(int(cur.execute(f'SELECT coalesce(max("{column}"), 0) FROM "{table}"').fetchone()[0]),
                      positions.get(name, 0))
            if top > 0:
                cur.execute("SELECT setval(?, ?, true)", [name, top]).fetchall()
        return checks

    # bump=False: data_version is the source's, copied with meta, so the checksums agree
    checks = target.write(work, bump=False)
    target.refresh_statistics()
    return checks


def _copy_table(source: Store, cur, table: str) -> None:
    columns = [name for name, _ in table_columns(source, table)]
    names = ", ".join(f'"{c}"' for c in columns)
    with source.cursor() as read:
        rows = read.execute(f'SELECT {names} FROM "{table}"')
        # the target cursor's own psycopg cursor: COPY has no DuckDB-like spelling
        with cur._raw.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            while batch := rows.fetchmany(BATCH):
                for row in batch:
                    copy.write_row(row)
