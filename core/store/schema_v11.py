"""Migration 11: ``member_months``, who took part where and when (participation).

Participation (参与率) counts the members with a counting event or a present attendance in a
period. Read from the sources, every read united a period's counting events (600k+ at M for
a year) with its present attendances and took the distinct (member, month)s: PostgreSQL at M
1.2 s by month, 0.28 s for the period. The rollup holds one row per (branch, member, month)
touched: the branch is the event's or the activity's (the one the dashboards filter by), the
month its first day, with the number of counting events and of present attendances, so a
reversal or a correction that takes one away leaves the pair only while something is left.

Like ``event_months``, a (branch, month) is counted again from ``effective_events`` and the
attendance by every write that changes either (``rollups.refresh_effective`` and
``rollups.count_attendance``, in the write's transaction). DuckDB gets no key (it can trip a
key deleted and re-inserted in one transaction); PostgreSQL a unique (branch, month, member)
index, which the recount and the reads range over, and a (branch, date) index on activities
for the attendance side of a recount. The backfill restates the rules as they stand here.

``member_years`` folds it to one row per (branch, year, member) with the months touched as
bits (bit 0 = January), recounted from ``member_months`` with it: a year by month is 12k
members' rows at M instead of their 121k months (PostgreSQL: 0.43 s → see README).

``event_months`` also counts, per branch, month and item, the events entered in their month's
last 3 days (``burst``) and those entered more than 30 days after their date (``late``):
the backfill alerts (突击补录, 集中补录) read 3 months' counts instead of grouping their 230k
events (PostgreSQL at M: 0.3 s of the alerts' 0.55 s). The thresholds are
``rollups.BURST_DAYS`` and ``rollups.LATE_DAYS`` as they stand here. ``pending_events`` carries
each waiting event's member and entry time, so the overdue-review alert no longer looks up
its 32k events one by one (rebuilt, not altered: DuckDB's primary keys, see migration 10).
"""

SQL = """
CREATE TABLE member_months(
    branch_code VARCHAR NOT NULL,
    month DATE NOT NULL,
    member_id VARCHAR NOT NULL,
    events BIGINT NOT NULL,
    present BIGINT NOT NULL);
INSERT INTO member_months(branch_code, month, member_id, events, present)
SELECT branch_code, month, member_id, CAST(sum(events) AS BIGINT), CAST(sum(present) AS BIGINT) FROM (
    SELECT f.branch_code, CAST(date_trunc('month', f.date) AS DATE) AS month, f.member_id, 1 AS events, 0 AS present
    FROM effective_events f
    UNION ALL
    SELECT a.branch_code, CAST(date_trunc('month', a.date) AS DATE), t.member_id, 0, 1
    FROM attendance t JOIN activities a ON a.id = t.activity_id WHERE t.status = 'present') s
GROUP BY branch_code, month, member_id;
CREATE TABLE member_years(
    branch_code VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    member_id VARCHAR NOT NULL,
    months INTEGER NOT NULL);
INSERT INTO member_years(branch_code, year, member_id, months)
SELECT branch_code, CAST(extract(year FROM month) AS INTEGER), member_id,
       CAST(bit_or(1 << CAST(extract(month FROM month) - 1 AS INTEGER)) AS INTEGER)
FROM member_months GROUP BY branch_code, CAST(extract(year FROM month) AS INTEGER), member_id;
CREATE TABLE pending_events_v11(
    event_id BIGINT PRIMARY KEY,
    branch_code VARCHAR NOT NULL,
    member_id VARCHAR NOT NULL,
    entered_at TIMESTAMP NOT NULL);
INSERT INTO pending_events_v11(event_id, branch_code, member_id, entered_at)
SELECT p.event_id, p.branch_code, e.member_id, e.entered_at FROM pending_events p JOIN events e ON e.id = p.event_id;
DROP TABLE pending_events;
ALTER TABLE pending_events_v11 RENAME TO pending_events;
ALTER TABLE event_months ADD COLUMN burst BIGINT DEFAULT 0;
ALTER TABLE event_months ADD COLUMN late BIGINT DEFAULT 0;
UPDATE event_months SET burst = s.burst, late = s.late FROM (
    SELECT e.branch_code, CAST(date_trunc('month', e.date) AS DATE) AS month, e.item,
           count(*) FILTER (WHERE CAST(e.entered_at AS DATE) BETWEEN CAST(date_trunc('month', e.date) + INTERVAL '1 month' AS DATE) - 3
                            AND CAST(date_trunc('month', e.date) + INTERVAL '1 month' AS DATE) - 1) AS burst,
           count(*) FILTER (WHERE CAST(e.entered_at AS DATE) - e.date > 30) AS late
    FROM events e WHERE e.reverses IS NULL
    GROUP BY e.branch_code, CAST(date_trunc('month', e.date) AS DATE), e.item) s
WHERE s.branch_code = event_months.branch_code AND s.month = event_months.month AND s.item = event_months.item
"""

BY_ENGINE = {
    "postgres": """
CREATE UNIQUE INDEX member_months_key ON member_months(branch_code, month, member_id);
CREATE UNIQUE INDEX member_years_key ON member_years(branch_code, year, member_id);
CREATE INDEX pending_events_branch ON pending_events(branch_code);
CREATE INDEX activities_branch_date ON activities(branch_code, date);
ANALYZE member_months;
ANALYZE member_years;
ANALYZE activities;
ANALYZE event_months;
ANALYZE pending_events
""",
}
