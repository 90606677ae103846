import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, setupCustomers, startHarness, type Harness } from './harness.js';

const ZHAO = { name: '赵六', phone: '13900001111', email: 'zl@example.cn', address: '北京市海淀区中关村大街1号' };

async function newSubject(h: Harness, fields: Record<string, unknown> = ZHAO) {
  const w = await h.api('POST', '/api/v1/collections/customers/records', { fields });
  expect(w.status).toBe(201);
  return { record: w.body.id as string, subject: w.body.subject_id as string };
}

async function move(h: Harness, id: string, body: Record<string, unknown>) {
  return h.api('POST', `/api/v1/requests/${id}/transitions`, body);
}

const VERIFIED = { to: 'in_progress', verification: { method: 'id_document', result: 'passed' } };

for (const kind of BACKENDS) {
  describe(`data-subject requests on ${kind}`, () => {
    let h: Harness;
    beforeAll(async () => { h = await startHarness(kind); await setupCustomers(h); });
    afterAll(async () => { await h?.close(); });

    it('receives a request with a due date 15 working days out', async () => {
      const { subject } = await newSubject(h);
      const r = await h.api('POST', '/api/v1/requests', { subject_id: subject, kind: 'access' });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ state: 'received', kind: 'access', subject_id: subject });
      expect(r.body.due).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(r.body.working_days_left).toBe(15);
      const bad = await h.api('POST', '/api/v1/requests', { subject_id: subject, kind: 'nonsense' });
      expect(bad.status).toBe(400);
      const unknown = await h.api('POST', '/api/v1/requests', { subject_id: subject, kind: 'access', extra: 1 });
      expect(unknown.status).toBe(400);
      const missing = await h.api('POST', '/api/v1/requests', { subject_id: 'sub_doesnotexist000', kind: 'access' });
      expect(missing.status).toBe(404);
    });

    it('discloses nothing before identity is verified, then exports once (JSON), with zh+en field names', async () => {
      const { subject, record } = await newSubject(h);
      const r = (await h.api('POST', '/api/v1/requests', { subject_id: subject, kind: 'copy' })).body;
      expect((await h.api('GET', `/api/v1/requests/${r.id}/export`)).status).toBe(409);
      expect((await move(h, r.id, { to: 'completed' })).status).toBe(409);
      expect((await move(h, r.id, { to: 'verifying' })).status).toBe(200);
      expect((await move(h, r.id, { to: 'in_progress' })).status).toBe(422);
      expect((await move(h, r.id, { to: 'in_progress', verification: { method: 'sms_code', result: 'failed' } })).status).toBe(422);
      expect((await move(h, r.id, VERIFIED)).body.verification).toMatchObject({ method: 'id_document', result: 'passed' });
      const done = await move(h, r.id, { to: 'completed' });
      expect(done.body.state).toBe('completed');
      expect(done.body.export.available).toBe(true);
      const ex = await h.api('GET', `/api/v1/requests/${r.id}/export?format=json`);
      expect(ex.status).toBe(200);
      const rec = ex.body.collections[0].records.find((x: any) => x.id === record);
      const phone = rec.fields.find((f: any) => f.name === 'phone');
      expect(phone).toMatchObject({ label_zh: '手机号码', label_en: 'Mobile number', value: '13900001111' });
      expect(ex.body.processing.map((p: any) => p.purpose)).toContain('customer_service');
      expect((await h.api('GET', `/api/v1/requests/${r.id}/export?format=csv`)).status).toBe(410);
    });

    it('exports CSV with a BOM and formula-safe cells', async () => {
      const { subject } = await newSubject(h, { name: '钱七', address: '=HYPERLINK("x")' });
      const r = (await h.api('POST', '/api/v1/requests', { subject_id: subject, kind: 'portability' })).body;
      await move(h, r.id, { to: 'verifying' });
      await move(h, r.id, VERIFIED);
      await move(h, r.id, { to: 'completed' });
      const res = await h.server.inject({ method: 'GET', url: `/api/v1/requests/${r.id}/export?format=csv`, headers: { authorization: `Bearer ${h.key}` } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/csv');
      expect(res.body.charCodeAt(0)).toBe(0xfeff);
      expect(res.body).toContain('钱七');
      expect(res.body).toContain(`"'=HYPERLINK(""x"")"`);
    });

    it('exports XLSX: data, consents and processing sheets with zh-CN/en headers; a formula-like value stays text', async () => {
      const { subject } = await newSubject(h, { name: '孙八', address: '=HYPERLINK("x")' });
      const r = (await h.api('POST', '/api/v1/requests', { subject_id: subject, kind: 'copy' })).body;
      await move(h, r.id, { to: 'verifying' });
      await move(h, r.id, VERIFIED);
      await move(h, r.id, { to: 'completed' });
      const res = await h.server.inject({ method: 'GET', url: `/api/v1/requests/${r.id}/export?format=xlsx`, headers: { authorization: `Bearer ${h.key}` } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('spreadsheetml');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
      expect(wb.worksheets.map((w) => w.name)).toEqual(['个人信息 data', '同意 consents', '处理目的 processing']);
      const data = wb.getWorksheet('个人信息 data')!;
      expect(data.getRow(1).getCell(6).value).toBe('值 value');
      const values: unknown[] = [];
      data.eachRow((row, i) => { if (i > 1) values.push(row.getCell(6).value); });
      expect(values).toContain('孙八');
      expect(values).toContain('=HYPERLINK("x")');
      expect(JSON.stringify(values)).not.toContain('formula');
      // One download only.
      expect((await h.api('GET', `/api/v1/requests/${r.id}/export?format=xlsx`)).status).toBe(410);
    });

    it('requires a reason to reject, and audits every transition', async () => {
      const { subject } = await newSubject(h);
      const r = (await h.api('POST', '/api/v1/requests', { subject_id: subject, kind: 'deletion' })).body;
      expect((await move(h, r.id, { to: 'rejected' })).status).toBe(422);
      const rej = await move(h, r.id, { to: 'rejected', reason: '法定保存义务：会计凭证须保存30年' });
      expect(rej.body).toMatchObject({ state: 'rejected', reason: '法定保存义务：会计凭证须保存30年' });
      expect((await move(h, r.id, { to: 'verifying' })).status).toBe(409);
      const ev = await h.api('GET', `/api/v1/audit/events?subject_id=${subject}&limit=100`);
      const mine = ev.body.events.filter((e: any) => e.details?.request_id === r.id);
      expect(mine.map((e: any) => e.action)).toEqual(['request.create', 'request.transition']);
      expect(mine[1].details).toMatchObject({ from: 'received', to: 'rejected' });
    });

    it('completes a deletion request by crypto-shredding the subject', async () => {
      const { subject, record } = await newSubject(h);
      const r = (await h.api('POST', '/api/v1/requests', { subject_id: subject, kind: 'deletion' })).body;
      await move(h, r.id, { to: 'verifying' });
      await move(h, r.id, VERIFIED);
      const done = await move(h, r.id, { to: 'completed' });
      expect(done.body.resolution).toMatchObject({ erased: true, records_erased: 1 });
      expect([404, 410]).toContain((await h.api('GET', `/api/v1/collections/customers/records/${record}?purpose=customer_service`)).status);
      const s = await h.raw('select wrapped_key, erased_at from subjects where id = $1', [subject]);
      expect(s[0].wrapped_key).toBeNull();
      const ev = await h.api('GET', `/api/v1/audit/events?subject_id=${subject}&limit=100`);
      const transitions = ev.body.events.filter((e: any) => e.action === 'request.transition').map((e: any) => `${e.details.from}>${e.details.to}`);
      expect(transitions).toEqual(['received>verifying', 'verifying>in_progress', 'in_progress>completed']);
      expect(ev.body.events.some((e: any) => e.action === 'subject.erase')).toBe(true);
    });

    it('completes a correction through the vault and a restriction the access layer honours', async () => {
      const { subject, record } = await newSubject(h);
      const c = (await h.api('POST', '/api/v1/requests', { subject_id: subject, kind: 'correction' })).body;
      await move(h, c.id, { to: 'verifying' });
      await move(h, c.id, VERIFIED);
      expect((await move(h, c.id, { to: 'completed' })).status).toBe(422);
      const done = await move(h, c.id, { to: 'completed', changes: [{ collection: 'customers', record_id: record, fields: { phone: '13711112222' } }] });
      expect(done.body.resolution.changes[0].fields).toEqual(['phone']);
      expect((await h.api('GET', `/api/v1/collections/customers/records/${record}?purpose=customer_service&fields=phone`)).body.fields.phone).toBe('13711112222');
      const rs = (await h.api('POST', '/api/v1/requests', { subject_id: subject, kind: 'restriction' })).body;
      await move(h, rs.id, { to: 'verifying' });
      await move(h, rs.id, VERIFIED);
      await move(h, rs.id, { to: 'completed', purposes: ['customer_service'] });
      const read = await h.api('GET', `/api/v1/collections/customers/records/${record}?purpose=customer_service`);
      expect(read.status).toBe(403);
    });

    it("honours a deceased person's instruction against next-of-kin access", async () => {
      const { subject } = await newSubject(h);
      expect((await h.api('POST', '/api/v1/requests', { subject_id: subject, kind: 'deceased_relative' })).status).toBe(422);
      await h.api('PUT', `/api/v1/subjects/${subject}/instruction`, { relatives: 'deny', note: '遗嘱第3条' });
      const r = (await h.api('POST', '/api/v1/requests', { subject_id: subject, kind: 'deceased_relative', action: 'copy', requester: { relationship: '配偶' } })).body;
      await move(h, r.id, { to: 'verifying' });
      const refused = await move(h, r.id, { ...VERIFIED, verification: { method: 'relationship_proof', result: 'passed' } });
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('rights.deceased_instruction');
      expect((await move(h, r.id, { to: 'rejected', reason: '死者生前另有安排' })).body.state).toBe('rejected');
    });

    it('seals the requester (agent or relative): lists show it masked, the audited read of one request in full', async () => {
      const { subject } = await newSubject(h);
      const requester = { relationship: '女儿', name: '欧阳娜娜', contact: '13912345678' };
      const r = (await h.api('POST', '/api/v1/requests', { subject_id: subject, kind: 'deceased_relative', action: 'access', requester })).body;
      expect(r.requester).toEqual({ relationship: '女儿', name: '欧***', contact: '*******5678' });
      const [row] = await h.raw('select * from rights_requests where id = $1', [r.id]);
      expect(JSON.stringify(row)).not.toContain('13912345678');
      expect(JSON.stringify(row)).not.toContain('欧阳娜娜');
      const list = await h.api('GET', `/api/v1/requests?subject_id=${subject}`);
      expect(list.body.requests.find((x: any) => x.id === r.id).requester.contact).toBe('*******5678');
      expect((await h.api('GET', `/api/v1/requests/${r.id}`)).body.requester).toEqual(requester);
      const ev = await h.api('GET', `/api/v1/audit/events?subject_id=${subject}&action=request.read`);
      expect(ev.body.events[0].details).toMatchObject({ request_id: r.id, fields: ['requester'] });
      expect(JSON.stringify(ev.body)).not.toContain('13912345678');
      // A row written in plaintext before migration 0011 is sealed by the legacy job.
      await h.raw(`update rights_requests set requester = $2::jsonb, requester_sealed = null where id = $1`, [r.id, JSON.stringify(requester)]);
      expect(await h.app.rights.sealLegacyRequesters(h.tenant)).toEqual({ sealed: 1 });
      const [after] = await h.raw('select requester, requester_sealed from rights_requests where id = $1', [r.id]);
      expect(after.requester).toEqual({ relationship: '女儿', name: '欧***', contact: '*******5678' });
      expect((await h.api('GET', `/api/v1/requests/${r.id}`)).body.requester).toEqual(requester);
    });

    it('flags requests due soon and overdue in a durable job, listed by filter', async () => {
      const { subject } = await newSubject(h);
      const r = (await h.api('POST', '/api/v1/requests', { subject_id: subject, kind: 'explanation' })).body;
      await h.raw(`update rights_requests set due = (current_date - 2) where id = $1`, [r.id]);
      await h.app.jobs.schedule(h.tenant, 'rights.deadlines', new Date(Date.now() - 1000));
      const ran = await h.app.jobs.runDue(new Date());
      expect(ran.find((j) => j.kind === 'rights.deadlines')).toMatchObject({ ok: true });
      expect((await h.api('GET', `/api/v1/requests/${r.id}`)).body).toMatchObject({ flag: 'overdue', overdue: true });
      const list = await h.api('GET', '/api/v1/requests?overdue=true');
      expect(list.body.requests.map((x: any) => x.id)).toContain(r.id);
      const next = await h.raw(`select state, run_at from jobs where kind = 'rights.deadlines' and state = 'queued'`);
      expect(next).toHaveLength(1);
      expect(new Date(next[0].run_at).getTime()).toBeGreaterThan(Date.now());
      const ev = await h.api('GET', `/api/v1/audit/events?subject_id=${subject}&action=request.flag`);
      expect(ev.body.events[0].details).toMatchObject({ request_id: r.id, flag: 'overdue' });
    });

    it('refuses without the requests.manage permission', async () => {
      await h.api('POST', '/api/v1/roles', { name: 'reader', grants: [] });
      const k = (await h.api('POST', '/api/v1/api-keys', { name: 'r', roles: ['reader'] })).body.api_key;
      expect((await h.api('GET', '/api/v1/requests', undefined, k)).status).toBe(403);
    });
  });
}
