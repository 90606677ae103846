import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Custodian } from '../../app.js';
import { IdParam, Name } from './schemas.js';

const RuleBody = z.strictObject({ name: Name, collection: Name, field: Name.optional(), purpose: Name.optional(), period_days: z.number().int().min(0).max(36_500), anchor: z.enum(['created', 'updated', 'consent_withdrawn']) });
const HoldBody = z.strictObject({ subject_id: IdParam.optional(), collection: Name.optional(), reason: z.string().min(1).max(2000) });

export function retentionRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  const tags = ['retention'];
  const params = z.strictObject({ id: IdParam });
  r.post('/api/v1/retention/rules', { schema: { tags, summary: '新增保存期限规则 / Add a retention rule', body: RuleBody } }, async (req, reply) => reply.status(201).send(await app.retention.createRule(req.actor, req.body)));
  r.get('/api/v1/retention/rules', { schema: { tags, summary: '列出保存期限规则 / List retention rules' } }, async (req) => ({ rules: await app.retention.listRules(req.actor) }));
  r.delete('/api/v1/retention/rules/:id', { schema: { tags, summary: '停用规则 / Disable a rule', params } }, async (req) => app.retention.disableRule(req.actor, req.params.id));
  r.post('/api/v1/retention/run', { schema: { tags, summary: '立即执行到期删除 / Run the retention sweep now' } }, async (req) => app.retention.runNow(req.actor));
  r.get('/api/v1/retention/runs', { schema: { tags, summary: '到期删除的执行记录 / What the sweeps did', querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).optional() }) } }, async (req) => ({ runs: await app.retention.listRuns(req.actor, req.query.limit) }));
  r.post('/api/v1/legal-holds', { schema: { tags, summary: '设置法律保全（暂停删除） / Place a legal hold', body: HoldBody } }, async (req, reply) => reply.status(201).send(await app.retention.createHold(req.actor, req.body)));
  r.get('/api/v1/legal-holds', { schema: { tags, summary: '列出法律保全 / List legal holds', querystring: z.strictObject({ all: z.enum(['true', 'false']).optional() }) } }, async (req) => ({ holds: await app.retention.listHolds(req.actor, req.query.all === 'true') }));
  r.post('/api/v1/legal-holds/:id/release', { schema: { tags, summary: '解除法律保全 / Release a hold', params } }, async (req) => app.retention.releaseHold(req.actor, req.params.id));
}
