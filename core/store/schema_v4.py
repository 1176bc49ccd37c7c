"""Migration 4: a real township can start: subjects of every kind, households, import batches.

``members`` is rebuilt because its v1 CHECK on ``status`` must also allow ``deceased`` and
DuckDB 2.0 cannot drop or change a CHECK constraint (ALTER ... DROP CONSTRAINT is not
implemented, and a column with a CHECK cannot change type): the rows are copied into a new
table with the wider check, the old table dropped and the new one renamed. No index, view or
key refers to ``members``, so nothing else has to move.

Subjects of every kind live in ``members``: ``kind`` is member (党员), household/family (户),
resident (村民), unit (商户/社团) or volunteer (义工). A person who is a 党员 and belongs to a
household is two subjects. ``id_card`` holds the full number (validated on entry); every view
and export shows it masked (``core.idcard.mask_id``).

``import_batch`` on the rows an import adds lets an import be undone and recognised again
(same content hash, kind and org → already imported).
"""

SQL = """
CREATE TABLE members_v4(
  id VARCHAR PRIMARY KEY,
  name VARCHAR NOT NULL,
  kind VARCHAR NOT NULL DEFAULT 'member',
  gender VARCHAR,
  birth_date DATE,
  join_date DATE,
  probationary BOOLEAN NOT NULL DEFAULT false,
  category VARCHAR,
  mobile BOOLEAN NOT NULL DEFAULT false,
  department VARCHAR,
  branch_code VARCHAR NOT NULL,
  group_code VARCHAR,
  phone VARCHAR,
  status VARCHAR NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'transferred', 'exempt', 'deceased')),
  exempt_reason VARCHAR,
  exempt_by VARCHAR,
  joined_branch DATE,
  approved_on DATE,
  initials VARCHAR NOT NULL DEFAULT '',
  pinyin VARCHAR NOT NULL DEFAULT '',
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  id_card VARCHAR,
  exempt_on DATE,
  probation_start DATE,
  probation_end DATE,
  work_unit VARCHAR,
  address VARCHAR,
  house_no VARCHAR,
  head_name VARCHAR,
  import_batch BIGINT
);

INSERT INTO members_v4(id, name, kind, gender, birth_date, join_date, probationary, category, mobile,
  department, branch_code, group_code, phone, status, exempt_reason, exempt_by, joined_branch,
  approved_on, initials, pinyin, created_at)
SELECT id, name, kind, gender, birth_date, join_date, probationary, category, mobile,
  department, branch_code, group_code, phone, status, exempt_reason, exempt_by, joined_branch,
  approved_on, initials, pinyin, created_at
FROM members;

DROP TABLE members;
ALTER TABLE members_v4 RENAME TO members;

CREATE SEQUENCE household_person_seq;
CREATE TABLE household_people(
  id BIGINT PRIMARY KEY DEFAULT nextval('household_person_seq'),
  household_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  relation VARCHAR,
  id_card VARCHAR,
  gender VARCHAR,
  birth_date DATE,
  phone VARCHAR,
  member_id VARCHAR,
  import_batch BIGINT,
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE import_batch_seq;
CREATE TABLE import_batches(
  id BIGINT PRIMARY KEY DEFAULT nextval('import_batch_seq'),
  kind VARCHAR NOT NULL,
  file_name VARCHAR,
  content_hash VARCHAR NOT NULL,
  org_code VARCHAR,
  username VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  counts JSON,
  undone_at TIMESTAMP,
  undone_by VARCHAR
);

ALTER TABLE orgs ADD COLUMN active BOOLEAN DEFAULT true;
ALTER TABLE orgs ADD COLUMN merged_into VARCHAR;
ALTER TABLE orgs ADD COLUMN import_batch BIGINT;
ALTER TABLE events ADD COLUMN import_batch BIGINT;
ALTER TABLE scores ADD COLUMN import_batch BIGINT;
ALTER TABLE cycle_history ADD COLUMN import_batch BIGINT;
ALTER TABLE member_branch_history ADD COLUMN import_batch BIGINT
"""
