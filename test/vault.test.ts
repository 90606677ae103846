import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BACKENDS, setupCustomers, startHarness, type Harness } from './harness.js';

const ZHANG = { name: '张三丰', phone: '13912345678', id_number: '11010519491231002X', email: 'zsf@example.cn', address: '上海市浦东新区世纪大道100号', bank_card: '6222021234567890128', birth_date: '1949-12-31' };

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => { const p = join(dir, n); return statSync(p).isDirectory() ? filesUnder(p) : [p]; });
}

for (const kind of BACKENDS) {
  for (const suite of ['aes', 'sm'] as const) {
    describe(`vault core on ${kind} (${suite})`, () => {
      let h: Harness;
      let zhangId = '';
      let zhangSubject = '';
      beforeAll(async () => { h = await startHarness(kind, { suite }); await setupCustomers(h); });
      afterAll(async () => { await h?.close(); });

      it('refuses requests without a valid API key with 401 problem+json', async () => {
        for (const key of [null, 'cst_wrongwrongwrongwrongwrongwrongwrong']) {
          const r = await h.api('GET', '/api/v1/collections', undefined, key);
          expect(r.status).toBe(401);
          expect(r.headers['content-type']).toContain('application/problem+json');
        }
      });

      it('fills category and sensitive flag from the field type, and only raises sensitivity', async () => {
        const r = await h.api('GET', '/api/v1/collections');
        const fields = r.body.collections[0].fields;
        expect(fields.find((f: any) => f.name === 'id_number')).toMatchObject({ category: 'identity', sensitive: true });
        expect(fields.find((f: any) => f.name === 'bank_card')).toMatchObject({ category: 'financial', sensitive: true });
        expect(fields.find((f: any) => f.name === 'name')).toMatchObject({ category: 'basic', sensitive: false });
        const c = await h.api('POST', '/api/v1/collections', { name: 'health', fields: [{ name: 'diagnosis', type: 'text', category: 'health', sensitive: false }] });
        expect(c.body.fields[0].sensitive).toBe(true);
      });

      it('writes a batch and finds a record by any written form of the phone number', async () => {
        const w = await h.api('POST', '/api/v1/collections/customers/records', { records: [{ fields: ZHANG }, { fields: { name: '李四', phone: '13700001111' } }] });
        expect(w.status).toBe(201);
        expect(w.body.ids).toHaveLength(2);
        zhangId = w.body.ids[0];
        zhangSubject = w.body.subject_ids[0];
        for (const v of ['+86 139-1234-5678', '13912345678', '0086 139 1234 5678']) {
          const s = await h.api('POST', '/api/v1/collections/customers/search', { field: 'phone', value: v, purpose: 'customer_service', fields: ['name'] });
          expect(s.status).toBe(200);
          expect(s.body.records).toEqual([{ id: zhangId, subject_id: zhangSubject, fields: { name: '张三丰' } }]);
        }
        const byId = await h.api('POST', '/api/v1/collections/customers/search', { field: 'id_number', value: '11010519491231002x', purpose: 'customer_service', fields: ['phone'] });
        expect(byId.body.records[0].fields).toEqual({ phone: '13912345678' });
      });

      it('returns only the fields asked for', async () => {
        const r = await h.api('GET', `/api/v1/collections/customers/records/${zhangId}?purpose=customer_service&fields=id_number,email`);
        expect(r.status).toBe(200);
        expect(r.body).toEqual({ id: zhangId, subject_id: zhangSubject, fields: { id_number: '11010519491231002X', email: 'zsf@example.cn' } });
      });

      it('refuses a batch with one bad record and writes none of it', async () => {
        const r = await h.api('POST', '/api/v1/collections/customers/records', { records: [{ fields: { name: '赵六', phone: '13600003333' } }, { fields: { name: '钱七', id_number: '110105194912310021' } }] });
        expect(r.status).toBe(422);
        expect(r.body.errors[0].field).toBe('records[1].fields.id_number');
        const s = await h.api('POST', '/api/v1/collections/customers/search', { field: 'phone', value: '13600003333', purpose: 'customer_service' });
        expect(s.body.records).toHaveLength(0);
      });

      it('writes a batch of 1,003 in several statements: ids in input order, each record with its own values and subject', async () => {
        const phone = (i: number) => `135${String(i).padStart(8, '0')}`;
        const records: Array<{ subject_id?: string; fields: Record<string, string> }> = Array.from({ length: 1003 }, (_, i) => ({ fields: { name: `批量${i}`, phone: phone(i) } }));
        const first = await h.api('POST', '/api/v1/collections/customers/records', { fields: { name: '孙八', email: 'sun8@example.cn' } });
        const existing = first.body.subject_id as string;
        records[1002] = { subject_id: existing, fields: { name: '孙八', phone: phone(1002) } };
        const w = await h.api('POST', '/api/v1/collections/customers/records', { records });
        expect(w.status).toBe(201);
        expect(w.body.ids).toHaveLength(1003);
        expect(new Set(w.body.ids).size).toBe(1003);
        expect(w.body.subject_ids[1002]).toBe(existing);
        // both sides of each statement boundary (chunks of 251), and the record of an existing subject at the end
        for (const i of [0, 250, 251, 501, 502, 752, 753, 1001, 1002]) {
          const s = await h.api('POST', '/api/v1/collections/customers/search', { field: 'phone', value: phone(i), purpose: 'customer_service', fields: ['name'] });
          expect(s.body.records).toEqual([{ id: w.body.ids[i], subject_id: w.body.subject_ids[i], fields: { name: i === 1002 ? '孙八' : `批量${i}` } }]);
        }
      });

      it('issues time-ordered ids (UUID version 7) for records, subjects and the audit events of a search', async () => {
        const v7 = /^[a-z]{3}_[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$/;
        const ms = (id: string) => parseInt(id.slice(4, 16), 16);
        const before = Date.now();
        const w = await h.api('POST', '/api/v1/collections/customers/records', { records: [{ fields: { name: '周九', phone: '13400004444' } }, { fields: { name: '吴十', phone: '13400005555' } }] });
        expect(w.status).toBe(201);
        for (const id of [...w.body.ids, ...w.body.subject_ids]) {
          expect(id).toMatch(v7);
          expect(ms(id)).toBeGreaterThanOrEqual(before - 5);
          expect(ms(id)).toBeLessThanOrEqual(Date.now() + 5);
        }
        const s = await h.api('POST', '/api/v1/collections/customers/search', { field: 'phone', value: '13400004444', purpose: 'customer_service', fields: ['name'] });
        expect(s.body.records).toHaveLength(1);
        // the event this search inserted in its own statement (ids built by the database)
        const ev = await h.raw(`select id from audit_events where tenant_id = $1 and action = 'record.search' and record_id = $2`, [h.tenant, w.body.ids[0]]);
        expect(ev).toHaveLength(1);
        expect(ev[0].id).toMatch(v7);
        expect(Math.abs(ms(ev[0].id) - Date.now())).toBeLessThan(60_000);
      });

      it('answers bad input with a 4xx naming the field, never a 500', async () => {
        const cases: Array<[string, string, unknown, number, string?]> = [
          ['POST', '/api/v1/collections/customers/records', { fields: { name: 'x', nosuchfield: 'y' } }, 422, 'fields.nosuchfield'],
          ['POST', '/api/v1/collections/customers/records', '{"fields":', 400],
          ['POST', '/api/v1/collections/customers/records', { fields: { phone: '12345' } }, 422, 'fields.phone'],
          ['POST', '/api/v1/collections/customers/records', { fields: { email: 'not-an-email' } }, 422, 'fields.email'],
          ['POST', '/api/v1/collections/customers/records', { fields: { name: 'x' }, extra: 1 }, 400],
          ['POST', '/api/v1/collections/nosuch/records', { fields: { name: 'x' } }, 404],
          ['POST', '/api/v1/collections', { name: 'dup', fields: [{ name: 'a', type: 'text' }, { name: 'a', type: 'text' }] }, 422, 'fields[1].name'],
          ['POST', '/api/v1/collections', { name: 'bad', fields: [{ name: 'a', type: 'nosuchtype' }] }, 400, 'fields[0].type'],
          ['GET', '/api/v1/collections/customers/records/..%2F..%2Fetc?purpose=customer_service', undefined, 400],
          ['POST', '/api/v1/collections/customers/search', { field: 'name', value: '张三丰', purpose: 'customer_service' }, 422, 'field'],
        ];
        for (const [m, u, b, status, field] of cases) {
          const r = await h.api(m, u, b);
          expect(r.status, `${m} ${u} ${JSON.stringify(b)}`).toBe(status);
          expect(r.body.code).toBeTruthy();
          if (field) expect(JSON.stringify(r.body.errors)).toContain(field);
        }
        const big = await h.api('POST', '/api/v1/collections/customers/records', { fields: { name: 'x'.repeat(17 * 1024 * 1024) } });
        expect(big.status).toBe(413);
      });

      it('keeps only ciphertext at rest: no stored value or normalised form appears in the database', async () => {
        const tables = ['records', 'subjects', 'blind_index', 'audit_events', 'collections'];
        const dump = (await Promise.all(tables.map((t) => h.raw(`select row_to_json(x)::text as j from ${t} x`)))).flat().map((r) => r.j).join('\n');
        for (const v of [...Object.values(ZHANG), '139****5678', '+8613912345678']) expect(dump).not.toContain(v);
        expect(dump).not.toContain(Buffer.from('13912345678').toString('hex'));
        if (kind === 'pglite') {
          await h.app.db.execScript('CHECKPOINT');
          const needles = ['13912345678', '11010519491231002', '张三丰', '世纪大道', 'zsf@example.cn'].map((s) => Buffer.from(s));
          for (const f of filesUnder(h.dataDir)) {
            const buf = readFileSync(f);
            for (const n of needles) expect(buf.includes(n), `${n} in ${f}`).toBe(false);
          }
        }
      });

      it('binds each ciphertext to its record: a value swapped into another record does not open', async () => {
        const [a, b] = await h.raw(`select id, sealed from records where tenant_id = $1 order by created_at limit 2`, [h.tenant]);
        await h.raw(`update records set sealed = $1 where id = $2`, [Buffer.from(a.sealed), b.id]);
        const r = await h.api('GET', `/api/v1/collections/customers/records/${b.id}?purpose=customer_service&fields=name`);
        expect(r.status).toBe(500);
        expect(r.body.code).toBe('crypto.integrity');
        expect(JSON.stringify(r.body)).not.toContain('张三丰');
        await h.raw(`update records set sealed = $1 where id = $2`, [Buffer.from(b.sealed), b.id]);
      });

      it('updates a value and its blind index', async () => {
        const u = await h.api('PATCH', `/api/v1/collections/customers/records/${zhangId}`, { fields: { phone: '13811112222' } });
        expect(u.status).toBe(200);
        const old = await h.api('POST', '/api/v1/collections/customers/search', { field: 'phone', value: '13912345678', purpose: 'customer_service' });
        expect(old.body.records).toHaveLength(0);
        const now = await h.api('POST', '/api/v1/collections/customers/search', { field: 'phone', value: '138 1111 2222', purpose: 'customer_service', fields: ['name', 'phone'] });
        expect(now.body.records[0].fields).toEqual({ name: '张三丰', phone: '13811112222' });
      });

      it('rotates the tenant key: data keys are re-wrapped, ciphertexts untouched, every record still reads', async () => {
        const before = await h.raw(`select id, encode(sealed, 'hex') as s from records where tenant_id = $1 order by id`, [h.tenant]);
        const reads = Array.from({ length: 20 }, () => h.api('GET', `/api/v1/collections/customers/records/${zhangId}?purpose=customer_service&fields=name`));
        const rot = await h.api('POST', '/api/v1/keys/rotate');
        expect(rot.status).toBe(200);
        expect(rot.body.kek_version).toBe(2);
        expect((await Promise.all(reads)).every((r) => r.status === 200 && r.body.fields.name === '张三丰')).toBe(true);
        const after = await h.raw(`select id, encode(sealed, 'hex') as s from records where tenant_id = $1 order by id`, [h.tenant]);
        expect(after).toEqual(before);
        const versions = await h.raw(`select distinct kek_version from subjects where tenant_id = $1 and wrapped_key is not null`, [h.tenant]);
        expect(versions.map((v) => Number(v.kek_version))).toEqual([2]);
        h.app.keys.forgetTenant(h.tenant);
        const r = await h.api('GET', `/api/v1/collections/customers/records/${zhangId}?purpose=customer_service&fields=name,bank_card`);
        expect(r.body.fields).toEqual({ name: '张三丰', bank_card: '6222021234567890128' });
      });

      it('erases by destroying the subject key: the record is gone and its index entries too', async () => {
        const d = await h.api('DELETE', `/api/v1/collections/customers/records/${zhangId}`);
        expect(d.status).toBe(200);
        expect(d.body.subject_key_destroyed).toBe(true);
        expect((await h.api('GET', `/api/v1/collections/customers/records/${zhangId}?purpose=customer_service`)).status).toBe(404);
        const [s] = await h.raw(`select wrapped_key, erased_at from subjects where tenant_id = $1 and id = $2`, [h.tenant, zhangSubject]);
        expect(s.wrapped_key).toBeNull();
        expect(s.erased_at).not.toBeNull();
        expect(await h.raw(`select 1 from blind_index where record_id = $1`, [zhangId])).toHaveLength(0);
        const w = await h.api('POST', '/api/v1/collections/customers/records', { subject_id: zhangSubject, fields: { name: '张三丰' } });
        expect(w.status).toBe(422);
      });
    });
  }
}
