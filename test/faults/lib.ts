/**
 * Fault tests drive Custodian as an operator runs it: `node bin/custodian.js init|serve|audit verify|keys rotate`
 * as separate processes (built with `npm run build`), on a fresh data folder (PGlite) or a fresh PostgreSQL schema,
 * and kill, starve or cut them off from their store.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'custodian.js');
export const PASSPHRASE = 'fault-test-passphrase-1';

export const FAULT_BACKENDS: Array<'pglite' | 'postgres'> = process.env.CUSTODIAN_TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('fault tests run the built command: run `npm run build` first');
}

/** Where one test's store lives: a data folder, plus a PostgreSQL URL with a schema of its own when kind is postgres. */
export interface Backend { kind: 'pglite' | 'postgres'; dataDir: string; env: NodeJS.ProcessEnv; cleanup(): Promise<void> }

export async function freshBackend(kind: 'pglite' | 'postgres', opts: { dataDir?: string; databaseUrl?: string } = {}): Promise<Backend> {
  const base = mkdtempSync(join(tmpdir(), 'custodian-fault-'));
  const dataDir = opts.dataDir ?? join(base, 'data');
  const env: NodeJS.ProcessEnv = { ...process.env, CUSTODIAN_PASSPHRASE: PASSPHRASE, LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  delete env.CUSTODIAN_DATA;
  let schema: string | undefined;
  let adminUrl: string | undefined;
  if (kind === 'postgres') {
    adminUrl = opts.databaseUrl ?? process.env.CUSTODIAN_TEST_DATABASE_URL;
    if (!adminUrl) throw new Error('no PostgreSQL URL');
    schema = `f_${randomBytes(6).toString('hex')}`;
    await pgExec(adminUrl, `create schema ${schema}`);
    const u = new URL(adminUrl);
    u.searchParams.set('options', `-c search_path=${schema}`);
    env.DATABASE_URL = u.toString();
  }
  return {
    kind, dataDir, env,
    async cleanup() {
      if (schema && adminUrl) await pgExec(adminUrl, `drop schema if exists ${schema} cascade`).catch(() => undefined);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

export async function pgExec(url: string, text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try { return await c.query(text); } finally { await c.end(); }
}

export interface CliResult { code: number; stdout: string; stderr: string }
export function cli(be: Backend, args: string[], timeoutMs = 120_000): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args, '--data', be.dataDir], { env: be.env, encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Async variant, so the test's own event loop (clients under load) keeps running meanwhile. */
export function cliAsync(be: Backend, args: string[], timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [BIN, ...args, '--data', be.dataDir], { env: be.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = ''; let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => { clearTimeout(t); res({ code: code ?? -1, stdout, stderr }); });
  });
}

export function initStore(be: Backend): { api_key: string; tenant: string } {
  const r = cli(be, ['init', '--json']);
  if (r.code !== 0) throw new Error(`init failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

export function auditVerify(be: Backend): { ok: boolean; events: number; problem?: string; raw: string } {
  const r = cli(be, ['audit', 'verify', '--json']);
  try { return { ...JSON.parse(r.stdout.trim().split('\n').pop() as string), raw: r.stdout + r.stderr }; } catch { return { ok: false, events: 0, problem: `exit ${r.code}: ${r.stderr}`, raw: r.stdout + r.stderr }; }
}

export interface ServerProc {
  url: string; pid: number; logs: string[]; exited: Promise<number | null>;
  kill9(): Promise<void>;
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();
/** Kill whatever a failed test left behind (by pid). */
export function killAll(): void { for (const p of running) { try { p.kill('SIGKILL'); } catch { /* gone */ } } running.clear(); }

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const a = s.address(); s.close(() => (a && typeof a === 'object' ? res(a.port) : rej(new Error('no port')))); });
  });
}

/**
 * Start `custodian serve` on a free port; ready when it logs that it listens, or (with a quieter LOG_LEVEL) when
 * its /health answers.
 */
export async function startServer(be: Backend, opts: { timeoutMs?: number; extraEnv?: NodeJS.ProcessEnv } = {}): Promise<ServerProc> {
  const port = await freePort();
  const p = spawn(process.execPath, [BIN, 'serve', '--data', be.dataDir, '--port', String(port)], { env: { ...be.env, ...opts.extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(p);
  const logs: string[] = [];
  const exited = new Promise<number | null>((res) => p.on('exit', (code, signal) => { running.delete(p); res(code ?? (signal ? -1 : null)); }));
  const url = await new Promise<string>((res, rej) => {
    // A server that never became ready is killed, not left behind.
    const timer = setTimeout(() => { p.kill('SIGKILL'); rej(new Error(`server did not start in time:\n${logs.join('\n')}`)); }, opts.timeoutMs ?? 90_000);
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i); buf = buf.slice(i + 1);
        logs.push(line);
        const m = /Custodian listening on (https?:\/\/[^\s]+)/.exec(line);
        if (m) { clearTimeout(timer); res(m[1]); }
      }
    };
    p.stdout.on('data', onData);
    p.stderr.on('data', (d: Buffer) => { for (const l of d.toString('utf8').split('\n')) if (l) logs.push(l); });
    const poll = setInterval(() => {
      fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) }).then((r) => { if (r.ok) { clearInterval(poll); clearTimeout(timer); res(`http://127.0.0.1:${port}`); } }, () => undefined);
    }, 250);
    void exited.then(() => clearInterval(poll));
    setTimeout(() => clearInterval(poll), opts.timeoutMs ?? 90_000);
    void exited.then((code) => { clearTimeout(timer); rej(new Error(`server exited (${code}) before listening:\n${logs.join('\n')}`)); });
  });
  return {
    url, pid: p.pid as number, logs, exited,
    async kill9() { p.kill('SIGKILL'); await exited; },
    async stop() { p.kill('SIGTERM'); return exited; },
  };
}

export interface ApiResult { status: number; body: any; headers: Headers }
export async function api(base: string, key: string | null, method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<ApiResult> {
  const res = await fetch(base + path, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: parsed, headers: res.headers };
}

export async function setupCustomers(base: string, key: string): Promise<void> {
  const p = await api(base, key, 'POST', '/api/v1/purposes', { name: 'customer_service', title: '客户服务', legal_basis: 'contract' });
  if (p.status !== 201) throw new Error(`purpose: ${p.status} ${JSON.stringify(p.body)}`);
  const c = await api(base, key, 'POST', '/api/v1/collections', {
    name: 'customers',
    fields: [{ name: 'name', type: 'person_name' }, { name: 'phone', type: 'mobile', searchable: true }, { name: 'email', type: 'email', searchable: true }],
  });
  if (c.status !== 201) throw new Error(`collection: ${c.status} ${JSON.stringify(c.body)}`);
}

/** A batch whose records share one phone number, so one search finds the whole batch (or none of it). */
export interface Batch { seq: number; phone: string; emails: string[]; ids?: string[] }
export function makeBatch(seq: number, size: number, prefix = '139'): Batch {
  const phone = prefix + String(seq).padStart(8, '0');
  return { seq, phone, emails: Array.from({ length: size }, (_, i) => `b${seq}.r${i}@fault.test`) };
}
export function batchBody(b: Batch) {
  return { records: b.emails.map((email, i) => ({ fields: { name: `测试${b.seq}-${i}`, phone: b.phone, email } })) };
}

/** The records of a batch as the store returns them (id -> email). */
export async function findBatch(base: string, key: string, b: Batch): Promise<Map<string, string>> {
  const r = await api(base, key, 'POST', '/api/v1/collections/customers/search', { field: 'phone', value: b.phone, purpose: 'customer_service', fields: ['email', 'phone'], limit: 1000 });
  if (r.status !== 200) throw new Error(`search: ${r.status} ${JSON.stringify(r.body)}`);
  return new Map((r.body.records as Array<{ id: string; fields: { email: string } }>).map((x) => [x.id, x.fields.email]));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** PostgreSQL binaries of the machine (Debian layout), or null. */
export function pgBinDir(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0], 'bin') : null;
}
