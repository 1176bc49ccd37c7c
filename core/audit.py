"""The audit log: every write appends a row in the same transaction."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import duckdb


def _default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=_default)


def record(
    cur: duckdb.DuckDBPyConnection,
    username: str,
    action: str,
    *,
    entity: str | None = None,
    entity_id: Any = None,
    org_code: str | None = None,
    member_id: str | None = None,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
) -> None:
    cur.execute(
        "INSERT INTO audit_log(username, action, entity, entity_id, org_code, member_id,"
        " before_json, after_json, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            username,
            action,
            entity,
            None if entity_id is None else str(entity_id),
            org_code,
            member_id,
            to_json(before),
            to_json(after),
            reason,
        ],
    ).fetchall()
