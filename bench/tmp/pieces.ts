import { sql } from 'kysely';
import { customer, openBenchStore, CUSTOMERS_DEF, median } from '../lib.js';
import { normaliseValue } from '../../src/core/pi-types.js';
import type { Actor } from '../../src/audit/index.js';
import { autocommit } from '../../src/db/connection.js';
const s = await openBenchStore((process.argv[2] ?? 'postgres') as any);
const actor: Actor = { type: 'system', id: 'bench', tenantId: s.tenant, roles: ['owner'] };
await s.app.db.transaction(async (tx) => {
  await s.app.access.createPurpose(tx, s.tenant, { name: 'customer_service', title: '客户服务', legal_basis: 'contract' });
  await s.app.collections.create(tx, s.tenant, CUSTOMERS_DEF);
});
for (let i = 0; i < 5000; i += 1000) await s.app.records.write(actor, 'customers', Array.from({ length: 1000 }, (_, j) => ({ fields: customer(i + j) })), true);
const c = await s.app.collections.get(autocommit(s.app.db), s.tenant, 'customers');
const ring = await s.app.keys.keyring(autocommit(s.app.db), s.tenant);
async function time(label: string, n: number, fn: (i: number) => Promise<unknown>) {
  const ts: number[] = [];
  for (let i = 0; i < n; i++) { const t = performance.now(); await fn(i); ts.push(performance.now() - t); }
  console.log(label, 'median ms', median(ts).toFixed(3));
}
await time('select 1', 1000, () => sql`select 1`.execute(s.app.db.kysely));
await time('bare lookup sql', 1000, (i) => sql`select r.id, r.subject_id, r.sealed, su.wrapped_key, su.kek_version from blind_index bi
      join records r on r.tenant_id = bi.tenant_id and r.id = bi.record_id
      join subjects su on su.tenant_id = r.tenant_id and su.id = r.subject_id
      where bi.tenant_id = ${s.tenant} and bi.hash = ${ring.blindIndex(c.id, 'phone', (normaliseValue('mobile', customer(i % 5000).phone) as any).value)} limit 100`.execute(s.app.db.kysely));
await time('service search', 1000, (i) => s.app.records.search(actor, { collection: 'customers', field: 'phone', value: customer(i % 5000).phone, purpose: 'customer_service', fields: ['name', 'phone', 'email', 'address', 'birth_date'] } as any).catch((e) => { if (i === 0) console.log(e.message); }));
await s.close();
