/**
 * Scheduled backups and drills (issue 5): when a backup folder is configured, a daily job writes an
 * encrypted backup there and keeps the newest N, and a weekly job drills the newest one (restore into a
 * scratch store, compare counts and checksums; the result is kept as audit evidence). Backups are of the
 * whole store, so the jobs run under the installation's first tenant and do nothing for the others.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BackupService } from './backup-service.js';
import { isS3Url, parseS3Url, type S3Store } from './object-store.js';

const NAME = /^custodian-(\d{8}T\d{6}Z)\.bak$/;

/** custodian-20261123T170000Z.bak */
export function scheduledBackupName(at: Date): string {
  return `custodian-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')}.bak`;
}

/** Scheduled backup files in `dir`, newest first. */
export function listScheduledBackups(dir: string): string[] {
  let names: string[] = [];
  try { names = readdirSync(dir).filter((n) => NAME.test(n)); } catch { return []; }
  return names.sort().reverse();
}

/** The next Sunday 02:00 China Standard Time (Saturday 18:00 UTC) strictly after `now`. */
export function nextWeeklyRun(now: Date): Date {
  const d = new Date(now.getTime());
  d.setUTCHours(18, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + ((6 - d.getUTCDay() + 7) % 7));
  if (d.getTime() <= now.getTime()) d.setUTCDate(d.getUTCDate() + 7);
  return d;
}

export function createBackupSchedule(deps: { backup: BackupService; dir: string; keep: number; objectStore?: S3Store; isInstallationTenant(tenantId: string): Promise<boolean> }) {
  // The folder is local or `s3://bucket/prefix` (off-site): the same names, listing and pruning either way.
  const remote = isS3Url(deps.dir);
  const folder = deps.dir.replace(/\/+$/, '');
  const locate = (name: string) => (remote ? `${folder}/${name}` : join(folder, name));
  async function names(): Promise<string[]> {
    if (!remote) return listScheduledBackups(folder);
    if (!deps.objectStore) throw new Error('backup folder on s3:// without object storage configured');
    const l = parseS3Url(`${folder}/x`);
    const prefix = l.key.slice(0, -1);
    return (await deps.objectStore.list(l.bucket, prefix)).map((o) => o.key.slice(prefix.length)).filter((n) => NAME.test(n)).sort().reverse();
  }
  async function remove(name: string) {
    if (remote) await deps.objectStore!.remove(parseS3Url(locate(name)));
    else rmSync(join(folder, name), { force: true });
  }
  return {
    /** Write a backup into the folder and remove scheduled backups beyond the newest `keep`. */
    async backupNow(tenantId: string, now: Date): Promise<Record<string, unknown>> {
      if (!(await deps.isInstallationTenant(tenantId))) return { skipped: 'store-wide backups run under the first tenant' };
      if (!remote) mkdirSync(folder, { recursive: true, mode: 0o700 });
      const out = locate(scheduledBackupName(now));
      const r = await deps.backup.create({ out });
      const removed: string[] = [];
      for (const old of (await names()).slice(deps.keep)) { await remove(old); removed.push(old); }
      return { backup_id: r.backup_id, file: out, rows: r.rows, bytes: r.bytes, removed };
    },
    /** Drill the newest scheduled backup. */
    async drillNewest(tenantId: string): Promise<Record<string, unknown>> {
      if (!(await deps.isInstallationTenant(tenantId))) return { skipped: 'store-wide drills run under the first tenant' };
      const newest = (await names())[0];
      if (!newest) return { ok: false, problem: 'no scheduled backup to drill yet' };
      const r = await deps.backup.drill({ from: locate(newest) });
      return { drill_id: r.id, ok: r.ok, backup_id: r.backup_id, rows: r.rows, duration_ms: r.duration_ms, problem: r.problem };
    },
  };
}
