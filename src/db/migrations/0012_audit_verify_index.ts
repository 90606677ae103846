/** `audit verify` finds format-1 events (written before ADR 0005) through this small partial index instead of a scan. */
export const name = '0012_audit_verify_index';
export const up = `
CREATE INDEX audit_events_v1 ON audit_events (tenant_id, seq) WHERE chain_v = 1;
`;
