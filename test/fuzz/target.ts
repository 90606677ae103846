/**
 * The system under fuzz: a real Custodian (store, keys, services, Fastify app with its real logger) on PGlite or
 * PostgreSQL, seeded with PI and identities, whose log lines are captured and scanned for PI and secrets, and whose
 * tables can be fingerprinted to prove a refused request wrote nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/core/config.js';
import { createKeyfile, localRootKeyProvider, openKeyfile } from '../../src/crypto/keyfile.js';
import { openDb } from '../../src/db/connection.js';
import { assemble, keyfilePath, type Custodian } from '../../src/app.js';
import { createLogger } from '../../src/core/logger.js';
import { buildServer } from '../../src/http/server.js';

export const PASSPHRASE = 'fuzz-passphrase-7f3a9c';

/** PI held in the vault: must never appear in an error response or a log line. */
export const SEEDED_PI = {
  name: '欧阳娜娜', phone: '13987654321', id_number: '44030419850612372X', email: 'ouyang.nana@example.cn',
  address: '广东省深圳市南山区科技园路88号', bank_card: '6217003810026892235', birth_date: '1985-06-12',
};
/** PI-shaped values the fuzzer puts in requests: echoed back to the caller is acceptable, in a log line never. */
export const CANARIES = ['13712340987', '110101199003074477', 'canary.pi@example.org', '6222600260001072444', '司马懿'];

export interface Reply { status: number; headers: Record<string, unknown>; body: string }
export interface FuzzRequest { method: string; url: string; headers: Record<string, string>; payload?: string | Buffer }

export interface Target {
  app: Custodian; server: FastifyInstance; kind: 'pglite' | 'postgres';
  ownerKey: string; maskedKey: string; adminPassword: string; session: { cookie: string; csrf: string };
  /** Ids that exist, by kind, for path parameters. */
  ids: Record<string, string[]>;
  secrets: string[];
  logs: string[];
  send(r: FuzzRequest): Promise<Reply>;
  fingerprint(exempt?: string[]): Promise<Map<string, string>>;
  close(): Promise<void>;
}

/** Tables a refused request may legitimately write: the audit trail (a denial is audited) and its chain head. */
const AUDIT_TABLES = ['audit_events', 'audit_checkpoints', 'audit_heads'];

export async function startTarget(kind: 'pglite' | 'postgres', extra: Partial<Config> = {}): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'custodian-fuzz-'));
  let databaseUrl: string | undefined;
  let schema: string | undefined;
  const adminUrl = process.env.CUSTODIAN_TEST_DATABASE_URL;
  if (kind === 'postgres') {
    schema = `z_${randomBytes(6).toString('hex')}`;
    const c = new pg.Client({ connectionString: adminUrl }); await c.connect(); await c.query(`create schema ${schema}`); await c.end();
    const u = new URL(adminUrl as string); u.searchParams.set('options', `-c search_path=${schema}`); databaseUrl = u.toString();
  }
  const logs: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { logs.push(chunk.toString('utf8')); cb(); } });
  const cfg = loadConfig({ dataDir, env: {}, overrides: { databaseUrl, passphrase: PASSPHRASE, logLevel: 'info', ...extra } });
  createKeyfile(keyfilePath(cfg), PASSPHRASE);
  const root = localRootKeyProvider(openKeyfile(keyfilePath(cfg), PASSPHRASE));
  const db = await openDb({ dataDir, databaseUrl, poolSize: 4 });
  const app = assemble(cfg, db, root, createLogger({ level: 'info', destination: sink }));
  const t = await app.tenants.createTenant({ name: 'fuzz', suite: 'aes' });
  const server = await buildServer(app, {});
  await server.ready();

  const send = async (r: FuzzRequest): Promise<Reply> => {
    const res = await server.inject({ method: r.method as 'GET', url: r.url, headers: r.headers, ...(r.payload !== undefined ? { payload: r.payload } : {}) });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  };
  const call = async (method: string, url: string, body?: unknown, key = t.api_key) => {
    const res = await send({ method, url, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) });
    if (res.status >= 300) throw new Error(`seed ${method} ${url}: ${res.status} ${res.body}`);
    return JSON.parse(res.body);
  };

  // Seed: purposes, a collection, records with PI, a notice and consent, roles, keys, a request, retention, a hold.
  await call('POST', '/api/v1/purposes', { name: 'customer_service', title: '客户服务', legal_basis: 'contract', requires_training: false });
  await call('POST', '/api/v1/purposes', { name: 'marketing', title: '营销', legal_basis: 'consent', requires_training: false });
  await call('POST', '/api/v1/collections', { name: 'customers', fields: [
    { name: 'name', type: 'person_name', category: 'basic' }, { name: 'phone', type: 'mobile', searchable: true },
    { name: 'id_number', type: 'cn_id', searchable: true }, { name: 'email', type: 'email', searchable: true },
    { name: 'address', type: 'address' }, { name: 'bank_card', type: 'bank_card' }, { name: 'birth_date', type: 'birth_date' }] });
  const w = await call('POST', '/api/v1/collections/customers/records', { records: [{ fields: SEEDED_PI }, { fields: { name: '林黛玉', phone: '13600001111' } }, { fields: { name: '贾宝玉', email: 'baoyu@example.cn' } }] });
  const notice = await call('POST', '/api/v1/notices', { name: 'privacy-policy', language: 'zh-CN', text: '我们如何处理您的个人信息……', purposes: ['marketing'] });
  await call('POST', `/api/v1/subjects/${w.subject_ids[0]}/consents`, { purpose: 'marketing', notice: 'privacy-policy', notice_version: notice.version, channel: 'web' });
  await call('POST', '/api/v1/roles', { name: 'cs_masked', grants: [{ collection: 'customers', fields: ['name', 'phone'], actions: ['read', 'search'], purposes: ['customer_service'], view: 'masked' }] });
  const masked = await call('POST', '/api/v1/api-keys', { name: 'masked', roles: ['cs_masked'] });
  const spare = await call('POST', '/api/v1/api-keys', { name: 'spare', roles: ['cs_masked'] });
  const req = await call('POST', '/api/v1/requests', { subject_id: w.subject_ids[1], kind: 'access' });
  const staff = await call('POST', '/api/v1/staff', { username: 'wang.wu', display_name: '王五', roles: ['cs_masked'] });
  const ids: Record<string, string[]> = { record: w.ids, subject: w.subject_ids, request: [req.id], api_key: [spare.id], staff: [staff.id ?? staff.staff?.id].filter(Boolean) };
  for (const [url, body, key] of [
    ['/api/v1/retention/rules', { name: 'ten_years', collection: 'customers', period_days: 3650, anchor: 'created' }, 'retention'],
    ['/api/v1/legal-holds', { subject_id: w.subject_ids[2], reason: '诉讼保全' }, 'hold'],
  ] as const) {
    const res = await send({ method: 'POST', url, headers: { authorization: `Bearer ${t.api_key}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    if (res.status === 201) { const id = JSON.parse(res.body).id; if (id) ids[key] = [id]; }
  }

  const login = await send({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ username: t.admin.username, password: t.admin.password }) });
  if (login.status !== 200) throw new Error(`admin login: ${login.status} ${login.body}`);
  const session = { cookie: String(login.headers['set-cookie']).split(';')[0], csrf: JSON.parse(login.body).csrf_token as string };

  // Row-level triggers count committed changes per table: a transaction that rolls back takes its counts with it,
  // so after a refused request the counters of every table but the audit trail must be unchanged.
  const tables = await db.transaction(async (tx) => (await sql<{ t: string }>`select table_name as t from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`.execute(tx)).rows.map((r) => r.t));
  await db.execScript(`create table fuzz_writes (t text primary key, n bigint not null default 0);
    create function fuzz_count_write() returns trigger language plpgsql as $$ begin update fuzz_writes set n = n + 1 where t = TG_TABLE_NAME; return null; end $$;
    ${tables.filter((x) => !AUDIT_TABLES.includes(x)).map((x) => `insert into fuzz_writes (t) values ('${x}'); create trigger fuzz_w after insert or update or delete on ${x} for each row execute function fuzz_count_write();`).join('\n')}`);
  const fingerprint = async (exempt: string[] = []) => {
    const rows = await db.transaction(async (tx) => (await sql<{ t: string; n: number }>`select t, n from fuzz_writes`.execute(tx)).rows);
    return new Map(rows.filter((r) => !exempt.includes(r.t)).map((r) => [r.t, String(r.n)]));
  };

  return {
    app, server, kind, ownerKey: t.api_key, maskedKey: masked.api_key, adminPassword: t.admin.password, session, ids,
    secrets: [t.api_key, masked.api_key, spare.api_key, t.admin.password, PASSPHRASE, session.cookie.split('=')[1], session.csrf],
    logs, send, fingerprint,
    async close() {
      await server.close();
      await app.close();
      if (schema) { const c = new pg.Client({ connectionString: adminUrl }); await c.connect(); await c.query(`drop schema ${schema} cascade`); await c.end(); }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The forbidden strings found in a text, in raw, JSON-escaped and URL-encoded form. */
export function leaks(text: string, forbidden: string[]): string[] {
  return forbidden.filter((f) => f && (text.includes(f) || text.includes(JSON.stringify(f).slice(1, -1)) || text.includes(encodeURIComponent(f))));
}
