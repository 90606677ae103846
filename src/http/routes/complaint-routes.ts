import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Custodian } from '../../app.js';
import { COMPLAINT_CATEGORIES, COMPLAINT_CHANNELS, COMPLAINT_KINDS, COMPLAINT_SORT, COMPLAINT_STATES, FEEDBACK } from '../../complaints/index.js';
import { Day, IdParam, Sorting } from './schemas.js';

const CreateBody = z.strictObject({
  kind: z.enum(COMPLAINT_KINDS), channel: z.enum(COMPLAINT_CHANNELS), category: z.enum(COMPLAINT_CATEGORIES), summary: z.string().min(1).max(200), description: z.string().min(1).max(20_000),
  anonymous: z.boolean().optional(), subject_id: IdParam.optional(), contact: z.string().min(1).max(200).optional(), assignee: z.string().min(1).max(100).optional(),
});
const ListQuery = z.strictObject({
  state: z.enum(COMPLAINT_STATES).optional(), kind: z.enum(COMPLAINT_KINDS).optional(), category: z.enum(COMPLAINT_CATEGORIES).optional(), channel: z.enum(COMPLAINT_CHANNELS).optional(),
  assignee: z.string().max(100).optional(), overdue: z.enum(['true', 'false']).optional(), limit: z.coerce.number().int().min(1).max(200).optional(), offset: z.coerce.number().int().min(0).optional(),
  ...Sorting(COMPLAINT_SORT.columns),
});

export function complaintRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  const tags = ['complaints'];
  const params = z.strictObject({ id: IdParam });
  r.post('/api/v1/complaints', { schema: { tags, summary: '受理投诉或举报（员工可匿名举报内部违规） / Receive a complaint or report', body: CreateBody } }, async (req, reply) => reply.status(201).send(await app.complaints.create(req.actor, req.body)));
  r.get('/api/v1/complaints', { schema: { tags, summary: '投诉与举报 / Complaints and reports', querystring: ListQuery } }, async (req) => app.complaints.list(req.actor, { ...req.query, overdue: req.query.overdue === undefined ? undefined : req.query.overdue === 'true' }));
  r.get('/api/v1/complaints/stats', { schema: { tags, summary: '统计 / Statistics', querystring: z.strictObject({ from: Day.optional(), to: Day.optional() }) } }, async (req) => app.complaints.stats(req.actor, req.query));
  r.put('/api/v1/complaints/sla', { schema: { tags, summary: '处理时限（工作日） / SLA in working days', body: z.strictObject({ working_days: z.number().int().min(1).max(60) }) } }, async (req) => app.complaints.setSla(req.actor, req.body.working_days));
  r.get('/api/v1/complaints/:id', { schema: { tags, summary: '查看（含往来记录） / Get with messages', params } }, async (req) => app.complaints.get(req.actor, req.params.id));
  r.patch('/api/v1/complaints/:id', { schema: { tags, summary: '分派、分类 / Assign or categorise', params, body: z.strictObject({ category: z.enum(COMPLAINT_CATEGORIES).optional(), assignee: z.string().min(1).max(100).nullable().optional(), state: z.literal('in_progress').optional() }) } }, async (req) => app.complaints.update(req.actor, req.params.id, req.body));
  r.post('/api/v1/complaints/:id/messages', { schema: { tags, summary: '答复、来信或内部备注 / Reply, inbound message or note', params, body: z.strictObject({ direction: z.enum(['inbound', 'outbound', 'note']), body: z.string().min(1).max(20_000) }) } }, async (req, reply) => reply.status(201).send(await app.complaints.addMessage(req.actor, req.params.id, req.body)));
  r.post('/api/v1/complaints/:id/close', { schema: { tags, summary: '关闭并记录处理结果与评价 / Close with resolution and feedback', params, body: z.strictObject({ resolution: z.string().min(1).max(4000), feedback: z.enum(FEEDBACK).optional(), feedback_note: z.string().max(2000).optional() }) } }, async (req) => app.complaints.close(req.actor, req.params.id, req.body));
  r.post('/api/v1/complaints/:id/feedback', { schema: { tags, summary: '记录投诉人评价 / Record the complainant\'s feedback', params, body: z.strictObject({ feedback: z.enum(FEEDBACK), feedback_note: z.string().max(2000).optional() }) } }, async (req) => app.complaints.feedback(req.actor, req.params.id, req.body));
}
