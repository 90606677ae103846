/**
 * Off-site backups on S3-compatible object storage (issue 5): create, drill and restore through `s3://bucket/key`,
 * scheduled backups into an s3:// folder with pruning, and clear refusals (object exists, wrong credentials, no
 * storage configured). The object store is s3rver, a local S3-compatible server; it checks the access key id but not
 * the V4 signature itself, so signing correctness rests on the aws4 package.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Store } from '../src/backup/index.js';
import { BACKENDS, setupCustomers, startHarness, type Harness } from './harness.js';

const CREDS = { s3AccessKeyId: 'S3RVER', s3SecretAccessKey: 'S3RVER' };
let server: S3rver;
let endpoint = '';
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'custodian-s3rver-'));
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: 'custodian-backups', configs: [] }] });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
});
afterAll(async () => { await server?.close(); rmSync(dir, { recursive: true, force: true }); });

const ZHANG = { name: '张三', phone: '13800138000', id_number: '11010519491231002X' };
const LI = { name: '李四', phone: '13900139000' };

for (const kind of BACKENDS) {
  describe(`backups on S3-compatible storage (${kind})`, () => {
    let h: Harness;
    const store = () => createS3Store({ endpoint, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
    beforeAll(async () => {
      h = await startHarness(kind, { config: { s3Endpoint: endpoint, ...CREDS } });
      await setupCustomers(h);
    });
    afterAll(async () => { await h?.close(); });

    it('writes an encrypted backup to s3://, refuses to overwrite it, drills and restores from it', async () => {
      const url = `s3://custodian-backups/${kind}/one.bak`;
      const zhang = (await h.api('POST', '/api/v1/collections/customers/records', { fields: ZHANG })).body;
      const made = await h.app.backup.create({ out: url });
      expect(made.file).toBe(url);
      const objects = await store().list('custodian-backups', `${kind}/`);
      expect(objects.map((o) => o.key)).toEqual([`${kind}/one.bak`]);
      // What lies in the bucket is ciphertext.
      const tmp = mkdtempSync(join(tmpdir(), 'custodian-s3get-'));
      await store().getFile({ bucket: 'custodian-backups', key: `${kind}/one.bak` }, join(tmp, 'b'));
      const raw = (await import('node:fs')).readFileSync(join(tmp, 'b')).toString('latin1');
      for (const v of Object.values(ZHANG)) expect(raw.includes(v)).toBe(false);
      rmSync(tmp, { recursive: true, force: true });
      await expect(h.app.backup.create({ out: url })).rejects.toMatchObject({ code: 'backup.exists' });
      const drill = await h.app.backup.drill({ from: url });
      expect(drill).toMatchObject({ ok: true, file: url });
      // A record written after the backup is gone after restoring it; the one before is back.
      const li = (await h.api('POST', '/api/v1/collections/customers/records', { fields: LI })).body;
      const restored = await h.app.backup.restore({ from: url });
      expect(restored).toMatchObject({ rows: made.rows });
      expect((await h.api('GET', `/api/v1/collections/customers/records/${zhang.id}?purpose=customer_service`)).body.fields).toMatchObject({ name: '张三' });
      expect((await h.api('GET', `/api/v1/collections/customers/records/${li.id}?purpose=customer_service`)).status).toBe(404);
    });

    it('refuses clearly: missing object, bad location, unknown access key, storage not configured', async () => {
      await expect(h.app.backup.restore({ from: 's3://custodian-backups/none.bak' })).rejects.toMatchObject({ code: 'backup.not_found' });
      await expect(h.app.backup.create({ out: 's3://custodian-backups/' })).rejects.toMatchObject({ code: 'backup.location' });
      await expect(h.app.backup.create({ out: 's3://Bad_Bucket/x.bak' })).rejects.toMatchObject({ code: 'backup.location' });
      const wrong = await startHarness(kind, { config: { s3Endpoint: endpoint, s3AccessKeyId: 'NOT-A-KEY', s3SecretAccessKey: 'wrong-secret' } });
      try {
        await expect(wrong.app.backup.create({ out: `s3://custodian-backups/${kind}/wrong.bak` })).rejects.toMatchObject({ code: 'backup.storage', message: expect.stringMatching(/denied access|InvalidAccessKeyId/) });
      } finally { await wrong.close(); }
      const none = await startHarness(kind);
      try {
        await expect(none.app.backup.create({ out: 's3://custodian-backups/x.bak' })).rejects.toMatchObject({ code: 'backup.storage_not_configured' });
      } finally { await none.close(); }
      expect((await store().list('custodian-backups', `${kind}/wrong`)).length).toBe(0);
    });

    it('runs scheduled backups into an s3:// folder, keeps the newest N and drills the newest', async () => {
      const s = await startHarness(kind, { config: { s3Endpoint: endpoint, ...CREDS, backupDir: `s3://custodian-backups/${kind}-sched/`, backupKeep: 2 } });
      try {
        await setupCustomers(s);
        await s.app.jobs.ensureRecurring(new Date('2026-11-23T00:00:00Z'));
        for (const day of ['2026-11-24', '2026-11-25', '2026-11-26']) {
          const ran = await s.app.jobs.runDue(new Date(`${day}T17:00:00Z`));
          expect(ran.find((r) => r.kind === 'backup.scheduled'), `${day} ${JSON.stringify(ran.find((r) => r.kind === 'backup.scheduled'))}`).toMatchObject({ ok: true });
        }
        const keys = (await store().list('custodian-backups', `${kind}-sched/`)).map((o) => o.key).sort();
        expect(keys).toEqual([`${kind}-sched/custodian-20261125T170000Z.bak`, `${kind}-sched/custodian-20261126T170000Z.bak`]);
        const ran = await s.app.jobs.runDue(new Date('2026-11-28T18:00:00Z'));
        expect(ran.find((r) => r.kind === 'backup.drill')?.result).toMatchObject({ ok: true, problem: null });
      } finally { await s.close(); }
    });
  });
}
