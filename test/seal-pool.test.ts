/**
 * Large batch writes are sealed in worker threads (ADR 0018). What was sealed there must read, search and erase exactly
 * like what the server seals itself, on both stores and both suites, and a worker that fails must fail the write whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { BACKENDS, setupCustomers, startHarness, type Harness } from './harness.js';
import { suiteFor } from '../src/crypto/suites.js';
import { SealPool } from '../src/vault/seal-pool.js';
import { sealChunk, type SealJob } from '../src/vault/seal-chunk.js';
import { fieldAad, unpackFields } from '../src/vault/sealed-record.js';

const person = (i: number) => ({
  name: `王${'伟芳娜敏静'[i % 5]}${i}`,
  phone: `137${String(i).padStart(8, '0')}`,
  email: `p${i}@example.cn`,
  address: `北京市海淀区中关村大街${i}号`,
});

for (const kind of BACKENDS) {
  for (const suite of ['aes', 'sm'] as const) {
    describe(`batch writes sealed in a worker thread on ${kind} (${suite})`, () => {
      let h: Harness;
      let ids: string[] = [];
      let subjects: string[] = [];
      let known = { id: '', subject: '' };
      beforeAll(async () => {
        h = await startHarness(kind, { suite, config: { sealWorkers: 1 } });
        await setupCustomers(h);
        const one = await h.api('POST', '/api/v1/collections/customers/records', { fields: person(100_000) });
        known = { id: one.body.id, subject: one.body.subject_id };
      });
      afterAll(async () => { await h?.close(); });

      it('writes 600 records in one call (three chunks, one naming an existing subject) and reads every chunk back', async () => {
        const records = Array.from({ length: 600 }, (_, i) => (i === 400 ? { subject_id: known.subject, fields: person(i) } : { fields: person(i) }));
        const w = await h.api('POST', '/api/v1/collections/customers/records', { records });
        expect(w.status).toBe(201);
        ids = w.body.ids;
        subjects = w.body.subject_ids;
        expect(ids).toHaveLength(600);
        expect(new Set(ids).size).toBe(600);
        expect(subjects[400]).toBe(known.subject);
        expect(new Set(subjects).size).toBe(600); // 599 new subjects and the existing one
        for (const i of [0, 249, 250, 400, 499, 500, 599]) {
          const r = await h.api('GET', `/api/v1/collections/customers/records/${ids[i]}?purpose=customer_service&fields=name,phone,email,address`);
          expect(r.status).toBe(200);
          expect(r.body).toEqual({ id: ids[i], subject_id: subjects[i], fields: person(i) });
        }
        const [{ n }] = await h.raw('select count(*)::int as n from subjects');
        expect(n).toBe(1 + 599);
      });

      it('finds worker-sealed records through the blind index of each searchable field', async () => {
        for (const i of [3, 333, 598]) {
          for (const [field, value] of [['phone', `+86 ${person(i).phone}`], ['email', person(i).email.toUpperCase()]] as const) {
            const s = await h.api('POST', '/api/v1/collections/customers/search', { field, value, purpose: 'customer_service', fields: ['name'] });
            expect(s.status).toBe(200);
            expect(s.body.records).toEqual([{ id: ids[i], subject_id: subjects[i], fields: { name: person(i).name } }]);
          }
        }
      });

      it('stores no plaintext of worker-sealed values', async () => {
        const rows = await h.raw('select sealed from records');
        const blob = Buffer.concat(rows.map((r: { sealed: Buffer }) => r.sealed));
        for (const i of [0, 300, 599]) for (const v of Object.values(person(i))) expect(blob.includes(Buffer.from(v))).toBe(false);
      });

      it('erases a worker-written subject by destroying its key', async () => {
        const e = await h.api('DELETE', `/api/v1/collections/customers/records/${ids[10]}`);
        expect(e.status).toBeLessThan(300);
        const r = await h.api('GET', `/api/v1/collections/customers/records/${ids[10]}?purpose=customer_service&fields=name`);
        expect([404, 410]).toContain(r.status);
        const ok = await h.api('GET', `/api/v1/collections/customers/records/${ids[11]}?purpose=customer_service&fields=name`);
        expect(ok.body.fields).toEqual({ name: person(11).name });
      });

      it('refuses a 300-record batch with one bad phone and writes none of it', async () => {
        const [{ n: before }] = await h.raw('select count(*)::int as n from records');
        const records = Array.from({ length: 300 }, (_, i) => ({ fields: i === 299 ? { ...person(5000 + i), phone: '12345' } : person(5000 + i) }));
        const w = await h.api('POST', '/api/v1/collections/customers/records', { records });
        expect(w.status).toBe(422);
        expect(w.headers['content-type']).toContain('application/problem+json');
        expect(JSON.stringify(w.body)).toContain('records[299].fields.phone');
        const [{ n: after }] = await h.raw('select count(*)::int as n from records');
        expect(after).toBe(before);
      });
    });
  }
}

describe('seal pool', () => {
  const job = (suiteId: 'aes' | 'sm', n: number): SealJob => {
    const suite = suiteFor(suiteId);
    return {
      suite: suiteId, tenantId: 'ten_1', collectionId: 'col_1', kek: suite.prepare(randomBytes(32)),
      ids: Array.from({ length: n }, (_, i) => `rec_${i}`), subjects: Array.from({ length: n }, (_, i) => `sub_${i}`),
      keys: Array.from({ length: n }, (_, i) => (i % 2 ? suite.prepare(randomBytes(32)) : null)),
      values: Array.from({ length: n }, (_, i) => ({ phone: person(i).phone, name: person(i).name })),
      indexKeys: { phone: randomBytes(32) },
    };
  };

  it('seals in a worker what the server would seal itself: the same blind indexes, fields that open under the same keys', async () => {
    const pool = new SealPool(2);
    try {
      for (const suiteId of ['aes', 'sm'] as const) {
        const j = job(suiteId, 50);
        const [a, b] = await Promise.all([pool.seal(j), pool.seal(j)]);
        const local = sealChunk(j);
        for (const r of [a, b]) {
          expect(Buffer.isBuffer(r.hashes.blob)).toBe(true);
          expect(r.hashes.blob.equals(local.hashes.blob)).toBe(true);
          expect(r.hashRecord).toEqual(local.hashRecord);
          expect(r.fresh).toEqual(local.fresh);
          expect(r.fresh).toHaveLength(25);
          expect(r.sealed.lengths).toEqual(local.sealed.lengths);
          expect(r.sealed.blob.equals(local.sealed.blob)).toBe(false); // fresh nonces (and fresh keys for new subjects)
        }
        // Fields of existing subjects (odd records) open under their keys, bound to their record.
        const suite = suiteFor(suiteId);
        let at = 0;
        for (let i = 0; i < 50; i++) {
          const body = a.sealed.blob.subarray(at, at + a.sealed.lengths[i]);
          at += a.sealed.lengths[i];
          if (i % 2 === 0) continue;
          const fields = unpackFields(body);
          expect(suite.open(j.keys[i]!, fields.get('phone')!, fieldAad('ten_1', 'col_1', `rec_${i}`, `sub_${i}`, 'phone')).toString()).toBe(person(i).phone);
          expect(() => suite.open(j.keys[i]!, fields.get('phone')!, fieldAad('ten_1', 'col_1', `rec_${i + 2}`, `sub_${i}`, 'phone'))).toThrow();
        }
      }
      // The caller's keys are copied for the worker, not zeroed.
      const j = job('aes', 2);
      const before = Buffer.from(j.keys[1]!.enc);
      await pool.seal(j);
      expect(j.keys[1]!.enc.equals(before)).toBe(true);
    } finally { await pool.close(); }
  });

  it('fails pending and later jobs when it is closed, instead of hanging', async () => {
    const pool = new SealPool(1);
    const pending = pool.seal(job('sm', 3000));
    await pool.close();
    await expect(pending).rejects.toThrow(/seal worker/);
    await expect(pool.seal(job('aes', 1))).rejects.toThrow(/closed/);
  });

  it('does not keep a process alive once its work is done', () => {
    const script = `import { SealPool } from './src/vault/seal-pool.ts';
      import { suiteFor } from './src/crypto/suites.ts';
      const s = suiteFor('aes'); const k = s.prepare(Buffer.alloc(32, 1));
      const r = await new SealPool(1).seal({ suite: 'aes', tenantId: 't', collectionId: 'c', kek: k, ids: ['r'], subjects: ['s'], keys: [null], values: [{ a: 'b' }], indexKeys: {} });
      console.log(r.sealed.lengths.length);`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), timeout: 20_000, encoding: 'utf8' });
    expect(out.trim()).toBe('1');
  });
});
