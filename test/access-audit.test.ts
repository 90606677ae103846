import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BACKENDS, setupCustomers, startHarness, type Harness } from './harness.js';
import { bodyHash, EVENT_BODY_SQL, eventHashV1, type ChainedEvent } from '../src/audit/audit-chain.js';

// The sm suite hashes its chain with SM3, verified in this process; aes chains are verified inside the database.
for (const [kind, suite] of BACKENDS.flatMap((k) => [[k, 'aes'], [k, 'sm']] as const)) {
  describe(`purpose-bound access and audit on ${kind} (${suite} suite)`, () => {
    let h: Harness;
    let owner = '';
    let masked = '';
    let recId = '';
    let subjectId = '';
    beforeAll(async () => {
      h = await startHarness(kind, { suite });
      owner = h.key;
      await setupCustomers(h);
      const w = await h.api('POST', '/api/v1/collections/customers/records', { fields: { name: '张三丰', phone: '13912345678', id_number: '11010519491231002X' } });
      recId = w.body.id; subjectId = w.body.subject_id;
      expect((await h.api('POST', '/api/v1/roles', { name: 'cs_masked', grants: [{ collection: 'customers', fields: ['name', 'phone'], actions: ['read', 'search'], purposes: ['customer_service'], view: 'masked' }] })).status).toBe(201);
      const k = await h.api('POST', '/api/v1/api-keys', { name: 'crm', roles: ['cs_masked'] });
      expect(k.status).toBe(201);
      masked = k.body.api_key;
    });
    afterAll(async () => { await h?.close(); });

    it('returns masked values to a masked grant', async () => {
      const s = await h.api('POST', '/api/v1/collections/customers/search', { field: 'phone', value: '13912345678', purpose: 'customer_service', fields: ['name', 'phone'] }, masked);
      expect(s.status).toBe(200);
      expect(s.body.records[0].fields).toEqual({ name: '张**', phone: '139****5678' });
    });

    it('refuses with 403 naming the rule: no purpose, other purpose, field outside grant, missing permission', async () => {
      expect((await h.api('GET', `/api/v1/collections/customers/records/${recId}`, undefined, masked)).status).toBe(400);
      const field = await h.api('GET', `/api/v1/collections/customers/records/${recId}?purpose=customer_service&fields=id_number`, undefined, masked);
      expect(field.status).toBe(403);
      expect(field.body.errors[0].rule).toBe('field_not_granted');
      await h.api('POST', '/api/v1/purposes', { name: 'marketing', title: '营销推广', legal_basis: 'consent' });
      const purpose = await h.api('GET', `/api/v1/collections/customers/records/${recId}?purpose=marketing&fields=name`, undefined, masked);
      expect(purpose.body.errors[0].rule).toBe('purpose_not_granted');
      const perm = await h.api('POST', '/api/v1/purposes', { name: 'x_purpose', title: 'x', legal_basis: 'contract' }, masked);
      expect(perm.status).toBe(403);
      expect((await h.api('POST', `/api/v1/collections/customers/records`, { fields: { name: '新' } }, masked)).status).toBe(403);
      expect((await h.api('DELETE', `/api/v1/collections/customers/records/${recId}`, undefined, masked)).status).toBe(403);
      expect((await h.api('GET', '/api/v1/audit/events', undefined, masked)).status).toBe(403);
    });

    it('needs consent for a consent-based purpose, even for the owner, and stops at once on withdrawal', async () => {
      expect((await h.api('GET', `/api/v1/collections/customers/records/${recId}?purpose=marketing&fields=phone`)).body.errors[0].rule).toBe('no_consent');
      const n = await h.api('POST', '/api/v1/notices', { name: 'privacy-policy', language: 'zh-CN', text: '我们为营销推广处理您的手机号。', purposes: ['marketing'] });
      expect(n.status).toBe(201);
      expect(n.body.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect((await h.api('POST', `/api/v1/subjects/${subjectId}/consents`, { purpose: 'marketing', notice: 'privacy-policy', notice_version: 9, channel: 'web' })).status).toBe(422);
      expect((await h.api('POST', `/api/v1/subjects/${subjectId}/consents`, { purpose: 'marketing', notice: 'privacy-policy', notice_version: 1, channel: 'web' })).status).toBe(201);
      expect((await h.api('GET', `/api/v1/collections/customers/records/${recId}?purpose=marketing&fields=phone`)).status).toBe(200);
      expect((await h.api('DELETE', `/api/v1/subjects/${subjectId}/consents/marketing`)).status).toBe(200);
      expect((await h.api('GET', `/api/v1/collections/customers/records/${recId}?purpose=marketing&fields=phone`)).status).toBe(403);
    });

    it('audits permitted and refused access with subject, actor, purpose and decision, and no PI values', async () => {
      const r = await h.api('GET', `/api/v1/audit/events?subject_id=${subjectId}&limit=1000`);
      const ev = r.body.events as any[];
      expect(ev.some((e) => e.decision === 'deny' && e.reason === 'field_not_granted' && e.purpose === 'customer_service')).toBe(true);
      expect(ev.some((e) => e.decision === 'allow' && e.action === 'record.search')).toBe(true);
      expect(ev.some((e) => e.decision === 'deny' && e.reason === 'no_consent')).toBe(true);
      expect(JSON.stringify(r.body)).not.toMatch(/13912345678|张三丰|11010519491231002X/);
      const byActor = await h.api('GET', `/api/v1/audit/events?actor_id=${ev.find((e) => e.reason === 'field_not_granted').actor_id}`);
      expect(byActor.body.events.every((e: any) => e.actor_id === ev.find((x) => x.reason === 'field_not_granted').actor_id)).toBe(true);
    });

    describe('tamper evidence', () => {
      const verify = async () => (await h.api('GET', '/api/v1/audit/verify', undefined, owner)).body;
      let saved: any[] = [];
      beforeEach(async () => {
        expect((await verify()).ok).toBe(true);
        saved = await h.raw(`select * from audit_events where tenant_id = $1 and seq between 2 and 3 order by seq`, [h.tenant]);
      });
      const restore = async () => {
        await h.raw(`delete from audit_events where tenant_id = $1 and seq between 2 and 3`, [h.tenant]);
        for (const e of saved) {
          await h.raw(`insert into audit_events select * from json_populate_record(null::audit_events, $1::json)`, [JSON.stringify({ ...e, prev_hash: '\\x' + Buffer.from(e.prev_hash).toString('hex'), hash: '\\x' + Buffer.from(e.hash).toString('hex') })]);
        }
        expect((await verify()).ok).toBe(true);
      };
      it('finds an edited event', async () => {
        await h.raw(`update audit_events set action = 'record.tampered' where tenant_id = $1 and seq = 2`, [h.tenant]);
        const v = await verify();
        expect(v).toMatchObject({ ok: false, brokenAt: 2 });
        await restore();
      });
      it('finds a removed event', async () => {
        await h.raw(`delete from audit_events where tenant_id = $1 and seq = 2`, [h.tenant]);
        expect(await verify()).toMatchObject({ ok: false, brokenAt: 2 });
        await restore();
      });
      it('finds an inserted event', async () => {
        await h.raw(`update audit_events set seq = seq + 1000000 where tenant_id = $1 and seq >= 3`, [h.tenant]);
        await h.raw(`insert into audit_events select tenant_id, 3, id || 'x', at, actor_type, actor_id, action, decision, purpose, subject_id, collection, record_id, fields, reason, client_ip, request_id, details, hash, hash from audit_events where tenant_id = $1 and seq = 2`, [h.tenant]);
        expect((await verify()).ok).toBe(false);
        await h.raw(`delete from audit_events where tenant_id = $1 and seq = 3`, [h.tenant]);
        await h.raw(`update audit_events set seq = seq - 1000000 where tenant_id = $1 and seq > 1000000`, [h.tenant]);
        expect((await verify()).ok).toBe(true);
      });
      it('finds reordered events', async () => {
        await h.raw(`update audit_events set seq = -1 where tenant_id = $1 and seq = 2`, [h.tenant]);
        await h.raw(`update audit_events set seq = 2 where tenant_id = $1 and seq = 3`, [h.tenant]);
        await h.raw(`update audit_events set seq = 3 where tenant_id = $1 and seq = -1`, [h.tenant]);
        expect(await verify()).toMatchObject({ ok: false, brokenAt: 2 });
        await restore();
      });
      it('finds events cut from the end and a forged checkpoint', async () => {
        const [last] = await h.raw(`select max(seq)::int as m from audit_events where tenant_id = $1`, [h.tenant]);
        const tail = await h.raw(`select * from audit_events where tenant_id = $1 and seq = $2`, [h.tenant, last.m]);
        await h.raw(`delete from audit_events where tenant_id = $1 and seq = $2`, [h.tenant, last.m]);
        expect((await verify()).ok).toBe(false);
        const e = tail[0];
        await h.raw(`insert into audit_events select * from json_populate_record(null::audit_events, $1::json)`, [JSON.stringify({ ...e, prev_hash: '\\x' + Buffer.from(e.prev_hash).toString('hex'), hash: '\\x' + Buffer.from(e.hash).toString('hex') })]);
        expect((await verify()).ok).toBe(true);
        await h.raw(`update audit_checkpoints set signature = decode(repeat('00', 64), 'hex') where tenant_id = $1`, [h.tenant]);
        const v = await verify();
        expect(v.ok).toBe(false);
        expect(v.problem).toMatch(/signature/);
        await h.raw(`delete from audit_checkpoints where tenant_id = $1`, [h.tenant]);
        expect((await verify()).ok).toBe(true);
      });
      // Last: it re-chains the log, so the signed checkpoints no longer apply and are removed.
      it('verifies a chain whose first events are format 1 (written before ADR 0005) and finds an edit among them', async () => {
        const hashName = suite === 'sm' ? 'sm3' : 'sha256';
        const rows = (await sql<ChainedEvent & { body: string }>`select e.*, ${EVENT_BODY_SQL} as body from audit_events e where e.tenant_id = ${h.tenant} and e.seq is not null order by e.seq`.execute(h.app.db.kysely)).rows;
        expect(rows.length).toBeGreaterThan(5);
        let prev: Buffer = Buffer.alloc(32);
        for (const r of rows) {
          const seq = Number(r.seq);
          const v = seq <= 3 ? 1 : 2;
          const hash = v === 1 ? eventHashV1(hashName, prev, { ...r, seq }) : bodyHash(hashName, prev, r.body);
          await h.raw(`update audit_events set chain_v = $3, prev_hash = $4, hash = $5 where tenant_id = $1 and seq = $2`, [h.tenant, seq, v, prev, hash]);
          prev = hash;
        }
        await h.raw(`update audit_heads set hash = $2 where tenant_id = $1`, [h.tenant, prev]);
        await h.raw(`delete from audit_checkpoints where tenant_id = $1`, [h.tenant]);
        expect(await verify()).toMatchObject({ ok: true, events: rows.length });
        await h.raw(`update audit_events set details = '{"forged": true}'::jsonb where tenant_id = $1 and seq = 2`, [h.tenant]);
        expect(await verify()).toMatchObject({ ok: false, brokenAt: 2 });
        await h.raw(`update audit_events set details = $2::jsonb where tenant_id = $1 and seq = 2`, [h.tenant, JSON.stringify(rows[1].details)]);
        expect((await verify()).ok).toBe(true);
        await h.raw(`update audit_events set purpose = 'forged' where tenant_id = $1 and seq = 5`, [h.tenant]);
        expect(await verify()).toMatchObject({ ok: false, brokenAt: 5 });
      });
    });
  });
}
