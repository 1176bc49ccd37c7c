"""Migration 1: the organisation tree, members, users and the audit log."""

SQL = """
CREATE TABLE meta(key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
INSERT INTO meta VALUES ('data_version', '0');

-- county -> township/street -> branch/village -> party group/grid.
-- path is '/'-joined codes from the root ('/C01/C01T01/'), so a subtree is a prefix match.
CREATE TABLE orgs(
  code VARCHAR PRIMARY KEY,
  name VARCHAR NOT NULL,
  level VARCHAR NOT NULL CHECK (level IN ('county', 'township', 'branch', 'group')),
  kind VARCHAR,
  parent_code VARCHAR,
  path VARCHAR NOT NULL,
  county_code VARCHAR,
  township_code VARCHAR,
  branch_code VARCHAR,
  sort INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE members(
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
  status VARCHAR NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'transferred', 'exempt')),
  exempt_reason VARCHAR,
  exempt_by VARCHAR,
  joined_branch DATE,
  approved_on DATE,
  initials VARCHAR NOT NULL DEFAULT '',
  pinyin VARCHAR NOT NULL DEFAULT '',
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE member_branch_history(
  member_id VARCHAR NOT NULL,
  branch_code VARCHAR NOT NULL,
  group_code VARCHAR,
  from_date DATE NOT NULL,
  to_date DATE,
  reason VARCHAR
);

CREATE TABLE users(
  username VARCHAR PRIMARY KEY,
  display_name VARCHAR NOT NULL,
  password_hash VARCHAR NOT NULL,
  role VARCHAR NOT NULL CHECK (role IN ('admin', 'township', 'secretary', 'recorder')),
  org_code VARCHAR NOT NULL,
  active BOOLEAN NOT NULL DEFAULT true,
  failed_count INTEGER NOT NULL DEFAULT 0,
  locked_until TIMESTAMP,
  last_login TIMESTAMP,
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE audit_seq;
CREATE TABLE audit_log(
  id BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'),
  happened_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  username VARCHAR NOT NULL,
  action VARCHAR NOT NULL,
  entity VARCHAR,
  entity_id VARCHAR,
  org_code VARCHAR,
  member_id VARCHAR,
  before_json JSON,
  after_json JSON,
  reason VARCHAR
)
"""
