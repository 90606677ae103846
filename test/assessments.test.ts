import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { PDFParse } from 'pdf-parse';
import { BACKENDS, startHarness, type Harness } from './harness.js';
import { keyWith } from './compliance-helpers.js';
import { createAssessmentService } from '../src/assessments/index.js';

/** Text of word/document.xml inside a DOCX, tags removed. */
async function docxText(buf: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      zip.on('entry', (e: yauzl.Entry) => {
        if (e.fileName !== 'word/document.xml') return zip.readEntry();
        zip.openReadStream(e, (er, s) => {
          if (er || !s) return reject(er);
          const parts: Buffer[] = [];
          s.on('data', (c: Buffer) => parts.push(c));
          s.on('end', () => resolve(Buffer.concat(parts).toString('utf8').replace(/<[^>]+>/g, '')));
        });
      });
      zip.on('end', () => reject(new Error('no word/document.xml')));
      zip.readEntry();
    });
  });
}

const COMPLETE_ANSWERS = {
  purpose: '向境外母公司提供会员信息用于全球会员积分', legal_basis: 'consent', necessity: '积分在全球通用，必须共享会员标识与手机号', minimisation: '仅手机号和会员号，保存一年',
  team: '法务部、信息安全部', scope: '会员系统', subjects_count: 50000, lifecycle: ['collect', 'store', 'provide'], systems: '会员系统（上海机房）', retention: '一年后删除',
  pi_types: '姓名、手机号', existing_measures: '字段级加密、访问控制、审计', impact_summary: '泄露可能导致骚扰电话', treatment_plan: '传输前加密，合同约束境外接收方', conclusion: '在落实处置措施后可以开展',
};
const SOURCES = [
  { category: 'participants', description: '境外接收方安全能力不足', rights_impacts: ['reputation_distress', 'person_property'], likelihood: 3, impact: 3, mitigation: '签订标准合同并年度审计', residual_likelihood: 2, residual_impact: 3 },
  { category: 'network_environment', description: '传输链路被窃听', rights_impacts: ['person_property'], likelihood: 2, impact: 3, mitigation: '端到端加密', residual_likelihood: 1, residual_impact: 3 },
];

for (const kind of BACKENDS) {
  describe(`impact assessments on ${kind}`, () => {
    let h: Harness;
    let officer = '';
    let preparer = '';
    let id = '';
    beforeAll(async () => {
      h = await startHarness(kind);
      officer = await keyWith(h, 'pi_officer', ['assessments.approve', 'assessments.manage', 'risks.manage']);
      preparer = await keyWith(h, 'pia_preparer', ['assessments.manage']);
    });
    afterAll(async () => { await h?.close(); });

    const raw = async (url: string, key = h.key) => {
      const res = await h.server.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
      return { status: res.statusCode, headers: res.headers, body: res.rawPayload };
    };

    it('derives the triggers from the activity and blocks activation until an assessment is approved', async () => {
      const c = await h.api('POST', '/api/v1/assessments', { title: '会员积分出境评估', activity: 'membership_points', profile: { sensitive_pi: false, cross_border: true, provision_to_others: true } }, preparer);
      expect(c.status).toBe(201);
      expect(c.body).toMatchObject({ state: 'draft', triggers: ['provision_to_others', 'cross_border'], activity: 'membership_points' });
      id = c.body.id;
      const gate = await h.api('POST', '/api/v1/assessments/gate', { activity: 'membership_points', profile: { cross_border: true, provision_to_others: true } }, preparer);
      expect(gate.body).toMatchObject({ assessment_required: true, may_activate: false, approved_assessment: null });
      // The function the processing-activities register calls before activating an activity.
      const refused = await h.app.db.transaction((tx) => h.app.assessments.requireApproved(tx, h.tenant, 'membership_points', ['cross_border'])).catch((e) => e);
      expect(refused).toMatchObject({ status: 409, code: 'assessment.required' });
      expect(await h.app.db.transaction((tx) => h.app.assessments.requireApproved(tx, h.tenant, 'newsletter', []))).toBeNull();
    });

    it('refuses bad answers and scores naming the field', async () => {
      const a = await h.api('PATCH', `/api/v1/assessments/${id}`, { answers: { legal_basis: 'because' } }, preparer);
      expect(a.status).toBe(422);
      expect(a.body.errors[0].field).toBe('answers.legal_basis');
      const q = await h.api('PATCH', `/api/v1/assessments/${id}`, { answers: { no_such_question: 'x' } }, preparer);
      expect(q.body.errors[0].field).toBe('answers.no_such_question');
      const s = await h.api('PATCH', `/api/v1/assessments/${id}`, { risk_sources: [{ ...SOURCES[0], likelihood: 5 }] }, preparer);
      expect(s.status).toBe(422);
      expect(s.body.errors[0].field).toBe('risk_sources[0].likelihood');
      const unknown = await h.api('PATCH', `/api/v1/assessments/${id}`, { colour: 'red' }, preparer);
      expect(unknown.status).toBe(400);
    });

    it('will not submit an incomplete questionnaire, and lists what is missing', async () => {
      await h.api('PATCH', `/api/v1/assessments/${id}`, { answers: { purpose: '积分' } }, preparer);
      const s = await h.api('POST', `/api/v1/assessments/${id}/submit`, undefined, preparer);
      expect(s.status).toBe(422);
      expect(s.body.code).toBe('assessment.incomplete');
      const fields = s.body.errors.map((e: any) => e.field);
      expect(fields).toContain('answers.necessity');
      expect(fields).toContain('risk_sources');
      const high = await h.api('PATCH', `/api/v1/assessments/${id}`, { answers: COMPLETE_ANSWERS, risk_sources: [{ ...SOURCES[0], mitigation: undefined }] }, preparer);
      expect(high.body.risk_sources[0]).toMatchObject({ score: 9, level: 'high' });
      const s2 = await h.api('POST', `/api/v1/assessments/${id}/submit`, undefined, preparer);
      expect(s2.body.errors.map((e: any) => e.field)).toEqual(['risk_sources[0].mitigation']);
    });

    it('scores on the matrix, needs the officer to approve, and an explicit acceptance of residual risk above acceptable', async () => {
      const u = await h.api('PATCH', `/api/v1/assessments/${id}`, { risk_sources: SOURCES }, preparer);
      expect(u.status).toBe(200);
      expect(u.body).toMatchObject({ overall_level: 'high', residual_level: 'medium', residual_acceptable: false });
      expect((await h.api('POST', `/api/v1/assessments/${id}/submit`, undefined, preparer)).body.state).toBe('submitted');
      expect((await h.api('PATCH', `/api/v1/assessments/${id}`, { answers: { purpose: 'x' } }, preparer)).status).toBe(409);
      const notOfficer = await h.api('POST', `/api/v1/assessments/${id}/decision`, { decision: 'approve', note: '同意' }, preparer);
      expect(notOfficer.status).toBe(403);
      const residual = await h.api('POST', `/api/v1/assessments/${id}/decision`, { decision: 'approve', note: '同意' }, officer);
      expect(residual.status).toBe(409);
      expect(residual.body.code).toBe('assessment.residual_risk');
      const ok = await h.api('POST', `/api/v1/assessments/${id}/decision`, { decision: 'approve', note: '同意开展，残余风险可接受', accept_residual: true }, officer);
      expect(ok.status).toBe(200);
      expect(ok.body.state).toBe('approved');
      // Only the source whose residual risk stays above acceptable goes on the register (the other is low after mitigation).
      expect(ok.body.registered_risks).toHaveLength(1);
      const day = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
      expect(ok.body.locked_until).toBe(`${Number(day.slice(0, 4)) + 3}${day.slice(4)}`.replace(/-02-29$/, '-02-28'));
      expect(ok.body.deletable).toBe(false);
      const risks = await h.api('GET', `/api/v1/risks?assessment_id=${id}`, undefined, officer);
      expect(risks.body.risks).toHaveLength(1);
      expect(risks.body.risks[0]).toMatchObject({ source: 'assessment', treatment: 'accept', likelihood: 2, impact: 3, level: 'medium' });
    });

    it('lets the activity be activated once approved, but not with a new trigger', async () => {
      const gate = await h.api('POST', '/api/v1/assessments/gate', { activity: 'membership_points', triggers: ['cross_border'] }, preparer);
      expect(gate.body).toMatchObject({ may_activate: true, approved_assessment: id });
      expect(await h.app.db.transaction((tx) => h.app.assessments.requireApproved(tx, h.tenant, 'membership_points', ['cross_border', 'provision_to_others']))).toEqual({ assessment_id: id });
      const more = await h.api('POST', '/api/v1/assessments/gate', { activity: 'membership_points', triggers: ['cross_border', 'sensitive_pi'] }, preparer);
      expect(more.body.may_activate).toBe(false);
      // Opening for the new trigger creates one draft, and the same draft the second time.
      const actor = { type: 'system' as const, id: 'activities', tenantId: h.tenant, roles: [] };
      const d1 = await h.app.db.transaction((tx) => h.app.assessments.openForActivity(tx, actor, { activity: 'membership_points', triggers: ['cross_border', 'sensitive_pi'] }));
      const d2 = await h.app.db.transaction((tx) => h.app.assessments.openForActivity(tx, actor, { activity: 'membership_points', triggers: ['sensitive_pi'] }));
      expect(d1).toMatch(/^pia_/);
      expect(d2).toBe(d1);
      expect(await h.app.db.transaction((tx) => h.app.assessments.openForActivity(tx, actor, { activity: 'membership_points', triggers: ['cross_border'] }))).toBeNull();
    });

    it('keeps an approved assessment frozen and undeletable for three years, and lets a draft go', async () => {
      const del = await h.api('DELETE', `/api/v1/assessments/${id}`, undefined, preparer);
      expect(del.status).toBe(409);
      expect(del.body.code).toBe('assessment.locked');
      const at = (days: number) => createAssessmentService({ db: h.app.db, audit: h.app.audit, access: h.app.access, risks: h.app.risks, clock: { now: () => new Date(Date.now() + days * 86_400_000) } });
      const actor = { type: 'api_key' as const, id: 'k', tenantId: h.tenant, roles: ['pia_preparer'] };
      const lock = (await h.api('GET', `/api/v1/assessments/${id}`, undefined, preparer)).body.locked_until as string;
      const daysToLock = Math.round((Date.parse(`${lock}T00:00:00+08:00`) - Date.now()) / 86_400_000);
      await expect(at(daysToLock - 2).remove(actor, id)).rejects.toMatchObject({ code: 'assessment.locked' });
      expect(await at(daysToLock + 1).remove(actor, id)).toEqual({ id, deleted: true });
      const d = await h.api('POST', '/api/v1/assessments', { title: '草稿', activity: 'x', triggers: [] }, preparer);
      expect((await h.api('DELETE', `/api/v1/assessments/${d.body.id}`, undefined, preparer)).status).toBe(200);
    });

    it('renders the report in Chinese as PDF and DOCX', async () => {
      const c = await h.api('POST', '/api/v1/assessments', { title: '人脸识别门禁评估', activity: 'face_access', triggers: ['sensitive_pi'] }, preparer);
      await h.api('PATCH', `/api/v1/assessments/${c.body.id}`, { answers: COMPLETE_ANSWERS, risk_sources: SOURCES }, preparer);
      const pdf = await raw(`/api/v1/assessments/${c.body.id}/report?format=pdf`, preparer);
      expect(pdf.status).toBe(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');
      const text = (await new PDFParse({ data: new Uint8Array(pdf.body) }).getText()).text.replace(/\s+/g, '');
      for (const heading of ['个人信息保护影响评估报告', '一、评估必要性分析', '四、风险源识别', '七、风险判定', '八、风险处置', '十、审批意见', '人脸识别门禁评估', '境外接收方安全能力不足', '处理敏感个人信息']) expect(text).toContain(heading);
      const docx = await raw(`/api/v1/assessments/${c.body.id}/report?format=docx`, preparer);
      expect(docx.status).toBe(200);
      const xml = await docxText(docx.body);
      for (const heading of ['个人信息保护影响评估报告', '三、数据映射分析', '传输链路被窃听']) expect(xml).toContain(heading);
      expect((await raw(`/api/v1/assessments/${c.body.id}/report?format=pdf`, await keyWith(h, 'nobody', []))).status).toBe(403);
    });

    it('audits every step without PI', async () => {
      const ev = await h.api('GET', '/api/v1/audit/events?limit=1000');
      const actions = ev.body.events.map((e: any) => e.action);
      for (const a of ['assessment.create', 'assessment.update', 'assessment.submit', 'assessment.approve', 'assessment.delete', 'assessment.report', 'risk.create']) expect(actions).toContain(a);
    });
  });
}
