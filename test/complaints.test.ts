import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, setupCustomers, startHarness, type Harness } from './harness.js';
import { keyWith } from './compliance-helpers.js';

for (const kind of BACKENDS) {
  describe(`complaints and reports on ${kind}`, () => {
    let h: Harness;
    let subject = '';
    let id = '';
    beforeAll(async () => {
      h = await startHarness(kind);
      await setupCustomers(h);
      subject = (await h.api('POST', '/api/v1/collections/customers/records', { fields: { name: '钱七', phone: '13600136000' } })).body.subject_id;
    });
    afterAll(async () => { await h?.close(); });

    it('receives a complaint by phone with a 15-working-day SLA and refuses bad input', async () => {
      const c = await h.api('POST', '/api/v1/complaints', { kind: 'complaint', channel: 'phone', category: 'marketing', summary: '拒绝后仍收到营销短信', description: '客户来电称已退订但仍收到短信。', subject_id: subject, contact: '13600136000' });
      expect(c.status).toBe(201);
      expect(c.body).toMatchObject({ state: 'received', anonymous: false });
      id = c.body.id;
      const one = await h.api('GET', `/api/v1/complaints/${id}`);
      expect(one.body.working_days_left).toBe(15);
      expect(one.body.messages).toHaveLength(1);
      expect(one.body.contact).toBe('13600136000'); // the audited read of one complaint opens the contact
      const list = await h.api('GET', '/api/v1/complaints');
      expect(list.body.complaints[0].contact).toBe('*******6000');
      // The contact and the message text are sealed at rest: no column holds them in the clear.
      const [row] = await h.raw('select * from complaints where id = $1', [id]);
      expect(JSON.stringify(row)).not.toContain('13600136000');
      expect(one.body.messages[0].body).toBe('客户来电称已退订但仍收到短信。');
      expect(JSON.stringify(await h.raw('select * from complaint_messages where complaint_id = $1', [id]))).not.toContain('退订');
      expect(row.contact).toBeNull();
      expect(row.contact_sealed).not.toBeNull();
      const reads = await h.raw(`select details::text as d from audit_events where action = 'complaint.read'`);
      expect(reads.map((r: { d: string }) => r.d).join()).toContain(id);
      expect(reads.map((r: { d: string }) => r.d).join()).not.toContain('13600136000');
      expect((await h.api('POST', '/api/v1/complaints', { kind: 'complaint', channel: 'fax', category: 'marketing', summary: 'x', description: 'y' })).status).toBe(400);
      const anonComplaint = await h.api('POST', '/api/v1/complaints', { kind: 'complaint', channel: 'email', category: 'other', summary: 'x', description: 'y', anonymous: true });
      expect(anonComplaint.status).toBe(422);
      expect(anonComplaint.body.errors[0].field).toBe('anonymous');
      expect((await h.api('POST', '/api/v1/complaints', { kind: 'complaint', channel: 'email', category: 'other', summary: 'x', description: 'y', subject_id: 'sub_00000000000000000000' })).status).toBe(422);
    });

    it('assigns, replies, closes only after a reply, and records the feedback', async () => {
      expect((await h.api('PATCH', `/api/v1/complaints/${id}`, { assignee: 'li.si' })).body.assignee).toBe('li.si');
      const early = await h.api('POST', `/api/v1/complaints/${id}/close`, { resolution: '已处理' });
      expect(early.status).toBe(409);
      expect(early.body.code).toBe('complaint.no_reply');
      const note = await h.api('POST', `/api/v1/complaints/${id}/messages`, { direction: 'note', body: '已核实退订记录' });
      expect(note.body.state).toBe('in_progress');
      const reply = await h.api('POST', `/api/v1/complaints/${id}/messages`, { direction: 'outbound', body: '已将您的号码加入免打扰名单。' });
      expect(reply.status).toBe(201);
      expect(reply.body.state).toBe('replied');
      expect(reply.body.first_reply_at).not.toBeNull();
      const closed = await h.api('POST', `/api/v1/complaints/${id}/close`, { resolution: '加入免打扰名单并道歉', feedback: 'satisfied' });
      expect(closed.body).toMatchObject({ state: 'closed', feedback: 'satisfied', overdue: false });
      expect((await h.api('POST', `/api/v1/complaints/${id}/messages`, { direction: 'outbound', body: 'x' })).status).toBe(409);
    });

    it('lets any staff member report internal misuse anonymously; the audit does not name them', async () => {
      const s = await h.api('POST', '/api/v1/staff', { username: 'wang.wu', display_name: '王五', roles: [] });
      const login = await h.server.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ username: 'wang.wu', password: s.body.initial_password }) });
      const cookie = String(login.headers['set-cookie']).split(';')[0];
      const csrf = login.json().csrf_token;
      const post = (body: unknown) => h.server.inject({ method: 'POST', url: '/api/v1/complaints', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
      const r = await post({ kind: 'report', channel: 'internal', category: 'misuse', summary: '同事批量导出客户手机号', description: '某同事下班后批量查询客户。', anonymous: true });
      expect(r.statusCode).toBe(201);
      const rid = r.json().id;
      expect((await post({ kind: 'complaint', channel: 'internal', category: 'misuse', summary: 'x', description: 'y' })).statusCode).toBe(403);
      const list = await h.server.inject({ method: 'GET', url: '/api/v1/complaints', headers: { cookie } });
      expect(list.statusCode).toBe(403);
      const ev = await h.api('GET', '/api/v1/audit/events?action=complaint.create&limit=100');
      const e = ev.body.events.find((x: any) => x.details?.complaint_id === rid);
      expect(e.actor_id).toBe('intake:anonymous');
      expect(JSON.stringify(e)).not.toContain(s.body.id);
      const one = await h.api('GET', `/api/v1/complaints/${rid}`);
      expect(one.body.messages[0].author).toBeNull();
      expect((await h.api('POST', `/api/v1/complaints/${rid}/messages`, { direction: 'outbound', body: 'x' })).status).toBe(409);
      expect((await h.api('POST', `/api/v1/complaints/${rid}/close`, { resolution: '已调查并处分' })).status).toBe(200);
    });

    it('flags overdue complaints and counts them in the statistics', async () => {
      const late = await h.api('POST', '/api/v1/complaints', { kind: 'complaint', channel: 'email', category: 'rights_request', summary: '查阅请求无人处理', description: '...' });
      await h.raw(`update complaints set sla_due = '2020-01-10', received_at = '2020-01-01T00:00:00Z' where tenant_id = $1 and id = $2`, [h.tenant, late.body.id]);
      const job = await h.app.complaints.flagSla(h.tenant, new Date());
      expect(job.overdue).toBe(1);
      expect((await h.api('GET', '/api/v1/complaints?overdue=true')).body.complaints.map((c: any) => c.id)).toEqual([late.body.id]);
      const stats = await h.api('GET', '/api/v1/complaints/stats');
      expect(stats.body).toMatchObject({ total: 3, open: 1, overdue: 1, by_kind: { complaint: 2, report: 1 }, by_channel: { phone: 1, internal: 1, email: 1 }, feedback: { satisfied: 1, satisfaction_rate: 1 }, closed_on_time_rate: 1 });
      expect(stats.body.avg_first_reply_hours).toBeGreaterThanOrEqual(0);
      const sla = await keyWith(h, 'nobody_c', []);
      expect((await h.api('GET', '/api/v1/complaints/stats', undefined, sla)).status).toBe(403);
    });

    it('seals contacts written in plaintext by an earlier version (job pi.seal_legacy)', async () => {
      const legacy = await h.api('POST', '/api/v1/complaints', { kind: 'complaint', channel: 'email', category: 'other', summary: '旧数据', description: '升级前写入' });
      await h.raw(`update complaints set contact = 'old.customer@example.cn' where id = $1`, [legacy.body.id]);
      expect((await h.api('GET', `/api/v1/complaints/${legacy.body.id}`)).body.contact).toBe('old.customer@example.cn');
      await h.raw(`update complaint_messages set body = '旧版明文：客户电话 13500135000', body_sealed = null where complaint_id = $1`, [legacy.body.id]);
      expect(await h.app.complaints.sealLegacyPlaintext(h.tenant)).toEqual({ sealed: 1, messages: 1 });
      expect(JSON.stringify(await h.raw('select * from complaint_messages where complaint_id = $1', [legacy.body.id]))).not.toContain('13500135000');
      expect((await h.api('GET', `/api/v1/complaints/${legacy.body.id}`)).body.messages[0].body).toBe('旧版明文：客户电话 13500135000');
      const [row] = await h.raw('select contact, contact_masked from complaints where id = $1', [legacy.body.id]);
      expect(row).toEqual({ contact: null, contact_masked: 'o***@example.cn' });
      expect((await h.api('GET', `/api/v1/complaints/${legacy.body.id}`)).body.contact).toBe('old.customer@example.cn');
      expect(await h.app.complaints.sealLegacyPlaintext(h.tenant)).toEqual({ sealed: 0, messages: 0 });
    });
  });
}
