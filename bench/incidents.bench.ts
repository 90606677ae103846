/**
 * Incident figures (issue 9):
 * - anomaly evaluation: the rules alone over a synthetic stream (events/s, target >= 50,000), and the
 *   durable scan end to end on PostgreSQL and PGlite (read events, load/save per-actor state, write alerts);
 * - scoping an incident over a 10,000,000-event audit log on PostgreSQL (target < 5 s).
 * Audit rows for volume are generated in SQL (generate_series; the hash columns are filler: neither the
 * detector nor scoping reads them). Scale with BENCH_EVAL_EVENTS (1000000), BENCH_SCAN_EVENTS (1000000),
 * BENCH_SCAN_EVENTS_PGLITE (200000), BENCH_SCOPE_EVENTS (10000000); BENCH_SCOPE_REPS (3) rounds of the scope shapes
 * (medians reported). The parts run are merged into bench/results/incidents.json, the others keep their figures.
 * Run alone: node --import tsx bench/incidents.bench.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { sql } from 'kysely';
import type { Actor } from '../src/audit/index.js';
import { defaultRuleSet, evaluate, type ActorState, type AuditLite } from '../src/incidents/anomaly-rules.js';
import pg from 'pg';
import { median, openBenchStore, PG_URL, pgAvailable, round, type BenchStore } from './lib.js';

const EVAL = Number(process.env.BENCH_EVAL_EVENTS ?? 1_000_000);
const SCAN = Number(process.env.BENCH_SCAN_EVENTS ?? 1_000_000);
const SCAN_LITE = Number(process.env.BENCH_SCAN_EVENTS_PGLITE ?? 200_000);
const SCOPE = Number(process.env.BENCH_SCOPE_EVENTS ?? 10_000_000);
const SCOPE_REPS = Number(process.env.BENCH_SCOPE_REPS ?? 3);
const ACTORS = 2000;
const T0 = Date.parse('2025-06-02T00:00:00Z');

function evalOnly() {
  const events: AuditLite[] = [];
  for (let g = 1; g <= EVAL; g++) {
    const rogue = g % 97 === 0;
    events.push({
      seq: g, at: T0 + g * 5, actorType: g % ACTORS % 3 === 0 ? 'staff' : 'api_key', actorId: rogue ? 'key_rogue' : `key_${g % ACTORS}`, action: g % 50 === 0 ? 'record.search' : 'record.read',
      decision: g % 400 === 0 ? 'deny' : 'allow', subjectId: `sub_${(g * 7919) % 2_000_000}`, collection: 'customers', fields: g % 4 === 0 ? ['name', 'id_number'] : ['name', 'phone'],
      clientIp: rogue ? '203.0.113.9' : `10.0.${g % 200}.1`, records: null,
    });
  }
  const states = new Map<string, ActorState>();
  let ids = 0, hits = 0;
  const ctx = { rules: defaultRuleSet(), sensitive: (_c: string | null, f: string[] | null) => Boolean(f?.includes('id_number')), workingTime: (at: number) => new Date(at + 8 * 3_600_000).getUTCHours() >= 8, newId: () => `alr_${++ids}` };
  const t = performance.now();
  for (let i = 0; i < events.length; i += 5000) hits += evaluate(events.slice(i, i + 5000), states, ctx).hits.length;
  const s = (performance.now() - t) / 1000;
  return { events: EVAL, actors: states.size, alert_hits: hits, seconds: round(s, 2), events_per_second: Math.round(EVAL / s) };
}

async function fillAudit(store: BenchStore, n: number, spacingMs: number, actorExpr: string) {
  const t = performance.now();
  for (let start = 1; start <= n; start += 1_000_000) {
    const end = Math.min(n, start + 999_999);
    await store.app.db.transaction(async (tx) => {
      await sql`insert into audit_events (tenant_id, seq, id, at, actor_type, actor_id, action, decision, purpose, subject_id, collection, record_id, fields, client_ip, prev_hash, hash)
        select ${store.tenant}, g, 'evt_' || g, ${new Date(T0)}::timestamptz + (g * ${spacingMs}) * interval '1 millisecond',
          case when g % ${ACTORS} % 3 = 0 then 'staff' else 'api_key' end, ${sql.raw(actorExpr)},
          case when g % 50 = 0 then 'record.search' else 'record.read' end, case when g % 400 = 0 then 'deny' else 'allow' end, 'customer_service',
          'sub_' || ((g * 7919) % 2000000), 'customers', 'rec_' || g,
          case when g % 4 = 0 then '["name","id_number"]'::jsonb else '["name","phone"]'::jsonb end, case when ${sql.raw(actorExpr)} = 'key_rogue' then '203.0.113.9' else '10.0.' || (g % 200) || '.1' end, '\\x00'::bytea, '\\x00'::bytea
        from generate_series(${start}::bigint, ${end}::bigint) g`.execute(tx);
    });
  }
  await store.app.db.transaction(async (tx) => {
    await sql`insert into audit_heads (tenant_id, seq, hash) values (${store.tenant}, ${n}, '\\x00'::bytea) on conflict (tenant_id) do update set seq = excluded.seq`.execute(tx);
  });
  // A settled log (hint bits set, visibility map current), as an audit table is after autovacuum.
  if (store.app.db.kind === 'postgres') await sql`vacuum analyze audit_events`.execute(store.app.db.kysely);
  else await store.app.db.transaction((tx) => sql`analyze audit_events`.execute(tx).then(() => undefined));
  return Math.round((performance.now() - t) / 1000);
}

async function setupCollection(store: BenchStore) {
  await store.app.db.transaction((tx) => store.app.collections.create(tx, store.tenant, { name: 'customers', fields: [{ name: 'name', type: 'person_name' }, { name: 'phone', type: 'mobile' }, { name: 'id_number', type: 'cn_id' }] }));
}

async function scanEndToEnd(kind: 'postgres' | 'pglite', n: number) {
  const store = await openBenchStore(kind);
  try {
    await setupCollection(store);
    const fill_seconds = await fillAudit(store, n, 5, `case when g % 97 = 0 then 'key_rogue' else 'key_' || (g % ${ACTORS}) end`);
    const t = performance.now();
    let events = 0, raised = 0;
    for (;;) {
      const r = await store.app.incidents.anomaly.scan(store.tenant, { budgetMs: 3_600_000, batch: 20_000 });
      events += r.events; raised += r.alerts_raised;
      if (r.events === 0) break;
    }
    const s = (performance.now() - t) / 1000;
    return { events, actors: ACTORS + 1, alerts_raised: raised, fill_seconds, seconds: round(s, 1), events_per_second: Math.round(events / s) };
  } finally { await store.close(); }
}

async function scope() {
  const store = await openBenchStore('postgres');
  try {
    await setupCollection(store);
    // 1 event every 50 ms (≈ 5.8 days for 10 M); every 100th event is the rogue key's.
    const fill_seconds = await fillAudit(store, SCOPE, 50, `case when g % 100 = 0 then 'key_rogue' else 'key_' || (g % 5000) end`);
    const owner = (await store.app.db.transaction((tx) => store.app.access.authenticateApiKey(tx, store.key))) as Actor;
    const inc = store.app.incidents.incidents;
    const o = await inc.open(owner, { title: 'bench', kind: 'leak' });
    const end = new Date(T0 + (SCOPE + 1) * 50).toISOString();
    const shapes: Record<string, Parameters<typeof inc.scope>[2]> = {
      one_actor_whole_log: { mode: 'audit', actor_ids: ['key_rogue'], from: new Date(T0).toISOString(), to: end },
      all_actors_one_hour: { mode: 'audit', from: new Date(T0 + 86_400_000).toISOString(), to: new Date(T0 + 86_400_000 + 3_600_000).toISOString() },
      all_actors_one_day: { mode: 'audit', from: new Date(T0 + 86_400_000).toISOString(), to: new Date(T0 + 2 * 86_400_000).toISOString() },
    };
    // Each round scopes the same incident with every shape in turn (each scope replaces the previous set).
    const runs: Record<string, Array<{ ms: number; backend_cpu_ms: number | null; affected: number; sensitive: number; events_matched: number }>> = {};
    const cpu = backendCpu(store.schema!);
    const pageMs: number[] = [];
    const load_before = os.loadavg().map((x) => round(x, 1));
    for (let rep = 0; rep < SCOPE_REPS; rep++) {
      for (const [name, body] of Object.entries(shapes)) {
        const c0 = await cpu();
        const t = performance.now();
        const v = await inc.scope(owner, o.id, body);
        const ms = Math.round(performance.now() - t);
        const c1 = await cpu();
        (runs[name] ??= []).push({ ms, backend_cpu_ms: c0 === null || c1 === null ? null : c1 - c0, affected: v.affected_count, sensitive: v.sensitive_count, events_matched: v.scope?.events_matched ?? 0 });
      }
      // A page of 1000 deep in the 1.7 M-subject set the last shape left.
      const t = performance.now();
      await inc.subjects(owner, o.id, { limit: 1000, offset: 1_000_000 });
      pageMs.push(round(performance.now() - t, 1));
    }
    const load_after = os.loadavg().map((x) => round(x, 1));
    const out: Record<string, unknown> = { audit_events: SCOPE, fill_seconds, repetitions: SCOPE_REPS, load_average_before: load_before, load_average_after: load_after };
    for (const [name, rs] of Object.entries(runs)) {
      const same = rs.every((r) => r.affected === rs[0].affected && r.sensitive === rs[0].sensitive && r.events_matched === rs[0].events_matched);
      const cpus = rs.map((r) => r.backend_cpu_ms).filter((x): x is number => x !== null);
      out[name] = { ms: median(rs.map((r) => r.ms)), runs_ms: rs.map((r) => r.ms), backend_cpu_ms: cpus.length ? median(cpus) : null, affected: rs[0].affected, sensitive: rs[0].sensitive, events_matched: rs[0].events_matched, ...(same ? {} : { runs: rs }) };
    }
    out.subjects_page_1000_at_offset_1m_ms = round(median(pageMs), 1);
    return out;
  } finally { await store.close(); }
}

/**
 * CPU time (user + system, ms) of the PostgreSQL backends serving the bench store, read from /proc: the work a scope
 * costs whatever the machine's load. Null when the server is not local or /proc is not readable.
 */
function backendCpu(schema: string) {
  return async (): Promise<number | null> => {
    const c = new pg.Client({ connectionString: PG_URL });
    try {
      await c.connect();
      const pids = (await c.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [schema])).rows.map((r) => r.pid);
      const tick = 1000 / 100; // USER_HZ
      return pids.reduce((a, p) => {
        const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
        return a + (Number(f[11]) + Number(f[12])) * tick;
      }, 0);
    } catch { return null; } finally { await c.end().catch(() => undefined); }
  };
}

/** BENCH_PARTS=evaluation,scan_postgres,scope_postgres,scan_pglite picks parts (default: all). */
export async function run() {
  const parts = process.env.BENCH_PARTS?.split(',');
  const want = (p: string) => !parts || parts.includes(p);
  const out: Record<string, unknown> = { targets: { events_per_second: 50_000, ms: 5000 } };
  if (want('evaluation')) out.evaluation = evalOnly();
  if (await pgAvailable()) {
    if (want('scan_postgres')) out.scan_postgres = await scanEndToEnd('postgres', SCAN);
    if (want('scope_postgres')) out.scope_postgres = await scope();
  } else out.postgres = 'not reachable: skipped';
  if (want('scan_pglite')) out.scan_pglite = await scanEndToEnd('pglite', SCAN_LITE);
  saveMerged(out);
  return out;
}

/** bench/results/incidents.json keeps the figures of the parts not run this time. */
function saveMerged(out: Record<string, unknown>) {
  const file = new URL('./results/incidents.json', import.meta.url);
  let prev: Record<string, unknown> = {};
  try { prev = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>; } catch { /* first run */ }
  const parts = Object.keys(out).filter((k) => k !== 'targets');
  const measured = { ...(prev.measured as Record<string, unknown> ?? {}), ...Object.fromEntries(parts.map((p) => [p, { at: new Date().toISOString(), cpus: os.cpus().length, load_average: os.loadavg().map((x) => round(x, 1)) }])) };
  writeFileSync(file, JSON.stringify({ ...prev, ...out, measured }, null, 2) + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
