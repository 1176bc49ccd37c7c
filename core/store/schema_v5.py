"""Migration 5: a username is unique whatever its case (``Admin`` beside ``admin`` is refused).

``core.auth.users.add_user`` checks the same inside its write and says so in Chinese; this
index is the store's own guarantee, for every other way a row could arrive (a restore, SQL).
DuckDB 2.0 accepts an expression in a unique index. Note for later migrations: DuckDB cannot
ALTER a table that an index depends on, so a migration that changes ``users`` must drop this
index first and create it again after.
"""

SQL = """
CREATE UNIQUE INDEX users_username_nocase ON users(lower(username))
"""
