/**
 * The audit chain is appended after the fact (ADR 0005): an event is inserted in the caller's
 * transaction without a position; the chainer gives it its sequence number and hash a moment later,
 * under the head row's lock. Format 2 hashes a text form PostgreSQL itself renders (see audit-chain.ts),
 * so verification can run inside the database; format 1 rows (before this migration) keep verifying.
 */
export const name = '0008_audit_async_chain';
export const up = `
ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey;
ALTER TABLE audit_events ALTER COLUMN seq DROP NOT NULL;
ALTER TABLE audit_events ALTER COLUMN prev_hash DROP NOT NULL;
ALTER TABLE audit_events ALTER COLUMN hash DROP NOT NULL;
ALTER TABLE audit_events ADD COLUMN chain_v smallint NOT NULL DEFAULT 1;
ALTER TABLE audit_events ADD PRIMARY KEY (tenant_id, id);
CREATE UNIQUE INDEX audit_events_seq ON audit_events (tenant_id, seq);
CREATE INDEX audit_events_pending ON audit_events (tenant_id, at, id) WHERE seq IS NULL;
`;
