"""An import killed (SIGKILL) in the middle of writing a large batch leaves the store exactly
as it was before the import, on both engines (issue 13): the batch is one transaction, and a
transaction that never committed is gone when the store is opened again (DuckDB replays only
committed work from its WAL; PostgreSQL aborts the dead connection's transaction)."""

from __future__ import annotations

import subprocess
import sys

from core.store import Store
from core.store.checksum import table_checksums
from tests.conftest import ROOT

# The import, run in its own process as the app would run it, with one change: once the batch's
# rows are written inside the transaction, it says so and waits to be killed.
IMPORTER = r"""
import sys, time
from core import imports
from core.auth import User
from core.imports.bench import events_file
import core.imports.events as events
from core.store import Store

store = Store(sys.argv[1])
admin = User(*store.one("SELECT username, display_name, role, org_code FROM users WHERE role = 'admin'"
                        " ORDER BY username LIMIT 1"))
preview = imports.preview(store, admin, "events", events_file(store, count=3_000), "台账.xlsx")
assert preview.ok, preview.errors.head(5).rows()
write = events.write

def write_then_wait(cur, *args):
    out = write(cur, *args)
    print("WRITTEN", cur.execute("SELECT count(*) FROM events").fetchone()[0], preview.added, flush=True)
    time.sleep(300)
    return out

events.write = write_then_wait
imports.commit(store, admin, preview)
"""


def test_a_killed_import_leaves_the_store_as_it_was(demo_store):
    store = demo_store
    target = str(store.path) if store.backend == "duckdb" else store.url
    before = table_checksums(store)
    if store.backend == "duckdb":
        store.close()  # one process per file: the importer's now
    proc = subprocess.Popen([sys.executable, "-c", IMPORTER, target], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("WRITTEN"), proc.stderr.read()
        # inside the transaction the batch's new rows (of 3,000, those not already there) were written
        _, events, added = line.split()
        assert int(added) > 2_800 and int(events) == before["events"][0] + int(added)
    finally:
        proc.kill()  # SIGKILL: no handler, no rollback, no checkpoint
        proc.wait(30)
    again = Store(target)
    try:
        assert table_checksums(again) == before
        assert again.scalar("SELECT count(*) FROM import_batches") == before["import_batches"][0]
        # and the store takes the next write
        again.write(lambda cur: cur.execute("UPDATE meta SET value = value WHERE key = 'data_version'").fetchall())
    finally:
        if store.backend == "duckdb":
            again.close()
