/**
 * Customer portal API under /api/v1/portal. Its own scope and its own identity: only a portal session
 * cookie (HttpOnly, SameSite=Strict, scoped to /api/v1/portal) authenticates here, with a CSRF header on
 * changes; API keys and staff sessions are not accepted, and a portal session is accepted nowhere else.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Custodian } from '../../app.js';
import { forbidden, unauthorized } from '../../core/errors.js';
import { COMPLAINT_CATEGORIES } from '../../complaints/index.js';
import { OUTBOX_SORT, PORTAL_REQUEST_KINDS } from '../../portal/index.js';
import { IdParam, Name, OneOrMore, Paging, Sorting } from './schemas.js';

export const PORTAL_COOKIE = 'custodian_portal';
const PORTAL_PATH = '/api/v1/portal';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const OutboxQuery = z.strictObject({ ...Paging, limit: z.coerce.number({ error: 'is a whole number from 1 to 500' }).int().min(1).max(500).optional(), ...Sorting(OUTBOX_SORT.value), channel: OneOrMore(['sms', 'email'] as const).optional(), kind: OneOrMore(['portal_code', 'incident_notice'] as const).optional() });
const OtpBody = z.strictObject({ tenant: IdParam, channel: z.enum(['sms', 'email']), contact: z.string().min(1).max(254) });
const SessionBody = z.strictObject({ tenant: IdParam, challenge_id: IdParam, code: z.string().regex(/^\d{6}$/, 'is 6 digits') });
const RequestBody = z.strictObject({ kind: z.enum(PORTAL_REQUEST_KINDS), details: z.string().min(1).max(2000).optional() });
const ComplaintBody = z.strictObject({ category: z.enum(COMPLAINT_CATEGORIES), summary: z.string().trim().min(1).max(200), description: z.string().trim().min(1).max(20_000) });

export function portalRoutes(f: FastifyInstance, app: Custodian) {
  const secure = Boolean(app.cfg.tlsCert) || Boolean(app.cfg.publicUrl?.startsWith('https://'));
  f.addHook('onRequest', async (req: FastifyRequest) => {
    if ((req.routeOptions.config as { public?: boolean })?.public) return;
    const token = req.cookies?.[PORTAL_COOKIE];
    if (!token) throw unauthorized('portal.session_missing', '请先通过验证码登录', 'Sign in with a verification code first');
    const s = await app.portal.sessionActor(token);
    if (!s) throw unauthorized('portal.session_expired', '登录已过期，请重新获取验证码', 'The session expired; ask for a new code');
    if (!SAFE.has(req.method) && req.headers['x-csrf-token'] !== s.csrf) throw forbidden('auth.csrf', '缺少或错误的 CSRF 令牌', 'Missing or wrong x-csrf-token header');
    req.actor = { ...s.actor, clientIp: req.ip, requestId: String(req.id) };
  });
  const r = f.withTypeProvider<ZodTypeProvider>();
  const tags = ['portal'];
  const security = [{ portalSession: [] }];
  r.post(`${PORTAL_PATH}/otp`, { config: { public: true, rateLimit: { max: 30, timeWindow: '1 minute' } }, schema: { tags, security: [], summary: '获取登录验证码（无论是否登记，答复相同） / Ask for a sign-in code (same answer whether or not the contact is on record)', body: OtpBody } },
    async (req, reply) => reply.status(202).send(await app.portal.requestCode({ ...req.body, clientIp: req.ip })));
  r.post(`${PORTAL_PATH}/session`, { config: { public: true, rateLimit: { max: 30, timeWindow: '1 minute' } }, schema: { tags, security: [], summary: '用验证码登录 / Sign in with the code', body: SessionBody } }, async (req, rep) => {
    const out = await app.portal.signIn({ ...req.body, clientIp: req.ip, requestId: String(req.id) });
    rep.setCookie(PORTAL_COOKIE, out.token, { httpOnly: true, sameSite: 'strict', secure, path: PORTAL_PATH });
    return { signed_in: true, csrf_token: out.csrf_token, expires_at: out.expires_at };
  });
  r.get(`${PORTAL_PATH}/session`, { schema: { tags, security, summary: '当前登录状态与 CSRF 令牌 / Current session and its CSRF token' } }, async (req) => {
    const s = await app.portal.sessionActor(req.cookies[PORTAL_COOKIE] as string);
    return { signed_in: true, csrf_token: s?.csrf, expires_at: s?.expires_at };
  });
  r.post(`${PORTAL_PATH}/logout`, { schema: { tags, security, summary: '退出 / Sign out' } }, async (req, rep) => {
    const out = await app.portal.signOut(req.actor, req.cookies[PORTAL_COOKIE] as string);
    rep.clearCookie(PORTAL_COOKIE, { path: PORTAL_PATH });
    return out;
  });
  r.get(`${PORTAL_PATH}/me`, { schema: { tags, security, summary: '我的信息（已脱敏） / My information (masked)' } }, async (req) => app.portal.me(req.actor));
  r.get(`${PORTAL_PATH}/consents`, { schema: { tags, security, summary: '我的同意 / My consents' } }, async (req) => app.portal.consents(req.actor));
  r.post(`${PORTAL_PATH}/consents/:purpose/withdraw`, { schema: { tags, security, summary: '撤回同意 / Withdraw a consent', params: z.strictObject({ purpose: Name }) } }, async (req) => app.portal.withdrawConsent(req.actor, req.params.purpose));
  r.get(`${PORTAL_PATH}/requests`, { schema: { tags, security, summary: '我的请求及进度 / My requests and their state' } }, async (req) => app.portal.listRequests(req.actor));
  r.post(`${PORTAL_PATH}/requests`, { schema: { tags, security, summary: '提交个人信息权利请求 / File a rights request', body: RequestBody } }, async (req, rep) => rep.status(201).send(await app.portal.createRequest(req.actor, req.body)));
  r.get(`${PORTAL_PATH}/complaints`, { schema: { tags, security, summary: '我的投诉及答复 / My complaints and the replies' } }, async (req) => app.portal.listComplaints(req.actor));
  r.post(`${PORTAL_PATH}/complaints`, { schema: { tags, security, summary: '投诉 / File a complaint', body: ComplaintBody } }, async (req, rep) => rep.status(201).send(await app.portal.createComplaint(req.actor, req.body)));
}

/** Staff: the file outbox (masked recipient, channel, time, kind; never the text). Registered in the staff API scope. */
export function outboxRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  r.get('/api/v1/outbox', { schema: { tags: ['portal'], summary: '发件箱（收件人已脱敏，不含正文） / Outbox (masked recipients, no message text)', querystring: OutboxQuery } },
    async (req) => app.portal.outbox(req.actor, req.query));
}
