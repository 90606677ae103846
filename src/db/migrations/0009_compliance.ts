/**
 * Issue 11: enterprise deregistration with a signed destruction certificate, the installation's
 * signing key (certificates stay verifiable after a tenant's keys are gone), compliance audits with
 * evidence and attachments, reports and the published transparency page, external-auditor access,
 * the differential-privacy budget ledger and Paillier keys.
 */
export const name = '0009_compliance';
export const up = `
ALTER TABLE tenants ALTER COLUMN index_key_wrapped DROP NOT NULL;
CREATE TABLE installation_keys (
  id text PRIMARY KEY,
  algorithm text NOT NULL,
  public_key text NOT NULL,
  fingerprint text NOT NULL,
  private_sealed bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz
);
CREATE INDEX installation_keys_algorithm ON installation_keys (algorithm, created_at);
CREATE TABLE tenant_deregistrations (
  tenant_id text NOT NULL,
  id text NOT NULL,
  state text NOT NULL CHECK (state IN ('requested', 'approved', 'destroyed', 'cancelled')),
  reason text NOT NULL,
  requested_by text NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  supervisor jsonb,
  archive jsonb NOT NULL,
  approved_by text,
  approved_at timestamptz,
  approval_note text,
  notice jsonb,
  noticed_at timestamptz,
  executed_by text,
  started_at timestamptz,
  destroyed_at timestamptz,
  result jsonb,
  certificate jsonb,
  certificate_id text,
  cancelled_by text,
  cancelled_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX tenant_deregistrations_open ON tenant_deregistrations (tenant_id) WHERE state IN ('requested', 'approved');
CREATE UNIQUE INDEX tenant_deregistrations_certificate ON tenant_deregistrations (certificate_id);
CREATE TABLE compliance_profile (
  tenant_id text PRIMARY KEY REFERENCES tenants(id),
  handler jsonb,
  officer jsonb,
  minors boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE compliance_audits (
  tenant_id text NOT NULL REFERENCES tenants(id),
  id text NOT NULL,
  title text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('internal', 'external')),
  firm text,
  period_from date NOT NULL,
  period_to date NOT NULL,
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'completed')),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  collected_at timestamptz,
  completed_by text,
  completed_at timestamptz,
  conclusion text,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX compliance_audits_created ON compliance_audits (tenant_id, created_at);
CREATE INDEX compliance_audits_completed ON compliance_audits (tenant_id, completed_at);
CREATE TABLE compliance_audit_items (
  tenant_id text NOT NULL,
  audit_id text NOT NULL,
  key text NOT NULL,
  status text NOT NULL CHECK (status IN ('pass', 'warn', 'fail', 'not_available', 'open', 'not_applicable')),
  evidence jsonb,
  note text,
  answered_by text,
  answered_at timestamptz,
  PRIMARY KEY (tenant_id, audit_id, key),
  FOREIGN KEY (tenant_id, audit_id) REFERENCES compliance_audits (tenant_id, id)
);
CREATE TABLE compliance_attachments (
  tenant_id text NOT NULL,
  id text NOT NULL,
  audit_id text NOT NULL,
  item_key text NOT NULL,
  filename text NOT NULL,
  content_type text NOT NULL,
  size integer NOT NULL,
  sha256 text NOT NULL,
  data bytea NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, audit_id) REFERENCES compliance_audits (tenant_id, id)
);
CREATE INDEX compliance_attachments_item ON compliance_attachments (tenant_id, audit_id, item_key);
CREATE TABLE reports (
  tenant_id text NOT NULL REFERENCES tenants(id),
  id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('management', 'transparency')),
  period_from date,
  period_to date,
  content jsonb NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX reports_kind ON reports (tenant_id, kind, created_at);
CREATE INDEX reports_published ON reports (tenant_id, kind, published_at) WHERE published_at IS NOT NULL;
CREATE TABLE auditor_engagements (
  tenant_id text NOT NULL REFERENCES tenants(id),
  id text NOT NULL,
  firm text NOT NULL,
  auditor_name text NOT NULL,
  api_key_id text NOT NULL,
  expires_at timestamptz NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX auditor_engagements_key ON auditor_engagements (tenant_id, api_key_id);
CREATE TABLE privacy_budgets (
  tenant_id text PRIMARY KEY REFERENCES tenants(id),
  epsilon_total double precision NOT NULL CHECK (epsilon_total > 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE privacy_budget_ledger (
  tenant_id text NOT NULL,
  id text NOT NULL,
  epsilon double precision NOT NULL CHECK (epsilon > 0),
  label text NOT NULL,
  query jsonb NOT NULL,
  actor_id text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX privacy_budget_ledger_at ON privacy_budget_ledger (tenant_id, at);
CREATE TABLE paillier_keys (
  tenant_id text NOT NULL REFERENCES tenants(id),
  id text NOT NULL,
  bits integer NOT NULL,
  public_n text NOT NULL,
  private_sealed bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE TABLE training_courses (
  tenant_id text NOT NULL REFERENCES tenants(id),
  id text NOT NULL,
  title text NOT NULL,
  content text NOT NULL,
  quiz jsonb NOT NULL,
  pass_score integer NOT NULL CHECK (pass_score BETWEEN 1 AND 100),
  validity_days integer NOT NULL CHECK (validity_days > 0),
  roles jsonb NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE TABLE training_attempts (
  tenant_id text NOT NULL,
  id text NOT NULL,
  course_id text NOT NULL,
  staff_id text NOT NULL,
  score integer NOT NULL,
  passed boolean NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, course_id) REFERENCES training_courses (tenant_id, id),
  FOREIGN KEY (tenant_id, staff_id) REFERENCES staff (tenant_id, id)
);
CREATE INDEX training_attempts_staff ON training_attempts (tenant_id, staff_id, at);
CREATE INDEX training_attempts_course ON training_attempts (tenant_id, course_id);
CREATE TABLE accountability_records (
  tenant_id text NOT NULL,
  id text NOT NULL,
  staff_id text NOT NULL,
  source text NOT NULL CHECK (source IN ('incident', 'audit', 'other')),
  source_ref text,
  description text NOT NULL,
  measure text NOT NULL CHECK (measure IN ('warning', 'retraining', 'access_suspended', 'disciplinary', 'reward', 'other')),
  measure_detail text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, staff_id) REFERENCES staff (tenant_id, id)
);
CREATE INDEX accountability_staff ON accountability_records (tenant_id, staff_id, created_at);
CREATE INDEX accountability_created ON accountability_records (tenant_id, created_at);
`;
