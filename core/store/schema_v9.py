"""Migration 9: township governance (issue 12).

- The review chain (上级审核): ``review_steps`` records each step a branch's period result
  passes after 支部初评, as the scheme's ``[workflow]`` declares them: the 支委会/党员大会
  meeting (its date, who attended, the decision), the township's approval or return (with a
  reason), and 备案. A step row is never changed: a later row for the same step supersedes it,
  so the chain's whole history stays on record. ``reminders`` are the township's 催办 to a
  branch (an overdue objection, an unpublished quarter), shown in the branch's 待办 until done.
- Scheme versions: ``scheme_assignments.version_label`` names a township's adopted edit of a
  template (the overrides it carries), so every result can say which version produced it.
- Follow-up of results (结果运用): ``disposal_cases`` track a 不合格/基本合格 member's 处置
  (谈心谈话, 整改 plan, 转化期 with its deadline, the branch's recommendation and the Party
  committee's decision), and a probationary member's extend/cancel recommendation the same way.
- Township targets: ``participation_targets`` per organisation and subject kind (the nearest
  organisation up the tree wins, so a 示范村 can carry its own 70% beside the township's 50%).
"""

SQL = """
CREATE SEQUENCE review_step_seq;
CREATE TABLE review_steps(
  id BIGINT PRIMARY KEY DEFAULT nextval('review_step_seq'),
  branch_code VARCHAR NOT NULL,
  cycle INTEGER NOT NULL,
  period VARCHAR NOT NULL,
  track VARCHAR NOT NULL DEFAULT 'party',
  publicity_id BIGINT,
  step VARCHAR NOT NULL,
  outcome VARCHAR NOT NULL,
  meeting_kind VARCHAR,
  meeting_date DATE,
  attendees VARCHAR,
  decision VARCHAR,
  reason VARCHAR,
  made_by VARCHAR NOT NULL,
  made_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE INDEX review_steps_period ON review_steps(branch_code, cycle, period);

CREATE SEQUENCE reminder_seq;
CREATE TABLE reminders(
  id BIGINT PRIMARY KEY DEFAULT nextval('reminder_seq'),
  branch_code VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  ref VARCHAR,
  message VARCHAR NOT NULL,
  sent_by VARCHAR NOT NULL,
  sent_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  done_at TIMESTAMP
);

ALTER TABLE scheme_assignments ADD COLUMN version_label VARCHAR;

CREATE SEQUENCE disposal_seq;
CREATE TABLE disposal_cases(
  id BIGINT PRIMARY KEY DEFAULT nextval('disposal_seq'),
  member_id VARCHAR NOT NULL,
  branch_code VARCHAR NOT NULL,
  cycle INTEGER NOT NULL,
  kind VARCHAR NOT NULL,
  grade VARCHAR,
  state VARCHAR NOT NULL DEFAULT 'open',
  talk_date DATE,
  talk_note VARCHAR,
  plan VARCHAR,
  plan_date DATE,
  period_start DATE,
  deadline DATE,
  recommendation VARCHAR,
  recommended_by VARCHAR,
  recommended_at TIMESTAMP,
  outcome VARCHAR,
  decided_by VARCHAR,
  decided_at TIMESTAMP,
  decision_note VARCHAR,
  reason VARCHAR,
  opened_by VARCHAR NOT NULL,
  opened_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  UNIQUE (member_id, cycle, kind)
);

CREATE TABLE participation_targets(
  org_code VARCHAR NOT NULL,
  subject_kind VARCHAR NOT NULL,
  percent DECIMAL(5, 2) NOT NULL,
  set_by VARCHAR NOT NULL,
  set_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  PRIMARY KEY (org_code, subject_kind)
)
"""

BY_ENGINE: dict[str, str] = {}
