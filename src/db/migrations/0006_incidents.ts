/**
 * Incidents (issue 9): anomaly detection over the audit log (cursor, per-actor baselines, rules),
 * alerts, incidents with scope, timeline and notifications, response plans, event sinks, drills.
 * incident_subjects and incident_notifications take millions of rows in one statement; they carry no
 * foreign key (a per-row check made a large scope much slower) — their incident_id is written only by
 * the incident services, and incidents are never deleted.
 */
export const name = '0006_incidents';
export const up = `
CREATE TABLE incident_settings (
  tenant_id text PRIMARY KEY,
  settings jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE anomaly_rules (
  tenant_id text NOT NULL,
  rule text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  params jsonb NOT NULL,
  exempt_actors jsonb NOT NULL DEFAULT '[]',
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, rule)
);
CREATE TABLE anomaly_cursors (
  tenant_id text PRIMARY KEY,
  last_seq bigint NOT NULL DEFAULT 0,
  events_seen bigint NOT NULL DEFAULT 0,
  last_event_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE anomaly_actors (
  tenant_id text NOT NULL,
  actor_id text NOT NULL,
  actor_type text NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  events bigint NOT NULL DEFAULT 0,
  networks jsonb NOT NULL DEFAULT '[]',
  sens_bucket timestamptz,
  sens_count integer NOT NULL DEFAULT 0,
  sens_mean double precision NOT NULL DEFAULT 0,
  sens_var double precision NOT NULL DEFAULT 0,
  sens_buckets integer NOT NULL DEFAULT 0,
  window_state jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (tenant_id, actor_id)
);
CREATE TABLE response_plans (
  tenant_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('leak', 'tampering', 'loss')),
  version integer NOT NULL,
  title text NOT NULL,
  roles jsonb NOT NULL,
  contacts jsonb NOT NULL,
  steps jsonb NOT NULL,
  notes text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, kind, version)
);
CREATE TABLE incidents (
  tenant_id text NOT NULL,
  id text NOT NULL,
  title text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('leak', 'tampering', 'loss')),
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'contained', 'reviewing', 'closed')),
  detected_at timestamptz NOT NULL,
  occurred_from timestamptz,
  occurred_to timestamptz,
  description text,
  cause text,
  harm text,
  remedies text,
  subject_actions text,
  contact text,
  affected_count bigint NOT NULL DEFAULT 0,
  sensitive_count bigint NOT NULL DEFAULT 0,
  scope jsonb,
  scoped_at timestamptz,
  grade text NOT NULL DEFAULT 'general',
  grade_override text,
  grade_reason text,
  report_due_at timestamptz,
  report_filed_at timestamptz,
  report_reference text,
  plan_version integer,
  checklist jsonb NOT NULL DEFAULT '[]',
  notify jsonb,
  review jsonb,
  closed_at timestamptz,
  summary_due_at timestamptz,
  summary_filed_at timestamptz,
  flag text,
  drill boolean NOT NULL DEFAULT false,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX incidents_state ON incidents (tenant_id, state, detected_at);
CREATE INDEX incidents_detected ON incidents (tenant_id, detected_at);
CREATE INDEX incidents_plan ON incidents (tenant_id, kind, plan_version);
CREATE TABLE alerts (
  tenant_id text NOT NULL,
  id text NOT NULL,
  rule text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
  actor_type text NOT NULL,
  actor_id text NOT NULL,
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged', 'dismissed', 'escalated')),
  window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL,
  event_count integer NOT NULL,
  evidence jsonb NOT NULL,
  summary jsonb NOT NULL,
  first_seq bigint NOT NULL,
  last_seq bigint NOT NULL,
  handled_by text,
  handled_at timestamptz,
  reason text,
  incident_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, incident_id) REFERENCES incidents (tenant_id, id)
);
CREATE INDEX alerts_state ON alerts (tenant_id, state, created_at);
CREATE INDEX alerts_created ON alerts (tenant_id, created_at);
CREATE INDEX alerts_actor ON alerts (tenant_id, actor_id, created_at);
CREATE INDEX alerts_rule ON alerts (tenant_id, rule, created_at);
CREATE INDEX alerts_incident ON alerts (tenant_id, incident_id);
CREATE TABLE incident_timeline (
  tenant_id text NOT NULL,
  id text NOT NULL,
  incident_id text NOT NULL,
  at timestamptz NOT NULL,
  actor_type text NOT NULL,
  actor_id text NOT NULL,
  entry text NOT NULL,
  note text,
  details jsonb,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, incident_id) REFERENCES incidents (tenant_id, id)
);
CREATE INDEX incident_timeline_incident ON incident_timeline (tenant_id, incident_id, at);
CREATE TABLE incident_subjects (
  tenant_id text NOT NULL,
  incident_id text NOT NULL,
  subject_id text NOT NULL,
  types text[] NOT NULL,
  sensitive boolean NOT NULL,
  events integer NOT NULL,
  PRIMARY KEY (tenant_id, incident_id, subject_id)
);
CREATE INDEX incident_subjects_subject ON incident_subjects (tenant_id, subject_id);
CREATE TABLE incident_notifications (
  tenant_id text NOT NULL,
  incident_id text NOT NULL,
  subject_id text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('sms', 'email')),
  language text NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed', 'no_contact')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  sent_at timestamptz,
  message_ref text,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, incident_id, subject_id, channel)
);
CREATE INDEX incident_notifications_due ON incident_notifications (tenant_id, state, next_attempt_at);
CREATE INDEX incident_notifications_subject ON incident_notifications (tenant_id, subject_id);
CREATE TABLE incident_sinks (
  tenant_id text NOT NULL,
  id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('webhook', 'syslog', 'nats')),
  target text NOT NULL,
  secret_sealed bytea,
  enabled boolean NOT NULL DEFAULT true,
  last_error text,
  last_sent_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE TABLE incident_pushes (
  tenant_id text NOT NULL,
  id text NOT NULL,
  sink_id text NOT NULL,
  event jsonb NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, sink_id) REFERENCES incident_sinks (tenant_id, id)
);
CREATE INDEX incident_pushes_due ON incident_pushes (tenant_id, state, next_attempt_at);
CREATE INDEX incident_pushes_sink ON incident_pushes (tenant_id, sink_id, created_at);
CREATE TABLE incident_drills (
  tenant_id text NOT NULL,
  id text NOT NULL,
  scenario text NOT NULL,
  scheduled boolean NOT NULL DEFAULT false,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  ok boolean NOT NULL,
  duration_ms integer NOT NULL,
  steps jsonb NOT NULL,
  result jsonb NOT NULL,
  problem text,
  started_by text NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX incident_drills_started ON incident_drills (tenant_id, started_at);
`;
