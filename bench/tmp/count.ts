import pg from 'pg';
import { customer, openBenchStore, CUSTOMERS_DEF } from '../lib.js';
import { buildServer } from '../../src/http/server.js';
import type { Actor } from '../../src/audit/index.js';
let n = 0; const texts = new Map<string, number>();
const orig = pg.Client.prototype.query as any;
(pg.Client.prototype as any).query = function (this: any, ...a: any[]) { n++; const t = typeof a[0] === 'string' ? a[0] : a[0]?.text; if (t) texts.set(t.slice(0, 90), (texts.get(t.slice(0, 90)) ?? 0) + 1); return orig.apply(this, a); };
const s = await openBenchStore('postgres');
const actor: Actor = { type: 'system', id: 'bench', tenantId: s.tenant, roles: ['owner'] };
await s.app.db.transaction(async (tx) => {
  await s.app.access.createPurpose(tx, s.tenant, { name: 'customer_service', title: '客户服务', legal_basis: 'contract' });
  await s.app.collections.create(tx, s.tenant, CUSTOMERS_DEF);
});
await s.app.records.write(actor, 'customers', Array.from({ length: 100 }, (_, j) => ({ fields: customer(j) })), true);
const f = await buildServer(s.app, { logger: false });
const H = { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' };
const one = (i: number) => f.inject({ method: 'POST', url: '/api/v1/collections/customers/search', headers: H, payload: JSON.stringify({ field: 'phone', value: customer(i).phone, purpose: 'customer_service', fields: ['name', 'phone', 'email', 'address', 'birth_date'] }) });
for (let i = 0; i < 20; i++) await one(i);
await new Promise((r) => setTimeout(r, 300));
n = 0; texts.clear();
for (let i = 0; i < 100; i++) { const r = await one(i); if (r.statusCode !== 200) console.log(r.body); }
await new Promise((r) => setTimeout(r, 300));
console.log('queries per search', n / 100);
for (const [t, c] of [...texts].sort((a, b) => b[1] - a[1])) console.log(c, t.replace(/\s+/g, ' '));
await f.close(); await s.close();
