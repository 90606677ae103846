/** Identities, roles, purposes, training, audit chain. */
export const name = '0002_access_audit';
export const up = `
CREATE TABLE purposes (
  tenant_id text NOT NULL REFERENCES tenants(id),
  name text NOT NULL,
  title text NOT NULL,
  title_en text,
  legal_basis text NOT NULL,
  description text,
  requires_training boolean NOT NULL DEFAULT true,
  automated_decision boolean NOT NULL DEFAULT false,
  reconsent_mode text NOT NULL DEFAULT 'block',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, name)
);
CREATE TABLE roles (
  tenant_id text NOT NULL REFERENCES tenants(id),
  name text NOT NULL,
  title text,
  grants jsonb NOT NULL,
  permissions jsonb NOT NULL DEFAULT '[]',
  builtin boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, name)
);
CREATE TABLE api_keys (
  tenant_id text NOT NULL REFERENCES tenants(id),
  id text NOT NULL,
  name text NOT NULL,
  key_hash bytea NOT NULL UNIQUE,
  roles jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE TABLE staff (
  tenant_id text NOT NULL REFERENCES tenants(id),
  id text NOT NULL,
  username text NOT NULL,
  display_name text NOT NULL,
  email text,
  password_hash text,
  totp_sealed bytea,
  totp_enabled boolean NOT NULL DEFAULT false,
  totp_last_step bigint,
  roles jsonb NOT NULL,
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  disabled_at timestamptz,
  last_login_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, username)
);
CREATE TABLE sessions (
  token_hash bytea PRIMARY KEY,
  tenant_id text NOT NULL,
  staff_id text NOT NULL,
  mfa boolean NOT NULL DEFAULT false,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  FOREIGN KEY (tenant_id, staff_id) REFERENCES staff (tenant_id, id)
);
CREATE INDEX sessions_staff ON sessions (tenant_id, staff_id);
CREATE TABLE trainings (
  tenant_id text NOT NULL,
  id text NOT NULL,
  staff_id text NOT NULL,
  course text NOT NULL,
  completed_at date NOT NULL,
  expires_at date NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, staff_id) REFERENCES staff (tenant_id, id)
);
CREATE INDEX trainings_staff ON trainings (tenant_id, staff_id, expires_at);
CREATE TABLE subject_restrictions (
  tenant_id text NOT NULL,
  subject_id text NOT NULL,
  purpose text NOT NULL,
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, subject_id, purpose)
);
CREATE TABLE audit_heads (
  tenant_id text PRIMARY KEY,
  seq bigint NOT NULL,
  hash bytea NOT NULL
);
CREATE TABLE audit_events (
  tenant_id text NOT NULL,
  seq bigint NOT NULL,
  id text NOT NULL,
  at timestamptz NOT NULL,
  actor_type text NOT NULL,
  actor_id text NOT NULL,
  action text NOT NULL,
  decision text NOT NULL,
  purpose text,
  subject_id text,
  collection text,
  record_id text,
  fields jsonb,
  reason text,
  client_ip text,
  request_id text,
  details jsonb,
  prev_hash bytea NOT NULL,
  hash bytea NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX audit_subject ON audit_events (tenant_id, subject_id, seq);
CREATE INDEX audit_actor ON audit_events (tenant_id, actor_id, seq);
CREATE INDEX audit_at ON audit_events (tenant_id, at);
CREATE TABLE signing_keys (
  tenant_id text NOT NULL,
  id text NOT NULL,
  algorithm text NOT NULL,
  public_key text NOT NULL,
  private_sealed bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE TABLE audit_checkpoints (
  tenant_id text NOT NULL,
  seq bigint NOT NULL,
  hash bytea NOT NULL,
  signature bytea NOT NULL,
  key_id text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, seq)
);
`;
