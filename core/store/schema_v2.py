"""Migration 2: the point ledger, entered scores, vetoes, activities and the 公示 workflow.

The ledger is append-only: an event row is never updated or deleted. Its review is a
separate row (one per event, so approving twice is refused by the key), and a correction
is a reversal event pointing at the original.
"""

SQL = """
CREATE SEQUENCE assignment_seq;
CREATE TABLE scheme_assignments(
  id BIGINT PRIMARY KEY DEFAULT nextval('assignment_seq'),
  org_code VARCHAR NOT NULL,
  scheme_id VARCHAR NOT NULL,
  scheme_version VARCHAR NOT NULL,
  overrides JSON,
  from_date DATE NOT NULL,
  assigned_by VARCHAR NOT NULL,
  assigned_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  reason VARCHAR
);

CREATE SEQUENCE event_seq;
CREATE TABLE events(
  id BIGINT PRIMARY KEY DEFAULT nextval('event_seq'),
  member_id VARCHAR NOT NULL,
  branch_code VARCHAR NOT NULL,
  item VARCHAR NOT NULL,
  date DATE NOT NULL,
  count DECIMAL(12, 2) NOT NULL DEFAULT 1,
  points DECIMAL(12, 2),
  rating VARCHAR,
  fraud BOOLEAN NOT NULL DEFAULT false,
  note VARCHAR,
  evidence VARCHAR,
  activity_id BIGINT,
  reverses BIGINT,
  source VARCHAR NOT NULL DEFAULT 'manual',
  entered_by VARCHAR NOT NULL,
  entered_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  request_key VARCHAR
);

CREATE TABLE event_reviews(
  event_id BIGINT PRIMARY KEY,
  decision VARCHAR NOT NULL CHECK (decision IN ('approved', 'rejected')),
  reason VARCHAR,
  reviewed_by VARCHAR NOT NULL,
  reviewed_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Entered scores, appraisal grades, vote counts and rater scores. Re-saving appends, and
-- the latest row per (member, cycle, component, period, rater) is the one in force.
CREATE SEQUENCE score_seq;
CREATE TABLE scores(
  id BIGINT PRIMARY KEY DEFAULT nextval('score_seq'),
  member_id VARCHAR NOT NULL,
  branch_code VARCHAR NOT NULL,
  cycle INTEGER NOT NULL,
  component VARCHAR NOT NULL,
  period VARCHAR NOT NULL,
  rater VARCHAR,
  value DECIMAL(12, 2),
  grade VARCHAR,
  votes JSON,
  note VARCHAR,
  entered_by VARCHAR NOT NULL,
  entered_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  batch_id VARCHAR
);

CREATE SEQUENCE veto_seq;
CREATE TABLE vetoes(
  id BIGINT PRIMARY KEY DEFAULT nextval('veto_seq'),
  member_id VARCHAR NOT NULL,
  branch_code VARCHAR NOT NULL,
  item VARCHAR NOT NULL,
  date DATE NOT NULL,
  evidence VARCHAR NOT NULL,
  reverses BIGINT,
  entered_by VARCHAR NOT NULL,
  entered_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Grades of earlier cycles, for streak rules: finalised results, or history typed in.
CREATE TABLE cycle_history(
  member_id VARCHAR NOT NULL,
  cycle INTEGER NOT NULL,
  scheme_id VARCHAR,
  grade VARCHAR,
  stars INTEGER,
  total DECIMAL(12, 1),
  source VARCHAR NOT NULL DEFAULT 'finalised',
  recorded_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE activity_seq;
CREATE TABLE activities(
  id BIGINT PRIMARY KEY DEFAULT nextval('activity_seq'),
  branch_code VARCHAR NOT NULL,
  type VARCHAR NOT NULL,
  date DATE NOT NULL,
  title VARCHAR NOT NULL,
  note VARCHAR,
  created_by VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  request_key VARCHAR
);

CREATE TABLE attendance(
  activity_id BIGINT NOT NULL,
  member_id VARCHAR NOT NULL,
  status VARCHAR NOT NULL CHECK (status IN ('present', 'absent', 'leave')),
  PRIMARY KEY (activity_id, member_id)
);

CREATE SEQUENCE publicity_seq;
CREATE TABLE publicity(
  id BIGINT PRIMARY KEY DEFAULT nextval('publicity_seq'),
  branch_code VARCHAR NOT NULL,
  cycle INTEGER NOT NULL,
  period VARCHAR NOT NULL,
  scheme_id VARCHAR NOT NULL,
  scheme_version VARCHAR NOT NULL,
  start_date DATE NOT NULL,
  end_date DATE NOT NULL,
  state VARCHAR NOT NULL CHECK (state IN ('open', 'finalised', 'withdrawn')),
  snapshot JSON NOT NULL,
  created_by VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  finalised_by VARCHAR,
  finalised_at TIMESTAMP
);

CREATE SEQUENCE objection_seq;
CREATE TABLE objections(
  id BIGINT PRIMARY KEY DEFAULT nextval('objection_seq'),
  publicity_id BIGINT NOT NULL,
  member_id VARCHAR NOT NULL,
  objector VARCHAR NOT NULL,
  content VARCHAR NOT NULL,
  filed_on DATE NOT NULL,
  deadline DATE NOT NULL,
  handler VARCHAR NOT NULL,
  state VARCHAR NOT NULL CHECK (state IN ('open', 'resolved')),
  resolution VARCHAR,
  recheck VARCHAR,
  resolved_by VARCHAR,
  resolved_on DATE,
  created_by VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE lock_seq;
CREATE TABLE period_locks(
  id BIGINT PRIMARY KEY DEFAULT nextval('lock_seq'),
  branch_code VARCHAR NOT NULL,
  cycle INTEGER NOT NULL,
  period VARCHAR NOT NULL,
  start_date DATE NOT NULL,
  end_date DATE NOT NULL,
  publicity_id BIGINT,
  locked_by VARCHAR NOT NULL,
  locked_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  reopened_by VARCHAR,
  reopened_at TIMESTAMP,
  reopen_reason VARCHAR
)
"""
