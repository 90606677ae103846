/**
 * Shares: PI leaves only through a registered channel. A share is checked (third party active and
 * screened, contract in force, fields within the channel, an `export` grant for the channel's purpose,
 * separate consent of each subject where the channel needs it), minimised to the allowed fields, read
 * through the vault's read path (purpose-bound access control and audit per record), encrypted to the
 * recipient's registered public key, recorded per subject and audited. A refusal is audited and then thrown.
 */
import { createHash } from 'node:crypto';
import type { Db, Tx } from '../db/connection.js';
import { orderBySpec, type PageQuery, type SortSpec } from '../db/paging.js';
import { AppError, forbidden, invalidField, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import type { Actor, AuditInput, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import type { CollectionStore, RecordsService, RecordView } from '../vault/index.js';
import { chinaDate, requireAnyPermission, toDay } from '../risks/index.js';
import { encryptToRecipient, type Envelope } from './recipient-crypto.js';
import { contractRefusal, fieldsOutside } from './sharing-rules.js';

export const SHARE_SORT: SortSpec<'created_at' | 'records' | 'subjects' | 'purpose'> = { columns: { created_at: 'created_at', records: 'records', subjects: 'subjects', purpose: 'purpose' }, sort: 'created_at', order: 'desc', tiebreak: ['id'] };

export interface ShareInput { channel: string; record_ids: string[]; fields?: string[]; skip_refused?: boolean; note?: string }
export interface ShareDeps {
  db: Db; audit: Pick<AuditService, 'record'>; access: Pick<AccessService, 'requirePermission' | 'decide'>; records: Pick<RecordsService, 'read'>;
  collections: Pick<CollectionStore, 'get'>; clock: Clock; maxRecords?: number;
}

class Refusal { constructor(readonly error: AppError) {} }
const iso = (v: Date | null) => (v ? new Date(v).toISOString() : null);

export function createShareService(deps: ShareDeps) {
  const { db, audit, access, clock } = deps;
  const max = deps.maxRecords ?? 1000;

  async function refuse(tx: Tx, actor: Actor, rule: string, zh: string, en: string, ctx: { channel?: string; third_party_id?: string; collection?: string; purpose?: string; fields?: string[]; subjects?: Array<{ subject_id: string; record_id: string }> ; extra?: Record<string, unknown> }) {
    const events: AuditInput[] = [{ action: 'share.create', decision: 'deny', reason: rule, collection: ctx.collection ?? null, purpose: ctx.purpose ?? null, fields: ctx.fields ?? null, details: { channel_id: ctx.channel, third_party_id: ctx.third_party_id, ...(ctx.extra ?? {}) } }];
    for (const s of ctx.subjects ?? []) events.push({ action: 'share.provide', decision: 'deny', reason: rule, subjectId: s.subject_id, recordId: s.record_id, collection: ctx.collection ?? null, purpose: ctx.purpose ?? null, fields: ctx.fields ?? null, details: { channel_id: ctx.channel, third_party_id: ctx.third_party_id } });
    await audit.record(tx, actor, events);
    return new Refusal(forbidden(`share.${rule}`, `拒绝提供：${zh}`, `Share refused: ${en}`, [{ rule, ...(ctx.extra ?? {}) }]));
  }

  /** Checks in one transaction; returns what to read, or a Refusal whose audit events commit. */
  async function prepare(actor: Actor, input: ShareInput) {
    const out = await db.transaction(async (tx) => {
      await access.requirePermission(tx, actor, 'shares.create');
      const ch = await tx.selectFrom('share_channels').selectAll().where('tenant_id', '=', actor.tenantId).where((eb) => eb.or([eb('id', '=', input.channel), eb('name', '=', input.channel)])).executeTakeFirst();
      if (!ch) throw notFound('share.channel_not_found', '未登记的提供通道', 'no such registered channel');
      const fields = input.fields?.length ? [...new Set(input.fields)] : (ch.fields as string[]);
      const base = { channel: ch.id, third_party_id: ch.third_party_id, collection: ch.collection, purpose: ch.purpose, fields };
      if (ch.state !== 'active') return refuse(tx, actor, 'channel_disabled', '通道已停用', 'the channel is disabled', base);
      const party = await tx.selectFrom('third_parties').selectAll().where('tenant_id', '=', actor.tenantId).where('id', '=', ch.third_party_id).executeTakeFirstOrThrow();
      if (party.state !== 'active') return refuse(tx, actor, 'third_party_inactive', '第三方已暂停或终止合作', 'the third party is suspended or ended', base);
      if (!party.screening_result || party.screening_result === 'failed') return refuse(tx, actor, 'third_party_not_screened', '第三方未通过安全筛查', 'the third party has not passed screening', base);
      if (!party.public_key) return refuse(tx, actor, 'recipient_key_missing', '第三方未登记接收公钥，无法加密', 'the third party has no registered public key to encrypt to', base);
      const contract = await tx.selectFrom('third_party_contracts').selectAll().where('tenant_id', '=', actor.tenantId).where('id', '=', ch.contract_id).executeTakeFirstOrThrow();
      const cr = contractRefusal({ state: contract.state, start_date: toDay(contract.start_date) as string, end_date: toDay(contract.end_date) as string }, chinaDate(clock.now()));
      if (cr) return refuse(tx, actor, cr.rule, cr.zh, cr.en, base);
      const outside = fieldsOutside(fields, ch.fields as string[]);
      if (outside.length) return refuse(tx, actor, 'field_not_allowed', `字段不在通道允许范围内：${outside.join(', ')}`, `fields outside the channel: ${outside.join(', ')}`, { ...base, extra: { fields_outside: outside } });
      const d = await access.decide(tx, actor, { action: 'export', collection: ch.collection, purpose: ch.purpose, fields });
      if (!d.allowed) return refuse(tx, actor, d.rule, d.zh, d.en, base);
      // The values are read through the vault's read path; a masked read grant would hand masked values to the recipient unnoticed.
      const r = await access.decide(tx, actor, { action: 'read', collection: ch.collection, purpose: ch.purpose, fields });
      if (!r.allowed) return refuse(tx, actor, r.rule, r.zh, r.en, base);
      const masked = r.fields.filter((f) => f.view !== 'plain').map((f) => f.field);
      if (masked.length) return refuse(tx, actor, 'masked_view', `调用者对这些字段只有掩码读取权限，不能对外提供：${masked.join(', ')}`, `the caller may read these fields only masked, so they cannot be shared: ${masked.join(', ')}`, { ...base, extra: { fields_masked: masked } });
      const col = await deps.collections.get(tx, actor.tenantId, ch.collection);
      const ids = [...new Set(input.record_ids)];
      const recs = await tx.selectFrom('records').select(['id', 'subject_id']).where('tenant_id', '=', actor.tenantId).where('collection_id', '=', col.id).where('id', 'in', ids).execute();
      const missing = ids.findIndex((id) => !recs.some((r) => r.id === id));
      if (missing >= 0) throw invalidField(`record_ids[${input.record_ids.indexOf(ids[missing])}]`, `不是集合 ${ch.collection} 中的记录`, `is not a record of collection ${ch.collection}`);
      let refused: Array<{ subject_id: string; record_id: string }> = [];
      if (ch.separate_consent_purpose) {
        const subjectIds = [...new Set(recs.map((r) => r.subject_id))];
        const ok = await tx.selectFrom('consents').select('subject_id').where('tenant_id', '=', actor.tenantId).where('purpose', '=', ch.separate_consent_purpose).where('subject_id', 'in', subjectIds)
          .where('state', '=', 'granted').where('separate', '=', true).where('needs_reconsent', '=', false).execute();
        const consented = new Set(ok.map((r) => r.subject_id));
        refused = recs.filter((r) => !consented.has(r.subject_id)).map((r) => ({ subject_id: r.subject_id, record_id: r.id }));
      }
      if (refused.length && !input.skip_refused) {
        return refuse(tx, actor, 'separate_consent_missing', `${refused.length} 个人未就向该第三方提供作出单独同意（个人信息保护法第23条）`, `${refused.length} individuals have not given separate consent to this provision (PIPL Art. 23)`, { ...base, subjects: refused, extra: { refused_records: refused.map((r) => r.record_id), separate_consent_purpose: ch.separate_consent_purpose } });
      }
      const refusedIds = new Set(refused.map((r) => r.record_id));
      if (refused.length) {
        await audit.record(tx, actor, refused.map((s) => ({ action: 'share.provide', decision: 'deny' as const, reason: 'separate_consent_missing', subjectId: s.subject_id, recordId: s.record_id, collection: ch.collection, purpose: ch.purpose, fields, details: { channel_id: ch.id, third_party_id: ch.third_party_id } })));
      }
      return { ch, party: { id: party.id, name: party.name, public_key: party.public_key, fingerprint: party.key_fingerprint as string }, contract: { id: contract.id, reference: contract.reference }, fields, records: recs.filter((r) => !refusedIds.has(r.id)), refused };
    });
    if (out instanceof Refusal) throw out.error;
    return out;
  }

  return {
    async create(actor: Actor, input: ShareInput) {
      if (input.record_ids.length === 0) throw invalidField('record_ids', '不能为空', 'must name at least one record');
      if (input.record_ids.length > max) throw invalidField('record_ids', `一次最多 ${max} 条`, `holds more than ${max} records`);
      const p = await prepare(actor, input);
      const shareId = newId('shr');
      const views: RecordView[] = [];
      const readRefused: Array<{ subject_id: string; record_id: string; rule: string }> = [];
      // The vault's read path: grant, legal basis, restriction and training are checked and each read is audited.
      for (const r of p.records) {
        try {
          views.push(await deps.records.read(actor, { collection: p.ch.collection, id: r.id, purpose: p.ch.purpose, fields: p.fields }));
        } catch (e) {
          if (!(e instanceof AppError) || !input.skip_refused || (e.status !== 403 && e.status !== 410 && e.status !== 404)) throw e;
          readRefused.push({ subject_id: r.subject_id, record_id: r.id, rule: (e.details?.[0]?.rule as string | undefined) ?? e.code });
        }
      }
      if (views.length === 0) throw new AppError(409, 'share.nothing_to_share', '没有可以提供的记录（均被拒绝）', 'nothing to share: every record was refused', [{ rule: 'nothing_to_share' }]);
      const now = clock.now();
      const payload = Buffer.from(JSON.stringify({
        share_id: shareId, created_at: now.toISOString(), sender_tenant: actor.tenantId, recipient: p.party.name, contract: p.contract.reference, purpose: p.ch.purpose, collection: p.ch.collection, fields: p.fields,
        records: views.map((v) => ({ ref: v.id, fields: v.fields })),
      }), 'utf8');
      const envelope: Envelope = encryptToRecipient(p.party.public_key as string, payload, shareId);
      const sha = createHash('sha256').update(JSON.stringify(envelope)).digest('hex');
      const subjects = new Set(views.map((v) => v.subject_id));
      const refusedCount = p.refused.length + readRefused.length;
      await db.transaction(async (tx) => {
        await tx.insertInto('shares').values({
          tenant_id: actor.tenantId, id: shareId, channel_id: p.ch.id, third_party_id: p.party.id, contract_id: p.contract.id, purpose: p.ch.purpose, collection: p.ch.collection, fields: JSON.stringify(p.fields),
          records: views.length, subjects: subjects.size, refused: refusedCount, algorithm: envelope.alg, key_fingerprint: p.party.fingerprint, payload_sha256: sha, actor_type: actor.type, actor_id: actor.id, created_at: now,
        }).execute();
        for (let i = 0; i < views.length; i += 1000) {
          await tx.insertInto('share_subjects').values(views.slice(i, i + 1000).map((v) => ({ tenant_id: actor.tenantId, share_id: shareId, record_id: v.id, subject_id: v.subject_id }))).execute();
        }
        await audit.record(tx, actor, [
          { action: 'share.create', decision: 'allow', collection: p.ch.collection, purpose: p.ch.purpose, fields: p.fields, details: { share_id: shareId, channel_id: p.ch.id, third_party_id: p.party.id, contract_id: p.contract.id, records: views.length, refused: refusedCount, algorithm: envelope.alg, payload_sha256: sha, ...(input.note ? { note: input.note.slice(0, 200) } : {}) } },
          ...views.map((v) => ({ action: 'share.provide', decision: 'allow' as const, subjectId: v.subject_id, recordId: v.id, collection: p.ch.collection, purpose: p.ch.purpose, fields: p.fields, details: { share_id: shareId, third_party_id: p.party.id } })),
        ]);
      });
      return {
        id: shareId, channel: p.ch.name, third_party: { id: p.party.id, name: p.party.name }, contract_id: p.contract.id, purpose: p.ch.purpose, collection: p.ch.collection, fields: p.fields,
        records: views.length, subjects: subjects.size,
        refused: [...p.refused.map((r) => ({ record_id: r.record_id, rule: 'separate_consent_missing' })), ...readRefused.map((r) => ({ record_id: r.record_id, rule: r.rule }))],
        payload_sha256: sha, created_at: now.toISOString(), envelope,
      };
    },

    async list(actor: Actor, q: { third_party_id?: string; channel?: string; purpose?: string } & PageQuery<keyof typeof SHARE_SORT.columns>) {
      return db.transaction(async (tx) => {
        await requireAnyPermission(access, tx, actor, ['third_parties.manage', 'shares.create']);
        let s = tx.selectFrom('shares').selectAll().where('tenant_id', '=', actor.tenantId);
        if (q.third_party_id) s = s.where('third_party_id', '=', q.third_party_id);
        if (q.channel) s = s.where('channel_id', '=', q.channel);
        if (q.purpose) s = s.where('purpose', '=', q.purpose);
        const limit = Math.min(q.limit ?? 50, 200), offset = q.offset ?? 0;
        const total = Number((await s.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
        const rows = await orderBySpec(s, q, SHARE_SORT).limit(limit).offset(offset).execute();
        return { shares: rows.map(presentShare), total, next_offset: offset + rows.length < total ? offset + rows.length : null };
      });
    },

    async get(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        await requireAnyPermission(access, tx, actor, ['third_parties.manage', 'shares.create']);
        const s = await tx.selectFrom('shares').selectAll().where('tenant_id', '=', actor.tenantId).where('id', '=', id).executeTakeFirst();
        if (!s) throw notFound('share.not_found', '提供记录不存在', 'share not found');
        const subjects = await tx.selectFrom('share_subjects').select(['record_id', 'subject_id']).where('tenant_id', '=', actor.tenantId).where('share_id', '=', id).orderBy('record_id').execute();
        return { ...presentShare(s), items: subjects };
      });
    },

    /** Every share that included a subject's data: to whom, when, which fields (PIPL Art. 23, 45). */
    async forSubject(actor: Actor, subjectId: string) {
      return db.transaction(async (tx) => {
        await requireAnyPermission(access, tx, actor, ['third_parties.manage', 'requests.manage']);
        const rows = await tx.selectFrom('share_subjects as ss').innerJoin('shares as s', (j) => j.onRef('s.tenant_id', '=', 'ss.tenant_id').onRef('s.id', '=', 'ss.share_id'))
          .innerJoin('third_parties as t', (j) => j.onRef('t.tenant_id', '=', 's.tenant_id').onRef('t.id', '=', 's.third_party_id'))
          .select(['s.id', 's.created_at', 's.purpose', 's.collection', 's.fields', 'ss.record_id', 't.id as third_party_id', 't.name as third_party_name', 't.kind as third_party_kind', 't.country'])
          .where('ss.tenant_id', '=', actor.tenantId).where('ss.subject_id', '=', subjectId).orderBy('s.created_at', 'desc').execute();
        await audit.record(tx, actor, [{ action: 'share.subject_history', decision: 'allow', subjectId, details: { shares: rows.length } }]);
        return { subject_id: subjectId, shares: rows.map((r) => ({ share_id: r.id, at: iso(r.created_at), third_party: { id: r.third_party_id, name: r.third_party_name, kind: r.third_party_kind, country: r.country }, purpose: r.purpose, collection: r.collection, fields: r.fields as string[], record_id: r.record_id })) };
      });
    },
  };
}

function presentShare(s: { id: string; channel_id: string; third_party_id: string; contract_id: string; purpose: string; collection: string; fields: unknown; records: number; subjects: number; refused: number; algorithm: string; key_fingerprint: string; payload_sha256: string; actor_type: string; actor_id: string; created_at: Date }) {
  return { id: s.id, channel_id: s.channel_id, third_party_id: s.third_party_id, contract_id: s.contract_id, purpose: s.purpose, collection: s.collection, fields: s.fields as string[], records: s.records, subjects: s.subjects, refused: s.refused, algorithm: s.algorithm, key_fingerprint: s.key_fingerprint, payload_sha256: s.payload_sha256, actor: { type: s.actor_type, id: s.actor_id }, created_at: iso(s.created_at) };
}
export type ShareService = ReturnType<typeof createShareService>;
