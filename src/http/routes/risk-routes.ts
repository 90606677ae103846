import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Custodian } from '../../app.js';
import { RISK_SORT, RISK_SOURCES, RISK_STATUSES, TREATMENTS } from '../../risks/index.js';
import { Day, IdParam, Sorting } from './schemas.js';

const Level = z.number().int().min(1).max(10);
const Text = (n: number) => z.string().min(1).max(n);
const CreateBody = z.strictObject({
  title: Text(200), description: z.string().max(4000).optional(), source: z.enum(RISK_SOURCES).optional(), assessment_id: IdParam.optional(), owner: Text(100), department: z.string().max(100).optional(),
  likelihood: Level, impact: Level, treatment: z.enum(TREATMENTS), treatment_plan: z.string().max(4000).optional(), due_date: Day.optional(), review_interval_days: z.number().int().min(1).max(3660).optional(),
});
const PatchBody = z.strictObject({
  title: Text(200).optional(), description: z.string().max(4000).optional(), owner: Text(100).optional(), department: z.string().max(100).optional(), likelihood: Level.optional(), impact: Level.optional(),
  treatment: z.enum(TREATMENTS).optional(), treatment_plan: z.string().max(4000).optional(), due_date: Day.optional(), review_interval_days: z.number().int().min(1).max(3660).optional(), status: z.enum(RISK_STATUSES).optional(),
});
const ReviewBody = z.strictObject({ note: z.string().max(4000).optional(), likelihood: Level.optional(), impact: Level.optional(), status: z.enum(RISK_STATUSES).optional() });
const ListQuery = z.strictObject({
  status: z.enum(RISK_STATUSES).optional(), level: z.string().max(31).optional(), likelihood: z.coerce.number().int().min(1).max(10).optional(), impact: z.coerce.number().int().min(1).max(10).optional(), owner: z.string().max(100).optional(), department: z.string().max(100).optional(),
  flagged: z.enum(['true', 'false']).optional(), assessment_id: IdParam.optional(), limit: z.coerce.number().int().min(1).max(200).optional(), offset: z.coerce.number().int().min(0).optional(),
  ...Sorting(RISK_SORT.columns),
});

export function riskRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  const tags = ['risks'];
  const params = z.strictObject({ id: IdParam });
  r.post('/api/v1/risks', { schema: { tags, summary: '登记风险 / Register a risk', body: CreateBody } }, async (req, reply) => reply.status(201).send(await app.risks.create(req.actor, req.body)));
  r.get('/api/v1/risks', { schema: { tags, summary: '风险台账 / The risk register', querystring: ListQuery } }, async (req) => app.risks.list(req.actor, { ...req.query, flagged: req.query.flagged === undefined ? undefined : req.query.flagged === 'true' }));
  r.get('/api/v1/risks/heatmap', { schema: { tags, summary: '风险热力图 / Heat map of open risks', querystring: z.strictObject({ department: z.string().max(100).optional() }) } }, async (req) => app.risks.heatmap(req.actor, req.query));
  r.get('/api/v1/risks/:id', { schema: { tags, summary: '查看风险 / Get a risk', params } }, async (req) => app.risks.get(req.actor, req.params.id));
  r.patch('/api/v1/risks/:id', { schema: { tags, summary: '更新风险 / Update a risk', params, body: PatchBody } }, async (req) => app.risks.update(req.actor, req.params.id, req.body));
  r.post('/api/v1/risks/:id/reviews', { schema: { tags, summary: '记录定期复核 / Record a review', params, body: ReviewBody } }, async (req, reply) => reply.status(201).send(await app.risks.review(req.actor, req.params.id, req.body)));
}
