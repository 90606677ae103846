/**
 * External assessment (第三方评估): a time-limited, read-only identity for an outside auditor. It holds
 * the built-in `external_auditor` role (permissions `audit.read` and `compliance.read`, no grant on any
 * field, so no PI value is ever readable) through an API key that expires. The HTTP layer refuses any
 * change it attempts and every request it makes is written to the audit log (recordOpen).
 */
import type { Db } from '../db/connection.js';
import { invalidField, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';

export const AUDITOR_ROLE = 'external_auditor';
/** The longest engagement a key is issued for (configurable by issuing a new one). */
export const MAX_ENGAGEMENT_DAYS = 180;

export interface GrantAuditorInput { firm: string; auditor_name: string; expires_at: string }

export function createAuditorService(deps: { db: Db; audit: Pick<AuditService, 'record'>; access: Pick<AccessService, 'requirePermission' | 'createApiKey' | 'revokeApiKey'>; clock: Clock }) {
  const { db, audit, access, clock } = deps;
  return {
    isAuditor: (actor: Actor) => actor.roles.includes(AUDITOR_ROLE),

    async grant(actor: Actor, input: GrantAuditorInput) {
      const expires = new Date(input.expires_at);
      const now = clock.now();
      if (!(expires > now)) throw invalidField('expires_at', '必须在将来', 'must be in the future');
      if (expires.getTime() - now.getTime() > MAX_ENGAGEMENT_DAYS * 86_400_000) throw invalidField('expires_at', `不能超过 ${MAX_ENGAGEMENT_DAYS} 天`, `must be within ${MAX_ENGAGEMENT_DAYS} days`);
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'compliance.manage');
        await tx.insertInto('roles').values({ tenant_id: actor.tenantId, name: AUDITOR_ROLE, title: '外部审计人员（只读，无个人信息） / External auditor (read-only, no PI)', builtin: true, grants: JSON.stringify([]), permissions: JSON.stringify(['audit.read', 'compliance.read']) })
          .onConflict((oc) => oc.doNothing()).execute();
        const key = await access.createApiKey(tx, actor.tenantId, { name: `auditor: ${input.firm} / ${input.auditor_name}`.slice(0, 100), roles: [AUDITOR_ROLE], expires_at: expires.toISOString() });
        const id = newId('aud');
        await tx.insertInto('auditor_engagements').values({ tenant_id: actor.tenantId, id, firm: input.firm, auditor_name: input.auditor_name, api_key_id: key.id, expires_at: expires, created_by: actor.id }).execute();
        await audit.record(tx, actor, [{ action: 'auditor.grant', decision: 'allow', details: { engagement_id: id, firm: input.firm, api_key_id: key.id, expires_at: expires.toISOString() } }]);
        return { id, firm: input.firm, auditor_name: input.auditor_name, expires_at: expires.toISOString(), api_key_id: key.id, api_key: key.api_key };
      });
    },

    async list(actor: Actor) {
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'compliance.read');
        const rows = await tx.selectFrom('auditor_engagements').select(['id', 'firm', 'auditor_name', 'api_key_id', 'expires_at', 'created_by', 'created_at', 'revoked_at']).where('tenant_id', '=', actor.tenantId).orderBy('created_at', 'desc').execute();
        const now = clock.now();
        return rows.map((r) => ({ ...r, expires_at: new Date(r.expires_at).toISOString(), created_at: new Date(r.created_at).toISOString(), revoked_at: r.revoked_at ? new Date(r.revoked_at).toISOString() : null, active: !r.revoked_at && new Date(r.expires_at) > now }));
      });
    },

    async revoke(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'compliance.manage');
        const e = await tx.selectFrom('auditor_engagements').select(['api_key_id', 'revoked_at']).where('tenant_id', '=', actor.tenantId).where('id', '=', id).executeTakeFirst();
        if (!e) throw notFound('auditor.not_found', '审计授权不存在', 'auditor engagement not found');
        if (!e.revoked_at) {
          await tx.updateTable('auditor_engagements').set({ revoked_at: clock.now() }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
          await tx.updateTable('api_keys').set({ revoked_at: clock.now() }).where('tenant_id', '=', actor.tenantId).where('id', '=', e.api_key_id).where('revoked_at', 'is', null).execute();
          await audit.record(tx, actor, [{ action: 'auditor.revoke', decision: 'allow', details: { engagement_id: id } }]);
        }
        return { id, revoked: true };
      });
    },

    /** Every request of an auditor is audited: what it opened (route and path, never a body), or what it was refused. */
    async recordOpen(actor: Actor, req: { method: string; route: string; url: string; refused?: string }) {
      await db.transaction((tx) => audit.record(tx, actor, [{ action: 'auditor.open', decision: req.refused ? 'deny' : 'allow', reason: req.refused ?? null, details: { method: req.method, route: req.route, url: req.url.slice(0, 500) } }]));
    },
  };
}
export type AuditorService = ReturnType<typeof createAuditorService>;
