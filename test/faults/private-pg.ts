/**
 * A PostgreSQL instance of the test's own (initdb into a temporary folder, its own port), so a test can stop and
 * start the database without touching the shared one other tests use. PostgreSQL refuses to run as root, so when
 * the test runs as root the server runs as the `postgres` user (runuser).
 */
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, pgBinDir } from './lib.js';

export interface PrivatePostgres { url: string; port: number; start(): void; stop(mode?: 'fast' | 'immediate'): void; destroy(): void }

/** Why a private instance cannot be had here, or null when it can. */
export function privatePostgresUnavailable(): string | null {
  const bin = pgBinDir();
  if (!bin) return 'no PostgreSQL server binaries (initdb) under /usr/lib/postgresql';
  if (userInfo().uid === 0) {
    try { execFileSync('id', ['postgres'], { stdio: 'ignore' }); } catch { return 'running as root and there is no postgres user to run PostgreSQL as'; }
  }
  return null;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = pgBinDir() as string;
  const dir = mkdtempSync(join(tmpdir(), 'custodian-pg-'));
  const asRoot = userInfo().uid === 0;
  const run = (tool: string, args: string[]) => {
    const cmd = join(bin, tool);
    if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe', timeout: 60_000 });
    else execFileSync(cmd, args, { stdio: 'pipe', timeout: 60_000 });
  };
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const start = () => run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=50`, 'start']);
  const stop = (mode: 'fast' | 'immediate' = 'fast') => run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
  start();
  let up = true;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`, port,
    start() { start(); up = true; },
    stop(mode) { stop(mode); up = false; },
    destroy() {
      if (up) { try { stop('immediate'); } catch { /* already down */ } }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
