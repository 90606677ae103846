import pg from 'pg';
import { customer, openBenchStore, CUSTOMERS_DEF, median } from '../lib.js';
import type { Actor } from '../../src/audit/index.js';
let captured: any = null;
const orig = pg.Client.prototype.query as any;
(pg.Client.prototype as any).query = function (this: any, ...a: any[]) { const t = typeof a[0] === 'string' ? a[0] : a[0]?.text; if (t && t.includes('with hit as')) captured = { text: t, values: a[1] ?? a[0]?.values }; return orig.apply(this, a); };
const s = await openBenchStore('postgres');
const actor: Actor = { type: 'system', id: 'bench', tenantId: s.tenant, roles: ['owner'] };
await s.app.db.transaction(async (tx) => {
  await s.app.access.createPurpose(tx, s.tenant, { name: 'customer_service', title: '客户服务', legal_basis: 'contract' });
  await s.app.collections.create(tx, s.tenant, CUSTOMERS_DEF);
});
for (let i = 0; i < 5000; i += 1000) await s.app.records.write(actor, 'customers', Array.from({ length: 1000 }, (_, j) => ({ fields: customer(i + j) })), true);
await s.app.records.search(actor, { collection: 'customers', field: 'phone', value: customer(5).phone, purpose: 'customer_service', fields: ['name', 'phone', 'email', 'address', 'birth_date'] });
const c = new pg.Client({ connectionString: (s.app.cfg as any).databaseUrl }); await c.connect();
console.log(captured.text);
const ts: Record<string, number[]> = { stmt: [], explainTx: [] };
for (let i = 0; i < 300; i++) { const t = performance.now(); await c.query(captured.text, captured.values); ts.stmt.push(performance.now() - t); }
await c.query('begin');
const ex = await c.query('explain (analyze, buffers, timing) ' + captured.text, captured.values);
console.log(ex.rows.map((r: any) => r['QUERY PLAN']).join('\n'));
await c.query('rollback');
for (let i = 0; i < 300; i++) { const t = performance.now(); await c.query('begin'); await c.query(captured.text, captured.values); await c.query('rollback'); ts.explainTx.push(performance.now() - t); }
console.log('stmt autocommit median', median(ts.stmt).toFixed(3), 'stmt rolled back (3 round trips) median', median(ts.explainTx).toFixed(3));
await c.end(); await s.close();
