import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Custodian } from '../../app.js';
import { API_KEY_SORT, LEGAL_BASES, PURPOSE_SORT, ROLE_SORT } from '../../access/index.js';
import { ApiKeyInput, Bool, IdParam, Name, OneOrMore, Paging, PurposeInput, PurposePatch, RoleInput, SearchText, Sorting } from './schemas.js';

const PurposeQuery = z.strictObject({ ...Paging, ...Sorting(PURPOSE_SORT.columns), legal_basis: OneOrMore(LEGAL_BASES).optional(), q: SearchText.optional() });
const RoleQuery = z.strictObject({ ...Paging, ...Sorting(ROLE_SORT.columns), q: SearchText.optional(), builtin: Bool.optional() });
const ApiKeyQuery = z.strictObject({ ...Paging, ...Sorting(API_KEY_SORT.columns), q: SearchText.optional(), state: OneOrMore(['active', 'revoked', 'expired'] as const).optional() });

export function accessRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  const tags = ['access'];
  r.post('/api/v1/purposes', { schema: { tags, summary: '登记处理目的及合法性基础 / Register a purpose with its legal basis', body: PurposeInput } }, async (req, reply) => {
    const p = await app.db.transaction(async (tx) => {
      await app.access.requirePermission(tx, req.actor, 'purposes.manage');
      const out = await app.access.createPurpose(tx, req.actor.tenantId, req.body);
      await app.audit.record(tx, req.actor, [{ action: 'purpose.create', decision: 'allow', purpose: out.name, details: { legal_basis: out.legal_basis } }]);
      return out;
    });
    return reply.status(201).send(p);
  });
  r.patch('/api/v1/purposes/:name', { schema: { tags, summary: '修改处理目的（如重新同意时阻止或提醒） / Change a purpose (e.g. block or warn on pending re-consent)', params: z.strictObject({ name: Name }), body: PurposePatch } }, async (req) => {
    return app.db.transaction(async (tx) => {
      await app.access.requirePermission(tx, req.actor, 'purposes.manage');
      const out = await app.access.updatePurpose(tx, req.actor.tenantId, req.params.name, req.body);
      if (out.changed.length) await app.audit.record(tx, req.actor, [{ action: 'purpose.update', decision: 'allow', purpose: out.purpose.name, details: { changed: out.changed } }]);
      return out.purpose;
    });
  });
  r.get('/api/v1/purposes', { schema: { tags, summary: '列出处理目的（可分页、排序、筛选） / List purposes (paged, sorted, filtered)', querystring: PurposeQuery } }, async (req) => app.db.transaction((tx) => app.access.pagePurposes(tx, req.actor.tenantId, req.query)));
  r.post('/api/v1/roles', { schema: { tags, summary: '定义角色与授权 / Define a role and its grants', body: RoleInput } }, async (req, reply) => {
    const role = await app.db.transaction(async (tx) => {
      await app.access.requirePermission(tx, req.actor, 'roles.manage');
      const out = await app.access.createRole(tx, req.actor.tenantId, req.body);
      await app.audit.record(tx, req.actor, [{ action: 'role.create', decision: 'allow', details: { role: out.name, grants: out.grants.length } }]);
      return out;
    });
    return reply.status(201).send(role);
  });
  r.get('/api/v1/roles', { schema: { tags, summary: '列出角色（可分页、排序、筛选） / List roles (paged, sorted, filtered)', querystring: RoleQuery } }, async (req) => app.db.transaction(async (tx) => { await app.access.requirePermission(tx, req.actor, 'roles.manage'); return app.access.pageRoles(tx, req.actor.tenantId, req.query); }));
  r.post('/api/v1/api-keys', { schema: { tags, summary: '创建应用 API 密钥（只显示一次） / Create an API key (shown once)', body: ApiKeyInput } }, async (req, reply) => {
    const key = await app.db.transaction(async (tx) => {
      await app.access.requirePermission(tx, req.actor, 'keys.manage');
      const out = await app.access.createApiKey(tx, req.actor.tenantId, req.body);
      await app.audit.record(tx, req.actor, [{ action: 'api_key.create', decision: 'allow', details: { key_id: out.id, roles: out.roles } }]);
      return out;
    });
    return reply.status(201).send(key);
  });
  r.get('/api/v1/api-keys', { schema: { tags, summary: '列出 API 密钥（不含密钥本身；可分页、排序、筛选） / List API keys (paged, sorted, filtered)', querystring: ApiKeyQuery } }, async (req) => app.db.transaction(async (tx) => { await app.access.requirePermission(tx, req.actor, 'keys.manage'); return app.access.listApiKeys(tx, req.actor.tenantId, req.query); }));
  r.delete('/api/v1/api-keys/:id', { schema: { tags, summary: '吊销 API 密钥 / Revoke an API key', params: z.strictObject({ id: IdParam }) } }, async (req) => {
    await app.db.transaction(async (tx) => {
      await app.access.requirePermission(tx, req.actor, 'keys.manage');
      await app.access.revokeApiKey(tx, req.actor.tenantId, req.params.id);
      await app.audit.record(tx, req.actor, [{ action: 'api_key.revoke', decision: 'allow', details: { key_id: req.params.id } }]);
    });
    return { id: req.params.id, revoked: true };
  });
  r.post('/api/v1/keys/rotate', { schema: { tags: ['keys'], summary: '轮换租户密钥（只重新包装数据密钥） / Rotate the tenant key (re-wraps data keys only)' } }, async (req) => {
    await app.db.transaction((tx) => app.access.requirePermission(tx, req.actor, 'keys.manage'));
    const out = await app.keys.rotate(app.db, req.actor.tenantId);
    await app.db.transaction((tx) => app.audit.record(tx, req.actor, [{ action: 'keys.rotate', decision: 'allow', details: out }]));
    return { kek_version: out.version, rewrapped: out.rewrapped };
  });
}
