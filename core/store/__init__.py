"""The store: one interface (``Store``), two engines (DuckDB file, PostgreSQL server)."""

from core.store.base import Store, is_server_url
from core.store.connection import default_db_path, open_store
from core.store.errors import StoreUnavailable, TransactionConflict

__all__ = ["Store", "StoreUnavailable", "TransactionConflict", "default_db_path", "is_server_url", "open_store"]
