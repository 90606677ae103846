/** Tenants, key hierarchy, collections, records, blind index, erasure ledger. */
export const name = '0001_core';
export const up = `
CREATE TABLE tenants (
  id text PRIMARY KEY,
  name text NOT NULL,
  suite text NOT NULL CHECK (suite IN ('aes', 'sm')),
  state text NOT NULL DEFAULT 'active',
  kek_version integer NOT NULL,
  index_key_wrapped bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE tenant_keys (
  tenant_id text NOT NULL REFERENCES tenants(id),
  version integer NOT NULL,
  wrapped bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz,
  PRIMARY KEY (tenant_id, version)
);
CREATE TABLE subjects (
  tenant_id text NOT NULL REFERENCES tenants(id),
  id text NOT NULL,
  kek_version integer,
  wrapped_key bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  erased_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX subjects_kek ON subjects (tenant_id, kek_version);
CREATE TABLE collections (
  tenant_id text NOT NULL REFERENCES tenants(id),
  id text NOT NULL,
  name text NOT NULL,
  title text,
  fields jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);
CREATE TABLE records (
  tenant_id text NOT NULL,
  id text NOT NULL,
  collection_id text NOT NULL,
  subject_id text NOT NULL,
  sealed bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, collection_id) REFERENCES collections (tenant_id, id),
  FOREIGN KEY (tenant_id, subject_id) REFERENCES subjects (tenant_id, id)
);
CREATE INDEX records_subject ON records (tenant_id, subject_id);
CREATE INDEX records_collection ON records (tenant_id, collection_id, created_at);
CREATE TABLE blind_index (
  tenant_id text NOT NULL,
  hash bytea NOT NULL,
  field text NOT NULL,
  record_id text NOT NULL,
  PRIMARY KEY (tenant_id, hash, record_id)
);
CREATE INDEX blind_index_record ON blind_index (tenant_id, record_id);
CREATE TABLE erasure_ledger (
  tenant_id text NOT NULL,
  seq bigserial NOT NULL,
  kind text NOT NULL CHECK (kind IN ('subject', 'record', 'tenant')),
  target_id text NOT NULL,
  reason text,
  erased_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX erasure_ledger_target ON erasure_ledger (tenant_id, target_id);
`;
