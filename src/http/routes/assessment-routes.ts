import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Custodian } from '../../app.js';
import { ASSESSMENT_SORT, ASSESSMENT_STATES, assessmentTriggers, RIGHTS_IMPACTS, RISK_SOURCE_CATEGORIES, TRIGGERS } from '../../assessments/index.js';
import { IdParam, Sorting } from './schemas.js';

const Activity = z.string().min(1).max(200);
const Profile = z.strictObject(Object.fromEntries(TRIGGERS.map((t) => [t, z.boolean().optional()])) as Record<(typeof TRIGGERS)[number], z.ZodOptional<z.ZodBoolean>>);
const CreateBody = z.strictObject({ title: z.string().min(1).max(200), activity: Activity, triggers: z.array(z.enum(TRIGGERS)).max(TRIGGERS.length).optional(), profile: Profile.optional() });
const Level = z.number().int().min(1).max(10);
const RiskSourceBody = z.strictObject({
  id: z.string().max(80).optional(), category: z.enum(RISK_SOURCE_CATEGORIES), description: z.string().min(1).max(2000), rights_impacts: z.array(z.enum(RIGHTS_IMPACTS)).max(4).optional(),
  likelihood: Level, impact: Level, existing_measures: z.string().max(4000).optional(), mitigation: z.string().max(4000).optional(),
  residual_likelihood: Level.optional(), residual_impact: Level.optional(), register: z.boolean().optional(), owner: z.string().max(100).optional(),
});
const Answer = z.union([z.string().max(20_000), z.number(), z.boolean(), z.array(z.string().max(100)).max(50), z.null()]);
const UpdateBody = z.strictObject({ title: z.string().min(1).max(200).optional(), answers: z.record(z.string().max(63), Answer).optional(), risk_sources: z.array(RiskSourceBody).max(100).optional() });
const DecisionBody = z.strictObject({ decision: z.enum(['approve', 'return', 'reject']), note: z.string().min(1).max(4000), accept_residual: z.boolean().optional() });
const ListQuery = z.strictObject({ state: z.enum(ASSESSMENT_STATES).optional(), activity: Activity.optional(), limit: z.coerce.number().int().min(1).max(200).optional(), offset: z.coerce.number().int().min(0).optional(), ...Sorting(ASSESSMENT_SORT.columns) });
const Scale = z.strictObject({ value: z.number().int().min(1).max(10), zh: z.string().min(1).max(20), en: z.string().min(1).max(40) });
export const MatrixBody = z.strictObject({
  likelihood: z.array(Scale).min(2).max(10), impact: z.array(Scale).min(2).max(10),
  levels: z.array(z.strictObject({ level: z.string().regex(/^[a-z][a-z0-9_]{0,30}$/), zh: z.string().min(1).max(20), en: z.string().min(1).max(40), min_score: z.number().int().min(1).max(100) })).min(2).max(8),
  acceptable_level: z.string().max(31), review_months: z.number().int().min(1).max(60),
});

export function assessmentRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  const tags = ['assessments'];
  const params = z.strictObject({ id: IdParam });
  r.get('/api/v1/assessments/questionnaire', { schema: { tags, summary: '评估问卷（GB/T 39335 步骤） / The guided questionnaire' } }, async (req) => app.assessments.questionnaire(req.actor));
  r.get('/api/v1/assessments/matrix', { schema: { tags, summary: '风险矩阵（可能性×影响） / The risk matrix' } }, async (req) => app.risks.getMatrix(req.actor));
  r.put('/api/v1/assessments/matrix', { schema: { tags, summary: '设置风险矩阵 / Configure the risk matrix', body: MatrixBody } }, async (req) => app.risks.setMatrix(req.actor, req.body));
  r.post('/api/v1/assessments/gate', { schema: { tags, summary: '处理活动能否启用（是否已有批准的评估） / May this activity be activated', body: z.strictObject({ activity: Activity, triggers: z.array(z.enum(TRIGGERS)).max(TRIGGERS.length).optional(), profile: Profile.optional() }) } }, async (req) => {
    return app.assessments.gate(req.actor, req.body.activity, [...(req.body.triggers ?? []), ...(req.body.profile ? assessmentTriggers(req.body.profile) : [])]);
  });
  r.post('/api/v1/assessments', { schema: { tags, summary: '发起个人信息保护影响评估 / Start an impact assessment', body: CreateBody } }, async (req, reply) => reply.status(201).send(await app.assessments.create(req.actor, req.body)));
  r.get('/api/v1/assessments', { schema: { tags, summary: '列出评估 / List assessments', querystring: ListQuery } }, async (req) => app.assessments.list(req.actor, req.query));
  r.get('/api/v1/assessments/:id', { schema: { tags, summary: '查看评估 / Get an assessment', params } }, async (req) => app.assessments.get(req.actor, req.params.id));
  r.patch('/api/v1/assessments/:id', { schema: { tags, summary: '填写问卷与风险源（仅草稿） / Fill in a draft', params, body: UpdateBody } }, async (req) => app.assessments.update(req.actor, req.params.id, req.body));
  r.post('/api/v1/assessments/:id/submit', { schema: { tags, summary: '提交审批 / Submit for approval', params } }, async (req) => app.assessments.submit(req.actor, req.params.id));
  r.post('/api/v1/assessments/:id/decision', { schema: { tags, summary: '个人信息保护负责人审批 / The PI protection officer decides', params, body: DecisionBody } }, async (req) => app.assessments.decide(req.actor, req.params.id, req.body));
  r.delete('/api/v1/assessments/:id', { schema: { tags, summary: '删除（草稿，或保存期满三年后） / Delete (drafts, or after the 3-year lock)', params } }, async (req) => app.assessments.remove(req.actor, req.params.id));
  r.get('/api/v1/assessments/:id/report', { schema: { tags, summary: '评估报告（PDF 或 DOCX，中文） / The report (PDF or DOCX, zh-CN)', params, querystring: z.strictObject({ format: z.enum(['pdf', 'docx']).default('pdf') }) } }, async (req, reply) => {
    const out = await app.assessments.report(req.actor, req.params.id, req.query.format);
    return reply.header('content-type', out.contentType).header('content-disposition', `attachment; filename="${out.filename}"`).header('cache-control', 'no-store').send(out.body);
  });
}
