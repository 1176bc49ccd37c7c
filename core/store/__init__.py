"""DuckDB store: the one connection, migrations, and the serialised write path."""

from core.store.connection import Store, TransactionConflict, default_db_path, open_store

__all__ = ["Store", "TransactionConflict", "default_db_path", "open_store"]
