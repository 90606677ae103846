/**
 * Enterprise deregistration (issue 11): a tenant with 10,000 customers and several backups is destroyed
 * under the two-person rule; direct database reads and backup restores show that nothing of it decrypts;
 * the signed certificate verifies offline and an edited or forged one does not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createKeyService } from '../src/crypto/keys-service.js';
import { generateSigningKey } from '../src/crypto/signing.js';
import { readArchive, signCertificate, verifyCertificate, keyFingerprint } from '../src/tenants/index.js';
import { kekAad, indexAad } from '../src/crypto/keyring.js';
import { openBackupKey, readChunks, readHeader, readLines } from '../src/backup/backup-format.js';
import { BACKENDS, CUSTOMERS, openFreshStore, startHarness, type Harness } from './harness.js';

const run = promisify(execFile);
const N = 10_000;
const ARCHIVE_PASS = 'archive-pass-phrase-2026';

/** `custodian …` from the sources (no build needed). */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', '-e', `import('./src/cli/main.ts').then((m) => m.main(['node', 'custodian', ...${JSON.stringify(args)}]))`], { cwd: process.cwd() });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

const phone = (i: number) => `139${String(10_000_000 + i).slice(-8)}`;

for (const kind of BACKENDS) {
  describe(`enterprise deregistration on ${kind}`, () => {
    let h: Harness;
    let dir: string;
    let other: { tenant: string; api_key: string };
    let keep = { id: '' };
    let sample = { id: '', subject_id: '' };
    let officerCookie = '';
    let officerCsrf = '';
    let certificate: any;
    const B = (method: string, url: string, body?: unknown) => h.api(method, url, body, other.api_key);
    const asOfficer = async (method: string, url: string, body?: unknown) => {
      const r = await h.server.inject({ method: method as 'POST', url, headers: { cookie: officerCookie, 'x-csrf-token': officerCsrf, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { payload: JSON.stringify(body) } : {}) });
      return { status: r.statusCode, body: r.json() };
    };

    beforeAll(async () => {
      h = await startHarness(kind);
      dir = mkdtempSync(join(tmpdir(), 'custodian-dereg-'));
      // Tenant A (the harness tenant) keeps one customer: it must not be touched.
      await h.api('POST', '/api/v1/purposes', { name: 'customer_service', title: '客户服务', legal_basis: 'contract' });
      await h.api('POST', '/api/v1/collections', CUSTOMERS);
      keep = (await h.api('POST', '/api/v1/collections/customers/records', { fields: { name: '留存客户', phone: '13800000001' } })).body;
      // Tenant B, the enterprise to deregister, with 10,000 customers.
      other = await h.app.tenants.createTenant({ name: 'Acme 贸易有限公司', suite: 'aes', adminUsername: 'acme.admin' });
      expect((await B('POST', '/api/v1/purposes', { name: 'customer_service', title: '客户服务', legal_basis: 'contract' })).status).toBe(201);
      expect((await B('POST', '/api/v1/collections', CUSTOMERS)).status).toBe(201);
      for (let start = 0; start < N; start += 5000) {
        const records = Array.from({ length: 5000 }, (_, k) => ({ fields: { name: `客户${start + k}`, phone: phone(start + k), email: `c${start + k}@acme.example.cn` } }));
        const w = await B('POST', '/api/v1/collections/customers/records', { records });
        expect(w.status).toBe(201);
        if (start === 0) sample = { id: w.body.ids[0], subject_id: '' };
      }
      sample.subject_id = (await h.raw('select subject_id from records where id = $1', [sample.id]))[0].subject_id;
      await h.app.backup.create({ out: join(dir, 'full-1.bak') });
      await h.app.backup.create({ out: join(dir, 'full-2.bak'), passphrase: 'backup-passphrase-xyz' });
      // The supervisor: a staff member of B who may approve deregistration.
      await B('POST', '/api/v1/roles', { name: 'officer', grants: [], permissions: ['deregistration.approve', 'deregistration.manage'] });
      const s = await B('POST', '/api/v1/staff', { username: 'acme.officer', display_name: '王监督', roles: ['officer'] });
      expect(s.status).toBe(201);
      const login = await h.server.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ username: 'acme.officer', password: s.body.initial_password }) });
      officerCookie = String(login.headers['set-cookie']).split(';')[0];
      officerCsrf = login.json().csrf_token;
    }, 240_000);
    afterAll(async () => { await h?.close(); rmSync(dir, { recursive: true, force: true }); });

    it('takes a request, refuses the requester as approver and other tenants, then freezes processing on approval', async () => {
      expect((await h.api('POST', `/api/v1/tenants/${other.tenant}/deregistration`, { reason: 'x' })).status).toBe(404);
      const bad = await B('POST', `/api/v1/tenants/${other.tenant}/deregistration`, { reason: '企业注销', archive: [{ collection: 'customers', fields: ['nope'], legal_basis: '会计档案' }] });
      expect(bad.status).toBe(422);
      expect(bad.body.errors[0].field).toBe('archive[0].fields');
      const req = await B('POST', `/api/v1/tenants/${other.tenant}/deregistration`, {
        reason: '企业经股东会决议解散，依法办理注销登记', witness: { name: '赵律师', organisation: '某律师事务所' },
        archive: [{ collection: 'customers', fields: ['name', 'phone'], legal_basis: '《会计档案管理办法》第十四条', keep_years: 30 }],
      });
      expect(req.status).toBe(201);
      expect(req.body.state).toBe('requested');
      expect((await B('POST', `/api/v1/tenants/${other.tenant}/deregistration`, { reason: 'again' })).status).toBe(409);
      // The requester (an API key, not a person) cannot approve.
      const self = await B('POST', `/api/v1/tenants/${other.tenant}/deregistration/approve`, {});
      expect(self.status).toBe(403);
      expect(self.body.code).toBe('deregistration.two_person_rule');
      // Still active: PI can be read.
      expect((await B('GET', `/api/v1/collections/customers/records/${sample.id}?purpose=customer_service&fields=name`)).status).toBe(200);
      const ok = await asOfficer('POST', `/api/v1/tenants/${other.tenant}/deregistration/approve`, { note: '已核对股东会决议' });
      expect(ok.status).toBe(200);
      expect(ok.body.state).toBe('approved');
      const frozen = await B('GET', `/api/v1/collections/customers/records/${sample.id}?purpose=customer_service&fields=name`);
      expect(frozen.status).toBe(403);
      expect(frozen.body.errors[0].rule).toBe('tenant_frozen');
      // The other tenant is not frozen.
      expect((await h.api('GET', `/api/v1/collections/customers/records/${keep.id}?purpose=customer_service&fields=name`)).body.fields.name).toBe('留存客户');
    });

    it('refuses execution without a notice, by the supervisor, with a wrong name, or under a legal hold', async () => {
      const url = `/api/v1/tenants/${other.tenant}/deregistration/execute`;
      const body = { confirm_tenant_name: 'Acme 贸易有限公司', archive_passphrase: ARCHIVE_PASS };
      expect((await B('POST', url, body)).body.code).toBe('deregistration.notice_missing');
      const n = await B('POST', `/api/v1/tenants/${other.tenant}/deregistration/notice`, { channel: 'announcement', published_at: new Date().toISOString(), summary: '本公司将于 30 日后注销并销毁全部客户个人信息', url: 'https://acme.example.cn/notice', recipients: N });
      expect(n.status).toBe(200);
      expect((await asOfficer('POST', url, body)).body.code).toBe('deregistration.two_person_rule');
      expect((await B('POST', url, { ...body, confirm_tenant_name: 'Acme' })).status).toBe(422);
      const hold = await B('POST', '/api/v1/legal-holds', { collection: 'customers', reason: '诉讼保全' });
      expect(hold.status).toBe(201);
      const held = await B('POST', url, body);
      expect(held.status).toBe(409);
      expect(held.body.code).toBe('deregistration.legal_hold');
      await B('POST', `/api/v1/legal-holds/${hold.body.id}/release`);
      expect((await h.raw(`select count(*)::int as n from tenant_keys where tenant_id = $1 and wrapped is not null`, [other.tenant]))[0].n).toBe(1);
    });

    it('destroys every key, verifies live and backups, exports the archive and signs a certificate', async () => {
      const actor = { type: 'cli' as const, id: 'cli:operator', tenantId: other.tenant, roles: ['owner'] };
      const out = await h.app.deregistration.execute(actor, other.tenant, {
        confirm_tenant_name: 'Acme 贸易有限公司', archive_passphrase: ARCHIVE_PASS,
        backups: [{ file: join(dir, 'full-1.bak') }, { file: join(dir, 'full-2.bak'), passphrase: 'backup-passphrase-xyz' }],
      });
      certificate = out.certificate;
      expect(certificate.counts).toMatchObject({ subjects: N, records: N, archive_records: N });
      expect(certificate.counts.blind_index_entries).toBe(2 * N);
      expect(certificate.verification.before.samples_decrypted).toBe(certificate.verification.before.samples_tried);
      expect(certificate.verification.before.samples_tried).toBeGreaterThan(10);
      expect(certificate.verification.live).toMatchObject({ ok: true, samples_decrypted: 0, keyring: 'destroyed', records_remaining: 0, kek_versions_remaining: 0 });
      expect(certificate.verification.backups).toHaveLength(2);
      for (const b of certificate.verification.backups) {
        expect(b).toMatchObject({ ok: true, samples_decrypted: 0, keyring: 'destroyed', records_remaining: 0, backup_keys_remaining: 0 });
        // ADR 0013: the backup's copy of the tenant's keys is sealed under its (now destroyed) backup key.
        expect(b.root_key_alone).toEqual({ format_version: 2, sealed_under_backup_key: true, key_values: 2, opened_with_root_key: 0 });
      }
      expect(certificate.counts.backup_key_versions).toBe(1);
      expect(certificate.supervisor.approver.name).toContain('王监督');
      expect(certificate.supervisor.witness.name).toBe('赵律师');
      expect(verifyCertificate(certificate).ok).toBe(true);

      // Direct reads: no key material, no rows, the ledger entry, the tenant's credentials dead.
      expect(await h.raw(`select count(*)::int as n from tenant_keys where tenant_id = $1 and wrapped is not null`, [other.tenant])).toEqual([{ n: 0 }]);
      expect(await h.raw(`select state, index_key_wrapped from tenants where id = $1`, [other.tenant])).toEqual([{ state: 'destroyed', index_key_wrapped: null }]);
      expect(await h.raw(`select count(*)::int as n from subjects where tenant_id = $1 and wrapped_key is not null`, [other.tenant])).toEqual([{ n: 0 }]);
      expect(await h.raw(`select count(*)::int as n from records where tenant_id = $1`, [other.tenant])).toEqual([{ n: 0 }]);
      expect(await h.raw(`select count(*)::int as n from blind_index where tenant_id = $1`, [other.tenant])).toEqual([{ n: 0 }]);
      expect(await h.raw(`select kind from erasure_ledger where tenant_id = $1 and kind = 'tenant'`, [other.tenant])).toEqual([{ kind: 'tenant' }]);
      await expect(h.app.db.transaction((tx) => createKeyService(h.app.root).keyring(tx, other.tenant))).rejects.toThrow(/destroyed/);
      expect((await B('GET', '/api/v1/collections')).status).toBe(401);
      expect((await asOfficer('GET', '/api/v1/collections')).status).toBe(401);
      // Tenant A is untouched.
      expect((await h.api('GET', `/api/v1/collections/customers/records/${keep.id}?purpose=customer_service&fields=name`)).body.fields.name).toBe('留存客户');

      // The archive opens with the handler's passphrase, and only with it.
      const archive = readArchive(out.archive!.file, ARCHIVE_PASS);
      const recs = archive.lines.filter((l: any) => l.t === 'record') as any[];
      expect(recs).toHaveLength(N);
      expect(Object.keys(recs[0].fields).sort()).toEqual(['name', 'phone']);
      expect(recs.some((r) => r.fields.phone === phone(1))).toBe(true);
      expect(() => readArchive(out.archive!.file, 'wrong-passphrase-0000')).toThrow(/passphrase/);
    }, 300_000);

    it('each older backup, with the root passphrase, restored into a fresh store: nothing of the tenant decrypts, the other tenant reads back', async () => {
      // The database is lost; the keyfile, its passphrase, the backups and the current key store export are kept.
      await h.app.backup.exportKeyStore({ out: join(dir, 'keys.kse') });
      for (const b of [{ file: join(dir, 'full-1.bak') }, { file: join(dir, 'full-2.bak'), passphrase: 'backup-passphrase-xyz' }]) {
        // Outside Custodian first: the tenant's KEK and index key as the file holds them do not open with the root key.
        const { header } = readHeader(b.file);
        const key = await openBackupKey(header, { root: h.app.root, passphrase: b.passphrase });
        let table = '';
        let cols: string[] = [];
        let tried = 0;
        let opened = 0;
        for (const line of readLines(readChunks(b.file, key))) {
          if (!line.startsWith('[')) { const m = JSON.parse(line); if (m.t === 'table') { table = m.name; cols = m.columns; } continue; }
          const r = JSON.parse(line) as Array<string | null>;
          const at = (c: string) => r[cols.indexOf(c)];
          let value: string | null = null;
          let aad = '';
          if (table === 'tenant_keys' && at('tenant_id') === other.tenant) { value = at('wrapped'); aad = kekAad(other.tenant, Number(at('version'))); }
          if (table === 'tenants' && at('id') === other.tenant) { value = at('index_key_wrapped'); aad = indexAad(other.tenant); }
          if (!value) continue;
          tried += 1;
          try { await h.app.root.unwrap(Buffer.from(value.slice(2), 'hex'), aad, 'aes'); opened += 1; } catch { /* sealed under the destroyed backup key */ }
        }
        expect({ tried, opened }).toEqual({ tried: 2, opened: 0 });

        const fresh = await openFreshStore(kind, join(h.dataDir, 'keyfile.json'), 'test-passphrase-123');
        try {
          await fresh.app.backup.importKeyStore({ from: join(dir, 'keys.kse') });
          const r = await fresh.app.backup.restore({ from: b.file, passphrase: b.passphrase });
          expect(r.tenants).toEqual({ restored: [h.tenant], destroyed: [other.tenant] });
          expect(await fresh.raw(`select count(*)::int as n from tenant_keys where tenant_id = $1 and wrapped is not null`, [other.tenant])).toEqual([{ n: 0 }]);
          expect(await fresh.raw(`select count(*)::int as n from records where tenant_id = $1`, [other.tenant])).toEqual([{ n: 0 }]);
          expect(await fresh.raw(`select count(*)::int as n from subjects where tenant_id = $1 and wrapped_key is not null`, [other.tenant])).toEqual([{ n: 0 }]);
          await expect(fresh.app.db.transaction((tx) => createKeyService(fresh.app.root).keyring(tx, other.tenant))).rejects.toThrow(/destroyed/);
          expect((await fresh.api('GET', `/api/v1/collections/customers/records/${sample.id}?purpose=customer_service&fields=name`, undefined, other.api_key)).status).toBe(401);
          expect((await fresh.api('GET', `/api/v1/collections/customers/records/${keep.id}?purpose=customer_service&fields=name`, undefined, h.key)).body.fields.name).toBe('留存客户');
        } finally { await fresh.close(); }
      }
    }, 300_000);

    it('a restore of an older backup brings nothing of the tenant back, checked with direct reads', async () => {
      // Independently of the certificate: restore the first backup into a scratch store with the live ledger.
      const seen = await h.app.backup.inScratchRestore({ from: join(dir, 'full-1.bak') }, async (scratch) => scratch.transaction(async (tx) => {
        const keys = await tx.selectFrom('tenant_keys').select('wrapped').where('tenant_id', '=', other.tenant).execute();
        const records = await tx.selectFrom('records').select('id').where('tenant_id', '=', other.tenant).execute();
        const A = await tx.selectFrom('records').select('id').where('tenant_id', '=', h.tenant).execute();
        let opened = 'no';
        try { await createKeyService(h.app.root).keyring(tx, other.tenant); opened = 'yes'; } catch { opened = 'no'; }
        return { wrapped: keys.filter((k) => k.wrapped !== null).length, records: records.length, a: A.length, opened };
      }));
      expect(seen).toEqual({ wrapped: 0, records: 0, a: 1, opened: 'no' });
      // And the real restore of the live store.
      const r = await h.app.backup.restore({ from: join(dir, 'full-1.bak') });
      expect(r.replayed.tenants).toBeGreaterThanOrEqual(1);
      expect(await h.raw(`select count(*)::int as n from tenant_keys where tenant_id = $1 and wrapped is not null`, [other.tenant])).toEqual([{ n: 0 }]);
      expect(await h.raw(`select count(*)::int as n from records where tenant_id = $1`, [other.tenant])).toEqual([{ n: 0 }]);
      expect(await h.raw(`select state, index_key_wrapped from tenants where id = $1`, [other.tenant])).toEqual([{ state: 'destroyed', index_key_wrapped: null }]);
      expect((await h.api('GET', `/api/v1/collections/customers/records/${keep.id}?purpose=customer_service&fields=name`)).body.fields.name).toBe('留存客户');
    }, 240_000);

    it('the certificate verifies offline with the CLI; an edited or forged one fails', async () => {
      const pub = await h.server.inject({ method: 'GET', url: `/certificates/${certificate.certificate_id}` });
      expect(pub.statusCode).toBe(200);
      expect(pub.json()).toEqual(certificate);
      const keys = (await h.server.inject({ method: 'GET', url: '/certificates/keys' })).json();
      expect(keys.keys.map((k: any) => k.fingerprint)).toContain(certificate.signer.fingerprint);
      const file = join(dir, 'cert.json');
      const keysFile = join(dir, 'keys.json');
      writeFileSync(file, pub.body);
      writeFileSync(keysFile, JSON.stringify(keys));
      const good = await cli(['certificate', 'verify', file, '--keys', keysFile]);
      expect(good.code, good.stderr).toBe(0);
      expect(good.stdout).toContain('VALID');

      const edited = JSON.parse(readFileSync(file, 'utf8'));
      edited.counts.records = 9_999;
      writeFileSync(join(dir, 'edited.json'), JSON.stringify(edited));
      const e = await cli(['certificate', 'verify', join(dir, 'edited.json'), '--json']);
      expect(e.code).toBe(2);
      expect(JSON.parse(e.stdout).problems.join(' ')).toMatch(/altered or forged/);

      // A forger re-signs with a key of their own: self-consistent, but not the installation's key.
      const mine = generateSigningKey('aes');
      const { signature: _s, signer: _k, format: _f, version: _v, ...body } = edited;
      const forged = signCertificate(body, { id: 'isk_forged000000', algorithm: mine.algorithm, privateKeyPem: mine.privateKeyPem, publicKeyPem: mine.publicKeyPem });
      expect(verifyCertificate(forged).ok).toBe(true);
      expect(verifyCertificate(forged, { trustedFingerprints: [certificate.signer.fingerprint] })).toMatchObject({ ok: false, trusted: false });
      writeFileSync(join(dir, 'forged.json'), JSON.stringify(forged));
      const f = await cli(['certificate', 'verify', join(dir, 'forged.json'), '--fingerprint', certificate.signer.fingerprint]);
      expect(f.code).toBe(2);
      expect(f.stderr).toMatch(/not the expected installation key/);
      expect(keyFingerprint(mine.publicKeyPem)).not.toBe(certificate.signer.fingerprint);

      const pdf = await h.server.inject({ method: 'GET', url: `/certificates/${certificate.certificate_id}?format=pdf` });
      if (pdf.statusCode === 200) expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
      else expect(pdf.json().code).toBe('report.pdf_font_missing');
    }, 120_000);

    it('an execution interrupted after the keys are gone finishes on the next run with the same counts', async () => {
      const c = await h.app.tenants.createTenant({ name: '中断测试', suite: 'sm', adminUsername: 'c.admin' });
      const C = (method: string, url: string, body?: unknown) => h.api(method, url, body, c.api_key);
      await C('POST', '/api/v1/purposes', { name: 'customer_service', title: '客户服务', legal_basis: 'contract' });
      await C('POST', '/api/v1/collections', CUSTOMERS);
      expect((await C('POST', '/api/v1/collections/customers/records', { records: Array.from({ length: 30 }, (_, i) => ({ fields: { name: `客户${i}`, phone: phone(50_000 + i) } })) })).status).toBe(201);
      // Request and approval are covered above; here they are put in place directly.
      await h.raw(`insert into tenant_deregistrations (tenant_id, id, state, reason, requested_by, approved_by, archive, notice) values ($1, 'drg_resume000000', 'approved', '测试', 'key_a', 'stf_b', '[]', '{"channel":"other"}')`, [c.tenant]);
      await h.raw(`update tenants set state = 'frozen' where id = $1`, [c.tenant]);
      h.app.access.forgetTenantState(c.tenant);
      const actor = { type: 'cli' as const, id: 'cli:operator', tenantId: c.tenant, roles: ['owner'] };
      writeFileSync(join(dir, 'not-a-backup.bak'), 'garbage');
      // A backup that cannot be read stops the run after the keys are destroyed.
      await expect(h.app.deregistration.execute(actor, c.tenant, { confirm_tenant_name: '中断测试', backups: [{ file: join(dir, 'not-a-backup.bak') }] })).rejects.toThrow(/not a Custodian backup/);
      expect(await h.raw(`select count(*)::int as n from tenant_keys where tenant_id = $1 and wrapped is not null`, [c.tenant])).toEqual([{ n: 0 }]);
      expect((await h.raw(`select state, result->>'phase' as phase from tenant_deregistrations where tenant_id = $1`, [c.tenant]))[0]).toEqual({ state: 'approved', phase: 'keys_destroyed' });
      const done = await h.app.deregistration.execute(actor, c.tenant, { confirm_tenant_name: '中断测试' });
      expect(done.certificate).toMatchObject({ resumed: true, counts: { subjects: 30, records: 30 }, verification: { ok: true, before: { samples_decrypted: 30, samples_tried: 30 }, live: { samples_decrypted: 0, records_remaining: 0 } } });
      expect(done.certificate.signer.algorithm).toBe('ecdsa-sm2curve-sm3');
      expect(verifyCertificate(done.certificate).ok).toBe(true);
      expect(await h.raw(`select state from tenant_deregistrations where tenant_id = $1`, [c.tenant])).toEqual([{ state: 'destroyed' }]);
    }, 120_000);
  });
}
