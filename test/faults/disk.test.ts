/**
 * The embedded store's data folder runs out of space, or is read-only: a clear error, nothing corrupted.
 * The folder is a small tmpfs mounted for the test (needs root, as CI runs); a full disk is made with a filler file,
 * a read-only folder by remounting the tmpfs read-only (a file mode alone does not stop root).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, assertBuilt, auditVerify, batchBody, cli, findBatch, freshBackend, initStore, killAll, makeBatch, setupCustomers, startServer, type Backend, type Batch } from './lib.js';

interface Mount { dir: string; remount(mode: 'ro' | 'rw'): void; fill(leaveBytes: number): string; release(): void }

function mountTmpfs(sizeMb: number): Mount {
  const dir = mkdtempSync(join(tmpdir(), 'custodian-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  return {
    dir,
    remount(mode) { execFileSync('mount', ['-o', `remount,${mode}`, dir], { stdio: 'pipe' }); },
    fill(leaveBytes) {
      const avail = Number(execFileSync('df', ['--output=avail', '-B1', dir]).toString().trim().split('\n').pop());
      const filler = join(dir, 'filler');
      execFileSync('fallocate', ['-l', String(Math.max(0, avail - leaveBytes)), filler]);
      return filler;
    },
    release() {
      try { execFileSync('umount', ['-l', dir], { stdio: 'pipe' }); } catch { /* not mounted */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function tmpfsUnavailable(): string | null {
  try { mountTmpfs(1).release(); return null; } catch (e) { return `cannot mount a tmpfs here (${(e as Error).message.split('\n')[0]})`; }
}

function digest(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => { for (const n of readdirSync(d).sort()) { const p = join(d, n); if (statSync(p).isDirectory()) walk(p); else h.update(p).update(readFileSync(p)); } };
  walk(dir);
  return h.digest('hex');
}

const why = tmpfsUnavailable();
afterAll(() => killAll());

describe.skipIf(why !== null)(`embedded store on a full or read-only disk${why ? ` (skipped: ${why})` : ''}`, () => {
  const mounts: Mount[] = [];
  const backends: Backend[] = [];
  afterAll(async () => { killAll(); for (const b of backends) await b.cleanup(); for (const m of mounts) m.release(); });

  it('disk full: requests get 507 problem+json and write nothing; the server stays up and writes again once space is freed', async () => {
    assertBuilt();
    const m = mountTmpfs(200); mounts.push(m);
    const be = await freshBackend('pglite', { dataDir: join(m.dir, 'data') }); backends.push(be);
    const { api_key: key } = initStore(be);
    const srv = await startServer(be);
    await setupCustomers(srv.url, key);
    const acked: Batch[] = [];
    const refused: Batch[] = [];
    let seq = 1;
    for (let i = 0; i < 3; i++) {
      const b = makeBatch(seq++, 100);
      const r = await api(srv.url, key, 'POST', '/api/v1/collections/customers/records', batchBody(b));
      expect(r.status).toBe(201);
      b.ids = r.body.ids; acked.push(b);
    }
    const filler = m.fill(256 * 1024);
    const statuses: number[] = [];
    let full: { body: any; headers: Headers } | undefined;
    for (let i = 0; i < 40 && !full; i++) {
      const b = makeBatch(seq++, 100);
      const r = await api(srv.url, key, 'POST', '/api/v1/collections/customers/records', batchBody(b));
      statuses.push(r.status);
      if (r.status === 201) { b.ids = r.body.ids; acked.push(b); } else { refused.push(b); full = r; }
    }
    expect(statuses.filter((s) => s !== 201 && s !== 507)).toEqual([]);
    expect(full, 'the disk filled up').toBeTruthy();
    expect(full?.body).toMatchObject({ status: 507, code: 'store.disk_full' });
    expect(full?.body.detail_zh).toContain('存储空间已满');
    expect(full?.headers.get('content-type')).toContain('application/problem+json');
    expect(full?.headers.get('retry-after')).toBeTruthy();
    // A read writes its audit event in the same transaction (no access without its record), so while the disk is
    // full a read is refused the same clear way, never answered without its audit event and never a 500.
    const read = await api(srv.url, key, 'POST', '/api/v1/collections/customers/search', { field: 'phone', value: acked[0].phone, purpose: 'customer_service', fields: ['email'], limit: 1000 });
    expect([200, 507]).toContain(read.status);
    if (read.status === 200) expect(read.body.records).toHaveLength(100);
    expect((await api(srv.url, null, 'GET', '/ready')).status).toBe(200);
    // Free the space: the same server writes again, without a restart.
    rmSync(filler);
    const again = makeBatch(seq++, 100);
    const r = await api(srv.url, key, 'POST', '/api/v1/collections/customers/records', batchBody(again));
    expect(r.status).toBe(201);
    again.ids = r.body.ids; acked.push(again);
    await srv.stop();

    // After a restart: every acknowledged batch whole, no refused batch even partly there, audit chain intact.
    const srv2 = await startServer(be);
    for (const b of acked) expect((await findBatch(srv2.url, key, b)).size, `batch ${b.seq}`).toBe(100);
    for (const b of refused) expect((await findBatch(srv2.url, key, b)).size, `refused batch ${b.seq}`).toBe(0);
    await srv2.stop();
    const v = auditVerify(be);
    expect(v.ok, v.raw).toBe(true);
    expect(srv.logs.some((l) => l.includes('store.disk_full'))).toBe(true);
    expect(srv.logs.filter((l) => l.includes('"unexpected error"'))).toEqual([]);
  }, 300_000);

  it('read-only folder: serve and audit verify refuse with a clear reason and change nothing; all is there once writable', async () => {
    assertBuilt();
    const m = mountTmpfs(200); mounts.push(m);
    const be = await freshBackend('pglite', { dataDir: join(m.dir, 'data') }); backends.push(be);
    const { api_key: key } = initStore(be);
    let srv = await startServer(be);
    await setupCustomers(srv.url, key);
    const b = makeBatch(1, 50);
    const w = await api(srv.url, key, 'POST', '/api/v1/collections/customers/records', batchBody(b));
    expect(w.status).toBe(201);
    await srv.stop();

    const before = digest(be.dataDir);
    m.remount('ro');
    const serve = cli(be, ['serve', '--port', '0'], 60_000);
    expect(serve.code).not.toBe(0);
    expect(serve.stderr).toContain('只读');
    expect(serve.stderr).toContain('read-only');
    expect(serve.stderr).toContain(be.dataDir);
    expect(serve.stderr).not.toMatch(/\n\s+at /); // a reason, not a stack trace
    const verify = cli(be, ['audit', 'verify'], 60_000);
    expect(verify.code).not.toBe(0);
    expect(verify.stderr).toContain('read-only');
    expect(digest(be.dataDir)).toBe(before);

    m.remount('rw');
    srv = await startServer(be);
    const found = await findBatch(srv.url, key, b);
    expect([...found.keys()].sort()).toEqual([...(w.body.ids as string[])].sort());
    await srv.stop();
    const v = auditVerify(be);
    expect(v.ok, v.raw).toBe(true);
  }, 300_000);
});
