import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Custodian } from '../../app.js';
import type { ActivityInput as ActivityInputType } from '../../consent/index.js';
import { IdParam } from './schemas.js';
import { ActivityExportQuery, ActivityInput, ActivityPatch, ActivityQuery, RetireBody } from './consent-schemas.js';

/** The register of processing activities (处理活动记录). */
export function activitiesRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  const tags = ['activities'];
  const params = z.strictObject({ id: IdParam });
  r.post('/api/v1/activities', { schema: { tags, summary: '登记处理活动（草稿） / Register a processing activity (draft)', body: ActivityInput } }, async (req, reply) => {
    return reply.status(201).send(await app.activities.create(req.actor, req.body as ActivityInputType));
  });
  r.get('/api/v1/activities', { schema: { tags, summary: '列出处理活动 / List processing activities', querystring: ActivityQuery } }, async (req) => app.activities.list(req.actor, req.query));
  r.get('/api/v1/activities/export', { schema: { tags, summary: '导出处理活动记录（XLSX 或 JSON） / Export the register (XLSX or JSON)', querystring: ActivityExportQuery } }, async (req, reply) => {
    const out = await app.activities.exportRegister(req.actor, req.query);
    return reply.header('content-type', out.contentType).header('content-disposition', `attachment; filename="${out.filename}"`).header('cache-control', 'no-store').send(out.body);
  });
  r.get('/api/v1/activities/:id', { schema: { tags, summary: '查看处理活动 / Get a processing activity', params } }, async (req) => app.activities.get(req.actor, req.params.id));
  r.patch('/api/v1/activities/:id', { schema: { tags, summary: '修改处理活动（记录版本） / Revise a processing activity', params, body: ActivityPatch } }, async (req) => app.activities.update(req.actor, req.params.id, req.body as Partial<ActivityInputType> & { expected_revision?: number }));
  r.post('/api/v1/activities/:id/activate', { schema: { tags, summary: '生效（须内容完整；需影响评估的须评估通过） / Activate (complete; assessed when required)', params } }, async (req) => app.activities.activate(req.actor, req.params.id));
  r.post('/api/v1/activities/:id/retire', { schema: { tags, summary: '停止处理活动 / Retire a processing activity', params, body: RetireBody } }, async (req) => app.activities.retire(req.actor, req.params.id, req.body.reason));
  r.get('/api/v1/activities/:id/revisions', { schema: { tags, summary: '处理活动的修订记录 / Revisions of an activity', params } }, async (req) => app.activities.revisions(req.actor, req.params.id));
}
