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
import { BackupError, ChunkWriter, newBackupKey, openBackupKey, readHeader, type BackupHeader } from './backup-format.js';
import { isS3Url, parseS3Url, type S3Store } from './object-store.js';
import { AUDIT_TABLES, KEEP_LIVE, dropSecondaryIndexes, dumpTable, insertRows, legacyTable, recreateIndexes, listTables, replayErasures, truncate, type LegacyTable } from './backup-tables.js';
import { exportKeyStore, importKeyStore } from './key-store-file.js';
import { dumpStore, migrationsOf, scan, type Parsed } from './backup-stream.js';
import { planUnseal, prepareSeal, refuseUnavailable, unsealerFor, type SealPlan } from './tenant-seal.js';
import type { TenantBackupKeyStore } from '../crypto/backup-keys.js';
import type { SuiteId } from '../crypto/suites.js';
import { indexAad, kekAad } from '../crypto/keyring.js';

export interface BackupDeps {
  db: Db; root: RootKeyProvider; audit: Pick<AuditService, 'record' | 'chainCommitted'>; access: Pick<AccessService, 'requirePermission'>;
  /** Where the per-tenant backup keys live (ADR 0013): never in a backup. */
  backupKeys: TenantBackupKeyStore;
  onRestored?: () => void | Promise<void>; /** Off-site target for `s3://bucket/key` locations; none when not configured. */ objectStore?: S3Store;
}
export interface KeyOpts { passphrase?: string }


const system = (tenantId: string, what: string): Actor => ({ type: 'system', id: `backup:${what}`, tenantId, roles: [] });

export function createBackupService(deps: BackupDeps) {
  const { db, root, backupKeys } = deps;

  /**
   * What the restore does with each tenant's key material (version 2 backups), judged from the LIVE store's key
   * store and erasure ledger; plus the tenants whose backup keys were all destroyed (they stay destroyed whatever
   * the backup's format).
   */
  async function restorePlan(header: BackupHeader): Promise<{ plan: SealPlan | null; destroyed: string[] }> {
    const plan = await planUnseal(db.kysely, backupKeys, header.tenant_seal);
    const destroyed = [...new Set([...(plan?.destroyed ?? []), ...(await backupKeys.destroyedTenants(db.kysely))])].sort();
    return { plan, destroyed };
  }

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
      const legacy = legacyTable(t.name, parsed.header.migrations);
      if (legacy) {
        const unknown = t.columns.filter((c) => !(c in legacy.columns));
        if (unknown.length) throw new BackupError('backup.incompatible', `表 ${t.name} 与当前结构不符 / table ${t.name} does not fit the current schema (${unknown.join(', ')})`);
        continue;
      }
      const live = tables.find((x) => x.name === t.name);
      const gone = live ? t.columns.filter((c) => !live.columns.includes(c)) : ['(table)'];
      if (gone.length) throw new BackupError('backup.incompatible', `表 ${t.name} 与当前结构不符 / table ${t.name} does not fit the current schema (${gone.join(', ')})`);
    }
    return tables;
  }

  /**
   * Load a validated backup into a store in one transaction. With a seal plan the tenants' key material is unsealed
   * (or dropped for destroyed tenants); without one (drills) it is loaded as it is in the file.
   */
  async function load(target: Db, from: string, key: Buffer, header: BackupHeader, parsed: Parsed, opts: { replay: boolean; keepLiveAudit: boolean; plan: SealPlan | null; destroyed: string[] }) {
    const live = await checkCompatible(target, parsed);
    const types = new Map(live.map((t) => [t.name, new Map(t.columns.map((c, i) => [c, t.types[i]]))]));
    const skip = new Set(opts.keepLiveAudit ? AUDIT_TABLES : []);
    const pks = new Map(live.map((t) => [t.name, t.pk]));
    const unseal = new Map<string, ReturnType<typeof unsealerFor>>();
    return target.transaction(async (tx) => {
      await sql`set local timezone = 'UTC'`.execute(tx);
      const replaced = live.map((t) => t.name).filter((n) => !KEEP_LIVE.has(n) && !skip.has(n));
      await truncate(tx, replaced);
      const indexes = await dropSecondaryIndexes(tx, replaced);
      const cols = new Map<string, string[]>();
      const legacyLoaded: LegacyTable[] = [];
      await scan(from, key, header, {
        async table(name, columns) {
          cols.set(name, columns);
          const legacy = legacyTable(name, header.migrations);
          if (legacy) {
            await sql.raw(`create temporary table ${legacy.temp} (${Object.entries(legacy.columns).map(([c, t]) => `${c} ${t}`).join(', ')}) on commit drop`).execute(tx);
            legacyLoaded.push(legacy);
            return;
          }
          if (opts.plan) unseal.set(name, unsealerFor(opts.plan, header.backup_id, name, columns, pks.get(name) ?? []));
        },
        async rows(name, rows) {
          if (skip.has(name)) return;
          const legacy = legacyTable(name, header.migrations);
          if (legacy) { const c = cols.get(name)!; await insertRows(tx, legacy.temp, c, c.map((x) => legacy.columns[x]), rows, false); return; }
          const c = cols.get(name)!;
          const open = unseal.get(name);
          await insertRows(tx, name, c, c.map((x) => types.get(name)!.get(x)!), open ? open(rows) : rows, KEEP_LIVE.has(name));
        },
      });
      for (const l of legacyLoaded) for (const stmt of l.convert) await sql.raw(stmt).execute(tx);
      await recreateIndexes(tx, indexes);
      const replayed = opts.replay ? await replayErasures(tx, opts.destroyed) : { records: 0, subjects: 0, tenants: 0 };
      return replayed;
    });
  }

  async function recordForAll(what: string, event: { action: string; details: Record<string, unknown> }) {
    const tenants = await db.kysely.selectFrom('tenants').select('id').execute();
    await db.transaction(async (tx) => { for (const t of tenants) await deps.audit.record(tx, system(t.id, what), [{ ...event, decision: 'allow' }]); });
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
      const base = { format: 'custodian-backup' as const, version: 2 as const, backup_id: newId('bak'), created_at: new Date().toISOString(), store: db.kind, migrations: await migrationsOf(db) };
      // Every live tenant gets its backup key before the snapshot (the snapshot's read-only transaction cannot create one).
      for (const t of await db.kysely.selectFrom('tenants').select(['id', 'suite', 'state']).execute()) {
        if (t.state !== 'destroyed') await backupKeys.current(db.kysely, t.id, t.suite as SuiteId);
        // Events still waiting for their place in the chain get it first, so the backup holds a chain head.
        await deps.audit.chainCommitted(t.id);
      }
      const tmp = `${input.out}.partial-${process.pid}`;
      let w: ChunkWriter | null = null;
      let header: BackupHeader | null = null;
      let dumped;
      try {
        dumped = await dumpStore(db, {
          async open(tx) {
            // The seal is read in the snapshot itself, so it matches the key material the snapshot holds.
            const seal = await prepareSeal(tx, backupKeys, base.backup_id);
            const k = await newBackupKey({ ...base, tenant_seal: seal.header }, { root, passphrase: input.passphrase });
            header = k.header;
            const writer = new ChunkWriter(tmp, k.header, k.key);
            w = writer;
            return { onLine: (line) => writer.push(line + '\n'), rewriterFor: seal.rewriterFor };
          },
        });
        if (!w || !header) throw new Error('backup writer not opened');
        (w as ChunkWriter).finish();
        try { statSync(input.out); throw new BackupError('backup.exists', `目标文件已存在 / ${input.out} already exists`); } catch (e) { if (e instanceof BackupError) throw e; }
        renameSync(tmp, input.out);
      } catch (e) {
        (w as ChunkWriter | null)?.abort();
        rmSync(tmp, { force: true });
        throw e;
      }
      const h = header as BackupHeader;
      const sealed = Object.keys(h.tenant_seal?.tenants ?? {}).length;
      const tenants = await db.kysely.selectFrom('tenants').select('id').execute();
      await db.transaction(async (tx) => { for (const t of tenants) await deps.audit.record(tx, system(t.id, 'create'), [{ action: 'backup.create', decision: 'allow', details: { backup_id: h.backup_id, file: basename(input.out), rows: dumped.rows, key_mode: h.key.mode, tenants_sealed: sealed } }]); });
      return { backup_id: h.backup_id, file: input.out, bytes: (w as unknown as ChunkWriter).bytes, rows: dumped.rows, tables: dumped.sums, key_mode: h.key.mode, tenants_sealed: sealed, duration_ms: Date.now() - started };
    },

    /** Check a backup file end to end without touching any store. */
    async inspect(input: { from: string } & KeyOpts) {
      const { header, parsed } = await openAndValidate(input.from, input);
      const { plan } = await restorePlan(header);
      return { backup_id: header.backup_id, created_at: header.created_at, store: header.store, key_mode: header.key.mode, format_version: header.version, tenant_keys: plan?.states ?? null, rows: parsed.rows, tables: parsed.sums };
    },

    /** Drill: restore into a scratch store, compare counts and checksums, keep the result as evidence. */
    async drill(input: { from: string; scratchDir?: string } & KeyOpts) {
      const started = Date.now();
      let result: { ok: boolean; backup_id: string; rows: number; tables: Record<string, { rows: number; expected_rows: number; match: boolean }>; tenant_keys: Record<string, string> | null; problem: string | null };
      const scratchDir = input.scratchDir ?? mkdtempSync(join(tmpdir(), 'custodian-drill-'));
      try {
        const { header, key, parsed } = await openAndValidate(input.from, input);
        const scratch = await openDb({ dataDir: scratchDir, lock: false });
        try {
          // Loaded as it is in the file (key material still sealed), so the re-dump must match the manifest byte for byte.
          await load(scratch, input.from, key, header, parsed, { replay: false, keepLiveAudit: false, plan: null, destroyed: [] });
          const again = await dumpStore(scratch, { open: async () => ({ onLine: () => {} }) });
          // A table an older backup holds that a migration replaced by a view is checked through the view, in its old key order.
          for (const t of parsed.tables) {
            const legacy = legacyTable(t.name, header.migrations);
            if (!legacy) continue;
            again.sums[t.name] = await scratch.kysely.transaction().execute(async (tx) => {
              await sql`set local timezone = 'UTC'`.execute(tx);
              await sql`set local datestyle = 'ISO, YMD'`.execute(tx);
              return dumpTable(tx, { name: t.name, columns: t.columns, types: t.columns.map((c) => legacy.columns[c]), pk: legacy.pk }, () => {});
            });
            again.rows += again.sums[t.name].rows;
          }
          const tables: typeof result.tables = {};
          let ok = true;
          for (const [name, want] of Object.entries(parsed.sums)) {
            const got = again.sums[name] ?? { rows: -1, sha256: '' };
            const match = got.rows === want.rows && got.sha256 === want.sha256;
            ok &&= match;
            tables[name] = { rows: got.rows, expected_rows: want.rows, match };
          }
          // And every tenant's backup key is at hand (or destroyed on purpose): otherwise a restore would stop.
          const { plan } = await restorePlan(header);
          const unavailable = plan?.unavailable ?? [];
          const problem = !ok ? 'restored tables differ from the backup manifest'
            : unavailable.length ? `backup keys unavailable for tenant(s) ${unavailable.map((u) => `${u.tenant} (${u.state})`).join(', ')}: a restore would stop` : null;
          result = { ok: ok && !unavailable.length, backup_id: header.backup_id, rows: again.rows, tables, tenant_keys: plan?.states ?? null, problem };
        } finally { await scratch.close(); }
      } catch (e) {
        if (!(e instanceof BackupError)) throw e;
        result = { ok: false, backup_id: '', rows: 0, tables: {}, tenant_keys: null, problem: e.message };
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
      const { plan, destroyed } = await restorePlan(header);
      refuseUnavailable(plan);
      const keepLiveAudit = await liveAuditExtends(parsed);
      const ledger = Number((await sql<{ n: number }>`select count(*)::int as n from erasure_ledger`.execute(db.kysely)).rows[0].n);
      const replayed = await load(db, input.from, key, header, parsed, { replay: true, keepLiveAudit, plan, destroyed });
      await deps.onRestored?.();
      const tenants = await db.kysely.selectFrom('tenants').select(['id', 'state']).orderBy('id').execute();
      const gone = tenants.filter((t) => t.state === 'destroyed').map((t) => t.id);
      const restoredTenants = tenants.filter((t) => t.state !== 'destroyed').map((t) => t.id);
      await db.transaction(async (tx) => { for (const t of tenants) await deps.audit.record(tx, system(t.id, 'restore'), [{ action: 'backup.restore', decision: 'allow', details: { backup_id: header.backup_id, rows: parsed.rows, ledger_entries: ledger, replayed, audit_log: keepLiveAudit ? 'kept live' : 'from backup', tenant_state: t.state === 'destroyed' ? 'destroyed' : 'restored' } }]); });
      return {
        backup_id: header.backup_id, created_at: header.created_at, format_version: header.version, rows: parsed.rows, ledger_entries: ledger, replayed, audit_log: keepLiveAudit ? 'kept' : 'restored',
        /** Tenants restored with their keys, and tenants whose keys stay destroyed (deregistered): their data does not decrypt. */
        tenants: { restored: restoredTenants, destroyed: gone },
        duration_ms: Date.now() - started,
      };
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
          const { plan, destroyed } = await restorePlan(header);
          refuseUnavailable(plan);
          await load(scratch, input.from, key, header, parsed, { replay: true, keepLiveAudit: false, plan, destroyed });
          return await fn(scratch);
        } finally { await scratch.close(); }
      } finally { rmSync(dir, { recursive: true, force: true }); }
    },

    /**
     * The attacker's path, without Custodian's restore: take the tenant's key material straight out of the backup file
     * and try to unwrap it with the root key alone. A version 2 backup holds it sealed under the tenant's backup key,
     * so nothing opens; a version 1 backup (before ADR 0013) opens whatever was live when it was made.
     */
    async rootKeyAlone(input: { from: string } & KeyOpts, tenantId: string) {
      const { header, key } = await openAndValidate(input.from, input);
      const found: Array<{ aad: string; value: Buffer }> = [];
      let suite: SuiteId = 'aes';
      const cols = new Map<string, string[]>();
      await scan(input.from, key, header, {
        async table(name, columns) { cols.set(name, columns); },
        async rows(name, rows) {
          const c = cols.get(name)!;
          const at = (r: Array<string | null>, col: string) => r[c.indexOf(col)];
          const bytes = (v: string) => Buffer.from(v.slice(2), 'hex');
          for (const r of rows) {
            if (name === 'tenants' && at(r, 'id') === tenantId) {
              suite = at(r, 'suite') as SuiteId;
              const v = at(r, 'index_key_wrapped');
              if (v) found.push({ aad: indexAad(tenantId), value: bytes(v) });
            }
            if (name === 'tenant_keys' && at(r, 'tenant_id') === tenantId) {
              const v = at(r, 'wrapped');
              if (v) found.push({ aad: kekAad(tenantId, Number(at(r, 'version'))), value: bytes(v) });
            }
          }
        },
      });
      let opened = 0;
      for (const f of found) {
        try { await root.unwrap(f.value, f.aad, suite); opened += 1; } catch { /* does not open */ }
      }
      return { format_version: header.version, sealed_under_backup_key: Boolean(header.tenant_seal?.tenants[tenantId]), key_values: found.length, opened_with_root_key: opened };
    },

    /** Export what lives outside backups (tenant backup keys, erasure ledger) to one file sealed under the root key. */
    async exportKeyStore(input: { out: string }) {
      const out = await exportKeyStore(db, root, input.out);
      await recordForAll('keys_export', { action: 'keys.store_export', details: { export_id: out.export_id, file: basename(input.out), backup_keys: out.backup_keys, ledger_entries: out.ledger_entries } });
      return out;
    },

    /** Merge a key store export into this store (a fresh store, before `restore`); destruction always wins. */
    async importKeyStore(input: { from: string }) {
      const out = await importKeyStore(db, root, input.from);
      await recordForAll('keys_import', { action: 'keys.store_import', details: { ...out, file: basename(input.from) } });
      return out;
    },

    /**
     * Rotate tenants' backup keys (one tenant, or every live tenant): new backups seal under the new version; older
     * backups keep restoring unless `destroyOlder`, which makes every older backup unable to open those tenants.
     */
    async rotateBackupKeys(input: { tenant?: string; destroyOlder?: boolean }) {
      let q = db.kysely.selectFrom('tenants').select(['id', 'suite']).where('state', '!=', 'destroyed').orderBy('id');
      if (input.tenant) q = q.where('id', '=', input.tenant);
      const tenants = await q.execute();
      if (input.tenant && !tenants.length) throw new BackupError('backup.tenant_not_found', `租户不存在或已注销 / no live tenant ${input.tenant}`);
      const out: Array<{ tenant: string; version: number; destroyed: number }> = [];
      for (const t of tenants) {
        out.push(await db.transaction(async (tx) => {
          const r = await backupKeys.rotate(tx, t.id, t.suite as SuiteId, { destroyOlder: input.destroyOlder });
          await deps.audit.record(tx, system(t.id, 'rotate'), [{ action: 'keys.backup_key_rotate', decision: 'allow', details: { version: r.version, older_destroyed: r.destroyed } }]);
          return { tenant: t.id, ...r };
        }));
      }
      return { tenants: out };
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
  rootKeyAlone(i: { from: string } & KeyOpts, tenantId: string): Promise<unknown>;
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
    rootKeyAlone: (input, tenantId) => local(input.from, (from) => s.rootKeyAlone({ ...input, from }, tenantId)),
  } as S;
}
export type BackupService = ReturnType<typeof createBackupService>;
