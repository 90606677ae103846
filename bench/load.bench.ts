/**
 * Mixed API load against a real `custodian serve` process (built: npm run build), on PGlite and on PostgreSQL:
 * 64 connections for 60 s, 70% search + read, 20% write, 10% consent (grant / withdraw). Reports throughput,
 * p50 / p99 per kind and overall, errors, and the server's peak memory (target: under 400 MB RSS).
 * The load generator runs on the same machine (2 cores here), so it takes CPU from the server it measures.
 * Scale with LOAD_SECONDS (60), LOAD_CONNECTIONS (64), LOAD_SEED_RECORDS (5000). Run alone: node --import tsx bench/load.bench.ts
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { api, assertBuilt, freshBackend, initStore, startServer, type Backend, type ServerProc } from '../test/faults/lib.js';
import { customer, percentile, pgAvailable, PG_URL, round } from './lib.js';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 64);
const SEED = Number(process.env.LOAD_SEED_RECORDS ?? 5000);
const RSS_TARGET_MB = 400;

type Kind = 'search' | 'read' | 'write' | 'consent';

function rssMb(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** The server's largest memory mappings by resident size (LOAD_SMAPS=1): tells the embedded store's WebAssembly memory from Node's heap. */
function topMappings(pid: number): string {
  const out: Array<{ kb: number; what: string }> = [];
  let cur = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) { const [range, , , , , path] = line.split(/\s+/); const [a, b] = range.split('-').map((x) => parseInt(x, 16)); cur = `${Math.round((b - a) / 1048576)} MB mapped ${path ?? '[anon]'}`; }
    else if (line.startsWith('Rss:')) out.push({ kb: Number(line.split(/\s+/)[1]), what: cur });
  }
  const total = out.reduce((a, m) => a + m.kb, 0); out.push({ kb: total, what: "TOTAL" });
  return out.sort((x, y) => y.kb - x.kb).slice(0, 14).map((m) => `${Math.round(m.kb / 1024)} MB resident: ${m.what}`).join('\n');
}

async function seed(srv: ServerProc, key: string) {
  const ok = (r: { status: number; body: unknown }, what: string) => { if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`); return r.body as any; };
  ok(await api(srv.url, key, 'POST', '/api/v1/purposes', { name: 'customer_service', title: '客户服务', legal_basis: 'contract', requires_training: false }), 'purpose');
  ok(await api(srv.url, key, 'POST', '/api/v1/purposes', { name: 'marketing', title: '营销', legal_basis: 'consent', requires_training: false }), 'purpose');
  ok(await api(srv.url, key, 'POST', '/api/v1/notices', { name: 'privacy-policy', language: 'zh-CN', text: '个人信息处理规则', purposes: ['marketing'] }), 'notice');
  ok(await api(srv.url, key, 'POST', '/api/v1/collections', { name: 'customers', fields: [
    { name: 'name', type: 'person_name' }, { name: 'phone', type: 'mobile', searchable: true }, { name: 'id_number', type: 'cn_id', searchable: true },
    { name: 'email', type: 'email', searchable: true }, { name: 'address', type: 'address' }] }), 'collection');
  const records: Array<{ id: string; subject: string; phone: string }> = [];
  for (let i = 0; i < SEED; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, SEED - i) }, (_, j) => { const c = customer(i + j); return { name: c.name, phone: c.phone, id_number: c.id_number, email: c.email, address: c.address }; });
    const out = ok(await api(srv.url, key, 'POST', '/api/v1/collections/customers/records', { records: batch.map((fields) => ({ fields })) }, 120_000), 'seed');
    out.ids.forEach((id: string, j: number) => records.push({ id, subject: out.subject_ids[j], phone: batch[j].phone }));
  }
  return records;
}

async function loadOn(kind: 'pglite' | 'postgres') {
  const be: Backend = await freshBackend(kind, kind === 'postgres' ? { databaseUrl: PG_URL } : {});
  const { api_key: key } = initStore(be);
  const srv = await startServer(be, { extraEnv: { LOG_LEVEL: 'warn', CUSTODIAN_PG_POOL: '16', ...(process.env.LOAD_NODE_OPTIONS ? { NODE_OPTIONS: process.env.LOAD_NODE_OPTIONS } : {}) } });
  try {
    const records = await seed(srv, key);
    const lat: Record<Kind, number[]> = { search: [], read: [], write: [], consent: [] };
    const errors: Record<string, number> = {};
    const rssAfterSeed = Math.round(rssMb(srv.pid).rss);
    let rssMax = 0;
    const sampler = setInterval(() => { try { rssMax = Math.max(rssMax, rssMb(srv.pid).rss); } catch { /* exited */ } }, 250);
    const consented = new Set<string>();
    let n = SEED + 1_000_000;
    const end = Date.now() + SECONDS * 1000;
    const worker = async (w: number) => {
      let i = w;
      while (Date.now() < end) {
        i += CONNECTIONS;
        const r = records[(i * 7919) % records.length];
        const roll = (i * 37) % 100;
        const kindOf: Kind = roll < 35 ? 'search' : roll < 70 ? 'read' : roll < 90 ? 'write' : 'consent';
        const t0 = performance.now();
        let res;
        try {
          if (kindOf === 'search') res = await api(srv.url, key, 'POST', '/api/v1/collections/customers/search', { field: 'phone', value: r.phone, purpose: 'customer_service', fields: ['name', 'phone'] });
          else if (kindOf === 'read') res = await api(srv.url, key, 'GET', `/api/v1/collections/customers/records/${r.id}?purpose=customer_service&fields=name,phone,email`);
          else if (kindOf === 'write') { const c = customer(n++); res = await api(srv.url, key, 'POST', '/api/v1/collections/customers/records', { fields: { name: c.name, phone: c.phone, email: c.email } }); }
          else if (consented.has(r.subject)) { consented.delete(r.subject); res = await api(srv.url, key, 'DELETE', `/api/v1/subjects/${r.subject}/consents/marketing`); }
          else { consented.add(r.subject); res = await api(srv.url, key, 'POST', `/api/v1/subjects/${r.subject}/consents`, { purpose: 'marketing', notice: 'privacy-policy', notice_version: 1, channel: 'app' }); }
        } catch (e) { errors[`network ${(e as Error).message}`] = (errors[`network ${(e as Error).message}`] ?? 0) + 1; continue; }
        const ms = performance.now() - t0;
        if (res.status >= 300 && !(kindOf === 'consent' && res.status < 500)) errors[`${kindOf} ${res.status}`] = (errors[`${kindOf} ${res.status}`] ?? 0) + 1;
        else lat[kindOf].push(ms);
      }
    };
    const t0 = Date.now();
    await Promise.all(Array.from({ length: CONNECTIONS }, (_, w) => worker(w)));
    const secs = (Date.now() - t0) / 1000;
    clearInterval(sampler);
    const { hwm } = rssMb(srv.pid);
    if (process.env.LOAD_SMAPS) console.error(topMappings(srv.pid));
    const all = Object.values(lat).flat();
    const stats = (xs: number[]) => ({ count: xs.length, per_s: round(xs.length / secs), p50_ms: round(percentile(xs, 50), 2), p99_ms: round(percentile(xs, 99), 2) });
    return {
      seconds: Math.round(secs), connections: CONNECTIONS, seeded_records: records.length,
      throughput_per_s: round(all.length / secs), p50_ms: round(percentile(all, 50), 2), p99_ms: round(percentile(all, 99), 2),
      search: stats(lat.search), read: stats(lat.read), write: stats(lat.write), consent: stats(lat.consent),
      errors, rss_after_seed_mb: rssAfterSeed, rss_max_mb: Math.round(rssMax), rss_peak_incl_seed_mb: Math.round(hwm),
    };
  } finally {
    await srv.stop();
    await be.cleanup();
  }
}

export async function run() {
  assertBuilt();
  // Node's fetch keeps connections alive with no per-origin cap: each worker holds its own socket.
  const out: Record<string, unknown> = { mix: '35% search, 35% read, 20% write, 10% consent grant/withdraw', targets: { rss_max_mb: RSS_TARGET_MB } };
  const kinds = (process.env.LOAD_KINDS ?? 'pglite,postgres').split(',');
  if (kinds.includes('pglite')) out.pglite = await loadOn('pglite');
  if (kinds.includes('postgres')) out.postgres = (await pgAvailable()) ? await loadOn('postgres') : { skipped: 'PostgreSQL not reachable' };
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(JSON.stringify(await run(), null, 2));
