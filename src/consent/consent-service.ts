/**
 * The consent ledger per subject x purpose. A grant names the notice version shown, the channel and
 * evidence; it is refused when the purpose needs separate consent and it is not separate, or when the
 * subject is under 14 and no guardian gave it. Withdrawal takes effect at once: the access layer reads
 * `consents` on every PI access for a consent-based purpose. Every change is audited in its transaction.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/connection.js';
import { orderBySpec, type PageQuery, type SortSpec } from '../db/paging.js';
import { AppError, invalidField, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import type { ConsentInput, NoticeScope, Triggers } from './consent-types.js';
import { birthDateFromEvidence, chinaDate, guardianProblem, isUnderGuardianAge, separateReasons } from './consent-rules.js';

export const CONSENT_SORT: SortSpec<'granted_at' | 'withdrawn_at' | 'purpose' | 'subject_id' | 'notice_version'> = { columns: { granted_at: 'granted_at', withdrawn_at: 'withdrawn_at', purpose: 'purpose', subject_id: 'subject_id', notice_version: 'notice_version' }, sort: 'granted_at', order: 'desc', tiebreak: ['subject_id', 'purpose'] };

export interface ConsentDeps {
  db: Db;
  audit: Pick<AuditService, 'record'>;
  access: Pick<AccessService, 'requirePermission'>;
  clock: Clock;
  /** The birth date the vault holds for a subject (resident ID number or birth-date field), if any. */
  birthDateOf?: (tx: Tx, tenantId: string, subjectId: string) => Promise<string | null>;
}

export interface GrantContext {
  /** Prefix of field names in errors, e.g. `records[3].consents[0].` when called from a record write. */
  path?: string;
  /** Birth date known to the caller (e.g. from the record being written). */
  birthDate?: string | null;
}

export interface ConsentFilter extends PageQuery<keyof typeof CONSENT_SORT.columns> { purpose?: string; state?: 'granted' | 'withdrawn'; needs_reconsent?: boolean; notice?: string; subject_id?: string; minor?: boolean }

const CONSENT_COLUMNS = ['subject_id', 'purpose', 'state', 'notice', 'notice_version', 'channel', 'separate', 'evidence', 'guardian', 'guardian_relation', 'guardian_subject_id', 'guardian_verification', 'minor', 'age_source', 'needs_reconsent', 'reconsent_since', 'granted_at', 'withdrawn_at'] as const;

export function createConsentService(deps: ConsentDeps) {
  const { db, audit, access, clock } = deps;

  async function grantWithin(tx: Tx, actor: Actor, subjectId: string, input: ConsentInput, ctx: GrantContext = {}) {
    const at = ctx.path ?? '';
    const t = actor.tenantId;
    await access.requirePermission(tx, actor, 'consents.manage');
    const s = await tx.selectFrom('subjects').select(['id', 'erased_at']).where('tenant_id', '=', t).where('id', '=', subjectId).executeTakeFirst();
    if (!s || s.erased_at) throw notFound('consent.subject_not_found', '个人不存在', 'subject not found');
    const p = await tx.selectFrom('purposes').select(['legal_basis']).where('tenant_id', '=', t).where('name', '=', input.purpose).executeTakeFirst();
    if (!p) throw invalidField(`${at}purpose`, '未登记', 'is not a registered purpose');
    const n = await tx.selectFrom('notices').select(['purposes', 'scope']).where('tenant_id', '=', t).where('name', '=', input.notice).where('version', '=', input.notice_version).executeTakeFirst();
    if (!n) throw invalidField(`${at}notice_version`, `告知文本 ${input.notice} 没有该版本`, `does not exist for notice ${input.notice}`);
    if (!(n.purposes as string[]).includes(input.purpose)) throw invalidField(`${at}purpose`, '不在该版本告知文本所列目的中', 'is not declared by that notice version');

    // Age: every source that knows a birth date is asked; under 14 by any of them makes a minor.
    const now = clock.now();
    const today = chinaDate(now);
    let minor = false, ageSource: string | null = null;
    const consider = (birthDate: string | null | undefined, source: string) => {
      if (!birthDate) return;
      ageSource ??= source;
      if (isUnderGuardianAge(birthDate, today) && !minor) { minor = true; ageSource = source; }
    };
    if (input.age_evidence) {
      const r = birthDateFromEvidence(input.age_evidence, today);
      if ('problem' in r) throw invalidField(`${at}${r.problem.field}`, r.problem.zh, r.problem.en);
      consider(r.birthDate, r.source ?? 'declared');
      if (r.declaredMinor && !minor) { minor = true; ageSource = 'declared'; }
    }
    consider(ctx.birthDate, 'record');
    if (!minor && deps.birthDateOf) consider(await deps.birthDateOf(tx, t, subjectId), 'vault');

    const g = input.guardian;
    const gp = guardianProblem(minor, g, subjectId);
    if (gp) {
      const code = g ? 'validation.field_invalid' : 'consent.guardian_required';
      throw new AppError(422, code, `字段 ${at}${gp.field} ${gp.zh}`, `Field ${at}${gp.field} ${gp.en}`, [{ field: `${at}${gp.field}`, reason: gp.en, ...(minor ? { rule: 'guardian_required', article: 'PIPL 31' } : {}) }]);
    }
    if (g?.subject_id) {
      const gs = await tx.selectFrom('subjects').select(['erased_at']).where('tenant_id', '=', t).where('id', '=', g.subject_id).executeTakeFirst();
      if (!gs || gs.erased_at) throw invalidField(`${at}guardian.subject_id`, '不存在或已被删除', 'does not exist or was erased');
      if (deps.birthDateOf) {
        const gb = await deps.birthDateOf(tx, t, g.subject_id);
        if (gb && isUnderGuardianAge(gb, today)) throw invalidField(`${at}guardian.subject_id`, '本人也未满十四周岁，不能作为监护人', 'is a minor under 14 and cannot act as guardian');
      }
    }

    const acts = await tx.selectFrom('activity_purposes as ap').innerJoin('activities as a', (j) => j.onRef('a.tenant_id', '=', 'ap.tenant_id').onRef('a.id', '=', 'ap.activity_id'))
      .select(['a.id', 'a.name', 'a.triggers']).where('ap.tenant_id', '=', t).where('ap.purpose', '=', input.purpose).where('a.state', '!=', 'retired').execute();
    const reasons = separateReasons({ minor, scope: (n.scope as NoticeScope)[input.purpose], activities: acts.map((a) => ({ id: a.id, name: a.name, triggers: a.triggers as Triggers })) });
    if (reasons.length && !input.separate) {
      throw new AppError(422, 'consent.separate_required', `须取得单独同意（separate: true）：${reasons.map((r) => `${r.zh}（${r.article}）`).join('；')}`,
        `Separate consent is required (separate: true): ${reasons.map((r) => `${r.en} (${r.article})`).join('; ')}`,
        [{ field: `${at}separate`, reason: 'separate consent is required', rules: reasons.map((r) => r.rule), sources: reasons.map((r) => r.source) }]);
    }

    // Consent to a version that a later version changed materially for this purpose is already stale.
    const newer = await tx.selectFrom('notices').select('version').where('tenant_id', '=', t).where('name', '=', input.notice).where('version', '>', input.notice_version)
      .where(sql<boolean>`changed_purposes @> ${JSON.stringify([input.purpose])}::jsonb`).orderBy('version').limit(1).executeTakeFirst();
    const row = {
      tenant_id: t, subject_id: subjectId, purpose: input.purpose, state: 'granted' as const, notice: input.notice, notice_version: input.notice_version, channel: input.channel,
      separate: Boolean(input.separate), evidence: input.evidence ?? null, guardian: g?.name?.trim() || null, guardian_relation: g?.relation ?? null,
      guardian_subject_id: g?.subject_id ?? null, guardian_verification: g?.verification ?? null, minor, age_source: ageSource,
      needs_reconsent: Boolean(newer), reconsent_since: newer?.version ?? null, granted_at: now, withdrawn_at: null,
    };
    await tx.insertInto('consents').values(row).onConflict((oc) => oc.columns(['tenant_id', 'subject_id', 'purpose']).doUpdateSet({ ...row })).execute();
    await tx.insertInto('consent_events').values({
      tenant_id: t, id: newId('cev'), subject_id: subjectId, purpose: input.purpose, event: 'granted', notice: input.notice, notice_version: input.notice_version, channel: input.channel,
      separate: row.separate, evidence: row.evidence, guardian: row.guardian, minor, guardian_relation: row.guardian_relation, guardian_subject_id: row.guardian_subject_id, at: now,
    }).execute();
    await audit.record(tx, actor, [{
      action: 'consent.grant', decision: 'allow', subjectId, purpose: input.purpose,
      details: { notice: input.notice, notice_version: input.notice_version, channel: input.channel, separate: row.separate, minor, age_source: ageSource, guardian_relation: row.guardian_relation, separate_required: reasons.map((r) => r.rule), stale: Boolean(newer) },
    }]);
    return {
      subject_id: subjectId, purpose: input.purpose, state: 'granted', notice: input.notice, notice_version: input.notice_version, channel: input.channel, separate: row.separate,
      minor, guardian_relation: row.guardian_relation, needs_reconsent: row.needs_reconsent, separate_required: reasons.map((r) => r.rule), granted_at: now.toISOString(),
    };
  }

  return {
    /** Record consent in its own transaction. */
    async grant(actor: Actor, subjectId: string, input: ConsentInput) {
      return db.transaction((tx) => grantWithin(tx, actor, subjectId, input));
    },

    /** Record consent inside the caller's transaction (a record write that carries its consents). */
    grantWithin,

    async withdraw(actor: Actor, subjectId: string, purpose: string) {
      return db.transaction(async (tx) => {
        const now = clock.now();
        const r = await tx.updateTable('consents').set({ state: 'withdrawn', withdrawn_at: now, needs_reconsent: false, reconsent_since: null })
          .where('tenant_id', '=', actor.tenantId).where('subject_id', '=', subjectId).where('purpose', '=', purpose).where('state', '=', 'granted').executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) throw notFound('consent.not_found', '没有该目的的有效同意', 'no granted consent for that purpose');
        await tx.insertInto('consent_events').values({ tenant_id: actor.tenantId, id: newId('cev'), subject_id: subjectId, purpose, event: 'withdrawn', notice: null, notice_version: null, channel: null, separate: null, evidence: null, guardian: null, minor: null, guardian_relation: null, guardian_subject_id: null, at: now }).execute();
        await audit.record(tx, actor, [{ action: 'consent.withdraw', decision: 'allow', subjectId, purpose }]);
        return { subject_id: subjectId, purpose, state: 'withdrawn', withdrawn_at: now.toISOString() };
      });
    },

    /** The consents of one subject, one row per purpose (the latest state). */
    async list(actor: Actor, subjectId: string) {
      return db.kysely.selectFrom('consents').select([...CONSENT_COLUMNS])
        .where('tenant_id', '=', actor.tenantId).where('subject_id', '=', subjectId).orderBy('purpose').execute();
    },

    /** Every grant and withdrawal of a subject, oldest first: the proof trail. */
    async events(actor: Actor, subjectId: string) {
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'consents.manage');
        return tx.selectFrom('consent_events').select(['id', 'purpose', 'event', 'notice', 'notice_version', 'channel', 'separate', 'evidence', 'guardian', 'guardian_relation', 'guardian_subject_id', 'minor', 'at'])
          .where('tenant_id', '=', actor.tenantId).where('subject_id', '=', subjectId).orderBy('at').orderBy('id').execute();
      });
    },

    /** Consents across subjects, filtered and paged (e.g. those awaiting re-consent for a purpose). */
    async search(actor: Actor, f: ConsentFilter) {
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'consents.manage');
        let q = tx.selectFrom('consents').where('tenant_id', '=', actor.tenantId);
        if (f.purpose) q = q.where('purpose', '=', f.purpose);
        if (f.state) q = q.where('state', '=', f.state);
        if (f.needs_reconsent !== undefined) q = q.where('needs_reconsent', '=', f.needs_reconsent);
        if (f.needs_reconsent) q = q.where('state', '=', 'granted');
        if (f.notice) q = q.where('notice', '=', f.notice);
        if (f.subject_id) q = q.where('subject_id', '=', f.subject_id);
        if (f.minor !== undefined) q = q.where('minor', '=', f.minor);
        const total = Number((await q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
        const rows = await orderBySpec(q.select([...CONSENT_COLUMNS]), f, CONSENT_SORT).limit(f.limit ?? 50).offset(f.offset ?? 0).execute();
        return { consents: rows, total, limit: f.limit ?? 50, offset: f.offset ?? 0 };
      });
    },

    /** Per purpose: how many consents are granted, withdrawn, awaiting re-consent, given for minors. */
    async summary(actor: Actor) {
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'consents.manage');
        const rows = await sql<{ purpose: string; granted: string; withdrawn: string; needs_reconsent: string; minors: string }>`
          select purpose,
            count(*) filter (where state = 'granted') as granted,
            count(*) filter (where state = 'withdrawn') as withdrawn,
            count(*) filter (where state = 'granted' and needs_reconsent) as needs_reconsent,
            count(*) filter (where state = 'granted' and minor) as minors
          from consents where tenant_id = ${actor.tenantId} group by purpose order by purpose`.execute(tx);
        const modes = await tx.selectFrom('purposes').select(['name', 'title', 'title_en', 'legal_basis', 'reconsent_mode']).where('tenant_id', '=', actor.tenantId).execute();
        return {
          purposes: rows.rows.map((r) => {
            const m = modes.find((x) => x.name === r.purpose);
            return { purpose: r.purpose, title: m?.title ?? null, title_en: m?.title_en ?? null, legal_basis: m?.legal_basis ?? null, reconsent_mode: m?.reconsent_mode ?? null, granted: Number(r.granted), withdrawn: Number(r.withdrawn), needs_reconsent: Number(r.needs_reconsent), minors: Number(r.minors) };
          }),
        };
      });
    },
  };
}
export type ConsentService = ReturnType<typeof createConsentService>;
