"""Migration 10: rollups so that no dashboard read joins ``events`` to its reviews.

- ``effective_events`` carries what its readers need (below).
- ``event_months`` counts each branch's events per month and item by review state (entered,
  approved, rejected; reversals apart), and of the ones that count their number, entered
  points (points × count) and units of fixed-value items: what the coverage matrix, the
  branch table and monthly points show. Those joined a year's 800k events to all 1.9M
  reviews, or summed 750k counting events, on every read (PostgreSQL at M: 1.6–2.6 s). A
  (branch, month) is counted again from the ledger by every write that enters, reviews or
  reverses one of its events (``rollups.refresh_effective``, in the write's transaction).
  DuckDB gets no key on it: it can trip a key deleted and re-inserted in one transaction,
  and its one writer counts a month at a time anyway.
- ``pending_events`` holds the ids of the events waiting for review (待审核: no review, not
  a reversal, not reversed), about 33k of 2M at M: the overdue-review alert found them by
  joining every event to its review and its reversal (5.3 s on PostgreSQL at M).

The table is rebuilt rather than altered: DuckDB 2.0 turns an UPDATE of a table with a
primary key into a delete + insert that can trip the key within one transaction. The backfill
copies the columns for the rows that count now (a migration is history; the live rule is
``rollups.EFFECTIVE_RULE_SQL``). PostgreSQL gets its (branch, date) index back, DuckDB prunes
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
    item VARCHAR NOT NULL,
    entries BIGINT NOT NULL,
    approved BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    counted BIGINT NOT NULL,
    counted_points DECIMAL(18, 4),
    counted_units DECIMAL(18, 2));
INSERT INTO event_months(branch_code, month, item, entries, approved, rejected, counted, counted_points, counted_units)
SELECT e.branch_code, CAST(date_trunc('month', e.date) AS DATE), e.item, count(*),
       count(*) FILTER (WHERE r.decision = 'approved'), count(*) FILTER (WHERE r.decision = 'rejected'),
       count(f.event_id), sum(e.points * e.count) FILTER (WHERE f.event_id IS NOT NULL),
       sum(e.count) FILTER (WHERE f.event_id IS NOT NULL AND e.points IS NULL)
FROM events e LEFT JOIN event_reviews r ON r.event_id = e.id LEFT JOIN effective_events f ON f.event_id = e.id
WHERE e.reverses IS NULL GROUP BY e.branch_code, CAST(date_trunc('month', e.date) AS DATE), e.item;
CREATE TABLE pending_events(
    event_id BIGINT PRIMARY KEY,
    branch_code VARCHAR NOT NULL);
INSERT INTO pending_events(event_id, branch_code)
SELECT e.id, e.branch_code FROM events e
WHERE e.reverses IS NULL AND NOT EXISTS (SELECT 1 FROM event_reviews r WHERE r.event_id = e.id)
  AND NOT EXISTS (SELECT 1 FROM events x WHERE x.reverses = e.id)
"""

BY_ENGINE = {
    "postgres": """
CREATE INDEX effective_events_branch_date ON effective_events(branch_code, date);
CREATE UNIQUE INDEX event_months_key ON event_months(branch_code, month, item);
CREATE INDEX pending_events_branch ON pending_events(branch_code);
ANALYZE effective_events;
ANALYZE pending_events;
ANALYZE event_months
""",
}
