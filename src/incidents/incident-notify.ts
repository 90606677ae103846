/**
 * Notifying affected individuals (PIPL Art. 57): one notice per individual and channel, rendered with
 * their own affected PI types, queued in `incident_notifications` and delivered by a job through the
 * notifier (per-recipient state, retries with backoff). The contact address is read through the vault
 * at delivery time, as the person who started the notification and for the notification purpose, so
 * the grant, legal basis and audit of an ordinary read apply; the address is never stored here.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/connection.js';
import { AppError, conflict, invalidField } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { Actor, AuditInput, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import type { CollectionStore, RecordsService } from '../vault/index.js';
import { addTimeline, loadIncident, loadSettings } from './incident-repo.js';
import { scopeKinds } from './incident-scope.js';
import { missingNoticeParts, renderNotice, type NoticeFacts } from './notice-text.js';
import type { Notifier } from './notifier.js';
import { publish } from './sinks.js';
import type { Channel, NotifyInput } from './incident-types.js';

export interface NotifyDeps {
  db: Db;
  audit: Pick<AuditService, 'record'>;
  access: Pick<AccessService, 'requirePermission'>;
  records: Pick<RecordsService, 'read'>;
  collections: Pick<CollectionStore, 'list'>;
  notifier: Notifier;
  clock: Clock;
}

interface NotifyState { channels: Channel[]; language: 'zh-CN' | 'en'; purpose: string; actor: { type: Actor['type']; id: string }; started_at: string; notifier: string }

const MAX_ATTEMPTS = 5;
const CONTACT_TYPE: Record<Channel, string> = { sms: 'mobile', email: 'email' };

function facts(r: Awaited<ReturnType<typeof loadIncident>>, organisation: string): NoticeFacts {
  return { organisation, kind: r.kind as NoticeFacts['kind'], detectedAt: new Date(r.detected_at), cause: r.cause, harm: r.harm, remedies: r.remedies, subjectActions: r.subject_actions, contact: r.contact };
}

export function createNotifyService(deps: NotifyDeps) {
  const { db, audit, access, clock, notifier } = deps;
  const manage = (tx: Tx, actor: Actor) => access.requirePermission(tx, actor, 'incidents.manage');

  /** The roles the starter of a notification holds now (a revoked key or disabled account holds none). */
  async function delegate(tx: Tx, tenantId: string, who: NotifyState['actor']): Promise<Actor | null> {
    if (who.type === 'api_key') {
      const k = await tx.selectFrom('api_keys').select(['roles', 'revoked_at', 'expires_at']).where('tenant_id', '=', tenantId).where('id', '=', who.id).executeTakeFirst();
      if (!k || k.revoked_at || (k.expires_at && new Date(k.expires_at) < clock.now())) return null;
      return { type: 'api_key', id: who.id, tenantId, roles: k.roles };
    }
    if (who.type === 'staff') {
      const s = await tx.selectFrom('staff').select(['roles', 'disabled_at']).where('tenant_id', '=', tenantId).where('id', '=', who.id).executeTakeFirst();
      if (!s || s.disabled_at) return null;
      return { type: 'staff', id: who.id, tenantId, roles: s.roles };
    }
    if (who.type === 'cli') return { type: 'cli', id: who.id, tenantId, roles: ['owner'] };
    return null;
  }

  return {
    /** Queue a notice for every affected individual on each channel (idempotent per individual and channel). */
    async start(actor: Actor, incidentId: string, input: NotifyInput) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadIncident(tx, actor.tenantId, incidentId, true);
        if (r.state === 'closed') throw conflict('incident.closed', '事件已结案', 'the incident is closed');
        if (!r.scoped_at) throw conflict('incident.not_scoped', '请先划定影响范围（/scope），再通知受影响的个人', 'establish the scope (/scope) before notifying the individuals');
        const missing = missingNoticeParts({ cause: r.cause, harm: r.harm, remedies: r.remedies, subjectActions: r.subject_actions, contact: r.contact });
        if (missing.length) {
          throw new AppError(422, 'incident.notice_incomplete', `通知必须包含第57条要求的内容，缺少：${missing.join(', ')}`, `a notice must hold what PIPL Art. 57 requires; missing: ${missing.join(', ')}`, missing.map((f) => ({ field: f, reason: 'required in the notice (PIPL Art. 57)' })));
        }
        const s = await loadSettings(tx, actor.tenantId);
        const purpose = input.purpose ?? s.notification_purpose;
        const p = await tx.selectFrom('purposes').select(['name', 'legal_basis']).where('tenant_id', '=', actor.tenantId).where('name', '=', purpose).executeTakeFirst();
        if (!p) throw invalidField('purpose', `目的 ${purpose} 未登记：请登记法律依据为 legal_obligation 的通知目的，并授予读取联系方式（明文）的角色`, `${purpose} is not a registered purpose: register it with legal_basis legal_obligation and grant a role plain read of the contact fields`);
        const language = input.language ?? 'zh-CN';
        const combos = await scopeKinds(tx, actor.tenantId, incidentId);
        const f = facts(r, s.organisation);
        const now = clock.now();
        let queued = 0;
        for (const c of combos) {
          const body = renderNotice(f, c.types, language).body;
          for (const ch of input.channels) {
            const res = await sql`insert into incident_notifications (tenant_id, incident_id, subject_id, channel, language, body, next_attempt_at, created_at)
              select tenant_id, incident_id, subject_id, ${ch}, ${language}, ${body}, ${now}, ${now} from incident_subjects
              where tenant_id = ${actor.tenantId} and incident_id = ${incidentId} and types = ${c.types}::text[]
              on conflict do nothing`.execute(tx);
            queued += Number(res.numAffectedRows ?? 0);
          }
        }
        const state: NotifyState = { channels: input.channels, language, purpose, actor: { type: actor.type, id: actor.id }, started_at: now.toISOString(), notifier: notifier.name };
        await tx.updateTable('incidents').set({ notify: JSON.stringify(state), updated_at: now }).where('tenant_id', '=', actor.tenantId).where('id', '=', incidentId).execute();
        await addTimeline(tx, actor, incidentId, 'notification.started', null, { channels: input.channels, language, purpose, queued }, now);
        await audit.record(tx, actor, [{ action: 'incident.notify', decision: 'allow', purpose, details: { incident_id: incidentId, channels: input.channels, language, queued } }]);
        await publish(tx, actor.tenantId, [{ type: 'incident.notification_started', incident_id: incidentId, channels: input.channels, queued }]);
        return { incident_id: incidentId, queued, channels: input.channels, language, purpose, notifier: notifier.name };
      });
    },

    /** Put failed notices back in the queue (e.g. after the grant or the gateway was fixed), as this actor. */
    async retryFailed(actor: Actor, incidentId: string) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadIncident(tx, actor.tenantId, incidentId, true);
        const n = r.notify as NotifyState | null;
        if (!n) throw conflict('incident.not_notified', '尚未开始通知', 'no notification was started');
        const now = clock.now();
        const res = await tx.updateTable('incident_notifications').set({ state: 'pending', attempts: 0, next_attempt_at: now, last_error: null })
          .where('tenant_id', '=', actor.tenantId).where('incident_id', '=', incidentId).where('state', '=', 'failed').executeTakeFirst();
        await tx.updateTable('incidents').set({ notify: JSON.stringify({ ...n, actor: { type: actor.type, id: actor.id } }), updated_at: now }).where('tenant_id', '=', actor.tenantId).where('id', '=', incidentId).execute();
        const requeued = Number(res.numUpdatedRows);
        await addTimeline(tx, actor, incidentId, 'notification.retry', null, { requeued }, now);
        await audit.record(tx, actor, [{ action: 'incident.notify_retry', decision: 'allow', details: { incident_id: incidentId, requeued } }]);
        return { requeued };
      });
    },

    async list(actor: Actor, incidentId: string, q: { state?: string; channel?: Channel; limit?: number; offset?: number }) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        await loadIncident(tx, actor.tenantId, incidentId);
        let sel = tx.selectFrom('incident_notifications').where('tenant_id', '=', actor.tenantId).where('incident_id', '=', incidentId);
        if (q.state) sel = sel.where('state', '=', q.state);
        if (q.channel) sel = sel.where('channel', '=', q.channel);
        const limit = Math.min(q.limit ?? 50, 500);
        const offset = q.offset ?? 0;
        const total = Number((await sel.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
        const rows = await sel.select(['subject_id', 'channel', 'language', 'state', 'attempts', 'next_attempt_at', 'last_error', 'sent_at', 'message_ref', 'body']).orderBy('subject_id').orderBy('channel').limit(limit).offset(offset).execute();
        return {
          notifications: rows.map((x) => ({ ...x, next_attempt_at: x.state === 'pending' ? new Date(x.next_attempt_at).toISOString() : null, sent_at: x.sent_at ? new Date(x.sent_at).toISOString() : null })),
          total, next_offset: offset + rows.length < total ? offset + rows.length : null,
        };
      });
    },

    /** Job: deliver due notices of a tenant within a time budget. */
    async deliver(tenantId: string, now: Date, opts: { budgetMs?: number; batch?: number } = {}) {
      const started = Date.now();
      const budget = opts.budgetMs ?? 20_000;
      let sent = 0, failed = 0, noContact = 0, retried = 0;
      const incidents = await db.kysely.selectFrom('incident_notifications').select('incident_id').distinct().where('tenant_id', '=', tenantId).where('state', '=', 'pending').where('next_attempt_at', '<=', now).limit(20).execute();
      const cols = await db.transaction((tx) => deps.collections.list(tx, tenantId));
      const contactCols: Record<Channel, Array<{ collection: string; field: string }>> = { sms: [], email: [] };
      for (const c of cols) for (const ch of ['sms', 'email'] as Channel[]) {
        const fd = c.fields.find((x) => x.type === CONTACT_TYPE[ch]);
        if (fd) contactCols[ch].push({ collection: c.name, field: fd.name });
      }
      for (const { incident_id: incidentId } of incidents) {
        const inc = await db.transaction((tx) => loadIncident(tx, tenantId, incidentId));
        const st = inc.notify as NotifyState | null;
        if (!st) continue;
        const s = await db.transaction((tx) => loadSettings(tx, tenantId));
        const subjectLine = renderNotice(facts(inc, s.organisation), [], st.language).subject;
        const who = await db.transaction((tx) => delegate(tx, tenantId, st.actor));
        for (;;) {
          if (Date.now() - started > budget) break;
          const due = await db.kysely.selectFrom('incident_notifications').select(['subject_id', 'channel', 'attempts', 'body', 'language']).where('tenant_id', '=', tenantId).where('incident_id', '=', incidentId)
            .where('state', '=', 'pending').where('next_attempt_at', '<=', now).orderBy('subject_id').orderBy('channel').limit(opts.batch ?? 100).execute();
          if (due.length === 0) break;
          const subjects = [...new Set(due.map((d) => d.subject_id))];
          const recs = await db.kysely.selectFrom('records as r').innerJoin('collections as c', (j) => j.onRef('c.tenant_id', '=', 'r.tenant_id').onRef('c.id', '=', 'r.collection_id'))
            .select(['r.id', 'r.subject_id', 'c.name']).where('r.tenant_id', '=', tenantId).where('r.subject_id', 'in', subjects).orderBy('c.name').orderBy('r.created_at').execute();
          const outcomes: Array<{ subject_id: string; channel: string; state: string; attempts: number; error: string | null; ref: string | null; next: Date }> = [];
          for (const d of due) {
            const ch = d.channel as Channel;
            const attempts = d.attempts + 1;
            const outcome = (state: string, error: string | null, ref: string | null = null) => outcomes.push({ subject_id: d.subject_id, channel: ch, state, attempts, error, ref, next: new Date(now.getTime() + 60_000 * 2 ** (attempts - 1)) });
            if (!who) { outcome('failed', 'incident.notifier_identity_inactive'); continue; }
            const target = contactCols[ch].map((cc) => ({ cc, rec: recs.find((r) => r.subject_id === d.subject_id && r.name === cc.collection) })).find((x) => x.rec);
            if (!target) { outcome('no_contact', null); continue; }
            let address: string;
            try {
              const view = await deps.records.read({ ...who, requestId: `notify:${incidentId}` }, { collection: target.cc.collection, id: target.rec!.id, purpose: st.purpose, fields: [target.cc.field] });
              const v = view.fields[target.cc.field];
              if (v === undefined || v === null || v === '') { outcome('no_contact', null); continue; }
              address = String(v);
              if (address.includes('*')) { outcome('failed', 'incident.contact_masked'); continue; }
            } catch (e) {
              if (e instanceof AppError && (e.status === 410 || e.status === 404)) { outcome('no_contact', null); continue; }
              if (e instanceof AppError && e.status === 403) { outcome('failed', e.code); continue; }
              outcome(attempts >= MAX_ATTEMPTS ? 'failed' : 'pending', (e as Error).message?.slice(0, 200) ?? 'error');
              continue;
            }
            try {
              const res = await notifier.send({ channel: ch, to: address, subject: subjectLine, body: d.body, language: d.language, reference: `${incidentId}/${d.subject_id}/${ch}` });
              outcome('sent', null, res.messageRef);
            } catch (e) {
              outcome(attempts >= MAX_ATTEMPTS ? 'failed' : 'pending', `send failed: ${String((e as Error)?.message ?? e).replace(/\S+@\S+|\+?\d{7,}/g, '[address]').slice(0, 200)}`);
            }
          }
          await db.transaction(async (tx) => {
            const system: Actor = { type: 'system', id: 'job:incidents.notify', tenantId, roles: [] };
            const events: AuditInput[] = [];
            for (const o of outcomes) {
              await tx.updateTable('incident_notifications').set({
                state: o.state, attempts: o.attempts, last_error: o.error, ...(o.state === 'sent' ? { sent_at: now, message_ref: o.ref } : {}), ...(o.state === 'pending' ? { next_attempt_at: o.next } : {}),
              }).where('tenant_id', '=', tenantId).where('incident_id', '=', incidentId).where('subject_id', '=', o.subject_id).where('channel', '=', o.channel).execute();
              if (o.state !== 'pending') events.push({ action: 'incident.notice_delivery', decision: o.state === 'sent' ? 'allow' : 'deny', subjectId: o.subject_id, reason: o.error ?? (o.state === 'no_contact' ? 'no_contact' : null), details: { incident_id: incidentId, channel: o.channel, state: o.state, via: notifier.name } });
            }
            await audit.record(tx, system, events);
          });
          for (const o of outcomes) { if (o.state === 'sent') sent++; else if (o.state === 'failed') failed++; else if (o.state === 'no_contact') noContact++; else retried++; }
          if (outcomes.every((o) => o.state === 'pending')) break;
        }
        const left = await db.kysely.selectFrom('incident_notifications').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('incident_id', '=', incidentId).where('state', '=', 'pending').executeTakeFirstOrThrow();
        if (Number(left.n) === 0) {
          await db.transaction(async (tx) => {
            const counts = await tx.selectFrom('incident_notifications').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).where('tenant_id', '=', tenantId).where('incident_id', '=', incidentId).groupBy('state').execute();
            const done = Object.fromEntries(counts.map((c) => [c.state, Number(c.n)]));
            await addTimeline(tx, { type: 'system', id: 'job:incidents.notify', tenantId, roles: [] }, incidentId, 'notification.finished', null, done, now);
            await publish(tx, tenantId, [{ type: 'incident.notification_finished', incident_id: incidentId, ...done }]);
          });
        }
      }
      return { sent, failed, no_contact: noContact, retrying: retried, ms: Date.now() - started };
    },
  };
}
export type NotifyService = ReturnType<typeof createNotifyService>;
