import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, setupCustomers, startHarness, type Harness } from './harness.js';

for (const kind of BACKENDS) {
  describe(`retention on ${kind}`, () => {
    let h: Harness;
    beforeAll(async () => { h = await startHarness(kind); await setupCustomers(h); });
    afterAll(async () => { await h?.close(); });

    it('erases expired records and fields, spares held subjects, and records what it did', async () => {
      const w = await h.api('POST', '/api/v1/collections/customers/records', { records: [
        { fields: { name: '过期一', phone: '13600000001', bank_card: '6222021234567890128' } },
        { fields: { name: '保全二', phone: '13600000002' } },
        { fields: { name: '新客三', phone: '13600000003', bank_card: '6222021234567890128' } },
      ] });
      const [old, held, fresh] = w.body.ids as string[];
      const [oldS, heldS] = w.body.subject_ids as string[];
      await h.raw(`update records set created_at = now() - interval '1200 days' where id in ($1, $2)`, [old, held]);
      expect((await h.api('POST', '/api/v1/retention/rules', { name: 'contract_3y', collection: 'customers', period_days: 1095, anchor: 'created' })).status).toBe(201);
      expect((await h.api('POST', '/api/v1/retention/rules', { name: 'card_30d', collection: 'customers', field: 'bank_card', period_days: 30, anchor: 'updated' })).status).toBe(201);
      expect((await h.api('POST', '/api/v1/retention/rules', { name: 'bad', collection: 'customers', field: 'nope', period_days: 1, anchor: 'created' })).status).toBe(422);
      const hold = await h.api('POST', '/api/v1/legal-holds', { subject_id: heldS, reason: '诉讼保全 (2026)京0108民初123号' });
      expect(hold.status).toBe(201);
      await h.raw(`update records set updated_at = now() - interval '40 days' where id = $1`, [fresh]);

      const run = await h.api('POST', '/api/v1/retention/run');
      expect(run.status).toBe(200);
      expect(run.body).toMatchObject({ records_erased: 1, subjects_shredded: 1, held_skipped: 1, fields_erased: 1 });
      expect([404, 410]).toContain((await h.api('GET', `/api/v1/collections/customers/records/${old}?purpose=customer_service`)).status);
      expect((await h.raw('select wrapped_key from subjects where id = $1', [oldS]))[0].wrapped_key).toBeNull();
      expect((await h.api('GET', `/api/v1/collections/customers/records/${held}?purpose=customer_service`)).body.fields.name).toBe('保全二');
      const f = await h.api('GET', `/api/v1/collections/customers/records/${fresh}?purpose=customer_service`);
      expect(f.body.fields).toMatchObject({ name: '新客三', phone: '13600000003' });
      expect(f.body.fields.bank_card).toBeUndefined();
      const ledger = await h.raw(`select kind, reason from erasure_ledger where target_id in ($1, $2)`, [old, oldS]);
      expect(ledger.map((l: any) => l.reason)).toEqual(['retention rule contract_3y', 'retention rule contract_3y']);

      // Second run: nothing left to do; releasing the hold lets the rule act.
      expect((await h.api('POST', '/api/v1/retention/run')).body).toMatchObject({ records_erased: 0, fields_erased: 0 });
      await h.api('POST', `/api/v1/legal-holds/${hold.body.id}/release`);
      await h.app.jobs.schedule(h.tenant, 'retention.sweep', new Date(Date.now() - 1000));
      const ran = await h.app.jobs.runDue(new Date());
      expect(ran.find((j) => j.kind === 'retention.sweep')?.result).toMatchObject({ records_erased: 1 });
      const runs = await h.api('GET', '/api/v1/retention/runs');
      expect(runs.body.runs).toHaveLength(3);
      const ev = await h.api('GET', '/api/v1/audit/events?action=retention.sweep');
      expect(ev.body.events).toHaveLength(3);
    });

    it('a collection-wide hold pauses every rule on it', async () => {
      const w = await h.api('POST', '/api/v1/collections/customers/records', { fields: { name: '老客' } });
      await h.raw(`update records set created_at = now() - interval '2000 days' where id = $1`, [w.body.id]);
      await h.api('POST', '/api/v1/legal-holds', { collection: 'customers', reason: '监管调查' });
      const run = await h.api('POST', '/api/v1/retention/run');
      expect(run.body.records_erased).toBe(0);
      expect(run.body.held_skipped).toBeGreaterThanOrEqual(1);
    });
  });
}
