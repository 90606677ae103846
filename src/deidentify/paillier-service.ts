/**
 * Additively homomorphic encryption (Paillier, npm `paillier-bigint`): the handler encrypts a numeric
 * field of its customers under its own public key and gives the ciphertexts to a partner, who can add
 * them up (multiply ciphertexts mod n²) without reading any of them; the handler decrypts only the
 * total the partner sends back. Private keys are sealed under the root key; every export and decryption
 * is audited. A decryption oracle decrypts whatever it is given, so `analytics.use` on decrypt-sum must
 * go only to people who may see single values anyway (documented in docs/compliance.md).
 */
import { sql } from 'kysely';
import * as paillier from 'paillier-bigint';
import type { Db, Tx } from '../db/connection.js';
import { conflict, invalidField, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { RootKeyProvider } from '../crypto/keyfile.js';
import type { SuiteId } from '../crypto/suites.js';
import type { KeyService } from '../crypto/keys-service.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import { fieldAad, unpackFields, type CollectionStore } from '../vault/index.js';

export interface PaillierDeps {
  db: Db; root: RootKeyProvider; suiteOf: (tx: Tx, tenantId: string) => Promise<SuiteId>; keys: Pick<KeyService, 'keyring'>;
  access: Pick<AccessService, 'requirePermission' | 'basisRefusalSql'>; audit: Pick<AuditService, 'record'>; collections: CollectionStore;
}

const aad = (tenantId: string, id: string) => `paillier-key|${tenantId}|${id}`;
const BATCH = 5000;

/** Integers mod n: negative values wrap around; a decrypted value above n/2 is negative. */
export function encodeSigned(v: bigint, n: bigint): bigint { return ((v % n) + n) % n; }
export function decodeSigned(m: bigint, n: bigint): bigint { return m > n / 2n ? m - n : m; }

export function createPaillierService(deps: PaillierDeps) {
  const { db, access, audit } = deps;

  async function loadKey(tx: Tx, tenantId: string, id: string) {
    const k = await tx.selectFrom('paillier_keys').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    if (!k) throw notFound('analytics.paillier_key_not_found', '同态加密密钥不存在', 'Paillier key not found');
    const n = BigInt(k.public_n);
    const pub = new paillier.PublicKey(n, n + 1n);
    return { row: k, pub };
  }

  return {
    async createKey(actor: Actor, input: { bits?: number }) {
      const bits = input.bits ?? 3072;
      if (![2048, 3072, 4096].includes(bits)) throw invalidField('bits', '只能是 2048、3072 或 4096', 'must be 2048, 3072 or 4096');
      await db.transaction((tx) => access.requirePermission(tx, actor, 'analytics.use'));
      const { publicKey, privateKey } = await paillier.generateRandomKeys(bits, true);
      const id = newId('phk');
      const secret = Buffer.from(JSON.stringify({ lambda: privateKey.lambda.toString(), mu: privateKey.mu.toString() }));
      await db.transaction(async (tx) => {
        const sealed = await deps.root.wrap(secret, aad(actor.tenantId, id), await deps.suiteOf(tx, actor.tenantId));
        await tx.insertInto('paillier_keys').values({ tenant_id: actor.tenantId, id, bits, public_n: publicKey.n.toString(), private_sealed: sealed }).execute();
        await audit.record(tx, actor, [{ action: 'analytics.paillier_key_create', decision: 'allow', details: { key_id: id, bits } }]);
      });
      secret.fill(0);
      return { id, bits, n: publicKey.n.toString(), g: publicKey.g.toString() };
    },

    /**
     * Ciphertexts of one numeric field (value x scale, rounded) for every record whose subject has a basis
     * for the purpose; in random order, without record or subject ids.
     */
    async encryptField(actor: Actor, input: { key_id: string; collection: string; field: string; purpose: string; scale?: number }) {
      const scale = input.scale ?? 1;
      if (!Number.isInteger(scale) || scale < 1 || scale > 1_000_000) throw invalidField('scale', '须为 1 到 1000000 的整数', 'must be an integer from 1 to 1000000');
      const { pub, c, refusal } = await db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'analytics.use');
        const { pub } = await loadKey(tx, actor.tenantId, input.key_id);
        const c = await deps.collections.get(tx, actor.tenantId, input.collection);
        const f = deps.collections.field(c, input.field, 'field');
        if (f.type !== 'number') throw invalidField('field', '必须是数值字段', 'must be a number field');
        const p = await tx.selectFrom('purposes').select('name').where('tenant_id', '=', actor.tenantId).where('name', '=', input.purpose).executeTakeFirst();
        if (!p) throw invalidField('purpose', '未登记', 'is not a registered purpose');
        const t = await tx.selectFrom('tenants').select('state').where('id', '=', actor.tenantId).executeTakeFirstOrThrow();
        if (t.state !== 'active') throw conflict('analytics.tenant_frozen', '企业注销程序进行中，处理已冻结', 'processing is frozen (deregistration)');
        return { pub, c, refusal: await access.basisRefusalSql(tx, actor.tenantId, input.purpose, sql.ref('page.subject_id')) };
      });
      const ring = await db.transaction((tx) => deps.keys.keyring(tx, actor.tenantId));
      const out: string[] = [];
      let after = '';
      for (;;) {
        const rows = (await sql<{ id: string; subject_id: string; sealed: Buffer; wrapped_key: Buffer | null; kek_version: number; refused: string | null }>`
          with page as (select r.id, r.subject_id, r.sealed from records r where r.tenant_id = ${actor.tenantId} and r.collection_id = ${c.id} and r.id > ${after} order by r.id limit ${BATCH})
          select page.id, page.subject_id, page.sealed, s.wrapped_key, s.kek_version, ${refusal} as refused
          from page join subjects s on s.tenant_id = ${actor.tenantId} and s.id = page.subject_id order by page.id`.execute(db.kysely)).rows;
        if (!rows.length) break;
        for (const r of rows) {
          if (!r.wrapped_key || r.refused) continue;
          const b = unpackFields(r.sealed).get(input.field);
          if (!b) continue;
          if (!ring.hasKekVersion(r.kek_version)) await db.transaction((tx) => deps.keys.keyring(tx, actor.tenantId, r.kek_version));
          const v = Number(ring.suite.open(ring.subjectKey(r.subject_id, r.wrapped_key, r.kek_version), b, fieldAad(actor.tenantId, c.id, r.id, r.subject_id, input.field)).toString('utf8'));
          if (!Number.isFinite(v)) continue;
          out.push(pub.encrypt(encodeSigned(BigInt(Math.round(v * scale)), pub.n)).toString());
        }
        after = rows[rows.length - 1].id;
      }
      for (let i = out.length - 1; i > 0; i--) { const j = Math.floor(Math.random() * (i + 1)); [out[i], out[j]] = [out[j], out[i]]; }
      await db.transaction((tx) => audit.record(tx, actor, [{ action: 'analytics.paillier_export', decision: 'allow', purpose: input.purpose, collection: c.name, fields: [input.field], details: { key_id: input.key_id, values: out.length, scale } }]));
      return { key: { id: input.key_id, n: pub.n.toString(), g: pub.g.toString() }, scale, count: out.length, ciphertexts: out };
    },

    /** Decrypt a total a partner computed from the exported ciphertexts (audited with the declared count). */
    async decryptSum(actor: Actor, input: { key_id: string; ciphertext: string; count: number; scale?: number }) {
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'analytics.use');
        const { row, pub } = await loadKey(tx, actor.tenantId, input.key_id);
        let c: bigint;
        try { c = BigInt(input.ciphertext); } catch { throw invalidField('ciphertext', '不是十进制整数', 'is not a decimal integer'); }
        if (c <= 0n || c >= pub._n2) throw invalidField('ciphertext', '不在该公钥的密文空间内', 'is outside this key\'s ciphertext space');
        const secret = JSON.parse((await deps.root.unwrap(row.private_sealed, aad(actor.tenantId, row.id), await deps.suiteOf(tx, actor.tenantId))).toString('utf8')) as { lambda: string; mu: string };
        const priv = new paillier.PrivateKey(BigInt(secret.lambda), BigInt(secret.mu), pub);
        const m = decodeSigned(priv.decrypt(c), pub.n);
        await audit.record(tx, actor, [{ action: 'analytics.paillier_decrypt_sum', decision: 'allow', details: { key_id: row.id, declared_count: input.count } }]);
        const scale = input.scale ?? 1;
        return { key_id: row.id, sum: scale === 1 ? m.toString() : String(Number(m) / scale), declared_count: input.count };
      });
    },
  };
}
export type PaillierService = ReturnType<typeof createPaillierService>;
