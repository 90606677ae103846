/**
 * Notice sections (PIPL Art. 17, 23, 30, 39) and the scope each version declares; consent of minors
 * through a guardian (Art. 31); re-consent bookkeeping; the register of processing activities
 * (处理活动记录) with its revisions.
 */
export const name = '0005_consent_activities';
export const up = `
ALTER TABLE notices ADD COLUMN sections jsonb;
ALTER TABLE notices ADD COLUMN scope jsonb NOT NULL DEFAULT '{}';
ALTER TABLE notices ADD COLUMN missing_sections jsonb NOT NULL DEFAULT '[]';
ALTER TABLE notices ADD COLUMN changed_purposes jsonb NOT NULL DEFAULT '[]';
ALTER TABLE notices ADD COLUMN compared_with integer;
CREATE INDEX notices_created ON notices (tenant_id, created_at);

ALTER TABLE consents ADD COLUMN minor boolean NOT NULL DEFAULT false;
ALTER TABLE consents ADD COLUMN age_source text;
ALTER TABLE consents ADD COLUMN guardian_relation text;
ALTER TABLE consents ADD COLUMN guardian_subject_id text;
ALTER TABLE consents ADD COLUMN guardian_verification text;
ALTER TABLE consents ADD COLUMN reconsent_since integer;
CREATE INDEX consents_notice ON consents (tenant_id, notice, notice_version);
CREATE INDEX consents_reconsent ON consents (tenant_id, purpose, granted_at) WHERE needs_reconsent;
CREATE INDEX consents_granted_at ON consents (tenant_id, granted_at);

ALTER TABLE consent_events ADD COLUMN minor boolean;
ALTER TABLE consent_events ADD COLUMN guardian_relation text;
ALTER TABLE consent_events ADD COLUMN guardian_subject_id text;
CREATE INDEX consent_events_purpose ON consent_events (tenant_id, purpose, at);

CREATE TABLE consent_settings (
  tenant_id text NOT NULL,
  require_notice_sections boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);

CREATE TABLE activities (
  tenant_id text NOT NULL,
  id text NOT NULL,
  name text NOT NULL,
  state text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'active', 'retired')),
  revision integer NOT NULL DEFAULT 1,
  legal_basis text NOT NULL,
  department text,
  owner text,
  entry jsonb NOT NULL,
  computed jsonb NOT NULL,
  triggers jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  activated_at timestamptz,
  retired_at timestamptz,
  retire_reason text,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);
CREATE INDEX activities_state ON activities (tenant_id, state, updated_at);
CREATE TABLE activity_purposes (
  tenant_id text NOT NULL,
  purpose text NOT NULL,
  activity_id text NOT NULL,
  PRIMARY KEY (tenant_id, purpose, activity_id),
  FOREIGN KEY (tenant_id, activity_id) REFERENCES activities (tenant_id, id)
);
CREATE INDEX activity_purposes_activity ON activity_purposes (tenant_id, activity_id);
CREATE TABLE activity_revisions (
  tenant_id text NOT NULL,
  activity_id text NOT NULL,
  revision integer NOT NULL,
  change text NOT NULL,
  state text NOT NULL,
  entry jsonb NOT NULL,
  changed jsonb NOT NULL,
  actor_type text NOT NULL,
  actor_id text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, activity_id, revision),
  FOREIGN KEY (tenant_id, activity_id) REFERENCES activities (tenant_id, id)
);
`;
