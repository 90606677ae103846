/** The Fastify app: security headers, problem+json errors, OpenAPI at /docs and /openapi.json, /health, /ready. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import cors from '@fastify/cors';
import { serializerCompiler, validatorCompiler, jsonSchemaTransform } from 'fastify-type-provider-zod';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import cookie from '@fastify/cookie';
import { staffRoutes } from './routes/staff-routes.js';
import type { Custodian } from '../app.js';
import { scrubText } from '../core/logger.js';
import { problemHandler } from './problem.js';
import { badRequest } from '../core/errors.js';
import { createAuthenticator } from './auth.js';
import { vaultRoutes } from './routes/vault-routes.js';
import { accessRoutes } from './routes/access-routes.js';
import { auditRoutes } from './routes/audit-routes.js';
import { consentRoutes } from './routes/consent-routes.js';
import { detectRoutes } from './routes/detect-routes.js';
import { registerWeb } from './web.js';
// issue 5
import { rightsRoutes } from './routes/rights-routes.js';
import { retentionRoutes } from './routes/retention-routes.js';
import { backupRoutes } from './routes/backup-routes.js';
// issue 10
import { assessmentRoutes } from './routes/assessment-routes.js';
import { riskRoutes } from './routes/risk-routes.js';
import { sharingRoutes } from './routes/sharing-routes.js';
import { transferRoutes } from './routes/transfer-routes.js';
import { complaintRoutes } from './routes/complaint-routes.js';
// issue 4
import { activitiesRoutes } from './routes/activities-routes.js';
// issue 9
import { incidentsRoutes } from './routes/incidents-routes.js';

// issue 11
import { certificateRoutes, tenantRoutes } from './routes/tenant-routes.js';
import { auditorGuard, complianceRoutes, transparencyRoutes } from './routes/compliance-routes.js';
import { certificateDoc, renderPdf } from '../compliance/index.js';
// issue 7
import { outboxRoutes, portalRoutes } from './routes/portal-routes.js';

/**
 * A request is logged by its route pattern (`/api/v1/subjects/:id/consents`), never by its raw URL: a client that puts
 * a phone number or a name where an id belongs must not put it into the log. Unrouted paths are logged scrubbed.
 */
function logRequest(req: FastifyRequest) {
  let route: string | undefined;
  try { route = req.routeOptions?.url; } catch { /* answered before routing (bad URL) */ }
  return { id: req.id, method: req.method, url: route ?? scrubText(String(req.url ?? '').split('?')[0]).replace(/(%[0-9A-Fa-f]{2})+/g, '[redacted]') };
}

/** U+0000 (PostgreSQL text cannot hold it) or a UTF-16 surrogate without its pair (not Unicode): refused at the edge. */
const BAD_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The first string (value or key) in a parsed input that holds BAD_TEXT, as a field path; iterative, so deep JSON is safe. */
export function badTextField(root: unknown, where: string): string | null {
  const stack: Array<[unknown, string]> = [[root, '']];
  while (stack.length) {
    const [v, path] = stack.pop() as [unknown, string];
    if (typeof v === 'string') { if (BAD_TEXT.test(v)) return path || where; continue; }
    if (!v || typeof v !== 'object') continue;
    if (Array.isArray(v)) { for (let i = 0; i < v.length; i++) stack.push([v[i], `${path}[${i}]`]); continue; }
    for (const [k, x] of Object.entries(v)) {
      const p = path ? `${path}.${k}` : (where === 'body' ? k : `${where}.${k}`);
      if (BAD_TEXT.test(k)) return path || where;
      stack.push([x, p]);
    }
  }
  return null;
}

export async function buildServer(app: Custodian, opts: { logger?: boolean; controlToken?: string } = {}): Promise<FastifyInstance> {
  const https = app.cfg.tlsCert && app.cfg.tlsKey ? { cert: readFileSync(app.cfg.tlsCert), key: readFileSync(app.cfg.tlsKey), minVersion: 'TLSv1.2' as const } : null;
  const f = Fastify({
    ...(https ? { https } : {}),
    bodyLimit: app.cfg.bodyLimitBytes,
    // The app's logger: PI redaction and scrubbing serializers (src/core/logger.ts), plus route-only request lines.
    ...(opts.logger === false ? {} : { loggerInstance: app.logger.child({}, { serializers: { req: logRequest } }) }),
    trustProxy: false,
    return503OnClosing: true,
    // A client that trickles a request (slowloris) is cut off: the whole request, body included, within 2 minutes.
    requestTimeout: 120_000,
    // Bad percent-encoding and over-long path parameters are answered before routing: as problem+json too, and
    // without echoing the URL (which may hold whatever a client put there).
    frameworkErrors: (err, req, reply) => problemHandler(err, req, reply),
  }) as unknown as FastifyInstance;
  f.setValidatorCompiler(validatorCompiler);
  f.setSerializerCompiler(serializerCompiler);
  f.setErrorHandler(problemHandler);
  // API answers hold PI: no browser or proxy may keep a copy.
  f.addHook('onSend', async (req, reply) => { if (req.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store'); });
  f.addHook('preValidation', async (req) => {
    for (const [where, value] of [['params', req.params], ['querystring', req.query], ['body', req.body]] as const) {
      const field = badTextField(value, where);
      if (field) throw badRequest('validation.invalid', `请求无效：${field} 含有空字符或无效的 Unicode`, `${field}: contains a NUL character or invalid Unicode`, [{ field, reason: 'contains a NUL character or invalid Unicode' }]);
    }
  });
  f.setNotFoundHandler((req, reply) => reply.status(404).type('application/problem+json').send({ type: 'about:blank', status: 404, title: 'Not found', code: 'route.not_found', detail: 'No such route', detail_zh: '没有这个接口' }));
  await f.register(helmet, { contentSecurityPolicy: false, hsts: Boolean(https) });
  await f.register(cookie);
  // CORS is closed unless origins are listed (config corsOrigins): no Access-Control-* header, preflights get 404.
  // Listed origins may call the API with an API key; cookies (staff sessions) never travel cross-origin.
  if (app.cfg.corsOrigins.length) {
    await f.register(cors, { origin: app.cfg.corsOrigins, credentials: false, methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], allowedHeaders: ['authorization', 'content-type'], maxAge: 600 });
  }
  await f.register(rateLimit, { global: false });
  await f.register(swagger, {
    openapi: { info: { title: 'Custodian API', description: '客户个人信息保管与 PIPL 合规 / Customer PI vault and PIPL operations', version: '1' }, components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, portalSession: { type: 'apiKey', in: 'cookie', name: 'custodian_portal', description: '客户门户会话（/api/v1/portal，仅限本人） / Customer portal session (/api/v1/portal only)' } } }, security: [{ bearer: [] }] },
    transform: jsonSchemaTransform,
  });
  await f.register(swaggerUi, { routePrefix: '/docs' });
  f.get('/openapi.json', { schema: { hide: true } }, async () => f.swagger());
  f.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  f.get('/ready', { schema: { hide: true } }, async (_req, reply) => {
    try { await app.db.ping(); return { status: 'ready', store: app.db.kind }; } catch { return reply.status(503).header('retry-after', '5').send({ status: 'unavailable', store: app.db.kind }); }
  });
  // issue 11: public, no customer PI (certificates and the installation's signing keys)
  certificateRoutes(f, app, (cert) => renderPdf(certificateDoc(cert)));
  transparencyRoutes(f, app);
  const authenticate = createAuthenticator(app, opts.controlToken);
  await f.register(async (api) => {
    api.addHook('onRequest', authenticate);
    api.addHook('preValidation', auditorGuard(app)); // issue 11: external auditors are read-only and audited
    vaultRoutes(api, app);
    accessRoutes(api, app);
    auditRoutes(api, app);
    consentRoutes(api, app);
    detectRoutes(api, app);
    staffRoutes(api, app);
    // issue 5
    rightsRoutes(api, app);
    retentionRoutes(api, app);
    backupRoutes(api, app);
    // issue 10
    assessmentRoutes(api, app);
    riskRoutes(api, app);
    sharingRoutes(api, app);
    transferRoutes(api, app);
    complaintRoutes(api, app);
    // issue 4
    activitiesRoutes(api, app);
    // issue 9
    incidentsRoutes(api, app);
    // issue 11
    tenantRoutes(api, app);
    complianceRoutes(api, app);
    // issue 7: staff view of the outbox
    outboxRoutes(api, app);
  });
  // issue 7: the customer portal API, its own scope and identity (portal session cookie only)
  await f.register(async (portal) => { portalRoutes(portal, app); });
  await registerWeb(f, fileURLToPath(new URL('../../web/dist', import.meta.url)));
  return f;
}
