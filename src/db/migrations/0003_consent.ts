/** Privacy notices (versioned, hashed) and the consent ledger. */
export const name = '0003_consent';
export const up = `
CREATE TABLE notices (
  tenant_id text NOT NULL,
  name text NOT NULL,
  version integer NOT NULL,
  language text NOT NULL,
  text text NOT NULL,
  sha256 text NOT NULL,
  purposes jsonb NOT NULL,
  material_change boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, name, version)
);
CREATE TABLE consents (
  tenant_id text NOT NULL,
  subject_id text NOT NULL,
  purpose text NOT NULL,
  state text NOT NULL CHECK (state IN ('granted', 'withdrawn')),
  notice text NOT NULL,
  notice_version integer NOT NULL,
  channel text NOT NULL,
  separate boolean NOT NULL DEFAULT false,
  evidence text,
  guardian text,
  needs_reconsent boolean NOT NULL DEFAULT false,
  granted_at timestamptz NOT NULL,
  withdrawn_at timestamptz,
  PRIMARY KEY (tenant_id, subject_id, purpose),
  FOREIGN KEY (tenant_id, subject_id) REFERENCES subjects (tenant_id, id)
);
CREATE INDEX consents_purpose ON consents (tenant_id, purpose, state);
CREATE TABLE consent_events (
  tenant_id text NOT NULL,
  id text NOT NULL,
  subject_id text NOT NULL,
  purpose text NOT NULL,
  event text NOT NULL,
  notice text,
  notice_version integer,
  channel text,
  separate boolean,
  evidence text,
  guardian text,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX consent_events_subject ON consent_events (tenant_id, subject_id, at);
`;
