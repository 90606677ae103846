/**
 * More than one node (issue 8): three `custodian serve` processes on one PostgreSQL, sharing one keyfile, with a load
 * spread over them. Every acknowledged write is visible from every node (also right after its acknowledgement, on
 * another node); each scheduled job occurrence runs on one node only; a key rotation on one node is used by the others
 * without a restart; the audit log stays one valid hash chain. Run: `npm run test:cluster` (needs PostgreSQL:
 * CUSTODIAN_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { api, assertBuilt, freshBackend, initStore, killAll, startServer, type Backend, type ServerProc } from '../faults/lib.js';

const PG_URL = process.env.CUSTODIAN_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NODES = 3;
const LOAD_MS = Number(process.env.CLUSTER_LOAD_MS ?? 12_000);
const CLIENTS = 9;

interface Acked { id: string; subject: string; name: string; phone: string; node: number; at: number }

describe('three nodes on one PostgreSQL', () => {
  let be: Backend;
  let key = '';
  let tenant = '';
  const nodes: ServerProc[] = [];
  let db: pg.Client;
  const acked: Acked[] = [];
  const failures: string[] = [];
  let rotation: { version: number; at: number; node: number } | null = null;
  let started = 0;

  beforeAll(async () => {
    assertBuilt();
    be = await freshBackend('postgres', { databaseUrl: PG_URL });
    ({ api_key: key, tenant } = initStore(be));
    // Poll the job queue every second so that all three nodes compete for each due job during the test.
    // Started together, so that they also race for the first runs of the recurring jobs.
    nodes.push(...await Promise.all(Array.from({ length: NODES }, () => startServer(be, { extraEnv: { LOG_LEVEL: 'warn', CUSTODIAN_JOBS_POLL_SECONDS: '1', CUSTODIAN_PG_POOL: '6' } }))));
    db = new pg.Client({ connectionString: be.env.DATABASE_URL });
    await db.connect();
    const p = await api(nodes[0].url, key, 'POST', '/api/v1/purposes', { name: 'customer_service', title: '客户服务', legal_basis: 'contract' });
    expect(p.status).toBe(201);
    const c = await api(nodes[1].url, key, 'POST', '/api/v1/collections', { name: 'customers', fields: [{ name: 'name', type: 'person_name' }, { name: 'phone', type: 'mobile', searchable: true }] });
    expect(c.status).toBe(201);
    started = Date.now();

    // The load: CLIENTS clients, each sending to the nodes in turn: a write of a small batch, then a read of one of the
    // records just acknowledged on the NEXT node (read-your-write across nodes) and a search on the node after that.
    // Halfway through, node 0 rotates the tenant key.
    let seq = 0;
    const end = Date.now() + LOAD_MS;
    const client = async (w: number) => {
      let turn = w;
      while (Date.now() < end) {
        const n = turn++ % NODES;
        const batch = Array.from({ length: 5 }, () => { const i = seq++; return { name: `张${'伟芳娜敏静丽强磊'[i % 8]}${'军洋勇艳'[i % 4]}`, phone: `137${String(i).padStart(8, '0')}` }; });
        const r = await api(nodes[n].url, key, 'POST', '/api/v1/collections/customers/records', { records: batch.map((fields) => ({ fields })) });
        if (r.status !== 201) { failures.push(`write on node ${n}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`); continue; }
        const now = Date.now();
        batch.forEach((b, j) => acked.push({ id: r.body.ids[j], subject: r.body.subject_ids[j], ...b, node: n, at: now }));
        const pick = batch.length - 1;
        const read = await api(nodes[(n + 1) % NODES].url, key, 'GET', `/api/v1/collections/customers/records/${r.body.ids[pick]}?purpose=customer_service&fields=name,phone`);
        if (read.status !== 200 || read.body.fields?.name !== batch[pick].name) failures.push(`read-your-write on node ${(n + 1) % NODES}: ${read.status}`);
        const found = await api(nodes[(n + 2) % NODES].url, key, 'POST', '/api/v1/collections/customers/search', { field: 'phone', value: batch[0].phone, purpose: 'customer_service', fields: ['name'] });
        if (found.status !== 200 || found.body.records?.length !== 1) failures.push(`search on node ${(n + 2) % NODES}: ${found.status} ${found.body.records?.length}`);
      }
    };
    const rotate = (async () => {
      await new Promise((r) => setTimeout(r, LOAD_MS / 2));
      const r = await api(nodes[0].url, key, 'POST', '/api/v1/keys/rotate', {}, 120_000);
      if (r.status !== 200) failures.push(`rotate: ${r.status} ${JSON.stringify(r.body)}`);
      else rotation = { version: r.body.kek_version, at: Date.now(), node: 0 };
    })();
    await Promise.all([...Array.from({ length: CLIENTS }, (_, w) => client(w)), rotate]);
    const secs = (Date.now() - started) / 1000;
    console.log(`cluster load: ${acked.length} records acknowledged in ${secs.toFixed(1)} s over ${NODES} nodes (${acked.length / 5} writes, as many cross-node reads and searches; ${[0, 1, 2].map((n) => acked.filter((a) => a.node === n).length).join('/')} records per node), ${failures.length} failures`);
  }, 300_000);

  afterAll(async () => {
    await db?.end().catch(() => undefined);
    for (const n of nodes) await n.stop().catch(() => undefined);
    killAll();
    await be?.cleanup();
  });

  it('serves the load on every node without a failed operation', () => {
    expect(failures).toEqual([]);
    for (let n = 0; n < NODES; n++) expect(acked.filter((a) => a.node === n).length).toBeGreaterThan(20);
  });

  it('every acknowledged write reads back, with its values, from every node', async () => {
    const ids = new Set(acked.map((a) => a.id));
    expect(ids.size).toBe(acked.length);
    // In the database: every acknowledged record, once.
    const inDb = await db.query('select count(*)::int as n from records where tenant_id = $1 and id = any($2::text[])', [tenant, [...ids]]);
    expect(inDb.rows[0].n).toBe(acked.length);
    // Through each node's API: a spread sample of the acknowledged records (a third of them per node, different thirds).
    for (let n = 0; n < NODES; n++) {
      const sample = acked.filter((_, i) => i % NODES === n).filter((_, i) => i % 3 === 0);
      for (const a of sample) {
        const r = await api(nodes[n].url, key, 'GET', `/api/v1/collections/customers/records/${a.id}?purpose=customer_service&fields=name,phone`);
        expect(r.status).toBe(200);
        expect(r.body.fields).toEqual({ name: a.name, phone: a.phone });
      }
    }
  }, 300_000);

  it('a key rotation on one node is used by the other nodes without a restart', async () => {
    expect(rotation).not.toBeNull();
    const { version, at } = rotation as unknown as { version: number; at: number };
    expect(version).toBe(2);
    // Subjects written by nodes 1 and 2 more than the nodes' version check (2 s) after the rotation are wrapped under
    // the new key version; earlier ones were re-wrapped by the rotation or written under it.
    for (const n of [1, 2]) {
      const fresh = await api(nodes[n].url, key, 'POST', '/api/v1/collections/customers/records', { fields: { name: '李雷', phone: `1360000000${n}` } });
      expect(fresh.status).toBe(201);
      const v = await db.query('select kek_version from subjects where tenant_id = $1 and id = $2', [tenant, fresh.body.subject_id]);
      expect(v.rows[0].kek_version).toBe(version);
      const late = acked.filter((a) => a.node === n && a.at > at + 3000).map((a) => a.subject);
      if (late.length) {
        const lv = await db.query('select distinct kek_version from subjects where tenant_id = $1 and id = any($2::text[])', [tenant, late]);
        expect(lv.rows.map((r) => r.kek_version)).toEqual([version]);
      }
    }
    // The previous version stays readable on every node: records written before the rotation read back everywhere.
    const early = acked.filter((a) => a.at < at - 1000).slice(0, 5);
    expect(early.length).toBeGreaterThan(0);
    for (const a of early) for (const node of nodes) {
      const r = await api(node.url, key, 'GET', `/api/v1/collections/customers/records/${a.id}?purpose=customer_service&fields=name`);
      expect(r.status).toBe(200);
      expect(r.body.fields.name).toBe(a.name);
    }
  }, 120_000);

  it('each scheduled job occurrence runs on one node only', async () => {
    const kindsDone = async () => (await db.query(`select kind, count(*) filter (where state = 'done')::int as done from jobs where tenant_id = $1 group by kind`, [tenant])).rows as Array<{ kind: string; done: number }>;
    const waitAllDone = async (atLeast: (kind: string) => number) => {
      const deadline = Date.now() + 60_000;
      let k = await kindsDone();
      while (Date.now() < deadline && !(k.length > 0 && k.every((x) => x.done >= atLeast(x.kind)))) { await new Promise((r) => setTimeout(r, 300)); k = await kindsDone(); }
      return k;
    };
    // Every recurring kind was scheduled for "now" when the nodes started; all three nodes poll every second.
    const first = await waitAllDone(() => 1);
    expect(first.length).toBeGreaterThanOrEqual(10);
    expect(first.filter((k) => k.done < 1)).toEqual([]);
    const before = new Map(first.map((k) => [k.kind, k.done]));
    // Three more occurrences of every kind fall due at once ("the clock reaches 01:00"), while the three nodes poll.
    const ROUNDS = 3;
    for (let round = 1; round <= ROUNDS; round++) {
      await db.query(`update jobs set run_at = now() where tenant_id = $1 and state = 'queued'`, [tenant]);
      const k = await waitAllDone((kind) => (before.get(kind) ?? 0) + round);
      expect(k.filter((x) => x.done < (before.get(x.kind) ?? 0) + round)).toEqual([]);
    }
    // One run per occurrence: each done row was claimed once (a claim adds one to attempts in the database, and no
    // job failed here), no kind has two pending occurrences, and no kind ran more often than it fell due.
    const claimedTwice = await db.query(`select kind, attempts, last_error from jobs where tenant_id = $1 and state = 'done' and attempts <> 1`, [tenant]);
    expect(claimedTwice.rows).toEqual([]);
    const pending = await db.query(`select kind, count(*)::int as n from jobs where tenant_id = $1 and state in ('queued', 'running') group by kind having count(*) > 1`, [tenant]);
    expect(pending.rows).toEqual([]);
    const daily = await db.query(`select kind, count(*)::int as n from jobs where tenant_id = $1 and state = 'done' and kind in ('retention.sweep', 'rights.deadlines', 'reports.monthly', 'risks.reviews', 'complaints.sla') group by kind`, [tenant]);
    expect(daily.rows.length).toBe(5);
    for (const r of daily.rows) expect(r.n).toBe(1 + ROUNDS);
    // The retention sweep leaves one run record per execution: as many as its occurrences.
    const sweeps = await db.query(`select count(*)::int as n from retention_runs where tenant_id = $1`, [tenant]);
    expect(sweeps.rows[0].n).toBe(1 + ROUNDS);
  }, 300_000);

  it('the audit log is one valid chain, whichever node verifies it', async () => {
    // Everything the nodes wrote is chained (the chainers of three nodes take turns under the head's lock).
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const p = await db.query('select count(*)::int as n from audit_events where tenant_id = $1 and seq is null', [tenant]);
      if (p.rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    for (const node of nodes) {
      const v = await api(node.url, key, 'GET', '/api/v1/audit/verify');
      expect(v.status).toBe(200);
      expect(v.body.ok).toBe(true);
    }
    const s = await db.query('select count(*)::int as n, min(seq)::int as lo, max(seq)::int as hi, count(distinct seq)::int as d from audit_events where tenant_id = $1', [tenant]);
    const { n, lo, hi, d } = s.rows[0];
    expect(lo).toBe(1);
    expect(hi).toBe(n);
    expect(d).toBe(n);
    // One audited read per acknowledged read-your-write and search at least: the chain holds the whole load.
    expect(n).toBeGreaterThan(acked.length / 5 * 2);
    const head = await db.query('select seq::int as seq from audit_heads where tenant_id = $1', [tenant]);
    expect(head.rows[0].seq).toBeGreaterThanOrEqual(n);
  }, 120_000);
});
