/**
 * The search + read of the vault bench with grant, legal basis, masking and audit switched off (bench harness only,
 * never registered by the server): the same authentication and body validation, then the blind-index lookup and
 * decryption as one prepared statement, like the checked path. POST /bench/unchecked-search.
 */
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { normaliseValue } from '../src/core/pi-types.js';
import { unpackFields, fieldAad } from '../src/vault/sealed-record.js';
import { autocommit, prepared } from '../src/db/connection.js';
import { createAuthenticator } from '../src/http/auth.js';
import { SearchBody } from '../src/http/routes/schemas.js';
import type { BenchStore } from './lib.js';

export function uncheckedSearchRoute(s: BenchStore) {
  return async (api: FastifyInstance) => {
    api.addHook('onRequest', createAuthenticator(s.app));
    api.withTypeProvider<ZodTypeProvider>().post('/bench/unchecked-search', { schema: { body: SearchBody } }, async (req) => {
      const b = req.body;
      const q = autocommit(s.app.db);
      const c = await s.app.collections.get(q, req.actor.tenantId, 'customers');
      const ring = await s.app.keys.keyring(q, req.actor.tenantId);
      const n = normaliseValue('mobile', b.value);
      const rows = (await sql<{ id: string; subject_id: string; sealed: Buffer; wrapped_key: Buffer; kek_version: number }>`${sql.raw(prepared('bench_unchecked'))}
        select r.id, r.subject_id, r.sealed, su.wrapped_key, su.kek_version from blind_index bi
        join records r on r.tenant_id = bi.tenant_id and r.id = bi.record_id
        join subjects su on su.tenant_id = r.tenant_id and su.id = r.subject_id
        where bi.tenant_id = ${req.actor.tenantId} and bi.hash = ${ring.blindIndex(c.id, 'phone', (n as { value: string }).value)} and su.wrapped_key is not null limit 100`.execute(q)).rows;
      const fields = b.fields ?? [];
      return { records: rows.map((r) => {
        const key = ring.subjectKey(r.subject_id, r.wrapped_key, r.kek_version);
        const sealed = unpackFields(r.sealed);
        return { id: r.id, subject_id: r.subject_id, fields: Object.fromEntries(fields.map((fn) => [fn, ring.suite.open(key, sealed.get(fn) as Buffer, fieldAad(req.actor.tenantId, c.id, r.id, r.subject_id, fn)).toString()])) };
      }) };
    });
  };
}
