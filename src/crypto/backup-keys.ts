/**
 * Per-tenant backup keys (ADR 0013). A backup seals each tenant's key material (KEK versions, index key, Paillier
 * private keys) under that tenant's backup key, a random 256-bit key held OUTSIDE backups: in `tenant_backup_keys`,
 * wrapped by the root key provider, shared by every node of a PostgreSQL deployment and never dumped into a backup.
 * Deregistration destroys every version of the tenant's backup key in the transaction that destroys its KEKs, so a
 * backup taken before the deregistration, restored with the root passphrase, can no longer unwrap the tenant's keys.
 *
 * This is the database key store; a KMS (Vault Transit, a cloud KMS) that holds one key per tenant and deletes it
 * at deregistration fits the same interface.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { RootKeyProvider } from './keyfile.js';
import type { SuiteId } from './suites.js';

const aad = (tenantId: string, version: number) => `tenant-backup-key|${tenantId}|${version}`;

type Q = Kysely<Database>;

/** What a key store can give for one tenant's backup key version. */
export type BackupKeyState =
  | { state: 'available'; version: number; key: Buffer }
  /** Every version destroyed: the tenant was deregistered. */
  | { state: 'destroyed'; destroyed_at: string | null }
  /** This version was destroyed by a rotation with --destroy-older; the tenant lives on under a newer one. */
  | { state: 'version_destroyed' }
  /** The key store has never held a key for this tenant: a fresh store whose key store was not imported. */
  | { state: 'missing' };

export interface BackupKeyRow { tenant_id: string; version: number; wrapped: Buffer | null; created_at: Date | string; retired_at: Date | string | null; destroyed_at: Date | string | null; reason: string | null }

export interface TenantBackupKeyStore {
  /** Where the keys live, for reports and certificates. */
  readonly location: string;
  /** The tenant's current backup key, created (version 1) on first use unless `create` is false (then null when none). */
  current(q: Q, tenantId: string, suite: SuiteId, opts?: { create?: boolean }): Promise<{ version: number; key: Buffer } | null>;
  /** Tenants whose every backup key version is destroyed (deregistered). */
  destroyedTenants(q: Q): Promise<string[]>;
  /** One version of a tenant's backup key, or why it cannot be had. */
  open(q: Q, tenantId: string, version: number, suite: SuiteId): Promise<BackupKeyState>;
  /** Destroy every version (deregistration); returns how many versions were live. Run it in the destroying transaction. */
  destroy(q: Q, tenantId: string, reason: string): Promise<number>;
  /** A new current version; older ones stay (old backups still restore) unless destroyOlder. */
  rotate(q: Q, tenantId: string, suite: SuiteId, opts?: { destroyOlder?: boolean }): Promise<{ version: number; destroyed: number }>;
  /** Counts for verification: versions that still open, and versions destroyed. */
  counts(q: Q, tenantId: string): Promise<{ live: number; destroyed: number }>;
}

export function createDatabaseBackupKeyStore(root: RootKeyProvider): TenantBackupKeyStore {
  return {
    location: 'database:tenant_backup_keys',

    async current(q, tenantId, suite, opts = {}) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const rows = await q.selectFrom('tenant_backup_keys').select(['version', 'wrapped', 'destroyed_at']).where('tenant_id', '=', tenantId).orderBy('version', 'desc').execute();
        const live = rows.find((r) => r.wrapped !== null);
        if (live) return { version: live.version, key: await root.unwrap(live.wrapped as Buffer, aad(tenantId, live.version), suite) };
        if (opts.create === false) return null;
        // A tenant whose keys were all destroyed gets no new one: nothing of it may be sealed again.
        if (rows.length) throw new Error(`tenant ${tenantId}: backup keys destroyed`);
        const key = randomBytes(32);
        const wrapped = await root.wrap(key, aad(tenantId, 1), suite);
        // Another node may create it at the same moment: the first insert wins, the loop reads it back.
        const ins = await q.insertInto('tenant_backup_keys').values({ tenant_id: tenantId, version: 1, wrapped }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
        if (Number(ins.numInsertedOrUpdatedRows ?? 0n) === 1) return { version: 1, key };
      }
      throw new Error(`tenant ${tenantId}: backup key could not be created`);
    },

    async open(q, tenantId, version, suite) {
      const rows = await q.selectFrom('tenant_backup_keys').select(['version', 'wrapped', 'destroyed_at']).where('tenant_id', '=', tenantId).execute();
      if (!rows.length) return { state: 'missing' };
      if (rows.every((r) => r.wrapped === null)) {
        const at = rows.map((r) => r.destroyed_at).filter(Boolean).sort().pop();
        return { state: 'destroyed', destroyed_at: at ? new Date(at).toISOString() : null };
      }
      const row = rows.find((r) => r.version === version);
      if (!row) return { state: 'missing' };
      if (!row.wrapped) return { state: 'version_destroyed' };
      return { state: 'available', version, key: await root.unwrap(row.wrapped, aad(tenantId, version), suite) };
    },

    async destroy(q, tenantId, reason) {
      const r = await q.updateTable('tenant_backup_keys').set({ wrapped: null, destroyed_at: new Date(), reason: reason.slice(0, 200) })
        .where('tenant_id', '=', tenantId).where('wrapped', 'is not', null).executeTakeFirst();
      return Number(r.numUpdatedRows ?? 0n);
    },

    async rotate(q, tenantId, suite, opts = {}) {
      await this.current(q, tenantId, suite);
      const top = await q.selectFrom('tenant_backup_keys').select(({ fn }) => fn.max('version').as('v')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
      const version = Number(top.v) + 1;
      const wrapped = await root.wrap(randomBytes(32), aad(tenantId, version), suite);
      await q.insertInto('tenant_backup_keys').values({ tenant_id: tenantId, version, wrapped }).execute();
      await q.updateTable('tenant_backup_keys').set({ retired_at: new Date() }).where('tenant_id', '=', tenantId).where('version', '<', version).where('retired_at', 'is', null).execute();
      let destroyed = 0;
      if (opts.destroyOlder) {
        const r = await q.updateTable('tenant_backup_keys').set({ wrapped: null, destroyed_at: new Date(), reason: 'rotation: older versions destroyed' })
          .where('tenant_id', '=', tenantId).where('version', '<', version).where('wrapped', 'is not', null).executeTakeFirst();
        destroyed = Number(r.numUpdatedRows ?? 0n);
      }
      return { version, destroyed };
    },

    async destroyedTenants(q) {
      const rows = await q.selectFrom('tenant_backup_keys').select('tenant_id').groupBy('tenant_id')
        .having((eb) => eb.fn.count<number>('wrapped'), '=', 0).execute();
      return rows.map((r) => r.tenant_id);
    },

    async counts(q, tenantId) {
      const rows = await q.selectFrom('tenant_backup_keys').select(['wrapped']).where('tenant_id', '=', tenantId).execute();
      return { live: rows.filter((r) => r.wrapped !== null).length, destroyed: rows.filter((r) => r.wrapped === null).length };
    },
  };
}
