/**
 * Encrypted logical backups (design decision 4): `create` dumps every table but the erasure ledger in
 * one REPEATABLE READ, read-only transaction (one consistent snapshot); `restore` validates the whole
 * file first, then replaces the store's contents in one transaction and replays the live erasure
 * ledger, so an erased subject never comes back; `drill` restores into a scratch store, compares row
 * counts and checksums with the backup's manifest and keeps the result as evidence.
 */
import { mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { sql } from 'kysely';
import type { Db, Tx } from '../db/connection.js';
import { openDb } from '../db/connection.js';
import { newId } from '../core/ids.js';
import type { RootKeyProvider } from '../crypto/keyfile.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import { BackupError, ChunkWriter, newBackupKey, openBackupKey, readChunks, readHeader, readLines, type BackupHeader } from './backup-format.js';
import { isS3Url, parseS3Url, type S3Store } from './object-store.js';
import { AUDIT_TABLES, KEEP_LIVE, dropSecondaryIndexes, dumpTable, insertRows, recreateIndexes, listTables, replayErasures, truncate, type TableInfo, type TableSum } from './backup-tables.js';

export interface BackupDeps { db: Db; root: RootKeyProvider; audit: Pick<AuditService, 'record' | 'chainCommitted'>; access: Pick<AccessService, 'requirePermission'>; onRestored?: () => void | Promise<void>; /** Off-site target for `s3://bucket/key` locations; none when not configured. */ objectStore?: S3Store }
export interface KeyOpts { passphrase?: string }

interface Parsed { header: BackupHeader; tables: Array<{ name: string; columns: string[] }>; sums: Record<string, TableSum>; rows: number; auditHeads: Array<Array<string | null>> }

const system = (tenantId: string, what: string): Actor => ({ type: 'system', id: `backup:${what}`, tenantId, roles: [] });

async function migrationsOf(db: Db | Tx): Promise<string[]> {
  const k = 'kysely' in db ? db.kysely : db;
  return (await sql<{ name: string }>`select name from schema_migrations order by name`.execute(k)).rows.map((r) => r.name);
}

/** Dump a consistent snapshot of the store into the writer; returns per-table sums. */
async function dumpStore(db: Db, onLine: (line: string) => void): Promise<{ tables: TableInfo[]; sums: Record<string, TableSum>; rows: number }> {
  return db.kysely.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(async (tx) => {
    await sql`set local timezone = 'UTC'`.execute(tx);
    await sql`set local datestyle = 'ISO, YMD'`.execute(tx);
    const tables = await listTables(tx);
    onLine(JSON.stringify({ t: 'begin', tables: tables.map((t) => t.name) }));
    const sums: Record<string, TableSum> = {};
    let rows = 0;
    for (const t of tables) {
      onLine(JSON.stringify({ t: 'table', name: t.name, columns: t.columns }));
      sums[t.name] = await dumpTable(tx, t, onLine);
      rows += sums[t.name].rows;
      onLine(JSON.stringify({ t: 'end', name: t.name, ...sums[t.name] }));
    }
    onLine(JSON.stringify({ t: 'manifest', tables: sums, rows }));
    return { tables, sums, rows };
  });
}

/**
 * Read the whole file, checking every chunk, every table's row count and checksum and the manifest.
 * With `onTable`/`onRows` it also delivers the rows (second pass of a restore).
 */
async function scan(path: string, key: Buffer, header: BackupHeader, sink?: { table(name: string, columns: string[]): Promise<void>; rows(name: string, rows: Array<Array<string | null>>): Promise<void> }): Promise<Parsed> {
  const { createHash } = await import('node:crypto');
  const parsed: Parsed = { header, tables: [], sums: {}, rows: 0, auditHeads: [] };
  let current: { name: string; columns: string[]; hash: ReturnType<typeof createHash>; rows: number; buf: Array<Array<string | null>> } | null = null;
  let manifest: { tables: Record<string, TableSum>; rows: number } | null = null;
  let begun = false;
  const damaged = (why: string) => new BackupError('backup.altered', `备份内容不一致 / the backup content is inconsistent: ${why}`);
  for (const line of readLines(readChunks(path, key))) {
    if (manifest) throw damaged('data after the manifest');
    if (line.startsWith('[')) {
      if (!current) throw damaged('a row outside a table');
      let row: Array<string | null>;
      try { row = JSON.parse(line); } catch { throw damaged(`a malformed row in ${current.name}`); }
      if (!Array.isArray(row) || row.length !== current.columns.length) throw damaged(`a row of ${current.name} has the wrong number of columns`);
      current.hash.update(line).update('\n');
      current.rows += 1;
      if (current.name === 'audit_heads') parsed.auditHeads.push(row);
      if (sink) {
        current.buf.push(row);
        if (current.buf.length >= 5000) { await sink.rows(current.name, current.buf); current.buf = []; }
      }
      continue;
    }
    let m: { t: string; name?: string; columns?: string[]; rows?: number; sha256?: string; tables?: Record<string, TableSum> };
    try { m = JSON.parse(line); } catch { throw damaged('a malformed marker'); }
    if (m.t === 'begin') { begun = true; continue; }
    if (!begun) throw damaged('no beginning marker');
    if (m.t === 'table') {
      if (current) throw damaged(`table ${current.name} has no end marker`);
      current = { name: m.name as string, columns: m.columns as string[], hash: createHash('sha256'), rows: 0, buf: [] };
      parsed.tables.push({ name: current.name, columns: current.columns });
      if (sink) await sink.table(current.name, current.columns);
    } else if (m.t === 'end') {
      if (!current || current.name !== m.name) throw damaged('an end marker without its table');
      const sum = { rows: current.rows, sha256: current.hash.digest('hex') };
      if (sum.rows !== m.rows || sum.sha256 !== m.sha256) throw damaged(`table ${current.name} does not match its checksum`);
      if (sink && current.buf.length) await sink.rows(current.name, current.buf);
      parsed.sums[current.name] = sum;
      parsed.rows += sum.rows;
      current = null;
    } else if (m.t === 'manifest') {
      if (current) throw damaged(`table ${current.name} has no end marker`);
      manifest = { tables: m.tables as Record<string, TableSum>, rows: m.rows as number };
    } else throw damaged(`unknown marker ${m.t}`);
  }
  if (!manifest) throw new BackupError('backup.truncated', '备份缺少清单 / the backup has no manifest (incomplete backup)');
  const names = Object.keys(manifest.tables).sort();
  if (names.join(',') !== Object.keys(parsed.sums).sort().join(',') || names.some((n) => manifest!.tables[n].sha256 !== parsed.sums[n].sha256 || manifest!.tables[n].rows !== parsed.sums[n].rows)) {
    throw damaged('the manifest does not match the tables');
  }
  return parsed;
}

export function createBackupService(deps: BackupDeps) {
  const { db, root } = deps;

  async function openAndValidate(from: string, k: KeyOpts) {
    const { header } = readHeader(from);
    const key = await openBackupKey(header, { root, passphrase: k.passphrase });
    const parsed = await scan(from, key, header);
    return { header, key, parsed };
  }

  /** Refuse before any change when the target store cannot take this backup. */
  async function checkCompatible(target: Db, parsed: Parsed) {
    const have = new Set(await migrationsOf(target));
    const missing = parsed.header.migrations.filter((m) => !have.has(m));
    if (missing.length) throw new BackupError('backup.newer_schema', `备份来自更新的版本（缺少迁移 ${missing.join(', ')}），请先升级 Custodian / the backup comes from a newer version (migrations ${missing.join(', ')} missing here): upgrade Custodian first`);
    const tables = await target.transaction((tx) => listTables(tx));
    for (const t of parsed.tables) {
      const live = tables.find((x) => x.name === t.name);
      const gone = live ? t.columns.filter((c) => !live.columns.includes(c)) : ['(table)'];
      if (gone.length) throw new BackupError('backup.incompatible', `表 ${t.name} 与当前结构不符 / table ${t.name} does not fit the current schema (${gone.join(', ')})`);
    }
    return tables;
  }

  /** Load a validated backup into a store in one transaction. */
  async function load(target: Db, from: string, key: Buffer, header: BackupHeader, parsed: Parsed, opts: { replay: boolean; keepLiveAudit: boolean }) {
    const live = await checkCompatible(target, parsed);
    const types = new Map(live.map((t) => [t.name, new Map(t.columns.map((c, i) => [c, t.types[i]]))]));
    const skip = new Set(opts.keepLiveAudit ? AUDIT_TABLES : []);
    return target.transaction(async (tx) => {
      await sql`set local timezone = 'UTC'`.execute(tx);
      const replaced = live.map((t) => t.name).filter((n) => !KEEP_LIVE.has(n) && !skip.has(n));
      await truncate(tx, replaced);
      const indexes = await dropSecondaryIndexes(tx, replaced);
      const cols = new Map<string, string[]>();
      await scan(from, key, header, {
        async table(name, columns) { cols.set(name, columns); },
        async rows(name, rows) {
          if (skip.has(name)) return;
          const c = cols.get(name)!;
          await insertRows(tx, name, c, c.map((x) => types.get(name)!.get(x)!), rows, KEEP_LIVE.has(name));
        },
      });
      await recreateIndexes(tx, indexes);
      const replayed = opts.replay ? await replayErasures(tx) : { records: 0, subjects: 0, tenants: 0 };
      return replayed;
    });
  }

  /** The live audit chain extends the backup's (same event at the backup's head): keep the live log. */
  async function liveAuditExtends(parsed: Parsed): Promise<boolean> {
    if (parsed.auditHeads.length === 0) return false;
    const cols = parsed.tables.find((t) => t.name === 'audit_heads')!.columns;
    const [ti, si, hi] = ['tenant_id', 'seq', 'hash'].map((c) => cols.indexOf(c));
    for (const h of parsed.auditHeads) {
      const row = await sql<{ hash: string }>`select hash::text as hash from audit_events where tenant_id = ${h[ti]} and seq = ${Number(h[si])}`.execute(db.kysely);
      if (Number(h[si]) > 0 && row.rows[0]?.hash !== h[hi]) return false;
    }
    return true;
  }

  const service = {
    /** Write an encrypted backup of the whole store to `out` (refuses to overwrite). */
    async create(input: { out: string } & KeyOpts) {
      const started = Date.now();
      const base = { format: 'custodian-backup' as const, version: 1 as const, backup_id: newId('bak'), created_at: new Date().toISOString(), store: db.kind, migrations: await migrationsOf(db) };
      const { key, header } = await newBackupKey(base, { root, passphrase: input.passphrase });
      // Events still waiting for their place in the chain get it first, so the backup holds a chain head.
      for (const t of await db.kysely.selectFrom('tenants').select('id').execute()) await deps.audit.chainCommitted(t.id);
      const tmp = `${input.out}.partial-${process.pid}`;
      const w = new ChunkWriter(tmp, header, key);
      let dumped;
      try {
        dumped = await dumpStore(db, (line) => w.push(line + '\n'));
        w.finish();
        try { statSync(input.out); throw new BackupError('backup.exists', `目标文件已存在 / ${input.out} already exists`); } catch (e) { if (e instanceof BackupError) throw e; }
        renameSync(tmp, input.out);
      } catch (e) {
        w.abort();
        rmSync(tmp, { force: true });
        throw e;
      }
      const tenants = await db.kysely.selectFrom('tenants').select('id').execute();
      await db.transaction(async (tx) => { for (const t of tenants) await deps.audit.record(tx, system(t.id, 'create'), [{ action: 'backup.create', decision: 'allow', details: { backup_id: header.backup_id, file: basename(input.out), rows: dumped.rows, key_mode: header.key.mode } }]); });
      return { backup_id: header.backup_id, file: input.out, bytes: w.bytes, rows: dumped.rows, tables: dumped.sums, key_mode: header.key.mode, duration_ms: Date.now() - started };
    },

    /** Check a backup file end to end without touching any store. */
    async inspect(input: { from: string } & KeyOpts) {
      const { header, parsed } = await openAndValidate(input.from, input);
      return { backup_id: header.backup_id, created_at: header.created_at, store: header.store, key_mode: header.key.mode, rows: parsed.rows, tables: parsed.sums };
    },

    /** Drill: restore into a scratch store, compare counts and checksums, keep the result as evidence. */
    async drill(input: { from: string; scratchDir?: string } & KeyOpts) {
      const started = Date.now();
      let result: { ok: boolean; backup_id: string; rows: number; tables: Record<string, { rows: number; expected_rows: number; match: boolean }>; problem: string | null };
      const scratchDir = input.scratchDir ?? mkdtempSync(join(tmpdir(), 'custodian-drill-'));
      try {
        const { header, key, parsed } = await openAndValidate(input.from, input);
        const scratch = await openDb({ dataDir: scratchDir, lock: false });
        try {
          await load(scratch, input.from, key, header, parsed, { replay: false, keepLiveAudit: false });
          const again = await dumpStore(scratch, () => {});
          const tables: typeof result.tables = {};
          let ok = true;
          for (const [name, want] of Object.entries(parsed.sums)) {
            const got = again.sums[name] ?? { rows: -1, sha256: '' };
            const match = got.rows === want.rows && got.sha256 === want.sha256;
            ok &&= match;
            tables[name] = { rows: got.rows, expected_rows: want.rows, match };
          }
          result = { ok, backup_id: header.backup_id, rows: again.rows, tables, problem: ok ? null : 'restored tables differ from the backup manifest' };
        } finally { await scratch.close(); }
      } catch (e) {
        if (!(e instanceof BackupError)) throw e;
        result = { ok: false, backup_id: '', rows: 0, tables: {}, problem: e.message };
      } finally {
        if (!input.scratchDir) rmSync(scratchDir, { recursive: true, force: true });
      }
      const duration = Date.now() - started;
      const tenants = await db.kysely.selectFrom('tenants').select('id').execute();
      const id = newId('drl');
      await db.transaction(async (tx) => {
        for (const t of tenants) {
          await tx.insertInto('backup_drills').values({ tenant_id: t.id, id, backup_id: result.backup_id || 'unknown', file: basename(input.from), ok: result.ok, duration_ms: duration, rows_checked: result.rows, tables: JSON.stringify(result.tables), problem: result.problem }).execute();
          await deps.audit.record(tx, system(t.id, 'drill'), [{ action: 'backup.drill', decision: result.ok ? 'allow' : 'deny', details: { drill_id: id, backup_id: result.backup_id, ok: result.ok, duration_ms: duration } }]);
        }
      });
      return { id, ...result, duration_ms: duration, file: input.from };
    },

    /**
     * Replace the store's contents with the backup, then replay the live erasure ledger. The whole
     * file is validated first; a wrong key, truncated or altered file changes nothing.
     */
    async restore(input: { from: string } & KeyOpts) {
      const started = Date.now();
      const { header, key, parsed } = await openAndValidate(input.from, input);
      const keepLiveAudit = await liveAuditExtends(parsed);
      const ledger = Number((await sql<{ n: number }>`select count(*)::int as n from erasure_ledger`.execute(db.kysely)).rows[0].n);
      const replayed = await load(db, input.from, key, header, parsed, { replay: true, keepLiveAudit });
      await deps.onRestored?.();
      const tenants = await db.kysely.selectFrom('tenants').select('id').execute();
      await db.transaction(async (tx) => { for (const t of tenants) await deps.audit.record(tx, system(t.id, 'restore'), [{ action: 'backup.restore', decision: 'allow', details: { backup_id: header.backup_id, rows: parsed.rows, ledger_entries: ledger, replayed, audit_log: keepLiveAudit ? 'kept live' : 'from backup' } }]); });
      return { backup_id: header.backup_id, created_at: header.created_at, rows: parsed.rows, ledger_entries: ledger, replayed, audit_log: keepLiveAudit ? 'kept' : 'restored', duration_ms: Date.now() - started };
    },

    /**
     * Restore a backup into a scratch store exactly as `restore` would (this store's erasure ledger
     * replayed over it), hand the scratch store to `fn`, then discard it: to show what a restore of an
     * old backup would bring back (deregistration verifies that nothing of a destroyed tenant decrypts).
     */
    async inScratchRestore<T>(input: { from: string } & KeyOpts, fn: (scratch: Db) => Promise<T>): Promise<T> {
      const { header, key, parsed } = await openAndValidate(input.from, input);
      const dir = mkdtempSync(join(tmpdir(), 'custodian-scratch-'));
      try {
        const scratch = await openDb({ dataDir: dir, lock: false });
        try {
          const ledger = await db.kysely.selectFrom('erasure_ledger').select(['tenant_id', 'kind', 'target_id', 'reason', 'erased_at']).orderBy('tenant_id').orderBy('seq').execute();
          for (let i = 0; i < ledger.length; i += 1000) await scratch.kysely.insertInto('erasure_ledger').values(ledger.slice(i, i + 1000)).execute();
          await load(scratch, input.from, key, header, parsed, { replay: true, keepLiveAudit: false });
          return await fn(scratch);
        } finally { await scratch.close(); }
      } finally { rmSync(dir, { recursive: true, force: true }); }
    },

    async listDrills(actor: Actor, limit = 50) {
      return db.transaction(async (tx) => {
        await deps.access.requirePermission(tx, actor, 'backup.manage');
        const rows = await tx.selectFrom('backup_drills').select(['id', 'backup_id', 'file', 'at', 'ok', 'duration_ms', 'rows_checked', 'tables', 'problem']).where('tenant_id', '=', actor.tenantId).orderBy('at', 'desc').limit(Math.min(limit, 200)).execute();
        return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
      });
    },
  };
  return withObjectStorage(service, deps.objectStore);
}

/**
 * `s3://bucket/key` locations: a backup is written to a temporary file and uploaded whole (an object that already
 * exists is refused, as a file would be); a backup to read is downloaded to a temporary file first. The temporary
 * folder is os.tmpdir() (set TMPDIR to a disk with room for one backup).
 */
function withObjectStorage<S extends {
  create(i: { out: string } & KeyOpts): Promise<{ file: string }>;
  inspect(i: { from: string } & KeyOpts): Promise<unknown>;
  drill(i: { from: string; scratchDir?: string } & KeyOpts): Promise<{ file: string }>;
  restore(i: { from: string } & KeyOpts): Promise<unknown>;
  inScratchRestore<T>(i: { from: string } & KeyOpts, fn: (scratch: Db) => Promise<T>): Promise<T>;
}>(s: S, store: S3Store | undefined): S {
  const need = (url: string) => {
    const l = parseS3Url(url);
    if (!store) throw new BackupError('backup.storage_not_configured', `未配置对象存储（CUSTODIAN_S3_ENDPOINT 等） / no object storage configured (CUSTODIAN_S3_ENDPOINT …) for ${url}`);
    if (!l.key || l.key.endsWith('/')) throw new BackupError('backup.location', `S3 位置须指向一个对象 / the S3 location must name an object: ${url}`);
    return { l, store };
  };
  async function local<T>(from: string, fn: (file: string) => Promise<T>): Promise<T> {
    if (!isS3Url(from)) return fn(from);
    const { l, store: st } = need(from);
    const dir = mkdtempSync(join(tmpdir(), 'custodian-s3-'));
    const file = join(dir, basename(l.key));
    try { await st.getFile(l, file); return await fn(file); } finally { rmSync(dir, { recursive: true, force: true }); }
  }
  return {
    ...s,
    async create(input) {
      if (!isS3Url(input.out)) return s.create(input);
      const { l, store: st } = need(input.out);
      if (await st.exists(l)) throw new BackupError('backup.exists', `目标对象已存在 / ${input.out} already exists`);
      const dir = mkdtempSync(join(tmpdir(), 'custodian-s3-'));
      try {
        const r = await s.create({ ...input, out: join(dir, basename(l.key)) });
        await st.putFile(l, r.file);
        return { ...r, file: input.out };
      } finally { rmSync(dir, { recursive: true, force: true }); }
    },
    inspect: (input) => local(input.from, (from) => s.inspect({ ...input, from })),
    drill: (input) => local(input.from, async (from) => ({ ...(await s.drill({ ...input, from })), file: input.from })),
    restore: (input) => local(input.from, (from) => s.restore({ ...input, from })),
    inScratchRestore: (input, fn) => local(input.from, (from) => s.inScratchRestore({ ...input, from }, fn)),
  } as S;
}
export type BackupService = ReturnType<typeof createBackupService>;
