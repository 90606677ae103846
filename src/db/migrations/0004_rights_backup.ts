/** Data-subject requests, the deceased's instructions, retention rules and legal holds, durable jobs, backup drills. */
export const name = '0004_rights_backup';
export const up = `
CREATE TABLE rights_requests (
  tenant_id text NOT NULL,
  id text NOT NULL,
  subject_id text NOT NULL,
  kind text NOT NULL,
  state text NOT NULL DEFAULT 'received' CHECK (state IN ('received', 'verifying', 'in_progress', 'completed', 'rejected')),
  received_at timestamptz NOT NULL DEFAULT now(),
  due date NOT NULL,
  due_basis text NOT NULL DEFAULT 'official',
  requester jsonb,
  details jsonb,
  verification_method text,
  verification_result text,
  verified_at timestamptz,
  reason text,
  resolution jsonb,
  flag text,
  flagged_at timestamptz,
  export_expires_at timestamptz,
  exported_at timestamptz,
  closed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX rights_requests_state_due ON rights_requests (tenant_id, state, due);
CREATE INDEX rights_requests_due ON rights_requests (tenant_id, due);
CREATE INDEX rights_requests_subject ON rights_requests (tenant_id, subject_id);
CREATE TABLE subject_instructions (
  tenant_id text NOT NULL,
  subject_id text NOT NULL,
  relatives text NOT NULL CHECK (relatives IN ('allow', 'deny')),
  note text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, subject_id)
);
CREATE TABLE retention_rules (
  tenant_id text NOT NULL,
  id text NOT NULL,
  name text NOT NULL,
  collection text NOT NULL,
  field text,
  purpose text,
  period_days integer NOT NULL CHECK (period_days >= 0),
  anchor text NOT NULL CHECK (anchor IN ('created', 'updated', 'consent_withdrawn')),
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);
CREATE INDEX retention_rules_collection ON retention_rules (tenant_id, collection);
CREATE TABLE legal_holds (
  tenant_id text NOT NULL,
  id text NOT NULL,
  subject_id text,
  collection text,
  reason text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  released_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX legal_holds_subject ON legal_holds (tenant_id, subject_id) WHERE released_at IS NULL;
CREATE INDEX legal_holds_collection ON legal_holds (tenant_id, collection) WHERE released_at IS NULL;
CREATE TABLE retention_runs (
  tenant_id text NOT NULL,
  id text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  records_erased integer NOT NULL,
  fields_erased integer NOT NULL,
  subjects_shredded integer NOT NULL,
  held_skipped integer NOT NULL,
  details jsonb NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX retention_runs_started ON retention_runs (tenant_id, started_at);
CREATE TABLE jobs (
  tenant_id text NOT NULL,
  id text NOT NULL,
  kind text NOT NULL,
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
  run_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  last_error text,
  result jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE INDEX jobs_kind ON jobs (tenant_id, kind, created_at);
CREATE UNIQUE INDEX jobs_one_pending ON jobs (tenant_id, kind) WHERE state IN ('queued', 'running');
CREATE TABLE backup_drills (
  tenant_id text NOT NULL,
  id text NOT NULL,
  backup_id text NOT NULL,
  file text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  ok boolean NOT NULL,
  duration_ms integer NOT NULL,
  rows_checked bigint NOT NULL,
  tables jsonb NOT NULL,
  problem text,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX backup_drills_at ON backup_drills (tenant_id, at);
`;
