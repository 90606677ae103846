/**
 * Data-subject requests: received -> verifying -> in_progress -> completed | rejected. Identity is
 * verified (method and result recorded) before anything is disclosed or changed; every transition is
 * audited in the transaction that makes it. Completion carries out the request through the vault and
 * consent services (correction, erasure, withdrawal), or writes a restriction the access layer honours.
 * Deadlines are counted in working days on the official calendar (working-days.ts).
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/connection.js';
import { countOf, orderBySpec, type PageQuery, type SortSpec } from '../db/paging.js';
import { AppError, conflict, forbidden, gone, invalidField, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import type { RecordsService, SubjectService } from '../vault/index.js';
import type { ConsentService } from '../consent/index.js';
import type { KeyService } from '../crypto/keys-service.js';
import { maskContact, maskValue } from '../core/pi-types.js';
import { addWorkingDays, chinaDate, dayString, workingDaysBetween } from './working-days.js';
import { canTransition, isOpen } from './rights-rules.js';
import { buildExportDocument, exportCsv, exportXlsx, type ConsentLine, type PurposeLine } from './rights-export.js';
import { EXPORT_KINDS, effectiveKind, OPEN_STATES, type CreateRequestInput, type Requester, type ListRequestsInput, type RequestKind, type RequestState, type TransitionInput } from './rights-types.js';

/** Sort keys of the request queue (GET /requests?sort=). */
export const REQUEST_SORT: SortSpec<'due' | 'received_at' | 'updated_at' | 'state' | 'kind'> = { columns: { due: 'due', received_at: 'received_at', updated_at: 'updated_at', state: 'state', kind: 'kind' }, sort: 'due', order: 'asc', tiebreak: ['id'] };

export interface RightsDeps {
  db: Db;
  audit: Pick<AuditService, 'record'>;
  access: Pick<AccessService, 'requirePermission' | 'listPurposes'>;
  records: Pick<RecordsService, 'update' | 'eraseSubject'>;
  subjects: Pick<SubjectService, 'exportSubject'>;
  consent: Pick<ConsentService, 'withdraw' | 'list'>;
  keys: Pick<KeyService, 'keyring'>;
  clock: Clock;
  deadlineWorkingDays: number;
  exportTtlHours: number;
}

const requesterAad = (id: string) => `rights_requests|${id}|requester`;
/** The requester (an agent, guardian or relative) as lists show it: relationship in full, name and contact masked. */
export function maskRequester(q: Requester): Requester {
  return {
    ...(q.relationship ? { relationship: q.relationship } : {}),
    ...(q.name ? { name: maskValue('person_name', q.name) } : {}),
    ...(q.contact ? { contact: maskContact(q.contact) } : {}),
  };
}

type Row = Awaited<ReturnType<typeof loadRow>>;

async function loadRow(tx: Tx, tenantId: string, id: string, lock = false) {
  let q = tx.selectFrom('rights_requests').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (lock) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  if (!r) throw notFound('rights.request_not_found', '请求不存在', 'request not found');
  return r;
}

/** A request as staff see it; `requester` is the opened requester in the audited read of one request, else the masked form. */
export function presentRequest(r: NonNullable<Row>, now: Date, requester?: Requester | null) {
  const today = chinaDate(now);
  const open = isOpen(r.state);
  const due = dayString(r.due);
  return {
    id: r.id, subject_id: r.subject_id, kind: r.kind, action: (r.details as { action?: string } | null)?.action ?? null, note: (r.details as { note?: string } | null)?.note ?? null, state: r.state,
    received_at: new Date(r.received_at).toISOString(), due, due_basis: r.due_basis,
    working_days_left: open ? (due >= today ? workingDaysBetween(today, due) : -workingDaysBetween(due, today)) : null,
    overdue: open && due < today, flag: r.flag,
    requester: requester !== undefined ? requester : r.requester, verification: r.verification_method ? { method: r.verification_method, result: r.verification_result, verified_at: r.verified_at ? new Date(r.verified_at).toISOString() : null } : null,
    reason: r.reason, resolution: r.resolution,
    export: r.export_expires_at ? { expires_at: new Date(r.export_expires_at).toISOString(), downloaded_at: r.exported_at ? new Date(r.exported_at).toISOString() : null, available: !r.exported_at && new Date(r.export_expires_at) > now } : null,
    closed_at: r.closed_at ? new Date(r.closed_at).toISOString() : null,
  };
}
export type RequestView = ReturnType<typeof presentRequest>;

export function createRightsService(deps: RightsDeps) {
  const { db, audit, access, clock } = deps;
  const manage = (tx: Tx, actor: Actor) => access.requirePermission(tx, actor, 'requests.manage');

  function dueFrom(receivedAt: Date) {
    return addWorkingDays(chinaDate(receivedAt), deps.deadlineWorkingDays);
  }

  async function setState(tx: Tx, actor: Actor, r: NonNullable<Row>, to: RequestState, set: Record<string, unknown>, details: Record<string, unknown>) {
    const now = clock.now();
    await tx.updateTable('rights_requests').set({ ...set, state: to, updated_at: now, ...(to === 'completed' || to === 'rejected' ? { closed_at: now, flag: null } : {}) })
      .where('tenant_id', '=', actor.tenantId).where('id', '=', r.id).execute();
    await audit.record(tx, actor, [{ action: 'request.transition', decision: 'allow', subjectId: r.subject_id, details: { request_id: r.id, kind: r.kind, from: r.state, to, ...details } }]);
  }

  /** Completion: carry out what the request asks; returns the resolution to store (ids and names only). */
  async function carryOut(actor: Actor, r: NonNullable<Row>, input: TransitionInput): Promise<Record<string, unknown>> {
    const kind = effectiveKind(r.kind as RequestKind, (r.details as { action?: string } | null)?.action);
    const why = `rights request ${r.id}`;
    if (EXPORT_KINDS.has(kind)) {
      const expires = new Date(clock.now().getTime() + deps.exportTtlHours * 3_600_000);
      return { export: { formats: ['json', 'csv', 'xlsx'], expires_at: expires.toISOString() }, set: { export_expires_at: expires } };
    }
    switch (kind) {
      case 'correction': case 'supplement': {
        if (!input.changes?.length) throw invalidField('changes', '更正或补充请求完成时必须给出更改', 'must list the changes when completing a correction or supplement');
        const recs = await db.kysely.selectFrom('records as r').innerJoin('collections as c', (j) => j.onRef('c.tenant_id', '=', 'r.tenant_id').onRef('c.id', '=', 'r.collection_id'))
          .select(['r.id', 'r.subject_id', 'c.name']).where('r.tenant_id', '=', actor.tenantId).where('r.id', 'in', input.changes.map((c) => c.record_id)).execute();
        input.changes.forEach((c, i) => {
          const rec = recs.find((x) => x.id === c.record_id);
          if (!rec || rec.subject_id !== r.subject_id || rec.name !== c.collection) throw invalidField(`changes[${i}].record_id`, '不是该个人在该集合中的记录', 'is not a record of this individual in that collection');
        });
        for (const c of input.changes) await deps.records.update(actor, c.collection, c.record_id, c.fields);
        return { changes: input.changes.map((c) => ({ collection: c.collection, record_id: c.record_id, fields: Object.keys(c.fields) })) };
      }
      case 'deletion': case 'account_cancellation': {
        try {
          const out = await deps.records.eraseSubject(actor, r.subject_id, why);
          return { erased: true, records_erased: out.records_erased };
        } catch (e) {
          if (e instanceof AppError && e.code === 'vault.subject_erased') return { erased: true, records_erased: 0, already_erased: true };
          throw e;
        }
      }
      case 'restriction': {
        if (!input.purposes?.length) throw invalidField('purposes', '限制处理请求完成时必须列出目的（或 *）', 'must name the purposes to restrict (or *)');
        await db.transaction(async (tx) => {
          for (const p of input.purposes!) {
            await sql`insert into subject_restrictions (tenant_id, subject_id, purpose, reason) values (${actor.tenantId}, ${r.subject_id}, ${p}, ${why}) on conflict do nothing`.execute(tx);
          }
          await audit.record(tx, actor, [{ action: 'subject.restrict', decision: 'allow', subjectId: r.subject_id, details: { request_id: r.id, purposes: input.purposes } }]);
        });
        return { restricted_purposes: input.purposes };
      }
      case 'withdrawal': {
        if (!input.purposes?.length) throw invalidField('purposes', '撤回同意请求完成时必须列出目的', 'must name the purposes whose consent is withdrawn');
        const withdrawn: string[] = [], notGranted: string[] = [];
        for (const p of input.purposes) {
          try { await deps.consent.withdraw(actor, r.subject_id, p); withdrawn.push(p); } catch (e) {
            if (e instanceof AppError && e.code === 'consent.not_found') notGranted.push(p); else throw e;
          }
        }
        return { withdrawn, not_granted: notGranted };
      }
      case 'explanation': {
        if (!input.explanation?.trim()) throw invalidField('explanation', '解释说明请求完成时必须给出说明', 'must hold the explanation given');
        return { explanation: input.explanation };
      }
      default:
        return {};
    }
  }

  async function checkDeceasedInstruction(tx: Tx, tenantId: string, r: NonNullable<Row>) {
    if (r.kind !== 'deceased_relative') return;
    const ins = await tx.selectFrom('subject_instructions').select(['relatives']).where('tenant_id', '=', tenantId).where('subject_id', '=', r.subject_id).executeTakeFirst();
    if (ins?.relatives === 'deny') {
      throw conflict('rights.deceased_instruction', '死者生前另有安排：不允许近亲属行使这些权利（请以此理由拒绝请求）', 'The deceased arranged otherwise: next of kin may not exercise these rights (reject the request with that reason)', [{ rule: 'deceased_instruction', relatives: 'deny' }]);
    }
  }

  return {
    async create(actor: Actor, input: CreateRequestInput) {
      if (input.kind === 'deceased_relative' && !input.action) throw invalidField('action', '近亲属请求必须说明要行使的权利（access, copy, correction, deletion）', 'is required for a deceased_relative request (access, copy, correction, deletion)');
      if (input.kind !== 'deceased_relative' && input.action) throw invalidField('action', '只用于 deceased_relative 请求', 'is only for deceased_relative requests');
      return db.transaction(async (tx) => {
        // The data subject (signed in to the portal) may file a request about themselves only.
        if (actor.type === 'subject') { if (input.subject_id !== actor.id || input.kind === 'deceased_relative') throw forbidden('rights.subject_only', '只能为本人提交请求', 'a data subject may file requests about themselves only'); } else await manage(tx, actor);
        const s = await tx.selectFrom('subjects').select(['id', 'erased_at']).where('tenant_id', '=', actor.tenantId).where('id', '=', input.subject_id).executeTakeFirst();
        if (!s) throw notFound('rights.subject_not_found', '个人不存在', 'subject not found');
        if (s.erased_at) throw gone('vault.subject_erased', '该个人的信息已被删除，已无可处理的信息', 'the individual\'s data was already erased');
        const now = clock.now();
        const due = dueFrom(now);
        const id = newId('req');
        await tx.insertInto('rights_requests').values({
          tenant_id: actor.tenantId, id, subject_id: input.subject_id, kind: input.kind, received_at: now, due: due.day, due_basis: due.basis,
          requester: input.requester ? JSON.stringify(maskRequester(input.requester)) : null,
          requester_sealed: input.requester ? (await deps.keys.keyring(tx, actor.tenantId)).sealTenantPi(JSON.stringify(input.requester), requesterAad(id)) : null, details: JSON.stringify({ ...(input.action ? { action: input.action } : {}), ...(input.note ? { note: input.note } : {}) }), updated_at: now,
        }).execute();
        await audit.record(tx, actor, [{ action: 'request.create', decision: 'allow', subjectId: input.subject_id, details: { request_id: id, kind: input.kind, due: due.day, due_basis: due.basis, ...(input.action ? { action: input.action } : {}) } }]);
        return presentRequest(await loadRow(tx, actor.tenantId, id), now);
      });
    },

    /** The requests of the signed-in data subject (portal), newest first. */
    async listOwn(actor: Actor) {
      if (actor.type !== 'subject') throw forbidden('rights.subject_only', '仅限本人查看', 'for the data subject only');
      return db.transaction(async (tx) => {
        const now = clock.now();
        const rows = await tx.selectFrom('rights_requests').selectAll().where('tenant_id', '=', actor.tenantId).where('subject_id', '=', actor.id).orderBy('received_at', 'desc').orderBy('id').limit(200).execute();
        return rows.map((r) => presentRequest(r, now));
      });
    },

    async get(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadRow(tx, actor.tenantId, id);
        if (!r.requester_sealed) return presentRequest(r, clock.now());
        const requester = JSON.parse((await deps.keys.keyring(tx, actor.tenantId)).openTenantPi(r.requester_sealed, requesterAad(r.id))) as Requester;
        await audit.record(tx, actor, [{ action: 'request.read', decision: 'allow', subjectId: r.subject_id, details: { request_id: r.id, fields: ['requester'] } }]);
        return presentRequest(r, clock.now(), requester);
      });
    },

    async list(actor: Actor, q: ListRequestsInput & PageQuery<keyof typeof REQUEST_SORT.columns>) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const now = clock.now();
        const today = chinaDate(now);
        let s = tx.selectFrom('rights_requests').selectAll().where('tenant_id', '=', actor.tenantId);
        if (q.state) s = s.where('state', '=', q.state);
        if (q.kind) s = s.where('kind', '=', q.kind);
        if (q.subject_id) s = s.where('subject_id', '=', q.subject_id);
        if (q.due_before) s = s.where('due', '<', q.due_before);
        if (q.overdue === true) s = s.where('due', '<', today).where('state', 'in', OPEN_STATES);
        if (q.overdue === false) s = s.where((eb) => eb.or([eb('due', '>=', today), eb('state', 'not in', OPEN_STATES)]));
        const limit = Math.min(q.limit ?? 50, 200);
        const offset = q.offset ?? 0;
        const rows = await orderBySpec(s, q, REQUEST_SORT).limit(limit).offset(offset).execute();
        const total = await countOf(s);
        return { requests: rows.map((r) => presentRequest(r, now)), total, next_offset: offset + rows.length < total ? offset + rows.length : null };
      });
    },

    async transition(actor: Actor, id: string, input: TransitionInput) {
      const prepared = await db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadRow(tx, actor.tenantId, id, true);
        if (!canTransition(r.state as RequestState, input.to)) {
          throw conflict('rights.transition_not_allowed', `不能从 ${r.state} 转到 ${input.to}`, `cannot move a request from ${r.state} to ${input.to}`, [{ field: 'to', reason: `not allowed from ${r.state}` }]);
        }
        if (input.to === 'rejected') {
          if (!input.reason?.trim()) throw invalidField('reason', '拒绝请求必须说明理由（PIPL 第50条）', 'is required to reject a request (PIPL Art. 50)');
          const v = input.verification;
          await setState(tx, actor, r, 'rejected', { reason: input.reason, ...(v ? { verification_method: v.method, verification_result: v.result, verified_at: clock.now() } : {}) }, { reason_given: true, ...(v ? { verification_method: v.method, verification_result: v.result } : {}) });
          return null;
        }
        if (input.to === 'verifying') {
          await setState(tx, actor, r, 'verifying', {}, {});
          return null;
        }
        if (input.to === 'in_progress') {
          const v = input.verification;
          if (!v) throw invalidField('verification', '开始处理前必须记录身份核验的方式和结果', 'must record how the identity was verified and the result before processing');
          if (v.result !== 'passed') throw invalidField('verification.result', '身份核验未通过：请以此理由拒绝请求', 'is failed: reject the request with that reason');
          await checkDeceasedInstruction(tx, actor.tenantId, r);
          await setState(tx, actor, r, 'in_progress', { verification_method: v.method, verification_result: v.result, verified_at: clock.now() }, { verification_method: v.method, verification_result: v.result });
          return null;
        }
        if (r.verification_result !== 'passed') throw conflict('rights.identity_not_verified', '身份尚未核验通过', 'the identity has not been verified');
        await checkDeceasedInstruction(tx, actor.tenantId, r);
        return r;
      });
      if (prepared) {
        // Carried out by the vault/consent services in their own audited transactions; retrying a
        // completion after a crash is safe (an already erased subject counts as done).
        const out = await carryOut(actor, prepared, input);
        const { set, ...resolution } = out as { set?: Record<string, unknown> };
        await db.transaction(async (tx) => {
          const r = await loadRow(tx, actor.tenantId, id, true);
          if (r.state !== 'in_progress') throw conflict('rights.transition_not_allowed', '请求状态已被他人更改', 'the request changed state meanwhile');
          await setState(tx, actor, r, 'completed', { resolution: JSON.stringify(resolution), ...(set ?? {}) }, { resolution: Object.keys(resolution) });
        });
      }
      return this.get(actor, id);
    },

    /** Record the deceased's (or living subject's) instruction about next of kin (PIPL Art. 49). */
    async setInstruction(actor: Actor, subjectId: string, input: { relatives: 'allow' | 'deny'; note?: string }) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const s = await tx.selectFrom('subjects').select('id').where('tenant_id', '=', actor.tenantId).where('id', '=', subjectId).executeTakeFirst();
        if (!s) throw notFound('rights.subject_not_found', '个人不存在', 'subject not found');
        const row = { tenant_id: actor.tenantId, subject_id: subjectId, relatives: input.relatives, note: input.note ?? null, created_at: clock.now() };
        await tx.insertInto('subject_instructions').values(row).onConflict((oc) => oc.columns(['tenant_id', 'subject_id']).doUpdateSet(row)).execute();
        await audit.record(tx, actor, [{ action: 'subject.instruction', decision: 'allow', subjectId, details: { relatives: input.relatives } }]);
        return { subject_id: subjectId, relatives: input.relatives, note: input.note ?? null };
      });
    },

    /** Claim the one-time export of a completed request (atomically), or say why not. */
    async claimExport(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadRow(tx, actor.tenantId, id, true);
        const kind = effectiveKind(r.kind as RequestKind, (r.details as { action?: string } | null)?.action);
        if (!EXPORT_KINDS.has(kind)) throw conflict('rights.no_export', '该类请求没有导出', 'this kind of request has no export');
        if (r.state !== 'completed' || !r.export_expires_at) throw conflict('rights.export_not_ready', '请求完成后才能导出', 'the export is available once the request is completed');
        if (r.verification_result !== 'passed') throw conflict('rights.identity_not_verified', '身份尚未核验通过', 'the identity has not been verified');
        if (r.exported_at) throw gone('rights.export_taken', '导出只能下载一次，已被下载', 'the export can be downloaded once and already was');
        if (new Date(r.export_expires_at) <= clock.now()) throw gone('rights.export_expired', '导出已过期', 'the export has expired');
        await tx.updateTable('rights_requests').set({ exported_at: clock.now() }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        return { subject_id: r.subject_id, kind };
      });
    },

    /** The one-time export of a completed access/copy/portability request, as JSON, CSV or XLSX. */
    async exportRequest(actor: Actor, id: string, format: 'json' | 'csv' | 'xlsx') {
      const claim = await this.claimExport(actor, id);
      try {
        const data = await deps.subjects.exportSubject(actor, claim.subject_id, { request_id: id, format });
        const consents = await deps.consent.list(actor, claim.subject_id) as ConsentLine[];
        const purposes = await db.transaction((tx) => deps.access.listPurposes(tx, actor.tenantId)) as PurposeLine[];
        const doc = buildExportDocument({ requestId: id, kind: claim.kind, now: clock.now(), data, consents, purposes });
        if (format === 'xlsx') return { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', filename: `subject-export-${id}.xlsx`, body: await exportXlsx(doc) as Buffer | string };
        return format === 'csv' ? { contentType: 'text/csv; charset=utf-8', filename: `subject-export-${id}.csv`, body: exportCsv(doc) as Buffer | string } : { contentType: 'application/json; charset=utf-8', filename: `subject-export-${id}.json`, body: JSON.stringify(doc, null, 2) as Buffer | string };
      } catch (e) {
        // Nothing was handed out: the one download stays available.
        await db.kysely.updateTable('rights_requests').set({ exported_at: null }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        throw e;
      }
    },

    /** Daily job: flag requests due within 3 working days and overdue ones; firm up estimated deadlines. */
    /** Seal requesters written in plaintext before migration 0011, keeping only the masked form in the clear. */
    async sealLegacyRequesters(tenantId: string) {
      return db.transaction(async (tx) => {
        const rows = await tx.selectFrom('rights_requests').select(['id', 'requester']).where('tenant_id', '=', tenantId).where('requester', 'is not', null).where('requester_sealed', 'is', null).forUpdate().execute();
        if (!rows.length) return { sealed: 0 };
        const ring = await deps.keys.keyring(tx, tenantId);
        for (const r of rows) {
          const q = r.requester as Requester;
          await tx.updateTable('rights_requests').set({ requester: JSON.stringify(maskRequester(q)), requester_sealed: ring.sealTenantPi(JSON.stringify(q), requesterAad(r.id)) }).where('tenant_id', '=', tenantId).where('id', '=', r.id).execute();
        }
        return { sealed: rows.length };
      });
    },

    async flagDeadlines(tenantId: string, now: Date) {
      const system: Actor = { type: 'system', id: 'job:rights.deadlines', tenantId, roles: [] };
      const today = chinaDate(now);
      const soon = addWorkingDays(today, 3).day;
      return db.transaction(async (tx) => {
        const open = await tx.selectFrom('rights_requests').select(['id', 'subject_id', 'kind', 'due', 'due_basis', 'flag', 'received_at'])
          .where('tenant_id', '=', tenantId).where('state', 'in', OPEN_STATES).where((eb) => eb.or([eb('due', '<=', soon), eb('due_basis', '=', 'estimated'), eb('flag', 'is not', null)])).forUpdate().execute();
        const events = [];
        let overdue = 0, dueSoon = 0, redated = 0;
        for (const r of open) {
          let due = dayString(r.due);
          if (r.due_basis === 'estimated') {
            const d = dueFrom(new Date(r.received_at));
            if (d.basis === 'official' || d.day !== due) {
              await tx.updateTable('rights_requests').set({ due: d.day, due_basis: d.basis }).where('tenant_id', '=', tenantId).where('id', '=', r.id).execute();
              if (d.day !== due) events.push({ action: 'request.redate', decision: 'allow' as const, subjectId: r.subject_id, details: { request_id: r.id, from: due, to: d.day, basis: d.basis } });
              due = d.day; redated++;
            }
          }
          const flag = due < today ? 'overdue' : due <= soon ? 'due_soon' : null;
          if (flag === 'overdue') overdue++; else if (flag === 'due_soon') dueSoon++;
          if (flag !== r.flag) {
            await tx.updateTable('rights_requests').set({ flag, flagged_at: flag ? now : null }).where('tenant_id', '=', tenantId).where('id', '=', r.id).execute();
            events.push({ action: 'request.flag', decision: 'allow' as const, subjectId: r.subject_id, details: { request_id: r.id, kind: r.kind, due, flag } });
          }
        }
        await audit.record(tx, system, events);
        return { today, overdue, due_soon: dueSoon, redated, changed: events.length };
      });
    },
  };
}
export type RightsService = ReturnType<typeof createRightsService>;
