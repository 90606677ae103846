/**
 * Issue 11 routes: compliance audits (/api/v1/compliance-audits), settings, reports (/api/v1/reports),
 * the doctor (/api/v1/doctor), external auditors (/api/v1/auditors), privacy-preserving analytics
 * (/api/v1/analytics). Public, no authentication: the transparency page (/transparency/{tenant}).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Custodian } from '../../app.js';
import { forbidden } from '../../core/errors.js';
import { LEDGER_SORT } from '../../deidentify/index.js';
import { ACCOUNTABILITY_SORT, COMPLIANCE_AUDIT_SORT, CONTENT_TYPES, REPORT_SORT, renderDoc, renderTransparencyHtml, type Doc, type DocFormat } from '../../compliance/index.js';
import { Bool, Day, IdParam, Name, Sorting } from './schemas.js';

const Text = (max: number) => z.string().trim().min(1).max(max);
const Page = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).optional(), offset: z.coerce.number().int().min(0).optional() });
const Format = z.strictObject({ format: z.enum(['json', 'xlsx', 'docx', 'pdf']).optional() });
const Contact = z.strictObject({ name: Text(200), contact: Text(500), address: z.string().max(500).optional(), email: z.email().optional(), phone: z.string().max(50).optional() });

async function sendDoc(reply: FastifyReply, doc: Doc, format: DocFormat, name: string) {
  const body = await renderDoc(doc, format);
  return reply.type(CONTENT_TYPES[format]).header('content-disposition', `attachment; filename="${name}.${format}"`).send(body);
}

export function complianceRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  const tags = ['compliance'];
  const params = z.strictObject({ id: IdParam });

  // Settings used by the transparency page, the officer check and the audit calendar.
  r.get('/api/v1/compliance/settings', { schema: { tags, summary: '合规设置（处理者、负责人、未成年人） / Compliance settings' } }, async (req) => app.complianceAudits.getSettings(req.actor));
  r.put('/api/v1/compliance/settings', { schema: { tags, summary: '更新合规设置 / Update compliance settings', body: z.strictObject({ handler: Contact.optional(), officer: Contact.optional(), minors: z.boolean().optional() }) } }, async (req) => app.complianceAudits.putSettings(req.actor, req.body as never));
  r.get('/api/v1/compliance/checklist', { schema: { tags, summary: '检查清单（对应 PIPL 条款） / The checklist mapped to PIPL articles' } }, async (req) => {
    await app.db.transaction((tx) => app.access.requirePermission(tx, req.actor, 'compliance.read'));
    return { items: app.complianceAudits.checklist() };
  });

  r.get('/api/v1/compliance-audits/calendar', { schema: { tags, summary: '审计日历（按个人数量与未成年人规则） / Audit calendar' } }, async (req) => app.complianceAudits.calendar(req.actor));
  r.post('/api/v1/compliance-audits', { schema: { tags, summary: '开始一次合规审计（自动收集证据） / Start a compliance audit (evidence collected)', body: z.strictObject({ title: Text(200), kind: z.enum(['internal', 'external']), firm: z.string().trim().max(200).optional(), period_from: Day, period_to: Day }) } },
    async (req, reply) => reply.status(201).send(await app.complianceAudits.create(req.actor, req.body)));
  r.get('/api/v1/compliance-audits', { schema: { tags, summary: '合规审计列表 / Compliance audits', querystring: Page.extend({ state: z.enum(['open', 'completed']).optional(), kind: z.enum(['internal', 'external']).optional(), ...Sorting(COMPLIANCE_AUDIT_SORT.columns) }) } }, async (req) => app.complianceAudits.list(req.actor, req.query));
  r.get('/api/v1/compliance-audits/:id', { schema: { tags, summary: '审计详情与证据 / An audit with its evidence', params } }, async (req) => app.complianceAudits.get(req.actor, req.params.id));
  r.post('/api/v1/compliance-audits/:id/collect', { schema: { tags, summary: '重新收集自动证据 / Collect the automatic evidence again', params } }, async (req) => app.complianceAudits.collect(req.actor, req.params.id));
  r.put('/api/v1/compliance-audits/:id/items/:key', { schema: { tags, summary: '回答人工检查项或添加备注 / Answer a manual item or add a note', params: z.strictObject({ id: IdParam, key: Name }), body: z.strictObject({ status: z.enum(['pass', 'warn', 'fail', 'not_applicable']).optional(), note: z.string().max(4000).optional() }) } },
    async (req) => app.complianceAudits.answer(req.actor, req.params.id, req.params.key, req.body));
  r.post('/api/v1/compliance-audits/:id/items/:key/attachments', { schema: { tags, summary: '上传证据附件（Base64，≤10 MiB） / Attach evidence (base64, at most 10 MiB)', params: z.strictObject({ id: IdParam, key: Name }), body: z.strictObject({ filename: Text(200), content_type: Text(100), content_base64: z.string().min(1).max(15_000_000) }) } },
    async (req, reply) => reply.status(201).send(await app.complianceAudits.addAttachment(req.actor, req.params.id, req.params.key, req.body)));
  r.get('/api/v1/compliance-audits/:id/attachments/:attachment', { schema: { tags, summary: '下载证据附件 / Download an attachment', params: z.strictObject({ id: IdParam, attachment: IdParam }) } }, async (req, reply) => {
    const a = await app.complianceAudits.attachment(req.actor, req.params.id, req.params.attachment);
    return reply.type(a.content_type).header('content-disposition', `attachment; filename="${encodeURIComponent(a.filename)}"`).header('x-content-type-options', 'nosniff').send(a.data);
  });
  r.post('/api/v1/compliance-audits/:id/complete', { schema: { tags, summary: '完成审计（证据冻结） / Complete the audit (evidence frozen)', params, body: z.strictObject({ conclusion: z.string().max(8000).optional() }) } }, async (req) => app.complianceAudits.complete(req.actor, req.params.id, req.body));
  r.get('/api/v1/compliance-audits/:id/report', { schema: { tags, summary: '审计报告（XLSX/DOCX/PDF） / Audit report (XLSX, DOCX, PDF)', params, querystring: Format } }, async (req, reply) => {
    const format = req.query.format ?? 'xlsx';
    if (format === 'json') return app.complianceAudits.get(req.actor, req.params.id);
    return sendDoc(reply, await app.complianceAudits.reportDoc(req.actor, req.params.id, format), format, `compliance-audit-${req.params.id}`);
  });

  // Training courses with a quiz (feeds the access gate) and accountability records
  const Quiz = z.array(z.strictObject({ question: Text(500), options: z.array(Text(300)).min(2).max(8), answer: z.number().int().min(0) })).min(1).max(50);
  r.post('/api/v1/trainings/courses', { schema: { tags: ['training'], summary: '新建培训课程（含测验，按角色分配） / Create a course with a quiz, assigned by role', body: z.strictObject({ title: Text(200), content: Text(100_000), quiz: Quiz, pass_score: z.number().int().min(1).max(100), validity_days: z.number().int().min(1).max(3650), roles: z.array(Name).min(1).max(50) }) } },
    async (req, reply) => reply.status(201).send(await app.training.createCourse(req.actor, req.body)));
  r.get('/api/v1/trainings/courses', { schema: { tags: ['training'], summary: '课程（员工看到分配给自己的） / Courses (staff see their own)' } }, async (req) => app.training.listCourses(req.actor));
  r.get('/api/v1/trainings/courses/:id', { schema: { tags: ['training'], summary: '课程内容与测验题 / Course content and questions', params } }, async (req) => app.training.getCourse(req.actor, req.params.id));
  r.post('/api/v1/trainings/courses/:id/attempts', { schema: { tags: ['training'], summary: '参加测验（通过即记录培训） / Take the quiz (a pass records the training)', params, body: z.strictObject({ answers: z.array(z.number().int().min(0)).max(50) }) } },
    async (req, reply) => reply.status(201).send(await app.training.attempt(req.actor, req.params.id, req.body.answers)));
  r.get('/api/v1/trainings/coverage', { schema: { tags: ['training'], summary: '培训覆盖与到期 / Coverage and what is due' } }, async (req) => app.training.coverage(req.actor));
  r.post('/api/v1/accountability', { schema: { tags: ['training'], summary: '记录违规与处理措施（奖惩、责任追究） / Record a violation and the measure taken', body: z.strictObject({ staff_id: IdParam, source: z.enum(['incident', 'audit', 'other']), source_ref: z.string().max(100).optional(), description: Text(4000), measure: z.enum(['warning', 'retraining', 'access_suspended', 'disciplinary', 'reward', 'other']), measure_detail: z.string().max(2000).optional() }) } },
    async (req, reply) => reply.status(201).send(await app.training.recordViolation(req.actor, req.body)));
  r.get('/api/v1/accountability', { schema: { tags: ['training'], summary: '责任追究记录 / Accountability records', querystring: Page.extend({ staff_id: IdParam.optional(), measure: z.string().max(40).optional(), source: z.enum(['incident', 'audit', 'other']).optional(), ...Sorting(ACCOUNTABILITY_SORT.columns) }) } }, async (req) => app.training.listViolations(req.actor, req.query));

  // Reports
  r.post('/api/v1/reports', { schema: { tags: ['reports'], summary: '生成管理层报告 / Generate a management report', body: z.strictObject({ kind: z.literal('management'), from: Day, to: Day }) } }, async (req, reply) => reply.status(201).send(await app.reports.generateManagement(req.actor, req.body)));
  r.get('/api/v1/reports', { schema: { tags: ['reports'], summary: '报告列表 / Reports', querystring: Page.extend({ kind: z.enum(['management', 'transparency']).optional(), published: Bool.optional(), ...Sorting(REPORT_SORT.columns) }) } }, async (req) => app.reports.list(req.actor, req.query));
  r.post('/api/v1/reports/transparency', { schema: { tags: ['reports'], summary: '生成并公开透明度页面 / Build and publish the transparency page', body: z.strictObject({ intro_zh: z.string().max(4000).optional(), intro_en: z.string().max(4000).optional(), rights_channel: z.string().max(500).optional() }) } },
    async (req, reply) => reply.status(201).send(await app.reports.publishTransparency(req.actor, req.body)));
  r.get('/api/v1/reports/:id', { schema: { tags: ['reports'], summary: '报告（JSON/XLSX/DOCX/PDF） / A report', params, querystring: Format } }, async (req, reply) => {
    const format = req.query.format ?? 'json';
    if (format === 'json') return app.reports.get(req.actor, req.params.id);
    return sendDoc(reply, await app.reports.reportDoc(req.actor, req.params.id, format), format, `report-${req.params.id}`);
  });

  // Doctor: the dashboard's view of `custodian doctor` (this tenant's store checks; the local command sees every tenant).
  r.get('/api/v1/doctor', { schema: { tags: ['doctor'], summary: '安全自检 / Security self-check', querystring: z.strictObject({ dependencies: z.enum(['true', 'false']).optional() }) } }, async (req) => {
    await app.db.transaction((tx) => app.access.requirePermission(tx, req.actor, 'compliance.read'));
    return app.doctor.run({ tenantId: req.actor.type === 'cli' ? undefined : req.actor.tenantId, offline: req.query.dependencies !== 'true' });
  });

  // External auditors
  r.post('/api/v1/auditors', { schema: { tags: ['auditors'], summary: '为外部审计人员签发限期只读密钥 / Issue a time-limited read-only key to an external auditor', body: z.strictObject({ firm: Text(200), auditor_name: Text(100), expires_at: z.iso.datetime() }) } },
    async (req, reply) => reply.status(201).send(await app.auditors.grant(req.actor, req.body)));
  r.get('/api/v1/auditors', { schema: { tags: ['auditors'], summary: '外部审计授权 / Auditor engagements' } }, async (req) => ({ engagements: await app.auditors.list(req.actor) }));
  r.post('/api/v1/auditors/:id/revoke', { schema: { tags: ['auditors'], summary: '撤销外部审计授权 / Revoke an engagement', params } }, async (req) => app.auditors.revoke(req.actor, req.params.id));

  // Privacy-preserving analytics
  r.get('/api/v1/analytics/budget', { schema: { tags: ['analytics'], summary: '隐私预算与消耗台账 / Privacy budget and its ledger', querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).optional(), offset: z.coerce.number().int().min(0).optional(), actor_id: z.string().max(80).optional(), ...Sorting(LEDGER_SORT.columns) }) } }, async (req) => app.analytics.budget(req.actor, req.query));
  r.put('/api/v1/analytics/budget', { schema: { tags: ['analytics'], summary: '设定隐私预算（ε 总额） / Set the privacy budget (total epsilon)', body: z.strictObject({ epsilon_total: z.number().positive().max(1000) }) } }, async (req) => app.analytics.setBudget(req.actor, req.body.epsilon_total));
  r.post('/api/v1/analytics/dp', { schema: { tags: ['analytics'], summary: '差分隐私计数/直方图 / Differentially private count or histogram', body: z.strictObject({ collection: Name, purpose: Name, kind: z.enum(['count', 'histogram']), field: Name.optional(), bins: z.array(z.number()).min(1).max(100).optional(), epsilon: z.number().positive().max(10), label: Text(200) }) } },
    async (req) => app.analytics.query(req.actor, req.body));
  const Big = z.string().regex(/^\d{1,2500}$/, 'is a decimal integer');
  r.post('/api/v1/analytics/paillier/keys', { schema: { tags: ['analytics'], summary: '生成 Paillier 同态加密密钥 / Create a Paillier key', body: z.strictObject({ bits: z.union([z.literal(2048), z.literal(3072), z.literal(4096)]).optional() }) } },
    async (req, reply) => reply.status(201).send(await app.paillier.createKey(req.actor, req.body)));
  r.post('/api/v1/analytics/paillier/encrypt', { schema: { tags: ['analytics'], summary: '把数值字段加密给合作方求和 / Encrypt a numeric field for a partner to sum', body: z.strictObject({ key_id: IdParam, collection: Name, field: Name, purpose: Name, scale: z.number().int().min(1).max(1_000_000).optional() }) } },
    async (req) => app.paillier.encryptField(req.actor, req.body));
  r.post('/api/v1/analytics/paillier/decrypt-sum', { schema: { tags: ['analytics'], summary: '解密合作方返回的密文总和 / Decrypt the encrypted total a partner returns', body: z.strictObject({ key_id: IdParam, ciphertext: Big, count: z.number().int().min(1), scale: z.number().int().min(1).max(1_000_000).optional() }) } },
    async (req) => app.paillier.decryptSum(req.actor, req.body));
}

/** Read-only and audited: applied to every /api request of an external auditor. */
export function auditorGuard(app: Custodian) {
  return async (req: Parameters<Parameters<FastifyInstance['addHook']>[1]>[0]) => {
    const actor = (req as { actor?: Parameters<typeof app.auditors.isAuditor>[0] }).actor;
    if (!actor || !app.auditors.isAuditor(actor)) return;
    const route = (req as { routeOptions?: { url?: string } }).routeOptions?.url ?? '';
    const method = (req as { method: string }).method;
    const url = (req as { url: string }).url;
    if (method !== 'GET' && method !== 'HEAD' && route !== '/api/v1/auth/logout') {
      await app.auditors.recordOpen(actor, { method, route, url, refused: 'auditor_read_only' });
      throw forbidden('auditor.read_only', '外部审计人员只能查看，不能修改', 'An external auditor may only read, not change anything');
    }
    await app.auditors.recordOpen(actor, { method, route, url });
  };
}

/** Public (no authentication): the latest published transparency page of a tenant, as HTML or JSON. */
export function transparencyRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  r.get('/transparency/:tenant', { schema: { tags: ['reports'], summary: '公开透明度页面（无需认证） / Public transparency page (no authentication)', params: z.strictObject({ tenant: IdParam }), querystring: z.strictObject({ format: z.enum(['html', 'json']).optional() }) } }, async (req, reply) => {
    const page = await app.reports.publicTransparency(req.params.tenant);
    if (req.query.format === 'json') return page;
    return reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'").send(renderTransparencyHtml(page));
  });
}
