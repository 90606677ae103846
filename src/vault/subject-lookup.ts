/**
 * What the customer portal needs from the vault: find the subject whose records hold a phone number or
 * email (through the blind index of searchable fields of that type, like search), and show a subject
 * their own records with every field masked. Callers audit in the same transaction.
 */
import type { Tx } from '../db/connection.js';
import { TYPE_INFO, maskValue, normaliseValue } from '../core/pi-types.js';
import type { KeyService } from '../crypto/keys-service.js';
import { fieldAad, unpackFields } from './sealed-record.js';
import type { FieldDef } from './vault-types.js';

export type ContactKind = 'mobile' | 'email';
export interface MaskedField { name: string; label_zh: string; label_en: string; type: string; sensitive: boolean; value: string }
export interface MaskedCollection { name: string; title: string | null; records: Array<{ id: string; updated_at: string; fields: MaskedField[] }> }

/** The canonical form of a phone number or email, or null when it is not one. */
export function normaliseContact(kind: ContactKind, value: string): string | null {
  const n = normaliseValue(kind, value);
  return n.ok ? n.value : null;
}

export function createSubjectLookup(deps: { keys: KeyService }) {
  const { keys } = deps;
  return {
    normaliseContact,

    /** Live (not erased) subjects holding this normalised contact in a searchable field of its type; at most `limit`. */
    async subjectsByContact(tx: Tx, tenantId: string, kind: ContactKind, normalised: string, limit = 2): Promise<string[]> {
      const cols = await tx.selectFrom('collections').select(['id', 'fields']).where('tenant_id', '=', tenantId).execute();
      const ring = await keys.keyring(tx, tenantId);
      const hashes: Buffer[] = [];
      for (const c of cols) for (const f of c.fields as FieldDef[]) if (f.searchable && f.type === kind) hashes.push(ring.blindIndex(c.id, f.name, normalised));
      if (!hashes.length) return [];
      const rows = await tx.selectFrom('blind_index as b')
        .innerJoin('records as r', (j) => j.onRef('r.tenant_id', '=', 'b.tenant_id').onRef('r.id', '=', 'b.record_id'))
        .innerJoin('subjects as s', (j) => j.onRef('s.tenant_id', '=', 'r.tenant_id').onRef('s.id', '=', 'r.subject_id'))
        .select('r.subject_id').distinct()
        .where('b.tenant_id', '=', tenantId).where('b.hash', 'in', hashes).where('s.wrapped_key', 'is not', null)
        .limit(limit).execute();
      return rows.map((r) => r.subject_id);
    },

    /** A keyed hash of a contact or client address (rate limits without keeping the value). */
    async keyedHash(tx: Tx, tenantId: string, label: string, value: string): Promise<Buffer> {
      return (await keys.keyring(tx, tenantId)).blindIndex('portal', label, value);
    },

    /** Every record of the subject, every field masked, with labels in zh-CN and en. */
    async maskedRecords(tx: Tx, tenantId: string, subjectId: string): Promise<{ collections: MaskedCollection[]; records: number; fields: string[] }> {
      const s = await tx.selectFrom('subjects').select(['wrapped_key', 'kek_version']).where('tenant_id', '=', tenantId).where('id', '=', subjectId).executeTakeFirst();
      if (!s?.wrapped_key) return { collections: [], records: 0, fields: [] };
      const rows = await tx.selectFrom('records as r').innerJoin('collections as c', (j) => j.onRef('c.tenant_id', '=', 'r.tenant_id').onRef('c.id', '=', 'r.collection_id'))
        .select(['r.id', 'r.collection_id', 'r.sealed', 'r.updated_at', 'c.name', 'c.title', 'c.fields'])
        .where('r.tenant_id', '=', tenantId).where('r.subject_id', '=', subjectId).orderBy('c.name').orderBy('r.created_at').execute();
      const ring = await keys.keyring(tx, tenantId, s.kek_version as number);
      const key = ring.subjectKey(subjectId, s.wrapped_key, s.kek_version as number);
      const by = new Map<string, MaskedCollection>();
      const seen = new Set<string>();
      for (const r of rows) {
        const sealed = unpackFields(r.sealed);
        const fields: MaskedField[] = [];
        for (const def of r.fields as FieldDef[]) {
          const b = sealed.get(def.name);
          if (!b) continue;
          const v = ring.suite.open(key, b, fieldAad(tenantId, r.collection_id, r.id, subjectId, def.name)).toString('utf8');
          const info = TYPE_INFO[def.type];
          fields.push({ name: def.name, label_zh: def.title ?? info.zh, label_en: info.en, type: def.type, sensitive: def.sensitive, value: maskValue(def.type, v) });
          seen.add(`${r.name}.${def.name}`);
        }
        let c = by.get(r.name);
        if (!c) { c = { name: r.name, title: r.title, records: [] }; by.set(r.name, c); }
        c.records.push({ id: r.id, updated_at: new Date(r.updated_at).toISOString(), fields });
      }
      return { collections: [...by.values()], records: rows.length, fields: [...seen] };
    },
  };
}
export type SubjectLookup = ReturnType<typeof createSubjectLookup>;
