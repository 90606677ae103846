/**
 * Vault benchmarks (issues 2 and 3): batch writes through the service and over HTTP, search + read of
 * 5 fields over HTTP with keep-alive (sequential for latency, concurrent for throughput), the cost of
 * policy + masking + audit against the same call with those checks off, audit verify speed, and the
 * baselines a user would pick instead (pgcrypto, client-side AES-GCM with an HMAC index).
 */
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { buildServer } from '../src/http/server.js';
import { createAuditService, type Actor, type AuditService } from '../src/audit/index.js';
import { runLoad } from './http-load.js';
import { defaultSealWorkers } from '../src/core/config.js';
import { uncheckedSearchRoute } from './unchecked-search.js';
import { CUSTOMERS_DEF, customer, median, openBenchStore, percentile, PG_URL, pgAvailable, round, type BenchStore } from './lib.js';

const N = Number(process.env.BENCH_RECORDS ?? 100_000);
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 2000);

async function setup(s: BenchStore) {
  const actor: Actor = { type: 'system', id: 'bench', tenantId: s.tenant, roles: ['owner'] };
  await s.app.db.transaction(async (tx) => {
    await s.app.access.createPurpose(tx, s.tenant, { name: 'customer_service', title: '客户服务', legal_basis: 'contract' });
    await s.app.collections.create(tx, s.tenant, CUSTOMERS_DEF);
  });
  return actor;
}

async function serviceWrite(s: BenchStore, actor: Actor, n: number, batch: number) {
  const t0 = performance.now();
  for (let i = 0; i < n; i += batch) {
    const recs = Array.from({ length: Math.min(batch, n - i) }, (_, j) => ({ fields: customer(i + j) }));
    await s.app.records.write(actor, 'customers', recs, true);
  }
  return n / ((performance.now() - t0) / 1000);
}

async function httpRun(s: BenchStore, written: number) {
  const f = await buildServer(s.app, { logger: false });
  await f.listen({ port: 0, host: '127.0.0.1' });
  const port = (f.server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}`;
  const H = { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' };
  // HTTP batch writes of 1,000
  const httpN = Math.min(N, 50_000);
  const t0 = performance.now();
  for (let i = 0; i < httpN; i += 1000) {
    const body = JSON.stringify({ records: Array.from({ length: 1000 }, (_, j) => ({ fields: customer(10_000_000 + i + j) })) });
    const r = await fetch(`${base}/api/v1/collections/customers/records`, { method: 'POST', headers: H, body });
    if (r.status !== 201) throw new Error(`http write ${r.status} ${await r.text()}`);
  }
  const httpWrite = httpN / ((performance.now() - t0) / 1000);
  // Search by phone + read 5 fields over keep-alive HTTP, from a load client in its own thread:
  // one request at a time (latency), then 16 at a time (throughput).
  const bodies = (n: number, step: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ field: 'phone', value: customer((i * step) % written).phone, purpose: 'customer_service', fields: ['name', 'phone', 'email', 'address', 'birth_date'] }));
  const measure = async (b: string, path: string) => {
    await runLoad({ base: b, path, key: s.key, bodies: bodies(300, 7), concurrency: 1 }); // warm-up
    const seq = await runLoad({ base: b, path, key: s.key, bodies: bodies(LOOKUPS, 7919), concurrency: 1 });
    const conc = await runLoad({ base: b, path, key: s.key, bodies: bodies(LOOKUPS * 2, 104729), concurrency: 16 });
    return {
      sequential_per_s: round(LOOKUPS / seq.seconds), p50_ms: round(median(seq.latencies), 2), p99_ms: round(percentile(seq.latencies, 99), 2),
      concurrent16_per_s: round((LOOKUPS * 2) / conc.seconds), concurrent16_p99_ms: round(percentile(conc.latencies, 99), 2),
    };
  };
  const checked = await measure(base, '/api/v1/collections/customers/search');
  await f.close();
  // The same call with grant, legal basis, masking and audit switched off (bench harness only): the same
  // authentication and body validation, then the blind-index lookup and decryption as one prepared statement,
  // like the checked path.
  const bare = await buildServer(s.app, { logger: false });
  await bare.register(uncheckedSearchRoute(s));
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const unchecked = await measure(`http://127.0.0.1:${(bare.server.address() as { port: number }).port}`, '/bench/unchecked-search');
  await bare.close();
  return { http_batch_write_per_s: round(httpWrite), search_read_5_fields: checked, search_read_unchecked: unchecked, checks_overhead_pct: round((unchecked.sequential_per_s / checked.sequential_per_s - 1) * 100), checks_overhead_pct_concurrent16: round((unchecked.concurrent16_per_s / checked.concurrent16_per_s - 1) * 100) };
}

/**
 * Searches while a bulk import runs over HTTP (ADR 0018): 40,000 records in calls of 5,000 against 20,000 already
 * written, and meanwhile one search + read at a time. With `sealWorkers` 0 the import's sealing holds the event loop for
 * a whole chunk at a time; with the default pool it runs in a worker thread. Reports the import's rate and the searches'
 * latency for each.
 */
async function importLatency(sealWorkers: number) {
  const s = await openBenchStore('postgres', 'aes', '', { sealWorkers });
  try {
    const actor = await setup(s);
    await serviceWrite(s, actor, 20_000, 5000);
    const f = await buildServer(s.app, { logger: false });
    await f.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(f.server.address() as { port: number }).port}`;
    const H = { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' };
    let writing = true;
    const t0 = performance.now();
    const writer = (async () => {
      try {
        for (let i = 0; i < 40_000; i += 5000) {
          const body = JSON.stringify({ records: Array.from({ length: 5000 }, (_, j) => ({ fields: customer(20_000_000 + i + j) })) });
          const r = await fetch(`${base}/api/v1/collections/customers/records`, { method: 'POST', headers: H, body });
          if (r.status !== 201) throw new Error(`import answered ${r.status}`);
        }
      } finally { writing = false; }
    })();
    const lat: number[] = [];
    for (let k = 0; writing; k++) {
      const t = performance.now();
      const r = await fetch(`${base}/api/v1/collections/customers/search`, { method: 'POST', headers: H, body: JSON.stringify({ field: 'phone', value: customer((k * 7919) % 20_000).phone, purpose: 'customer_service', fields: ['name', 'phone'] }) });
      if (r.status !== 200) throw new Error(`search answered ${r.status}`);
      await r.text();
      lat.push(performance.now() - t);
    }
    await writer;
    const seconds = (performance.now() - t0) / 1000;
    await f.close();
    return { seal_workers: sealWorkers, import_per_s: round(40_000 / seconds), searches: lat.length, search_p50_ms: round(median(lat), 2), search_p99_ms: round(percentile(lat, 99), 2), search_max_ms: round(Math.max(...lat), 1) };
  } finally { await s.close(); }
}

/** Fill the tenant's audit log up to BENCH_AUDIT_EVENTS (300,000) read events. */
async function fillAudit(s: BenchStore, actor: Actor) {
  const target = Number(process.env.BENCH_AUDIT_EVENTS ?? 300_000);
  const have = Number((await sql<{ n: number }>`select count(*)::int as n from audit_events where tenant_id = ${s.tenant}`.execute(s.app.db.kysely)).rows[0].n);
  for (let i = have; i < target; i += 5000) {
    await s.app.db.transaction((tx) => s.app.audit.record(tx, actor, Array.from({ length: 5000 }, (_, j) => ({ action: 'record.read', decision: 'allow' as const, purpose: 'customer_service', collection: 'customers', recordId: `rec_${i + j}`, subjectId: `sub_${i + j}`, fields: ['name', 'phone'] }))));
  }
}

/** Median events/s of BENCH_VERIFY_REPS (3) verifies of the tenant's chain by `svc`. */
async function timeVerify(s: BenchStore, svc: AuditService) {
  const runs: number[] = [];
  let events = 0;
  for (let k = 0; k < Number(process.env.BENCH_VERIFY_REPS ?? 3); k++) {
    const t0 = performance.now();
    const r = await s.app.db.transaction((tx) => svc.verify(tx, s.tenant));
    if (!r.ok) throw new Error('chain broken in bench');
    events = r.events;
    runs.push(r.events / ((performance.now() - t0) / 1000));
  }
  return { events, median: round(median(runs)) };
}

async function auditVerify(s: BenchStore, actor: Actor) {
  await fillAudit(s, actor);
  // The shipped verify (ranges checked at once on PostgreSQL) beside the single ordered pass it replaced.
  const single = createAuditService({ db: s.app.db, hashName: s.app.tenants.hashName, signingKey: s.app.tenants.signingKey, verifyRanges: { parallel: 1, minEvents: Number.MAX_SAFE_INTEGER } });
  const ranged = await timeVerify(s, s.app.audit);
  const onePass = await timeVerify(s, single);
  await single.stop();
  return { events: ranged.events, verify_events_per_s_median: ranged.median, single_pass_events_per_s_median: onePass.median };
}

/**
 * Batch writes the way a user without Custodian would load many customers: multi-row inserts of 1,000 records, one
 * transaction per batch, one connection (BENCH_BASELINE_BATCHED records, 20,000). Three shapes: pgcrypto with
 * s2k-mode=1 (the database encrypts), client-side AES-256-GCM with an HMAC index for the 4 fields, and the same
 * for Custodian's shape (7 fields, 3 of them indexed), which is the like-for-like figure for `service_batch_write_per_s`.
 */
async function batchedBaselines(c: pg.Client, enc: (v: string) => Buffer, mac: Buffer) {
  const n = Number(process.env.BENCH_BASELINE_BATCHED ?? 20_000), batch = 1000;
  const hm = (v: string) => createHmac('sha256', mac).update(v).digest();
  const timed = async (fn: (from: number, to: number) => Promise<unknown>) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i += batch) { await c.query('begin'); await fn(i, Math.min(n, i + batch)); await c.query('commit'); }
    return round(n / ((performance.now() - t0) / 1000));
  };
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, j) => customer(from + j));
  const values = (rows: number, cols: number) => Array.from({ length: rows }, (_, r) => `(${Array.from({ length: cols }, (_, k) => `$${r * cols + k + 1}`).join(',')})`).join(',');
  const out: Record<string, number> = {};
  await c.query('truncate bench_baseline');
  out.pgcrypto_s2k_mode_1_inserts_per_s = await timed((from, to) => {
    const xs = range(from, to);
    return c.query(`insert into bench_baseline (phone_idx, name, phone, email, address) select hmac(u.p, 'k', 'sha256'), pgp_sym_encrypt(u.n, 'pw', 's2k-mode=1'), pgp_sym_encrypt(u.p, 'pw', 's2k-mode=1'), pgp_sym_encrypt(u.e, 'pw', 's2k-mode=1'), pgp_sym_encrypt(u.a, 'pw', 's2k-mode=1') from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as u(n, p, e, a)`,
      [xs.map((x) => x.name), xs.map((x) => x.phone), xs.map((x) => x.email), xs.map((x) => x.address)]);
  });
  await c.query('truncate bench_baseline');
  out.client_aes_gcm_hmac_4_fields_inserts_per_s = await timed((from, to) => {
    const xs = range(from, to);
    return c.query(`insert into bench_baseline (phone_idx, name, phone, email, address) values ${values(xs.length, 5)}`, xs.flatMap((x) => [hm(x.phone), enc(x.name), enc(x.phone), enc(x.email), enc(x.address)]));
  });
  await c.query(`drop table if exists bench_baseline7; create table bench_baseline7 (id serial primary key, phone_idx bytea, id_idx bytea, email_idx bytea, name bytea, phone bytea,
    id_number bytea, email bytea, address bytea, bank_card bytea, birth_date bytea); create index on bench_baseline7 (phone_idx); create index on bench_baseline7 (id_idx); create index on bench_baseline7 (email_idx)`);
  out.client_aes_gcm_hmac_7_fields_3_indexed_inserts_per_s = await timed((from, to) => {
    const xs = range(from, to);
    return c.query(`insert into bench_baseline7 (phone_idx, id_idx, email_idx, name, phone, id_number, email, address, bank_card, birth_date) values ${values(xs.length, 10)}`,
      xs.flatMap((x) => [hm(x.phone), hm(x.id_number), hm(x.email), enc(x.name), enc(x.phone), enc(x.id_number), enc(x.email), enc(x.address), enc(x.bank_card), enc(x.birth_date)]));
  });
  await c.query('drop table bench_baseline7');
  await c.query('truncate bench_baseline');
  return out;
}

/** Baselines on plain PostgreSQL, one connection, 4 fields: pgcrypto (defaults, s2k-mode=1) and client-side AES-GCM + HMAC. */
async function baselines() {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query('create extension if not exists pgcrypto');
  await c.query('drop table if exists bench_baseline; create table bench_baseline (id serial primary key, phone_idx bytea, name bytea, phone bytea, email bytea, address bytea); create index on bench_baseline (phone_idx)');
  const n = Number(process.env.BENCH_BASELINE ?? 3000);
  const out: Record<string, unknown> = {};
  for (const [label, opts] of [['pgcrypto_defaults', ''], ['pgcrypto_s2k_mode_1', 's2k-mode=1']] as const) {
    await c.query('truncate bench_baseline');
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const x = customer(i);
      await c.query(`insert into bench_baseline (phone_idx, name, phone, email, address) values (hmac($2::text, 'k', 'sha256'), pgp_sym_encrypt($1, 'pw', $5), pgp_sym_encrypt($2, 'pw', $5), pgp_sym_encrypt($3, 'pw', $5), pgp_sym_encrypt($4, 'pw', $5))`, [x.name, x.phone, x.email, x.address, opts]);
    }
    const ins = n / ((performance.now() - t0) / 1000);
    const t1 = performance.now();
    for (let i = 0; i < n; i++) {
      const r = await c.query(`select pgp_sym_decrypt(name, 'pw', $2) n, pgp_sym_decrypt(phone, 'pw', $2) p, pgp_sym_decrypt(email, 'pw', $2) e, pgp_sym_decrypt(address, 'pw', $2) a from bench_baseline where phone_idx = hmac($1::text, 'k', 'sha256')`, [customer((i * 7) % n).phone, opts]);
      if (r.rowCount !== 1) throw new Error('baseline lookup');
    }
    out[label] = { inserts_per_s: round(ins), lookups_per_s: round(n / ((performance.now() - t1) / 1000)) };
  }
  await c.query('truncate bench_baseline');
  const key = randomBytes(32), mac = randomBytes(32);
  const enc = (v: string) => { const iv = randomBytes(12); const ci = createCipheriv('aes-256-gcm', key, iv); return Buffer.concat([iv, ci.update(v), ci.final(), ci.getAuthTag()]); };
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const x = customer(i);
    await c.query('insert into bench_baseline (phone_idx, name, phone, email, address) values ($1,$2,$3,$4,$5)', [createHmac('sha256', mac).update(x.phone).digest(), enc(x.name), enc(x.phone), enc(x.email), enc(x.address)]);
  }
  const ins = n / ((performance.now() - t0) / 1000);
  const t1 = performance.now();
  for (let i = 0; i < n; i++) await c.query('select name, phone, email, address from bench_baseline where phone_idx = $1', [createHmac('sha256', mac).update(customer((i * 7) % n).phone).digest()]);
  out.client_aes_gcm_hmac = { inserts_per_s: round(ins), lookups_per_s: round(n / ((performance.now() - t1) / 1000)) };
  out.durable_audit_floor = await auditFloor(c, n, (i) => createHmac('sha256', mac).update(customer((i * 7) % n).phone).digest());
  out.batched = await batchedBaselines(c, enc, mac);
  await c.query('drop table bench_baseline');
  await c.end();
  return out;
}

/** BENCH_VAULT_PARTS=write,http,import,audit,baselines picks parts (default: all; http needs write); BENCH_KINDS=postgres,pglite the stores. */
/**
 * `audit verify` of an SM3 chain (sm suite) on PostgreSQL: rehashed in the database when pgcrypto is installed (its
 * digest() is OpenSSL's, which knows SM3), else walked in this process.
 */
async function auditVerifySm() {
  const s = await openBenchStore('postgres', 'sm');
  try {
    await fillAudit(s, { type: 'system', id: 'bench', tenantId: s.tenant, roles: ['owner'] });
    await s.app.audit.chainCommitted(s.tenant);
    const pgcrypto = (await sql<{ n: number }>`select count(*)::int as n from pg_extension where extname = 'pgcrypto'`.execute(s.app.db.kysely)).rows[0].n > 0;
    const r = await timeVerify(s, s.app.audit);
    return { events: r.events, pgcrypto_installed: pgcrypto, verify_events_per_s_median: r.median };
  } finally { await s.close(); }
}

/**
 * The floor of an audited read on this machine, without Custodian: the same HMAC lookup of 4 AES-GCM fields, then the
 * same lookup with one audit row inserted in its statement and committed durably (PostgreSQL defaults), directly and
 * behind the smallest Fastify route, one at a time. No policy, no decryption, a one-index audit table: whatever an
 * audited read costs here is at least this.
 */
async function auditFloor(c: pg.Client, n: number, idx: (i: number) => Buffer) {
  await c.query('drop table if exists bench_audit; create table bench_audit (id bigserial primary key, at timestamptz not null, actor text, subject text, purpose text, fields jsonb)');
  const plain = 'select id, name, phone, email, address from bench_baseline where phone_idx = $1';
  const audited = `with hit as (${plain}), ins as (insert into bench_audit (at, actor, subject, purpose, fields) select now(), 'key_1', hit.id::text, 'customer_service', '["name","phone","email","address"]' from hit) select * from hit`;
  const direct = async (text: string) => { const t0 = performance.now(); for (let i = 0; i < n; i++) await c.query({ name: text === plain ? 'floor_plain' : 'floor_audited', text, values: [idx(i)] }); return round(n / ((performance.now() - t0) / 1000)); };
  const out: Record<string, number> = { lookups_per_s: await direct(plain), audited_lookups_per_s: await direct(audited) };
  const { default: Fastify } = await import('fastify');
  const f = Fastify({ logger: false });
  f.post('/plain', async (req) => ({ records: (await c.query({ name: 'floor_plain', text: plain, values: [Buffer.from((req.body as { idx: string }).idx, 'hex')] })).rows.map((r) => ({ id: r.id })) }));
  f.post('/audited', async (req) => ({ records: (await c.query({ name: 'floor_audited', text: audited, values: [Buffer.from((req.body as { idx: string }).idx, 'hex')] })).rows.map((r) => ({ id: r.id })) }));
  await f.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(f.server.address() as { port: number }).port}`;
  const bodies = Array.from({ length: n }, (_, i) => JSON.stringify({ idx: idx(i).toString('hex') }));
  for (const path of ['/plain', '/audited']) {
    await runLoad({ base, path, key: 'none', bodies: bodies.slice(0, 300), concurrency: 1 });
    const r = await runLoad({ base, path, key: 'none', bodies, concurrency: 1 });
    out[path === '/plain' ? 'http_lookups_per_s' : 'http_audited_lookups_per_s'] = round(n / r.seconds);
    out[path === '/plain' ? 'http_p50_ms' : 'http_audited_p50_ms'] = round(median(r.latencies), 3);
  }
  await f.close();
  await c.query('drop table bench_audit');
  return out;
}

export async function run(): Promise<Record<string, unknown>> {
  const results: Record<string, unknown> = { records: N, lookups: LOOKUPS };
  const parts = process.env.BENCH_VAULT_PARTS?.split(',') ?? ['write', 'http', 'import', 'audit', 'baselines'];
  const kinds = ((await pgAvailable()) ? ['postgres', 'pglite'] as const : ['pglite'] as const).filter((k) => !process.env.BENCH_KINDS || process.env.BENCH_KINDS.split(',').includes(k));
  for (const kind of kinds) {
    if (kind === 'pglite' && !parts.includes('write')) continue;
    const s = await openBenchStore(kind);
    try {
      const actor = await setup(s);
      const n = kind === 'pglite' ? Math.min(N, 50_000) : N;
      const write = parts.includes('write') ? { service_batch_write_per_s: round(await serviceWrite(s, actor, n, 5000)), records_written: n } : {};
      const http = parts.includes('write') && parts.includes('http') ? await httpRun(s, n) : {};
      const audit = kind === 'postgres' && parts.includes('audit') ? { ...(await auditVerify(s, actor)), sm3_chain: await auditVerifySm() } : undefined;
      results[kind] = { ...write, ...http, ...(audit ? { audit } : {}) };
      if (kind === 'postgres' && parts.includes('import')) {
        (results[kind] as Record<string, unknown>).searches_during_import = { in_process: await importLatency(0), seal_pool: await importLatency(defaultSealWorkers() || 1) };
      }
    } finally { await s.close(); }
  }
  if ((kinds as readonly string[]).includes('postgres') && parts.includes('baselines')) results.baselines_postgres = await baselines();
  results.targets = { service_batch_write_per_s: 20_000, http_batch_write_per_s: 10_000, search_read_per_s: 3_000, search_read_p99_ms: 10, checks_overhead_pct_max: 30, audit_verify_events_per_s: 300_000 };
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await run(), null, 2));
