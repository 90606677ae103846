/**
 * ADR 0013: per-tenant backup keys. A store with two tenants is backed up, one tenant is deregistered, then each OLD
 * backup is restored into a FRESH store that opens with the same root keyfile (the database lost, keyfile and
 * passphrase kept). The deregistered tenant's keys do not unwrap — through Custodian's restore, with direct reads,
 * and with the root key alone on the backup file — while the other tenant reads back. Backups made before this change
 * (a fixture in the old format) still restore; the erasure ledger replay keeps a deregistered tenant destroyed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyService } from '../src/crypto/keys-service.js';
import { kekAad } from '../src/crypto/keyring.js';
import { openBackupKey, readChunks, readHeader, readLines } from '../src/backup/backup-format.js';
import { listTables } from '../src/backup/backup-tables.js';
import { generateSigningKey } from '../src/crypto/signing.js';
import { signCertificate, verifyCertificate, certificateSummary } from '../src/tenants/index.js';
import type { Custodian } from '../src/app.js';
import { BACKENDS, CUSTOMERS, openFreshStore, startHarness, type FreshStore, type Harness } from './harness.js';

const FIXTURE = join(process.cwd(), 'test/fixtures/pre-0013-backup');
const fixture = JSON.parse(readFileSync(join(FIXTURE, 'fixture.json'), 'utf8')) as { keyfile_passphrase: string; records_per_tenant: number; tenants: Record<'keep' | 'gone', { id: string; name: string; suite: 'aes' | 'sm'; api_key: string; record_ids: string[] }> };
const N = 40;
const phone = (i: number) => `137${String(10_000_000 + i).slice(-8)}`;
const read = (s: { api: FreshStore['api'] }, key: string, id: string) => s.api('GET', `/api/v1/collections/customers/records/${id}?purpose=customer_service&fields=name,phone`, undefined, key);

/** Request, approval and notice put in place directly (the full flow is in deregistration.test.ts), then execution. */
async function deregister(app: Custodian, tenantId: string, name: string, backups: Array<{ file: string; passphrase?: string }>) {
  await app.db.transaction(async (tx) => {
    await tx.insertInto('tenant_deregistrations').values({ tenant_id: tenantId, id: `drg_${tenantId.slice(4, 20)}`, state: 'approved', reason: '企业注销', requested_by: 'key_a', approved_by: 'stf_b', archive: '[]', notice: JSON.stringify({ channel: 'other' }) }).execute();
    await tx.updateTable('tenants').set({ state: 'frozen' }).where('id', '=', tenantId).execute();
  });
  app.access.forgetTenantState(tenantId);
  return app.deregistration.execute({ type: 'cli', id: 'cli:operator', tenantId, roles: ['owner'] }, tenantId, { confirm_tenant_name: name, backups });
}

/** Every KEK row of a tenant, read straight out of a backup file (no Custodian restore), tried with the root key. */
async function kekRowsOpenedWithRootAlone(app: Custodian, file: string, tenantId: string, suite: 'aes' | 'sm', passphrase?: string) {
  const { header } = readHeader(file);
  const key = await openBackupKey(header, { root: app.root, passphrase });
  let table = '';
  let columns: string[] = [];
  let rows = 0;
  let opened = 0;
  for (const line of readLines(readChunks(file, key))) {
    if (!line.startsWith('[')) {
      const m = JSON.parse(line);
      if (m.t === 'table') { table = m.name; columns = m.columns; }
      continue;
    }
    if (table !== 'tenant_keys') continue;
    const r = JSON.parse(line) as Array<string | null>;
    if (r[columns.indexOf('tenant_id')] !== tenantId || !r[columns.indexOf('wrapped')]) continue;
    rows += 1;
    try { await app.root.unwrap(Buffer.from((r[columns.indexOf('wrapped')] as string).slice(2), 'hex'), kekAad(tenantId, Number(r[columns.indexOf('version')])), suite); opened += 1; } catch { /* sealed */ }
  }
  return { rows, opened };
}

for (const kind of BACKENDS) {
  describe(`per-tenant backup keys on ${kind}`, () => {
    let h: Harness;
    let dir: string;
    let gone: { tenant: string; api_key: string };
    const kept: string[] = [];
    const goneIds: string[] = [];
    let certificate: any;
    const keyfile = () => join(h.dataDir, 'keyfile.json');
    const backups = () => [{ file: join(dir, 'old-1.bak') }, { file: join(dir, 'old-2.bak'), passphrase: 'backup-passphrase-xyz' }];

    beforeAll(async () => {
      h = await startHarness(kind);
      dir = mkdtempSync(join(tmpdir(), 'custodian-bkey-'));
      await h.api('POST', '/api/v1/purposes', { name: 'customer_service', title: '客户服务', legal_basis: 'contract' });
      await h.api('POST', '/api/v1/collections', CUSTOMERS);
      const a = await h.api('POST', '/api/v1/collections/customers/records', { records: Array.from({ length: 5 }, (_, i) => ({ fields: { name: `留存客户${i}`, phone: phone(i) } })) });
      kept.push(...a.body.ids);
      gone = await h.app.tenants.createTenant({ name: '注销贸易有限公司', suite: 'sm', adminUsername: 'gone.admin' });
      const G = (m: string, u: string, b?: unknown) => h.api(m, u, b, gone.api_key);
      await G('POST', '/api/v1/purposes', { name: 'customer_service', title: '客户服务', legal_basis: 'contract' });
      await G('POST', '/api/v1/collections', CUSTOMERS);
      const g = await G('POST', '/api/v1/collections/customers/records', { records: Array.from({ length: N }, (_, i) => ({ fields: { name: `注销客户${i}`, phone: phone(100 + i) } })) });
      expect(g.status).toBe(201);
      goneIds.push(...g.body.ids);
      await h.app.backup.create({ out: join(dir, 'old-1.bak') });
      await h.app.backup.create({ out: join(dir, 'old-2.bak'), passphrase: 'backup-passphrase-xyz' });
      const out = await deregister(h.app, gone.tenant, '注销贸易有限公司', backups());
      certificate = out.certificate;
      await h.app.backup.exportKeyStore({ out: join(dir, 'keys.kse') });
    }, 240_000);
    afterAll(async () => { await h?.close(); rmSync(dir, { recursive: true, force: true }); });

    it('a backup seals every tenant\'s keys under its backup key, and the key store is never in a backup', async () => {
      const { header } = readHeader(join(dir, 'old-1.bak'));
      expect(header.version).toBe(2);
      expect(Object.keys(header.tenant_seal!.tenants).sort()).toEqual([h.tenant, gone.tenant].sort());
      expect(header.tenant_seal!.tenants[gone.tenant]).toEqual({ version: 1, suite: 'sm' });
      // The table exists in the store but not in the dump.
      const live = await h.app.db.transaction((tx) => listTables(tx));
      expect(live.map((t) => t.name)).not.toContain('tenant_backup_keys');
      expect((await h.raw(`select count(*)::int as n from tenant_backup_keys where tenant_id = $1`, [h.tenant]))[0].n).toBe(1);
      const key = await openBackupKey(header, { root: h.app.root });
      const tables = [...readLines(readChunks(join(dir, 'old-1.bak'), key))].filter((l) => l.startsWith('{"t":"table"')).map((l) => JSON.parse(l).name);
      expect(tables).toContain('tenant_keys');
      expect(tables).not.toContain('tenant_backup_keys');
      expect(tables).not.toContain('erasure_ledger');
      // Even the live tenant's KEK does not open with the root key alone: it is sealed under its backup key.
      expect(await kekRowsOpenedWithRootAlone(h.app, join(dir, 'old-1.bak'), h.tenant, 'aes')).toEqual({ rows: 1, opened: 0 });
    });

    it('deregistration destroys the tenant\'s backup keys with its KEKs, and the certificate says what each backup gives the root key', async () => {
      expect(await h.raw(`select count(*)::int as n from tenant_backup_keys where tenant_id = $1 and wrapped is not null`, [gone.tenant])).toEqual([{ n: 0 }]);
      expect(await h.raw(`select count(*)::int as n from tenant_backup_keys where tenant_id = $1 and destroyed_at is not null`, [gone.tenant])).toEqual([{ n: 1 }]);
      expect(certificate.counts).toMatchObject({ records: N, kek_versions: 1, backup_key_versions: 1 });
      expect(certificate.verification.live).toMatchObject({ ok: true, backup_keys_remaining: 0, samples_decrypted: 0 });
      for (const b of certificate.verification.backups) {
        expect(b).toMatchObject({ ok: true, samples_decrypted: 0, keyring: 'destroyed', records_remaining: 0, backup_keys_remaining: 0 });
        expect(b.root_key_alone).toEqual({ format_version: 2, sealed_under_backup_key: true, key_values: 2, opened_with_root_key: 0 });
      }
      expect(verifyCertificate(certificate).ok).toBe(true);
      expect(certificateSummary(certificate)).toMatchObject({ backup_key_versions: 1, backups_checked: 2, backups_sealed: 2, backups_opened_with_root_key: 0 });
      // A forged certificate (edited, re-signed with another key) fails against the installation's fingerprint.
      const { signature: _s, signer: _k, format: _f, version: _v, ...body } = { ...certificate, counts: { ...certificate.counts, records: 1 } };
      const mine = generateSigningKey('sm');
      const forged = signCertificate(body, { id: 'isk_forged000000', algorithm: mine.algorithm, privateKeyPem: mine.privateKeyPem, publicKeyPem: mine.publicKeyPem });
      expect(verifyCertificate(forged, { trustedFingerprints: [certificate.signer.fingerprint] })).toMatchObject({ ok: false, trusted: false });
      expect(verifyCertificate({ ...certificate, counts: { ...certificate.counts, backup_key_versions: 0 } }).ok).toBe(false);
    });

    it('each old backup restored into a fresh store with the same keyfile: the deregistered tenant does not decrypt, the other reads back', async () => {
      for (const b of backups()) {
        const fresh = await openFreshStore(kind, keyfile(), 'test-passphrase-123');
        try {
          const imported = await fresh.app.backup.importKeyStore({ from: join(dir, 'keys.kse') });
          expect(imported).toMatchObject({ backup_keys_added: 2, ledger_entries_added: expect.any(Number) });
          const r = await fresh.app.backup.restore({ from: b.file, passphrase: b.passphrase });
          expect(r.format_version).toBe(2);
          expect(r.tenants).toEqual({ restored: [h.tenant], destroyed: [gone.tenant] });
          // The other tenant: every record reads back through the API with its old key.
          for (const id of kept) expect((await read(fresh, h.key, id)).body.fields.name).toMatch(/^留存客户/);
          // The deregistered tenant: credentials dead, no key material, no rows.
          expect((await read(fresh, gone.api_key, goneIds[0])).status).toBe(401);
          expect(await fresh.raw(`select state, index_key_wrapped from tenants where id = $1`, [gone.tenant])).toEqual([{ state: 'destroyed', index_key_wrapped: null }]);
          expect(await fresh.raw(`select count(*)::int as n from tenant_keys where tenant_id = $1 and wrapped is not null`, [gone.tenant])).toEqual([{ n: 0 }]);
          expect(await fresh.raw(`select count(*)::int as n from records where tenant_id = $1`, [gone.tenant])).toEqual([{ n: 0 }]);
          expect(await fresh.raw(`select count(*)::int as n from blind_index where tenant_id = $1`, [gone.tenant])).toEqual([{ n: 0 }]);
          await expect(fresh.app.db.transaction((tx) => createKeyService(fresh.app.root).keyring(tx, gone.tenant))).rejects.toThrow(/destroyed/);
          // And outside Custodian: the KEK rows in the file do not open with the root key alone.
          expect(await kekRowsOpenedWithRootAlone(fresh.app, b.file, gone.tenant, 'sm', b.passphrase)).toEqual({ rows: 1, opened: 0 });
        } finally { await fresh.close(); }
      }
    }, 240_000);

    it('without the key store a fresh store refuses the restore and changes nothing; the drill says why', async () => {
      const fresh = await openFreshStore(kind, keyfile(), 'test-passphrase-123');
      try {
        const err = await fresh.app.backup.restore({ from: join(dir, 'old-1.bak') }).catch((e) => e);
        expect(err.code).toBe('backup.tenant_keys_unavailable');
        expect(err.message).toContain('keys import');
        expect(await fresh.raw(`select count(*)::int as n from tenants`)).toEqual([{ n: 0 }]);
        const drill = await fresh.app.backup.drill({ from: join(dir, 'old-1.bak') });
        expect(drill.ok).toBe(false);
        expect(drill.tenant_keys).toEqual({ [h.tenant]: 'missing', [gone.tenant]: 'missing' });
      } finally { await fresh.close(); }
      // On the live store the drill passes: the deregistered tenant is destroyed on purpose, not missing.
      const live = await h.app.backup.drill({ from: join(dir, 'old-1.bak') });
      expect(live).toMatchObject({ ok: true, tenant_keys: { [h.tenant]: 'available', [gone.tenant]: 'destroyed' } });
    }, 120_000);

    it('a restore in place keeps the deregistered tenant destroyed; rotation keeps older backups until their key is destroyed', async () => {
      const r = await h.app.backup.restore({ from: join(dir, 'old-2.bak'), passphrase: 'backup-passphrase-xyz' });
      expect(r.tenants).toEqual({ restored: [h.tenant], destroyed: [gone.tenant] });
      expect((await h.api('GET', `/api/v1/collections/customers/records/${kept[0]}?purpose=customer_service&fields=name`)).body.fields.name).toBe('留存客户0');
      // Rotate the live tenant's backup key: the old backup still restores (version 1 kept, retired) ...
      const rot = await h.app.db.transaction((tx) => h.app.backupKeys.rotate(tx, h.tenant, 'aes'));
      expect(rot).toEqual({ version: 2, destroyed: 0 });
      await h.app.backup.create({ out: join(dir, 'after-rotation.bak') });
      expect(readHeader(join(dir, 'after-rotation.bak')).header.tenant_seal!.tenants[h.tenant].version).toBe(2);
      expect((await h.app.backup.drill({ from: join(dir, 'old-1.bak') })).ok).toBe(true);
      // ... until older versions are destroyed: then that backup cannot open the tenant, and a restore of it stops before any change.
      expect(await h.app.db.transaction((tx) => h.app.backupKeys.rotate(tx, h.tenant, 'aes', { destroyOlder: true }))).toEqual({ version: 3, destroyed: 2 });
      const err = await h.app.backup.restore({ from: join(dir, 'old-1.bak') }).catch((e) => e);
      expect(err.code).toBe('backup.tenant_keys_unavailable');
      expect((await h.api('GET', `/api/v1/collections/customers/records/${kept[0]}?purpose=customer_service&fields=name`)).body.fields.name).toBe('留存客户0');
      // (The deregistered tenant is not in a backup made after its destruction: nothing of it is sealed again.)
      expect((await h.app.backup.drill({ from: join(dir, 'after-rotation.bak') })).tenant_keys).toEqual({ [h.tenant]: 'version_destroyed' });
    }, 120_000);

    it('a backup made before per-tenant backup keys (format 1) still restores, and the ledger replay keeps a deregistered tenant destroyed', async () => {
      const fk = join(dir, 'fixture-keyfile.json');
      copyFileSync(join(FIXTURE, 'keyfile.json'), fk);
      const old = join(dir, 'pre-0013.bak');
      copyFileSync(join(FIXTURE, 'backup.bak'), old);
      const { keep, gone: g } = fixture.tenants;
      const s = await openFreshStore(kind, fk, fixture.keyfile_passphrase);
      try {
        // A drill of the old file passes: its tables, including incident_subjects (a view since migration 0015), re-read
        // exactly as the file holds them.
        const dr = await s.app.backup.drill({ from: old });
        expect(dr.problem).toBeNull();
        expect(dr.tables.incident_subjects?.match).toBe(true);
        // Format 1 restores into a fresh store as before: both tenants read back.
        const r0 = await s.app.backup.restore({ from: old });
        expect(r0).toMatchObject({ format_version: 1, tenants: { restored: [keep.id, g.id].sort(), destroyed: [] } });
        expect((await read(s, keep.api_key, keep.record_ids[0])).body.fields.name).toBe('keep客户0');
        expect((await read(s, g.api_key, g.record_ids[3])).body.fields.name).toBe('gone客户3');
        const out = await deregister(s.app, g.id, g.name, [{ file: old }]);
        // The certificate is honest about format 1: Custodian's restore keeps the tenant destroyed (ledger), but the
        // file's KEK still opens with the root key alone.
        expect((out.certificate as any).verification.backups[0]).toMatchObject({ ok: true, samples_decrypted: 0, root_key_alone: { format_version: 1, sealed_under_backup_key: false, key_values: 2, opened_with_root_key: 2 } });
        expect(certificateSummary(out.certificate)).toMatchObject({ backups_checked: 1, backups_sealed: 0, backups_opened_with_root_key: 1 });
        expect(verifyCertificate(out.certificate).ok).toBe(true);
        // In place: the ledger replay destroys the tenant's keys again.
        const r1 = await s.app.backup.restore({ from: old });
        expect(r1.tenants).toEqual({ restored: [keep.id], destroyed: [g.id] });
        expect(await s.raw(`select count(*)::int as n from tenant_keys where tenant_id = $1 and wrapped is not null`, [g.id])).toEqual([{ n: 0 }]);
        expect((await read(s, keep.api_key, keep.record_ids[1])).body.fields.name).toBe('keep客户1');
        await s.app.backup.exportKeyStore({ out: join(dir, 'fixture-keys.kse') });
      } finally { await s.close(); }
      // Into another fresh store with the key store export (which carries the ledger): still destroyed.
      const s2 = await openFreshStore(kind, fk, fixture.keyfile_passphrase);
      try {
        expect((await s2.app.backup.importKeyStore({ from: join(dir, 'fixture-keys.kse') })).ledger_entries_added).toBeGreaterThanOrEqual(1);
        const r2 = await s2.app.backup.restore({ from: old });
        expect(r2.tenants).toEqual({ restored: [keep.id], destroyed: [g.id] });
        expect(await s2.raw(`select count(*)::int as n from records where tenant_id = $1`, [g.id])).toEqual([{ n: 0 }]);
        expect(await s2.raw(`select index_key_wrapped from tenants where id = $1`, [g.id])).toEqual([{ index_key_wrapped: null }]);
        await expect(s2.app.db.transaction((tx) => createKeyService(s2.app.root).keyring(tx, g.id))).rejects.toThrow(/destroyed/);
        for (const id of keep.record_ids.slice(0, 3)) expect((await read(s2, keep.api_key, id)).status).toBe(200);
        expect((await read(s2, g.api_key, g.record_ids[0])).status).toBe(401);
      } finally { await s2.close(); }
    }, 240_000);

    it('a key store export from another keyfile, or an altered one, is refused and imports nothing', async () => {
      const fresh = await openFreshStore(kind, join(FIXTURE, 'keyfile.json'), fixture.keyfile_passphrase);
      try {
        const err = await fresh.app.backup.importKeyStore({ from: join(dir, 'keys.kse') }).catch((e) => e);
        expect(err.code).toBe('backup.wrong_key');
        const bytes = readFileSync(join(dir, 'keys.kse'));
        bytes[bytes.length - 5] ^= 1;
        writeFileSync(join(dir, 'keys-altered.kse'), bytes);
        const other = await openFreshStore(kind, keyfile(), 'test-passphrase-123');
        try {
          expect((await other.app.backup.importKeyStore({ from: join(dir, 'keys-altered.kse') }).catch((e) => e)).code).toBe('backup.altered');
          expect(await other.raw(`select count(*)::int as n from tenant_backup_keys`)).toEqual([{ n: 0 }]);
          // A backup is not a key store export, nor the reverse.
          expect((await other.app.backup.importKeyStore({ from: join(dir, 'old-1.bak') }).catch((e) => e)).code).toBe('backup.unknown_version');
          expect((await other.app.backup.restore({ from: join(dir, 'keys.kse') }).catch((e) => e)).code).toBe('backup.unknown_version');
        } finally { await other.close(); }
      } finally { await fresh.close(); }
    }, 120_000);
  });
}
