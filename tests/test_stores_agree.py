"""The same demo seed gives the same database on DuckDB and on PostgreSQL (issue 10): every
table holds the same rows, and every branch's results for every cycle of the demo are equal.

Both stores are the session's S demo (``demo_db`` and ``pg_demo`` in conftest, one seed,
one day), each copied once for this module, so nothing here depends on the other tests.
"""

import shutil

import pytest

from core.cycles import cycle_of
from core.demo.plan import data_start
from core.scheme_assignments import scheme_for
from core.services.results import branch_results
from core.store import Store
from core.store.checksum import table_checksums
from tests.conftest import DEMO_BRANCHES, DEMO_TODAY, _drop_db, pg_copy

# Columns filled from the clock (``current_timestamp`` defaults) or a random salt: the two
# stores were built one after the other, so these differ by construction and nothing else may.
CLOCK = {
    "audit_log": ["happened_at"],
    "cycle_history": ["recorded_at"],
    "disposal_cases": ["opened_at", "recommended_at", "decided_at"],
    # the demo's 公示 step approves what is still pending through the review service, at the
    # clock's time (which rows those are depends on the day the demo is made "as of")
    "event_reviews": ["reviewed_at"],
    "members": ["created_at"],
    "objections": ["created_at"],
    "orgs": ["created_at"],
    "participation_targets": ["set_at"],
    "period_locks": ["locked_at"],
    "publicity": ["created_at", "finalised_at"],
    "reminders": ["sent_at", "done_at"],
    "review_steps": ["made_at"],
    "schema_migrations": ["applied_at"],
    "scheme_assignments": ["assigned_at"],
    "users": ["created_at", "password_hash"],
}


@pytest.fixture(scope="module")
def both(tmp_path_factory, demo_db, pg_cluster, pg_demo):
    path = tmp_path_factory.mktemp("agree") / "demo.duckdb"
    shutil.copyfile(demo_db, path)
    name, url = pg_copy(pg_cluster, pg_demo)
    duck, pg = Store(path), Store(url)
    yield duck, pg
    duck.close()
    pg.close()
    _drop_db(pg_cluster, name)


def test_every_table_has_the_same_rows(both):
    duck, pg = both
    a, b = table_checksums(duck, exclude=CLOCK), table_checksums(pg, exclude=CLOCK)
    assert sorted(a) == sorted(b)
    # the S demo fills the ledger: a digest of empty tables would prove nothing
    assert a["events"][0] > 50_000 and a["publicity"][0] > 0 and a["objections"][0] > 0
    assert {t: v for t, v in a.items() if v != b[t]} == {}
    assert a == b


def _cycles(store, branch):
    scheme, _ = scheme_for(store, branch, DEMO_TODAY)
    first = cycle_of(scheme.cycle_start, data_start("S", DEMO_TODAY))
    return range(first, cycle_of(scheme.cycle_start, DEMO_TODAY) + 1)


def test_results_of_every_branch_and_cycle_agree(both):
    duck, pg = both
    branches = [r[0] for r in duck.all("SELECT code FROM orgs WHERE level = 'branch' ORDER BY code")]
    assert len(branches) == DEMO_BRANCHES  # S: one township
    assert [r[0] for r in pg.all("SELECT code FROM orgs WHERE level = 'branch' ORDER BY code")] == branches
    compared = frozen = 0
    for branch in branches:
        for cycle in _cycles(duck, branch):
            a = branch_results(duck, branch, cycle, today=DEMO_TODAY)
            b = branch_results(pg, branch, cycle, today=DEMO_TODAY)
            assert (a.frozen, a.through, a.scheme.id) == (b.frozen, b.through, b.scheme.id), (branch, cycle)
            assert a.output == b.output, (branch, cycle)
            compared += 1
            frozen += a.frozen
    # S holds two cycles (data from 07-01 of last year); the workflow finalises 13 of them
    assert compared >= 2 * len(branches) and frozen > 0
