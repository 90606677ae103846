/**
 * Opens the store: PostgreSQL when a URL is given, else PGlite in `<data>/pgdata` (with the
 * one-process lock). Runs pending migrations. Repositories receive a transaction (`Tx`), never the pool.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, sql, type Transaction } from 'kysely';
import { PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { pgliteDialect } from './pglite-dialect.js';
import { acquireStoreLockWaiting, type StoreLock } from './lock.js';
import { migrations } from './migrations/index.js';

export type Tx = Transaction<Database>;
export type StoreKind = 'pglite' | 'postgres';

/**
 * Statements outside any transaction, each committed on its own: for read-only checks ahead of a write
 * that is one statement (and so its own transaction). Never use it inside db.transaction: the embedded
 * store has one connection and would wait for itself.
 */
export function autocommit(db: Db): Tx {
  return db.kysely as unknown as Tx;
}

export interface Db {
  kind: StoreKind;
  kysely: Kysely<Database>;
  /** Run fn in one transaction; it commits when fn resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Run a multi-statement script (DDL) outside the query builder. */
  execScript(script: string): Promise<void>;
  ping(): Promise<void>;
  lock?: StoreLock;
  close(): Promise<void>;
}

export interface OpenDbInput { dataDir: string; databaseUrl?: string; poolSize?: number; lock?: boolean; lockWaitMs?: number; /** PGlite's shared_buffers (default 32MB: PGlite's own default of 128MB costs ~150 MB of RSS). */ pgliteSharedBuffers?: string }

const INT8 = 20;
const BYTEA = 17;

export async function openDb(input: OpenDbInput): Promise<Db> {
  const db = input.databaseUrl ? await openPostgres(input.databaseUrl, input.poolSize ?? 10) : await openPglite(input.dataDir, input.lock ?? true, input.lockWaitMs ?? 10_000, input.pgliteSharedBuffers ?? '32MB');
  try {
    await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}

async function openPostgres(url: string, max: number): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 5000,
    types: { getTypeParser: (oid: number, format?: unknown) => (oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) } as never,
  });
  pool.on('error', () => { /* an idle client lost its connection: the pool replaces it; requests see 503 */ });
  // A client checked out by a transaction emits 'error' when the database goes away between two of its queries;
  // without a listener that event would crash the process. The query in flight still fails (-> 503), and the pool
  // drops the broken client when it is released.
  pool.on('connect', (client) => { client.on('error', () => { /* reported through the failing query */ }); });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool: { connect: async () => preparing(await pool.connect()), end: () => pool.end() } as unknown as pg.Pool }) });
  return {
    kind: 'postgres',
    kysely,
    transaction: (fn) => kysely.transaction().execute(fn),
    async execScript(script) { const c = await pool.connect(); try { await c.query(script); } finally { c.release(); } },
    async ping() { await sql`select 1`.execute(kysely); },
    async close() { await kysely.destroy(); },
  };
}

/**
 * Marks a fixed SQL text on a hot path (e.g. the consent check of every read) to be sent as a named
 * statement on PostgreSQL: parsed and planned once per connection instead of on every call. A comment,
 * so PGlite and logs see plain SQL. Use only for texts that do not vary with the input.
 */
export const prepared = (name: string) => `/* prepared:${name} */ `;
const PREPARED_PREFIX = '/* prepared:';
const patched = new WeakSet<object>();

function preparing(client: pg.PoolClient): pg.PoolClient {
  if (patched.has(client)) return client;
  patched.add(client);
  const query = client.query.bind(client) as (...a: unknown[]) => unknown;
  (client as unknown as { query: (...a: unknown[]) => unknown }).query = (text: unknown, values?: unknown, ...rest: unknown[]) => {
    if (typeof text === 'string' && text.startsWith(PREPARED_PREFIX)) {
      // The name carries a digest of the text: a changed text never meets a stale statement of the same name.
      const name = `${text.slice(PREPARED_PREFIX.length, text.indexOf(' */'))}_${createHash('sha1').update(text).digest('hex').slice(0, 12)}`;
      return query({ name, text, values }, ...rest);
    }
    return query(text, values, ...rest);
  };
  return client;
}

/** A one-line, bilingual reason when the data folder cannot be written (instead of a bare EROFS/EACCES/ENOSPC). */
export class StoreFolderError extends Error {}

function folderError(e: unknown, dataDir: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'EROFS') return new StoreFolderError(`数据目录只读 / the data folder ${dataDir} is on a read-only file system: the embedded store must write there (check the mount)`);
  if (code === 'EACCES' || code === 'EPERM') return new StoreFolderError(`没有写权限 / no permission to write the data folder ${dataDir}: run as its owner or fix its permissions`);
  if (code === 'ENOSPC' || code === 'EDQUOT') return new StoreFolderError(`磁盘已满 / no space left for the data folder ${dataDir}: free some space and start again`);
  return e;
}

async function openPglite(dataDir: string, takeLock: boolean, lockWaitMs: number, sharedBuffers: string): Promise<Db> {
  let lock: StoreLock | undefined;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    lock = takeLock ? await acquireStoreLockWaiting(dataDir, lockWaitMs) : undefined;
  } catch (e) { throw folderError(e, dataDir); }
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const pgl = await PGlite.create(join(dataDir, 'pgdata'), {
      postgresqlconf: [`shared_buffers=${sharedBuffers}`],
      parsers: { [INT8]: (v: string) => Number(v), [BYTEA]: (v: string) => Buffer.from(v.slice(2), 'hex') },
    });
    const kysely = new Kysely<Database>({ dialect: pgliteDialect(pgl) });
    let closed = false;
    return {
      kind: 'pglite',
      kysely,
      lock,
      transaction: (fn) => kysely.transaction().execute(fn),
      async execScript(script) { await kysely.connection().execute(async () => { await pgl.exec(script); }); },
      async ping() { await sql`select 1`.execute(kysely); },
      async close() {
        if (closed) return;
        closed = true;
        await kysely.destroy();
        await pgl.close();
        lock?.release();
      },
    };
  } catch (e) {
    lock?.release();
    throw e;
  }
}

/** Apply pending migrations in order, each in its own transaction, under an advisory lock. */
async function migrate(db: Db): Promise<void> {
  await db.execScript('CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
  await db.transaction(async (tx) => {
    await sql`select pg_advisory_xact_lock(7243001)`.execute(tx);
    const done = new Set((await sql<{ name: string }>`select name from schema_migrations`.execute(tx)).rows.map((r) => r.name));
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      for (const stmt of splitStatements(m.up)) await sql.raw(stmt).execute(tx);
      await sql`insert into schema_migrations (name) values (${m.name})`.execute(tx);
    }
  });
}

/** Split a migration script on top-level semicolons (our migrations hold no functions or quoted semicolons). */
function splitStatements(script: string): string[] {
  return script.split(/;\s*\n/).map((s) => s.trim()).filter(Boolean);
}
