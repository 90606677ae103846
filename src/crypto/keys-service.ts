/**
 * Loads tenant keyrings from the store (cached per process) and rotates tenant KEKs: a new version
 * becomes current and every subject data key is re-wrapped under it in batches; no field is re-encrypted.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/connection.js';
import { byteaColumn } from '../db/bytea-column.js';
import type { RootKeyProvider } from './keyfile.js';
import { gone } from '../core/errors.js';
import { createKekVersion, indexAad, kekAad, TenantKeyring } from './keyring.js';
import type { SuiteId } from './suites.js';

export interface KeyService {
  root: RootKeyProvider;
  /** The tenant's keyring; loads missing KEK versions (e.g. after a rotation by another process). */
  keyring(tx: Tx, tenantId: string, needVersion?: number): Promise<TenantKeyring>;
  rotate(db: Db, tenantId: string): Promise<{ version: number; rewrapped: number }>;
  forgetTenant(tenantId: string): void;
}

/** How long a cached keyring seals new data keys before the tenant's current KEK version is checked again. */
const CURRENT_VERSION_CHECK_MS = 2000;

export function createKeyService(root: RootKeyProvider): KeyService {
  const rings = new Map<string, TenantKeyring>();
  const checkedAt = new Map<string, number>();

  async function load(tx: Tx, tenantId: string): Promise<TenantKeyring> {
    const t = await tx.selectFrom('tenants').select(['suite', 'kek_version', 'index_key_wrapped', 'state']).where('id', '=', tenantId).executeTakeFirst();
    if (!t) throw new Error(`tenant ${tenantId} not found`);
    // Deregistration destroys the index key and every KEK version (crypto-shredding of the whole tenant).
    if (!t.index_key_wrapped || t.state === 'destroyed') throw gone('tenant.keys_destroyed', '该租户的密钥已销毁（企业已注销）', 'the tenant\'s keys were destroyed (the enterprise was deregistered)');
    const rows = await tx.selectFrom('tenant_keys').select(['version', 'wrapped']).where('tenant_id', '=', tenantId).where('wrapped', 'is not', null).execute();
    const keks = new Map<number, Buffer>();
    for (const r of rows) keks.set(r.version, await root.unwrap(r.wrapped as Buffer, kekAad(tenantId, r.version), t.suite));
    const indexKey = await root.unwrap(t.index_key_wrapped, indexAad(tenantId), t.suite);
    const ring = new TenantKeyring(tenantId, t.suite, t.kek_version, keks, indexKey);
    rings.set(tenantId, ring);
    checkedAt.set(tenantId, Date.now());
    return ring;
  }

  return {
    root,
    async keyring(tx, tenantId, needVersion) {
      const ring = rings.get(tenantId);
      if (ring && needVersion !== undefined && ring.hasKekVersion(needVersion)) return ring;
      if (ring && needVersion === undefined) {
        // New data keys must be sealed under the current KEK, also after another process (CLI, another node) rotated it.
        if (Date.now() - (checkedAt.get(tenantId) ?? 0) < CURRENT_VERSION_CHECK_MS) return ring;
        const t = await tx.selectFrom('tenants').select('kek_version').where('id', '=', tenantId).executeTakeFirst();
        checkedAt.set(tenantId, Date.now());
        if (!t || t.kek_version <= ring.kekVersion) return ring;
      }
      return load(tx, tenantId);
    },
    async rotate(db, tenantId) {
      const { version } = await db.transaction(async (tx) => {
        const t = await tx.selectFrom('tenants').select(['suite', 'kek_version']).where('id', '=', tenantId).forUpdate().executeTakeFirstOrThrow();
        const next = t.kek_version + 1;
        const wrapped = await createKekVersion(root, tenantId, t.suite as SuiteId, next);
        await tx.insertInto('tenant_keys').values({ tenant_id: tenantId, version: next, wrapped }).execute();
        await tx.updateTable('tenant_keys').set({ retired_at: new Date() }).where('tenant_id', '=', tenantId).where('version', '<', next).where('retired_at', 'is', null).execute();
        await tx.updateTable('tenants').set({ kek_version: next }).where('id', '=', tenantId).execute();
        return { version: next };
      });
      rings.delete(tenantId);
      let rewrapped = 0;
      // Batches in their own short transactions, so reads and writes go on during a rotation.
      for (;;) {
        const n = await db.transaction(async (tx) => {
          const ring = await this.keyring(tx, tenantId, version);
          const batch = await tx.selectFrom('subjects').select(['id', 'wrapped_key', 'kek_version'])
            .where('tenant_id', '=', tenantId).where('kek_version', '<', version).where('wrapped_key', 'is not', null)
            .limit(2000).forUpdate().skipLocked().execute();
          if (batch.length === 0) return 0;
          for (const s of batch) {
            if (!ring.hasKekVersion(s.kek_version as number)) await this.keyring(tx, tenantId, s.kek_version as number);
          }
          const ids = batch.map((s) => s.id);
          const wrapped = batch.map((s) => ring.rewrapSubjectKey(s.id, s.wrapped_key as Buffer, s.kek_version as number));
          const w = byteaColumn(wrapped);
          await sql`update subjects s set wrapped_key = ${w.cut('u.o', 'u.l')}, kek_version = ${version}
                    from unnest(${ids}::text[], ${w.offsets}, ${w.lengths}) as u(id, o, l)
                    where s.tenant_id = ${tenantId} and s.id = u.id`.execute(tx);
          return batch.length;
        });
        if (n === 0) break;
        rewrapped += n;
      }
      return { version, rewrapped };
    },
    forgetTenant(tenantId) { rings.delete(tenantId); checkedAt.delete(tenantId); },
  };
}
