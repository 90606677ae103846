/**
 * Scheduled backups and drills (issue 5): when a backup folder is configured, a daily job writes an
 * encrypted backup there and keeps the newest N, and a weekly job drills the newest one (restore into a
 * scratch store, compare counts and checksums; the result is kept as audit evidence). Backups are of the
 * whole store, so the jobs run under the installation's first tenant and do nothing for the others.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BackupService } from './backup-service.js';

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

export function createBackupSchedule(deps: { backup: BackupService; dir: string; keep: number; isInstallationTenant(tenantId: string): Promise<boolean> }) {
  return {
    /** Write a backup into the folder and remove scheduled backups beyond the newest `keep`. */
    async backupNow(tenantId: string, now: Date): Promise<Record<string, unknown>> {
      if (!(await deps.isInstallationTenant(tenantId))) return { skipped: 'store-wide backups run under the first tenant' };
      mkdirSync(deps.dir, { recursive: true, mode: 0o700 });
      const out = join(deps.dir, scheduledBackupName(now));
      const r = await deps.backup.create({ out });
      const removed: string[] = [];
      for (const old of listScheduledBackups(deps.dir).slice(deps.keep)) { rmSync(join(deps.dir, old), { force: true }); removed.push(old); }
      return { backup_id: r.backup_id, file: out, rows: r.rows, bytes: r.bytes, removed };
    },
    /** Drill the newest scheduled backup. */
    async drillNewest(tenantId: string): Promise<Record<string, unknown>> {
      if (!(await deps.isInstallationTenant(tenantId))) return { skipped: 'store-wide drills run under the first tenant' };
      const newest = listScheduledBackups(deps.dir)[0];
      if (!newest) return { ok: false, problem: 'no scheduled backup to drill yet' };
      const r = await deps.backup.drill({ from: join(deps.dir, newest) });
      return { drill_id: r.id, ok: r.ok, backup_id: r.backup_id, rows: r.rows, duration_ms: r.duration_ms, problem: r.problem };
    },
  };
}
