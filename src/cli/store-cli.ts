/** CLI verbs that act on a store: init, serve, start, keys rotate, audit verify. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../core/config.js';
import { createKeyfile, localRootKeyProvider, openKeyfile } from '../crypto/keyfile.js';
import { openDb } from '../db/connection.js';
import { readLock } from '../db/lock.js';
import { assemble, keyfilePath, openCustodian, passphrasePath, type Custodian } from '../app.js';
import { createLogger } from '../core/logger.js';
import { buildServer } from '../http/server.js';
import type { Actor } from '../audit/index.js';

export interface StoreOpts { data?: string; config?: string; json?: boolean }

export function configFrom(o: StoreOpts & { port?: string; host?: string }): Config {
  return loadConfig({ dataDir: o.data, configFile: o.config, overrides: { ...(o.port ? { port: Number(o.port) } : {}), ...(o.host ? { host: o.host } : {}) } as Partial<Config> });
}

export function isInitialised(cfg: Config): boolean { return existsSync(keyfilePath(cfg)); }

/** Create data folder, sealed keyfile, store, first tenant, admin and owner API key; print the secrets once. */
export async function initStore(cfg: Config, o: { suite: 'aes' | 'sm'; name?: string; json?: boolean }) {
  if (isInitialised(cfg)) throw new Error(`已初始化 / already initialised: ${keyfilePath(cfg)} exists`);
  mkdirSync(cfg.dataDir, { recursive: true, mode: 0o700 });
  let passphrase = cfg.passphrase;
  if (!passphrase) {
    passphrase = randomBytes(24).toString('base64url');
    writeFileSync(passphrasePath(cfg), passphrase + '\n', { mode: 0o600, flag: 'wx' });
  }
  createKeyfile(keyfilePath(cfg), passphrase);
  const root = localRootKeyProvider(openKeyfile(keyfilePath(cfg), passphrase));
  const db = await openDb({ dataDir: cfg.dataDir, databaseUrl: cfg.databaseUrl, poolSize: 2 });
  const app = assemble(cfg, db, root, createLogger({ level: 'silent' }));
  try {
    const t = await app.tenants.createTenant({ name: o.name ?? 'default', suite: o.suite });
    const out = { tenant: t.tenant, suite: t.suite, api_key: t.api_key, admin: t.admin, data: cfg.dataDir, store: db.kind };
    if (o.json) process.stdout.write(JSON.stringify(out) + '\n');
    else {
      console.log(`Custodian 已初始化 / initialised in ${cfg.dataDir} (${db.kind}, suite ${t.suite})`);
      console.log(`  租户 tenant:        ${t.tenant}`);
      console.log(`  API 密钥 api key:    ${t.api_key}   (owner role; shown once)`);
      console.log(`  管理员 admin:        ${t.admin.username} / ${t.admin.password}   (shown once)`);
      if (!cfg.passphrase) console.log(`  密钥口令已写入 passphrase written to ${passphrasePath(cfg)} (0600). In production set CUSTODIAN_PASSPHRASE and delete that file.`);
      console.log('下一步 next: custodian serve --data ' + cfg.dataDir);
    }
  } finally {
    await app.close();
  }
}

export async function serve(cfg: Config) {
  const app = await openCustodian(cfg);
  const controlToken = randomBytes(32).toString('base64url');
  const server = await buildServer(app, { controlToken });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    server.log.info({ signal }, 'shutting down');
    try {
      await server.close();
      const tenants = await app.db.kysely.selectFrom('tenants').select('id').execute();
      await app.db.transaction(async (tx) => { for (const t of tenants) await app.audit.checkpoint(tx, t.id); });
    } catch (e) { server.log.error({ err: e }, 'error during shutdown'); }
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  await server.listen({ port: cfg.port, host: cfg.host });
  const addr = server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : cfg.port;
  app.db.lock?.update({ port, controlToken });
  app.jobs.start(cfg.jobsPollSeconds * 1000); // durable jobs (design decision 8): every node polls, each due job runs once
  server.log.info(`Custodian listening on ${cfg.tlsCert ? 'https' : 'http'}://${cfg.host}:${port} (store: ${app.db.kind}); API docs at /docs`);
  return { app, server, port };
}

/** Run fn against the store directly, or refuse clearly if a server holds the embedded store. */
export async function withStore<T>(cfg: Config, fn: (app: Custodian, tenantId: string) => Promise<T>, opts: { needTenant?: boolean } = {}): Promise<T> {
  const app = await openCustodian(cfg, { logger: createLogger({ level: 'silent' }) });
  try {
    const tenantId = await app.tenants.firstTenantId();
    // A fresh store being recovered (keyfile copied in, then keys import and backup restore) has no tenant yet.
    if (!tenantId && opts.needTenant !== false) throw new Error('存储中没有租户 / the store has no tenant; run custodian init');
    if (!tenantId) return await fn(app, '');
    return await fn(app, tenantId);
  } finally {
    await app.close();
  }
}

export const cliActor = (tenantId: string): Actor => ({ type: 'cli', id: `cli:${process.env.USER ?? 'local'}`, tenantId, roles: ['owner'] });

/** Call the running server that holds the embedded store, with its local control token; null when none runs. */
export async function callLocalServer<T>(cfg: Config, method: string, path: string): Promise<T | null> {
  const lock = cfg.databaseUrl ? null : readLock(cfg.dataDir);
  if (!lock?.port || !lock.controlToken) return null;
  const proto = cfg.tlsCert ? 'https' : 'http';
  let res: Response;
  try {
    res = await fetch(`${proto}://127.0.0.1:${lock.port}${path}`, { method, headers: { authorization: `Bearer ctl_${lock.controlToken}` } });
  } catch { return null; /* shutting down: the store lock will be free shortly */ }
  const body = await res.json() as T & { detail?: string };
  if (!res.ok) throw new Error(`服务器拒绝 / the server refused: ${body.detail ?? res.status}`);
  return body;
}

/** Key rotation goes through the running server when one holds the embedded store. */
export async function rotateKeys(cfg: Config): Promise<{ kek_version: number; rewrapped: number }> {
  const via = await callLocalServer<{ kek_version: number; rewrapped: number }>(cfg, 'POST', '/api/v1/keys/rotate');
  if (via) return via;
  return withStore(cfg, async (app, tenantId) => {
    const out = await app.keys.rotate(app.db, tenantId);
    await app.db.transaction((tx) => app.audit.record(tx, cliActor(tenantId), [{ action: 'keys.rotate', decision: 'allow', details: out }]));
    return { kek_version: out.version, rewrapped: out.rewrapped };
  });
}

