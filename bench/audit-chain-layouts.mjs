/**
 * Would another table layout make chaining audit events cheaper for PostgreSQL (ADR 0017)? The audit write of a
 * search, one event per autocommit statement, then a chainer pass every 50 events, in four layouts on a table that
 * already holds PRE chained events, PostgreSQL's CPU per event (all its processes, from /proc: WAL writer and
 * autovacuum count too):
 *   today — ADR 0005: the event row is inserted without a place; the chainer UPDATEs seq, prev_hash, hash;
 *   moved — a pending table with the full row; the chainer deletes it there and inserts the chained row;
 *   side  — ADR 0017's proposal: the event row is never updated; a narrow pending row beside it, and the chainer
 *           moves it into an insert-only chain table (seq, event_id, prev_hash, hash);
 *   none  — the insert alone, never chained: the floor any layout stays above.
 * Hashes are random here (the chainer's hashing in Node is the same for every layout). Not part of `npm run bench`;
 * PostgreSQL on this host only, about three minutes:
 *   node bench/audit-chain-layouts.mjs      → bench/results/audit-chain-layouts-<date>.json
 */
import pg from 'pg';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';

const URL_ = process.env.CUSTODIAN_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PRE = Number(process.env.PRE ?? 300_000), N = Number(process.env.N ?? 30_000), REPS = Number(process.env.REPS ?? 3), EVERY = 50;

function postgresCpuUs() {
  let t = 0;
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try { const st = readFileSync(`/proc/${p}/stat`, 'utf8'); if (!st.includes('(postgres)')) continue; const f = st.slice(st.lastIndexOf(')') + 2).split(' '); t += Number(f[11]) + Number(f[12]); } catch { /* ended */ }
  }
  return t * 10_000;
}

const COLS = 'tenant_id text NOT NULL, id text NOT NULL, at timestamptz NOT NULL, actor_type text NOT NULL, actor_id text NOT NULL, action text NOT NULL, decision text NOT NULL, purpose text, subject_id text, collection text, record_id text, fields jsonb, reason text, client_ip text, request_id text, details jsonb, chain_v smallint NOT NULL DEFAULT 2';
const NAMES = 'tenant_id, id, at, actor_type, actor_id, action, decision, purpose, subject_id, collection, record_id, fields, reason, client_ip, request_id, details';
const VALUES = `'t1', $1, now(), 'api_key', 'key_1', 'record.search', 'allow', 'customer_service', $2, 'customers', $3, '["name","phone","email","address","birth_date"]'::jsonb, null, '127.0.0.1', $4, '{"by":"phone"}'::jsonb`;

async function run(layout) {
  const c = new pg.Client({ connectionString: URL_ });
  await c.connect();
  const schema = `chain_${randomBytes(4).toString('hex')}`;
  await c.query(`create schema ${schema}; set search_path = ${schema}`);
  // audit_events as migrations 0002, 0008 and 0012 leave it.
  await c.query(`create table audit_events (${COLS}, seq bigint, prev_hash bytea, hash bytea, primary key (tenant_id, id));
    create unique index audit_events_seq on audit_events (tenant_id, seq);
    create index audit_events_v1 on audit_events (tenant_id, seq) where chain_v = 1;
    create index audit_subject on audit_events (tenant_id, subject_id, seq);
    create index audit_actor on audit_events (tenant_id, actor_id, seq);
    create index audit_at on audit_events (tenant_id, at);`);
  if (layout === 'today' || layout === 'none') await c.query('create index audit_events_pending on audit_events (tenant_id, at, id) where seq is null');
  if (layout === 'moved') await c.query(`create table audit_pending (${COLS}, primary key (tenant_id, id)); create index audit_pending_at on audit_pending (tenant_id, at, id)`);
  if (layout === 'side') {
    await c.query(`create table audit_pending (tenant_id text NOT NULL, at timestamptz NOT NULL, id text NOT NULL, primary key (tenant_id, at, id));
      create table audit_chain (tenant_id text NOT NULL, seq bigint NOT NULL, event_id text NOT NULL, prev_hash bytea NOT NULL, hash bytea NOT NULL, primary key (tenant_id, seq));
      create unique index audit_chain_event on audit_chain (tenant_id, event_id)`);
  }
  await c.query(`insert into audit_events (${NAMES}, seq, prev_hash, hash) select 't1', gen_random_uuid()::text, now(), 'api_key', 'key_1', 'record.search', 'allow', 'customer_service', 'sub_' || g, 'customers', 'rec_' || g, '["name","phone"]'::jsonb, null, '127.0.0.1', 'req', '{"by":"phone"}'::jsonb, g, decode(md5(g::text), 'hex'), decode(md5((g + 1)::text), 'hex') from generate_series(1, ${PRE}) g`);
  if (layout === 'side') await c.query(`insert into audit_chain select tenant_id, seq, id, prev_hash, hash from audit_events`);
  await c.query('vacuum analyze');

  const insert = layout === 'moved' ? `insert into audit_pending (${NAMES}) values (${VALUES})`
    : layout === 'side' ? `with e as (insert into audit_events (${NAMES}) values (${VALUES}) returning tenant_id, at, id) insert into audit_pending select * from e`
      : `insert into audit_events (${NAMES}) values (${VALUES})`;
  let seq = PRE;
  const chain = async () => {
    if (layout === 'none') return;
    const pending = layout === 'today' ? `select id from audit_events where tenant_id = 't1' and seq is null order by at, id limit 500` : `select id from audit_pending where tenant_id = 't1' order by at, id limit 500`;
    const ids = (await c.query(pending)).rows.map((r) => r.id);
    if (!ids.length) return;
    const seqs = ids.map(() => ++seq), hashes = ids.map(() => randomBytes(32));
    const u = 'unnest($1::text[], $2::bigint[], $3::bytea[], $4::bytea[]) as u(id, s, p, h)';
    await c.query('begin');
    if (layout === 'today') await c.query(`update audit_events e set seq = u.s, prev_hash = u.p, hash = u.h from ${u} where e.tenant_id = 't1' and e.id = u.id`, [ids, seqs, hashes, hashes]);
    if (layout === 'moved') {
      await c.query(`with d as (delete from audit_pending p using unnest($1::text[]) x(id) where p.tenant_id = 't1' and p.id = x.id returning p.*)
        insert into audit_events (${NAMES}, seq, prev_hash, hash) select ${NAMES.split(', ').map((n) => `d.${n}`).join(', ')}, u.s, u.p, u.h from d join ${u} on u.id = d.id`, [ids, seqs, hashes, hashes]);
    }
    if (layout === 'side') {
      await c.query(`with d as (delete from audit_pending p using unnest($1::text[]) x(id) where p.tenant_id = 't1' and p.id = x.id returning p.id)
        insert into audit_chain (tenant_id, seq, event_id, prev_hash, hash) select 't1', u.s, u.id, u.p, u.h from d join ${u} on u.id = d.id`, [ids, seqs, hashes, hashes]);
    }
    await c.query('commit');
  };
  const reps = [];
  for (let r = 0; r < REPS; r++) {
    const p0 = postgresCpuUs(), t0 = performance.now();
    for (let i = 0; i < N; i++) {
      await c.query({ name: 'audit_insert', text: insert, values: [randomUUID(), `sub_${i}`, `rec_${i}`, `req_${i}`] });
      if (i % EVERY === EVERY - 1) await chain();
    }
    await chain();
    const wall = performance.now() - t0;
    await new Promise((res) => setTimeout(res, 1500)); // the WAL writer's and autovacuum's share
    reps.push({ postgres_us_per_event: Math.round((postgresCpuUs() - p0) / N), wall_us_per_event: Math.round((wall * 1000) / N) });
  }
  await c.query(`drop schema ${schema} cascade`);
  await c.end();
  return reps;
}

const out = { at: new Date().toISOString(), pre_chained_events: PRE, events_per_rep: N, chain_every: EVERY, layouts: {} };
for (const round of [0, 1]) {
  for (const layout of ['today', 'moved', 'side', 'none']) {
    const reps = await run(layout);
    (out.layouts[layout] ??= []).push(...reps);
    process.stderr.write(`${layout} (round ${round + 1}): ${JSON.stringify(reps)}\n`);
  }
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
out.median_postgres_us_per_event = Object.fromEntries(Object.entries(out.layouts).map(([k, v]) => [k, median(v.map((r) => r.postgres_us_per_event))]));
writeFileSync(new URL(`./results/audit-chain-layouts-${new Date().toISOString().slice(0, 10)}.json`, import.meta.url), JSON.stringify(out, null, 1) + '\n');
console.log(JSON.stringify(out.median_postgres_us_per_event));
