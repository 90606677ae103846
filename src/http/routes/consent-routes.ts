import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Custodian } from '../../app.js';
import { NOTICE_SORT } from '../../consent/index.js';
import { Bool, ConsentInput, IdParam, Name, Paging, SearchText, Sorting } from './schemas.js';
import { ConsentQuery, ConsentSettings, NoticeDiffQuery, NoticeInput, NoticeName, NoticeVersionParams } from './consent-schemas.js';

const NoticeQuery = z.strictObject({ ...Paging, ...Sorting(NOTICE_SORT.columns), name: NoticeName.optional(), q: SearchText.optional(), language: z.string().max(200).regex(/^[A-Za-z-]{2,20}(,[A-Za-z-]{2,20})*$/, 'is a comma-separated list of language tags').transform((s) => s.split(',')).optional(), material_change: Bool.optional(), latest: Bool.optional() });
const bool = (v: 'true' | 'false' | undefined) => (v === undefined ? undefined : v === 'true');

export function consentRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  const tags = ['consent'];
  const manage = (actor: Parameters<typeof app.access.requirePermission>[1]) => app.db.transaction((tx) => app.access.requirePermission(tx, actor, 'consents.manage'));

  // Notices are public texts: any key of the tenant may read them (an application shows them at collection).
  r.post('/api/v1/notices', { schema: { tags, summary: '发布告知文本新版本（检查 PIPL 第17条等必备内容） / Publish a notice version (required sections checked)', body: NoticeInput } }, async (req, reply) => {
    return reply.status(201).send(await app.notices.publish(req.actor, req.body));
  });
  r.get('/api/v1/notices', { schema: { tags, summary: '列出告知文本版本及其声明的范围 / List notice versions and what each declares', querystring: NoticeQuery } }, async (req) => app.notices.list(req.actor.tenantId, req.query));
  r.get('/api/v1/notices/:name/versions/:version', { schema: { tags, summary: '某一版告知文本全文 / One notice version with its text', params: NoticeVersionParams } }, async (req) => app.notices.get(req.actor.tenantId, req.params.name, req.params.version));
  r.get('/api/v1/notices/:name/diff', { schema: { tags, summary: '两版告知文本的差异 / Differences between two versions', params: z.strictObject({ name: NoticeName }), querystring: NoticeDiffQuery } }, async (req) => app.notices.diff(req.actor.tenantId, req.params.name, req.query.from, req.query.to));
  r.get('/api/v1/consent-settings', { schema: { tags, summary: '告知与同意设置 / Notice and consent settings' } }, async (req) => app.notices.settings(req.actor));
  r.put('/api/v1/consent-settings', { schema: { tags, summary: '修改告知与同意设置 / Change notice and consent settings', body: ConsentSettings } }, async (req) => app.notices.updateSettings(req.actor, req.body));

  r.post('/api/v1/subjects/:id/consents', { schema: { tags, summary: '记录同意（未满14岁须监护人；敏感等须单独同意） / Record consent (guardian under 14; separate where required)', params: z.strictObject({ id: IdParam }), body: ConsentInput } }, async (req, reply) => {
    return reply.status(201).send(await app.consent.grant(req.actor, req.params.id, req.body));
  });
  r.get('/api/v1/subjects/:id/consents', { schema: { tags, summary: '某个人的同意 / Consents of a subject', params: z.strictObject({ id: IdParam }) } }, async (req) => {
    await manage(req.actor);
    return { consents: await app.consent.list(req.actor, req.params.id) };
  });
  r.get('/api/v1/subjects/:id/consent-events', { schema: { tags, summary: '某个人的同意与撤回记录 / Grant and withdrawal history of a subject', params: z.strictObject({ id: IdParam }) } }, async (req) => ({ events: await app.consent.events(req.actor, req.params.id) }));
  r.delete('/api/v1/subjects/:id/consents/:purpose', { schema: { tags, summary: '撤回同意（立即生效） / Withdraw consent (effective at once)', params: z.strictObject({ id: IdParam, purpose: Name }) } }, async (req) => {
    await manage(req.actor);
    return app.consent.withdraw(req.actor, req.params.id, req.params.purpose);
  });
  r.get('/api/v1/consents', { schema: { tags, summary: '检索同意（如待重新同意的个人） / Search consents (e.g. awaiting re-consent)', querystring: ConsentQuery } }, async (req) => {
    const q = req.query;
    return app.consent.search(req.actor, { ...q, needs_reconsent: bool(q.needs_reconsent), minor: bool(q.minor) });
  });
  r.get('/api/v1/consents/summary', { schema: { tags, summary: '按目的统计同意 / Consents per purpose' } }, async (req) => app.consent.summary(req.actor));
}
