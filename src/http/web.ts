/**
 * Serves the built web apps (web/dist, made by `npm run build:web`): the staff console under /console/ and
 * the customer portal under /portal/. Deep links fall back to the app's index.html (client-side routing);
 * hashed assets are cached for a year, HTML is revalidated on every load.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';

const APPS = ['console', 'portal'] as const;
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** antd writes its styles at run time, hence style-src 'unsafe-inline'; no inline script is allowed. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

function notBuilt(app: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>Custodian</title></head><body style="font-family:sans-serif;margin:3em">
<h1>${app === 'console' ? '管理控制台' : '个人信息权利服务'}尚未构建 / The ${app} has not been built</h1>
<p>请在项目目录运行 <code>npm run build</code> 后重启服务。 / Run <code>npm run build</code> in the project folder, then restart the server.</p></body></html>`;
}

export async function registerWeb(f: FastifyInstance, distDir: string): Promise<void> {
  const hide = { schema: { hide: true } };
  for (const app of APPS) {
    const root = join(distDir, app);
    const indexPath = join(root, 'index.html');
    const built = existsSync(indexPath);
    const index = built ? readFileSync(indexPath) : null;
    const sendIndex = (reply: FastifyReply) => {
      if (!index) return reply.status(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(notBuilt(app));
      return reply.header('cache-control', 'no-cache').header('content-security-policy', CSP).type('text/html; charset=utf-8').send(index);
    };
    f.get(`/${app}`, hide, (_req, reply) => reply.redirect(`/${app}/`, 301));
    f.get(`/${app}/`, hide, (_req, reply) => sendIndex(reply));
    if (built) {
      // One route per built file (wildcard: false), so the SPA fallback below can own the rest of the prefix.
      await f.register(fastifyStatic, {
        root, prefix: `/${app}/`, wildcard: false, index: false, decorateReply: false, cacheControl: false, etag: true, lastModified: true,
        setHeaders: (res, path) => {
          res.setHeader('cache-control', /[\\/]assets[\\/]/.test(path) ? IMMUTABLE : 'no-cache');
          if (path.endsWith('.html')) res.setHeader('content-security-policy', CSP);
        },
      });
    }
    f.get(`/${app}/*`, hide, (req, reply) => {
      // A missing asset is a 404, not the app shell (a JS request answered with HTML fails confusingly).
      if (req.url.startsWith(`/${app}/assets/`) || (!(req.headers.accept ?? '').includes('text/html') && /\.[a-z0-9]{1,5}(\?|$)/i.test(req.url))) return reply.callNotFound();
      return sendIndex(reply);
    });
  }
}
