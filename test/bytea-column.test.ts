import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { BACKENDS, startHarness, type Harness } from './harness.js';
import { byteaColumn } from '../src/db/bytea-column.js';

for (const kind of BACKENDS) {
  describe(`bytea columns sent as one parameter on ${kind}`, () => {
    let h: Harness;
    beforeAll(async () => { h = await startHarness(kind); });
    afterAll(async () => { await h.close(); });

    it('gives every row its own bytes back, whatever their length or content', async () => {
      const values = [Buffer.alloc(0), Buffer.from([0, 0, 0]), Buffer.from('\\x00\'"{},', 'utf8'), ...Array.from({ length: 1200 }, (_, i) => randomBytes(i % 97)), randomBytes(70_000)];
      const ids = values.map((_, i) => i);
      const b = byteaColumn(values);
      const rows = (await sql<{ i: number; v: Buffer }>`select u.i, ${b.cut('u.o', 'u.l')} as v from unnest(${ids}::int[], ${b.offsets}, ${b.lengths}) as u(i, o, l) order by u.i`.execute(h.app.db.kysely)).rows;
      expect(rows).toHaveLength(values.length);
      for (const r of rows) expect(Buffer.from(r.v).equals(values[r.i])).toBe(true);
    });

    it('makes no rows from no values', async () => {
      const b = byteaColumn([]);
      const rows = (await sql`select ${b.cut('u.o', 'u.l')} as v from unnest(${b.offsets}, ${b.lengths}) as u(o, l)`.execute(h.app.db.kysely)).rows;
      expect(rows).toEqual([]);
    });
  });
}
