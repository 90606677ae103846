/**
 * Hand-written hostile requests: huge bodies, deep JSON, prototype-pollution keys, invalid UTF-8, NUL bytes,
 * SQL and script payloads in every free-text string. None may get a 5xx, crash the server, write anything when
 * refused, pollute Object.prototype, or put PI or a secret into an error or a log line; accepted payloads are stored
 * as the inert text they are and read back byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../harness.js';
import { HOSTILE_STRINGS } from './openapi-arb.js';
import { CANARIES, leaks, SEEDED_PI, startTarget, type FuzzRequest, type Reply, type Target } from './target.js';

const PAYLOADS = HOSTILE_STRINGS.filter((s) => s.length > 0 && s.trim().length > 0 && s.length <= 2000);

for (const kind of BACKENDS) {
  describe(`hostile input on ${kind}`, () => {
    let t: Target;
    const problems: string[] = [];
    beforeAll(async () => { t = await startTarget(kind); });
    afterAll(async () => { await t?.close(); });

    /** Send, then check the rules every hostile request must keep. */
    async function hostile(req: FuzzRequest, label = `${req.method} ${req.url}`): Promise<Reply> {
      const before = await t.fingerprint(['staff', 'sessions']);
      const res = await t.send(req);
      const after = await t.fingerprint(['staff', 'sessions']);
      if (res.status >= 500) problems.push(`${label}: ${res.status} ${res.body.slice(0, 200)}`);
      if (res.status >= 400) {
        if (!String(res.headers['content-type']).includes('application/problem+json')) problems.push(`${label}: not problem+json`);
        const changed = [...after].filter(([k, v]) => before.get(k) !== v).map(([k]) => k);
        if (changed.length) problems.push(`${label}: refused (${res.status}) but wrote to ${changed.join(', ')}`);
        const leaked = leaks(res.body, [...t.secrets, ...Object.values(SEEDED_PI)]);
        if (leaked.length) problems.push(`${label}: error leaks ${leaked.join(', ')}`);
      }
      return res;
    }
    const owner = () => ({ authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' });
    const json = (method: string, url: string, body: unknown): FuzzRequest => ({ method, url, headers: owner(), payload: JSON.stringify(body) });

    it('refuses bodies over the size limit with 413 and writes nothing', async () => {
      const big = JSON.stringify({ records: Array.from({ length: 9000 }, () => ({ fields: { name: 'x'.repeat(1900) } })) });
      expect(big.length).toBeGreaterThan(16 * 1024 * 1024);
      const res = await hostile({ method: 'POST', url: '/api/v1/collections/customers/records', headers: owner(), payload: big });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).code).toBe('request.too_large');
    });

    it('survives deeply nested JSON (100,000 levels) with a 4xx', async () => {
      for (const payload of ['['.repeat(100_000) + ']'.repeat(100_000), '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), `{"fields":{"name":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`]) {
        const res = await hostile({ method: 'POST', url: '/api/v1/collections/customers/records', headers: owner(), payload }, `deep JSON ${payload.slice(0, 12)}`);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
    });

    it('refuses prototype-pollution keys and leaves Object.prototype clean', async () => {
      const bodies = [
        '{"__proto__":{"isAdmin":true},"name":"p1","title":"t","legal_basis":"contract"}',
        '{"constructor":{"prototype":{"isAdmin":true}},"name":"p2","title":"t","legal_basis":"contract"}',
        '{"fields":{"__proto__":{"polluted":true},"name":"王"}}',
        '{"records":[{"fields":{"constructor":{"prototype":{"polluted":true}}}}]}',
      ];
      for (const [i, payload] of bodies.entries()) {
        const url = i < 2 ? '/api/v1/purposes' : '/api/v1/collections/customers/records';
        const res = await hostile({ method: 'POST', url, headers: owner(), payload }, `proto ${i}`);
        expect(res.status, payload).toBeGreaterThanOrEqual(400);
        expect(res.status, payload).toBeLessThan(500);
      }
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('handles invalid UTF-8 in bodies and URLs without a 5xx', async () => {
      const bad = Buffer.concat([Buffer.from('{"fields":{"name":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]), Buffer.from('"}}')]);
      const w = await hostile({ method: 'POST', url: '/api/v1/collections/customers/records', headers: owner(), payload: bad }, 'invalid UTF-8 body');
      if (w.status === 201) {
        const r = await t.send({ method: 'GET', url: `/api/v1/collections/customers/records/${JSON.parse(w.body).id}?purpose=customer_service&fields=name`, headers: owner() });
        expect(r.status).toBe(200);
        expect(JSON.parse(r.body).fields.name).toMatch(/\uFFFD/); // stored as replacement characters, never as raw bytes
      }
      for (const url of ['/api/v1/collections/%C3%28/records', '/api/v1/subjects/%FF%FE/consents', '/api/v1/collections/customers/records/%ED%A0%80?purpose=%C0%AF']) {
        const res = await hostile({ method: 'GET', url, headers: owner() });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
    });

    it('stores SQL, script, path and control-character payloads as inert text and reads them back exactly', async () => {
      for (const p of PAYLOADS) {
        const w = await hostile(json('POST', '/api/v1/collections/customers/records', { fields: { name: p, address: p } }), `record ${JSON.stringify(p).slice(0, 40)}`);
        if (w.status !== 201) { expect(w.status).toBeLessThan(500); continue; }
        const r = await t.send({ method: 'GET', url: `/api/v1/collections/customers/records/${JSON.parse(w.body).id}?purpose=customer_service&fields=name,address`, headers: owner() });
        expect(r.status, `${JSON.stringify(p)}: ${r.body}`).toBe(200);
        expect(JSON.parse(r.body).fields.name).toBe(p.trim()); // text fields are trimmed, otherwise kept byte for byte
      }
      // The tables are all still there and the search path still finds by exact value only.
      const s = await t.send(json('POST', '/api/v1/collections/customers/search', { field: 'email', value: "' OR '1'='1", purpose: 'customer_service' }));
      expect([200, 422]).toContain(s.status); // not an e-mail address: refused, or found nothing; never all records
      if (s.status === 200) expect(JSON.parse(s.body).records).toEqual([]);
      const all = await t.send(json('POST', '/api/v1/collections/customers/search', { field: 'email', value: SEEDED_PI.email, purpose: 'customer_service', fields: ['email'] }));
      expect(JSON.parse(all.body).records).toHaveLength(1);
    });

    it('keeps every hostile string out of 5xx in every free-text field of the metadata routes', async () => {
      let n = 0;
      for (const p of PAYLOADS) {
        n++;
        await hostile(json('POST', '/api/v1/purposes', { name: `hp_${n}`, title: p.slice(0, 100), description: p, legal_basis: 'contract' }), `purpose title ${JSON.stringify(p).slice(0, 30)}`);
        await hostile(json('POST', '/api/v1/notices', { name: `hn-${n}`, language: 'zh-CN', text: p, purposes: ['marketing'] }), `notice text ${JSON.stringify(p).slice(0, 30)}`);
        await hostile(json('POST', '/api/v1/legal-holds', { subject_id: t.ids.subject[2], reason: p }), `hold reason ${JSON.stringify(p).slice(0, 30)}`);
        await hostile(json('POST', '/api/v1/requests', { subject_id: t.ids.subject[1], kind: 'explanation', note: p, requester: { name: p.slice(0, 100), contact: p.slice(0, 200) } }), `request note ${JSON.stringify(p).slice(0, 30)}`);
        await hostile(json('POST', '/api/v1/collections/customers/search', { field: 'phone', value: p, purpose: 'customer_service' }), `search ${JSON.stringify(p).slice(0, 30)}`);
        await hostile(json('POST', '/api/v1/scan', { text: p }), `scan ${JSON.stringify(p).slice(0, 30)}`);
        await hostile({ method: 'GET', url: `/api/v1/audit/events?${new URLSearchParams({ actor_id: p.slice(0, 80) })}`, headers: owner() }, `audit query ${JSON.stringify(p).slice(0, 30)}`);
        await hostile({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ username: p.slice(0, 100), password: p.slice(0, 200) }) }, `login ${JSON.stringify(p).slice(0, 30)}`);
      }
    });

    it('refuses numbers outside every range, duplicate query parameters and odd content types with a 4xx', async () => {
      await hostile({ method: 'POST', url: '/api/v1/retention/rules', headers: owner(), payload: '{"name":"r1","collection":"customers","period_days":1e400,"anchor":"created"}' }, '1e400');
      await hostile(json('POST', '/api/v1/retention/rules', { name: 'r2', collection: 'customers', period_days: 2 ** 53, anchor: 'created' }), '2^53');
      await hostile(json('POST', `/api/v1/subjects/${t.ids.subject[0]}/consents`, { purpose: 'marketing', notice: 'privacy-policy', notice_version: -1, channel: 'web' }), 'negative version');
      await hostile({ method: 'GET', url: `/api/v1/collections/customers/records/${t.ids.record[0]}?purpose=customer_service&purpose=marketing`, headers: owner() }, 'duplicate purpose');
      await hostile({ method: 'GET', url: '/api/v1/requests?limit=99999999999999999999999&offset=-1', headers: owner() }, 'huge limit');
      for (const ct of ['text/plain', 'application/xml', 'multipart/form-data; boundary=----x', 'application/x-www-form-urlencoded']) {
        const res = await hostile({ method: 'POST', url: '/api/v1/purposes', headers: { ...owner(), 'content-type': ct }, payload: '{"name":"ct","title":"t","legal_basis":"contract"}' }, `content-type ${ct}`);
        expect(res.status).toBeGreaterThanOrEqual(400);
      }
    });

    it('refuses NUL characters and unpaired surrogates anywhere in the input with a 400 naming the field', async () => {
      const cases: Array<[FuzzRequest, string]> = [
        [json('POST', '/api/v1/purposes', { name: 'nul', title: 'a\u0000b', legal_basis: 'contract' }), 'title'],
        [{ method: 'POST', url: '/api/v1/requests', headers: owner(), payload: `{"subject_id":"${t.ids.subject[1]}","kind":"access","requester":{"name":"\\ud800"}}` }, 'requester.name'],
        [json('POST', '/api/v1/collections/customers/records', { records: [{ fields: { name: 'ok' } }, { fields: { name: 'x\u0000' } }] }), 'records[1].fields.name'],
        [{ method: 'GET', url: '/api/v1/audit/events?actor_id=a%00b', headers: owner() }, 'querystring.actor_id'],
      ];
      for (const [req, field] of cases) {
        const res = await hostile(req, `bad text ${field}`);
        expect(res.status, field).toBe(400);
        expect(JSON.parse(res.body).errors[0].field).toBe(field);
      }
    });

    it('a refused one-time export leaves the download available (the claim is released)', async () => {
      const w = JSON.parse((await t.send(json('POST', '/api/v1/collections/customers/records', { fields: { name: '导出人', phone: '13511112222' } }))).body);
      const r = JSON.parse((await t.send(json('POST', '/api/v1/requests', { subject_id: w.subject_id, kind: 'copy' }))).body);
      for (const step of [{ to: 'verifying' }, { to: 'in_progress', verification: { method: 'id_document', result: 'passed' } }, { to: 'completed' }]) {
        expect((await t.send(json('POST', `/api/v1/requests/${r.id}/transitions`, step))).status).toBe(200);
      }
      // The staff admin may manage requests but holds no grant on PI: the export is refused after being claimed.
      const refused = await t.send({ method: 'GET', url: `/api/v1/requests/${r.id}/export`, headers: { cookie: t.session.cookie } });
      expect(refused.status).toBe(403);
      const ok = await t.send({ method: 'GET', url: `/api/v1/requests/${r.id}/export`, headers: owner() });
      expect(ok.status).toBe(200);
      expect((await t.send({ method: 'GET', url: `/api/v1/requests/${r.id}/export`, headers: owner() })).status).toBe(410);
    });

    it('broke no rule above, still serves, and logged no PI or secret', async () => {
      expect(problems).toEqual([]);
      const ok = await t.send({ method: 'GET', url: `/api/v1/collections/customers/records/${t.ids.record[0]}?purpose=customer_service&fields=name`, headers: owner() });
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.body).fields.name).toBe(SEEDED_PI.name);
      const lines = t.logs.filter((l) => leaks(l, [...t.secrets, ...Object.values(SEEDED_PI), ...CANARIES]).length);
      expect(lines.slice(0, 3)).toEqual([]);
      expect(t.logs.length).toBeGreaterThan(100);
    });
  });
}
