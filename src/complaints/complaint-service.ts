/**
 * Complaints (投诉) and reports (举报, PIPL Art. 65; also staff reporting internal misuse, optionally
 * anonymously): intake from the portal, email, phone, letter or in person (entered by staff), a category,
 * an SLA in working days, an assignee, replies and notes, closure with the customer's feedback, statistics.
 * An anonymous report keeps no reporter: no subject, no contact, and its audit event names the intake,
 * not the staff member who filed it. Every change is audited in its transaction.
 */
import type { Db, Tx } from '../db/connection.js';
import { orderBySpec, type PageQuery, type SortSpec } from '../db/paging.js';
import { conflict, forbidden, invalidField, notFound } from '../core/errors.js';
import { maskContact } from '../core/pi-types.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import type { KeyService } from '../crypto/keys-service.js';
import { addWorkingDays, workingDaysBetween } from '../rights/index.js';
import { chinaDate, toDay } from '../risks/index.js';

export const COMPLAINT_SORT: SortSpec<'received_at' | 'sla_due' | 'state' | 'category' | 'updated_at'> = { columns: { received_at: 'received_at', sla_due: 'sla_due', state: 'state', category: 'category', updated_at: 'updated_at' }, sort: 'received_at', order: 'desc', tiebreak: ['id'] };

export const COMPLAINT_KINDS = ['complaint', 'report'] as const;
export const COMPLAINT_CHANNELS = ['portal', 'email', 'phone', 'letter', 'in_person', 'internal'] as const;
export const COMPLAINT_CATEGORIES = ['rights_request', 'consent', 'marketing', 'data_leak', 'misuse', 'security', 'minors', 'third_party', 'other'] as const;
export const COMPLAINT_STATES = ['received', 'in_progress', 'replied', 'closed'] as const;
export const FEEDBACK = ['satisfied', 'neutral', 'unsatisfied'] as const;

export interface ComplaintInput {
  kind: (typeof COMPLAINT_KINDS)[number]; channel: (typeof COMPLAINT_CHANNELS)[number]; category: (typeof COMPLAINT_CATEGORIES)[number]; summary: string; description: string;
  anonymous?: boolean; subject_id?: string; contact?: string; assignee?: string;
}
export interface ComplaintPatch { category?: ComplaintInput['category']; assignee?: string | null; state?: 'in_progress' }
export interface MessageInput { direction: 'inbound' | 'outbound' | 'note'; body: string }
export interface CloseInput { resolution: string; feedback?: (typeof FEEDBACK)[number]; feedback_note?: string }
export interface ListComplaintsInput { state?: string; kind?: (typeof COMPLAINT_KINDS)[number]; category?: string; channel?: string; assignee?: string; overdue?: boolean; limit?: number; offset?: number }

export interface ComplaintDeps { db: Db; audit: Pick<AuditService, 'record'>; access: Pick<AccessService, 'requirePermission'>; keys: Pick<KeyService, 'keyring'>; clock: Clock; slaWorkingDays: number }

const contactAad = (id: string) => `complaints|${id}|contact`;
const bodyAad = (id: string) => `complaint_messages|${id}|body`;

const iso = (v: Date | null) => (v ? new Date(v).toISOString() : null);
type Row = Awaited<ReturnType<typeof loadRow>>;
async function loadRow(tx: Tx, tenantId: string, id: string, lock = false) {
  let q = tx.selectFrom('complaints').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (lock) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  if (!r) throw notFound('complaint.not_found', '投诉或举报不存在', 'complaint not found');
  return r;
}

/**
 * What staff see of a complaint. The contact is masked unless `contact` carries the opened value (the audited read of
 * one complaint); rows written before migration 0011 still hold it in plaintext until the legacy job seals them.
 */
export function presentComplaint(r: NonNullable<Row>, today: string, contact?: string | null) {
  const due = toDay(r.sla_due) as string;
  const open = r.state !== 'closed';
  return {
    id: r.id, kind: r.kind, channel: r.channel, category: r.category, summary: r.summary, anonymous: r.anonymous, subject_id: r.subject_id, contact: contact !== undefined ? contact : r.contact_masked ?? (r.contact ? maskContact(r.contact) : null),
    state: r.state, assignee: r.assignee, received_at: iso(r.received_at), sla_due: due, due_basis: r.due_basis,
    working_days_left: open ? (due >= today ? workingDaysBetween(today, due) : -workingDaysBetween(due, today)) : null, overdue: open && due < today, flag: r.flag,
    first_reply_at: iso(r.first_reply_at), closed_at: iso(r.closed_at), resolution: r.resolution, feedback: r.feedback, feedback_note: r.feedback_note, updated_at: iso(r.updated_at),
  };
}

export function createComplaintService(deps: ComplaintDeps) {
  const { db, audit, access, clock } = deps;
  const manage = (tx: Tx, actor: Actor) => access.requirePermission(tx, actor, 'complaints.manage');
  const today = () => chinaDate(clock.now());
  /** A message row with its text sealed (ADR 0012). */
  async function message(tx: Tx, tenantId: string, m: { complaint_id: string; direction: 'inbound' | 'outbound' | 'note'; body: string; author: string | null; at: Date }) {
    const id = newId('cmm');
    return { tenant_id: tenantId, id, complaint_id: m.complaint_id, direction: m.direction, body: null, body_sealed: (await deps.keys.keyring(tx, tenantId)).sealTenantPi(m.body, bodyAad(id)), author: m.author, at: m.at };
  }
  async function openBodies<M extends { id: string; body: string | null; body_sealed: Buffer | null }>(tx: Tx, tenantId: string, rows: M[]) {
    const ring = rows.some((m) => m.body_sealed) ? await deps.keys.keyring(tx, tenantId) : null;
    return rows.map(({ body_sealed, ...m }) => ({ ...m, body: body_sealed ? ring!.openTenantPi(body_sealed, bodyAad(m.id)) : (m.body as string) }));
  }
  async function openContact(tx: Tx, r: NonNullable<Row>): Promise<string | null> {
    if (r.contact_sealed) return (await deps.keys.keyring(tx, r.tenant_id)).openTenantPi(r.contact_sealed, contactAad(r.id));
    return r.contact;
  }

  async function slaDays(tx: Tx, tenantId: string) {
    const s = await tx.selectFrom('compliance_settings').select('complaint_sla_working_days').where('tenant_id', '=', tenantId).executeTakeFirst();
    return s?.complaint_sla_working_days ?? deps.slaWorkingDays;
  }

  return {
    async create(actor: Actor, input: ComplaintInput) {
      if (input.anonymous && input.kind !== 'report') throw invalidField('anonymous', '只有举报可以匿名', 'only a report can be anonymous');
      if (input.anonymous && (input.subject_id || input.contact)) throw invalidField(input.subject_id ? 'subject_id' : 'contact', '匿名举报不记录举报人', 'must be empty for an anonymous report');
      return db.transaction(async (tx) => {
        // Any staff member may report internal misuse; everything else needs the complaints permission.
        const internalReport = input.kind === 'report' && input.channel === 'internal' && actor.type === 'staff';
        // A data subject signed in to the portal files a complaint about their own information, through the portal.
        if (actor.type === 'subject') {
          if (input.kind !== 'complaint' || input.channel !== 'portal' || input.subject_id !== actor.id || input.anonymous) throw forbidden('complaint.subject_only', '只能以本人名义通过门户投诉', 'a data subject files complaints in their own name through the portal');
        } else if (!internalReport) await manage(tx, actor);
        if (input.subject_id) {
          const s = await tx.selectFrom('subjects').select('id').where('tenant_id', '=', actor.tenantId).where('id', '=', input.subject_id).executeTakeFirst();
          if (!s) throw invalidField('subject_id', '不是已知的个人', 'is not a known individual');
        }
        const now = clock.now();
        const due = addWorkingDays(chinaDate(now), await slaDays(tx, actor.tenantId));
        const id = newId('cmp');
        const contact = input.contact ? { contact_sealed: (await deps.keys.keyring(tx, actor.tenantId)).sealTenantPi(input.contact, contactAad(id)), contact_masked: maskContact(input.contact) } : {};
        await tx.insertInto('complaints').values({
          tenant_id: actor.tenantId, id, kind: input.kind, channel: input.channel, category: input.category, summary: input.summary, anonymous: Boolean(input.anonymous),
          subject_id: input.subject_id ?? null, contact: null, ...contact, assignee: input.assignee ?? null, received_at: now, sla_due: due.day, due_basis: due.basis, updated_at: now,
        }).execute();
        await tx.insertInto('complaint_messages').values(await message(tx, actor.tenantId, { complaint_id: id, direction: 'inbound', body: input.description, author: input.anonymous ? null : actor.id, at: now })).execute();
        const who: Actor = input.anonymous ? { type: 'system', id: 'intake:anonymous', tenantId: actor.tenantId, roles: [] } : actor;
        await audit.record(tx, who, [{ action: 'complaint.create', decision: 'allow', subjectId: input.subject_id ?? null, details: { complaint_id: id, kind: input.kind, channel: input.channel, category: input.category, anonymous: Boolean(input.anonymous), sla_due: due.day } }]);
        return { id, kind: input.kind, state: 'received', sla_due: due.day, anonymous: Boolean(input.anonymous) };
      });
    },

    async get(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadRow(tx, actor.tenantId, id);
        const messages = await openBodies(tx, actor.tenantId, await tx.selectFrom('complaint_messages').select(['id', 'direction', 'body', 'body_sealed', 'author', 'at']).where('tenant_id', '=', actor.tenantId).where('complaint_id', '=', id).orderBy('at').orderBy('id').execute());
        await audit.record(tx, actor, [{ action: 'complaint.read', decision: 'allow', subjectId: r.subject_id, details: { complaint_id: id } }]);
        return { ...presentComplaint(r, today(), await openContact(tx, r)), messages: messages.map((m) => ({ ...m, at: iso(m.at) })) };
      });
    },

    /** The signed-in data subject's own complaints (portal), newest first, with the replies sent to them. */
    async listOwn(actor: Actor) {
      if (actor.type !== 'subject') throw forbidden('complaint.subject_only', '仅限本人查看', 'for the data subject only');
      return db.transaction(async (tx) => {
        const rows = await tx.selectFrom('complaints').select(['id', 'category', 'summary', 'state', 'received_at', 'sla_due', 'closed_at', 'resolution'])
          .where('tenant_id', '=', actor.tenantId).where('subject_id', '=', actor.id).where('anonymous', '=', false).orderBy('received_at', 'desc').limit(100).execute();
        const replies = rows.length ? await openBodies(tx, actor.tenantId, await tx.selectFrom('complaint_messages').select(['id', 'complaint_id', 'body', 'body_sealed', 'at']).where('tenant_id', '=', actor.tenantId)
          .where('complaint_id', 'in', rows.map((r) => r.id)).where('direction', '=', 'outbound').orderBy('at').execute()) : [];
        return rows.map((r) => ({
          id: r.id, category: r.category, summary: r.summary, state: r.state, received_at: iso(r.received_at), sla_due: toDay(r.sla_due) as string, closed_at: iso(r.closed_at), resolution: r.resolution,
          replies: replies.filter((m) => m.complaint_id === r.id).map((m) => ({ at: iso(m.at), body: m.body })),
        }));
      });
    },

    async list(actor: Actor, q: ListComplaintsInput & PageQuery<keyof typeof COMPLAINT_SORT.columns>) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const t = today();
        let s = tx.selectFrom('complaints').selectAll().where('tenant_id', '=', actor.tenantId);
        if (q.state) s = s.where('state', '=', q.state);
        if (q.kind) s = s.where('kind', '=', q.kind);
        if (q.category) s = s.where('category', '=', q.category);
        if (q.channel) s = s.where('channel', '=', q.channel);
        if (q.assignee) s = s.where('assignee', '=', q.assignee);
        if (q.overdue === true) s = s.where('state', '!=', 'closed').where('sla_due', '<', t);
        const limit = Math.min(q.limit ?? 50, 200), offset = q.offset ?? 0;
        const total = Number((await s.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
        const rows = await orderBySpec(s, q, COMPLAINT_SORT).limit(limit).offset(offset).execute();
        return { complaints: rows.map((r) => presentComplaint(r, t)), total, next_offset: offset + rows.length < total ? offset + rows.length : null };
      });
    },

    async update(actor: Actor, id: string, patch: ComplaintPatch) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadRow(tx, actor.tenantId, id, true);
        if (r.state === 'closed') throw conflict('complaint.closed', '已关闭', 'the complaint is closed');
        await tx.updateTable('complaints').set({ ...patch, updated_at: clock.now() }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await audit.record(tx, actor, [{ action: 'complaint.update', decision: 'allow', subjectId: r.subject_id, details: { complaint_id: id, changed: Object.keys(patch), state: patch.state ?? r.state } }]);
        return presentComplaint(await loadRow(tx, actor.tenantId, id), today());
      });
    },

    /** A reply to the customer (outbound), what the customer said (inbound), or an internal note. */
    async addMessage(actor: Actor, id: string, input: MessageInput) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadRow(tx, actor.tenantId, id, true);
        if (r.state === 'closed') throw conflict('complaint.closed', '已关闭的投诉不能再回复', 'the complaint is closed');
        if (input.direction === 'outbound' && r.anonymous) throw conflict('complaint.anonymous', '匿名举报无法回复举报人（可添加内部备注）', 'an anonymous report has nobody to reply to (add a note instead)');
        const now = clock.now();
        await tx.insertInto('complaint_messages').values(await message(tx, actor.tenantId, { complaint_id: id, direction: input.direction, body: input.body, author: actor.id, at: now })).execute();
        const state = input.direction === 'outbound' ? 'replied' : input.direction === 'inbound' ? 'in_progress' : r.state === 'received' ? 'in_progress' : r.state;
        await tx.updateTable('complaints').set({ state, updated_at: now, ...(input.direction === 'outbound' && !r.first_reply_at ? { first_reply_at: now } : {}) }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await audit.record(tx, actor, [{ action: `complaint.${input.direction === 'outbound' ? 'reply' : input.direction === 'inbound' ? 'inbound' : 'note'}`, decision: 'allow', subjectId: r.subject_id, details: { complaint_id: id, state } }]);
        return presentComplaint(await loadRow(tx, actor.tenantId, id), today());
      });
    },

    async close(actor: Actor, id: string, input: CloseInput) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadRow(tx, actor.tenantId, id, true);
        if (r.state === 'closed') throw conflict('complaint.closed', '已关闭', 'the complaint is already closed');
        if (!r.anonymous && !r.first_reply_at) throw conflict('complaint.no_reply', '关闭前须答复投诉人', 'reply to the complainant before closing');
        const now = clock.now();
        await tx.updateTable('complaints').set({ state: 'closed', closed_at: now, resolution: input.resolution, feedback: input.feedback ?? null, feedback_note: input.feedback_note ?? null, flag: null, updated_at: now }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await audit.record(tx, actor, [{ action: 'complaint.close', decision: 'allow', subjectId: r.subject_id, details: { complaint_id: id, feedback: input.feedback ?? null, on_time: chinaDate(now) <= (toDay(r.sla_due) as string) } }]);
        return presentComplaint(await loadRow(tx, actor.tenantId, id), today());
      });
    },

    /** The customer's feedback, recorded when it arrives after closure. */
    async feedback(actor: Actor, id: string, input: { feedback: (typeof FEEDBACK)[number]; feedback_note?: string }) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadRow(tx, actor.tenantId, id, true);
        if (r.state !== 'closed') throw conflict('complaint.not_closed', '关闭后才能记录评价', 'feedback is recorded once the complaint is closed');
        if (r.anonymous) throw forbidden('complaint.anonymous', '匿名举报没有评价人', 'an anonymous report has nobody to give feedback');
        await tx.updateTable('complaints').set({ feedback: input.feedback, feedback_note: input.feedback_note ?? null, updated_at: clock.now() }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await audit.record(tx, actor, [{ action: 'complaint.feedback', decision: 'allow', subjectId: r.subject_id, details: { complaint_id: id, feedback: input.feedback } }]);
        return presentComplaint(await loadRow(tx, actor.tenantId, id), today());
      });
    },

    /** Counts by kind, category, channel and state; overdue; on-time closure; reply and resolution times; satisfaction. */
    async stats(actor: Actor, q: { from?: string; to?: string }) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        let s = tx.selectFrom('complaints').select(['kind', 'category', 'channel', 'state', 'received_at', 'sla_due', 'first_reply_at', 'closed_at', 'feedback']).where('tenant_id', '=', actor.tenantId);
        if (q.from) s = s.where('received_at', '>=', new Date(`${q.from}T00:00:00+08:00`));
        if (q.to) s = s.where('received_at', '<', new Date(Date.parse(`${q.to}T00:00:00+08:00`) + 86_400_000));
        const rows = await s.execute();
        const t = today();
        const count = (key: 'kind' | 'category' | 'channel' | 'state') => rows.reduce<Record<string, number>>((a, r) => { const k = String(r[key]); a[k] = (a[k] ?? 0) + 1; return a; }, {});
        const closed = rows.filter((r) => r.closed_at);
        const replied = rows.filter((r) => r.first_reply_at);
        const avg = (xs: number[]) => (xs.length ? Math.round((xs.reduce((a, x) => a + x, 0) / xs.length) * 10) / 10 : null);
        const fb = rows.filter((r) => r.feedback);
        return {
          total: rows.length, by_kind: count('kind'), by_category: count('category'), by_channel: count('channel'), by_state: count('state'),
          open: rows.filter((r) => r.state !== 'closed').length, overdue: rows.filter((r) => r.state !== 'closed' && (toDay(r.sla_due) as string) < t).length,
          closed_on_time_rate: closed.length ? Math.round((closed.filter((r) => chinaDate(new Date(r.closed_at as Date)) <= (toDay(r.sla_due) as string)).length / closed.length) * 1000) / 1000 : null,
          avg_first_reply_hours: avg(replied.map((r) => (new Date(r.first_reply_at as Date).getTime() - new Date(r.received_at).getTime()) / 3_600_000)),
          avg_resolution_days: avg(closed.map((r) => (new Date(r.closed_at as Date).getTime() - new Date(r.received_at).getTime()) / 86_400_000)),
          feedback: { satisfied: fb.filter((r) => r.feedback === 'satisfied').length, neutral: fb.filter((r) => r.feedback === 'neutral').length, unsatisfied: fb.filter((r) => r.feedback === 'unsatisfied').length, satisfaction_rate: fb.length ? Math.round((fb.filter((r) => r.feedback === 'satisfied').length / fb.length) * 1000) / 1000 : null },
        };
      });
    },

    async setSla(actor: Actor, workingDays: number) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        await tx.insertInto('compliance_settings').values({ tenant_id: actor.tenantId, complaint_sla_working_days: workingDays, updated_at: clock.now() })
          .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ complaint_sla_working_days: workingDays, updated_at: clock.now() })).execute();
        await audit.record(tx, actor, [{ action: 'complaint.sla', decision: 'allow', details: { working_days: workingDays } }]);
        return { sla_working_days: workingDays };
      });
    },

    /** Seal contacts and message texts written in plaintext before migrations 0011/0013 and clear the plaintext (daily job `pi.seal_legacy`). */
    async sealLegacyPlaintext(tenantId: string) {
      return db.transaction(async (tx) => {
        const rows = await tx.selectFrom('complaints').select(['id', 'contact']).where('tenant_id', '=', tenantId).where('contact', 'is not', null).forUpdate().execute();
        const msgs = await tx.selectFrom('complaint_messages').select(['id', 'body']).where('tenant_id', '=', tenantId).where('body', 'is not', null).forUpdate().execute();
        if (!rows.length && !msgs.length) return { sealed: 0, messages: 0 };
        const ring = await deps.keys.keyring(tx, tenantId);
        for (const r of rows) {
          const c = r.contact as string;
          await tx.updateTable('complaints').set({ contact: null, contact_sealed: ring.sealTenantPi(c, contactAad(r.id)), contact_masked: maskContact(c) }).where('tenant_id', '=', tenantId).where('id', '=', r.id).execute();
        }
        for (const m of msgs) {
          await tx.updateTable('complaint_messages').set({ body: null, body_sealed: ring.sealTenantPi(m.body as string, bodyAad(m.id)) }).where('tenant_id', '=', tenantId).where('id', '=', m.id).execute();
        }
        return { sealed: rows.length, messages: msgs.length };
      });
    },

    /** Daily job: flag open complaints due within 2 working days and overdue ones. */
    async flagSla(tenantId: string, now: Date) {
      const system: Actor = { type: 'system', id: 'job:complaints.sla', tenantId, roles: [] };
      const t = chinaDate(now);
      const soon = addWorkingDays(t, 2).day;
      return db.transaction(async (tx) => {
        const rows = await tx.selectFrom('complaints').select(['id', 'sla_due', 'flag']).where('tenant_id', '=', tenantId).where('state', '!=', 'closed').forUpdate().execute();
        const events = [];
        let overdue = 0, dueSoon = 0;
        for (const r of rows) {
          const due = toDay(r.sla_due) as string;
          const flag = due < t ? 'overdue' : due <= soon ? 'due_soon' : null;
          if (flag === 'overdue') overdue++; else if (flag) dueSoon++;
          if (flag !== r.flag) {
            await tx.updateTable('complaints').set({ flag }).where('tenant_id', '=', tenantId).where('id', '=', r.id).execute();
            events.push({ action: 'complaint.flag', decision: 'allow' as const, details: { complaint_id: r.id, flag } });
          }
        }
        await audit.record(tx, system, events);
        return { today: t, overdue, due_soon: dueSoon, changed: events.length };
      });
    },
  };
}
export type ComplaintService = ReturnType<typeof createComplaintService>;
