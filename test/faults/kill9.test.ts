/**
 * Kill -9 the server 20 times at random moments while clients write batches. After each restart: every batch the
 * client saw acknowledged (201) reads back whole with its ids and values, a batch that was never acknowledged is
 * either all there or not there at all, and `custodian audit verify` reports an intact chain.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { api, assertBuilt, auditVerify, batchBody, FAULT_BACKENDS, findBatch, freshBackend, initStore, killAll, makeBatch, setupCustomers, sleep, startServer, type Backend, type Batch } from './lib.js';

const KILLS = Number(process.env.FAULT_KILLS ?? 20);
const WRITERS = 3;
const BATCH = 25;

afterAll(() => killAll());

for (const kind of FAULT_BACKENDS) {
  describe(`kill -9 during batch writes on ${kind}`, () => {
    let be: Backend | undefined;
    afterAll(async () => { killAll(); await be?.cleanup(); });

    it(`survives ${KILLS} kills: acknowledged batches whole, unacknowledged all or nothing, audit chain intact`, async () => {
      assertBuilt();
      be = await freshBackend(kind);
      const { api_key: key } = initStore(be);
      let srv = await startServer(be);
      await setupCustomers(srv.url, key);
      const acked: Batch[] = [];
      const unexpected: string[] = [];
      let seq = 1;
      let halfBatches = 0;
      let committedUnacked = 0;
      let absentUnacked = 0;
      const delays: number[] = [];

      for (let round = 0; round < KILLS; round++) {
        const inFlight: Batch[] = [];
        let killed = false;
        const writer = async () => {
          while (!killed) {
            const b = makeBatch(seq++, BATCH);
            try {
              const r = await api(srv.url, key, 'POST', '/api/v1/collections/customers/records', batchBody(b));
              if (r.status === 201) { b.ids = r.body.ids; acked.push(b); } else { inFlight.push(b); if (!killed) unexpected.push(`batch ${b.seq}: ${r.status} ${JSON.stringify(r.body)}`); }
            } catch {
              inFlight.push(b); // the connection died with the server: never acknowledged
            }
          }
        };
        const writers = Array.from({ length: WRITERS }, writer);
        const delay = 50 + Math.floor(Math.random() * 1500);
        delays.push(delay);
        await sleep(delay);
        killed = true;
        await srv.kill9();
        await Promise.all(writers);

        srv = await startServer(be);
        // A batch never acknowledged must be all there (committed just before the kill) or absent.
        for (const b of inFlight) {
          const found = await findBatch(srv.url, key, b);
          if (found.size === 0) absentUnacked++;
          else if (found.size === BATCH && [...found.values()].sort().join() === [...b.emails].sort().join()) committedUnacked++;
          else { halfBatches++; unexpected.push(`round ${round}: unacknowledged batch ${b.seq} is half there (${found.size}/${BATCH})`); }
        }
      }

      // Every acknowledged batch reads back whole, with the ids the client was given.
      let lost = 0;
      for (const b of acked) {
        const found = await findBatch(srv.url, key, b);
        const ok = found.size === BATCH && (b.ids as string[]).every((id, i) => found.get(id) === b.emails[i]);
        if (!ok) { lost++; unexpected.push(`acknowledged batch ${b.seq} reads back ${found.size}/${BATCH}`); }
      }
      // One acknowledged record also reads back by id through the normal read path.
      const sample = acked[Math.floor(acked.length / 2)];
      const one = await api(srv.url, key, 'GET', `/api/v1/collections/customers/records/${(sample.ids as string[])[0]}?purpose=customer_service&fields=email,phone`);
      expect(one.status).toBe(200);
      expect(one.body.fields).toEqual({ email: sample.emails[0], phone: sample.phone });

      const whileRunning = auditVerify(be); // through the running server (PGlite) or the database (PostgreSQL)
      await srv.stop();
      const afterStop = auditVerify(be);
      console.log(`[faults] ${kind}: ${KILLS} kills at ${delays.join(',')} ms; ${acked.length} batches (${acked.length * BATCH} records) acknowledged, ${lost} lost; ` +
        `unacknowledged: ${committedUnacked} committed whole, ${absentUnacked} absent, ${halfBatches} half; audit ${afterStop.events} events ok=${afterStop.ok}`);
      expect(unexpected).toEqual([]);
      expect(acked.length).toBeGreaterThan(KILLS);
      expect(whileRunning.ok, whileRunning.raw).toBe(true);
      expect(afterStop.ok, afterStop.raw).toBe(true);
    }, 900_000);
  });
}
