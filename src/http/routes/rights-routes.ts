import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Custodian } from '../../app.js';
import { RELATIVE_ACTIONS, REQUEST_KINDS, REQUEST_SORT, REQUEST_STATES, VERIFICATION_METHODS } from '../../rights/index.js';
import { Day, IdParam, Name, Sorting } from './schemas.js';

const Requester = z.strictObject({ name: z.string().max(100).optional(), relationship: z.string().max(50).optional(), contact: z.string().max(200).optional() });
const CreateBody = z.strictObject({ subject_id: IdParam, kind: z.enum(REQUEST_KINDS), action: z.enum(RELATIVE_ACTIONS).optional(), requester: Requester.optional(), note: z.string().max(2000).optional() });
const FieldValues = z.record(z.string().max(63), z.union([z.string().max(4000), z.number(), z.boolean(), z.null()]));
const TransitionBody = z.strictObject({
  to: z.enum(['verifying', 'in_progress', 'completed', 'rejected']),
  verification: z.strictObject({ method: z.enum(VERIFICATION_METHODS), result: z.enum(['passed', 'failed']), note: z.string().max(500).optional() }).optional(),
  reason: z.string().max(2000).optional(),
  changes: z.array(z.strictObject({ collection: Name, record_id: IdParam, fields: FieldValues })).max(100).optional(),
  purposes: z.array(z.union([Name, z.literal('*')])).max(100).optional(),
  explanation: z.string().max(20_000).optional(),
});
const ListQuery = z.strictObject({
  state: z.enum(REQUEST_STATES).optional(), kind: z.enum(REQUEST_KINDS).optional(), subject_id: IdParam.optional(),
  overdue: z.enum(['true', 'false']).optional(), due_before: Day.optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(), offset: z.coerce.number().int().min(0).optional(), ...Sorting(REQUEST_SORT.columns),
});

export function rightsRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  const tags = ['rights'];
  const params = z.strictObject({ id: IdParam });
  r.post('/api/v1/requests', { schema: { tags, summary: '受理个人信息权利请求 / Receive a data-subject request', body: CreateBody } }, async (req, reply) => {
    return reply.status(201).send(await app.rights.create(req.actor, req.body));
  });
  r.get('/api/v1/requests', { schema: { tags, summary: '列出权利请求（可按状态、逾期、截止日筛选） / List requests', querystring: ListQuery } }, async (req) => {
    const q = req.query;
    return app.rights.list(req.actor, { ...q, overdue: q.overdue === undefined ? undefined : q.overdue === 'true' });
  });
  r.get('/api/v1/requests/:id', { schema: { tags, summary: '查看权利请求 / Get a request', params } }, async (req) => app.rights.get(req.actor, req.params.id));
  r.post('/api/v1/requests/:id/transitions', { schema: { tags, summary: '推进请求状态（核验身份、处理、完成、拒绝） / Move a request on', params, body: TransitionBody } }, async (req) => {
    return app.rights.transition(req.actor, req.params.id, req.body);
  });
  r.get('/api/v1/requests/:id/export', { schema: { tags, summary: '下载请求的导出（一次，限时） / Download the export (once, time-limited)', params, querystring: z.strictObject({ format: z.enum(['json', 'csv', 'xlsx']).default('json') }) } }, async (req, reply) => {
    const out = await app.rights.exportRequest(req.actor, req.params.id, req.query.format);
    return reply.header('content-type', out.contentType).header('content-disposition', `attachment; filename="${out.filename}"`).header('cache-control', 'no-store').send(out.body);
  });
  r.put('/api/v1/subjects/:id/instruction', { schema: { tags, summary: '记录本人对近亲属行使权利的安排（PIPL 第49条） / Record the instruction about next of kin', params, body: z.strictObject({ relatives: z.enum(['allow', 'deny']), note: z.string().max(2000).optional() }) } }, async (req) => {
    return app.rights.setInstruction(req.actor, req.params.id, req.body);
  });
}
