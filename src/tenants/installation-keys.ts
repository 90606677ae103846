/**
 * The installation's signing keys: one per algorithm (Ed25519 for `aes` tenants, ECDSA on the SM2 curve
 * with SM3 for `sm` tenants), created on first use, private half sealed under the root key. They sign
 * what must outlive a tenant — destruction certificates — and their fingerprints are published.
 */
import type { Db } from '../db/connection.js';
import { newId } from '../core/ids.js';
import type { RootKeyProvider } from '../crypto/keyfile.js';
import { generateSigningKey } from '../crypto/signing.js';
import type { SuiteId } from '../crypto/suites.js';
import { keyFingerprint } from './certificate.js';

const aad = (id: string) => `installation-signing-key|${id}`;
const algorithmOf = (suite: SuiteId) => (suite === 'sm' ? 'ecdsa-sm2curve-sm3' : 'ed25519');

export interface InstallationSigner { id: string; algorithm: string; privateKeyPem: string; publicKeyPem: string; fingerprint: string }

export function createInstallationKeys(deps: { db: Db; root: RootKeyProvider }) {
  const cache = new Map<string, InstallationSigner>();
  return {
    /** The current signing key for the suite, created on first use. */
    async signer(suite: SuiteId): Promise<InstallationSigner> {
      const algorithm = algorithmOf(suite);
      const hit = cache.get(algorithm);
      if (hit) return hit;
      const find = () => deps.db.kysely.selectFrom('installation_keys').selectAll().where('algorithm', '=', algorithm).where('retired_at', 'is', null).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
      let row = await find();
      if (!row) {
        const pair = generateSigningKey(suite);
        const id = newId('isk');
        const sealed = await deps.root.wrap(Buffer.from(pair.privateKeyPem), aad(id), suite);
        await deps.db.kysely.insertInto('installation_keys').values({ id, algorithm, public_key: pair.publicKeyPem, fingerprint: keyFingerprint(pair.publicKeyPem), private_sealed: sealed }).execute();
        row = await find();
      }
      const r = row!;
      const pem = (await deps.root.unwrap(r.private_sealed, aad(r.id), suite)).toString('utf8');
      const s = { id: r.id, algorithm: r.algorithm, privateKeyPem: pem, publicKeyPem: r.public_key, fingerprint: r.fingerprint };
      cache.set(algorithm, s);
      return s;
    },
    /** Public halves with fingerprints, for publication and offline verification. */
    async publicKeys() {
      const rows = await deps.db.kysely.selectFrom('installation_keys').select(['id', 'algorithm', 'public_key', 'fingerprint', 'created_at', 'retired_at']).orderBy('created_at').execute();
      return rows.map((r) => ({ id: r.id, algorithm: r.algorithm, public_key: r.public_key, fingerprint: r.fingerprint, created_at: new Date(r.created_at).toISOString(), retired_at: r.retired_at ? new Date(r.retired_at).toISOString() : null }));
    },
  };
}
export type InstallationKeys = ReturnType<typeof createInstallationKeys>;
