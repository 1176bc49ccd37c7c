"""Imports from Excel or CSV: preview first, then all or nothing, recorded as a batch, undoable.

    p = preview(store, user, "members", data, "花名册.xlsx", org_code="C01T01B01")
    p.errors            # 行号 / 列 / 问题, the row number as Excel shows it
    batch = commit(store, user, p)     # one Store.write; ImportRefused when p has errors
    undo(store, user, batch)           # reversal events (or removal of what it added)

The same file (same kind, branch and content hash) imported again adds nothing and says so.
Each kind is a module with ``KIND``, ``NAME``, ``COLUMNS``, ``validate``, ``write`` and ``undo``.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import import_module

import polars as pl

from core import audit
from core.auth import require, scope_for
from core.imports.base import Context, ImportRefused, Preview, content_hash, gather, one_error
from core.io.reader import ReadError, read_table
from core.store import Store

KINDS = ("orgs", "members", "volunteers", "households", "events", "scores", "history")
# An import this large changes the planner's picture of the tables (PostgreSQL, see
# Store.refresh_statistics); smaller ones are left to autovacuum.
BULK_ROWS = 10_000
MAX_BYTES = 20 * 1024 * 1024  # what the page accepts; a county's roster is well under 2 MB


def importer(kind: str):
    if kind not in KINDS:
        raise ImportRefused(f"不支持的导入类型「{kind}」，应为 {'、'.join(KINDS)} 之一")
    return import_module(f"core.imports.{kind}")


def kind_names() -> dict[str, str]:
    return {kind: importer(kind).NAME for kind in KINDS}


def preview(store: Store, user, kind: str, data: bytes, file_name: str, org_code: str | None = None,
            today: dt.date | None = None) -> Preview:
    """Read and validate the whole file; nothing is written."""
    require(user, "import")
    module = importer(kind)
    if hasattr(module, "check_user"):
        module.check_user(user)
    scope = scope_for(store, user)
    if org_code:
        scope.check_org(store, org_code)
    if len(data) > MAX_BYTES:
        raise ImportRefused(f"文件超过 {MAX_BYTES // 1024 // 1024} MB，请拆分后分批导入")
    columns = {c.key: c for c in module.COLUMNS}
    try:
        table = read_table(data, file_name, {c.key: c.names for c in module.COLUMNS})
    except ReadError as exc:
        raise ImportRefused(str(exc)) from None
    from core.imports.templates import drop_examples

    table.frame = drop_examples(kind, table.frame)
    if table.frame.height == 0:
        raise ImportRefused(f"文件「{file_name}」只有表头和示例行，没有要导入的数据：请在示例行下面（或覆盖示例行）填写后再上传")
    ctx = Context(store, user, scope, org_code, today or dt.date.today(), table.headers, columns, table.unit)
    missing = [c for c in module.COLUMNS if c.required and c.key not in table.headers]
    if missing:
        errors = gather([one_error(table.header_rows[-1], c.header, f"缺少必填列「{c.header}」") for c in missing])
        plan = None
        added = updated = unchanged = 0
        shown_add = shown_update = pl.DataFrame()
    else:
        plan = module.validate(ctx, table)
        errors = plan.errors
        added, updated, unchanged = plan.add.height, plan.update.height, plan.unchanged
        shown_add = plan.shown_add if plan.shown_add is not None else pl.DataFrame()
        shown_update = plan.shown_update if plan.shown_update is not None else pl.DataFrame()
    digest = content_hash(data)
    already = _same_file(store, kind, digest, org_code)
    if already:
        # Rows still to add after an identical file went in are rows someone removed by hand
        # since; the same file is still the same import, so nothing is added twice.
        unchanged += added + updated
        added = updated = 0
    return Preview(kind, module.NAME, file_name, digest, org_code, table.frame.height, added, updated, unchanged,
                   errors, table.extra, table.header_rows, already, shown_add, shown_update, plan, table.sheets)


def _same_file(store: Store, kind: str, digest: str, org_code: str | None) -> dict | None:
    row = store.one("SELECT id, created_at, username FROM import_batches WHERE kind = ? AND content_hash = ?"
                    " AND org_code IS NOT DISTINCT FROM ? AND undone_at IS NULL ORDER BY id LIMIT 1",
                    [kind, digest, org_code])
    return dict(zip(("id", "created_at", "username"), row)) if row else None


def commit(store: Store, user, p: Preview, today: dt.date | None = None) -> int | None:
    """Write what the preview showed, all or nothing; returns the batch id (None when there
    was nothing to add: the same file again, or every row already in the system)."""
    require(user, "import")
    if not p.ok or p.plan is None:
        raise ImportRefused(p.summary())
    if p.already or not (p.added or p.updated):
        return None
    module = importer(p.kind)
    scope = scope_for(store, user)
    ctx = Context(store, user, scope, p.org_code, today or dt.date.today())
    counts = p.counts

    def work(cur) -> int:
        if cur.execute("SELECT 1 FROM import_batches WHERE kind = ? AND content_hash = ?"
                       " AND org_code IS NOT DISTINCT FROM ? AND undone_at IS NULL",
                       [p.kind, p.content_hash, p.org_code]).fetchall():
            raise ImportRefused("此文件刚刚已经导入，本次未重复添加")
        batch = cur.execute(
            "INSERT INTO import_batches(kind, file_name, content_hash, org_code, username, counts)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [p.kind, p.file_name, p.content_hash, p.org_code, user.username, json.dumps(counts)]).fetchone()[0]
        module.write(cur, ctx, p.plan, batch, p.file_name)
        audit.record(cur, user.username, "import.commit", entity="import_batch", entity_id=batch,
                     org_code=p.org_code or user.org_code,
                     after={"kind": p.kind, "file": p.file_name, "sha256": p.content_hash, **counts})
        return batch

    batch = store.write(work)
    if p.added + p.updated >= BULK_ROWS:
        # the tables it wrote (where it says) that so many rows change
        store.refresh_statistics(getattr(module, "TABLES", ()), written=p.added + p.updated)
    return batch


def undo(store: Store, user, batch_id: int) -> dict:
    """撤销本批: reversal events for an events batch, the added rows removed (and the updated
    ones put back) for a roster; refused when a period it touches is locked."""
    require(user, "import")
    row = store.one("SELECT kind, org_code, username, undone_at FROM import_batches WHERE id = ?", [batch_id])
    if row is None:
        raise ImportRefused(f"未找到导入批次 {batch_id}")
    kind, org_code, importer_name, undone_at = row
    scope = scope_for(store, user)
    if org_code:
        scope.check_org(store, org_code)
    elif importer_name != user.username and user.role != "admin":
        # a batch not tied to one org may span several: only its importer or an admin undoes it
        raise ImportRefused(f"导入批次 {batch_id} 由 {importer_name} 按文件中的支部导入，只有本人或县级管理员可以撤销")
    if undone_at is not None:
        raise ImportRefused(f"导入批次 {batch_id} 已于 {undone_at:%Y-%m-%d %H:%M} 撤销")
    module = importer(kind)
    ctx = Context(store, user, scope, org_code, dt.date.today())

    def work(cur) -> dict:
        done = module.undo(cur, ctx, batch_id)
        cur.execute("UPDATE import_batches SET undone_at = current_timestamp, undone_by = ? WHERE id = ?",
                    [user.username, batch_id]).fetchall()
        audit.record(cur, user.username, "import.undo", entity="import_batch", entity_id=batch_id,
                     org_code=org_code or user.org_code, before={"kind": kind}, after=done)
        return done

    return store.write(work)


def batches(store: Store, user, limit: int = 50) -> pl.DataFrame:
    """The latest import batches the user may see (their org, or one inside their scope)."""
    require(user, "import")
    scope = scope_for(store, user)
    frame = store.frame(
        "SELECT b.id, b.kind, b.file_name, b.org_code, b.username, b.created_at, b.counts, b.undone_at"
        " FROM import_batches b LEFT JOIN orgs o ON o.code = b.org_code LEFT JOIN users u ON u.username = b.username"
        " LEFT JOIN orgs uo ON uo.code = u.org_code"
        " WHERE starts_with(coalesce(o.path, uo.path, ''), ?) ORDER BY b.id DESC LIMIT ?", [scope.path, limit])
    names = kind_names()
    counts = [json.loads(c) if c else {} for c in frame["counts"].to_list()]
    return frame.with_columns(
        pl.col("kind").replace_strict(names, default="", return_dtype=pl.String).alias("kind_name"),
        pl.Series("added", [c.get("added", 0) for c in counts], dtype=pl.Int64),
        pl.Series("updated", [c.get("updated", 0) for c in counts], dtype=pl.Int64))


__all__ = ["KINDS", "MAX_BYTES", "ImportRefused", "Preview", "batches", "commit", "importer", "kind_names",
           "preview", "undo"]
