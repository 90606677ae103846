/** `custodian backup create|verify|restore`: encrypted backups, restore drills, restore with erasure replay. */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { BackupError, isS3Url } from '../backup/index.js';

/** A local path made absolute (the server may run elsewhere in the tree); an s3:// location as it is. */
const place = (p: string) => (isS3Url(p) ? p : resolve(p));
import { resolve } from 'node:path';
import type { Config } from '../core/config.js';
import { readLock } from '../db/lock.js';
import { configFrom, withStore } from './store-cli.js';
import type { Custodian } from '../app.js';

/**
 * Design decision 10: while a server holds the embedded store, the command goes through that
 * server's API (local control token, loopback); otherwise it opens the store itself.
 */
async function viaServerOrStore<T>(cfg: Config, path: string, body: Record<string, unknown>, direct: (app: Custodian) => Promise<T>, opts: { needTenant?: boolean } = {}): Promise<T> {
  const lock = cfg.databaseUrl ? null : readLock(cfg.dataDir);
  if (lock?.port && lock.controlToken) {
    let res: Response | null = null;
    try {
      res = await fetch(`${cfg.tlsCert ? 'https' : 'http'}://127.0.0.1:${lock.port}${path}`, { method: 'POST', headers: { authorization: `Bearer ctl_${lock.controlToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    } catch { res = null; /* the server is stopping: the store lock frees shortly */ }
    if (res) {
      const out = await res.json() as T & { detail?: string; detail_zh?: string; code?: string };
      if (!res.ok) {
        if (res.status === 422 && out.code?.startsWith('backup.')) throw new BackupError(out.code, out.detail ?? 'refused');
        throw new Error(`服务器拒绝 / the server refused: ${out.detail ?? res.status}`);
      }
      return out;
    }
  }
  return withStore(cfg, direct, opts);
}

const dataOpt = () => new Option('--data <dir>', '数据目录 / data folder (or CUSTODIAN_DATA; PostgreSQL when DATABASE_URL is set)');
const passOpt = () => new Option('--passphrase-file <file>', '备份口令文件（不给则用根密钥；也可用 CUSTODIAN_BACKUP_PASSPHRASE） / backup passphrase file (default: seal with the root key)');

function passphrase(o: { passphraseFile?: string }): string | undefined {
  if (o.passphraseFile) return readFileSync(o.passphraseFile, 'utf8').trim();
  return process.env.CUSTODIAN_BACKUP_PASSPHRASE || undefined;
}

function fail(e: unknown): never {
  const msg = (e as Error)?.message ?? String(e);
  console.error(`custodian: ${e instanceof BackupError ? '备份被拒绝 / backup refused: ' : ''}${msg}`);
  process.exit(e instanceof BackupError ? 2 : 1);
}

const size = (n: number) => (n > 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

export function backupCommands(program: Command) {
  const backup = program.command('backup').description('加密备份、恢复与演练 / encrypted backups, restore and drills');

  backup.command('create').description('写一份一致、加密、带完整性校验的备份 / write a consistent, encrypted, integrity-checked backup')
    .requiredOption('--out <file>', '备份文件 / backup file (must not exist)').addOption(dataOpt()).addOption(passOpt()).option('--json', 'print JSON')
    .action(async (o) => {
      try {
        const out = await viaServerOrStore(configFrom(o), '/api/v1/backups', { out: place(o.out), ...(passphrase(o) ? { passphrase: passphrase(o) } : {}) }, (app) => app.backup.create({ out: place(o.out), passphrase: passphrase(o) }));
        if (o.json) console.log(JSON.stringify(out));
        else console.log(`备份完成 / backup written: ${out.file} (${size(out.bytes)}, ${out.rows} rows in ${Object.keys(out.tables).length} tables, key: ${out.key_mode}, ${out.duration_ms} ms)`);
      } catch (e) { fail(e); }
    });

  backup.command('verify').description('演练：恢复到临时存储并比对行数与校验和，结果留作证据 / drill: restore into a scratch store, compare counts and checksums, keep the result')
    .requiredOption('--from <file>', '备份文件 / backup file').addOption(dataOpt()).addOption(passOpt()).option('--json', 'print JSON')
    .action(async (o) => {
      try {
        const res = await viaServerOrStore(configFrom(o), '/api/v1/backups/verify', { from: place(o.from), ...(passphrase(o) ? { passphrase: passphrase(o) } : {}) }, (app) => app.backup.drill({ from: place(o.from), passphrase: passphrase(o) }));
        if (o.json) console.log(JSON.stringify(res));
        else if (res.ok) console.log(`演练通过 / drill passed: ${res.rows} rows in ${Object.keys(res.tables).length} tables match the backup's checksums (${res.duration_ms} ms; evidence ${res.id})`);
        else console.error(`演练失败 / drill FAILED: ${res.problem} (${res.duration_ms} ms; evidence ${res.id})`);
        process.exitCode = res.ok ? 0 : 2;
      } catch (e) { fail(e); }
    });

  backup.command('restore').description('用备份替换存储内容，然后重放删除台账 / replace the store with the backup, then replay the erasure ledger')
    .requiredOption('--from <file>', '备份文件 / backup file').addOption(dataOpt()).addOption(passOpt()).option('--json', 'print JSON')
    .action(async (o) => {
      try {
        const res = await viaServerOrStore(configFrom(o), '/api/v1/backups/restore', { from: place(o.from), ...(passphrase(o) ? { passphrase: passphrase(o) } : {}) }, (app) => app.backup.restore({ from: place(o.from), passphrase: passphrase(o) }), { needTenant: false });
        if (o.json) console.log(JSON.stringify(res));
        else {
          console.log(`已恢复 / restored backup ${res.backup_id} of ${res.created_at}: ${res.rows} rows; erasure ledger replayed (${res.ledger_entries} entries: ${res.replayed.subjects} subjects and ${res.replayed.records} records erased again); audit log ${res.audit_log} (${res.duration_ms} ms)`);
          console.log(`  租户 tenants restored with their keys: ${res.tenants.restored.length}`);
          // A deregistered tenant in an old backup stays destroyed: said plainly, not as a failure.
          if (res.tenants.destroyed.length) console.log(`  已注销、密钥已销毁、数据不可解密的租户 / deregistered tenants whose keys stay destroyed (their data does not decrypt): ${res.tenants.destroyed.join(', ')}`);
        }
      } catch (e) { fail(e); }
    });
}

/** `custodian keys export|import|rotate-backup-key` (ADR 0013): the key store that lives outside backups. */
export function keyStoreCommands(keys: Command) {
  keys.command('export').description('导出密钥库（租户备份密钥与删除台账），根密钥加密；替换同一位置的旧导出 / export the key store (tenant backup keys, erasure ledger), sealed under the root key; replaces an earlier export at that place')
    .requiredOption('--out <file>', '导出文件（与密钥文件放在一起，不要与备份放在一起） / export file (keep it with the keyfile, not with the backups)').addOption(dataOpt()).option('--json', 'print JSON')
    .action(async (o) => {
      try {
        const out = await viaServerOrStore(configFrom(o), '/api/v1/keys/store/export', { out: resolve(o.out) }, (app) => app.backup.exportKeyStore({ out: resolve(o.out) }), { needTenant: false });
        if (o.json) console.log(JSON.stringify(out));
        else console.log(`密钥库已导出 / key store exported: ${out.file} (${out.backup_keys} backup key versions, ${out.ledger_entries} erasure-ledger entries). 只保留这一份最新导出 / keep only this latest export.`);
      } catch (e) { fail(e); }
    });
  keys.command('import').description('把密钥库导出合并进本存储（新存储在 backup restore 之前） / merge a key store export into this store (a fresh store, before backup restore)')
    .requiredOption('--from <file>', '密钥库导出文件 / key store export file').addOption(dataOpt()).option('--json', 'print JSON')
    .action(async (o) => {
      try {
        const out = await viaServerOrStore(configFrom(o), '/api/v1/keys/store/import', { from: resolve(o.from) }, (app) => app.backup.importKeyStore({ from: resolve(o.from) }), { needTenant: false });
        if (o.json) console.log(JSON.stringify(out));
        else console.log(`密钥库已导入 / key store imported: ${out.backup_keys_added} backup key versions added, ${out.backup_keys_destroyed} destroyed, ${out.ledger_entries_added} erasure-ledger entries added`);
      } catch (e) { fail(e); }
    });
  keys.command('rotate-backup-key').description('轮换租户备份密钥；--destroy-older 使更早的备份无法再恢复这些租户 / rotate tenant backup keys; --destroy-older makes older backups unable to restore those tenants')
    .option('--tenant <id>', '只轮换一个租户（默认全部） / one tenant only (default: every live tenant)').option('--destroy-older', '销毁旧版本 / destroy older versions').addOption(dataOpt()).option('--json', 'print JSON')
    .action(async (o) => {
      try {
        const body = { ...(o.tenant ? { tenant: o.tenant } : {}), ...(o.destroyOlder ? { destroy_older: true } : {}) };
        const out = await viaServerOrStore(configFrom(o), '/api/v1/keys/backup-rotate', body, (app) => app.backup.rotateBackupKeys({ tenant: o.tenant, destroyOlder: Boolean(o.destroyOlder) }));
        if (o.json) console.log(JSON.stringify(out));
        else for (const t of out.tenants) console.log(`租户备份密钥已轮换 / backup key rotated: ${t.tenant} -> version ${t.version}${t.destroyed ? `, ${t.destroyed} older version(s) destroyed` : ''}`);
      } catch (e) { fail(e); }
    });
}
