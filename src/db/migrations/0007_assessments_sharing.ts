/**
 * Issue 10: PI protection impact assessments, the risk register, third parties with contracts and
 * registered sharing channels (shares recorded per subject), cross-border transfers with yearly
 * volumes, complaints and reports, and per-tenant settings for these (risk matrix, thresholds, SLA).
 */
export const name = '0007_assessments_sharing';
export const up = `
CREATE TABLE compliance_settings (
  tenant_id text NOT NULL,
  risk_matrix jsonb,
  transfer_rules jsonb,
  complaint_sla_working_days integer,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);

CREATE TABLE assessments (
  tenant_id text NOT NULL,
  id text NOT NULL,
  title text NOT NULL,
  activity text NOT NULL,
  triggers jsonb NOT NULL,
  state text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'submitted', 'approved', 'rejected')),
  answers jsonb NOT NULL,
  risk_sources jsonb NOT NULL,
  matrix jsonb NOT NULL,
  overall_level text,
  created_by text NOT NULL,
  submitted_by text,
  submitted_at timestamptz,
  decided_by text,
  decided_at timestamptz,
  decision_note text,
  locked_until date,
  next_review date,
  superseded_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX assessments_activity ON assessments (tenant_id, activity, state);
CREATE INDEX assessments_state ON assessments (tenant_id, state, created_at);

CREATE TABLE risks (
  tenant_id text NOT NULL,
  id text NOT NULL,
  title text NOT NULL,
  description text,
  source text NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'assessment', 'audit', 'incident', 'third_party', 'transfer')),
  assessment_id text,
  owner text NOT NULL,
  department text,
  likelihood integer NOT NULL CHECK (likelihood >= 1),
  impact integer NOT NULL CHECK (impact >= 1),
  score integer NOT NULL,
  level text NOT NULL,
  treatment text NOT NULL CHECK (treatment IN ('mitigate', 'accept', 'transfer', 'avoid')),
  treatment_plan text,
  due_date date,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'treating', 'accepted', 'closed')),
  review_interval_days integer NOT NULL CHECK (review_interval_days BETWEEN 1 AND 3660),
  next_review date NOT NULL,
  last_reviewed_at timestamptz,
  flag text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX risks_status ON risks (tenant_id, status, score);
CREATE INDEX risks_review ON risks (tenant_id, next_review);
CREATE INDEX risks_assessment ON risks (tenant_id, assessment_id);
CREATE TABLE risk_reviews (
  tenant_id text NOT NULL,
  id text NOT NULL,
  risk_id text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  reviewer text NOT NULL,
  note text,
  likelihood integer NOT NULL,
  impact integer NOT NULL,
  status text NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, risk_id) REFERENCES risks (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX risk_reviews_risk ON risk_reviews (tenant_id, risk_id, at);

CREATE TABLE third_parties (
  tenant_id text NOT NULL,
  id text NOT NULL,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('entrusted', 'handler', 'joint')),
  uscc text,
  country text NOT NULL DEFAULT 'CN',
  address text,
  contacts jsonb NOT NULL,
  screening jsonb,
  screening_result text CHECK (screening_result IN ('passed', 'conditional', 'failed')),
  screened_at timestamptz,
  screened_by text,
  public_key text,
  key_algorithm text,
  key_fingerprint text,
  review_due date,
  state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'suspended', 'ended')),
  flag text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);
CREATE INDEX third_parties_review ON third_parties (tenant_id, review_due);
CREATE TABLE third_party_contracts (
  tenant_id text NOT NULL,
  id text NOT NULL,
  third_party_id text NOT NULL,
  reference text NOT NULL,
  purpose text NOT NULL,
  processing_method text NOT NULL,
  pi_types jsonb NOT NULL,
  start_date date NOT NULL,
  end_date date NOT NULL,
  protection_duties text NOT NULL,
  end_of_term text NOT NULL CHECK (end_of_term IN ('return', 'delete', 'return_and_delete')),
  sub_entrusting boolean NOT NULL DEFAULT false,
  signed_at date,
  state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'ended')),
  ended_at timestamptz,
  end_reason text,
  deletion_requested_at timestamptz,
  deletion_due date,
  deletion_confirmed_at timestamptz,
  deletion_evidence text,
  flag text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, third_party_id) REFERENCES third_parties (tenant_id, id)
);
CREATE INDEX third_party_contracts_party ON third_party_contracts (tenant_id, third_party_id);
CREATE INDEX third_party_contracts_end ON third_party_contracts (tenant_id, state, end_date);
CREATE TABLE share_channels (
  tenant_id text NOT NULL,
  id text NOT NULL,
  name text NOT NULL,
  third_party_id text NOT NULL,
  contract_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('export', 'api')),
  purpose text NOT NULL,
  collection text NOT NULL,
  fields jsonb NOT NULL,
  separate_consent_purpose text,
  state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name),
  FOREIGN KEY (tenant_id, third_party_id) REFERENCES third_parties (tenant_id, id),
  FOREIGN KEY (tenant_id, contract_id) REFERENCES third_party_contracts (tenant_id, id)
);
CREATE INDEX share_channels_party ON share_channels (tenant_id, third_party_id);
CREATE INDEX share_channels_contract ON share_channels (tenant_id, contract_id);
CREATE TABLE shares (
  tenant_id text NOT NULL,
  id text NOT NULL,
  channel_id text NOT NULL,
  third_party_id text NOT NULL,
  contract_id text NOT NULL,
  purpose text NOT NULL,
  collection text NOT NULL,
  fields jsonb NOT NULL,
  records integer NOT NULL,
  subjects integer NOT NULL,
  refused integer NOT NULL,
  algorithm text NOT NULL,
  key_fingerprint text NOT NULL,
  payload_sha256 text NOT NULL,
  actor_type text NOT NULL,
  actor_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, channel_id) REFERENCES share_channels (tenant_id, id)
);
CREATE INDEX shares_channel ON shares (tenant_id, channel_id, created_at);
CREATE INDEX shares_party ON shares (tenant_id, third_party_id, created_at);
CREATE INDEX shares_created ON shares (tenant_id, created_at);
CREATE TABLE share_subjects (
  tenant_id text NOT NULL,
  share_id text NOT NULL,
  record_id text NOT NULL,
  subject_id text NOT NULL,
  PRIMARY KEY (tenant_id, share_id, record_id),
  FOREIGN KEY (tenant_id, share_id) REFERENCES shares (tenant_id, id)
);
CREATE INDEX share_subjects_subject ON share_subjects (tenant_id, subject_id);

CREATE TABLE transfer_volumes (
  tenant_id text NOT NULL,
  year integer NOT NULL,
  non_sensitive bigint NOT NULL DEFAULT 0,
  sensitive bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, year)
);
CREATE TABLE cross_border_transfers (
  tenant_id text NOT NULL,
  id text NOT NULL,
  year integer NOT NULL,
  transfer_date date NOT NULL,
  destination_country text NOT NULL,
  recipient text NOT NULL,
  mode text NOT NULL DEFAULT 'transmission' CHECK (mode IN ('transmission', 'remote_access', 'storage_abroad')),
  third_party_id text,
  purpose text NOT NULL,
  pi_types jsonb NOT NULL,
  non_sensitive integer NOT NULL CHECK (non_sensitive >= 0),
  sensitive integer NOT NULL CHECK (sensitive >= 0),
  cumulative_non_sensitive bigint NOT NULL,
  cumulative_sensitive bigint NOT NULL,
  required_route text NOT NULL,
  route text NOT NULL CHECK (route IN ('security_assessment', 'standard_contract', 'certification', 'exemption')),
  route_ref text,
  filing_date date,
  contract_effective_date date,
  exemption_ground text,
  legal_basis text NOT NULL,
  consent_purpose text,
  assessment_id text NOT NULL,
  alerts jsonb NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX cross_border_transfers_year ON cross_border_transfers (tenant_id, year, transfer_date);
CREATE INDEX cross_border_transfers_party ON cross_border_transfers (tenant_id, third_party_id);
CREATE INDEX cross_border_transfers_assessment ON cross_border_transfers (tenant_id, assessment_id);

CREATE TABLE complaints (
  tenant_id text NOT NULL,
  id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('complaint', 'report')),
  channel text NOT NULL CHECK (channel IN ('portal', 'email', 'phone', 'letter', 'in_person', 'internal')),
  category text NOT NULL,
  summary text NOT NULL,
  anonymous boolean NOT NULL DEFAULT false,
  subject_id text,
  contact text,
  state text NOT NULL DEFAULT 'received' CHECK (state IN ('received', 'in_progress', 'replied', 'closed')),
  assignee text,
  received_at timestamptz NOT NULL DEFAULT now(),
  sla_due date NOT NULL,
  due_basis text NOT NULL DEFAULT 'official',
  flag text,
  first_reply_at timestamptz,
  closed_at timestamptz,
  resolution text,
  feedback text CHECK (feedback IN ('satisfied', 'neutral', 'unsatisfied')),
  feedback_note text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX complaints_state_due ON complaints (tenant_id, state, sla_due);
CREATE INDEX complaints_received ON complaints (tenant_id, received_at);
CREATE INDEX complaints_subject ON complaints (tenant_id, subject_id);
CREATE INDEX complaints_assignee ON complaints (tenant_id, assignee);
CREATE TABLE complaint_messages (
  tenant_id text NOT NULL,
  id text NOT NULL,
  complaint_id text NOT NULL,
  direction text NOT NULL CHECK (direction IN ('inbound', 'outbound', 'note')),
  body text NOT NULL,
  author text,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, complaint_id) REFERENCES complaints (tenant_id, id)
);
CREATE INDEX complaint_messages_complaint ON complaint_messages (tenant_id, complaint_id, at);
`;
