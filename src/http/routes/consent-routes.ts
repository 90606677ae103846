import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Custodian } from '../../app.js';
import { ConsentInput, IdParam, Name, NoticeInput } from './schemas.js';

export function consentRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  const tags = ['consent'];
  const manage = (actor: Parameters<typeof app.access.requirePermission>[1]) => app.db.transaction((tx) => app.access.requirePermission(tx, actor, 'consents.manage'));
  r.post('/api/v1/notices', { schema: { tags, summary: '发布告知文本新版本 / Publish a notice version', body: NoticeInput } }, async (req, reply) => {
    await manage(req.actor);
    return reply.status(201).send(await app.consent.publishNotice(req.actor, req.body));
  });
  r.get('/api/v1/notices', { schema: { tags, summary: '列出告知文本版本 / List notice versions' } }, async (req) => ({ notices: await app.consent.listNotices(req.actor.tenantId) }));
  r.post('/api/v1/subjects/:id/consents', { schema: { tags, summary: '记录同意 / Record consent', params: z.strictObject({ id: IdParam }), body: ConsentInput } }, async (req, reply) => {
    await manage(req.actor);
    return reply.status(201).send(await app.consent.grant(req.actor, req.params.id, req.body));
  });
  r.get('/api/v1/subjects/:id/consents', { schema: { tags, summary: '某个人的同意 / Consents of a subject', params: z.strictObject({ id: IdParam }) } }, async (req) => {
    await manage(req.actor);
    return { consents: await app.consent.list(req.actor, req.params.id) };
  });
  r.delete('/api/v1/subjects/:id/consents/:purpose', { schema: { tags, summary: '撤回同意（立即生效） / Withdraw consent (effective at once)', params: z.strictObject({ id: IdParam, purpose: Name }) } }, async (req) => {
    await manage(req.actor);
    return app.consent.withdraw(req.actor, req.params.id, req.params.purpose);
  });
}
