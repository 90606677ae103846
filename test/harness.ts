/**
 * Starts Custodian for a test as a user would get it (fresh store, init, server) on each backend:
 * PGlite always, PostgreSQL when CUSTODIAN_TEST_DATABASE_URL is set (in a schema of its own).
 * Requests go through the real Fastify app with inject().
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { loadConfig, type Config } from '../src/core/config.js';
import { createKeyfile, localRootKeyProvider, openKeyfile } from '../src/crypto/keyfile.js';
import { openDb, type Db } from '../src/db/connection.js';
import { assemble, keyfilePath, type Custodian } from '../src/app.js';
import { createLogger } from '../src/core/logger.js';
import { buildServer } from '../src/http/server.js';
import type { FastifyInstance } from 'fastify';

export const BACKENDS: Array<'pglite' | 'postgres'> = process.env.CUSTODIAN_TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface Harness {
  app: Custodian;
  server: FastifyInstance;
  key: string;
  tenant: string;
  dataDir: string;
  schema?: string;
  api(method: string, url: string, body?: unknown, key?: string | null): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  raw(sqlText: string, params?: unknown[]): Promise<any[]>;
  close(): Promise<void>;
}

export async function startHarness(kind: 'pglite' | 'postgres', opts: { suite?: 'aes' | 'sm'; config?: Partial<Config> } = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'custodian-test-'));
  const { databaseUrl, schema } = await testSchema(kind, 't');
  const cfg = loadConfig({ dataDir, env: {}, overrides: { databaseUrl, passphrase: 'test-passphrase-123', logLevel: 'silent', ...opts.config } });
  createKeyfile(keyfilePath(cfg), 'test-passphrase-123');
  const root = localRootKeyProvider(openKeyfile(keyfilePath(cfg), 'test-passphrase-123'));
  const db = await openDb({ dataDir, databaseUrl, poolSize: 4 });
  const app = assemble(cfg, db, root, createLogger({ level: 'silent' }));
  const t = await app.tenants.createTenant({ name: 'test', suite: opts.suite ?? 'aes' });
  const server = await buildServer(app, { logger: false });
  await server.ready();
  const h: Harness = {
    app, server, key: t.api_key, tenant: t.tenant, dataDir, schema,
    async api(method, url, body, key) {
      const k = key === undefined ? h.key : key;
      const res = await server.inject({
        method: method as 'GET', url,
        headers: { ...(k ? { authorization: `Bearer ${k}` } : {}), ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      let parsed: unknown = res.body;
      try { parsed = JSON.parse(res.body); } catch { /* not JSON */ }
      return { status: res.statusCode, body: parsed, headers: res.headers };
    },
    raw: rawSql(db),
    close: () => closeStore(server, app, schema, dataDir),
  };
  return h;
}

/** On PostgreSQL, a schema of the test's own (dropped by closeStore); on PGlite nothing. */
async function testSchema(kind: 'pglite' | 'postgres', prefix: string): Promise<{ databaseUrl?: string; schema?: string }> {
  if (kind !== 'postgres') return {};
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: process.env.CUSTODIAN_TEST_DATABASE_URL });
  await c.connect();
  await c.query(`create schema ${schema}`);
  await c.end();
  const u = new URL(process.env.CUSTODIAN_TEST_DATABASE_URL as string);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return { databaseUrl: u.toString(), schema };
}

/** Direct SQL for assertions ($1… filled in as literals). */
function rawSql(db: Db) {
  return async (sqlText: string, params: unknown[] = []) => {
    const text = sqlText.replace(/\$(\d+)/g, (_m, i) => literal(params[Number(i) - 1]));
    return db.transaction(async (tx) => (await sql.raw(text).execute(tx)).rows as any[]);
  };
}

async function closeStore(server: FastifyInstance, app: Custodian, schema: string | undefined, dataDir: string) {
  await server.close();
  await app.close();
  if (schema) {
    const c = new pg.Client({ connectionString: process.env.CUSTODIAN_TEST_DATABASE_URL });
    await c.connect();
    await c.query(`drop schema ${schema} cascade`);
    await c.end();
  }
  rmSync(dataDir, { recursive: true, force: true });
}

function literal(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return String(v);
  if (Buffer.isBuffer(v)) return `'\\x${v.toString('hex')}'::bytea`;
  return `'${String(v).replace(/'/g, "''")}'`;
}

export const CUSTOMERS = {
  name: 'customers',
  fields: [
    { name: 'name', type: 'person_name', category: 'basic' },
    { name: 'phone', type: 'mobile', searchable: true },
    { name: 'id_number', type: 'cn_id', searchable: true },
    { name: 'email', type: 'email', searchable: true },
    { name: 'address', type: 'address' },
    { name: 'bank_card', type: 'bank_card' },
    { name: 'birth_date', type: 'birth_date' },
  ],
};

export async function setupCustomers(h: Harness) {
  await h.api('POST', '/api/v1/purposes', { name: 'customer_service', title: '客户服务', legal_basis: 'contract' });
  const r = await h.api('POST', '/api/v1/collections', CUSTOMERS);
  if (r.status !== 201) throw new Error(`collection: ${JSON.stringify(r.body)}`);
}

export interface FreshStore { app: Custodian; server: FastifyInstance; dataDir: string; api(method: string, url: string, body: unknown, key: string): Promise<{ status: number; body: any }>; raw(sqlText: string, params?: unknown[]): Promise<any[]>; close(): Promise<void> }

/**
 * A new, empty store on the same backend that opens with a copy of an existing keyfile (the disaster-recovery case:
 * the database is lost, the keyfile and its passphrase are kept). No tenant is created.
 */
export async function openFreshStore(kind: 'pglite' | 'postgres', keyfile: string, passphrase: string): Promise<FreshStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'custodian-fresh-'));
  const { databaseUrl, schema } = await testSchema(kind, 'f');
  const cfg = loadConfig({ dataDir, env: {}, overrides: { databaseUrl, passphrase, logLevel: 'silent' } });
  copyFileSync(keyfile, keyfilePath(cfg));
  const root = localRootKeyProvider(openKeyfile(keyfilePath(cfg), passphrase));
  const db = await openDb({ dataDir, databaseUrl, poolSize: 4 });
  const app = assemble(cfg, db, root, createLogger({ level: 'silent' }));
  const server = await buildServer(app, { logger: false });
  await server.ready();
  return {
    app, server, dataDir,
    async api(method, url, body, key) {
      const res = await server.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) });
      let parsed: unknown = res.body;
      try { parsed = JSON.parse(res.body); } catch { /* not JSON */ }
      return { status: res.statusCode, body: parsed };
    },
    raw: rawSql(db),
    close: () => closeStore(server, app, schema, dataDir),
  };
}
