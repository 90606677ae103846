/**
 * Customer portal (issue 7): the answer to a sign-in code request must take about as long for a contact
 * on record as for one that is not (no enumeration by timing). Known and unknown contacts alternate
 * (machine noise falls on both alike) over BENCH_PORTAL_CUSTOMERS customers (10000); each request uses a
 * fresh contact and client address so no rate limit applies. Also: sign-in with the code, and the masked
 * self view (decrypt + mask + audit). Run alone: BENCH_ONLY=portal npm run bench
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Actor } from '../src/audit/index.js';
import { CUSTOMERS_DEF, customer, median, openBenchStore, percentile, pgAvailable, round } from './lib.js';

const N = Number(process.env.BENCH_PORTAL_CUSTOMERS ?? 10_000);
const REQUESTS = Number(process.env.BENCH_PORTAL_REQUESTS ?? 400);
const stats = (t: number[]) => ({ p50_ms: round(median(t), 2), p90_ms: round(percentile(t, 90), 2), p99_ms: round(percentile(t, 99), 2) });

async function one(kind: 'pglite' | 'postgres') {
  const s = await openBenchStore(kind);
  try {
    const { app } = s;
    const owner: Actor = { type: 'cli', id: 'cli:bench', tenantId: s.tenant, roles: ['owner'] };
    await app.db.transaction((tx) => app.collections.create(tx, s.tenant, CUSTOMERS_DEF));
    for (let i = 0; i < N; i += 5000) await app.records.write(owner, 'customers', Array.from({ length: Math.min(5000, N - i) }, (_, k) => ({ fields: customer(i + k) })), true);
    const known: number[] = [], unknown: number[] = [];
    const ask = async (contact: string, i: number) => {
      const t0 = performance.now();
      const r = await app.portal.requestCode({ tenant: s.tenant, channel: 'sms', contact, clientIp: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` });
      return { ms: performance.now() - t0, id: r.challenge_id };
    };
    for (let i = 0; i < 40; i++) { await ask(customer(N - 1 - i).phone, 100_000 + i); await ask(`139${String(90_000_000 + i)}`, 200_000 + i); } // warm-up
    let lastKnown = '';
    for (let i = 0; i < REQUESTS; i++) {
      const k = await ask(customer(i).phone, i);
      known.push(k.ms); lastKnown = k.id;
      unknown.push((await ask(`139${String(80_000_000 + i)}`, 50_000 + i)).ms);
    }
    await app.portal.idle();
    const dir = join(app.cfg.dataDir, 'outbox', 'sms');
    const line = readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n')).find((l) => l.includes(`portal/${lastKnown}`)) as string;
    const code = (/\b(\d{6})\b/.exec(JSON.parse(line).body) as RegExpExecArray)[1];
    let t0 = performance.now();
    const session = await app.portal.signIn({ tenant: s.tenant, challenge_id: lastKnown, code, clientIp: '10.9.9.9' });
    const sign_in_ms = round(performance.now() - t0, 2);
    const subject = await app.portal.sessionActor(session.token);
    const me: number[] = [];
    for (let i = 0; i < 50; i++) { t0 = performance.now(); await app.portal.me(subject!.actor); me.push(performance.now() - t0); }
    const k = stats(known), u = stats(unknown);
    return { customers: N, requests_each: REQUESTS, code_request_known: k, code_request_unknown: u, known_minus_unknown_p50_ms: round(k.p50_ms - u.p50_ms, 2), sign_in_ms, self_view: stats(me) };
  } finally { await s.close(); }
}

export async function run() {
  const out: Record<string, unknown> = { pglite: await one('pglite') };
  if (await pgAvailable()) out.postgres = await one('postgres');
  return { ...out, targets: { known_minus_unknown_p50_ms: 1 } };
}
