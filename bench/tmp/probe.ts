import { sql } from 'kysely';
import { buildServer } from '../../src/http/server.js';
import { runLoad } from '../http-load.js';
import { customer, median, openBenchStore, percentile, round, CUSTOMERS_DEF } from '../lib.js';
import type { Actor } from '../../src/audit/index.js';

const kind = (process.argv[2] ?? 'postgres') as 'postgres' | 'pglite';
const s = await openBenchStore(kind);
const actor: Actor = { type: 'system', id: 'bench', tenantId: s.tenant, roles: ['owner'] };
await s.app.db.transaction(async (tx) => {
  await s.app.access.createPurpose(tx, s.tenant, { name: 'customer_service', title: '客户服务', legal_basis: 'contract' });
  await s.app.collections.create(tx, s.tenant, CUSTOMERS_DEF);
});
for (let i = 0; i < 5000; i += 1000) await s.app.records.write(actor, 'customers', Array.from({ length: 1000 }, (_, j) => ({ fields: customer(i + j) })), true);
const f = await buildServer(s.app, { logger: false });
f.post('/bench/noop', async () => ({ records: [{}] }));
f.post('/bench/sql', async () => { await sql`select 1`.execute(s.app.db.kysely); return { records: [{}] }; });
await f.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(f.server.address() as { port: number }).port}`;
const bodies = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ field: 'phone', value: customer((i * 7) % 5000).phone, purpose: 'customer_service', fields: ['name', 'phone', 'email', 'address', 'birth_date'] }));
for (const path of (process.argv[3] ?? '/bench/noop,/bench/sql,/api/v1/collections/customers/search').split(',')) {
  await runLoad({ base, path, key: s.key, bodies: bodies(300), concurrency: 1 });
  const r = await runLoad({ base, path, key: s.key, bodies: bodies(2000), concurrency: 1 });
  const c = await runLoad({ base, path, key: s.key, bodies: bodies(4000), concurrency: 8 });
  console.log(path, 'seq/s', round(2000 / r.seconds), 'p50', round(median(r.latencies), 3), 'p99', round(percentile(r.latencies, 99), 2), 'conc8/s', round(4000 / c.seconds));
}
await f.close();
await s.close();
