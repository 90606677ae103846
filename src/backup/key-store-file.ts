/**
 * The key store export (ADR 0013): what lives outside backups — every tenant's backup key versions (wrapped by the
 * root key, destroyed ones as tombstones) and the erasure ledger — in one file sealed like a backup under a key
 * wrapped by the root key. A fresh store (the old database lost) imports it before `backup restore`; without it a
 * version 2 backup cannot open any tenant. Keep exactly ONE current copy, beside the keyfile and away from the
 * backups, and replace it after every deregistration: an older copy still holds the keys deregistration destroyed.
 */
import { renameSync, rmSync } from 'node:fs';
import { sql } from 'kysely';
import type { Db } from '../db/connection.js';
import { newId } from '../core/ids.js';
import type { RootKeyProvider } from '../crypto/keyfile.js';
import type { SuiteId } from '../crypto/suites.js';
import { BackupError, ChunkWriter, newBackupKey, openBackupKey, readChunks, readHeader, readLines } from './backup-format.js';

interface KeyLine { t: 'key'; tenant_id: string; version: number; wrapped: string | null; created_at: string; retired_at: string | null; destroyed_at: string | null; reason: string | null }
interface LedgerLine { t: 'ledger'; tenant_id: string; kind: 'subject' | 'record' | 'tenant'; target_id: string; reason: string | null; erased_at: string }
interface EndLine { t: 'end'; keys: number; ledger: number }

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
const backupKeyAad = (tenantId: string, version: number) => `tenant-backup-key|${tenantId}|${version}`;

/** Write the key store and erasure ledger of `db` to `out`, replacing an earlier export there. */
export async function exportKeyStore(db: Db, root: RootKeyProvider, out: string) {
  const migrations = (await sql<{ name: string }>`select name from schema_migrations order by name`.execute(db.kysely)).rows.map((r) => r.name);
  const base = { format: 'custodian-keystore' as const, version: 1 as const, backup_id: newId('kse'), created_at: new Date().toISOString(), store: db.kind, migrations };
  const { key, header } = await newBackupKey(base, { root });
  const tmp = `${out}.partial-${process.pid}`;
  const w = new ChunkWriter(tmp, header, key);
  try {
    const counts = await db.kysely.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(async (tx) => {
      const keys = await tx.selectFrom('tenant_backup_keys').selectAll().orderBy('tenant_id').orderBy('version').execute();
      for (const k of keys) {
        const line: KeyLine = { t: 'key', tenant_id: k.tenant_id, version: k.version, wrapped: k.wrapped ? k.wrapped.toString('base64') : null, created_at: iso(k.created_at) as string, retired_at: iso(k.retired_at), destroyed_at: iso(k.destroyed_at), reason: k.reason };
        w.push(JSON.stringify(line) + '\n');
      }
      let ledger = 0;
      for (let after = 0; ;) {
        const rows = await tx.selectFrom('erasure_ledger').select(['seq', 'tenant_id', 'kind', 'target_id', 'reason', 'erased_at']).where('seq', '>', after).orderBy('seq').limit(10_000).execute();
        if (!rows.length) break;
        for (const r of rows) {
          const line: LedgerLine = { t: 'ledger', tenant_id: r.tenant_id, kind: r.kind, target_id: r.target_id, reason: r.reason, erased_at: iso(r.erased_at) as string };
          w.push(JSON.stringify(line) + '\n');
        }
        ledger += rows.length;
        after = Number(rows[rows.length - 1].seq);
      }
      const end: EndLine = { t: 'end', keys: keys.length, ledger };
      w.push(JSON.stringify(end) + '\n');
      return { keys: keys.length, ledger };
    });
    w.finish();
    renameSync(tmp, out);
    return { export_id: header.backup_id, file: out, bytes: w.bytes, backup_keys: counts.keys, ledger_entries: counts.ledger };
  } catch (e) {
    w.abort();
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Merge an export into `db`'s key store and erasure ledger: missing key versions are added, a destroyed version in
 * the file destroys the live one (destruction always wins), ledger entries not yet present are added. Every key in
 * the file must open under this root key, or nothing is imported.
 */
export async function importKeyStore(db: Db, root: RootKeyProvider, from: string) {
  const { header } = readHeader(from, 'custodian-keystore');
  const key = await openBackupKey(header, { root });
  const keys: KeyLine[] = [];
  const ledger: LedgerLine[] = [];
  let end: EndLine | null = null;
  const bad = (why: string) => new BackupError('backup.altered', `密钥库导出文件不一致 / the key store export is inconsistent: ${why}`);
  for (const text of readLines(readChunks(from, key, 'custodian-keystore'))) {
    if (end) throw bad('data after its end');
    let line: KeyLine | LedgerLine | EndLine;
    try { line = JSON.parse(text); } catch { throw bad('a malformed line'); }
    if (line.t === 'key') keys.push(line);
    else if (line.t === 'ledger') ledger.push(line);
    else if (line.t === 'end') end = line;
    else throw bad('an unknown line');
  }
  if (!end || end.keys !== keys.length || end.ledger !== ledger.length) throw bad('its counts do not match');
  const suites = new Map((await db.kysely.selectFrom('tenants').select(['id', 'suite']).execute()).map((t) => [t.id, t.suite as SuiteId]));
  for (const k of keys) {
    if (!k.wrapped) continue;
    // The suite a key was wrapped with is the tenant's; a fresh store does not know the tenant yet, so try both.
    const wrapped = Buffer.from(k.wrapped, 'base64');
    const tries: SuiteId[] = suites.has(k.tenant_id) ? [suites.get(k.tenant_id) as SuiteId] : ['aes', 'sm'];
    let opens = false;
    for (const s of tries) { try { await root.unwrap(wrapped, backupKeyAad(k.tenant_id, k.version), s); opens = true; break; } catch { /* next */ } }
    if (!opens) throw new BackupError('backup.wrong_key', `根密钥无法解开租户 ${k.tenant_id} 的备份密钥：导出来自另一个密钥文件 / the root key does not open the backup key of tenant ${k.tenant_id}: the export comes from another keyfile`);
  }
  return db.transaction(async (tx) => {
    let added = 0;
    let destroyed = 0;
    for (const k of keys) {
      const r = await tx.insertInto('tenant_backup_keys').values({ tenant_id: k.tenant_id, version: k.version, wrapped: k.wrapped ? Buffer.from(k.wrapped, 'base64') : null, created_at: k.created_at, retired_at: k.retired_at, destroyed_at: k.wrapped ? null : (k.destroyed_at ?? new Date().toISOString()), reason: k.reason })
        .onConflict((oc) => oc.doNothing()).executeTakeFirst();
      added += Number(r.numInsertedOrUpdatedRows ?? 0n);
      if (!k.wrapped) {
        const u = await tx.updateTable('tenant_backup_keys').set({ wrapped: null, destroyed_at: k.destroyed_at ?? new Date().toISOString(), reason: k.reason }).where('tenant_id', '=', k.tenant_id).where('version', '=', k.version).where('wrapped', 'is not', null).executeTakeFirst();
        destroyed += Number(u.numUpdatedRows ?? 0n);
      }
    }
    let ledgerAdded = 0;
    for (let i = 0; i < ledger.length; i += 5000) {
      const part = ledger.slice(i, i + 5000);
      const r = await sql`insert into erasure_ledger (tenant_id, kind, target_id, reason, erased_at)
        select u.t, u.k, u.id, u.r, u.at::timestamptz from unnest(${part.map((l) => l.tenant_id)}::text[], ${part.map((l) => l.kind)}::text[], ${part.map((l) => l.target_id)}::text[], ${part.map((l) => l.reason)}::text[], ${part.map((l) => l.erased_at)}::text[]) as u(t, k, id, r, at)
        where not exists (select 1 from erasure_ledger e where e.tenant_id = u.t and e.kind = u.k and e.target_id = u.id)`.execute(tx);
      ledgerAdded += Number(r.numAffectedRows ?? 0n);
    }
    return { export_id: header.backup_id, created_at: header.created_at, backup_keys_added: added, backup_keys_destroyed: destroyed, ledger_entries_added: ledgerAdded };
  });
}
