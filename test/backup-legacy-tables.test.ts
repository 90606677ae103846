/**
 * Backups made before migration 0015 hold `incident_subjects` as a table of one row per affected subject; it is now
 * a view over chunks (ADR 0014). A restore loads those rows into a temporary table and converts them with
 * LEGACY_TABLES; this test feeds the conversion 2,500 rows of three incidents (more than two chunks each for one)
 * and reads them back through the view, exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { LEGACY_TABLES, legacyTable } from '../src/backup/backup-tables.js';
import { BACKENDS, startHarness, type Harness } from './harness.js';

for (const kind of BACKENDS) {
  describe(`incident_subjects of an older backup converts to chunks (${kind})`, () => {
    let h: Harness;
    beforeAll(async () => { h = await startHarness(kind); });
    afterAll(async () => { await h?.close(); });

    it('is treated as legacy only in backups made before migration 0015', () => {
      expect(legacyTable('incident_subjects', ['0014_tenant_backup_keys'])).not.toBeNull();
      expect(legacyTable('incident_subjects', ['0014_tenant_backup_keys', '0015_incident_subject_chunks'])).toBeNull();
      expect(legacyTable('records', [])).toBeNull();
    });

    it('every legacy row comes back through the view with its kind, sensitivity and event count', async () => {
      const l = LEGACY_TABLES.incident_subjects;
      const rows: Array<[string, string, string, string[], boolean, number]> = [];
      const kinds: Array<[string[], boolean]> = [[['mobile:contact'], false], [['cn_id:identity', 'person_name:basic'], true], [['bank_card:financial'], true]];
      for (let i = 0; i < 2500; i++) {
        const inc = i < 2100 ? 'inc_a' : i < 2400 ? 'inc_b' : 'inc_c';
        const [types, sensitive] = kinds[(i * 7) % 3];
        rows.push([h.tenant, inc, `sub_${String(i).padStart(5, '0')}`, types, sensitive, 1 + (i % 4)]);
      }
      // The rows as a restore loads them, then the conversion, in one transaction.
      const back = await h.app.db.transaction(async (tx) => {
        await sql.raw(`create temporary table ${l.temp} (${Object.entries(l.columns).map(([c, t]) => `${c} ${t}`).join(', ')}) on commit drop`).execute(tx);
        for (const r of rows) await sql`insert into legacy_incident_subjects values (${r[0]}, ${r[1]}, ${r[2]}, ${r[3]}::text[], ${r[4]}, ${r[5]})`.execute(tx);
        for (const stmt of l.convert) await sql.raw(stmt).execute(tx);
        return (await sql<{ incident_id: string; subject_id: string; types: string[]; sensitive: boolean; events: number }>`select incident_id, subject_id, types, sensitive, events from incident_subjects where tenant_id = ${h.tenant} order by incident_id, subject_id`.execute(tx)).rows;
      });
      expect(back.map((r) => [h.tenant, r.incident_id, r.subject_id, r.types, r.sensitive, Number(r.events)])).toEqual(rows);
      const chunks = await sql<{ incident_id: string; n: number }>`select incident_id, count(*)::int as n from incident_subject_chunks where tenant_id = ${h.tenant} group by incident_id order by incident_id`.execute(h.app.db.kysely);
      expect(chunks.rows).toEqual([{ incident_id: 'inc_a', n: 3 }, { incident_id: 'inc_b', n: 1 }, { incident_id: 'inc_c', n: 1 }]);
    });
  });
}
