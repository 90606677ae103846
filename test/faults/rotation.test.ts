/**
 * `custodian keys rotate` several times while clients write, read and search: zero failed operations, every record
 * reads back afterwards, and the audit chain verifies. On PGlite the command goes through the running server; on
 * PostgreSQL it rotates from its own process, so the server must pick up key versions it did not create.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { api, assertBuilt, auditVerify, cliAsync, FAULT_BACKENDS, freshBackend, initStore, killAll, pgExec, setupCustomers, sleep, startServer, type Backend } from './lib.js';

const ROTATIONS = 5;
const CLIENTS = 6;

afterAll(() => killAll());

for (const kind of FAULT_BACKENDS) {
  describe(`key rotation under load on ${kind}`, () => {
    let be: Backend | undefined;
    afterAll(async () => { killAll(); await be?.cleanup(); });

    it(`rotates ${ROTATIONS} times during reads and writes with zero failed operations`, async () => {
      assertBuilt();
      be = await freshBackend(kind);
      const { api_key: key } = initStore(be);
      const srv = await startServer(be);
      await setupCustomers(srv.url, key);
      // Some data before the first rotation, so there are data keys to re-wrap.
      const seeded = await api(srv.url, key, 'POST', '/api/v1/collections/customers/records', { records: Array.from({ length: 500 }, (_, i) => ({ fields: { name: `预置${i}`, phone: `136${String(i).padStart(8, '0')}`, email: `s${i}@rotate.test` } })) });
      expect(seeded.status).toBe(201);
      const written: Array<{ id: string; email: string }> = seeded.body.ids.map((id: string, i: number) => ({ id, email: `s${i}@rotate.test` }));

      let stop = false;
      let n = 0;
      const ops = { write: 0, read: 0, search: 0 };
      const failed: string[] = [];
      const client = async (c: number) => {
        while (!stop) {
          const i = n++;
          try {
            if (i % 5 === 0) {
              const email = `w${i}@rotate.test`;
              const r = await api(srv.url, key, 'POST', '/api/v1/collections/customers/records', { fields: { name: `轮换${i}`, phone: `135${String(i).padStart(8, '0')}`, email } });
              ops.write++;
              if (r.status === 201) written.push({ id: r.body.id, email }); else failed.push(`write ${r.status} ${r.body?.code}`);
            } else if (i % 5 < 4) {
              const a = written[(i * 7919 + c) % written.length];
              const r = await api(srv.url, key, 'GET', `/api/v1/collections/customers/records/${a.id}?purpose=customer_service&fields=email`);
              ops.read++;
              if (r.status !== 200 || r.body.fields.email !== a.email) failed.push(`read ${r.status} ${r.body?.code ?? ''}`);
            } else {
              const a = written[(i * 104729 + c) % written.length];
              const r = await api(srv.url, key, 'POST', '/api/v1/collections/customers/search', { field: 'email', value: a.email, purpose: 'customer_service', fields: ['email'] });
              ops.search++;
              if (r.status !== 200 || r.body.records.length !== 1 || r.body.records[0].id !== a.id) failed.push(`search ${r.status} ${r.body?.code ?? ''}`);
            }
          } catch (e) { failed.push(`network ${(e as Error).message}`); }
        }
      };
      const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
      const versions: number[] = [];
      for (let r = 0; r < ROTATIONS; r++) {
        await sleep(600);
        const out = await cliAsync(be, ['keys', 'rotate', '--json']);
        expect(out.code, out.stderr).toBe(0);
        versions.push(JSON.parse(out.stdout.trim()).kek_version);
      }
      await sleep(600);
      stop = true;
      await Promise.all(clients);
      console.log(`[faults] ${kind}: ${ROTATIONS} rotations (versions ${versions.join(',')}) during ${ops.write} writes, ${ops.read} reads, ${ops.search} searches; ${failed.length} failed`);
      expect(failed.slice(0, 10)).toEqual([]);
      expect(versions).toEqual([2, 3, 4, 5, 6]);

      if (kind === 'postgres') {
        // One more rotation from the command's own process while no read refreshes the server's keyring: a new data
        // key must still be sealed under the new KEK, not the retired one the server had cached.
        const out = await cliAsync(be, ['keys', 'rotate', '--json']);
        expect(JSON.parse(out.stdout.trim()).kek_version).toBe(7);
        await sleep(2500);
        const w = await api(srv.url, key, 'POST', '/api/v1/collections/customers/records', { fields: { name: '轮换后', phone: '13400000001', email: 'after@rotate.test' } });
        written.push({ id: w.body.id, email: 'after@rotate.test' });
        const row = await pgExec(be.env.DATABASE_URL as string, `select kek_version from subjects where id = '${w.body.subject_id}'`);
        expect(row.rows[0].kek_version).toBe(7);
      }

      // Afterwards every record reads back, and a new write is sealed under a key that opens in a fresh process.
      const bad: string[] = [];
      for (const a of written) {
        const r = await api(srv.url, key, 'GET', `/api/v1/collections/customers/records/${a.id}?purpose=customer_service&fields=email`);
        if (r.status !== 200 || r.body.fields.email !== a.email) bad.push(a.id);
      }
      expect(bad).toEqual([]);
      await srv.stop();
      const again = await startServer(be);
      const sample = written[written.length - 1];
      const r = await api(again.url, key, 'GET', `/api/v1/collections/customers/records/${sample.id}?purpose=customer_service&fields=email`);
      expect(r.body.fields?.email).toBe(sample.email);
      await again.stop();
      const v = auditVerify(be);
      expect(v.ok, v.raw).toBe(true);
    }, 300_000);
  });
}
