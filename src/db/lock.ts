/**
 * The embedded store belongs to one process at a time: PGlite has no lock between processes, and two
 * processes on one data folder lose committed writes silently. The owner writes its PID (and, for a
 * server, its port and a local control token) into a lock file created exclusively.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

export interface LockInfo { pid: number; port?: number; controlToken?: string; started: string }

export class StoreLockedError extends Error {
  constructor(readonly holder: LockInfo) {
    super(`数据目录正被进程 ${holder.pid} 使用 / the data folder is in use by process ${holder.pid}${holder.port ? ` (server on port ${holder.port})` : ''}; stop it first or use the server's API`);
  }
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

export function lockPath(dataDir: string): string { return join(dataDir, 'store.lock'); }

export function readLock(dataDir: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(lockPath(dataDir), 'utf8')) as LockInfo;
    return alive(info.pid) && info.pid !== process.pid ? info : null;
  } catch { return null; }
}

export interface StoreLock { update(info: Partial<LockInfo>): void; release(): void }

/** Take the lock; wait up to waitMs for a holder that is shutting down, then refuse. */
export async function acquireStoreLockWaiting(dataDir: string, waitMs: number): Promise<StoreLock> {
  const until = Date.now() + waitMs;
  for (;;) {
    try { return acquireStoreLock(dataDir); } catch (e) {
      if (!(e instanceof StoreLockedError) || Date.now() >= until) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export function acquireStoreLock(dataDir: string): StoreLock {
  const path = lockPath(dataDir);
  let info: LockInfo = { pid: process.pid, started: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      const write = () => { rmSync(path, { force: true }); const f = openSync(path, 'wx', 0o600); writeSync(f, JSON.stringify(info)); closeSync(f); chmodSync(path, 0o600); };
      let held = true;
      const release = () => {
        if (!held) return;
        held = false;
        try { if (JSON.parse(readFileSync(path, 'utf8')).pid === process.pid) rmSync(path, { force: true }); } catch { /* already gone */ }
      };
      process.once('exit', release);
      return { update: (more) => { info = { ...info, ...more }; write(); }, release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder: LockInfo | null = null;
      try { holder = JSON.parse(readFileSync(path, 'utf8')); } catch { /* half-written or unreadable: treat as stale */ }
      if (holder && alive(holder.pid) && holder.pid !== process.pid) throw new StoreLockedError(holder);
      rmSync(path, { force: true });
    }
  }
  throw new Error(`could not take the store lock ${path}`);
}
