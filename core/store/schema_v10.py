"""Migration 10: rollups so that no dashboard read joins ``events`` to its reviews.

- ``effective_events`` carries what its readers need (below).
- ``event_months`` counts each branch's events per month by review state (entered,
  approved, rejected; reversals apart), what the coverage matrix and the branch table show:
  those joined a year's 800k events to all 1.9M reviews on every read (PostgreSQL at M, the
  coverage matrix 1.6 s). A (branch, month) is counted again from the ledger by every write
  that enters or reviews one of its events (``ledger.refresh_effective``, in the write's
  transaction). DuckDB gets no key on it: it can trip a key deleted and re-inserted in one
  transaction, and only its one writer counts a month.

Migration 7's rollup held only which events count (id, branch, member, date); every reader
that needed an item or points joined it back to ``events``: on PostgreSQL at M that join was
about 0.9 s of the county evaluate and most of the monthly points query (1.6 s). An event row
is never changed, so its item, count, points, rating and fraud flag are copied into the rollup
when it starts to count (``core.services.ledger.refresh_effective``, in the write's own
transaction, stays the one write path) and no read of counting events joins ``events``.

The table is rebuilt rather than altered: DuckDB 2.0 turns an UPDATE of a table with a
primary key into a delete + insert that can trip the key within one transaction. The backfill
copies the columns for the rows that count now (a migration is history; the live rule is
``ledger.EFFECTIVE_RULE_SQL``). PostgreSQL gets its (branch, date) index back, DuckDB prunes
by zone maps.
"""

SQL = """
CREATE TABLE effective_events_v10(
    event_id BIGINT PRIMARY KEY,
    branch_code VARCHAR NOT NULL,
    member_id VARCHAR NOT NULL,
    date DATE NOT NULL,
    item VARCHAR NOT NULL,
    count DECIMAL(12, 2) NOT NULL,
    points DECIMAL(12, 2),
    rating VARCHAR,
    fraud BOOLEAN NOT NULL);
INSERT INTO effective_events_v10(event_id, branch_code, member_id, date, item, count, points, rating, fraud)
SELECT e.id, e.branch_code, e.member_id, e.date, e.item, e.count, e.points, e.rating, e.fraud
FROM effective_events f JOIN events e ON e.id = f.event_id;
DROP TABLE effective_events;
ALTER TABLE effective_events_v10 RENAME TO effective_events;
CREATE TABLE event_months(
    branch_code VARCHAR NOT NULL,
    month DATE NOT NULL,
    entries BIGINT NOT NULL,
    approved BIGINT NOT NULL,
    rejected BIGINT NOT NULL);
INSERT INTO event_months(branch_code, month, entries, approved, rejected)
SELECT e.branch_code, CAST(date_trunc('month', e.date) AS DATE), count(*),
       count(*) FILTER (WHERE r.decision = 'approved'), count(*) FILTER (WHERE r.decision = 'rejected')
FROM events e LEFT JOIN event_reviews r ON r.event_id = e.id
WHERE e.reverses IS NULL GROUP BY e.branch_code, CAST(date_trunc('month', e.date) AS DATE)
"""

BY_ENGINE = {
    "postgres": """
CREATE INDEX effective_events_branch_date ON effective_events(branch_code, date);
CREATE UNIQUE INDEX event_months_key ON event_months(branch_code, month);
ANALYZE effective_events;
ANALYZE event_months
""",
}
