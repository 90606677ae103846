/**
 * An incident's affected set is stored as chunks of subject ids plus its distinct PI kinds, not as one indexed
 * row per subject (ADR 0014): scoping 1.7 M subjects spent 50 s of 64 in the per-row inserts into two b-trees.
 * `incident_subject_kinds` holds each distinct kind once (its `type:category` keys, sensitive, subject count);
 * a chunk holds up to 1000 subject ids with, position for position, each subject's kind and event count.
 * The arrays are stored uncompressed (compressing them cost more time than their size costs).
 * `incident_subjects` becomes a view with the old columns, one row per subject. Existing sets are moved over in
 * subject order. No foreign key, as before: only the incident services write these rows.
 */
export const name = '0015_incident_subject_chunks';
export const up = `
CREATE TABLE incident_subject_kinds (
  tenant_id text NOT NULL,
  incident_id text NOT NULL,
  kind bigint NOT NULL,
  types text[] NOT NULL,
  sensitive boolean NOT NULL,
  subjects bigint NOT NULL,
  PRIMARY KEY (tenant_id, incident_id, kind)
);
CREATE TABLE incident_subject_chunks (
  tenant_id text NOT NULL,
  incident_id text NOT NULL,
  chunk integer NOT NULL,
  subject_ids text[] NOT NULL,
  kinds bigint[] NOT NULL,
  events integer[] NOT NULL,
  subjects integer NOT NULL,
  sensitive integer NOT NULL,
  PRIMARY KEY (tenant_id, incident_id, chunk)
);
ALTER TABLE incident_subject_chunks ALTER COLUMN subject_ids SET STORAGE EXTERNAL;
ALTER TABLE incident_subject_chunks ALTER COLUMN kinds SET STORAGE EXTERNAL;
ALTER TABLE incident_subject_chunks ALTER COLUMN events SET STORAGE EXTERNAL;
INSERT INTO incident_subject_kinds (tenant_id, incident_id, kind, types, sensitive, subjects)
  SELECT tenant_id, incident_id, row_number() OVER (PARTITION BY tenant_id, incident_id ORDER BY types, sensitive), types, sensitive, count(*)
  FROM incident_subjects GROUP BY tenant_id, incident_id, types, sensitive;
INSERT INTO incident_subject_chunks (tenant_id, incident_id, chunk, subject_ids, kinds, events, subjects, sensitive)
  SELECT s.tenant_id, s.incident_id, ((s.rn - 1) / 1000)::int, array_agg(s.subject_id ORDER BY s.rn), array_agg(k.kind ORDER BY s.rn),
    array_agg(s.events ORDER BY s.rn), count(*)::int, (count(*) FILTER (WHERE s.sensitive))::int
  FROM (SELECT *, row_number() OVER (PARTITION BY tenant_id, incident_id ORDER BY subject_id) AS rn FROM incident_subjects) s
  JOIN incident_subject_kinds k ON k.tenant_id = s.tenant_id AND k.incident_id = s.incident_id AND k.types = s.types AND k.sensitive = s.sensitive
  GROUP BY s.tenant_id, s.incident_id, (s.rn - 1) / 1000;
DROP TABLE incident_subjects;
CREATE VIEW incident_subjects AS
  SELECT c.tenant_id, c.incident_id, u.subject_id, k.types, k.sensitive, u.events
  FROM incident_subject_chunks c
  CROSS JOIN LATERAL unnest(c.subject_ids, c.kinds, c.events) AS u(subject_id, kind, events)
  JOIN incident_subject_kinds k ON k.tenant_id = c.tenant_id AND k.incident_id = c.incident_id AND k.kind = u.kind;
`;
