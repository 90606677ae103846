import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Custodian } from '../../app.js';
import { isAppError } from '../../core/errors.js';
import { STAFF_SORT, TRAINING_SORT } from '../../access/index.js';
import { Bool, IdParam, Name, OneOrMore, Paging, SearchText, Sorting } from './schemas.js';
import { SESSION_COOKIE } from '../auth.js';

const LoginBody = z.strictObject({ username: z.string().min(1).max(100), password: z.string().min(1).max(200), totp: z.string().regex(/^\d{6}$/, 'is 6 digits').optional(), tenant: IdParam.optional() });
const StaffBody = z.strictObject({ username: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,62}$/, 'use lower-case letters, digits, . _ -'), display_name: z.string().min(1).max(100), roles: z.array(Name).max(20), email: z.email().optional() });
const StaffQuery = z.strictObject({ ...Paging, ...Sorting(STAFF_SORT.columns), q: SearchText.optional(), role: Name.optional(), state: OneOrMore(['active', 'disabled', 'locked'] as const).optional() });
const TrainingQuery = z.strictObject({ ...Paging, ...Sorting(TRAINING_SORT.columns), staff_id: IdParam.optional(), course: z.string().min(1).max(200).optional(), current: Bool.optional() });
const TrainingBody = z.strictObject({ staff_id: IdParam, course: z.string().min(1).max(200), completed_at: z.iso.date(), expires_at: z.iso.date() });

export function staffRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  const tags = ['staff'];
  r.post('/api/v1/auth/login', { config: { public: true, rateLimit: { max: 10, timeWindow: '1 minute' } }, schema: { tags, summary: '员工登录（密码 + 动态验证码） / Staff sign-in (password + TOTP)', body: LoginBody } }, async (req, reply) => {
    try {
      const out = await app.staff.login({ ...req.body, clientIp: req.ip });
      await app.db.transaction((tx) => app.audit.record(tx, { type: 'staff', id: out.staff.id, tenantId: out.staff.tenant, roles: out.staff.roles, clientIp: req.ip, requestId: String(req.id) }, [{ action: 'auth.login', decision: 'allow', details: { mfa: Boolean(req.body.totp) } }]));
      // Secure whenever users reach us over HTTPS: built-in TLS, or a TLS-terminating proxy named by publicUrl.
      reply.setCookie(SESSION_COOKIE, out.token, { httpOnly: true, sameSite: 'strict', secure: Boolean(app.cfg.tlsCert) || Boolean(app.cfg.publicUrl?.startsWith('https://')), path: '/', expires: out.expires_at });
      return { staff: out.staff, csrf_token: out.csrf_token, expires_at: out.expires_at };
    } catch (e) {
      const who = e as { tenantId?: string; staffId?: string; code?: string };
      if (isAppError(e) && who.tenantId && who.staffId) {
        await app.db.transaction((tx) => app.audit.record(tx, { type: 'staff', id: who.staffId as string, tenantId: who.tenantId as string, roles: [], clientIp: req.ip, requestId: String(req.id) }, [{ action: 'auth.login', decision: 'deny', reason: e.code }]));
      }
      throw e;
    }
  });
  r.post('/api/v1/auth/logout', { schema: { tags, summary: '退出登录 / Sign out' } }, async (req, reply) => {
    const token = req.cookies?.[SESSION_COOKIE];
    if (token) await app.staff.logout(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { signed_out: true };
  });
  r.get('/api/v1/auth/me', { schema: { tags, summary: '当前身份 / Who am I' } }, async (req) => {
    if (req.actor.type !== 'staff') return { api_key: req.actor.id, tenant: req.actor.tenantId, roles: req.actor.roles, permissions: await app.db.transaction(async (tx) => (await app.access.listRoles(tx, req.actor.tenantId)).filter((x) => req.actor.roles.includes(x.name)).flatMap((x) => x.permissions)) };
    return { staff: await app.db.transaction((tx) => app.staff.me(tx, req.actor)) };
  });
  r.post('/api/v1/auth/totp/setup', { schema: { tags, summary: '开始绑定动态验证码 / Start TOTP enrolment' } }, async (req) => app.db.transaction((tx) => app.staff.setupTotp(tx, req.actor)));
  r.post('/api/v1/auth/totp/enable', { schema: { tags, summary: '确认绑定 / Confirm TOTP', body: z.strictObject({ code: z.string().regex(/^\d{6}$/, 'is 6 digits') }) } }, async (req) => app.db.transaction(async (tx) => {
    const out = await app.staff.enableTotp(tx, req.actor, req.body.code);
    await app.audit.record(tx, req.actor, [{ action: 'auth.totp_enable', decision: 'allow' }]);
    return out;
  }));
  r.post('/api/v1/staff', { schema: { tags, summary: '创建员工账户 / Create a staff account', body: StaffBody } }, async (req, reply) => reply.status(201).send(await app.db.transaction(async (tx) => {
    await app.access.requirePermission(tx, req.actor, 'roles.manage');
    const out = await app.staff.createStaff(tx, req.actor.tenantId, req.body);
    await app.audit.record(tx, req.actor, [{ action: 'staff.create', decision: 'allow', details: { staff_id: out.id, roles: out.roles } }]);
    return out;
  })));
  r.get('/api/v1/staff', { schema: { tags, summary: '员工列表（可分页、排序、筛选） / List staff (paged, sorted, filtered)', querystring: StaffQuery } }, async (req) => app.db.transaction(async (tx) => { await app.access.requirePermission(tx, req.actor, 'roles.manage'); return app.staff.listStaff(tx, req.actor.tenantId, req.query); }));
  r.post('/api/v1/trainings', { schema: { tags, summary: '记录培训完成 / Record a training completion', body: TrainingBody } }, async (req, reply) => reply.status(201).send(await app.db.transaction(async (tx) => {
    await app.access.requirePermission(tx, req.actor, 'roles.manage');
    const out = await app.staff.recordTraining(tx, req.actor.tenantId, req.body);
    await app.audit.record(tx, req.actor, [{ action: 'training.record', decision: 'allow', details: { staff_id: req.body.staff_id, expires_at: req.body.expires_at } }]);
    return out;
  })));
  r.get('/api/v1/trainings', { schema: { tags, summary: '培训记录（可分页、排序、筛选） / Training records (paged, sorted, filtered)', querystring: TrainingQuery } }, async (req) => app.db.transaction(async (tx) => { await app.access.requirePermission(tx, req.actor, 'roles.manage'); return app.staff.listTrainings(tx, req.actor.tenantId, req.query); }));
}
