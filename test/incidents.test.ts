import { createHmac } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import yauzl from 'yauzl';
import type { Actor, AuditInput } from '../src/audit/index.js';
import { BACKENDS, setupCustomers, startHarness, type Harness } from './harness.js';

/** Append events to the real audit chain as if it were `at` (only Date is faked; timers stay real). */
async function replay(h: Harness, actor: Omit<Actor, 'tenantId'>, at: string | number, inputs: AuditInput[]) {
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    vi.setSystemTime(new Date(at));
    await h.app.db.transaction((tx) => h.app.audit.record(tx, { ...actor, tenantId: h.tenant }, inputs));
  } finally { vi.useRealTimers(); }
}
const read = (subjectId: string, fields = ['name']): AuditInput => ({ action: 'record.read', decision: 'allow', purpose: 'customer_service', collection: 'customers', subjectId, recordId: `rec_${subjectId}`, fields });
const staff = (id: string, ip = '10.20.30.40') => ({ type: 'staff' as const, id, roles: [], clientIp: ip });

function unzipEntry(buf: Buffer, name: string): Promise<string> {
  return new Promise((res, rej) => yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
    if (err || !zip) return rej(err);
    zip.on('entry', (e) => {
      if (e.fileName !== name) return zip.readEntry();
      zip.openReadStream(e, (er, s) => { if (er || !s) return rej(er); const parts: Buffer[] = []; s.on('data', (c) => parts.push(c)); s.on('end', () => res(Buffer.concat(parts).toString('utf8'))); });
    });
    zip.on('end', () => rej(new Error(`${name} not in zip`)));
    zip.readEntry();
  }));
}

for (const kind of BACKENDS) {
  describe(`incidents on ${kind}`, () => {
    let h: Harness;
    beforeAll(async () => { h = await startHarness(kind); await setupCustomers(h); });
    afterAll(async () => { await h?.close(); });

    it('replayed audit streams raise the expected alerts: bulk read, off hours (official calendar), dormant account, refusal burst', async () => {
      // Tuesday 2025-06-03 10:00 Beijing: one staff member reads 120 different customers in 4 minutes.
      for (let i = 0; i < 120; i += 10) await replay(h, staff('stf_bulk'), Date.parse('2025-06-03T02:00:00Z') + i * 2000, Array.from({ length: 10 }, (_, k) => read(`sub_bulk${i + k}`)));
      // National Day (2025-10-01, a holiday) at 10:00 and a Tuesday at 23:30 are off hours; Sunday 2025-09-28 is a make-up working day (调休).
      await replay(h, staff('stf_night'), '2025-09-28T02:00:00Z', [read('sub_n1')]);
      await replay(h, staff('stf_night'), '2025-09-30T15:30:00Z', [read('sub_n2')]);
      await replay(h, staff('stf_night'), '2025-10-01T02:00:00Z', [read('sub_n3')]);
      // Active in June, silent until September.
      await replay(h, staff('stf_sleepy'), '2025-06-03T03:00:00Z', [read('sub_s1')]);
      await replay(h, staff('stf_sleepy'), '2025-09-15T03:00:00Z', [read('sub_s2'), read('sub_s3')]);
      // An API key refused 12 times within a minute.
      await replay(h, { type: 'api_key', id: 'key_prober', roles: [], clientIp: '10.9.9.9' }, '2025-06-04T02:00:00Z', Array.from({ length: 12 }, () => ({ action: 'record.read', decision: 'deny', reason: 'no_grant_for_action', collection: 'customers' })));

      const scan = await h.api('POST', '/api/v1/alerts/scan');
      expect(scan.status).toBe(200);
      expect(scan.body.alerts_raised).toBeGreaterThanOrEqual(5);
      const list = (await h.api('GET', '/api/v1/alerts?limit=200')).body;
      const by = (rule: string, actor: string) => list.alerts.filter((a: any) => a.rule === rule && a.actor.id === actor);
      expect(by('bulk_read', 'stf_bulk')).toHaveLength(1);
      expect(by('bulk_read', 'stf_bulk')[0]).toMatchObject({ state: 'open', severity: 'high', event_count: 120, summary: { threshold: 100 } });
      expect(by('off_hours', 'stf_bulk')).toHaveLength(0);
      const night = by('off_hours', 'stf_night');
      expect(night).toHaveLength(2);
      const nightWindows = night.map((a: any) => a.window.start).sort();
      expect(nightWindows).toEqual(['2025-09-30T15:30:00.000Z', '2025-10-01T02:00:00.000Z']);
      expect(by('dormant_account', 'stf_sleepy')).toHaveLength(1);
      expect(by('dormant_account', 'stf_sleepy')[0].summary).toMatchObject({ idle_days: 104, threshold_days: 30 });
      expect(by('refusal_burst', 'key_prober')).toHaveLength(1);
      // Evidence: the audit events themselves (ids and names only).
      const bulk = await h.api('GET', `/api/v1/alerts/${by('bulk_read', 'stf_bulk')[0].id}`);
      expect(bulk.body.evidence.length).toBeGreaterThanOrEqual(100);
      expect(bulk.body.evidence.every((e: any) => e.actor_id === 'stf_bulk' && e.action === 'record.read')).toBe(true);
      // Incremental and idempotent: nothing new means nothing raised; the detector has caught up.
      const again = await h.api('POST', '/api/v1/alerts/scan');
      expect(again.body.alerts_raised).toBe(0);
      const st = (await h.api('GET', '/api/v1/alerts/status')).body;
      expect(st.last_seq).toBeGreaterThan(0);
      expect(st.lag_events).toBeLessThan(20);
    });

    it('resumes from its stored cursor: scanning in small batches gives the same alerts as one pass', async () => {
      await replay(h, staff('stf_batch'), '2025-07-01T02:00:00Z', Array.from({ length: 130 }, (_, i) => read(`sub_b${i}`)));
      await replay(h, staff('stf_batch'), '2025-07-01T02:01:00Z', Array.from({ length: 20 }, (_, i) => read(`sub_b${i + 200}`)));
      let rounds = 0;
      for (;;) {
        const r = await h.app.incidents.anomaly.scan(h.tenant, { batch: 7, budgetMs: 0 });
        rounds += 1;
        if (r.events === 0) break;
      }
      expect(rounds).toBeGreaterThan(15);
      const list = (await h.api('GET', '/api/v1/alerts?actor_id=stf_batch')).body;
      expect(list.alerts).toHaveLength(1);
      expect(list.alerts[0]).toMatchObject({ rule: 'bulk_read', event_count: 150 });
      // The job does the same work on its schedule.
      await replay(h, staff('stf_job'), '2025-07-02T02:00:00Z', Array.from({ length: 101 }, (_, i) => read(`sub_j${i}`)));
      await h.app.jobs.ensureRecurring(new Date());
      const ran = await h.app.jobs.runDue(new Date(Date.now() + 1000), 50);
      expect(ran.find((j) => j.kind === 'incidents.anomaly_scan')?.ok).toBe(true);
      expect((await h.api('GET', '/api/v1/alerts?actor_id=stf_job')).body.alerts).toHaveLength(1);
    });

    it('acknowledges, dismisses with a reason, escalates an alert to an incident', async () => {
      const list = (await h.api('GET', '/api/v1/alerts?state=open&limit=200')).body.alerts;
      const [a, b, c] = list;
      expect((await h.api('POST', `/api/v1/alerts/${a.id}/acknowledge`, {})).body.state).toBe('acknowledged');
      expect((await h.api('POST', `/api/v1/alerts/${b.id}/dismiss`, {})).status).toBe(400);
      const d = await h.api('POST', `/api/v1/alerts/${b.id}/dismiss`, { reason: '批量对账，已核实' });
      expect(d.body).toMatchObject({ state: 'dismissed', reason: '批量对账，已核实' });
      expect((await h.api('POST', `/api/v1/alerts/${b.id}/escalate`, {})).status).toBe(422);
      const e = await h.api('POST', `/api/v1/alerts/${c.id}/escalate`, { title: '疑似批量查询', kind: 'leak' });
      expect(e.status).toBe(201);
      expect(e.body.alerts.map((x: any) => x.id)).toEqual([c.id]);
      expect(e.body.timeline.map((t: any) => t.entry)).toEqual(['opened', 'alert_linked']);
      expect((await h.api('GET', `/api/v1/alerts/${c.id}`)).body).toMatchObject({ state: 'escalated', incident_id: e.body.id });
      expect((await h.api('POST', `/api/v1/alerts/${c.id}/escalate`, {})).status).toBe(409);
      const counts = (await h.api('GET', '/api/v1/alerts')).body.counts;
      expect(counts.escalated).toBeGreaterThanOrEqual(1);
      const audit = (await h.api('GET', '/api/v1/audit/events?action=alert.dismiss')).body.events;
      expect(audit.at(-1).details.alert_id).toBe(b.id);
    });

    let incidentId = '';
    let leaked: string[] = [];
    let keyId = '';
    it('scopes an incident from the audit log: the affected set is exactly the subjects the key read, with counts by PI type', async () => {
      const writes = await h.api('POST', '/api/v1/collections/customers/records', { records: Array.from({ length: 30 }, (_, i) => ({ fields: { name: `客户${i}`, phone: `1390000${String(1000 + i)}`, id_number: '11010519491231002X', ...(i % 2 === 0 ? { email: `c${i}@example.cn` } : {}) } })) });
      expect(writes.status).toBe(201);
      const ids: string[] = writes.body.ids;
      const subjects: Record<string, string> = (await h.raw(`select id, subject_id from records where tenant_id = $1 and id in (${ids.map((i) => `'${i}'`).join(',')})`, [h.tenant])).reduce((m: Record<string, string>, r: any) => ({ ...m, [r.id]: r.subject_id }), {});
      await h.api('POST', '/api/v1/roles', { name: 'cs_reader', grants: [{ collection: 'customers', fields: ['*'], actions: ['read'], purposes: ['customer_service'], view: 'plain' }] });
      const k1 = (await h.api('POST', '/api/v1/api-keys', { name: 'crm', roles: ['cs_reader'] })).body;
      const k2 = (await h.api('POST', '/api/v1/api-keys', { name: 'billing', roles: ['cs_reader'] })).body;
      keyId = k1.id;
      const from = new Date(Date.now() - 1000).toISOString();
      for (const id of ids.slice(0, 12)) expect((await h.api('GET', `/api/v1/collections/customers/records/${id}?purpose=customer_service&fields=name,id_number`, undefined, k1.api_key)).status).toBe(200);
      for (const id of ids.slice(12, 17)) await h.api('GET', `/api/v1/collections/customers/records/${id}?purpose=customer_service&fields=name,phone`, undefined, k2.api_key);
      leaked = ids.slice(0, 12).map((i) => subjects[i]).sort();

      await h.api('PUT', '/api/v1/incident-settings', { grade_thresholds: { major: 10, serious: 1000, especially_serious: 100000 }, organisation: '测试公司', contact: '400-800-1234' });
      const o = await h.api('POST', '/api/v1/incidents', { title: 'CRM 密钥泄露', kind: 'leak', detected_at: new Date(Date.now() - 3_600_000).toISOString() });
      expect(o.status).toBe(201);
      incidentId = o.body.id;
      expect(o.body.grade.code).toBe('general');
      expect(o.body.report.due_at).toBeNull();
      expect((await h.api('POST', `/api/v1/incidents/${incidentId}/scope`, { mode: 'audit', actor_ids: [k1.id] })).status).toBe(422);
      const s = await h.api('POST', `/api/v1/incidents/${incidentId}/scope`, { mode: 'audit', actor_ids: [k1.id], from, to: new Date(Date.now() + 1000).toISOString() });
      expect(s.status).toBe(200);
      expect(s.body.affected_count).toBe(12);
      expect(s.body.sensitive_count).toBe(12);
      const byType = Object.fromEntries(s.body.scope.by_type.map((t: any) => [t.type, t.subjects]));
      expect(byType).toEqual({ person_name: 12, cn_id: 12 });
      expect(s.body.scope.by_category.find((c: any) => c.category === 'identity')).toMatchObject({ sensitive: true, subjects: 12 });
      const got = (await h.api('GET', `/api/v1/incidents/${incidentId}/subjects?limit=1000`)).body.subjects.map((x: any) => x.subject_id).sort();
      expect(got).toEqual(leaked);
      // Graded from the count (thresholds configurable): 较大, report due 4 hours after detection.
      expect(s.body.grade).toMatchObject({ code: 'major', label_zh: '较大' });
      expect(Date.parse(s.body.report.due_at) - Date.parse(s.body.detected_at)).toBe(4 * 3_600_000);
      expect(s.body.report.seconds_left).toBeGreaterThan(3 * 3600 - 120);
      expect(s.body.report.seconds_left).toBeLessThanOrEqual(3 * 3600);
      const sc = await h.api('GET', `/api/v1/incidents/${incidentId}/scope`);
      expect(sc.body).toMatchObject({ affected: 12, sensitive: 12 });
      // A whole collection: every subject with records in it.
      const o2 = (await h.api('POST', '/api/v1/incidents', { title: '备份盘丢失', kind: 'loss' })).body;
      const whole = (await h.api('POST', `/api/v1/incidents/${o2.id}/scope`, { mode: 'collection', collections: ['customers'] })).body;
      const total = Number((await h.raw('select count(distinct subject_id) as n from records where tenant_id = $1', [h.tenant]))[0].n);
      expect(whole.affected_count).toBe(total);
      expect((await h.api('POST', `/api/v1/incidents/${o2.id}/scope`, { mode: 'collection', collections: ['nope'] })).status).toBe(422);
      // The grade can be raised with a reason, never lowered below the count's.
      expect((await h.api('PATCH', `/api/v1/incidents/${incidentId}`, { grade_override: 'general', grade_reason: 'x' })).status).toBe(422);
      expect((await h.api('PATCH', `/api/v1/incidents/${incidentId}`, { grade_override: 'serious' })).status).toBe(422);
      const raised = await h.api('PATCH', `/api/v1/incidents/${incidentId}`, { grade_override: 'serious', grade_reason: '涉及金融账户' });
      expect(raised.body.grade).toMatchObject({ code: 'serious', computed: 'major', override: 'serious' });
    });

    it('scopes a tenant with more PI kinds than the bit-mask form holds (array form), with the same answers', async () => {
      const cats = ['basic', 'identity', 'biometric', 'network_identity', 'health', 'education_work', 'financial', 'contact', 'property', 'communication', 'online_activity', 'device', 'location', 'other'];
      const fields: Array<{ name: string; type: string; category?: string }> = ['text', 'number', 'date', 'boolean'].flatMap((t) => cats.map((c) => ({ name: `${t}_${c}`, type: t, category: c })));
      fields.push(...['mobile', 'email', 'cn_id', 'bank_card', 'passport', 'ip', 'plate', 'uscc'].map((t) => ({ name: `f_${t}`, type: t })));
      expect((await h.api('POST', '/api/v1/collections', { name: 'wide', fields })).status).toBe(201);
      const w = await h.api('POST', '/api/v1/collections/wide/records', { records: [1, 2, 3].map((i) => ({ fields: { text_health: `诊断${i}`, f_mobile: `1380000000${i}` } })) });
      expect(w.status).toBe(201);
      const me = (await h.api('GET', '/api/v1/auth/me')).body.api_key;
      const from = new Date(Date.now() - 1000).toISOString();
      for (const id of w.body.ids.slice(0, 2)) expect((await h.api('GET', `/api/v1/collections/wide/records/${id}?purpose=customer_service&fields=text_health,f_mobile`)).status).toBe(200);
      const o = (await h.api('POST', '/api/v1/incidents', { title: '宽表', kind: 'leak' })).body;
      const s = (await h.api('POST', `/api/v1/incidents/${o.id}/scope`, { mode: 'audit', actor_ids: [me], collections: ['wide'], from, to: new Date(Date.now() + 1000).toISOString() })).body;
      expect(s.affected_count).toBe(2);
      expect(s.sensitive_count).toBe(2);
      expect(Object.fromEntries(s.scope.by_type.map((t: any) => [t.type, t.subjects]))).toEqual({ 'text:health': 2, mobile: 2 });
      expect(s.scope.events_matched).toBe(2);
      const all = (await h.api('POST', `/api/v1/incidents/${o.id}/scope`, { mode: 'collection', collections: ['wide'] })).body;
      expect(all.affected_count).toBe(3);
      expect(all.scope.events_matched).toBe(3);
    });

    it('notifies each affected individual (PIPL Art. 57) through the outbox, with per-recipient status and retries', async () => {
      const missing = await h.api('POST', `/api/v1/incidents/${incidentId}/notifications`, { channels: ['sms'] });
      expect(missing.status).toBe(422);
      expect(missing.body.errors.map((e: any) => e.field)).toEqual(['cause', 'harm', 'remedies', 'subject_actions']);
      await h.api('PATCH', `/api/v1/incidents/${incidentId}`, { cause: 'CRM 系统的 API 密钥被盗用', harm: '可能被用于电信诈骗', remedies: '已吊销密钥并重置访问策略', subject_actions: '请警惕冒充客服的来电，勿透露验证码' });
      expect((await h.api('POST', `/api/v1/incidents/${incidentId}/notifications`, { channels: ['sms'] })).status).toBe(422);
      await h.api('POST', '/api/v1/purposes', { name: 'incident_notification', title: '安全事件告知', legal_basis: 'legal_obligation', requires_training: false });
      const q = await h.api('POST', `/api/v1/incidents/${incidentId}/notifications`, { channels: ['sms', 'email'] });
      expect(q.status).toBe(202);
      expect(q.body).toMatchObject({ queued: 24, notifier: 'outbox' });
      // Break the email channel: its outbox folder is a file.
      const outbox = join(h.dataDir, 'outbox');
      rmSync(join(outbox, 'email'), { recursive: true, force: true });
      mkdirSync(outbox, { recursive: true });
      writeFileSync(join(outbox, 'email'), 'not a folder');
      const first = await h.app.incidents.notify.deliver(h.tenant, new Date());
      expect(first.sent).toBe(12);
      expect(first.no_contact).toBe(6);
      expect(first.retrying).toBe(6);
      const pending = (await h.api('GET', `/api/v1/incidents/${incidentId}/notifications?state=pending`)).body;
      expect(pending.total).toBe(6);
      expect(pending.notifications[0]).toMatchObject({ channel: 'email', attempts: 1 });
      expect(pending.notifications[0].last_error).toMatch(/send failed/);
      rmSync(join(outbox, 'email'));
      const second = await h.app.incidents.notify.deliver(h.tenant, new Date(Date.now() + 5 * 60_000));
      expect(second.sent).toBe(6);
      const all = (await h.api('GET', `/api/v1/incidents/${incidentId}/notifications?limit=100`)).body;
      const states = all.notifications.reduce((m: Record<string, number>, n: any) => ({ ...m, [n.state]: (m[n.state] ?? 0) + 1 }), {});
      expect(states).toEqual({ sent: 18, no_contact: 6 });
      const sms = readdirSync(join(outbox, 'sms')).flatMap((f) => readFileSync(join(outbox, 'sms', f), 'utf8').trim().split('\n')).map((l) => JSON.parse(l));
      expect(sms).toHaveLength(12);
      expect(sms[0].to).toMatch(/^1390000\d{4}$/);
      expect(sms[0].body).toContain('姓名、居民身份证号码');
      expect(sms[0].body).toContain('请警惕冒充客服的来电');
      expect(sms[0].body).toContain('400-800-1234');
      // Every contact read went through the vault, audited under the notification purpose.
      const reads = (await h.api('GET', '/api/v1/audit/events?purpose=incident_notification&action=record.read&limit=1000')).body.events;
      expect(reads.length).toBe(30); // 24 on the first pass (6 of them found no email), 6 on the retry
      const delivered = (await h.api('GET', '/api/v1/audit/events?action=incident.notice_delivery&limit=1000')).body.events;
      expect(new Set(delivered.map((e: any) => e.subject_id))).toEqual(new Set(leaked));
      expect(JSON.stringify(delivered)).not.toContain('1390000');
    });

    it('renders the regulator report as JSON, PDF (Chinese font embedded) and DOCX with the same facts', async () => {
      const j = await h.api('GET', `/api/v1/incidents/${incidentId}/report?format=json`);
      expect(j.status).toBe(200);
      expect(j.body).toMatchObject({ kind: 'initial', handler: { organisation: '测试公司' }, grade: { code: 'serious' }, scope: { affected: 12, sensitive: 12 }, notifications: { sent: 18, no_contact: 6 } });
      expect(j.body.sha256).toMatch(/^[0-9a-f]{64}$/);
      const pdf = await h.server.inject({ method: 'GET', url: `/api/v1/incidents/${incidentId}/report?format=pdf`, headers: { authorization: `Bearer ${h.key}` } });
      expect(pdf.statusCode).toBe(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pdf.rawPayload.toString('latin1')).toMatch(/FontFile[23]|NotoSans/) // a CJK font is embedded;
      const docx = await h.server.inject({ method: 'GET', url: `/api/v1/incidents/${incidentId}/report?format=docx`, headers: { authorization: `Bearer ${h.key}` } });
      expect(docx.statusCode).toBe(200);
      const xml = await unzipEntry(docx.rawPayload, 'word/document.xml');
      expect(xml).toContain('个人信息安全事件报告');
      expect(xml).toContain('CRM 系统的 API 密钥被盗用');
      expect(xml).toContain('重大');
      expect(xml).not.toContain('1390000');
    });

    it('follows the response plan, keeps a timeline, closes only after review and tracks the 30-day summary', async () => {
      const p1 = await h.api('POST', '/api/v1/response-plans', { kind: 'tampering', title: '篡改应急预案', roles: [{ role: '负责人', name: '王五' }], contacts: [{ name: '网信办', phone: '12377' }], steps: [{ key: 'isolate', title: '隔离受影响系统', within_minutes: 60 }] });
      expect(p1.status).toBe(201);
      expect(p1.body.version).toBe(1);
      const p2 = await h.api('POST', '/api/v1/response-plans', { kind: 'tampering', title: '篡改应急预案 v2', roles: [], contacts: [], steps: [{ key: 'isolate', title: '隔离受影响系统' }, { key: 'restore', title: '从备份恢复数据', within_minutes: 240 }] });
      expect(p2.body.version).toBe(2);
      expect((await h.api('GET', '/api/v1/response-plans')).body.plans.find((p: any) => p.kind === 'tampering')).toMatchObject({ version: 2, versions: [2, 1] });
      const o = (await h.api('POST', '/api/v1/incidents', { title: '数据被篡改', kind: 'tampering' })).body;
      expect(o.plan_version).toBe(2);
      expect(o.checklist.map((c: any) => c.key)).toEqual(['isolate', 'restore']);
      const ticked = await h.api('PUT', `/api/v1/incidents/${o.id}/checklist/isolate`, { done: true, note: '已断网' });
      expect(ticked.body.checklist[0]).toMatchObject({ done: true, note: '已断网' });
      expect((await h.api('PUT', `/api/v1/incidents/${o.id}/checklist/nope`, { done: true })).status).toBe(404);
      expect((await h.api('POST', `/api/v1/incidents/${o.id}/steps`, { kind: 'containment', text: '封禁来源 IP' })).status).toBe(201);
      expect((await h.api('POST', `/api/v1/incidents/${o.id}/transitions`, { to: 'closed' })).status).toBe(409);
      await h.api('POST', `/api/v1/incidents/${o.id}/transitions`, { to: 'contained' });
      await h.api('POST', `/api/v1/incidents/${o.id}/transitions`, { to: 'reviewing' });
      expect((await h.api('POST', `/api/v1/incidents/${o.id}/transitions`, { to: 'closed' })).body.code).toBe('incident.review_missing');
      await h.api('POST', `/api/v1/incidents/${o.id}/review`, { cause: '弱口令', lessons: '缺少双因素认证', improvements: '全员启用 TOTP' });
      const closed = (await h.api('POST', `/api/v1/incidents/${o.id}/transitions`, { to: 'closed' })).body;
      expect(closed.state).toBe('closed');
      expect(Date.parse(closed.summary_report.due_at) - Date.parse(closed.closed_at)).toBe(30 * 86_400_000);
      const full = (await h.api('GET', `/api/v1/incidents/${o.id}`)).body;
      expect(full.timeline.map((t: any) => t.entry)).toEqual(['opened', 'checklist.done', 'step.containment', 'state.contained', 'state.reviewing', 'review', 'state.closed']);
      expect((await h.api('PATCH', `/api/v1/incidents/${o.id}`, { cause: 'x' })).status).toBe(409);
      const summary = await h.api('GET', `/api/v1/incidents/${o.id}/report?kind=summary`);
      expect(summary.body.review).toMatchObject({ cause: '弱口令' });
      const filed = (await h.api('POST', `/api/v1/incidents/${o.id}/report-filings`, { kind: 'summary', reference: '网信办回执 001' })).body;
      expect(filed.summary_report.filed_at).toBeTruthy();
    });

    it('flags a late regulator report and lists it', async () => {
      const o = (await h.api('POST', '/api/v1/incidents', { title: '迟报', kind: 'leak', detected_at: new Date(Date.now() - 5 * 3_600_000).toISOString() })).body;
      await h.api('POST', `/api/v1/incidents/${o.id}/scope`, { mode: 'collection', collections: ['customers'] });
      const v = (await h.api('GET', `/api/v1/incidents/${o.id}`)).body;
      expect(v.report.overdue).toBe(true);
      expect(v.report.seconds_left).toBeLessThan(0);
      await h.app.incidents.incidents.flagDeadlines(h.tenant, new Date());
      const flagged = (await h.api('GET', '/api/v1/incidents?flag=report_overdue')).body.incidents.map((i: any) => i.id);
      expect(flagged).toContain(o.id);
      await h.api('POST', `/api/v1/incidents/${o.id}/report-filings`, { kind: 'initial', reference: 'late' });
      const after = (await h.api('GET', `/api/v1/incidents/${o.id}`)).body;
      expect(after.report).toMatchObject({ overdue: false, filed_late: true });
    });

    it('pushes alert and incident changes to a webhook (signed), syslog and NATS', async () => {
      const got: Array<{ body: string; sig: string; ts: string }> = [];
      const web = createServer((req, res) => { let b = ''; req.on('data', (c) => { b += c; }); req.on('end', () => { got.push({ body: b, sig: String(req.headers['x-custodian-signature']), ts: String(req.headers['x-custodian-timestamp']) }); res.end('ok'); }); });
      await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
      const udp = createSocket('udp4');
      const lines: string[] = [];
      udp.on('message', (m) => lines.push(m.toString()));
      await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
      let nats: ChildProcess | null = null;
      const natsPort = 14222 + Math.floor(Math.random() * 1000);
      const haveNats = existsSync('/usr/sbin/nats-server') || existsSync('/usr/bin/nats-server');
      try {
        const wh = await h.api('POST', '/api/v1/incident-sinks', { kind: 'webhook', target: `http://127.0.0.1:${(web.address() as any).port}/siem` });
        expect(wh.status).toBe(201);
        expect(wh.body.secret).toMatch(/^whsec_/);
        expect((await h.api('POST', '/api/v1/incident-sinks', { kind: 'syslog', target: `udp://127.0.0.1:${(udp.address() as any).port}` })).status).toBe(201);
        expect((await h.api('POST', '/api/v1/incident-sinks', { kind: 'syslog', target: 'http://x' })).status).toBe(422);
        let natsMsgs: string[] = [];
        if (haveNats) {
          nats = spawn(existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : '/usr/bin/nats-server', ['-a', '127.0.0.1', '-p', String(natsPort)], { stdio: 'ignore' });
          const { connect, StringCodec } = await import('nats');
          let nc;
          for (let i = 0; i < 50 && !nc; i++) { try { nc = await connect({ servers: `127.0.0.1:${natsPort}`, reconnect: false }); } catch { await new Promise((r) => setTimeout(r, 100)); } }
          const sub = nc!.subscribe('custodian.incidents');
          (async () => { for await (const m of sub) natsMsgs.push(StringCodec().decode(m.data)); })();
          expect((await h.api('POST', '/api/v1/incident-sinks', { kind: 'nats', target: `nats://127.0.0.1:${natsPort}/custodian.incidents` })).status).toBe(201);
          const o = (await h.api('POST', '/api/v1/incidents', { title: '推送测试', kind: 'loss' })).body;
          await h.app.jobs.ensureRecurring(new Date());
          await h.app.jobs.runDue(new Date(Date.now() + 60_000), 50);
          for (let i = 0; i < 50 && natsMsgs.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
          expect(natsMsgs.some((m) => m.includes(o.id))).toBe(true);
          await nc!.close();
        } else {
          await h.api('POST', '/api/v1/incidents', { title: '推送测试', kind: 'loss' });
          await h.app.jobs.ensureRecurring(new Date());
          await h.app.jobs.runDue(new Date(Date.now() + 60_000), 50);
        }
        for (let i = 0; i < 50 && (got.length === 0 || lines.length === 0); i++) await new Promise((r) => setTimeout(r, 50));
        const events = got.flatMap((g) => JSON.parse(g.body).events);
        expect(events.some((e: any) => e.type === 'incident.opened' && e.kind === 'loss')).toBe(true);
        const g = got[0];
        expect(g.sig).toBe(`sha256=${createHmac('sha256', wh.body.secret).update(`${g.ts}.${g.body}`).digest('hex')}`);
        expect(lines.some((l) => /^<\d+>1 \S+ \S+ custodian - incident\.opened - \{/.test(l))).toBe(true);
        const sinks = (await h.api('GET', '/api/v1/incident-sinks')).body.sinks;
        expect(sinks.every((s: any) => s.last_error === null)).toBe(true);
        for (const s of sinks) await h.api('PATCH', `/api/v1/incident-sinks/${s.id}`, { enabled: false });
      } finally {
        web.close(); udp.close(); nats?.kill();
      }
    });

    it('runs a drill end to end on synthetic data in a scratch store and keeps the timed result', async () => {
      const d = await h.api('POST', '/api/v1/drills', { scenario: 'bulk_read_leak', subjects: 30 });
      expect(d.status).toBe(201);
      expect(d.body.problem).toBeNull();
      expect(d.body.ok).toBe(true);
      expect(d.body.steps.map((s: any) => s.step)).toEqual(['seed', 'breach', 'detect', 'escalate', 'scope', 'grade', 'contain', 'notify', 'report', 'close']);
      expect(d.body.steps.find((s: any) => s.step === 'scope').detail).toMatchObject({ matches_known_set: true, affected: 27 });
      expect(d.body.result).toMatchObject({ grade: 'major', report_hours: 4 });
      const list = (await h.api('GET', '/api/v1/drills/incidents')).body;
      expect(list.drills[0].id).toBe(d.body.id);
      expect((await h.api('GET', `/api/v1/drills/${d.body.id}`)).body.ok).toBe(true);
      // The tenant's own data was not touched by the drill.
      expect((await h.raw(`select count(*) as n from collections where tenant_id = $1 and name = 'drill_customers'`, [h.tenant]))[0].n).toBe(0);
      const sched = await h.api('PUT', '/api/v1/incident-settings', { drill_every_days: 90, drill_scenario: 'collection_loss' });
      expect(Date.parse(sched.body.next_drill_at)).toBeGreaterThan(Date.now() + 89 * 86_400_000);
    });

    it('refuses keys without the incidents permission and keeps PI out of alerts', async () => {
      await h.api('POST', '/api/v1/roles', { name: 'auditor', grants: [], permissions: ['audit.read'] });
      const k = (await h.api('POST', '/api/v1/api-keys', { name: 'auditor', roles: ['auditor'] })).body.api_key;
      for (const [m, u] of [['GET', '/api/v1/alerts'], ['GET', `/api/v1/incidents/${incidentId}`], ['GET', `/api/v1/incidents/${incidentId}/report?format=pdf`], ['POST', '/api/v1/alerts/scan']] as const) {
        expect((await h.api(m, u, m === 'POST' ? {} : undefined, k)).status, u).toBe(403);
      }
      const alerts = JSON.stringify((await h.api('GET', '/api/v1/alerts?limit=200')).body);
      expect(alerts).not.toContain('1390000');
      expect(alerts).not.toContain('11010519491231002X');
      await h.api('POST', '/api/v1/alerts/scan');
      expect((await h.api('GET', '/api/v1/alerts/baselines?limit=200')).body.actors.find((a: any) => a.actor_id === keyId)).toBeTruthy();
    });
  });
}
