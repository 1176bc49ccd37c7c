"""Backup and restore of the whole database, on either store.

- DuckDB refuses a second process even read-only, so a backup runs inside the process that
  holds the file (the app, or the CLI when the app is stopped): EXPORT DATABASE under the
  write lock gives a consistent copy as Parquet files plus schema.sql/load.sql.
- PostgreSQL: ``pg_dump -Fc`` (one consistent snapshot, taken by the server while the apps
  keep writing) into ``jifen.dump``; ``pg_restore`` loads it into a new, empty database.
  pg_dump/pg_restore are PostgreSQL's own tools: they keep every type, sequence value and
  index exactly, and the custom format can be listed (checked) before anything is loaded.

Either backup is a folder with a ``manifest.json``: format, store, schema version, and the
sha256 of every file. A restore reads nothing it has not checked first: the manifest, the
files' digests, and what the files would run (the DuckDB statements, the dump's table of
contents) against the tables our migrations create. DuckDB backups from before manifests
(schema.sql without manifest.json) are still restored, after the same statement checks.

A restore always creates a new database (a new file, or an empty server database) and
ends the copied login sessions, so old browsers cannot come back in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import duckdb

from core import audit, bounds
from core.store import Store, is_server_url
from core.store.duck import CONFIG as _CONFIG

MANIFEST = "manifest.json"
FORMAT = "jifen-backup"
FORMAT_VERSION = 1
PG_DUMP = "jifen.dump"


class BackupError(ValueError):
    pass


# -- backup -------------------------------------------------------------------------

def backup(store: Store, dest: str | Path, username: str = "system") -> Path:
    """Copy the whole database into ``dest`` (a new folder) and write its manifest."""
    dest = Path(dest).resolve()  # shown to the admin and kept in the audit row: say exactly where
    shown = bounds.printable(dest)
    if shown != str(dest):  # undecodable bytes in the name: neither store can record it
        raise BackupError(f"备份目录的名称中有无法识别的字符：{shown}")
    if dest.exists() and not dest.is_dir():
        raise BackupError(f"备份目录的位置已有一个文件：{dest}")
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"备份目录已存在且不为空：{dest}")
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = "没有权限" if isinstance(exc, PermissionError) else "路径无法建立（其中有一段不是文件夹，或位置不可写）"
        raise BackupError(f"无法建立备份目录 {dest}：{why}") from None
    # The audit row goes in first so that the backup itself records that it was taken.
    store.write(lambda cur: audit.record(cur, username, "backup", entity="database", reason=str(dest)))
    if store.backend == "postgres":
        _pg_dump(store, dest)
    else:
        with store._lock:
            with store.cursor() as cur:
                cur.execute(f"EXPORT DATABASE {_quote(dest)} (FORMAT parquet)").fetchall()
    files = sorted(p.name for p in dest.iterdir() if p.is_file())
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "backend": store.backend,
        "schema_version": int(store.scalar("SELECT max(version) FROM schema_migrations")),
        "created_at": dt.datetime.now().isoformat(timespec="seconds"), "source": store.describe(),
        "files": {name: _sha256(dest / name) for name in files},
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return dest


def _pg_dump(store: Store, dest: Path) -> None:
    _run_pg("pg_dump", store.url, ["-Fc", "--no-owner", "--no-privileges", "-f", str(dest / PG_DUMP)])


def backup_root(store: Store) -> Path:
    """Where backups go: ``JIFEN_BACKUP_DIR`` if set, else a ``backups`` folder next to the
    database file (for a server, ``data/backups`` where the app runs), so a backup is found
    beside the data it copies (absolute, to be shown)."""
    configured = os.environ.get("JIFEN_BACKUP_DIR")
    if configured:
        return Path(configured).resolve()
    return ((store.path.parent if store.path is not None else Path("data")) / "backups").resolve()


def default_backup_dir(store: Store, now: dt.datetime | None = None) -> Path:
    """A new folder under ``backup_root`` named for the time; a second backup within the same
    second gets a suffix rather than being refused."""
    base = backup_root(store) / (now or dt.datetime.now()).strftime("jifen-%Y%m%d-%H%M%S")
    dest, n = base, 1
    while dest.exists():
        n += 1
        dest = base.with_name(f"{base.name}-{n}")
    return dest


def list_backups(store: Store) -> list[Path]:
    """The backup folders under ``backup_root``, newest first."""
    root = backup_root(store)
    if not root.is_dir():
        return []
    found = (p for p in root.iterdir() if (p / MANIFEST).exists() or (p / "schema.sql").exists())
    return sorted(found, key=lambda p: p.name, reverse=True)


def zip_bytes(folder: str | Path) -> bytes:
    """A backup folder as one zip (for the admin's download); unzipped, it restores as is."""
    folder = Path(folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, Path(folder.name) / path.relative_to(folder))
    return buffer.getvalue()


# -- restore ------------------------------------------------------------------------

def restore(src: str | Path, target: str | Path) -> str | Path:
    """Create ``target`` (a new DuckDB file, or an empty PostgreSQL database named by its
    URL) from the backup folder ``src``. Refuses to overwrite data, and refuses a backup
    whose manifest, digests or contents do not check out. Returns the target."""
    src = Path(src).resolve()  # PostgreSQL's tools run in another folder (``_run_pg``)
    manifest = read_manifest(src)
    backend = manifest["backend"]
    server = is_server_url(str(target))
    if backend == "postgres" and not server:
        raise BackupError("这是 PostgreSQL 服务器的备份，只能恢复到一个新建的空数据库：--db postgresql://…")
    if backend == "duckdb" and server:
        raise BackupError("这是 DuckDB 文件的备份，只能恢复为 .duckdb 文件；要搬到服务器，"
                          "请先恢复为文件，再用 python -m core migrate --from 文件 --to postgresql://…")
    if server:
        _pg_restore(src, str(target))
        return str(target)
    return _duck_restore(src, Path(target))


def read_manifest(src: Path) -> dict:
    """The checked manifest of a backup folder (a DuckDB backup without one is taken as such
    once its statements pass the checks in ``_duck_plan``)."""
    if not src.is_dir():
        raise BackupError(f"备份目录不存在：{src}")
    path = src / MANIFEST
    if not path.exists():
        if (src / "schema.sql").exists():
            return {"backend": "duckdb", "files": None}
        raise BackupError(f"不是有效的备份目录（缺少 manifest.json 和 schema.sql）：{src}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"备份清单 manifest.json 无法读取：{exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("备份清单 manifest.json 不是本系统的备份")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"备份格式版本 {manifest.get('format_version')} 不受支持（应为 {FORMAT_VERSION}）")
    if manifest.get("backend") not in ("duckdb", "postgres"):
        raise BackupError(f"备份清单中的数据库类型不正确：{manifest.get('backend')}")
    from core.store.migrations import MIGRATIONS

    latest = MIGRATIONS[-1][0]
    version = manifest.get("schema_version")
    if not isinstance(version, int) or not 1 <= version <= latest:
        raise BackupError(f"备份的结构版本 {version} 不受支持（本程序支持到 {latest}），请先升级程序")
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise BackupError("备份清单中没有文件列表")
    for name, digest in files.items():
        if not isinstance(name, str) or Path(name).name != name or name.startswith("."):
            raise BackupError(f"备份清单中的文件名不正确：{name}")
        if not (src / name).is_file():
            raise BackupError(f"备份不完整，缺少文件：{name}")
        if _sha256(src / name) != digest:
            raise BackupError(f"备份文件已损坏或被改动（校验值不符）：{name}")
    # a file the manifest does not list is never read; one beside the data is still suspect
    # (hidden files an unzip tool adds, such as .DS_Store, aside)
    extra = sorted(p.name for p in src.iterdir()
                   if p.is_file() and p.name != MANIFEST and p.name not in files and not p.name.startswith("."))
    if extra:
        raise BackupError(f"备份目录中有清单以外的文件：{'、'.join(extra)}")
    return manifest


def known_tables() -> set[str]:
    """The tables our migrations create: a backup may hold these and nothing else."""
    con = duckdb.connect(":memory:", config=dict(_CONFIG))
    try:
        from core.store.migrations import migrate

        migrate(con, "duckdb")
        return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    finally:
        con.close()


_SAFE_CREATE = re.compile(r'^CREATE (?:UNIQUE )?(TABLE|SEQUENCE|INDEX) "?(\w+)"?', re.IGNORECASE)
_COPY = re.compile(r"""^COPY "?(\w+)"? FROM '([^']*)' \(FORMAT 'parquet'\)$""", re.IGNORECASE)
# what a table's definition may not contain: a query or a file read run while it is created
_UNSAFE = re.compile(r"\b(SELECT|read_\w+|glob|COPY|ATTACH|INSTALL|LOAD|PRAGMA|getenv)\b", re.IGNORECASE)


def _duck_plan(src: Path) -> tuple[list[str], list[tuple[str, Path]]]:
    """The checked statements of a DuckDB backup: CREATE statements for our tables, their
    sequences and indexes only, and one Parquet file in the backup folder per table."""
    tables = known_tables()
    try:
        schema = duckdb.extract_statements((src / "schema.sql").read_text(encoding="utf-8"))
        load = duckdb.extract_statements((src / "load.sql").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, duckdb.Error) as exc:
        raise BackupError(f"备份中的 schema.sql 或 load.sql 无法读取：{exc}") from None
    creates = []
    for statement in schema:
        text = statement.query.strip().rstrip(";").strip()
        match = _SAFE_CREATE.match(text)
        if match is None or _UNSAFE.search(text):
            raise BackupError(f"备份的 schema.sql 含有不允许的语句：{text[:80]}")
        kind, name = match.group(1).upper(), match.group(2)
        if kind == "TABLE" and name not in tables:
            raise BackupError(f"备份的 schema.sql 含有本系统没有的数据表：{name}")
        creates.append(text)
    copies = []
    for statement in load:
        text = statement.query.strip().rstrip(";").strip()
        match = _COPY.match(text)
        if match is None or match.group(1) not in tables:
            raise BackupError(f"备份的 load.sql 含有不允许的语句：{text[:80]}")
        # the file is read from the backup folder itself, wherever the export once wrote it
        parquet = src / Path(match.group(2)).name
        if parquet.suffix != ".parquet" or not parquet.is_file():
            raise BackupError(f"备份不完整，缺少数据文件：{parquet.name}")
        with parquet.open("rb") as fh:
            if fh.read(4) != b"PAR1":
                raise BackupError(f"备份的数据文件不是 Parquet 格式：{parquet.name}")
        copies.append((match.group(1), parquet))
    return creates, copies


def _duck_restore(src: Path, db_path: Path) -> Path:
    if db_path.exists():
        raise BackupError(f"目标数据库已存在，为防止覆盖请先移走：{db_path}")
    creates, copies = _duck_plan(src)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path), config=dict(_CONFIG))
    try:
        con.execute("BEGIN TRANSACTION")
        for text in creates:
            con.execute(text).fetchall()
        for table, parquet in copies:
            con.execute(f'COPY "{table}" FROM {_quote(parquet)} (FORMAT parquet)').fetchall()
        # A restored copy must not let old browsers back in: its login sessions are ended.
        if con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'sessions'").fetchone()[0]:
            con.execute("UPDATE sessions SET revoked_at = current_localtimestamp(), revoke_reason = 'restored'"
                        " WHERE revoked_at IS NULL").fetchall()
        con.execute("COMMIT")
        con.execute("CHECKPOINT").fetchall()
    except duckdb.Error as exc:
        con.close()
        db_path.unlink(missing_ok=True)
        Path(str(db_path) + ".wal").unlink(missing_ok=True)
        raise BackupError(f"恢复失败，未生成数据库：{exc}") from None
    con.close()
    return db_path


# TOC entries a dump of our schema holds (pg_restore --list); anything else is refused.
_PG_ENTRIES = ("TABLE DATA", "SEQUENCE SET", "SEQUENCE OWNED BY", "FK CONSTRAINT", "TABLE", "SEQUENCE",
               "CONSTRAINT", "INDEX", "DEFAULT")


def _pg_check_dump(dump: Path) -> None:
    with dump.open("rb") as fh:
        if fh.read(5) != b"PGDMP":
            raise BackupError(f"{PG_DUMP} 不是 pg_dump 自定义格式的备份")
    listing = _run_pg("pg_restore", None, ["--list", str(dump)], capture=True)
    tables = known_tables()
    for line in listing.splitlines():
        if not line.strip() or line.startswith(";"):
            continue
        rest = line.split(";", 1)[1].split(None, 2)[-1] if ";" in line else ""
        desc = next((d for d in _PG_ENTRIES if rest.startswith(d + " ")), None)
        if desc is None:
            raise BackupError(f"备份中有不允许的内容：{line.strip()[:80]}")
        parts = rest[len(desc):].split()
        if len(parts) < 2 or parts[0] != "public":
            raise BackupError(f"备份中有不允许的内容：{line.strip()[:80]}")
        if desc in ("TABLE", "TABLE DATA") and parts[1] not in tables:
            raise BackupError(f"备份中有本系统没有的数据表：{parts[1]}")


def _pg_restore(src: Path, url: str) -> None:
    import psycopg

    dump = src / PG_DUMP
    if not dump.is_file():
        raise BackupError(f"备份不完整，缺少文件：{PG_DUMP}")
    _pg_check_dump(dump)
    try:
        with psycopg.connect(url, connect_timeout=10) as con:
            held = con.execute("SELECT count(*) FROM information_schema.tables"
                               " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')").fetchone()[0]
    except psycopg.OperationalError as exc:
        raise BackupError(f"无法连接目标数据库：{str(exc).strip().splitlines()[0]}") from None
    if held:
        raise BackupError("目标数据库不为空（已有数据表），为防止覆盖，请恢复到一个新建的空数据库（CREATE DATABASE）")
    # one transaction: a failure leaves the target as empty as it was
    _run_pg("pg_restore", url, ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
                                str(dump)])
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("UPDATE sessions SET revoked_at = LOCALTIMESTAMP, revoke_reason = 'restored'"
                    " WHERE revoked_at IS NULL")
        con.execute("ANALYZE")  # pg_restore leaves no statistics: see Store.refresh_statistics


def _run_pg(tool: str, url: str | None, args: list[str], capture: bool = False) -> str:
    """Run a PostgreSQL client tool; the password travels in the environment, not argv."""
    from core.store.pgcluster import bin_dir

    folder = bin_dir()
    if folder is None or not (folder / tool).exists():
        raise BackupError(f"未找到 PostgreSQL 的 {tool}。请安装 postgresql-client 软件包。")
    env = dict(os.environ)
    cmd = [str(folder / tool), *args]
    if url is not None:
        import psycopg

        info = psycopg.conninfo.conninfo_to_dict(url)
        if info.get("password"):
            env["PGPASSWORD"] = str(info.pop("password"))
        cmd.insert(1, "--dbname=" + psycopg.conninfo.make_conninfo(**info))
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd="/")
    if done.returncode != 0:
        raise BackupError(f"{tool} 失败：{done.stderr.strip()[:500]}")
    return done.stdout


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _quote(path: Path) -> str:
    # EXPORT/COPY take a literal, not a parameter; the path is ours, quotes are escaped anyway.
    return "'" + str(path).replace("'", "''") + "'"
