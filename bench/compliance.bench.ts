/**
 * Issue 11 figures: enterprise deregistration of a tenant with N customers (archive of two fields, key
 * destruction, row deletion, live verification, and verification of one backup restored into a scratch store),
 * a compliance audit's evidence collection, the doctor, and DP count/histogram over the same store.
 * Scale with BENCH_DEREG_PG (100000) and BENCH_DEREG_PGLITE (20000). Run alone: node --import tsx bench/compliance.bench.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Actor } from '../src/audit/index.js';
import { CUSTOMERS_DEF, customer, openBenchStore, pgAvailable, round } from './lib.js';

const N = { postgres: Number(process.env.BENCH_DEREG_PG ?? 100_000), pglite: Number(process.env.BENCH_DEREG_PGLITE ?? 20_000) };
const ms = (t: number) => Math.round(performance.now() - t);

async function one(kind: 'pglite' | 'postgres') {
  const s = await openBenchStore(kind);
  const dir = mkdtempSync(join(tmpdir(), 'custodian-bench-dereg-'));
  try {
    const actor: Actor = { type: 'cli', id: 'cli:bench', tenantId: s.tenant, roles: ['owner'] };
    const { app } = s;
    await app.db.transaction(async (tx) => {
      await app.access.createPurpose(tx, s.tenant, { name: 'analytics', title: '统计', legal_basis: 'contract' });
      await app.collections.create(tx, s.tenant, CUSTOMERS_DEF);
    });
    let t = performance.now();
    for (let i = 0; i < N[kind]; i += 10_000) {
      const recs = Array.from({ length: Math.min(10_000, N[kind] - i) }, (_, k) => ({ fields: customer(i + k) }));
      await app.records.write(actor, 'customers', recs, true);
    }
    const write_ms = ms(t);
    await app.backup.create({ out: join(dir, 'b.bak') });

    t = performance.now();
    await app.complianceAudits.create(actor, { title: 'bench', kind: 'internal', period_from: '2026-01-01', period_to: '2026-12-31' });
    const audit_collect_ms = ms(t);
    t = performance.now();
    await app.doctor.run({ offline: true });
    const doctor_ms = ms(t);
    await app.analytics.setBudget(actor, 10);
    t = performance.now();
    await app.analytics.query(actor, { collection: 'customers', purpose: 'analytics', kind: 'count', epsilon: 0.1, label: 'count' });
    const dp_count_ms = ms(t);
    t = performance.now();
    await app.analytics.query(actor, { collection: 'customers', purpose: 'analytics', kind: 'histogram', field: 'birth_date', epsilon: 0.1, label: 'ages' });
    const dp_histogram_ms = ms(t);

    // Deregistration: request and approval straight in the store (the two-person rule is exercised by the tests).
    await app.db.kysely.insertInto('tenant_deregistrations').values({ tenant_id: s.tenant, id: 'drg_bench0000', state: 'approved', reason: 'bench', requested_by: 'a', approved_by: 'b', archive: JSON.stringify([{ collection: 'customers', fields: ['name', 'phone'], legal_basis: 'bench' }]), notice: JSON.stringify({ channel: 'other' }) }).execute();
    await app.db.kysely.updateTable('tenants').set({ state: 'frozen' }).where('id', '=', s.tenant).execute();
    t = performance.now();
    const out = await app.deregistration.execute(actor, s.tenant, { confirm_tenant_name: 'bench', archive_passphrase: 'bench-archive-passphrase' });
    const dereg_ms = ms(t);
    // The same again is not possible (destroyed); verification of one backup measured on its own.
    t = performance.now();
    await app.backup.inScratchRestore({ from: join(dir, 'b.bak') }, async (scratch) => app.deregistration.shredCheck(scratch, s.tenant, 'aes', []));
    const backup_verify_ms = ms(t);
    rmSync(out.archive!.file, { force: true });
    return { customers: N[kind], write_ms, audit_collect_ms, doctor_ms, dp_count_ms, dp_histogram_ms, deregistration_ms: dereg_ms, deregistration_per_1000_ms: round((dereg_ms / N[kind]) * 1000), backup_scratch_verify_ms: backup_verify_ms, archive_records: out.archive!.records };
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run() {
  const out: Record<string, unknown> = { pglite: await one('pglite') };
  if (await pgAvailable()) out.postgres = await one('postgres');
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run();
  writeFileSync(new URL('./results/compliance.json', import.meta.url), JSON.stringify({ at: new Date().toISOString(), node: process.version, ...r }, null, 2) + '\n');
  console.log(JSON.stringify(r, null, 2));
}
