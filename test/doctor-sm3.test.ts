/**
 * `custodian doctor` tells an operator of sm-suite tenants on PostgreSQL whether their SM3 audit chains are rehashed in
 * the database (pgcrypto installed) or walked in the process. Run against a database of its own, created without
 * pgcrypto, which the test then installs; on PGlite the check is skipped and says why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/core/config.js';
import { createKeyfile, localRootKeyProvider, openKeyfile } from '../src/crypto/keyfile.js';
import { openDb } from '../src/db/connection.js';
import { assemble, keyfilePath, type Custodian } from '../src/app.js';
import { createLogger } from '../src/core/logger.js';
import { createAuditService } from '../src/audit/index.js';
import { createDoctor } from '../src/compliance/doctor.js';
import { BACKENDS } from './harness.js';

const PASS = 'test-passphrase-123';

for (const kind of BACKENDS) {
  describe(`doctor: SM3 audit chains in the database (${kind})`, () => {
    let app: Custodian;
    let dataDir = '';
    let database = '';
    let url: string | undefined;
    const admin = async (text: string) => {
      const c = new pg.Client({ connectionString: process.env.CUSTODIAN_TEST_DATABASE_URL });
      await c.connect();
      try { await c.query(text); } finally { await c.end(); }
    };
    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'custodian-doctor-sm3-'));
      if (kind === 'postgres') {
        database = `custodian_nopgcrypto_${randomBytes(5).toString('hex')}`;
        await admin(`create database ${database} template template0`);
        const u = new URL(process.env.CUSTODIAN_TEST_DATABASE_URL as string);
        u.pathname = `/${database}`;
        url = u.toString();
      }
      const cfg = loadConfig({ dataDir, env: {}, overrides: { databaseUrl: url, passphrase: PASS, logLevel: 'silent' } });
      createKeyfile(keyfilePath(cfg), PASS);
      const db = await openDb({ dataDir, databaseUrl: url, poolSize: 4 });
      app = assemble(cfg, db, localRootKeyProvider(openKeyfile(keyfilePath(cfg), PASS)), createLogger({ level: 'silent' }));
    });
    afterAll(async () => {
      await app?.close();
      if (database) await admin(`drop database if exists ${database}`);
      rmSync(dataDir, { recursive: true, force: true });
    });

    const sm3Check = async (audit = app.audit) => {
      const r = await createDoctor({ cfg: app.cfg, db: app.db, audit, rootProviderId: 'local-keyfile' }).run({ offline: true });
      return r.checks.find((c) => c.id === 'audit_sm3_in_database')!;
    };

    it('passes with no sm-suite tenant, and warns for one until pgcrypto is installed', async () => {
      const aes = await app.tenants.createTenant({ name: 'aes-tenant', suite: 'aes' });
      if (kind === 'pglite') {
        expect((await sm3Check()).status).toBe('skip');
        return;
      }
      expect(await sm3Check()).toMatchObject({ status: 'pass', detail_en: 'no tenant on the sm suite' });
      const sm = await app.tenants.createTenant({ name: 'sm-tenant', suite: 'sm' });
      const warn = await sm3Check();
      expect(warn.status).toBe('warn');
      expect(warn.detail_en).toMatch(/1 tenant\(s\) on the sm suite .*CREATE EXTENSION pgcrypto/);
      await app.db.transaction((tx) => app.audit.record(tx, { type: 'system', id: 'doctor-test', tenantId: sm.tenant, roles: [] }, Array.from({ length: 5 }, (_, i) => ({ action: 'record.read', decision: 'allow' as const, subjectId: `sub_${i}` }))));
      // Verified in the process meanwhile, and correctly.
      expect((await app.db.transaction((tx) => app.audit.verify(tx, sm.tenant))).ok).toBe(true);
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try { await c.query('create extension pgcrypto'); } finally { await c.end(); }
      // A running process looks again after ten minutes; a fresh audit service (a restart) looks at once.
      const fresh = createAuditService({ db: app.db, hashName: app.tenants.hashName, signingKey: app.tenants.signingKey });
      try {
        expect(await fresh.sm3InDatabase()).toBe(true);
        expect(await sm3Check(fresh)).toMatchObject({ status: 'pass', detail_en: 'pgcrypto rehashes the SM3 chains of 1 tenant(s) in the database' });
        // Now rehashed by PostgreSQL: intact, and an edited event is found.
        expect(await app.db.transaction((tx) => fresh.verify(tx, sm.tenant))).toMatchObject({ ok: true, events: 5 });
        await app.db.transaction((tx) => sql`update audit_events set action = 'edited' where tenant_id = ${sm.tenant} and seq = 1`.execute(tx));
        expect(await app.db.transaction((tx) => fresh.verify(tx, sm.tenant))).toMatchObject({ ok: false, brokenAt: 1 });
      } finally { await fresh.stop(); }
      expect(aes.tenant).toBeTruthy();
    });
  });
}
