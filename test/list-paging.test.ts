/**
 * Server-side paging, sorting and filtering of the lists the console shows (docs/guide.md, "Lists in the console"):
 * a later page holds the next rows in the asked order, the total counts the filtered rows, and a bad sort key,
 * order or filter is a 400 problem+json naming the parameter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, setupCustomers, startHarness, type Harness } from './harness.js';

const names = (rows: Array<{ name: string }>) => rows.map((r) => r.name);

for (const kind of BACKENDS) {
  describe(`list paging, sorting and filtering on ${kind}`, () => {
    let h: Harness;
    const subjects: string[] = [];
    beforeAll(async () => {
      h = await startHarness(kind);
      await setupCustomers(h);
      // purposes p01..p07 (after customer_service), bases alternating contract / consent
      for (let i = 1; i <= 7; i++) {
        const r = await h.api('POST', '/api/v1/purposes', { name: `p0${i}`, title: `目的 ${8 - i}`, legal_basis: i % 2 ? 'contract' : 'consent' });
        expect(r.status).toBe(201);
      }
      for (const n of ['orders', 'tickets', 'leads', 'invoices']) {
        expect((await h.api('POST', '/api/v1/collections', { name: n, fields: [{ name: 'note', type: 'text' }, ...(n === 'leads' ? [{ name: 'id_number', type: 'cn_id' }] : [])] })).status).toBe(201);
      }
      // three records share one phone number: the lookup pages through them
      for (let i = 0; i < 3; i++) {
        const w = await h.api('POST', '/api/v1/collections/customers/records', { fields: { name: `同号${i}`, phone: '13700137000' } });
        expect(w.status).toBe(201);
        subjects.push(w.body.subject_id);
      }
    });
    afterAll(async () => { await h?.close(); });

    it('pages purposes in the asked order with the total of the filtered list', async () => {
      const all = await h.api('GET', '/api/v1/purposes');
      expect(all.status).toBe(200);
      expect(all.body.total).toBe(8);
      expect(all.body.purposes).toHaveLength(8); // without limit the whole list, as before
      const p1 = await h.api('GET', '/api/v1/purposes?sort=title&order=desc&limit=3');
      const p2 = await h.api('GET', '/api/v1/purposes?sort=title&order=desc&limit=3&offset=3');
      expect(p1.body.total).toBe(8);
      expect(names(p1.body.purposes)).toEqual(['p01', 'p02', 'p03']); // 目的 7, 6, 5
      expect(names(p2.body.purposes)).toEqual(['p04', 'p05', 'p06']);
      const consent = await h.api('GET', '/api/v1/purposes?legal_basis=consent&sort=name&limit=2&offset=1');
      expect(consent.body.total).toBe(3);
      expect(names(consent.body.purposes)).toEqual(['p04', 'p06']);
      const both = await h.api('GET', '/api/v1/purposes?legal_basis=consent,contract&q=p0');
      expect(both.body.total).toBe(7);
    });

    it('refuses a bad sort key, order or filter with a 400 problem+json naming the parameter', async () => {
      const cases: Array<[string, string]> = [
        ['/api/v1/purposes?sort=password', 'querystring.sort'],
        ['/api/v1/purposes?order=sideways', 'querystring.order'],
        ['/api/v1/purposes?legal_basis=consent,magic', 'querystring.legal_basis'],
        ['/api/v1/collections?limit=0', 'querystring.limit'],
        ['/api/v1/collections?sort=fields', 'querystring.sort'],
        ['/api/v1/api-keys?state=stolen', 'querystring.state'],
        ['/api/v1/staff?sort=password_hash', 'querystring.sort'],
        ['/api/v1/roles?sort=grants', 'querystring.sort'],
        ['/api/v1/notices?sort=text', 'querystring.sort'],
        ['/api/v1/requests?sort=requester', 'querystring.sort'],
        ['/api/v1/complaints?sort=contact', 'querystring.sort'],
        ['/api/v1/consents?sort=evidence', 'querystring.sort'],
        ['/api/v1/activities?sort=entry', 'querystring.sort'],
        ['/api/v1/incidents?sort=description', 'querystring.sort'],
        ['/api/v1/alerts?sort=evidence', 'querystring.sort'],
        ['/api/v1/assessments?sort=answers', 'querystring.sort'],
        ['/api/v1/risks?sort=description', 'querystring.sort'],
        ['/api/v1/third-parties?sort=contacts', 'querystring.sort'],
        ['/api/v1/shares?sort=envelope', 'querystring.sort'],
        ['/api/v1/transfers?sort=alerts', 'querystring.sort'],
        ['/api/v1/reports?sort=content', 'querystring.sort'],
        ['/api/v1/compliance-audits?sort=conclusion', 'querystring.sort'],
        ['/api/v1/accountability?sort=description', 'querystring.sort'],
        ['/api/v1/trainings?sort=1;drop', 'querystring.sort'],
        ['/api/v1/outbox?sort=to', 'querystring.sort'],
        ['/api/v1/audit/events?order=random', 'querystring.order'],
      ];
      for (const [url, field] of cases) {
        const r = await h.api('GET', url);
        expect(r.status, url).toBe(400);
        expect(String(r.headers['content-type']), url).toMatch(/application\/problem\+json/);
        expect(r.body.code, url).toBe('validation.invalid');
        expect(r.body.errors[0].field, url).toBe(field);
        expect(r.body.detail, url).toContain(field);
      }
      const sortReason = (await h.api('GET', '/api/v1/purposes?sort=password')).body.errors[0].reason;
      expect(sortReason).toBe('is one of name, title, legal_basis, created_at');
    });

    it('pages, sorts and filters collections in SQL', async () => {
      const desc = await h.api('GET', '/api/v1/collections?sort=name&order=desc&limit=2');
      expect(desc.body.total).toBe(5);
      expect(names(desc.body.collections)).toEqual(['tickets', 'orders']);
      const next = await h.api('GET', '/api/v1/collections?sort=name&order=desc&limit=2&offset=2');
      expect(names(next.body.collections)).toEqual(['leads', 'invoices']);
      const last = await h.api('GET', '/api/v1/collections?sort=name&order=desc&limit=2&offset=4');
      expect(names(last.body.collections)).toEqual(['customers']);
      const sensitive = await h.api('GET', '/api/v1/collections?sensitive=true&sort=name');
      expect(names(sensitive.body.collections)).toEqual(['customers', 'leads']);
      expect(sensitive.body.total).toBe(2);
      const plain = await h.api('GET', '/api/v1/collections?sensitive=false&q=O');
      expect(names(plain.body.collections).sort()).toEqual(['invoices', 'orders']);
      // a % in the search text matches itself, not everything
      expect((await h.api('GET', '/api/v1/collections?q=%25')).body.total).toBe(0);
    });

    it('filters API keys by state and staff by role, sorted and paged', async () => {
      await h.api('POST', '/api/v1/roles', { name: 'cs', grants: [] });
      const k1 = await h.api('POST', '/api/v1/api-keys', { name: 'crm', roles: ['cs'] });
      await h.api('POST', '/api/v1/api-keys', { name: 'billing', roles: ['cs'] });
      expect((await h.api('DELETE', `/api/v1/api-keys/${k1.body.id}`)).status).toBe(200);
      const revoked = await h.api('GET', '/api/v1/api-keys?state=revoked');
      expect(revoked.body.total).toBe(1);
      expect(revoked.body.api_keys[0].name).toBe('crm');
      const active = await h.api('GET', '/api/v1/api-keys?state=active&sort=name');
      expect(active.body.api_keys.map((k: { name: string }) => k.name)).toEqual(['billing', 'owner (init)']);
      for (const u of ['wang.wu', 'zhao.liu', 'qian.qi']) expect((await h.api('POST', '/api/v1/staff', { username: u, display_name: u, roles: u === 'qian.qi' ? ['owner'] : ['cs'] })).status).toBe(201);
      const cs = await h.api('GET', '/api/v1/staff?role=cs&sort=username&order=desc&limit=1&offset=1');
      expect(cs.body.total).toBe(2);
      expect(cs.body.staff.map((s: { username: string }) => s.username)).toEqual(['wang.wu']);
      const roles = await h.api('GET', '/api/v1/roles?builtin=false');
      expect(roles.body.roles.map((r: { name: string }) => r.name)).toEqual(['cs']);
    });

    it('pages notice versions newest first and filters by language', async () => {
      for (const [name, language] of [['privacy', 'zh-CN'], ['privacy', 'zh-CN'], ['privacy', 'zh-CN'], ['cookies', 'en']]) {
        const r = await h.api('POST', '/api/v1/notices', { name, language, text: `${name} text ${Math.random()}`, purposes: ['customer_service'] });
        expect(r.status, JSON.stringify(r.body)).toBe(201);
      }
      const p = await h.api('GET', '/api/v1/notices?name=privacy&sort=version&order=desc&limit=2&offset=1');
      expect(p.body.total).toBe(3);
      expect(p.body.notices.map((n: { version: number }) => n.version)).toEqual([2, 1]);
      const en = await h.api('GET', '/api/v1/notices?language=en');
      expect(en.body.notices.map((n: { name: string }) => n.name)).toEqual(['cookies']);
    });

    it('pages the request queue by the asked key with its total', async () => {
      const kinds = ['access', 'deletion', 'copy', 'correction'];
      for (const k of kinds) expect((await h.api('POST', '/api/v1/requests', { subject_id: subjects[0], kind: k })).status).toBe(201);
      const a = await h.api('GET', '/api/v1/requests?sort=kind&limit=2');
      const b = await h.api('GET', '/api/v1/requests?sort=kind&limit=2&offset=2');
      expect(a.body.total).toBe(4);
      expect([...a.body.requests, ...b.body.requests].map((r: { kind: string }) => r.kind)).toEqual(['access', 'copy', 'correction', 'deletion']);
      expect(a.body.next_offset).toBe(2);
      expect(b.body.next_offset).toBeNull();
      const desc = await h.api('GET', '/api/v1/requests?sort=kind&order=desc&limit=1');
      expect(desc.body.requests[0].kind).toBe('deletion');
    });

    it('pages the customer lookup on the server: only the page shown is opened and audited', async () => {
      const before = (await h.api('GET', '/api/v1/audit/events?action=record.search&limit=1000')).body.events.length;
      const first = await h.api('POST', '/api/v1/collections/customers/search', { field: 'phone', value: '137 0013 7000', purpose: 'customer_service', fields: ['name'], limit: 2, order: 'asc' });
      expect(first.status).toBe(200);
      expect(first.body.total).toBe(3);
      expect(first.body.records.map((r: { fields: { name: string } }) => r.fields.name)).toEqual(['同号0', '同号1']);
      const second = await h.api('POST', '/api/v1/collections/customers/search', { field: 'phone', value: '13700137000', purpose: 'customer_service', fields: ['name'], limit: 2, offset: 2, order: 'asc' });
      expect(second.body.records.map((r: { fields: { name: string } }) => r.fields.name)).toEqual(['同号2']);
      expect(second.body.total).toBe(3);
      const newest = await h.api('POST', '/api/v1/collections/customers/search', { field: 'phone', value: '13700137000', purpose: 'customer_service', fields: ['name'], limit: 1 });
      expect(newest.body.records[0].fields.name).toBe('同号2');
      const after = (await h.api('GET', '/api/v1/audit/events?action=record.search&limit=1000')).body.events.length;
      expect(after - before).toBe(2 + 1 + 1); // one event per record returned
      const past = await h.api('POST', '/api/v1/collections/customers/search', { field: 'phone', value: '13700137000', purpose: 'customer_service', fields: ['name'], limit: 2, offset: 6 });
      expect(past.body.records).toEqual([]);
      expect(past.body.total).toBe(3);
      const bad = await h.api('POST', '/api/v1/collections/customers/search', { field: 'phone', value: '13700137000', purpose: 'customer_service', offset: -1 });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('offset');
    });

    it('reads the audit log newest first, paged by before_seq', async () => {
      const asc = (await h.api('GET', '/api/v1/audit/events?limit=1000')).body.events.map((e: { seq: number }) => e.seq);
      const p1 = await h.api('GET', '/api/v1/audit/events?order=desc&limit=3');
      expect(p1.body.events.map((e: { seq: number }) => e.seq)).toEqual(asc.slice(-3).reverse());
      const p2 = await h.api('GET', `/api/v1/audit/events?order=desc&limit=3&before_seq=${p1.body.next_before_seq}`);
      expect(p2.body.events.map((e: { seq: number }) => e.seq)).toEqual(asc.slice(-6, -3).reverse());
      const denied = await h.api('GET', '/api/v1/audit/events?decision=deny&limit=1000');
      expect(denied.body.events.every((e: { decision: string }) => e.decision === 'deny')).toBe(true);
    });

    it('sorts and filters the governance registers (risks, third parties, reports, drills) with their totals', async () => {
      for (const [title, l, i] of [['乙 风险', 2, 2], ['甲 风险', 3, 4], ['丙 风险', 1, 1]] as const) {
        expect((await h.api('POST', '/api/v1/risks', { title, owner: '张经理', likelihood: l, impact: i, treatment: 'mitigate' })).status).toBe(201);
      }
      const byScore = await h.api('GET', '/api/v1/risks?limit=2');
      expect(byScore.body.total).toBe(3);
      expect(byScore.body.risks.map((r: { title: string }) => r.title)).toEqual(['甲 风险', '乙 风险']); // default: score desc
      const byTitle = await h.api('GET', '/api/v1/risks?sort=score&order=asc&limit=2&offset=1');
      expect(byTitle.body.risks.map((r: { title: string }) => r.title)).toEqual(['乙 风险', '甲 风险']);
      for (const [name, k] of [['Beta 物流', 'handler'], ['Alpha 云', 'entrusted'], ['Gamma 支付', 'handler']] as const) {
        expect((await h.api('POST', '/api/v1/third-parties', { name, kind: k })).status).toBe(201);
      }
      const parties = await h.api('GET', '/api/v1/third-parties?kind=handler&sort=name&order=desc');
      expect(parties.body.total).toBe(2);
      expect(parties.body.third_parties.map((p: { name: string }) => p.name)).toEqual(['Gamma 支付', 'Beta 物流']);
      expect((await h.api('GET', '/api/v1/third-parties?q=alpha')).body.third_parties.map((p: { name: string }) => p.name)).toEqual(['Alpha 云']);
      const drills = await h.api('GET', '/api/v1/drills/incidents?sort=duration_ms&ok=true');
      expect(drills.status).toBe(200);
      expect(drills.body.total).toBe(0);
      const ledger = await h.api('GET', '/api/v1/analytics/budget?sort=epsilon&limit=5');
      expect(ledger.status).toBe(200);
      expect(ledger.body.ledger_total).toBe(0);
      expect((await h.api('GET', '/api/v1/analytics/budget?sort=query')).body.errors[0].field).toBe('querystring.sort');
      expect((await h.api('GET', '/api/v1/alerts/baselines?sort=networks')).body.errors[0].field).toBe('querystring.sort');
      expect((await h.api('GET', '/api/v1/drills/incidents?sort=steps')).body.errors[0].field).toBe('querystring.sort');
    });

    it('sorts complaints and training records as asked', async () => {
      for (const [cat, summary] of [['marketing', '甲'], ['security', '乙'], ['consent', '丙']]) {
        expect((await h.api('POST', '/api/v1/complaints', { kind: 'complaint', channel: 'phone', category: cat, summary, description: '说明' })).status).toBe(201);
      }
      const c = await h.api('GET', '/api/v1/complaints?sort=category&limit=2&offset=1');
      expect(c.body.total).toBe(3);
      expect(c.body.complaints.map((x: { category: string }) => x.category)).toEqual(['marketing', 'security']);
      const staff = (await h.api('GET', '/api/v1/staff?limit=1')).body.staff[0].id;
      for (const [course, done, exp] of [['A', '2026-01-01', '2099-01-01'], ['B', '2025-01-01', '2025-12-31'], ['C', '2026-03-01', '2099-01-01']]) {
        expect((await h.api('POST', '/api/v1/trainings', { staff_id: staff, course, completed_at: done, expires_at: exp })).status).toBe(201);
      }
      const t = await h.api('GET', '/api/v1/trainings?sort=completed_at&order=asc&limit=2&offset=1');
      expect(t.body.total).toBe(3);
      expect(t.body.trainings.map((x: { course: string }) => x.course)).toEqual(['A', 'C']);
      const current = await h.api('GET', '/api/v1/trainings?current=false');
      expect(current.body.trainings.map((x: { course: string }) => x.course)).toEqual(['B']);
    });
  });
}
