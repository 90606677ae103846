/**
 * Where the time of one search + read goes, one request at a time over HTTP (issues 2 and 3): the CPU each of the
 * three processes on a request's path spends per request — the load client (bench/http-load-worker.mjs, as a process
 * of its own), the Custodian server (this process) and PostgreSQL (all its processes, from /proc) — for the checked
 * call, the call with the checks off, and the checked call with one cost taken away at a time. On a 2-core machine,
 * one request at a time, the wall time of a request is about the sum of the three.
 *
 * Not part of `npm run bench` (about two minutes, PostgreSQL on this host only):
 *   node --import tsx bench/search-cpu.ts      → bench/results/search-cpu-<date>.json
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { buildServer } from '../src/http/server.js';
import type { Actor } from '../src/audit/index.js';
import { CUSTOMERS_DEF, customer, median, openBenchStore, PG_URL, round } from './lib.js';
import { uncheckedSearchRoute } from './unchecked-search.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 20_000);
const N = Number(process.env.BENCH_LOOKUPS ?? 4000);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const CHECKED = '/api/v1/collections/customers/search';
const UNCHECKED = '/bench/unchecked-search';

/** CPU time of every PostgreSQL process on this host, in µs (clock ticks of 10 ms: use over seconds, not per call). */
function postgresCpuUs(): number {
  let ticks = 0;
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const st = readFileSync(`/proc/${p}/stat`, 'utf8');
      if (!st.includes('(postgres)')) continue;
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch { /* the process ended */ }
  }
  return ticks * 10_000;
}

interface Variant { name: string; what: string; path: string; pgOptions?: string; stopChainer?: boolean; dropIndexes?: string[] }
const VARIANTS: Variant[] = [
  { name: 'checked', what: 'the shipped search + read: grant, legal basis, masking, audit event in the statement, chained after', path: CHECKED },
  { name: 'unchecked', what: 'the same call with grant, legal basis, masking and audit switched off (bench harness)', path: UNCHECKED },
  { name: 'checked_no_chainer', what: 'checked, with the audit chainer stopped (events stay pending: measurement only)', path: CHECKED, stopChainer: true },
  { name: 'checked_async_commit', what: 'checked, with synchronous_commit = off (not adopted, ADR 0015)', path: CHECKED, pgOptions: '-c synchronous_commit=off' },
  { name: 'checked_3_fewer_audit_indexes', what: 'checked, without the audit indexes by subject, actor and time (measurement only)', path: CHECKED, dropIndexes: ['audit_subject', 'audit_actor', 'audit_at'] },
];

async function measure(v: Variant) {
  const s = await openBenchStore('postgres', 'aes', v.pgOptions);
  const dir = mkdtempSync(join(tmpdir(), 'custodian-cpu-'));
  try {
    const actor: Actor = { type: 'system', id: 'bench', tenantId: s.tenant, roles: ['owner'] };
    await s.app.db.transaction(async (tx) => {
      await s.app.access.createPurpose(tx, s.tenant, { name: 'customer_service', title: '客户服务', legal_basis: 'contract' });
      await s.app.collections.create(tx, s.tenant, CUSTOMERS_DEF);
    });
    for (let i = 0; i < RECORDS; i += 5000) await s.app.records.write(actor, 'customers', Array.from({ length: Math.min(5000, RECORDS - i) }, (_, j) => ({ fields: customer(i + j) })), true);
    if (v.stopChainer) await s.app.audit.stop();
    if (v.dropIndexes) {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      for (const i of v.dropIndexes) await c.query(`drop index ${s.schema}.${i}`);
      await c.end();
    }
    const f = await buildServer(s.app, { logger: false });
    await f.register(uncheckedSearchRoute(s));
    await f.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(f.server.address() as { port: number }).port}`;
    const job = (n: number, step: number) => {
      const file = join(dir, `job-${n}-${step}.json`);
      writeFileSync(file, JSON.stringify({ base, path: v.path, key: s.key, concurrency: 1, bodies: Array.from({ length: n }, (_, i) => JSON.stringify({ field: 'phone', value: customer((i * step) % RECORDS).phone, purpose: 'customer_service', fields: ['name', 'phone', 'email', 'address', 'birth_date'] })) }));
      return file;
    };
    const client = (file: string) => new Promise<{ seconds: number; latencies: number[]; client_cpu_us: number }>((res, rej) => execFile(process.execPath, [new URL('./http-load-worker.mjs', import.meta.url).pathname, file], { maxBuffer: 64 << 20 }, (e, out) => (e ? rej(e) : res(JSON.parse(out)))));
    const warm = job(300, 7), main = job(N, 7919);
    const runs: Array<{ per_s: number; p50_ms: number; client_us: number; server_us: number; postgres_us: number }> = [];
    for (let k = 0; k < REPS; k++) {
      await client(warm);
      const c0 = process.cpuUsage(), p0 = postgresCpuUs();
      const r = await client(main);
      const c = process.cpuUsage(c0), p = postgresCpuUs() - p0;
      runs.push({ per_s: N / r.seconds, p50_ms: median(r.latencies), client_us: r.client_cpu_us, server_us: (c.user + c.system) / N, postgres_us: p / N });
    }
    await f.close();
    const m = (k: keyof (typeof runs)[number]) => round(median(runs.map((r) => r[k])), k === 'p50_ms' ? 3 : 0);
    return { what: v.what, per_s: m('per_s'), p50_ms: m('p50_ms'), cpu_us_per_request: { client: m('client_us'), server: m('server_us'), postgres: m('postgres_us') } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await s.close();
  }
}

const out: Record<string, unknown> = { at: new Date().toISOString(), records: RECORDS, lookups: N, reps: REPS, note: 'medians of the reps; CPU per request from process.cpuUsage (client, server) and /proc (every PostgreSQL process, so autovacuum and the WAL writer count too)' };
for (const v of VARIANTS.filter((x) => !process.env.BENCH_VARIANTS || process.env.BENCH_VARIANTS.split(',').includes(x.name))) {
  out[v.name] = await measure(v);
  process.stderr.write(`${v.name}: ${JSON.stringify(out[v.name])}\n`);
}
const file = new URL(`./results/search-cpu-${new Date().toISOString().slice(0, 10)}.json`, import.meta.url);
writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
console.log(JSON.stringify(out, null, 1));
