/** The register of processing activities: create, validate, activate (with the assessment gate), revise, retire, export. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { AppError } from '../src/core/errors.js';
import { systemClock } from '../src/core/clock.js';
import { createActivitiesService, type Triggers } from '../src/consent/index.js';
import type { Actor } from '../src/audit/index.js';
import { approvedAssessment } from './compliance-helpers.js';
import { BACKENDS, setupCustomers, startHarness, type Harness } from './harness.js';

const complete = {
  name: '会员客户服务', description: '处理会员咨询与投诉', purposes: ['customer_service'], legal_basis: 'contract',
  subject_categories: ['customers', 'members'], estimated_subjects: 120000,
  data: [{ collection: 'customers', fields: ['name', 'phone', 'address'] }], sources: ['subject'], operations: ['collect', 'store', 'use'],
  manner: '客服系统中查询、记录通话', retention: { period: '服务关系结束后3年', days: 1095, end_action: 'delete' },
  security_measures: ['encryption', 'access_control', 'masking', 'audit_log'], department: '客户服务部', owner: '李四', owner_contact: 'lisi@example.cn', systems: ['CRM'],
};

for (const kind of BACKENDS) {
  describe(`register of processing activities on ${kind}`, () => {
    let h: Harness;
    let id = '';
    beforeAll(async () => {
      h = await startHarness(kind);
      await setupCustomers(h);
      await h.api('POST', '/api/v1/purposes', { name: 'marketing', title: '营销推广', legal_basis: 'consent' });
    });
    afterAll(async () => { await h?.close(); });

    it('registers a draft with PI resolved from the collections and no assessment trigger', async () => {
      const r = await h.api('POST', '/api/v1/activities', complete);
      expect(r.status).toBe(201);
      id = r.body.id;
      expect(r.body).toMatchObject({ state: 'draft', revision: 1, name: '会员客户服务', assessment_required: false });
      expect(r.body.computed.fields.map((f: any) => f.field)).toEqual(['name', 'phone', 'address']);
      expect(r.body.computed.categories).toEqual(['basic']);
      expect(Object.values(r.body.triggers).some(Boolean)).toBe(false);
      const dup = await h.api('POST', '/api/v1/activities', complete);
      expect(dup.status).toBe(409);
    });

    it('refuses bad entries with 422 naming the field, and stores nothing', async () => {
      const r = await h.api('POST', '/api/v1/activities', { ...complete, name: '错误', purposes: ['customer_service', 'marketing'], data: [{ collection: 'customers', fields: ['nosuch'] }] });
      expect(r.status).toBe(422);
      expect(r.body.errors.map((e: any) => e.field)).toEqual(['purposes[1]', 'data[0].fields[0]']);
      expect((await h.api('POST', '/api/v1/activities', { ...complete, name: '错误2', data: [{ collection: 'orders', fields: ['x'] }] })).body.errors[0].field).toBe('data[0].collection');
      expect((await h.api('POST', '/api/v1/activities', { ...complete, name: '错误3', cross_border: { countries: ['sg'] } })).status).toBe(400);
      expect((await h.api('POST', '/api/v1/activities', { ...complete, name: '错误4', notice: 'nosuch' })).body.errors[0].field).toBe('notice');
      expect((await h.api('GET', '/api/v1/activities')).body.total).toBe(1);
    });

    it('activates a complete entry; an incomplete one is refused naming what is missing', async () => {
      const d = await h.api('POST', '/api/v1/activities', { name: '草稿', purposes: ['marketing'], legal_basis: 'consent' });
      const refused = await h.api('POST', `/api/v1/activities/${d.body.id}/activate`);
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('activity.incomplete');
      expect(refused.body.errors.map((e: any) => e.field)).toEqual(['subject_categories', 'data', 'operations', 'retention.period', 'security_measures', 'department', 'owner']);
      const a = await h.api('POST', `/api/v1/activities/${id}/activate`);
      expect(a.status).toBe(200);
      expect(a.body).toMatchObject({ state: 'active', revision: 2 });
      expect((await h.api('POST', `/api/v1/activities/${id}/activate`)).status).toBe(409);
    });

    it('audits each revision with the keys that changed; an active entry must stay complete', async () => {
      const u = await h.api('PATCH', `/api/v1/activities/${id}`, { owner: '王五', expected_revision: 2 });
      expect(u.status).toBe(200);
      expect(u.body).toMatchObject({ owner: '王五', revision: 3 });
      expect((await h.api('PATCH', `/api/v1/activities/${id}`, { owner: '赵六', expected_revision: 2 })).status).toBe(409);
      const incomplete = await h.api('PATCH', `/api/v1/activities/${id}`, { security_measures: [] });
      expect(incomplete.status).toBe(422);
      expect(incomplete.body.errors[0].field).toBe('security_measures');
      const change = { data: [{ collection: 'customers', fields: ['name', 'phone', 'id_number'] }], recipients: [{ name: '某呼叫中心外包公司', kind: 'entrusted', contract_ref: 'HT-2026-07' }] };
      // New triggers on an active entry need an approved impact assessment for this activity (issue 10's gate).
      const gated = await h.api('PATCH', `/api/v1/activities/${id}`, change);
      expect(gated.status).toBe(409);
      expect(gated.body.code).toBe('assessment.required');
      await approvedAssessment(h, id, ['sensitive_pi', 'entrusted_processing']);
      const sensitive = await h.api('PATCH', `/api/v1/activities/${id}`, change);
      expect(sensitive.status).toBe(200);
      expect(sensitive.body.triggers).toMatchObject({ sensitive_pi: true, entrusting: true, cross_border: false });
      expect(sensitive.body.computed.sensitive_fields).toEqual(['customers.id_number']);
      const revs = (await h.api('GET', `/api/v1/activities/${id}/revisions`)).body.revisions;
      expect(revs.map((r: any) => [r.revision, r.change])).toEqual([[4, 'update'], [3, 'update'], [2, 'activate'], [1, 'create']]);
      expect(revs[0].changed).toEqual(['data', 'recipients']);
      const ev = (await h.api('GET', '/api/v1/audit/events?action=activity.update')).body.events;
      expect(ev.map((e: any) => e.details.changed)).toEqual(expect.arrayContaining([['owner'], ['data', 'recipients']]));
    });

    it('gates activation of an activity with Art. 55 triggers through the assessment interface', async () => {
      const calls: Array<{ activityId: string; triggers: Triggers }> = [];
      const gated = createActivitiesService({
        db: h.app.db, audit: h.app.audit, access: h.app.access, collections: h.app.collections, clock: systemClock,
        assessmentGate: async (_tx, _tenant, activityId, triggers) => {
          calls.push({ activityId, triggers });
          throw new AppError(409, 'assessment.required', '须先完成个人信息保护影响评估', 'an approved impact assessment is required');
        },
      });
      const actor: Actor = { type: 'cli', id: 'test', tenantId: h.tenant, roles: ['owner'] };
      const plain = await gated.create(actor, { ...complete, name: '无触发' });
      expect((await gated.activate(actor, plain.id)).state).toBe('active');
      expect(calls).toEqual([]);
      const export_ = await gated.create(actor, { ...complete, name: '海外客服', recipients: [{ name: 'Support Ltd', kind: 'entrusted', country: 'SG', contract_ref: 'SCC-1' }], cross_border: { countries: ['SG'], mechanism: 'standard_contract' } });
      await expect(gated.activate(actor, export_.id)).rejects.toMatchObject({ code: 'assessment.required' });
      expect(calls).toEqual([{ activityId: export_.id, triggers: expect.objectContaining({ cross_border: true, entrusting: true, sensitive_pi: false }) }]);
      expect((await gated.get(actor, export_.id)).state).toBe('draft');
      // A new trigger on an active entry passes the gate again.
      await expect(gated.update(actor, plain.id, { data: [{ collection: 'customers', fields: ['bank_card'] }] })).rejects.toMatchObject({ code: 'assessment.required' });
      expect((await gated.get(actor, plain.id)).revision).toBe(2);
    });

    it('lists with filters and paging, and retires (after which it cannot change)', async () => {
      const l = await h.api('GET', '/api/v1/activities?state=active&limit=1');
      expect(l.body.total).toBe(2);
      expect(l.body.activities).toHaveLength(1);
      expect((await h.api('GET', '/api/v1/activities?trigger=sensitive_pi')).body.activities.map((a: any) => a.id)).toEqual([id]);
      expect((await h.api('GET', '/api/v1/activities?purpose=marketing')).body.total).toBe(1);
      expect((await h.api('GET', '/api/v1/activities?q=海外')).body.total).toBe(1);
      const r = await h.api('POST', `/api/v1/activities/${id}/retire`, { reason: '业务合并' });
      expect(r.body).toMatchObject({ state: 'retired', retire_reason: '业务合并' });
      expect((await h.api('PATCH', `/api/v1/activities/${id}`, { owner: 'x' })).status).toBe(409);
      expect((await h.api('GET', '/api/v1/activities/act_00000000000000000000')).status).toBe(404);
    });

    it('exports the register as JSON and as XLSX with zh-CN/en headers, and audits the export', async () => {
      const j = await h.api('GET', '/api/v1/activities/export?format=json');
      expect(j.status).toBe(200);
      expect(j.headers['content-disposition']).toMatch(/attachment; filename="processing-activities-\d{4}-\d{2}-\d{2}\.json"/);
      expect(j.body.format).toBe('custodian.processing-activities/1');
      expect(j.body.activities.find((a: any) => a.id === id)).toMatchObject({ name: '会员客户服务', state: 'retired', purposes: [{ name: 'customer_service', title: '客户服务' }], department: '客户服务部' });
      const res = await h.server.inject({ method: 'GET', url: '/api/v1/activities/export?format=xlsx&state=retired', headers: { authorization: `Bearer ${h.key}` } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('spreadsheetml');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
      const ws = wb.getWorksheet('处理活动记录')!;
      const head = ws.getRow(2).values as string[];
      expect(head).toEqual(expect.arrayContaining(['处理目的\nPurposes', '合法性基础\nLegal basis', '保存期限\nRetention', '负责部门\nDepartment']));
      const col = (title: string) => head.indexOf(title);
      const row = ws.getRow(3);
      expect(ws.rowCount).toBe(3);
      expect(row.getCell(col('处理活动名称\nActivity')).value).toBe('会员客户服务');
      expect(row.getCell(col('合法性基础\nLegal basis')).value).toBe('订立、履行合同所必需');
      expect(row.getCell(col('敏感个人信息\nSensitive PI')).value).toBe('customers.id_number');
      expect(String(row.getCell(col('需开展影响评估的情形\nImpact assessment triggers (PIPL 55)')).value)).toContain('委托处理');
      expect(wb.getWorksheet('个人信息字段')!.rowCount).toBe(1 + 3);
      expect(wb.getWorksheet('接收方')!.getRow(2).getCell(3).value).toBe('某呼叫中心外包公司');
      const ev = (await h.api('GET', '/api/v1/audit/events?action=activity.export')).body.events;
      expect(ev.map((e: any) => e.details.format).sort()).toEqual(['json', 'xlsx']);
    });

    it('is closed to keys without activities.manage', async () => {
      await h.api('POST', '/api/v1/roles', { name: 'consents_only', grants: [], permissions: ['consents.manage'] });
      const k = (await h.api('POST', '/api/v1/api-keys', { name: 'c', roles: ['consents_only'] })).body.api_key;
      for (const [m, u] of [['GET', '/api/v1/activities'], ['GET', '/api/v1/activities/export'], ['GET', `/api/v1/activities/${id}`], ['POST', `/api/v1/activities/${id}/activate`]] as const) {
        expect((await h.api(m, u, m === 'POST' ? {} : undefined, k)).status, u).toBe(403);
      }
    });
  });
}
