/**
 * The tenant seal of a backup (ADR 0013). While dumping, each value of a TENANT_SEALED column (a tenant's KEK
 * versions, index key, Paillier private keys — already wrapped by the root key) is sealed again under the tenant's
 * backup key, which stays outside backups. The associated data binds the backup, table, column, tenant and row, so
 * a sealed value cannot be moved to another row or backup. On restore a tenant whose backup key is available gets its
 * values back as they were; a destroyed tenant's values are dropped (state destroyed); a tenant whose key is missing
 * (key store not imported) or whose key version was destroyed by a rotation stops the restore before any change.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { TenantBackupKeyStore } from '../crypto/backup-keys.js';
import { suiteFor, type PreparedKey, type Suite, type SuiteId } from '../crypto/suites.js';
import { BackupError, type TenantSeal } from './backup-format.js';
import { TENANT_SEALED, type TableInfo } from './backup-tables.js';

type Q = Kysely<Database>;
type Row = Array<string | null>;

const sealAad = (backupId: string, table: string, column: string, tenantId: string, key: Row) =>
  Buffer.from(`custodian-backup-tenant-seal|${backupId}|${table}.${column}|${tenantId}|${JSON.stringify(key)}`);
const fromHex = (v: string) => Buffer.from(v.startsWith('\\x') ? v.slice(2) : v, 'hex');
const toHex = (b: Buffer) => `\\x${b.toString('hex')}`;

interface OpenKey { suite: Suite; key: PreparedKey }

/** Column positions of the sealed columns of one table, by column names (pk from the current schema). */
function positions(table: string, columns: string[], pk: string[]) {
  return TENANT_SEALED.filter((c) => c.table === table).map((c) => ({
    spec: c, value: columns.indexOf(c.column), tenant: columns.indexOf(c.tenantColumn), pk: pk.map((p) => columns.indexOf(p)),
  })).filter((p) => p.value >= 0 && p.tenant >= 0 && p.pk.every((i) => i >= 0));
}

/**
 * Read, inside the dump's snapshot, every live tenant's current backup key; the caller has created missing keys
 * before the snapshot began. Returns the header part and a per-table row rewriter.
 */
export async function prepareSeal(tx: Q, store: TenantBackupKeyStore, backupId: string): Promise<{ header: TenantSeal; rewriterFor(t: TableInfo): ((row: Row) => void) | undefined }> {
  const tenants = await tx.selectFrom('tenants').select(['id', 'suite', 'state']).orderBy('id').execute();
  const keys = new Map<string, OpenKey>();
  const header: TenantSeal = { key_store: store.location, columns: TENANT_SEALED.map((c) => `${c.table}.${c.column}`), tenants: {} };
  for (const t of tenants) {
    if (t.state === 'destroyed') continue;
    const k = await store.current(tx, t.id, t.suite as SuiteId, { create: false });
    if (!k) throw new BackupError('backup.tenant_key_missing', `租户 ${t.id} 在备份开始时刚刚创建，请重新备份 / tenant ${t.id} was created while the backup started: run the backup again`);
    const suite = suiteFor(t.suite as SuiteId);
    keys.set(t.id, { suite, key: suite.prepare(k.key) });
    header.tenants[t.id] = { version: k.version, suite: t.suite as SuiteId };
  }
  return {
    header,
    rewriterFor(t) {
      const ps = positions(t.name, t.columns, t.pk);
      if (!ps.length) return undefined;
      return (row) => {
        for (const p of ps) {
          const v = row[p.value];
          if (v === null) continue;
          const tenantId = row[p.tenant] as string;
          const k = keys.get(tenantId);
          if (!k) throw new BackupError('backup.tenant_key_missing', `租户 ${tenantId} 已销毁或无备份密钥，却仍有密钥材料 / tenant ${tenantId} holds key material but has no backup key (destroyed?)`);
          row[p.value] = toHex(k.suite.seal(k.key, fromHex(v), sealAad(backupId, t.name, p.spec.column, tenantId, p.pk.map((i) => row[i]))));
        }
      };
    },
  };
}

export type TenantKeyState = 'available' | 'destroyed' | 'missing' | 'version_destroyed';

/** What a restore can do with each tenant of a version 2 backup, from the live key store and erasure ledger. */
export interface SealPlan {
  states: Record<string, TenantKeyState>;
  /** Tenants to restore as destroyed (keys destroyed, or in the erasure ledger). */
  destroyed: string[];
  /** Tenants the restore cannot open: it must stop before any change. */
  unavailable: Array<{ tenant: string; state: TenantKeyState }>;
  keys: Map<string, OpenKey>;
}

export async function planUnseal(live: Q, store: TenantBackupKeyStore, seal: TenantSeal | undefined): Promise<SealPlan | null> {
  if (!seal) return null;
  const ledger = new Set((await live.selectFrom('erasure_ledger').select('target_id').where('kind', '=', 'tenant').execute()).map((r) => r.target_id));
  const plan: SealPlan = { states: {}, destroyed: [], unavailable: [], keys: new Map() };
  for (const [tenantId, t] of Object.entries(seal.tenants).sort(([a], [b]) => a.localeCompare(b))) {
    // The ledger wins: a tenant deregistered here is never unsealed, whatever a key store still holds.
    const s = ledger.has(tenantId) ? { state: 'destroyed' as const } : await store.open(live, tenantId, t.version, t.suite);
    plan.states[tenantId] = s.state;
    if (s.state === 'available') {
      const suite = suiteFor(t.suite);
      plan.keys.set(tenantId, { suite, key: suite.prepare(s.key) });
    } else if (s.state === 'destroyed') plan.destroyed.push(tenantId);
    else plan.unavailable.push({ tenant: tenantId, state: s.state });
  }
  return plan;
}

export function refuseUnavailable(plan: SealPlan | null): void {
  if (!plan?.unavailable.length) return;
  const missing = plan.unavailable.filter((u) => u.state === 'missing').map((u) => u.tenant);
  const retired = plan.unavailable.filter((u) => u.state === 'version_destroyed').map((u) => u.tenant);
  const zh = [missing.length ? `密钥库中没有租户 ${missing.join(', ')} 的备份密钥（新存储请先 custodian keys import 导入密钥库）` : '', retired.length ? `租户 ${retired.join(', ')} 的该版本备份密钥已在轮换时销毁（备份过旧）` : ''].filter(Boolean).join('；');
  const en = [missing.length ? `the key store holds no backup key for tenant(s) ${missing.join(', ')} (a fresh store: run custodian keys import with the key store export first)` : '', retired.length ? `the backup key version of tenant(s) ${retired.join(', ')} was destroyed by a rotation (the backup is too old)` : ''].filter(Boolean).join('; ');
  throw new BackupError('backup.tenant_keys_unavailable', `未做任何更改：${zh} / nothing was changed: ${en}`);
}

/**
 * Rows of one table as a restore loads them: sealed values opened under the tenant's backup key; a destroyed tenant's
 * values set to NULL, or its rows dropped where the column cannot be NULL.
 */
export function unsealerFor(plan: SealPlan, backupId: string, table: string, columns: string[], pk: string[]): ((rows: Row[]) => Row[]) | undefined {
  const ps = positions(table, columns, pk);
  if (!ps.length) return undefined;
  const destroyed = new Set(plan.destroyed);
  return (rows) => rows.filter((row) => {
    for (const p of ps) {
      const v = row[p.value];
      if (v === null) continue;
      const tenantId = row[p.tenant] as string;
      if (destroyed.has(tenantId)) {
        if (p.spec.whenDestroyed === 'drop_row') return false;
        row[p.value] = null;
        continue;
      }
      const k = plan.keys.get(tenantId);
      if (!k) throw new BackupError('backup.altered', `备份内容不一致：租户 ${tenantId} 不在封装清单中 / the backup content is inconsistent: tenant ${tenantId} is not in the seal list`);
      try {
        row[p.value] = toHex(k.suite.open(k.key, fromHex(v), sealAad(backupId, table, p.spec.column, tenantId, p.pk.map((i) => row[i]))));
      } catch {
        throw new BackupError('backup.altered', `租户 ${tenantId} 的密钥材料无法用其备份密钥打开 / the key material of tenant ${tenantId} (${table}) does not open under its backup key`);
      }
    }
    return true;
  });
}
