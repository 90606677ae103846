/**
 * The stream side of backups: the store's migrations, a consistent dump of every table into a line sink, and a scan
 * of a backup file (validating every chunk, table checksum and the manifest) that can feed each table's rows to a
 * loader.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/connection.js';
import { BackupError, readChunks, readLines, type BackupHeader } from './backup-format.js';
import { dumpTable, listTables, type TableInfo, type TableSum } from './backup-tables.js';

export interface Parsed { header: BackupHeader; tables: Array<{ name: string; columns: string[] }>; sums: Record<string, TableSum>; rows: number; auditHeads: Array<Array<string | null>> }

export async function migrationsOf(db: Db | Tx): Promise<string[]> {
  const k = 'kysely' in db ? db.kysely : db;
  return (await sql<{ name: string }>`select name from schema_migrations order by name`.execute(k)).rows.map((r) => r.name);
}

/** What a dump writes to: `open` runs first inside the snapshot (it may read keys there) and gives the line sink. */
export interface DumpTarget { open(tx: Tx): Promise<{ onLine: (line: string) => void; rewriterFor?: (t: TableInfo) => ((row: Array<string | null>) => void) | undefined }> }

/** Dump a consistent snapshot of the store into the writer; returns per-table sums. */
export async function dumpStore(db: Db, target: DumpTarget): Promise<{ tables: TableInfo[]; sums: Record<string, TableSum>; rows: number }> {
  return db.kysely.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(async (tx) => {
    await sql`set local timezone = 'UTC'`.execute(tx);
    await sql`set local datestyle = 'ISO, YMD'`.execute(tx);
    const { onLine, rewriterFor } = await target.open(tx);
    const tables = await listTables(tx);
    onLine(JSON.stringify({ t: 'begin', tables: tables.map((t) => t.name) }));
    const sums: Record<string, TableSum> = {};
    let rows = 0;
    for (const t of tables) {
      onLine(JSON.stringify({ t: 'table', name: t.name, columns: t.columns }));
      sums[t.name] = await dumpTable(tx, t, onLine, undefined, rewriterFor?.(t));
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
export async function scan(path: string, key: Buffer, header: BackupHeader, sink?: { table(name: string, columns: string[]): Promise<void>; rows(name: string, rows: Array<Array<string | null>>): Promise<void> }): Promise<Parsed> {
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

