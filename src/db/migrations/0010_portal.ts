/**
 * Customer self-service portal (issue 7): one-time sign-in codes (only a salted hash of the code is kept,
 * and a keyed hash of the contact and of the client address for rate limits; no contact in clear) and
 * portal sessions (token stored hashed), bound to tenant and subject. A challenge for an unknown contact
 * is stored too (subject_id null) so that both answer and behave alike.
 */
export const name = '0010_portal';
export const up = `
CREATE TABLE portal_challenges (
  tenant_id text NOT NULL,
  id text NOT NULL,
  subject_id text,
  channel text NOT NULL CHECK (channel IN ('sms', 'email')),
  contact_hash bytea NOT NULL,
  ip_hash bytea NOT NULL,
  salt bytea NOT NULL,
  code_hash bytea NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX portal_challenges_contact ON portal_challenges (tenant_id, contact_hash, created_at);
CREATE INDEX portal_challenges_ip ON portal_challenges (tenant_id, ip_hash, created_at);
CREATE INDEX portal_challenges_subject ON portal_challenges (tenant_id, subject_id);
CREATE TABLE portal_sessions (
  token_hash bytea PRIMARY KEY,
  tenant_id text NOT NULL,
  subject_id text NOT NULL,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX portal_sessions_subject ON portal_sessions (tenant_id, subject_id);
`;
