import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Custodian } from '../../app.js';
import { COLLECTION_SORT } from '../../vault/index.js';
import { Bool, CollectionInput, IdParam, Name, Paging, ReadQuery, RecordsBody, SearchBody, SearchText, Sorting, UpdateBody } from './schemas.js';

const CollectionQuery = z.strictObject({ ...Paging, ...Sorting(COLLECTION_SORT.columns), q: SearchText.optional(), sensitive: Bool.optional() });

export function vaultRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  const tags = ['vault'];
  r.post('/api/v1/collections', { schema: { tags, summary: '定义集合 / Define a collection', body: CollectionInput } }, async (req, reply) => {
    const c = await app.db.transaction(async (tx) => {
      await app.access.requirePermission(tx, req.actor, 'collections.manage');
      const created = await app.collections.create(tx, req.actor.tenantId, req.body);
      await app.audit.record(tx, req.actor, [{ action: 'collection.create', decision: 'allow', collection: created.name, fields: created.fields.map((x) => x.name) }]);
      return created;
    });
    return reply.status(201).send({ name: c.name, title: c.title, fields: c.fields });
  });
  r.get('/api/v1/collections', { schema: { tags, summary: '列出集合（可分页、排序、筛选） / List collections (paged, sorted, filtered)', querystring: CollectionQuery } }, async (req) => {
    const page = await app.db.transaction((tx) => app.collections.page(tx, req.actor.tenantId, req.query));
    return { collections: page.collections.map((c) => ({ name: c.name, title: c.title, fields: c.fields })), total: page.total };
  });
  r.post('/api/v1/collections/:c/records', { schema: { tags, summary: '写入记录（单条或批量，全部成功或全部失败） / Write records, all or nothing', params: z.strictObject({ c: Name }), body: RecordsBody } }, async (req, reply) => {
    const body = req.body;
    if ('records' in body) {
      const out = await app.records.write(req.actor, req.params.c, body.records, true);
      return reply.status(201).send({ ids: out.ids, subject_ids: out.subjects });
    }
    const out = await app.records.write(req.actor, req.params.c, [body], false);
    return reply.status(201).send({ id: out.ids[0], subject_id: out.subjects[0] });
  });
  r.get('/api/v1/collections/:c/records/:id', { schema: { tags, summary: '按目的读取记录 / Read a record for a declared purpose', params: z.strictObject({ c: Name, id: IdParam }), querystring: ReadQuery } }, async (req) => {
    return app.records.read(req.actor, { collection: req.params.c, id: req.params.id, purpose: req.query.purpose, fields: req.query.fields?.split(',') });
  });
  r.post('/api/v1/collections/:c/search', { schema: { tags, summary: '按可检索字段精确查找 / Exact search on a searchable field', params: z.strictObject({ c: Name }), body: SearchBody } }, async (req) => {
    return app.records.search(req.actor, { collection: req.params.c, ...req.body });
  });
  r.patch('/api/v1/collections/:c/records/:id', { schema: { tags, summary: '更正记录 / Update fields of a record', params: z.strictObject({ c: Name, id: IdParam }), body: UpdateBody } }, async (req) => {
    return app.records.update(req.actor, req.params.c, req.params.id, req.body.fields);
  });
  r.delete('/api/v1/collections/:c/records/:id', { schema: { tags, summary: '删除记录（加密擦除） / Erase a record (crypto-shredding)', params: z.strictObject({ c: Name, id: IdParam }) } }, async (req) => {
    return app.records.erase(req.actor, req.params.c, req.params.id);
  });
  r.delete('/api/v1/subjects/:id', { schema: { tags, summary: '删除某个人的全部信息 / Erase everything held about a subject', params: z.strictObject({ id: IdParam }) } }, async (req) => {
    return app.records.eraseSubject(req.actor, req.params.id);
  });
}
