"""Opening the store: one ``Store`` per target per process."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from core.store.base import Store, default_target, is_server_url, target_key


def default_db_path() -> str | Path:
    """``JIFEN_DB`` or the default file: a Path for DuckDB, the URL itself for a server."""
    target = default_target()
    return target if is_server_url(target) else Path(target)


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def open_store(target: str | Path | None = None) -> Store:
    """The process's Store for ``target`` (one connection, or one pool, per target per process)."""
    key = target_key(target)
    with _stores_lock:
        store = _stores.get(key)
        if store is None or store._closed:
            store = _stores[key] = Store(key)
        return store


@contextmanager
def temporary_store() -> Iterator[Store]:
    store = Store(":memory:")
    try:
        yield store
    finally:
        store.close()
