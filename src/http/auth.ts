/** Bearer API keys on every /api route; unknown, revoked or missing keys get 401. Results cached briefly. */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../audit/index.js';
import type { Custodian } from '../app.js';
import { forbidden, unauthorized } from '../core/errors.js';

declare module 'fastify' {
  interface FastifyRequest { actor: Actor }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * `controlToken`: a random token the server writes into its 0600 lock file so that the local
 * `custodian` command (keys rotate) can act through the server; accepted from loopback only.
 */
export const SESSION_COOKIE = 'custodian_session';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function createAuthenticator(app: Custodian, controlToken?: string) {
  const control = controlToken ? Buffer.from(`ctl_${controlToken}`) : null;
  const cache = new Map<string, { at: number; actor: Actor | null }>();
  return async function authenticate(req: FastifyRequest): Promise<void> {
    if ((req.routeOptions.config as { public?: boolean })?.public) return;
    const h = req.headers.authorization;
    const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
    const session = !m ? req.cookies?.[SESSION_COOKIE] : undefined;
    if (session) {
      const actor = await app.db.transaction((tx) => app.staff.sessionActor(tx, session));
      if (!actor) throw unauthorized('auth.session_expired', '会话已过期或无效，请重新登录', 'The session expired or is invalid; sign in again');
      if (!SAFE.has(req.method) && req.headers['x-csrf-token'] !== actor.csrf) throw forbidden('auth.csrf', '缺少或错误的 CSRF 令牌', 'Missing or wrong x-csrf-token header');
      const { csrf: _csrf, ...rest } = actor;
      req.actor = { ...rest, clientIp: req.ip, requestId: String(req.id) };
      return;
    }
    if (!m) throw unauthorized('auth.missing', '缺少凭据：请使用 Authorization: Bearer <API 密钥>', 'Missing credentials: send Authorization: Bearer <api key>');
    const key = m[1];
    if (control && key.startsWith('ctl_') && LOOPBACK.has(req.ip) && key.length === control.length && timingSafeEqual(Buffer.from(key), control)) {
      const tenantId = (await app.tenants.firstTenantId()) as string;
      req.actor = { type: 'cli', id: 'cli:local', tenantId, roles: ['owner'], clientIp: req.ip, requestId: String(req.id) };
      return;
    }
    let hit = cache.get(key);
    if (!hit || Date.now() - hit.at > 5000) {
      const actor = await app.db.transaction((tx) => app.access.authenticateApiKey(tx, key));
      hit = { at: Date.now(), actor };
      if (cache.size > 10_000) cache.clear();
      cache.set(key, hit);
    }
    if (!hit.actor) throw unauthorized('auth.invalid', 'API 密钥无效、已吊销或已过期', 'The API key is invalid, revoked or expired');
    req.actor = { ...hit.actor, clientIp: req.ip, requestId: String(req.id) };
  };
}
