/**
 * Rights, erasure and backup figures (issue 5). Median of the rounds; each phase on a fresh store.
 * - erase N subjects (one record each) on PostgreSQL in one call (set-based batches)
 * - export one subject's data among M stored records (vault export + full request export)
 * - backup create / restore (with ledger replay) / drill of a store of M records, PostgreSQL and PGlite
 * PostgreSQL from BENCH_DATABASE_URL / CUSTODIAN_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 * Scale with BENCH_ERASE (100000), BENCH_RECORDS_PG (1000000), BENCH_RECORDS_PGLITE (200000), BENCH_ROUNDS (3).
 * Run alone: node --import tsx bench/rights.bench.ts
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../src/core/config.js';
import { createKeyfile, localRootKeyProvider, openKeyfile } from '../src/crypto/keyfile.js';
import { openDb } from '../src/db/connection.js';
import { assemble, keyfilePath, type Custodian } from '../src/app.js';
import { createLogger } from '../src/core/logger.js';
import type { Actor } from '../src/audit/index.js';

const PG_URL = process.env.BENCH_DATABASE_URL ?? process.env.CUSTODIAN_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const N_ERASE = Number(process.env.BENCH_ERASE ?? 100_000);
const M_PG = Number(process.env.BENCH_RECORDS_PG ?? 1_000_000);
const M_LITE = Number(process.env.BENCH_RECORDS_PGLITE ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const ms = (t: number) => Math.round(performance.now() - t);

interface Store { app: Custodian; actor: Actor; close(): Promise<void> }

async function openStore(kind: 'pglite' | 'postgres'): Promise<Store> {
  const dataDir = mkdtempSync(join(tmpdir(), 'custodian-bench-'));
  let databaseUrl: string | undefined, schema: string | undefined;
  if (kind === 'postgres') {
    schema = `b_${randomBytes(5).toString('hex')}`;
    const c = new pg.Client({ connectionString: PG_URL }); await c.connect(); await c.query(`create schema ${schema}`); await c.end();
    const u = new URL(PG_URL); u.searchParams.set('options', `-c search_path=${schema}`); databaseUrl = u.toString();
  }
  const cfg = loadConfig({ dataDir, env: {}, overrides: { databaseUrl, passphrase: 'bench-passphrase-123', logLevel: 'silent' } });
  createKeyfile(keyfilePath(cfg), 'bench-passphrase-123');
  const root = localRootKeyProvider(openKeyfile(keyfilePath(cfg), 'bench-passphrase-123'));
  const db = await openDb({ dataDir, databaseUrl, poolSize: 4 });
  const app = assemble(cfg, db, root, createLogger({ level: 'silent' }));
  const t = await app.tenants.createTenant({ name: 'bench', suite: 'aes' });
  const actor: Actor = { type: 'cli', id: 'bench', tenantId: t.tenant, roles: ['owner'] };
  await app.db.transaction(async (tx) => {
    await app.access.createPurpose(tx, t.tenant, { name: 'customer_service', title: '客户服务', legal_basis: 'contract' });
    await app.collections.create(tx, t.tenant, { name: 'customers', fields: [{ name: 'name', type: 'person_name' }, { name: 'phone', type: 'mobile', searchable: true }, { name: 'email', type: 'email' }] });
    await app.collections.create(tx, t.tenant, { name: 'orders', fields: [{ name: 'address', type: 'address' }, { name: 'amount', type: 'number' }] });
  });
  return {
    app, actor,
    async close() {
      await app.close();
      if (schema) { const c = new pg.Client({ connectionString: PG_URL }); await c.connect(); await c.query(`drop schema ${schema} cascade`); await c.end(); }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Write n customers (one record per new subject) in batches; returns the subject ids. */
async function fill(s: Store, n: number, offset = 0): Promise<string[]> {
  const subjects: string[] = [];
  for (let i = 0; i < n; i += 10_000) {
    const k = Math.min(10_000, n - i);
    const recs = Array.from({ length: k }, (_, j) => ({ fields: { name: '用户' + (offset + i + j), phone: `139${String(offset + i + j).padStart(8, '0')}`, email: `u${offset + i + j}@example.cn` } }));
    subjects.push(...(await s.app.records.write(s.actor, 'customers', recs, true)).subjects);
  }
  return subjects;
}

async function benchErase() {
  const times: number[] = [];
  let writeRate = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const s = await openStore('postgres');
    try {
      const tw = performance.now();
      const ids = await fill(s, N_ERASE);
      writeRate = Math.round(N_ERASE / ((performance.now() - tw) / 1000));
      const t = performance.now();
      const out = await s.app.subjects.eraseSubjects(s.actor, ids, 'bench');
      times.push(ms(t));
      if (out.subjects_erased !== N_ERASE) throw new Error(`erased ${out.subjects_erased}`);
    } finally { await s.close(); }
  }
  return { subjects: N_ERASE, rounds: ROUNDS, median_ms: median(times), all_ms: times, target_ms: 10_000, write_records_per_s: writeRate };
}

async function benchExportAndBackup(kind: 'pglite' | 'postgres', m: number) {
  const s = await openStore(kind);
  const dir = mkdtempSync(join(tmpdir(), 'custodian-bench-bk-'));
  try {
    const tw = performance.now();
    await fill(s, m - 5);
    const fillMs = ms(tw);
    // The subject of interest: 2 customer records and 3 order records.
    const one = await s.app.records.write(s.actor, 'customers', [{ fields: { name: '目标', phone: '13712345678' } }], false);
    const subject = one.subjects[0];
    await s.app.records.write(s.actor, 'customers', [{ subject_id: subject, fields: { name: '目标2' } }], false);
    await s.app.records.write(s.actor, 'orders', [1, 2, 3].map((i) => ({ subject_id: subject, fields: { address: `上海市${i}号`, amount: i } })), true);
    const vault: number[] = [], full: number[] = [];
    for (let i = 0; i < 15; i++) {
      let t = performance.now();
      const data = await s.app.subjects.exportSubject(s.actor, subject);
      vault.push(performance.now() - t);
      if (data.collections.reduce((a, c) => a + c.records.length, 0) !== 5) throw new Error('export size');
      const req = await s.app.rights.create(s.actor, { subject_id: subject, kind: 'copy' });
      await s.app.rights.transition(s.actor, req.id, { to: 'verifying' });
      await s.app.rights.transition(s.actor, req.id, { to: 'in_progress', verification: { method: 'id_document', result: 'passed' } });
      await s.app.rights.transition(s.actor, req.id, { to: 'completed' });
      t = performance.now();
      await s.app.rights.exportRequest(s.actor, req.id, 'json');
      full.push(performance.now() - t);
    }
    const backups: number[] = [], restores: number[] = [];
    let bytes = 0, rows = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const f = join(dir, `b${r}.bak`);
      let t = performance.now();
      const b = await s.app.backup.create({ out: f });
      backups.push(ms(t)); bytes = statSync(f).size; rows = b.rows;
      t = performance.now();
      await s.app.backup.restore({ from: f });
      restores.push(ms(t));
      if (r < ROUNDS - 1) rmSync(f);
    }
    let drill: number | null = null;
    if (kind === 'postgres' || m <= 300_000) {
      const t = performance.now();
      const d = await s.app.backup.drill({ from: join(dir, `b${ROUNDS - 1}.bak`) });
      drill = ms(t);
      if (!d.ok) throw new Error(`drill failed: ${d.problem}`);
    }
    return {
      store: kind, records: m, fill_ms: fillMs,
      export_vault_median_ms: Math.round(median(vault) * 10) / 10, export_request_json_median_ms: Math.round(median(full) * 10) / 10, export_target_ms: 200,
      backup_median_ms: median(backups), restore_median_ms: median(restores), backup_all_ms: backups, restore_all_ms: restores, target_ms: 60_000,
      backup_bytes: bytes, backup_rows_all_tables: rows, drill_ms: drill,
    };
  } finally { await s.close(); rmSync(dir, { recursive: true, force: true }); }
}

export async function run(): Promise<Record<string, unknown>> {
  const only = process.env.BENCH_ONLY;
  const out: Record<string, unknown> = { node: process.version };
  if (!only || only === 'erase') out.erase_subjects_postgres = await benchErase();
  if (!only || only === 'pg') out.export_backup_postgres = await benchExportAndBackup('postgres', M_PG);
  if (!only || only === 'pglite') out.export_backup_pglite = await benchExportAndBackup('pglite', M_LITE);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then((r) => { console.log(JSON.stringify(r, null, 2)); process.exit(0); }, (e) => { console.error(e); process.exit(1); });
}
