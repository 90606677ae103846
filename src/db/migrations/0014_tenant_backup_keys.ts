/**
 * Per-tenant backup keys (ADR 0013): one random 256-bit key per tenant and version, wrapped by the root key
 * provider. Backups seal each tenant's key material (KEKs, index key, Paillier private keys) under it; the table is
 * never written into a backup, and deregistration destroys the tenant's rows, so an old backup restored with the
 * root passphrase cannot unwrap a destroyed tenant's keys. Rows are created on the first backup that needs them.
 */
export const name = '0014_tenant_backup_keys';
export const up = `
CREATE TABLE tenant_backup_keys (
  tenant_id text NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  wrapped bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz,
  destroyed_at timestamptz,
  reason text,
  PRIMARY KEY (tenant_id, version),
  CHECK ((wrapped IS NULL) = (destroyed_at IS NOT NULL))
);
`;
