import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKENDS, setupCustomers, startHarness, type Harness } from './harness.js';
import { listScheduledBackups } from '../src/backup/index.js';

const GONE = { name: '孙悟空', phone: '13800009999', id_number: '11010519491231002X', email: 'swk@example.cn' };
const KEPT = { name: '唐三藏', phone: '13800008888', email: 'tsz@example.cn' };

/** Every live table, every column as text: none may hold a value of the erased subject in any form we know. */
async function dumpAllText(h: Harness): Promise<string> {
  const tables = await h.raw(`select relname from pg_class where relnamespace = current_schema()::regnamespace and relkind = 'r'`);
  let out = '';
  for (const t of tables) out += JSON.stringify(await h.raw(`select * from "${t.relname}"`), (_k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v));
  return out;
}

for (const kind of BACKENDS) {
  describe(`backups and erasure on ${kind}`, () => {
    let h: Harness;
    let dir: string;
    let gone: { id: string; subject_id: string };
    let kept: { id: string; subject_id: string };
    beforeAll(async () => {
      h = await startHarness(kind);
      await setupCustomers(h);
      dir = mkdtempSync(join(tmpdir(), 'custodian-bk-'));
      gone = (await h.api('POST', '/api/v1/collections/customers/records', { fields: GONE })).body;
      kept = (await h.api('POST', '/api/v1/collections/customers/records', { fields: KEPT })).body;
    });
    afterAll(async () => { await h?.close(); rmSync(dir, { recursive: true, force: true }); });

    it('writes an encrypted backup that holds no plaintext and passes a drill kept as evidence', async () => {
      const b = await h.app.backup.create({ out: join(dir, 'before.bak') });
      expect(b.rows).toBeGreaterThan(10);
      expect(b.tables.erasure_ledger).toBeUndefined();
      const bytes = readFileSync(join(dir, 'before.bak'));
      for (const v of [...Object.values(GONE), ...Object.values(KEPT), 'customer_service', '客户服务']) expect(bytes.includes(Buffer.from(v))).toBe(false);
      const d = await h.app.backup.drill({ from: join(dir, 'before.bak') });
      expect(d.ok).toBe(true);
      expect(d.tables.records).toMatchObject({ rows: 2, expected_rows: 2, match: true });
      const ev = await h.api('GET', '/api/v1/drills');
      expect(ev.body.drills[0]).toMatchObject({ id: d.id, ok: true, backup_id: b.backup_id });
      expect(ev.body.drills[0].duration_ms).toBeGreaterThanOrEqual(0);
    });

    it('after erasure no API or direct read recovers the subject, and restoring the older backup keeps it gone', async () => {
      const e = await h.api('DELETE', `/api/v1/subjects/${gone.subject_id}`);
      expect(e.status).toBe(200);
      const check = async () => {
        expect([404, 410]).toContain((await h.api('GET', `/api/v1/collections/customers/records/${gone.id}?purpose=customer_service`)).status);
        const s = await h.api('POST', '/api/v1/collections/customers/search', { field: 'phone', value: GONE.phone, purpose: 'customer_service' });
        expect(s.body.records).toEqual([]);
        expect((await h.raw('select * from records where subject_id = $1', [gone.subject_id]))).toEqual([]);
        expect((await h.raw('select * from blind_index where record_id = $1', [gone.id]))).toEqual([]);
        const subj = await h.raw('select wrapped_key, kek_version, erased_at from subjects where id = $1', [gone.subject_id]);
        expect(subj[0]).toMatchObject({ wrapped_key: null, kek_version: null });
        expect(subj[0].erased_at).not.toBeNull();
        const all = await dumpAllText(h);
        for (const v of Object.values(GONE)) expect(all.includes(v)).toBe(false);
        expect((await h.api('POST', '/api/v1/requests', { subject_id: gone.subject_id, kind: 'access' })).status).toBe(410);
      };
      await check();
      const indexes = `select indexname, indexdef from pg_indexes where schemaname = current_schema() order by indexname`;
      const before = await h.raw(indexes);
      const r = await h.app.backup.restore({ from: join(dir, 'before.bak') });
      expect(r.replayed.subjects).toBe(1);
      await check();
      // The restore bulk-loads without secondary indexes and builds them again: every index is back as it was.
      expect(await h.raw(indexes)).toEqual(before);
      const k = await h.api('GET', `/api/v1/collections/customers/records/${kept.id}?purpose=customer_service`);
      expect(k.body.fields).toMatchObject({ name: '唐三藏', phone: '13800008888' });
      expect((await h.api('GET', '/api/v1/audit/verify')).body).toMatchObject({ ok: true });
      const ev = await h.api('GET', '/api/v1/audit/events?action=backup.restore');
      expect(ev.body.events[0].details).toMatchObject({ audit_log: 'kept live' });
    });

    it('refuses truncated, altered, garbage and wrong-passphrase backups and leaves the store as it was', async () => {
      const good = join(dir, 'pass.bak');
      const made = await h.app.backup.create({ out: good, passphrase: 'correct horse battery' });
      const before = await h.raw('select count(*)::int as n from records');
      // A record written after the backup: a refused restore must not lose it.
      const after = (await h.api('POST', '/api/v1/collections/customers/records', { fields: { name: '猪八戒' } })).body;
      const bytes = readFileSync(good);
      const cases: Array<[string, Buffer | null, string | undefined, RegExp]> = [
        ['garbage', Buffer.from('garbage'), 'correct horse battery', /not a Custodian backup/],
        ['truncated', bytes.subarray(0, bytes.length - 100), 'correct horse battery', /truncated/],
        ['cut at a chunk boundary', bytes.subarray(0, 12 + bytes.readUInt32BE(8)), 'correct horse battery', /final chunk is missing/],
        ['extended', Buffer.concat([bytes, Buffer.from('more')]), 'correct horse battery', /extra data|truncated/],
        ['altered', Buffer.from(bytes.map((b, i) => (i === bytes.length - 40 ? b ^ 1 : b))), 'correct horse battery', /integrity check|altered/],
        ['wrong passphrase', null, 'wrong horse battery', /wrong backup passphrase/],
        ['no passphrase', null, undefined, /passphrase/],
      ];
      for (const [name, data, pass, why] of cases) {
        const f = join(dir, `bad-${name.replace(/\W/g, '_')}.bak`);
        writeFileSync(f, data ?? bytes);
        await expect(h.app.backup.restore({ from: f, passphrase: pass }), name).rejects.toThrow(why);
        const d = await h.app.backup.drill({ from: f, passphrase: pass });
        expect(d.ok, name).toBe(false);
      }
      expect((await h.api('GET', `/api/v1/collections/customers/records/${after.id}?purpose=customer_service`)).body.fields.name).toBe('猪八戒');
      expect((await h.raw('select count(*)::int as n from records'))[0].n).toBe(before[0].n + 1);
      const ok = await h.app.backup.restore({ from: good, passphrase: 'correct horse battery' });
      expect(ok.backup_id).toBe(made.backup_id);
      expect((await h.api('GET', `/api/v1/collections/customers/records/${after.id}?purpose=customer_service`)).status).toBe(404);
      const failed = await h.api('GET', '/api/v1/drills');
      expect(failed.body.drills.some((x: any) => !x.ok && x.problem)).toBe(true);
    });

    it('refuses a backup sealed by another keyfile', async () => {
      const other = await startHarness(kind);
      try {
        await other.app.backup.create({ out: join(dir, 'other.bak') });
        await expect(h.app.backup.restore({ from: join(dir, 'other.bak') })).rejects.toThrow(/another keyfile/);
      } finally { await other.close(); }
    });

    it('refuses backup file operations to API keys (local command only)', async () => {
      const r = await h.api('POST', '/api/v1/backups', { out: join(dir, 'x.bak') });
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('backup.local_only');
    });
  });
}

for (const kind of BACKENDS) {
  describe(`scheduled backups and drills on ${kind}`, () => {
    it('writes a daily encrypted backup into the configured folder, keeps the newest N and drills the newest weekly', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'custodian-sched-'));
      const h = await startHarness(kind, { config: { backupDir: join(dir, 'backups'), backupKeep: 2 } });
      try {
        await setupCustomers(h);
        expect((await h.api('POST', '/api/v1/collections/customers/records', { fields: KEPT })).status).toBe(201);
        await h.app.jobs.ensureRecurring(new Date('2026-11-23T00:00:00Z'));
        for (const day of ['2026-11-24', '2026-11-25', '2026-11-26']) {
          const ran = await h.app.jobs.runDue(new Date(`${day}T17:00:00Z`));
          expect(ran.find((r) => r.kind === 'backup.scheduled'), day).toMatchObject({ ok: true });
        }
        const files = listScheduledBackups(join(dir, 'backups'));
        expect(files).toEqual(['custodian-20261126T170000Z.bak', 'custodian-20261125T170000Z.bak']);
        const plain = readFileSync(join(dir, 'backups', files[0])).toString('latin1');
        for (const v of Object.values(KEPT)) expect(plain.includes(v)).toBe(false);
        // Saturday 18:00 UTC (Sunday 02:00 in China): the weekly drill restores the newest backup into a scratch store.
        const ran = await h.app.jobs.runDue(new Date('2026-11-28T18:00:00Z'));
        expect(ran.find((r) => r.kind === 'backup.drill')?.result).toMatchObject({ ok: true, problem: null });
        const drills = await h.api('GET', '/api/v1/drills');
        // The backup due on Friday 17:00 UTC ran first in the same pass, so the drill checked that newest file.
        expect(drills.body.drills[0]).toMatchObject({ ok: true, file: 'custodian-20261128T180000Z.bak' });
        const verify = await h.api('GET', '/api/v1/audit/verify');
        expect(verify.body.ok).toBe(true);
      } finally {
        await h.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
