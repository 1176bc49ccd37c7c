"""Migration 8: villages, the 积分超市, volunteers, report-in and self-declaration.

- ``scheme_assignments.track``: a scheme is assigned per organisation *and* subject kind, so
  a village runs its party scheme (track ``party``: 党员) beside its household scheme (track
  ``village``: 户, 村民, 商户/社团) and a work station its volunteer scheme (``volunteer``:
  义工). ``core.scheme_assignments.track_of_kind`` maps a subject kind to its track. A 公示
  and a period lock belong to a track too: a village's quarterly household 公示 neither
  replaces nor locks its party branch's.
- ``users`` is rebuilt (DuckDB cannot change a CHECK, see migration 4) so that ``role`` may be
  ``subject``: a member or household head who sees only their own account
  (``users.subject_id``). Migration 5's index is dropped first and made again after.
- The supermarket: ``goods`` per village (code unique in the village); ``exchanges`` are ledger
  rows like events (append-only; an undo is a row with ``reverses``); ``stock_moves`` carry
  every change of stock (restock, stock-taking, exchange, undo), so stock is their sum.
- Volunteers: a service record is an ``events`` row (item ``service``, ``count`` = hours,
  ``rating``); ``service_details`` holds what the station's log adds (type, form, who
  confirmed it, whom a 派单 served). ``volunteer_trainings`` holds training sessions;
  ``service_reports`` when a station sent up a month's 月报 (due the next month's first
  Wednesday).
- Report-in (在职党员到社区报到): a community's ``community_posts``; ``report_ins`` (one
  live registration per member and year); the community's half-yearly
  ``community_evaluations``.
- Self-declaration: a declared event has ``source = 'declaration'`` and its photo's sha256 in
  ``evidence``; ``evidence_files`` holds the photo once per hash, base64 text (portable
  between the engines, their backups and ``migrate``).
"""

SQL = """
ALTER TABLE scheme_assignments ADD COLUMN track VARCHAR DEFAULT 'party';
UPDATE scheme_assignments SET track = CASE
  WHEN starts_with(scheme_id, 'village-') THEN 'village'
  WHEN starts_with(scheme_id, 'volunteer-') THEN 'volunteer'
  ELSE 'party' END;
ALTER TABLE publicity ADD COLUMN track VARCHAR DEFAULT 'party';
ALTER TABLE period_locks ADD COLUMN track VARCHAR DEFAULT 'party';

DROP INDEX users_username_nocase;
CREATE TABLE users_v8(
  username VARCHAR PRIMARY KEY,
  display_name VARCHAR NOT NULL,
  password_hash VARCHAR NOT NULL,
  role VARCHAR NOT NULL CHECK (role IN ('admin', 'township', 'secretary', 'recorder', 'subject')),
  org_code VARCHAR NOT NULL,
  active BOOLEAN NOT NULL DEFAULT true,
  failed_count INTEGER NOT NULL DEFAULT 0,
  locked_until TIMESTAMP,
  last_login TIMESTAMP,
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  subject_id VARCHAR
);
INSERT INTO users_v8(username, display_name, password_hash, role, org_code, active, failed_count,
  locked_until, last_login, created_at)
SELECT username, display_name, password_hash, role, org_code, active, failed_count,
  locked_until, last_login, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_v8 RENAME TO users;
CREATE UNIQUE INDEX users_username_nocase ON users(lower(username));

CREATE SEQUENCE goods_seq;
CREATE TABLE goods(
  id BIGINT PRIMARY KEY DEFAULT nextval('goods_seq'),
  org_code VARCHAR NOT NULL,
  code VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  unit VARCHAR,
  price_points DECIMAL(12, 2) NOT NULL,
  unit_price DECIMAL(12, 2) NOT NULL,
  subsidy_rate DECIMAL(6, 4) NOT NULL DEFAULT 0.5,
  active BOOLEAN NOT NULL DEFAULT true,
  created_by VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  UNIQUE (org_code, code)
);

CREATE SEQUENCE exchange_seq;
CREATE TABLE exchanges(
  id BIGINT PRIMARY KEY DEFAULT nextval('exchange_seq'),
  subject_id VARCHAR NOT NULL,
  org_code VARCHAR NOT NULL,
  goods_id BIGINT NOT NULL,
  qty INTEGER NOT NULL,
  points DECIMAL(12, 2) NOT NULL,
  amount DECIMAL(12, 2) NOT NULL,
  subsidy DECIMAL(12, 2) NOT NULL,
  date DATE NOT NULL,
  reverses BIGINT,
  note VARCHAR,
  made_by VARCHAR NOT NULL,
  made_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  request_key VARCHAR
);

CREATE SEQUENCE stock_move_seq;
CREATE TABLE stock_moves(
  id BIGINT PRIMARY KEY DEFAULT nextval('stock_move_seq'),
  goods_id BIGINT NOT NULL,
  org_code VARCHAR NOT NULL,
  kind VARCHAR NOT NULL CHECK (kind IN ('restock', 'stocktake', 'exchange', 'undo')),
  qty INTEGER NOT NULL,
  date DATE NOT NULL,
  exchange_id BIGINT,
  note VARCHAR,
  made_by VARCHAR NOT NULL,
  made_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE service_details(
  event_id BIGINT PRIMARY KEY,
  service_type VARCHAR NOT NULL,
  form VARCHAR NOT NULL,
  confirmed_by VARCHAR,
  served_name VARCHAR
);

CREATE SEQUENCE training_seq;
CREATE TABLE volunteer_trainings(
  id BIGINT PRIMARY KEY DEFAULT nextval('training_seq'),
  station_code VARCHAR NOT NULL,
  volunteer_id VARCHAR NOT NULL,
  date DATE NOT NULL,
  hours DECIMAL(6, 1) NOT NULL,
  topic VARCHAR,
  entered_by VARCHAR NOT NULL,
  entered_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE service_reports(
  station_code VARCHAR NOT NULL,
  month DATE NOT NULL,
  submitted_by VARCHAR NOT NULL,
  submitted_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  PRIMARY KEY (station_code, month)
);

CREATE SEQUENCE post_seq;
CREATE TABLE community_posts(
  id BIGINT PRIMARY KEY DEFAULT nextval('post_seq'),
  community_code VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  description VARCHAR,
  active BOOLEAN NOT NULL DEFAULT true,
  created_by VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE report_in_seq;
CREATE TABLE report_ins(
  id BIGINT PRIMARY KEY DEFAULT nextval('report_in_seq'),
  member_id VARCHAR NOT NULL,
  community_code VARCHAR NOT NULL,
  year INTEGER NOT NULL,
  date DATE NOT NULL,
  post_id BIGINT,
  pledge VARCHAR,
  made_by VARCHAR NOT NULL,
  made_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  withdrawn_at TIMESTAMP,
  withdrawn_by VARCHAR
);

CREATE SEQUENCE community_eval_seq;
CREATE TABLE community_evaluations(
  id BIGINT PRIMARY KEY DEFAULT nextval('community_eval_seq'),
  member_id VARCHAR NOT NULL,
  community_code VARCHAR NOT NULL,
  year INTEGER NOT NULL,
  half INTEGER NOT NULL CHECK (half IN (1, 2)),
  grade VARCHAR NOT NULL,
  comment VARCHAR,
  made_by VARCHAR NOT NULL,
  made_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  UNIQUE (member_id, community_code, year, half)
);

CREATE TABLE evidence_files(
  hash VARCHAR PRIMARY KEY,
  mime VARCHAR NOT NULL,
  size INTEGER NOT NULL,
  data VARCHAR NOT NULL,
  uploaded_by VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
)
"""

BY_ENGINE = {
    "postgres": """
CREATE UNIQUE INDEX exchanges_request_key ON exchanges(request_key) WHERE request_key IS NOT NULL;
CREATE UNIQUE INDEX exchanges_one_reversal ON exchanges(reverses) WHERE reverses IS NOT NULL;
CREATE INDEX exchanges_subject ON exchanges(subject_id);
CREATE INDEX stock_moves_goods ON stock_moves(goods_id);
CREATE UNIQUE INDEX report_ins_live ON report_ins(member_id, year) WHERE withdrawn_at IS NULL;
CREATE UNIQUE INDEX users_one_login_per_subject ON users(subject_id) WHERE subject_id IS NOT NULL
""",
}
