/**
 * Compliance (issue 11): audit items are computed from real state (change the state, the item changes),
 * manual items with attachments, completion freezes evidence, exports, the calendar and firm rotation,
 * reports and the public transparency page, the doctor, external auditors, DP analytics with a budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import * as paillier from 'paillier-bigint';
import { createDoctor } from '../src/compliance/index.js';
import { BACKENDS, setupCustomers, startHarness, type Harness } from './harness.js';

const run = promisify(execFile);
async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', '-e', `import('./src/cli/main.ts').then((m) => m.main(['node', 'custodian', ...${JSON.stringify(args)}]))`], { cwd: process.cwd(), env: { ...process.env, ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) { const x = e as { code: number; stdout: string; stderr: string }; return { code: x.code, stdout: x.stdout, stderr: x.stderr }; }
}

const item = (audit: any, key: string) => audit.items.find((i: any) => i.key === key);

for (const kind of BACKENDS) {
  describe(`compliance audits, reports, doctor, auditors and analytics on ${kind}`, () => {
    let h: Harness;
    let dir: string;
    beforeAll(async () => {
      h = await startHarness(kind);
      dir = mkdtempSync(join(tmpdir(), 'custodian-compliance-'));
    });
    afterAll(async () => { await h?.close(); rmSync(dir, { recursive: true, force: true }); });

    it('computes automatic items from the state and changes them when the state changes', async () => {
      const a1 = await h.api('POST', '/api/v1/compliance-audits', { title: '2026 年度内部审计', kind: 'internal', period_from: '2026-01-01', period_to: '2026-12-31' });
      expect(a1.status).toBe(201);
      expect(item(a1.body, 'pi_encrypted_classified').status).toBe('not_applicable');
      expect(item(a1.body, 'legal_bases').status).toBe('fail');
      expect(item(a1.body, 'backups').status).toBe('fail');
      // The incident register (issue 9) exists and holds no open incident.
      expect(item(a1.body, 'incidents')).toMatchObject({ evidence: { table: 'incidents', available: true } });
      expect(item(a1.body, 'incidents').status).not.toBe('fail');
      expect(item(a1.body, 'policy')).toMatchObject({ kind: 'manual', status: 'open', article: 'PIPL 51(1)' });
      expect(item(a1.body, 'audit_chain').status).toBe('pass');

      await setupCustomers(h);
      await h.api('POST', '/api/v1/purposes', { name: 'marketing', title: '营销', legal_basis: 'consent' });
      await h.api('POST', '/api/v1/collections/customers/records', { records: Array.from({ length: 5 }, (_, i) => ({ fields: { name: `客户${i}`, phone: `1380000000${i}` } })) });
      const s = await h.api('POST', '/api/v1/staff', { username: 'zhang.san', display_name: '张三', roles: [] });
      await h.app.backup.create({ out: join(dir, 'a.bak') });
      await h.app.backup.drill({ from: join(dir, 'a.bak') });
      // Two incidents in the register of issue 9, one still open: the item reads them.
      await h.raw(`insert into incidents (tenant_id, id, title, kind, state, grade, detected_at, created_by) values ($1, 'inc_1', '泄露', 'leak', 'open', 'major', now(), 'test'), ($1, 'inc_2', '丢失', 'loss', 'closed', 'general', now(), 'test')`, [h.tenant]);

      const a2 = (await h.api('POST', `/api/v1/compliance-audits/${a1.body.id}/collect`)).body;
      expect(item(a2, 'pi_encrypted_classified')).toMatchObject({ status: 'pass', evidence: { collections: 1, fields: 7, fields_encrypted: 7, records_sealed: 5 } });
      expect(item(a2, 'legal_bases')).toMatchObject({ status: 'pass', evidence: { purposes: 2, by_basis: { contract: 1, consent: 1 } } });
      expect(item(a2, 'notices')).toMatchObject({ status: 'fail', evidence: { uncovered_purposes: ['marketing'] } });
      expect(item(a2, 'training')).toMatchObject({ status: 'fail', evidence: { staff: 2, trained_current: 0 } });
      expect(item(a2, 'backups').status).toBe('pass');
      expect(item(a2, 'incidents')).toMatchObject({ status: 'warn', evidence: { available: true, total: 2, open: 1, by_grade: { major: 1, general: 1 } } });
      expect(item(a2, 'retention_rules')).toMatchObject({ status: 'warn', evidence: { without_rule: ['customers'] } });

      await h.api('POST', '/api/v1/notices', { name: 'privacy-policy', language: 'zh-CN', text: '隐私政策全文', purposes: ['marketing'] });
      const admin = (await h.raw(`select id from staff where tenant_id = $1 and username = 'admin'`, [h.tenant]))[0].id;
      for (const id of [s.body.id, admin]) await h.api('POST', '/api/v1/trainings', { staff_id: id, course: '个人信息保护', completed_at: '2026-01-01', expires_at: '2099-01-01' });
      await h.api('POST', '/api/v1/retention/rules', { name: 'customers_3y', collection: 'customers', period_days: 1095, anchor: 'updated' });
      const subject = (await h.raw(`select subject_id from records where tenant_id = $1 limit 1`, [h.tenant]))[0].subject_id;
      const req = await h.api('POST', '/api/v1/requests', { subject_id: subject, kind: 'access' });
      await h.raw(`update rights_requests set due = '2026-01-05' where id = $1`, [req.body.id]);

      const a3 = (await h.api('POST', `/api/v1/compliance-audits/${a1.body.id}/collect`)).body;
      expect(item(a3, 'notices').status).toBe('pass');
      expect(item(a3, 'training')).toMatchObject({ status: 'pass', evidence: { coverage_pct: 100 } });
      expect(item(a3, 'retention_rules').status).toBe('pass');
      expect(item(a3, 'requests_on_time')).toMatchObject({ status: 'fail', evidence: { open_overdue: 1 } });
    }, 120_000);

    it('takes manual answers with attachments, refuses completion while items are open, then freezes and exports', async () => {
      const a = (await h.api('GET', '/api/v1/compliance-audits?limit=5')).body.audits[0];
      expect((await h.api('PUT', `/api/v1/compliance-audits/${a.id}/items/notices`, { status: 'pass' })).status).toBe(422);
      const pdfBytes = Buffer.from('%PDF-1.4 应急预案 v3');
      const att = await h.api('POST', `/api/v1/compliance-audits/${a.id}/items/incident_plan/attachments`, { filename: '应急预案.pdf', content_type: 'application/pdf', content_base64: pdfBytes.toString('base64') });
      expect(att.status).toBe(201);
      expect(att.body.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect((await h.api('POST', `/api/v1/compliance-audits/${a.id}/items/incident_plan/attachments`, { filename: 'x', content_type: 'text/plain', content_base64: '***' })).status).toBe(422);
      const dl = await h.server.inject({ method: 'GET', url: `/api/v1/compliance-audits/${a.id}/attachments/${att.body.id}`, headers: { authorization: `Bearer ${h.key}` } });
      expect(dl.rawPayload.equals(pdfBytes)).toBe(true);
      const open = await h.api('POST', `/api/v1/compliance-audits/${a.id}/complete`, {});
      expect(open.status).toBe(409);
      expect(open.body.code).toBe('compliance.items_open');
      for (const key of ['policy', 'incident_plan', 'entrusted_processing', 'officer_published']) {
        expect((await h.api('PUT', `/api/v1/compliance-audits/${a.id}/items/${key}`, { status: key === 'entrusted_processing' ? 'warn' : 'pass', note: '已核查' })).status).toBe(200);
      }
      const done = await h.api('POST', `/api/v1/compliance-audits/${a.id}/complete`, { conclusion: '基本符合，需整改逾期请求' });
      expect(done.status).toBe(200);
      expect(done.body.state).toBe('completed');
      expect(done.body.outcome.conclusion).toBe('non_compliant');
      expect((await h.api('POST', `/api/v1/compliance-audits/${a.id}/collect`)).status).toBe(409);

      const x = await h.server.inject({ method: 'GET', url: `/api/v1/compliance-audits/${a.id}/report?format=xlsx`, headers: { authorization: `Bearer ${h.key}` } });
      expect(x.statusCode).toBe(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(x.rawPayload as never);
      const sheet = wb.worksheets.find((w) => w.name.startsWith('检查项'))!;
      const rows: string[] = [];
      sheet.eachRow((r) => rows.push(r.values!.toString()));
      expect(rows.join('\n')).toContain('PIPL 44-50');
      expect(rows.join('\n')).toContain('应急预案.pdf');
      const d = await h.server.inject({ method: 'GET', url: `/api/v1/compliance-audits/${a.id}/report?format=docx`, headers: { authorization: `Bearer ${h.key}` } });
      expect(d.rawPayload.subarray(0, 2).toString()).toBe('PK');
      const p = await h.server.inject({ method: 'GET', url: `/api/v1/compliance-audits/${a.id}/report?format=pdf`, headers: { authorization: `Bearer ${h.key}` } });
      if (p.statusCode === 200) expect(p.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
      else expect(p.json().code).toBe('report.pdf_font_missing');
      const events = await h.api('GET', '/api/v1/audit/events?action=compliance.audit_export');
      expect(events.body.events.length).toBeGreaterThanOrEqual(3);
    }, 60_000);

    it('keeps the audit calendar by the individuals counter and minors, and refuses a fourth audit in a row by one firm', async () => {
      const cal = (await h.api('GET', '/api/v1/compliance-audits/calendar')).body;
      expect(cal).toMatchObject({ individuals: 5, minors: false, interval_months: null, next_due: null });
      await h.api('PUT', '/api/v1/compliance/settings', { minors: true });
      const minors = (await h.api('GET', '/api/v1/compliance-audits/calendar')).body;
      expect(minors.interval_months).toBe(12);
      expect(minors.next_due).toBe('2027-12-31');
      for (let i = 0; i < 3; i++) {
        const a = (await h.api('POST', '/api/v1/compliance-audits', { title: `外审 ${i}`, kind: 'external', firm: '某会计师事务所', period_from: `${2023 + i}-01-01`, period_to: `${2023 + i}-12-31` })).body;
        for (const it of a.items.filter((x: any) => x.status === 'open')) await h.api('PUT', `/api/v1/compliance-audits/${a.id}/items/${it.key}`, { status: 'pass' });
        expect((await h.api('POST', `/api/v1/compliance-audits/${a.id}/complete`, {})).status).toBe(200);
      }
      const fourth = await h.api('POST', '/api/v1/compliance-audits', { title: '外审 3', kind: 'external', firm: '某会计师事务所', period_from: '2026-01-01', period_to: '2026-06-30' });
      expect(fourth.status).toBe(409);
      expect(fourth.body.code).toBe('compliance.firm_rotation');
      expect((await h.api('POST', '/api/v1/compliance-audits', { title: '外审 3', kind: 'external', firm: '另一家事务所', period_from: '2026-01-01', period_to: '2026-06-30' })).status).toBe(201);
      expect((await h.api('GET', '/api/v1/compliance-audits/calendar')).body.firm_rotation).toMatchObject({ consecutive: 3, must_change: true });
    }, 60_000);

    it('generates the management report from the state and publishes a public transparency page', async () => {
      // An open request past its deadline is a finding of the report.
      const subject = (await h.raw(`select subject_id from records where tenant_id = $1 limit 1`, [h.tenant]))[0].subject_id;
      const late = await h.api('POST', '/api/v1/requests', { subject_id: subject, kind: 'copy' });
      expect(late.status).toBe(201);
      await h.raw(`update rights_requests set due = '2026-01-05' where id = $1`, [late.body.id]);
      const m = await h.api('POST', '/api/v1/reports', { kind: 'management', from: '2026-01-01', to: '2026-12-31' });
      expect(m.status).toBe(201);
      expect(m.body.content.individuals).toBe(5);
      expect(m.body.content.findings.map((f: any) => f.key)).toContain('requests_on_time');
      const x = await h.server.inject({ method: 'GET', url: `/api/v1/reports/${m.body.id}?format=xlsx`, headers: { authorization: `Bearer ${h.key}` } });
      expect(x.statusCode).toBe(200);
      const job = await h.app.reports.monthly(h.tenant, new Date('2026-12-01T00:00:00Z'));
      expect(job).toMatchObject({ from: '2026-11-01', to: '2026-11-30' });
      expect((await h.app.reports.monthly(h.tenant, new Date('2026-12-02T00:00:00Z'))).skipped).toBe(true);

      expect((await h.api('POST', '/api/v1/reports/transparency', {})).body.code).toBe('report.contacts_missing');
      await h.api('PUT', '/api/v1/compliance/settings', { handler: { name: '示例科技有限公司', contact: '北京市海淀区某路 1 号' }, officer: { name: '周负责', contact: 'dpo@example.cn', email: 'dpo@example.cn' } });
      const t = await h.api('POST', '/api/v1/reports/transparency', { intro_zh: '我们重视您的个人信息。', rights_channel: 'App 设置 > 隐私' });
      expect(t.status).toBe(201);
      const page = await h.server.inject({ method: 'GET', url: `/transparency/${h.tenant}` });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      for (const s of ['周负责', 'dpo@example.cn', '客户服务', '订立、履行合同所必需', '1095 天', '15 个工作日']) expect(page.body).toContain(s);
      expect(page.body).not.toContain('13800000000');
      const json = (await h.server.inject({ method: 'GET', url: `/transparency/${h.tenant}?format=json` })).json();
      expect(json.purposes.map((p: any) => p.name).sort()).toEqual(['customer_service', 'marketing']);
      expect((await h.server.inject({ method: 'GET', url: '/transparency/ten_doesnotexist000' })).statusCode).toBe(404);
    }, 60_000);

    it('the doctor reports pass/fail per check and follows the deployment state', async () => {
      const r = await h.api('GET', '/api/v1/doctor');
      expect(r.status).toBe(200);
      const by = (id: string) => r.body.checks.find((c: any) => c.id === id);
      expect(by('keyfile_permissions').status).toBe('pass');
      expect(by('backups_recent').status).toBe('pass');
      expect(by('backups_drilled').status).toBe('pass');
      // Backups were made, the key store never exported: a new store could restore none of them.
      expect(by('key_store_export').status).toBe('fail');
      expect(by('audit_chain').status).toBe('pass');
      expect(by('https').status).toBe('warn');
      expect(by('dependencies').status).toBe('skip');
      expect(by('postgres_tls').status).toBe(kind === 'pglite' ? 'skip' : 'warn');
      chmodSync(join(h.dataDir, 'keyfile.json'), 0o644);
      const bad = (await h.api('GET', '/api/v1/doctor')).body;
      expect(bad.ok).toBe(false);
      expect(bad.checks.find((c: any) => c.id === 'keyfile_permissions').status).toBe('fail');
      chmodSync(join(h.dataDir, 'keyfile.json'), 0o600);
      await h.app.backup.exportKeyStore({ out: join(h.dataDir, 'keystore.export') });
      const exported = (await h.api('GET', '/api/v1/doctor')).body.checks.find((c: any) => c.id === 'key_store_export');
      expect(exported.status).toBe('pass');
      await h.app.backup.rotateBackupKeys({ tenant: h.tenant, destroyOlder: false });
      expect((await h.api('GET', '/api/v1/doctor')).body.checks.find((c: any) => c.id === 'key_store_export').status).toBe('warn');
      const vuln = await createDoctor({ cfg: h.app.cfg, db: h.app.db, audit: h.app.audit, rootProviderId: 'local-keyfile', npmAudit: async () => ({ high: 2, critical: 0 }) }).run({ tenantId: h.tenant });
      expect(vuln.checks.find((c) => c.id === 'dependencies')!.status).toBe('fail');
    }, 60_000);

    it('the custodian doctor command prints one line per check and fails a fresh store without backups', async () => {
      if (kind !== 'pglite') return;
      const data = join(dir, 'store');
      const init = await cli(['init', '--data', data, '--json']);
      expect(init.code, init.stderr).toBe(0);
      const out = await cli(['doctor', '--data', data, '--offline', '--json']);
      expect(out.code).toBe(2);
      const rep = JSON.parse(out.stdout);
      expect(rep.checks.find((c: any) => c.id === 'backups_recent').status).toBe('fail');
      expect(rep.checks.find((c: any) => c.id === 'secrets_default').status).toBe('warn');
      const text = await cli(['doctor', '--data', data, '--offline']);
      expect(text.stdout).toMatch(/^FAIL\s+备份近期完成/m);
      expect(text.stdout).toMatch(/^PASS\s+审计哈希链校验/m);
    }, 120_000);

    it('an external auditor reads evidence and audit metadata, never PI, changes nothing, and every request is audited', async () => {
      expect((await h.api('POST', '/api/v1/auditors', { firm: '某评估机构', auditor_name: '钱审计', expires_at: new Date(Date.now() + 400 * 86_400_000).toISOString() })).status).toBe(422);
      const g = await h.api('POST', '/api/v1/auditors', { firm: '某评估机构', auditor_name: '钱审计', expires_at: new Date(Date.now() + 30 * 86_400_000).toISOString() });
      expect(g.status).toBe(201);
      const k = g.body.api_key;
      const rec = (await h.raw(`select id from records where tenant_id = $1 limit 1`, [h.tenant]))[0].id;
      expect((await h.api('GET', '/api/v1/compliance-audits', undefined, k)).status).toBe(200);
      expect((await h.api('GET', '/api/v1/audit/events?limit=5', undefined, k)).status).toBe(200);
      expect((await h.api('GET', '/api/v1/doctor', undefined, k)).status).toBe(200);
      const pi = await h.api('GET', `/api/v1/collections/customers/records/${rec}?purpose=customer_service`, undefined, k);
      expect(pi.status).toBe(403);
      const write = await h.api('PUT', '/api/v1/compliance/settings', { minors: false }, k);
      expect(write.status).toBe(403);
      expect(write.body.code).toBe('auditor.read_only');
      const trail = (await h.api('GET', `/api/v1/audit/events?actor_id=${g.body.api_key_id}&action=auditor.open&limit=100`)).body.events;
      const urls = trail.map((e: any) => `${e.decision} ${e.details.method} ${e.details.route}`);
      expect(urls).toContain('allow GET /api/v1/compliance-audits');
      expect(urls).toContain('allow GET /api/v1/collections/:c/records/:id');
      expect(urls).toContain('deny PUT /api/v1/compliance/settings');
      await h.raw(`update api_keys set expires_at = now() - interval '1 second' where id = $1`, [g.body.api_key_id]);
      await new Promise((r) => setTimeout(r, 5100)); // the API-key cache holds an answer for 5 s
      expect((await h.api('GET', '/api/v1/compliance-audits', undefined, k)).status).toBe(401);
    }, 60_000);

    it('answers DP counts and histograms within a budget ledger, refuses when it is spent', async () => {
      const q = { collection: 'customers', purpose: 'customer_service', kind: 'count', epsilon: 0.5, label: '客户总数' };
      expect((await h.api('POST', '/api/v1/analytics/dp', q)).body.code).toBe('analytics.budget_not_set');
      const w = await h.api('POST', '/api/v1/collections/customers/records', { records: Array.from({ length: 195 }, (_, i) => ({ fields: { name: `统计${i}`, birth_date: `${1960 + (i % 40)}-05-01`, id_number: i % 2 ? '11010519491231002X' : '44030519900101123X' } })) });
      expect(w.status).toBe(201);
      expect((await h.api('PUT', '/api/v1/analytics/budget', { epsilon_total: 1 })).body).toMatchObject({ epsilon_total: 1, spent: 0, remaining: 1 });
      const c = await h.api('POST', '/api/v1/analytics/dp', q);
      expect(c.status).toBe(200);
      // Laplace(2) noise: |noise| > 40 has probability e^-20.
      expect(Math.abs(c.body.count - 200)).toBeLessThan(40);
      expect(c.body).toMatchObject({ mechanism: 'laplace', noise_scale: 2, budget_remaining: 0.5 });
      expect((await h.api('POST', '/api/v1/analytics/dp', { ...q, kind: 'histogram', field: 'phone', epsilon: 0.2 })).status).toBe(422);
      const hist = await h.api('POST', '/api/v1/analytics/dp', { ...q, kind: 'histogram', field: 'id_number', epsilon: 0.4, label: '按省份' });
      expect(hist.status).toBe(200);
      const get = (b: string) => hist.body.buckets.find((x: any) => x.bucket === b).count;
      expect(hist.body.buckets.length).toBeGreaterThan(30);
      expect(Math.abs(get('北京市') - 97)).toBeLessThan(50);
      expect(Math.abs(get('广东省') - 98)).toBeLessThan(50);
      const over = await h.api('POST', '/api/v1/analytics/dp', { ...q, epsilon: 0.2 });
      expect(over.status).toBe(403);
      expect(over.body.code).toBe('dp.budget_exhausted');
      const b = (await h.api('GET', '/api/v1/analytics/budget')).body;
      expect(b.ledger.map((l: any) => l.label)).toEqual(['按省份', '客户总数']);
      expect(b.spent).toBeCloseTo(0.9, 6);
      expect((await h.api('PUT', '/api/v1/analytics/budget', { epsilon_total: 0.5 })).status).toBe(422);
    }, 60_000);

    it('lets a partner sum Paillier-encrypted values it cannot read; only the total is decrypted', async () => {
      await h.api('POST', '/api/v1/purposes', { name: 'customer_service', title: '客户服务', legal_basis: 'contract' }); // 409 when an earlier test made it
      await h.api('POST', '/api/v1/collections', { name: 'orders', fields: [{ name: 'amount', type: 'number' }, { name: 'note', type: 'text' }] });
      const amounts = [120.5, 80.25, 0, 999.99, 45, -20.5, 300];
      expect((await h.api('POST', '/api/v1/collections/orders/records', { records: amounts.map((a) => ({ fields: { amount: a, note: '订单' } })) })).status).toBe(201);
      const key = await h.api('POST', '/api/v1/analytics/paillier/keys', { bits: 2048 });
      expect(key.status).toBe(201);
      expect((await h.api('POST', '/api/v1/analytics/paillier/encrypt', { key_id: key.body.id, collection: 'orders', field: 'note', purpose: 'customer_service' })).status).toBe(422);
      const enc = await h.api('POST', '/api/v1/analytics/paillier/encrypt', { key_id: key.body.id, collection: 'orders', field: 'amount', purpose: 'customer_service', scale: 100 });
      expect(enc.status).toBe(200);
      expect(enc.body.count).toBe(amounts.length);
      // No plaintext amount in the answer (a ciphertext's digits may contain any run of digits, so match whole numbers only).
      expect(JSON.stringify(enc.body)).not.toMatch(/(^|[^0-9])99999([^0-9]|$)/);
      // The partner: only the public key and the ciphertexts.
      const pub = new paillier.PublicKey(BigInt(enc.body.key.n), BigInt(enc.body.key.g));
      const total = pub.addition(...enc.body.ciphertexts.map((c: string) => BigInt(c)));
      const sum = await h.api('POST', '/api/v1/analytics/paillier/decrypt-sum', { key_id: key.body.id, ciphertext: total.toString(), count: enc.body.count, scale: 100 });
      expect(sum.status).toBe(200);
      expect(Number(sum.body.sum)).toBeCloseTo(amounts.reduce((a, b) => a + b, 0), 2);
      expect((await h.api('POST', '/api/v1/analytics/paillier/decrypt-sum', { key_id: key.body.id, ciphertext: (pub._n2 + 1n).toString(), count: 1 })).status).toBe(422);
      const stored = await h.raw(`select public_n, private_sealed from paillier_keys where id = $1`, [key.body.id]);
      expect(stored[0].public_n).toBe(enc.body.key.n);
      expect(Buffer.from(stored[0].private_sealed).toString('latin1')).not.toContain('lambda');
    }, 60_000);

    it('a course with a quiz, assigned by role, feeds the training gate; violations retrain or suspend the person', async () => {
      await h.api('POST', '/api/v1/purposes', { name: 'customer_service', title: '客户服务', legal_basis: 'contract' });
      await h.api('POST', '/api/v1/roles', { name: 'cs_reader', grants: [{ collection: 'customers', fields: ['name'], actions: ['read'], purposes: ['customer_service'], view: 'plain' }] });
      const s = await h.api('POST', '/api/v1/staff', { username: 'wang.wu', display_name: '王五', roles: ['cs_reader'] });
      await h.api('POST', '/api/v1/collections', { name: 'customers', fields: [{ name: 'name', type: 'person_name' }] }); // 409 when an earlier test made it
      const rec = (await h.api('POST', '/api/v1/collections/customers/records', { fields: { name: '培训客户' } })).body.id;
      const login = await h.server.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ username: 'wang.wu', password: s.body.initial_password }) });
      const cookie = String(login.headers['set-cookie']).split(';')[0];
      const csrf = login.json().csrf_token;
      const as = async (method: string, url: string, body?: unknown) => { const r = await h.server.inject({ method: method as 'GET', url, headers: { cookie, 'x-csrf-token': csrf, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { payload: JSON.stringify(body) } : {}) }); return { status: r.statusCode, body: r.json() }; };
      const read = () => as('GET', `/api/v1/collections/customers/records/${rec}?purpose=customer_service&fields=name`);
      expect((await read()).body.errors[0].rule).toBe('training_required');

      const bad = await h.api('POST', '/api/v1/trainings/courses', { title: '个人信息保护基础', content: '…', quiz: [{ question: 'q', options: ['a', 'b'], answer: 5 }], pass_score: 80, validity_days: 365, roles: ['cs_reader'] });
      expect(bad.status).toBe(422);
      const c = await h.api('POST', '/api/v1/trainings/courses', { title: '个人信息保护基础', content: '《个人信息保护法》要点……', pass_score: 80, validity_days: 365, roles: ['cs_reader'],
        quiz: [{ question: '敏感个人信息包括？', options: ['姓名', '金融账户'], answer: 1 }, { question: '撤回同意是否溯及既往？', options: ['是', '否'], answer: 1 }] });
      expect(c.status).toBe(201);
      const mine = await as('GET', '/api/v1/trainings/courses');
      expect(mine.body.courses).toEqual([expect.objectContaining({ course_id: c.body.id, state: 'due' })]);
      const course = await as('GET', `/api/v1/trainings/courses/${c.body.id}`);
      expect(JSON.stringify(course.body)).not.toContain('"answer"');
      expect((await h.api('POST', `/api/v1/trainings/courses/${c.body.id}/attempts`, { answers: [1, 1] })).body.code).toBe('training.staff_only');
      expect((await as('POST', `/api/v1/trainings/courses/${c.body.id}/attempts`, { answers: [0, 1] })).body).toMatchObject({ score: 50, passed: false });
      expect((await read()).status).toBe(403);
      expect((await as('POST', `/api/v1/trainings/courses/${c.body.id}/attempts`, { answers: [1, 1] })).body).toMatchObject({ score: 100, passed: true });
      expect((await read()).status).toBe(200);
      const cov = (await h.api('GET', '/api/v1/trainings/coverage')).body.courses[0];
      expect(cov).toMatchObject({ assigned: 1, valid: 1 });

      const v = await h.api('POST', '/api/v1/accountability', { staff_id: s.body.id, source: 'audit', source_ref: 'cau_x', description: '超范围查询客户信息', measure: 'retraining' });
      expect(v.status).toBe(201);
      expect((await read()).body.errors[0].rule).toBe('training_required');
      expect((await h.app.training.remind(h.tenant)).reminders).toBe(1);
      await h.api('POST', '/api/v1/accountability', { staff_id: s.body.id, source: 'incident', description: '再次违规', measure: 'access_suspended' });
      expect((await read()).status).toBe(401);
      expect((await h.api('GET', `/api/v1/accountability?staff_id=${s.body.id}`)).body.records.map((r: any) => r.measure)).toEqual(['access_suspended', 'retraining']);
    }, 60_000);
  });
}
