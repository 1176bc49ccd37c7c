"""Migration 6: what several app processes on one PostgreSQL server need.

With DuckDB one process holds the file and its write lock serialises every write, so a
repeated request key is caught by the write's own check. On a server two processes can run
that check at the same moment; there a unique index is what refuses the second insert (the
write path then retries, and the retried check finds the first one); the same holds for a
second reversal of one event. DuckDB keeps no such
index: DuckDB 2.0 turns an update of any row of a table with a unique index into a
delete + insert that can trip the index within one transaction, and its single writer
needs none.

The plain indexes serve the reads of one county among many (the case builder reads a
county's branches' events, its subjects' scores, vetoes, history and branch spans), so a
county's cost does not grow with the others' rows. DuckDB gets none of them: it scans
column segments and skips them by their min/max, so what helps it is filtering early.

The dashboards read a period of every branch: ``events_date_live`` gives a quarter's
(not reversal) events with the columns their counts need by an index-only scan (a
quarter at M: 150k rows in 40 ms, against a 2M-row scan of the table); the three
(branch, time) indexes give each branch's last entry from the index's end.
"""

SQL = ""

BY_ENGINE = {
    "postgres": """
CREATE UNIQUE INDEX events_request_key ON events(request_key) WHERE request_key IS NOT NULL;
CREATE UNIQUE INDEX activities_request_key ON activities(request_key) WHERE request_key IS NOT NULL;
CREATE INDEX events_branch_date ON events(branch_code, date);
CREATE INDEX events_member ON events(member_id);
CREATE INDEX scores_member ON scores(member_id, cycle);
CREATE INDEX members_branch ON members(branch_code);
CREATE INDEX vetoes_member ON vetoes(member_id);
CREATE INDEX vetoes_reverses ON vetoes(reverses) WHERE reverses IS NOT NULL;
CREATE INDEX cycle_history_member ON cycle_history(member_id, cycle);
CREATE INDEX member_branch_history_member ON member_branch_history(member_id);
CREATE INDEX member_branch_history_branch ON member_branch_history(branch_code);
CREATE UNIQUE INDEX events_reverses ON events(reverses) WHERE reverses IS NOT NULL;
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
CREATE INDEX events_date_live ON events(date) INCLUDE (branch_code, member_id, id) WHERE reverses IS NULL;
CREATE INDEX events_branch_entered ON events(branch_code, entered_at);
CREATE INDEX scores_branch_entered ON scores(branch_code, entered_at);
CREATE INDEX activities_branch_created ON activities(branch_code, created_at)
""",
}
