/**
 * Tenants: a new tenant gets its key hierarchy, its backup key (ADR 0013), a signing key for audit checkpoints, the built-in
 * `owner` role (every action on every field for every purpose, plain, plus admin), an admin account
 * and a first API key holding that role. Secrets are returned once and stored only hashed or sealed.
 */
import { randomBytes } from 'node:crypto';
import { hash as argon2Hash } from '@node-rs/argon2';
import type { Db, Tx } from '../db/connection.js';
import { newId } from '../core/ids.js';
import type { RootKeyProvider } from '../crypto/keyfile.js';
import type { TenantBackupKeyStore } from '../crypto/backup-keys.js';
import { createTenantKeys } from '../crypto/keyring.js';
import { generateSigningKey } from '../crypto/signing.js';
import type { SuiteId } from '../crypto/suites.js';
import type { AccessService } from '../access/index.js';
import { ACTIONS } from '../access/index.js';

const signingAad = (tenantId: string, keyId: string) => `signing-key|${tenantId}|${keyId}`;

export function createTenantService(deps: { db: Db; root: RootKeyProvider; access: AccessService; backupKeys: TenantBackupKeyStore }) {
  const suites = new Map<string, SuiteId>();
  const signers = new Map<string, { id: string; algorithm: string; privateKeyPem: string }>();

  async function suiteOf(tx: Tx, tenantId: string): Promise<SuiteId> {
    let s = suites.get(tenantId);
    if (!s) {
      s = (await tx.selectFrom('tenants').select('suite').where('id', '=', tenantId).executeTakeFirstOrThrow()).suite;
      suites.set(tenantId, s);
    }
    return s;
  }

  return {
    suiteOf,
    async hashName(tx: Tx, tenantId: string) { return (await suiteOf(tx, tenantId)) === 'sm' ? 'sm3' as const : 'sha256' as const; },
    async signingKey(tx: Tx, tenantId: string) {
      const hit = signers.get(tenantId);
      if (hit) return hit;
      const suite = await suiteOf(tx, tenantId);
      const k = await tx.selectFrom('signing_keys').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow();
      const pem = (await deps.root.unwrap(k.private_sealed, signingAad(tenantId, k.id), suite)).toString('utf8');
      const v = { id: k.id, algorithm: k.algorithm, privateKeyPem: pem };
      signers.set(tenantId, v);
      return v;
    },
    async publicKeys(tx: Tx, tenantId: string) {
      return tx.selectFrom('signing_keys').select(['id', 'algorithm', 'public_key', 'created_at']).where('tenant_id', '=', tenantId).execute();
    },
    async firstTenantId(): Promise<string | null> {
      const t = await deps.db.kysely.selectFrom('tenants').select('id').orderBy('created_at').limit(1).executeTakeFirst();
      return t?.id ?? null;
    },

    /** Create a tenant with everything it needs to be used at once; returns the one-time secrets. */
    async createTenant(input: { name: string; suite: SuiteId; adminUsername?: string }) {
      const tenantId = newId('ten');
      const keys = await createTenantKeys(deps.root, tenantId, input.suite);
      const signing = generateSigningKey(input.suite);
      const signingId = newId('sig');
      const signingSealed = await deps.root.wrap(Buffer.from(signing.privateKeyPem), signingAad(tenantId, signingId), input.suite);
      const password = randomBytes(18).toString('base64url');
      const passwordHash = await argon2Hash(password);
      const username = input.adminUsername ?? 'admin';
      return deps.db.transaction(async (tx) => {
        await tx.insertInto('tenants').values({ id: tenantId, name: input.name, suite: input.suite, kek_version: 1, index_key_wrapped: keys.indexKeyWrapped }).execute();
        await tx.insertInto('tenant_keys').values({ tenant_id: tenantId, version: 1, wrapped: keys.kekWrapped }).execute();
        // With its backup key from the start, so every backup that holds the tenant can seal its keys (ADR 0013).
        await deps.backupKeys.current(tx, tenantId, input.suite);
        await tx.insertInto('signing_keys').values({ tenant_id: tenantId, id: signingId, algorithm: signing.algorithm, public_key: signing.publicKeyPem, private_sealed: signingSealed }).execute();
        await tx.insertInto('roles').values({
          tenant_id: tenantId, name: 'owner', title: '所有者 / Owner', builtin: true, permissions: JSON.stringify(['admin']),
          grants: JSON.stringify([{ collection: '*', fields: ['*'], actions: [...ACTIONS], purposes: ['*'], view: 'plain' }]),
        }).execute();
        await tx.insertInto('roles').values({ tenant_id: tenantId, name: 'admin', title: '管理员 / Administrator (no PI)', builtin: true, permissions: JSON.stringify(['admin']), grants: JSON.stringify([]) }).execute();
        const staffId = newId('stf');
        await tx.insertInto('staff').values({ tenant_id: tenantId, id: staffId, username, display_name: '管理员', password_hash: passwordHash, roles: JSON.stringify(['admin']) }).execute();
        const key = await deps.access.createApiKey(tx, tenantId, { name: 'owner (init)', roles: ['owner'] });
        return { tenant: tenantId, suite: input.suite, api_key: key.api_key, api_key_id: key.id, admin: { username, password } };
      });
    },
  };
}
export type TenantService = ReturnType<typeof createTenantService>;
