/** The Fastify app: security headers, problem+json errors, OpenAPI at /docs and /openapi.json, /health, /ready. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, jsonSchemaTransform } from 'fastify-type-provider-zod';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import cookie from '@fastify/cookie';
import { staffRoutes } from './routes/staff-routes.js';
import type { Custodian } from '../app.js';
import { REDACT_PATHS } from '../core/logger.js';
import { problemHandler } from './problem.js';
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

export async function buildServer(app: Custodian, opts: { logger?: boolean; controlToken?: string } = {}): Promise<FastifyInstance> {
  const https = app.cfg.tlsCert && app.cfg.tlsKey ? { cert: readFileSync(app.cfg.tlsCert), key: readFileSync(app.cfg.tlsKey), minVersion: 'TLSv1.2' as const } : null;
  const f = Fastify({
    ...(https ? { https } : {}),
    bodyLimit: app.cfg.bodyLimitBytes,
    logger: opts.logger === false ? false : { level: app.cfg.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    trustProxy: false,
    return503OnClosing: true,
  }) as unknown as FastifyInstance;
  f.setValidatorCompiler(validatorCompiler);
  f.setSerializerCompiler(serializerCompiler);
  f.setErrorHandler(problemHandler);
  f.setNotFoundHandler((req, reply) => reply.status(404).type('application/problem+json').send({ type: 'about:blank', status: 404, title: 'Not found', code: 'route.not_found', detail: 'No such route', detail_zh: '没有这个接口' }));
  await f.register(helmet, { contentSecurityPolicy: false, hsts: Boolean(https) });
  await f.register(cookie);
  await f.register(rateLimit, { global: false });
  await f.register(swagger, {
    openapi: { info: { title: 'Custodian API', description: '客户个人信息保管与 PIPL 合规 / Customer PI vault and PIPL operations', version: '1' }, components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } }, security: [{ bearer: [] }] },
    transform: jsonSchemaTransform,
  });
  await f.register(swaggerUi, { routePrefix: '/docs' });
  f.get('/openapi.json', { schema: { hide: true } }, async () => f.swagger());
  f.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  f.get('/ready', { schema: { hide: true } }, async (_req, reply) => {
    try { await app.db.ping(); return { status: 'ready', store: app.db.kind }; } catch { return reply.status(503).header('retry-after', '5').send({ status: 'unavailable', store: app.db.kind }); }
  });
  const authenticate = createAuthenticator(app, opts.controlToken);
  await f.register(async (api) => {
    api.addHook('onRequest', authenticate);
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
  });
  await registerWeb(f, fileURLToPath(new URL('../../web/dist', import.meta.url)));
  return f;
}
