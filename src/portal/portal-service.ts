/**
 * Customer self-service portal (issue 7). A customer proves control of the phone or email on record with a
 * one-time code, then sees their own data masked, their consents (and withdraws one), files rights requests
 * and follows them, and files complaints. The answer to a code request is the same whether or not the
 * contact is known (no enumeration): an unknown contact gets a challenge row too, which no code opens.
 * Only hashes are stored (code: HMAC under a per-challenge salt; contact and client address: keyed hashes).
 * A portal session is its own identity kind (actor type `subject`); it never authenticates anywhere else.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db, Tx } from '../db/connection.js';
import { pageArray, type PageQuery, type SortOrder } from '../db/paging.js';
import { AppError, invalidField, notFound, unauthorized } from '../core/errors.js';
import { newId, newSecret } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import { readOutbox, type Notifier } from '../core/notifier.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import type { SubjectLookup } from '../vault/index.js';
import type { ConsentService } from '../consent/index.js';
import type { RequestKind, RightsService } from '../rights/index.js';
import type { ComplaintService } from '../complaints/index.js';
import { CHANNEL_KIND, CODE_TTL_MINUTES, MAX_ATTEMPTS, challengeState, codeMatches, codeMessage, hashCode, maskRecipient, newCode, rateLimit, type PortalChannel } from './portal-rules.js';

export interface PortalLimits { codesPerContact: number; codesPerIp: number; windowMinutes: number; sessionIdleMinutes: number }
export interface PortalDeps {
  db: Db;
  audit: Pick<AuditService, 'record'>;
  access: Pick<AccessService, 'requirePermission'>;
  lookup: SubjectLookup;
  consent: Pick<ConsentService, 'list' | 'withdraw'>;
  rights: Pick<RightsService, 'create' | 'listOwn'>;
  complaints: Pick<ComplaintService, 'create' | 'listOwn'>;
  notifier: Notifier;
  /** The file outbox folder, listed (masked) for staff. */
  outboxDir: string;
  clock: Clock;
  limits: PortalLimits;
  onDeliveryError?: (err: unknown) => void;
}

export interface CodeRequest { tenant: string; channel: PortalChannel; contact: string; clientIp: string }
export interface SignInInput { tenant: string; challenge_id: string; code: string; clientIp: string; requestId?: string }
export const PORTAL_REQUEST_KINDS = ['access', 'copy', 'portability', 'correction', 'supplement', 'deletion', 'restriction', 'explanation', 'withdrawal', 'account_cancellation'] as const satisfies readonly RequestKind[];

const sha256 = (s: string) => createHash('sha256').update(s).digest();
const portalSystem = (tenantId: string, clientIp?: string, requestId?: string): Actor => ({ type: 'system', id: 'portal', tenantId, roles: [], clientIp, requestId });

type OutboxRow = { id: string; at: string; channel: string; kind: 'portal_code' | 'incident_notice' };
export const OUTBOX_SORT: { sort: 'at' | 'channel' | 'kind'; order: SortOrder; value: Record<'at' | 'channel' | 'kind', (m: OutboxRow) => string> } = {
  sort: 'at', order: 'desc', value: { at: (m) => m.at, channel: (m) => `${m.channel}|${m.at}`, kind: (m) => `${m.kind}|${m.at}` },
};
export interface OutboxQuery extends PageQuery<'at' | 'channel' | 'kind'> { channel?: Array<'sms' | 'email'>; kind?: Array<'portal_code' | 'incident_notice'> }

export function createPortalService(deps: PortalDeps) {
  const { db, audit, lookup, clock, limits } = deps;
  const inFlight = new Set<Promise<unknown>>();

  async function liveTenant(tx: Tx, tenantId: string) {
    const t = await tx.selectFrom('tenants').select(['id', 'name', 'state']).where('id', '=', tenantId).executeTakeFirst();
    if (!t || t.state !== 'active') throw notFound('portal.tenant_not_found', '没有这个服务（租户）', 'no such service (tenant)');
    return t;
  }

  function tooMany(seconds: number, zh: string, en: string) {
    return new AppError(429, 'portal.rate_limited', `${zh}，请 ${Math.ceil(seconds / 60)} 分钟后再试`, `${en}; try again in ${Math.ceil(seconds / 60)} min`, [{ reason: 'rate limited', retry_after: seconds }], { 'retry-after': String(seconds) });
  }

  function deliver(p: Promise<unknown>) {
    const tracked = p.catch((e) => deps.onDeliveryError?.(e)).finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  }

  return {
    /** Always the same answer for known and unknown contacts; only a known one gets a message. */
    async requestCode(input: CodeRequest) {
      const kind = CHANNEL_KIND[input.channel];
      const normalised = lookup.normaliseContact(kind, input.contact);
      if (!normalised) throw invalidField('contact', input.channel === 'sms' ? '不是有效的手机号码' : '不是有效的电子邮箱地址', input.channel === 'sms' ? 'is not a valid mobile number' : 'is not a valid email address');
      const now = clock.now();
      const out = await db.transaction(async (tx) => {
        const t = await liveTenant(tx, input.tenant);
        const contactHash = await lookup.keyedHash(tx, t.id, `contact:${input.channel}`, normalised);
        const ipHash = await lookup.keyedHash(tx, t.id, 'client-ip', input.clientIp);
        const since = new Date(now.getTime() - limits.windowMinutes * 60_000);
        const byContact = await tx.selectFrom('portal_challenges').select('created_at').where('tenant_id', '=', t.id).where('contact_hash', '=', contactHash).where('created_at', '>', since).execute();
        const c = rateLimit(byContact.map((r) => r.created_at), limits.codesPerContact, limits.windowMinutes, now);
        if (!c.allowed) throw tooMany(c.retryAfterSeconds, '该号码或邮箱获取验证码过于频繁', 'Too many codes for this phone number or email');
        const byIp = await tx.selectFrom('portal_challenges').select('created_at').where('tenant_id', '=', t.id).where('ip_hash', '=', ipHash).where('created_at', '>', since).execute();
        const i = rateLimit(byIp.map((r) => r.created_at), limits.codesPerIp, limits.windowMinutes, now);
        if (!i.allowed) throw tooMany(i.retryAfterSeconds, '获取验证码过于频繁', 'Too many code requests from this address');
        const found = await lookup.subjectsByContact(tx, t.id, kind, normalised, 2);
        // A contact shared by several individuals proves nobody in particular: no code is sent (audited).
        const subjectId = found.length === 1 ? found[0] : null;
        const code = newCode();
        const salt = randomBytes(16);
        const id = newId('chl');
        await tx.insertInto('portal_challenges').values({
          tenant_id: t.id, id, subject_id: subjectId, channel: input.channel, contact_hash: contactHash, ip_hash: ipHash, salt, code_hash: hashCode(salt, code),
          created_at: now, expires_at: new Date(now.getTime() + CODE_TTL_MINUTES * 60_000),
        }).execute();
        // Every request is audited (so both paths do the same work); the subject is named only when the contact is on record.
        await audit.record(tx, portalSystem(t.id, input.clientIp), [found.length > 1
          ? { action: 'portal.code_request', decision: 'deny', reason: 'contact_shared', details: { challenge_id: id, channel: input.channel } }
          : { action: 'portal.code_request', decision: 'allow', subjectId, details: { challenge_id: id, channel: input.channel } }]);
        return { id, subjectId, code, tenantName: t.name };
      });
      if (out.subjectId) {
        const m = codeMessage(out.code, out.tenantName);
        // Sent after the answer is decided, off the request's path: a known contact answers as fast as an unknown one.
        deliver(deps.notifier.send({ channel: input.channel, to: normalised, subject: m.subject, body: m.body, language: 'zh-CN', reference: `portal/${out.id}` }));
      }
      return { challenge_id: out.id, expires_in_seconds: CODE_TTL_MINUTES * 60, message: '如果该号码或邮箱已在我们这里登记，验证码已发送。', message_en: 'If this phone number or email is on record with us, a code has been sent.' };
    },

    /** Resolves when every message being sent has been handed to its adapter (for shutdown). */
    async idle() { while (inFlight.size) await Promise.all([...inFlight]); },

    async signIn(input: SignInInput) {
      const now = clock.now();
      const r = await db.transaction(async (tx) => {
        await liveTenant(tx, input.tenant);
        const ch = await tx.selectFrom('portal_challenges').selectAll().where('tenant_id', '=', input.tenant).where('id', '=', input.challenge_id).forUpdate().executeTakeFirst();
        if (!ch) return { error: unauthorized('portal.code_invalid', '验证码错误', 'Wrong code') };
        const state = challengeState(ch, now);
        if (state === 'locked') return { error: unauthorized('portal.code_locked', `错误次数已达 ${MAX_ATTEMPTS} 次，请重新获取验证码`, `${MAX_ATTEMPTS} wrong attempts: ask for a new code`) };
        if (state !== 'open') return { error: unauthorized('portal.code_expired', '验证码已失效，请重新获取', 'The code has expired or was used; ask for a new one') };
        const sys = portalSystem(input.tenant, input.clientIp, input.requestId);
        if (!ch.subject_id || !codeMatches(ch.salt, ch.code_hash, input.code)) {
          const attempts = ch.attempts + 1;
          await tx.updateTable('portal_challenges').set({ attempts }).where('tenant_id', '=', input.tenant).where('id', '=', ch.id).execute();
          if (ch.subject_id) await audit.record(tx, sys, [{ action: 'portal.sign_in', decision: 'deny', reason: attempts >= MAX_ATTEMPTS ? 'code_locked' : 'code_invalid', subjectId: ch.subject_id, details: { challenge_id: ch.id, attempts } }]);
          return attempts >= MAX_ATTEMPTS
            ? { error: unauthorized('portal.code_locked', `错误次数已达 ${MAX_ATTEMPTS} 次，请重新获取验证码`, `${MAX_ATTEMPTS} wrong attempts: ask for a new code`) }
            : { error: Object.assign(unauthorized('portal.code_invalid', `验证码错误，还可尝试 ${MAX_ATTEMPTS - attempts} 次`, `Wrong code; ${MAX_ATTEMPTS - attempts} attempts left`), { details: [{ field: 'code', reason: 'wrong code', attempts_left: MAX_ATTEMPTS - attempts }] }) };
        }
        const subject = await tx.selectFrom('subjects').select(['wrapped_key']).where('tenant_id', '=', input.tenant).where('id', '=', ch.subject_id).executeTakeFirst();
        if (!subject?.wrapped_key) return { error: unauthorized('portal.code_expired', '验证码已失效，请重新获取', 'The code has expired or was used; ask for a new one') };
        await tx.updateTable('portal_challenges').set({ used_at: now }).where('tenant_id', '=', input.tenant).where('id', '=', ch.id).execute();
        const token = newSecret('pts');
        const csrf = randomBytes(24).toString('base64url');
        const expires = new Date(now.getTime() + limits.sessionIdleMinutes * 60_000);
        await tx.insertInto('portal_sessions').values({ token_hash: sha256(token), tenant_id: input.tenant, subject_id: ch.subject_id, csrf_token: csrf, created_at: now, expires_at: expires }).execute();
        const who: Actor = { type: 'subject', id: ch.subject_id, tenantId: input.tenant, roles: [], clientIp: input.clientIp, requestId: input.requestId };
        await audit.record(tx, who, [{ action: 'portal.sign_in', decision: 'allow', subjectId: ch.subject_id, details: { challenge_id: ch.id, channel: ch.channel } }]);
        return { token, csrf_token: csrf, expires_at: expires };
      });
      if ('error' in r) throw r.error;
      return r;
    },

    /** The subject of a live portal session (idle expiry slides forward on use), or null. */
    async sessionActor(token: string): Promise<{ actor: Actor; csrf: string; expires_at: Date } | null> {
      const now = clock.now();
      return db.transaction(async (tx) => {
        const s = await tx.selectFrom('portal_sessions as p').innerJoin('subjects as s', (j) => j.onRef('s.tenant_id', '=', 'p.tenant_id').onRef('s.id', '=', 'p.subject_id'))
          .innerJoin('tenants as t', 't.id', 'p.tenant_id')
          .select(['p.token_hash', 'p.tenant_id', 'p.subject_id', 'p.csrf_token', 'p.expires_at', 'p.revoked_at', 's.wrapped_key', 't.state'])
          .where('p.token_hash', '=', sha256(token)).executeTakeFirst();
        if (!s || s.revoked_at || !s.wrapped_key || s.state !== 'active' || new Date(s.expires_at).getTime() <= now.getTime()) return null;
        const expires = new Date(now.getTime() + limits.sessionIdleMinutes * 60_000);
        await tx.updateTable('portal_sessions').set({ expires_at: expires }).where('token_hash', '=', s.token_hash).execute();
        return { actor: { type: 'subject', id: s.subject_id, tenantId: s.tenant_id, roles: [] }, csrf: s.csrf_token, expires_at: expires };
      });
    },

    async signOut(actor: Actor, token: string) {
      await db.transaction(async (tx) => {
        await tx.updateTable('portal_sessions').set({ revoked_at: clock.now() }).where('token_hash', '=', sha256(token)).where('subject_id', '=', actor.id).execute();
        await audit.record(tx, actor, [{ action: 'portal.sign_out', decision: 'allow', subjectId: actor.id }]);
      });
      return { signed_out: true };
    },

    /** The subject's own records, every field masked; audited as the subject's access in the same transaction. */
    async me(actor: Actor) {
      return db.transaction(async (tx) => {
        const v = await lookup.maskedRecords(tx, actor.tenantId, actor.id);
        await audit.record(tx, actor, [{ action: 'portal.subject_access', decision: 'allow', purpose: 'subject_access', subjectId: actor.id, collection: '*', fields: v.fields, details: { records: v.records, masked: true } }]);
        return { collections: v.collections };
      });
    },

    async consents(actor: Actor) {
      const rows = await deps.consent.list(actor, actor.id);
      const purposes = await db.transaction((tx) => tx.selectFrom('purposes').select(['name', 'title', 'title_en', 'legal_basis']).where('tenant_id', '=', actor.tenantId).execute());
      const byName = new Map(purposes.map((p) => [p.name, p]));
      const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
      return {
        consents: rows.map((c) => ({
          purpose: c.purpose, title: byName.get(c.purpose)?.title ?? c.purpose, title_en: byName.get(c.purpose)?.title_en ?? null, state: c.state, notice: c.notice, notice_version: c.notice_version,
          separate: c.separate, granted_at: iso(c.granted_at as Date | null), withdrawn_at: iso(c.withdrawn_at as Date | null),
        })),
      };
    },

    async withdrawConsent(actor: Actor, purpose: string) {
      return deps.consent.withdraw(actor, actor.id, purpose);
    },

    async createRequest(actor: Actor, input: { kind: (typeof PORTAL_REQUEST_KINDS)[number]; details?: string }) {
      const r = await deps.rights.create(actor, { subject_id: actor.id, kind: input.kind, ...(input.details ? { note: input.details } : {}) });
      return presentOwnRequest(r);
    },

    async listRequests(actor: Actor) {
      return { requests: (await deps.rights.listOwn(actor)).map(presentOwnRequest) };
    },

    async createComplaint(actor: Actor, input: { category: Parameters<ComplaintService['create']>[1]['category']; summary: string; description: string }) {
      const c = await deps.complaints.create(actor, { kind: 'complaint', channel: 'portal', category: input.category, summary: input.summary, description: input.description, subject_id: actor.id });
      return { id: c.id, state: c.state, sla_due: c.sla_due };
    },

    async listComplaints(actor: Actor) {
      return { complaints: await deps.complaints.listOwn(actor) };
    },

    /**
     * Staff view of the file outbox: who (masked), when, which channel and what for; never the text (it may hold a code).
     * The window is the outbox's last seven daily files; paged, sorted and filtered here, not in the browser.
     */
    async outbox(actor: Actor, q: OutboxQuery) {
      await db.transaction((tx) => deps.access.requirePermission(tx, actor, 'requests.manage'));
      // The outbox is shared by the installation's tenants: keep the messages of this tenant's challenges and incidents.
      const all = await readOutbox(deps.outboxDir, Number.MAX_SAFE_INTEGER);
      const ref = (m: { reference: string }) => (m.reference.startsWith('portal/') ? m.reference.slice(7) : m.reference.split('/')[0]);
      const ids = [...new Set(all.map(ref))];
      const mine = new Set<string>();
      await db.transaction(async (tx) => {
        for (let i = 0; i < ids.length; i += 1000) {
          const part = ids.slice(i, i + 1000);
          for (const r of await tx.selectFrom('portal_challenges').select('id').where('tenant_id', '=', actor.tenantId).where('id', 'in', part).execute()) mine.add(r.id);
          for (const r of await tx.selectFrom('incidents').select('id').where('tenant_id', '=', actor.tenantId).where('id', 'in', part).execute()) mine.add(r.id);
        }
        await audit.record(tx, actor, [{ action: 'outbox.read', decision: 'allow', details: { limit: q.limit ?? 100, offset: q.offset ?? 0 } }]);
      });
      const rows = all.filter((m) => mine.has(ref(m))).map((m) => ({
        id: m.id, at: m.at, channel: m.channel, to: maskRecipient(m.to), kind: m.reference.startsWith('portal/') ? 'portal_code' as const : 'incident_notice' as const,
        reference: m.reference.startsWith('portal/') ? m.reference : m.reference.split('/')[0],
      })).filter((m) => (!q.channel?.length || q.channel.includes(m.channel)) && (!q.kind?.length || q.kind.includes(m.kind)));
      return { messages: pageArray(rows, { ...q, limit: q.limit ?? 100 }, OUTBOX_SORT), total: rows.length };
    },
  };
}

type OwnRequest = Awaited<ReturnType<RightsService['listOwn']>>[number];
function presentOwnRequest(r: OwnRequest) {
  return { id: r.id, kind: r.kind, state: r.state, received_at: r.received_at, due: r.due, working_days_left: r.working_days_left, overdue: r.overdue, reason: r.reason, resolution: r.resolution, closed_at: r.closed_at };
}
export type PortalService = ReturnType<typeof createPortalService>;
