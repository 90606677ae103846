/**
 * Scoping an incident from the audit log: the stored affected set (chunks of subject ids, one row per PI kind)
 * must be exactly the subjects the matching events disclosed, with their PI kinds and event counts, whatever
 * the filters; the paged listing must return each of them once. Expected values come from a plain model of the
 * same events, not from the code under test.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Actor, AuditInput } from '../src/audit/index.js';
import { SCOPE_TUNING } from '../src/incidents/incident-scope.js';
import { BACKENDS, setupCustomers, startHarness, type Harness } from './harness.js';

interface Ev { at: number; actor: string; action: string; decision: 'allow' | 'deny'; collection: string; subject: string; fields: string[] | null }
interface FieldDef { name: string; type: string; category: string; sensitive: boolean }

const W_FROM = Date.parse('2025-06-03T02:00:00Z');
const W_TO = Date.parse('2025-06-03T03:00:00Z');
const GENERIC = new Set(['text', 'number', 'date', 'boolean']);

/** The events of the case: one leaking staff member over two collections, and everything that must not count. */
function events(): Ev[] {
  const out: Ev[] = [];
  const ev = (at: number, subject: string, collection: string, fields: string[] | null, o: Partial<Ev> = {}) => out.push({ at, actor: 'stf_leak', action: 'record.read', decision: 'allow', collection, subject, fields, ...o });
  for (let i = 0; i < 1200; i++) ev(W_FROM + 1000 + i * 1000, `sub_c${i}`, 'customers', i % 3 === 0 ? ['name', 'id_number'] : i % 3 === 1 ? ['name', 'phone'] : ['phone']);
  for (let i = 0; i < 100; i++) ev(W_FROM + 1_300_000 + i * 1000, `sub_c${i}`, 'customers', ['name']);
  for (let i = 1100; i < 1300; i++) ev(W_FROM + 1_500_000 + i * 1000, `sub_c${i}`, 'orders', ['card']);
  ev(W_FROM + 3_000_000, 'sub_star', '*', null, { action: 'record.search' });
  ev(W_FROM + 3_001_000, 'sub_diag', 'orders', ['diagnosis', 'buyer']);
  // Not disclosures, or outside the criteria:
  ev(W_FROM + 3_002_000, 'sub_denied', 'customers', ['name'], { decision: 'deny' });
  ev(W_FROM - 1000, 'sub_before', 'customers', ['name']);
  ev(W_TO, 'sub_at_end', 'customers', ['name']);
  ev(W_FROM + 3_003_000, 'sub_other_actor', 'customers', ['name'], { actor: 'stf_other' });
  ev(W_FROM + 3_004_000, 'sub_written', 'customers', ['name'], { action: 'record.create' });
  return out;
}

/** What the scope must find: per subject its `type:category` keys, sensitive or not, and its event count. */
function model(evs: Ev[], defs: Map<string, FieldDef[]>, q: { actor: string; collections?: string[] }) {
  const per = new Map<string, { keys: Set<string>; sensitive: boolean; events: number }>();
  for (const e of evs) {
    if (e.decision !== 'allow' || !['record.read', 'record.search', 'subject.export'].includes(e.action) || e.actor !== q.actor || e.at < W_FROM || e.at >= W_TO) continue;
    if (q.collections && e.collection !== '*' && !q.collections.includes(e.collection)) continue;
    const fields = e.collection === '*'
      ? [...defs].filter(([c]) => !q.collections || q.collections.includes(c)).flatMap(([, f]) => f)
      : (defs.get(e.collection) ?? []).filter((f) => e.fields?.includes(f.name));
    const s = per.get(e.subject) ?? { keys: new Set<string>(), sensitive: false, events: 0 };
    for (const f of fields) { s.keys.add(`${f.type}:${f.category}`); s.sensitive ||= f.sensitive; }
    s.events++;
    per.set(e.subject, s);
  }
  const count = (label: (k: string) => string) => {
    const m: Record<string, number> = {};
    for (const s of per.values()) for (const l of new Set([...s.keys].map(label))) m[l] = (m[l] ?? 0) + 1;
    return m;
  };
  return {
    per,
    sensitive: [...per.values()].filter((s) => s.sensitive).length,
    byType: count((k) => (GENERIC.has(k.split(':')[0]) ? k : k.split(':')[0])),
    byCategory: count((k) => k.split(':')[1]),
  };
}

async function record(h: Harness, evs: Ev[]) {
  const batches = new Map<string, Ev[]>();
  for (const e of evs) batches.set(`${e.actor}|${e.at}`, [...(batches.get(`${e.actor}|${e.at}`) ?? []), e]);
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    for (const batch of batches.values()) {
      vi.setSystemTime(new Date(batch[0].at));
      const actor: Actor = { type: 'staff', id: batch[0].actor, roles: [], clientIp: '10.1.2.3', tenantId: h.tenant };
      const inputs: AuditInput[] = batch.map((e) => ({ action: e.action, decision: e.decision, purpose: 'customer_service', collection: e.collection, subjectId: e.subject, recordId: `rec_${e.subject}`, fields: e.fields ?? undefined }));
      await h.app.db.transaction((tx) => h.app.audit.record(tx, actor, inputs));
    }
  } finally { vi.useRealTimers(); }
}

/** Every page of the listing, in order. */
async function allPages(h: Harness, id: string, query: string) {
  const got: any[] = [];
  let offset: number | null = 0;
  let pages = 0;
  while (offset !== null) {
    const r = await h.api('GET', `/api/v1/incidents/${id}/subjects?limit=700&offset=${offset}${query}`);
    expect(r.status).toBe(200);
    got.push(...r.body.subjects);
    offset = r.body.next_offset;
    pages++;
  }
  return { got, pages };
}

for (const kind of BACKENDS) {
  describe(`incident scope on ${kind}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(kind);
      await setupCustomers(h);
      const o = await h.api('POST', '/api/v1/collections', { name: 'orders', fields: [{ name: 'buyer', type: 'person_name' }, { name: 'card', type: 'bank_card' }, { name: 'diagnosis', type: 'text', category: 'health' }] });
      expect(o.status).toBe(201);
    });
    afterAll(async () => { await h?.close(); });

    it('scopes by actor, time window and collection to exactly the subjects disclosed, with counts by PI type, and lists each once', async () => {
      const evs = events();
      await record(h, evs);
      const defs = new Map<string, FieldDef[]>((await h.api('GET', '/api/v1/collections')).body.collections.map((c: any) => [c.name, c.fields]));
      const inc = (await h.api('POST', '/api/v1/incidents', { title: '员工账号泄露', kind: 'leak' })).body;
      const window = { from: new Date(W_FROM).toISOString(), to: new Date(W_TO).toISOString() };

      for (const collections of [['customers'], undefined]) {
        const want = model(evs, defs, { actor: 'stf_leak', collections });
        const s = await h.api('POST', `/api/v1/incidents/${inc.id}/scope`, { mode: 'audit', actor_ids: ['stf_leak'], ...window, ...(collections ? { collections } : {}) });
        expect(s.status).toBe(200);
        expect(s.body.affected_count).toBe(want.per.size);
        expect(s.body.sensitive_count).toBe(want.sensitive);
        expect(Object.fromEntries(s.body.scope.by_type.map((t: any) => [t.type, t.subjects]))).toEqual(want.byType);
        expect(Object.fromEntries(s.body.scope.by_category.map((c: any) => [c.category, c.subjects]))).toEqual(want.byCategory);
        expect(s.body.scope.events_matched).toBe([...want.per.values()].reduce((a, x) => a + x.events, 0));

        // The listing: every affected subject exactly once, with its own PI kinds and event count (a re-scope replaced the set).
        const { got, pages } = await allPages(h, inc.id, '');
        expect(pages).toBe(Math.ceil(want.per.size / 700));
        expect(got.map((x) => x.subject_id).sort()).toEqual([...want.per.keys()].sort());
        for (const x of got) {
          const w = want.per.get(x.subject_id)!;
          expect({ s: x.subject_id, pi: [...x.pi].sort(), sensitive: x.sensitive, events: x.events }).toEqual({ s: x.subject_id, pi: [...w.keys].sort(), sensitive: w.sensitive, events: w.events });
        }
        const sens = (await allPages(h, inc.id, '&sensitive=true')).got.map((x) => x.subject_id).sort();
        expect(sens).toEqual([...want.per].filter(([, v]) => v.sensitive).map(([k]) => k).sort());
        const plain = (await allPages(h, inc.id, '&sensitive=false')).got.map((x) => x.subject_id).sort();
        expect(plain).toEqual([...want.per].filter(([, v]) => !v.sensitive).map(([k]) => k).sort());
        // The per-subject view holds the same set.
        const view = await h.raw('select subject_id, events from incident_subjects where tenant_id = $1 and incident_id = $2', [h.tenant, inc.id]);
        expect(view.length).toBe(want.per.size);
        expect(view.every((r: any) => want.per.get(r.subject_id)?.events === Number(r.events))).toBe(true);
      }
      // Sanity of the case itself: the filters each excluded something, and both collections and '*' contributed.
      const narrow = model(evs, defs, { actor: 'stf_leak', collections: ['customers'] });
      const wide = model(evs, defs, { actor: 'stf_leak' });
      expect(narrow.per.size).toBe(1201);
      expect(wide.per.size).toBe(1302);
      expect(wide.per.get('sub_star')!.keys.size).toBeGreaterThan(narrow.per.get('sub_star')!.keys.size);
      for (const s of ['sub_denied', 'sub_before', 'sub_at_end', 'sub_other_actor', 'sub_written']) expect(wide.per.has(s)).toBe(false);
    });

    it('builds the set in several passes and smaller chunks with the same result', async () => {
      const inc = (await h.api('POST', '/api/v1/incidents', { title: '多趟', kind: 'leak' })).body;
      const body = { mode: 'audit', actor_ids: ['stf_leak'], from: new Date(W_FROM).toISOString(), to: new Date(W_TO).toISOString() };
      const one = (await h.api('POST', `/api/v1/incidents/${inc.id}/scope`, body)).body;
      const list = async () => (await allPages(h, inc.id, '')).got.map((x) => `${x.subject_id}|${[...x.pi].sort().join(',')}|${x.sensitive}|${x.events}`).sort();
      const onePass = await list();
      Object.assign(SCOPE_TUNING, { chunkSubjects: 100, passSubjects: 300 });
      try {
        const many = (await h.api('POST', `/api/v1/incidents/${inc.id}/scope`, body)).body;
        expect(many.scope.by_type).toEqual(one.scope.by_type);
        expect([many.affected_count, many.sensitive_count, many.scope.events_matched]).toEqual([one.affected_count, one.sensitive_count, one.scope.events_matched]);
        expect(await list()).toEqual(onePass);
        const chunks = await h.raw('select count(*) as n from incident_subject_chunks where tenant_id = $1 and incident_id = $2', [h.tenant, inc.id]);
        expect(Number(chunks[0].n)).toBeGreaterThanOrEqual(12);
      } finally { Object.assign(SCOPE_TUNING, { chunkSubjects: 1000, passSubjects: 2_000_000 }); }
    });

    it('pages past the end and with an offset inside a chunk without losing or repeating a subject', async () => {
      const inc = (await h.api('POST', '/api/v1/incidents', { title: '分页', kind: 'leak' })).body;
      const s = await h.api('POST', `/api/v1/incidents/${inc.id}/scope`, { mode: 'audit', actor_ids: ['stf_leak'], from: new Date(W_FROM).toISOString(), to: new Date(W_TO).toISOString() });
      const n = s.body.affected_count as number;
      const whole = (await h.api('GET', `/api/v1/incidents/${inc.id}/subjects?limit=1000&offset=0`)).body;
      const rest = (await h.api('GET', `/api/v1/incidents/${inc.id}/subjects?limit=1000&offset=1000`)).body;
      expect(whole.next_offset).toBe(1000);
      expect(rest.next_offset).toBeNull();
      const ids = [...whole.subjects, ...rest.subjects].map((x: any) => x.subject_id);
      expect(new Set(ids).size).toBe(n);
      const mid = (await h.api('GET', `/api/v1/incidents/${inc.id}/subjects?limit=10&offset=995`)).body;
      expect(mid.subjects.map((x: any) => x.subject_id)).toEqual(ids.slice(995, 1005));
      expect((await h.api('GET', `/api/v1/incidents/${inc.id}/subjects?limit=10&offset=${n}`)).body).toEqual({ subjects: [], next_offset: null });
    });
  });
}
