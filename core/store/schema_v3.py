"""Migration 3: login sessions that survive a page refresh.

A row per login. The browser holds a random token in a cookie; only its sha256 is stored,
so a copy of the database (a backup) cannot be replayed as a login. The token is minted
when the browser claims a short-lived one-time hand-off code (see ``core.auth.sessions``);
until then ``token_hash`` is empty. Only ``id`` is indexed: DuckDB rewrites an updated
indexed column as delete + insert, and the hashes are updated in place.
"""

SQL = """
CREATE TABLE sessions(
  id VARCHAR PRIMARY KEY,
  username VARCHAR NOT NULL,
  token_hash VARCHAR,
  handoff_hash VARCHAR,
  handoff_expires TIMESTAMP,
  created_at TIMESTAMP NOT NULL,
  last_seen TIMESTAMP NOT NULL,
  revoked_at TIMESTAMP,
  revoke_reason VARCHAR
)
"""
