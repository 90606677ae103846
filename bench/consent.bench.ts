/**
 * Consent check (issue 4): the legal-basis lookup a read makes for a consent-based purpose, with
 * 1,000,000 consent rows on PostgreSQL (target: at most 0.2 ms at p99). Measured inside one open
 * transaction as a read runs it (access.subjectsWithoutBasis: restriction + consent, one query), for
 * a consent-based purpose and, as the floor, a contract-based one (restriction only); plus the cost
 * over a whole HTTP read (consent purpose minus contract purpose, same record).
 * Scale with BENCH_CONSENTS (1000000) and BENCH_LOOKUPS (20000). Run alone: BENCH_ONLY=consent npm run bench
 */
import { sql } from 'kysely';
import { buildServer } from '../src/http/server.js';
import type { Actor } from '../src/audit/index.js';
import { median, openBenchStore, percentile, pgAvailable, round, type BenchStore } from './lib.js';

const N = Number(process.env.BENCH_CONSENTS ?? 1_000_000);
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 20_000);

async function fill(s: BenchStore) {
  const t = s.tenant;
  const t0 = performance.now();
  await s.app.db.transaction(async (tx) => {
    await s.app.access.createPurpose(tx, t, { name: 'marketing', title: '营销推广', legal_basis: 'consent' });
    await s.app.access.createPurpose(tx, t, { name: 'customer_service', title: '客户服务', legal_basis: 'contract' });
    await tx.insertInto('notices').values({ tenant_id: t, name: 'privacy', version: 1, language: 'zh-CN', text: 'x', sha256: '0'.repeat(64), purposes: JSON.stringify(['marketing']) }).execute();
  });
  for (let from = 0; from < N; from += 250_000) {
    const to = Math.min(N, from + 250_000) - 1;
    await s.app.db.transaction(async (tx) => {
      await sql`insert into subjects (tenant_id, id) select ${t}, 'sub_bench' || lpad(g::text, 9, '0') from generate_series(${from}::int, ${to}::int) g`.execute(tx);
      // 90% granted, 5% withdrawn, 5% awaiting re-consent.
      await sql`insert into consents (tenant_id, subject_id, purpose, state, notice, notice_version, channel, granted_at, withdrawn_at, needs_reconsent)
        select ${t}, 'sub_bench' || lpad(g::text, 9, '0'), 'marketing', case when g % 20 = 1 then 'withdrawn' else 'granted' end, 'privacy', 1, 'app', now(),
               case when g % 20 = 1 then now() end, g % 20 = 2
        from generate_series(${from}::int, ${to}::int) g`.execute(tx);
    });
  }
  await sql`analyze subjects`.execute(s.app.db.kysely);
  await sql`analyze consents`.execute(s.app.db.kysely);
  return (performance.now() - t0) / 1000;
}

/** Consent-based and contract-based checks alternate, so machine noise falls on both alike. */
async function checkLatency(s: BenchStore) {
  const times: Record<string, number[]> = { marketing: [], customer_service: [] };
  let refused = 0;
  const pick = () => `sub_bench${String(Math.floor(Math.random() * N)).padStart(9, '0')}`;
  await s.app.db.transaction(async (tx) => {
    for (let i = 0; i < 2000; i++) await s.app.access.subjectsWithoutBasis(tx, s.tenant, 'marketing', [pick()]); // warm-up
    for (let i = 0; i < LOOKUPS; i++) {
      for (const purpose of ['marketing', 'customer_service']) {
        const id = pick();
        const t0 = performance.now();
        const r = await s.app.access.subjectsWithoutBasis(tx, s.tenant, purpose, [id]);
        times[purpose].push(performance.now() - t0);
        if (purpose === 'marketing' && r.refused.size) refused++;
      }
    }
  });
  const stats = (t: number[]) => ({ p50_ms: round(median(t), 3), p90_ms: round(percentile(t, 90), 3), p99_ms: round(percentile(t, 99), 3), max_ms: round(Math.max(...t), 3) });
  return { consent: { ...stats(times.marketing), refused_share: round(refused / LOOKUPS, 3) }, contract: stats(times.customer_service) };
}

async function httpCost(s: BenchStore) {
  const actor: Actor = { type: 'system', id: 'bench', tenantId: s.tenant, roles: ['owner'] };
  await s.app.db.transaction((tx) => s.app.collections.create(tx, s.tenant, { name: 'customers', fields: [{ name: 'phone', type: 'mobile' }] }));
  const w = await s.app.records.write(actor, 'customers', [{ fields: { phone: '13800138000' } }], false);
  await s.app.consent.grant(actor, w.subjects[0], { purpose: 'marketing', notice: 'privacy', notice_version: 1, channel: 'app' });
  const f = await buildServer(s.app, { logger: false });
  await f.listen({ port: 0, host: '127.0.0.1' });
  const port = (f.server.address() as { port: number }).port;
  const run = async (purpose: string) => {
    const times: number[] = [];
    for (let i = 0; i < 2200; i++) {
      const t0 = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/collections/customers/records/${w.ids[0]}?purpose=${purpose}&fields=phone`, { headers: { authorization: `Bearer ${s.key}` } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`read ${purpose}: ${res.status}`);
      if (i >= 200) times.push(performance.now() - t0);
    }
    return times;
  };
  try {
    const contract = await run('customer_service');
    const consent = await run('marketing');
    return { contract_p50_ms: round(median(contract), 3), consent_p50_ms: round(median(consent), 3), consent_minus_contract_p50_ms: round(median(consent) - median(contract), 3) };
  } finally { await f.close(); }
}

export async function run() {
  if (!(await pgAvailable())) return { skipped: 'PostgreSQL not reachable' };
  const s = await openBenchStore('postgres');
  try {
    const fillSeconds = await fill(s);
    const checks = await checkLatency(s);
    const load = (await import('node:os')).loadavg()[0];
    return {
      consent_rows: N, fill_seconds: round(fillSeconds), lookups: LOOKUPS, load_average_1m: round(load, 2),
      postgres: { consent_check: checks.consent, contract_check_floor: checks.contract, http_read: await httpCost(s) },
      targets: { consent_check_p99_ms: 0.2 },
    };
  } finally { await s.close(); }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await run(), null, 2));
