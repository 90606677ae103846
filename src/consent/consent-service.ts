/**
 * Privacy notices (versioned texts with SHA-256) and the consent ledger per subject x purpose.
 * Withdrawal takes effect at once: the access layer reads `consents` on every PI access for a
 * consent-based purpose. Every change is audited in the same transaction.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../db/connection.js';
import { invalidField, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Actor, AuditService } from '../audit/index.js';

export interface NoticeInput { name: string; language: string; text: string; purposes: string[]; material_change?: boolean }
export interface ConsentInput { purpose: string; notice: string; notice_version: number; channel: 'app' | 'web' | 'paper' | 'phone' | 'other'; separate?: boolean; evidence?: string; guardian?: string }

export function createConsentService(deps: { db: Db; audit: Pick<AuditService, 'record'> }) {
  const { db, audit } = deps;
  return {
    async publishNotice(actor: Actor, input: NoticeInput) {
      return db.transaction(async (tx) => {
        const known = await tx.selectFrom('purposes').select('name').where('tenant_id', '=', actor.tenantId).where('name', 'in', input.purposes.length ? input.purposes : ['']).execute();
        const missing = input.purposes.filter((p) => !known.some((k) => k.name === p));
        if (missing.length) throw invalidField('purposes', `包含未登记的目的：${missing.join(', ')}`, `names unregistered purposes: ${missing.join(', ')}`);
        const last = await tx.selectFrom('notices').select('version').where('tenant_id', '=', actor.tenantId).where('name', '=', input.name).orderBy('version', 'desc').limit(1).executeTakeFirst();
        const version = (last?.version ?? 0) + 1;
        const sha256 = createHash('sha256').update(input.text, 'utf8').digest('hex');
        await tx.insertInto('notices').values({ tenant_id: actor.tenantId, name: input.name, version, language: input.language, text: input.text, sha256, purposes: JSON.stringify(input.purposes), material_change: Boolean(input.material_change) }).execute();
        let reconsent = 0;
        if (version > 1 && input.material_change) {
          const r = await tx.updateTable('consents').set({ needs_reconsent: true }).where('tenant_id', '=', actor.tenantId).where('notice', '=', input.name).where('notice_version', '<', version).where('state', '=', 'granted').where('purpose', 'in', input.purposes.length ? input.purposes : ['']).executeTakeFirst();
          reconsent = Number(r.numUpdatedRows);
        }
        await audit.record(tx, actor, [{ action: 'notice.publish', decision: 'allow', details: { notice: input.name, version, sha256, needs_reconsent: reconsent } }]);
        return { name: input.name, version, language: input.language, sha256, purposes: input.purposes, needs_reconsent: reconsent };
      });
    },
    async listNotices(tenantId: string) {
      return db.kysely.selectFrom('notices').select(['name', 'version', 'language', 'sha256', 'purposes', 'material_change', 'created_at']).where('tenant_id', '=', tenantId).orderBy('name').orderBy('version').execute();
    },
    async grant(actor: Actor, subjectId: string, input: ConsentInput) {
      return db.transaction(async (tx) => {
        const s = await tx.selectFrom('subjects').select(['id', 'erased_at']).where('tenant_id', '=', actor.tenantId).where('id', '=', subjectId).executeTakeFirst();
        if (!s || s.erased_at) throw notFound('consent.subject_not_found', '个人不存在', 'subject not found');
        const p = await tx.selectFrom('purposes').select(['legal_basis']).where('tenant_id', '=', actor.tenantId).where('name', '=', input.purpose).executeTakeFirst();
        if (!p) throw invalidField('purpose', '未登记', 'is not a registered purpose');
        const n = await tx.selectFrom('notices').select(['purposes']).where('tenant_id', '=', actor.tenantId).where('name', '=', input.notice).where('version', '=', input.notice_version).executeTakeFirst();
        if (!n) throw invalidField('notice_version', `告知文本 ${input.notice} 没有该版本`, `does not exist for notice ${input.notice}`);
        if (!(n.purposes as string[]).includes(input.purpose)) throw invalidField('purpose', '不在该版本告知文本所列目的中', 'is not declared by that notice version');
        const now = new Date();
        const row = { tenant_id: actor.tenantId, subject_id: subjectId, purpose: input.purpose, state: 'granted' as const, notice: input.notice, notice_version: input.notice_version, channel: input.channel, separate: Boolean(input.separate), evidence: input.evidence ?? null, guardian: input.guardian ?? null, needs_reconsent: false, granted_at: now, withdrawn_at: null };
        await tx.insertInto('consents').values(row).onConflict((oc) => oc.columns(['tenant_id', 'subject_id', 'purpose']).doUpdateSet({ ...row })).execute();
        await tx.insertInto('consent_events').values({ tenant_id: actor.tenantId, id: newId('cev'), subject_id: subjectId, purpose: input.purpose, event: 'granted', notice: input.notice, notice_version: input.notice_version, channel: input.channel, separate: Boolean(input.separate), evidence: input.evidence ?? null, guardian: input.guardian ?? null }).execute();
        await audit.record(tx, actor, [{ action: 'consent.grant', decision: 'allow', subjectId, purpose: input.purpose, details: { notice: input.notice, notice_version: input.notice_version, channel: input.channel, separate: Boolean(input.separate) } }]);
        return { subject_id: subjectId, purpose: input.purpose, state: 'granted', notice: input.notice, notice_version: input.notice_version, granted_at: now.toISOString() };
      });
    },
    async withdraw(actor: Actor, subjectId: string, purpose: string) {
      return db.transaction(async (tx) => {
        const r = await tx.updateTable('consents').set({ state: 'withdrawn', withdrawn_at: new Date() }).where('tenant_id', '=', actor.tenantId).where('subject_id', '=', subjectId).where('purpose', '=', purpose).where('state', '=', 'granted').executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) throw notFound('consent.not_found', '没有该目的的有效同意', 'no granted consent for that purpose');
        await tx.insertInto('consent_events').values({ tenant_id: actor.tenantId, id: newId('cev'), subject_id: subjectId, purpose, event: 'withdrawn', notice: null, notice_version: null, channel: null, separate: null, evidence: null, guardian: null }).execute();
        await audit.record(tx, actor, [{ action: 'consent.withdraw', decision: 'allow', subjectId, purpose }]);
        return { subject_id: subjectId, purpose, state: 'withdrawn' };
      });
    },
    async list(actor: Actor, subjectId: string) {
      const rows = await db.kysely.selectFrom('consents').select(['purpose', 'state', 'notice', 'notice_version', 'channel', 'separate', 'guardian', 'needs_reconsent', 'granted_at', 'withdrawn_at'])
        .where('tenant_id', '=', actor.tenantId).where('subject_id', '=', subjectId).orderBy('purpose').execute();
      return rows;
    },
  };
}
export type ConsentService = ReturnType<typeof createConsentService>;
