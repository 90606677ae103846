/**
 * `audit verify` checks a long chain in ranges at once on PostgreSQL (one connection per range). Tampering at and
 * around the range boundaries must give the same first break as a plain walk of the chain done here, from the raw
 * rows; on PGlite the same scenarios run through the single pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BACKENDS, startHarness, type Harness } from './harness.js';
import { createAuditService, type Actor, type AuditService } from '../src/audit/index.js';
import { bodyHash, EVENT_BODY_SQL, GENESIS } from '../src/audit/audit-chain.js';

const EVENTS = 60;
/** Three ranges of 20 events: boundaries between events 20/21 and 40/41. */
const RANGES = { parallel: 3, minEvents: 10 };

// The sm suite's SM3 chain is rehashed in PostgreSQL through pgcrypto's digest() (installed here for the test), in
// ranges as SHA-256 chains are; on PGlite it is walked in this process.
for (const [kind, suite] of BACKENDS.flatMap((k) => [[k, 'aes'], [k, 'sm']] as const)) {
  describe(`audit verify in ranges on ${kind} (${suite} suite)`, () => {
    let h: Harness;
    let audit: AuditService;
    let actor: Actor;
    /** All events (the harness's own set-up writes some first) and the first event of the 2nd and 3rd range. */
    let total = 0, b1 = 0, b2 = 0;
    beforeAll(async () => {
      h = await startHarness(kind, { suite });
      if (kind === 'postgres' && suite === 'sm') await h.raw('create extension if not exists pgcrypto');
      audit = createAuditService({ db: h.app.db, hashName: h.app.tenants.hashName, signingKey: h.app.tenants.signingKey, verifyRanges: RANGES });
      actor = { type: 'system', id: 'ranges-test', tenantId: h.tenant, roles: [] };
      await h.app.db.transaction((tx) => audit.record(tx, actor, Array.from({ length: EVENTS }, (_, i) => ({ action: 'record.read', decision: 'allow' as const, purpose: 'customer_service', subjectId: `sub_${i}`, fields: ['name'] }))));
      await audit.chainCommitted(h.tenant);
      total = (await verify()).events;
      const size = Math.ceil(total / RANGES.parallel);
      b1 = size + 1; b2 = 2 * size + 1;
    });
    afterAll(async () => { await audit?.stop(); await h?.close(); });

    const verify = () => h.app.db.transaction((tx) => audit.verify(tx, h.tenant));

    /** The first break by walking the raw rows in seq order, independent of the SQL that verify runs. */
    async function walk(): Promise<{ ok: true } | { ok: false; brokenAt: number; problem: RegExp }> {
      const rows = (await sql<{ seq: number; prev_hash: Buffer; hash: Buffer; body: string }>`select e.seq, e.prev_hash, e.hash, ${EVENT_BODY_SQL} as body from audit_events e where e.tenant_id = ${h.tenant} and e.seq is not null order by e.seq`.execute(h.app.db.kysely)).rows;
      let expected = 1;
      let prev: Buffer = GENESIS;
      for (const r of rows) {
        const seq = Number(r.seq);
        if (seq !== expected) return { ok: false, brokenAt: expected, problem: /is missing/ };
        if (!r.prev_hash.equals(prev)) return { ok: false, brokenAt: seq, problem: /does not link/ };
        if (!bodyHash(suite === 'sm' ? 'sm3' : 'sha256', r.prev_hash, r.body).equals(r.hash)) return { ok: false, brokenAt: seq, problem: /was modified/ };
        prev = r.hash;
        expected = seq + 1;
      }
      const [head] = await h.raw('select seq::int as seq from audit_heads where tenant_id = $1', [h.tenant]);
      if (head && head.seq !== expected - 1) return { ok: false, brokenAt: expected, problem: /removed from the end/ };
      return { ok: true };
    }

    async function expectSameAsWalk() {
      const model = await walk();
      const v = await verify();
      if (model.ok) { expect(v.ok).toBe(true); return; }
      expect(v.ok).toBe(false);
      expect(v.brokenAt).toBe(model.brokenAt);
      expect(v.problem).toMatch(model.problem);
    }

    /** Apply a tampering, compare with the walk, then put the rows back as they were. */
    async function tampered(seqs: number[], change: () => Promise<void>) {
      const inSeqs = `seq in (${seqs.map(Number).join(', ')})`;
      const saved = await h.raw(`select * from audit_events where tenant_id = $1 and ${inSeqs}`, [h.tenant]);
      await change();
      await expectSameAsWalk();
      await h.raw(`delete from audit_events where tenant_id = $1 and (${inSeqs} or id in (${saved.map((e) => `'${String(e.id).replace(/'/g, "''")}'`).join(', ')}))`, [h.tenant]);
      for (const e of saved) {
        await h.raw(`insert into audit_events select * from json_populate_record(null::audit_events, $1::json)`, [JSON.stringify({ ...e, prev_hash: '\\x' + Buffer.from(e.prev_hash).toString('hex'), hash: '\\x' + Buffer.from(e.hash).toString('hex') })]);
      }
      expect((await verify()).ok).toBe(true);
    }

    it('passes an intact chain and counts every event', async () => {
      expect(total).toBeGreaterThanOrEqual(EVENTS);
      expect(await verify()).toMatchObject({ ok: true, events: total });
      expect(await walk()).toEqual({ ok: true });
    });

    const points: Array<[string, () => number]> = [['the first', () => 1], ['the last of range 1', () => b1 - 1], ['the first of range 2', () => b1],
      ['the last of range 2', () => b2 - 1], ['the first of range 3', () => b2], ['the last', () => total]];
    for (const [name, at] of points) {
      it(`finds ${name} event removed`, () => tampered([at()], () => h.raw('delete from audit_events where tenant_id = $1 and seq = $2', [h.tenant, at()]).then(() => undefined)));
      it(`finds ${name} event edited`, () => tampered([at()], () => h.raw(`update audit_events set purpose = 'marketing' where tenant_id = $1 and seq = $2`, [h.tenant, at()]).then(() => undefined)));
    }

    it('finds a link cut at a range boundary', () => tampered([b2], () => h.raw(`update audit_events set prev_hash = decode(repeat('11', 32), 'hex') where tenant_id = $1 and seq = $2`, [h.tenant, b2]).then(() => undefined)));

    it('finds two events swapped across a range boundary', () => tampered([b1 - 1, b1], async () => {
      await h.raw('update audit_events set seq = -1 where tenant_id = $1 and seq = $2', [h.tenant, b1 - 1]);
      await h.raw('update audit_events set seq = $2 where tenant_id = $1 and seq = $3', [h.tenant, b1 - 1, b1]);
      await h.raw('update audit_events set seq = $2 where tenant_id = $1 and seq = -1', [h.tenant, b1]);
    }));

    it('finds the events on both sides of a boundary removed', () => tampered([b1 - 1, b1], () => h.raw('delete from audit_events where tenant_id = $1 and seq in ($2, $3)', [h.tenant, b1 - 1, b1]).then(() => undefined)));

    it('checks events this transaction chains itself, with the ranges before them on other connections', async () => {
      // Recorded without a chainer of its own (stopped), so the verify's transaction chains them.
      const quiet = createAuditService({ db: h.app.db, hashName: h.app.tenants.hashName, signingKey: h.app.tenants.signingKey });
      await quiet.stop();
      await h.app.db.transaction((tx) => quiet.record(tx, actor, Array.from({ length: 30 }, (_, i) => ({ action: 'record.read', decision: 'allow' as const, subjectId: `sub_new_${i}` }))));
      const v = await verify();
      expect(v).toMatchObject({ ok: true, events: total + 30 });
      await h.raw(`update audit_events set decision = 'deny' where tenant_id = $1 and seq = $2`, [h.tenant, total + 5]);
      expect(await verify()).toMatchObject({ ok: false, brokenAt: total + 5 });
      await h.raw(`update audit_events set decision = 'allow' where tenant_id = $1 and seq = $2`, [h.tenant, total + 5]);
      expect((await verify()).ok).toBe(true);
    });

    it('verifies after a checkpoint in the same transaction (as `custodian audit verify` does), the new events chained but not committed', async () => {
      const quiet = createAuditService({ db: h.app.db, hashName: h.app.tenants.hashName, signingKey: h.app.tenants.signingKey });
      await quiet.stop();
      await h.app.db.transaction((tx) => quiet.record(tx, actor, Array.from({ length: 40 }, (_, i) => ({ action: 'record.read', decision: 'allow' as const, subjectId: `sub_cp_${i}` }))));
      const before = (await verify()).events;
      // More new events than one range holds, so ranges checked on other connections reach into them.
      await h.app.db.transaction((tx) => quiet.record(tx, actor, Array.from({ length: 2 * before }, (_, i) => ({ action: 'record.read', decision: 'allow' as const, subjectId: `sub_cp2_${i}` }))));
      // An edit made in that transaction, among events no other connection sees chained yet, is found too.
      const edited = Math.floor(1.5 * before);
      const tampered = await h.app.db.transaction(async (tx) => {
        await audit.checkpoint(tx, h.tenant);
        await sql`update audit_events set decision = 'deny' where tenant_id = ${h.tenant} and seq = ${edited}`.execute(tx);
        const r = await audit.verify(tx, h.tenant);
        await sql`update audit_events set decision = 'allow' where tenant_id = ${h.tenant} and seq = ${edited}`.execute(tx);
        return r;
      });
      expect(tampered).toMatchObject({ ok: false, brokenAt: edited });
      const v = await h.app.db.transaction(async (tx) => { await audit.checkpoint(tx, h.tenant); return audit.verify(tx, h.tenant); });
      expect(v).toMatchObject({ ok: true, events: 3 * before });
      expect(v.checkpoints).toBeGreaterThan(0);
    });
  });
}
