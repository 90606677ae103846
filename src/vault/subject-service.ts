/**
 * Whole-subject operations of the vault: erase many subjects or records at once (set-based, in
 * batches, each batch one transaction with its ledger rows and audit events) and export everything
 * held about one subject, decrypted (for access, copy and portability requests). Same checks as the
 * single-record calls in records-service.ts: the actor needs the `erase` / `export` grant on `*`.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/connection.js';
import { byteaColumn } from '../db/bytea-column.js';
import { forbidden, gone, notFound } from '../core/errors.js';
import { TYPE_INFO, birthDateFromCnId } from '../core/pi-types.js';
import type { Actor, AuditInput, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import type { KeyService } from '../crypto/keys-service.js';
import type { TenantKeyring } from '../crypto/keyring.js';
import type { CollectionStore } from './collections.js';
import { fieldAad, packFields, unpackFields } from './sealed-record.js';
import type { FieldDef } from './vault-types.js';

export interface SubjectServiceDeps { db: Db; keys: KeyService; access: AccessService; audit: Pick<AuditService, 'record'>; collections: CollectionStore }

export interface ExportedField { name: string; label_zh: string; label_en: string; type: string; category: string; sensitive: boolean; value: string | number | boolean }
export interface ExportedRecord { id: string; created_at: string; updated_at: string; fields: ExportedField[] }
export interface SubjectExport { subject_id: string; created_at: string; collections: Array<{ name: string; title: string | null; records: ExportedRecord[] }> }

const BATCH = 2000;

export function createSubjectService(deps: SubjectServiceDeps) {
  const { db, keys, access, audit } = deps;

  /** Refusals are audited in their own transaction, then thrown. */
  async function requireGrant(actor: Actor, action: 'erase' | 'export', auditAction: string, subjectId?: string) {
    const d = await db.transaction(async (tx) => {
      const d = await access.decide(tx, actor, { action, collection: '*', purpose: null, fields: [] });
      if (!d.allowed) await audit.record(tx, actor, [{ action: auditAction, decision: 'deny', reason: d.rule, collection: '*', subjectId: subjectId ?? null }]);
      return d;
    });
    if (!d.allowed) throw forbidden(`access.${d.rule}`, `拒绝访问：${d.zh}`, `Access refused: ${d.en}`, [{ rule: d.rule }]);
  }

  async function shred(tx: Tx, tenantId: string, subjectIds: string[], reason: string | null): Promise<string[]> {
    if (subjectIds.length === 0) return [];
    const done = await sql<{ id: string }>`update subjects set wrapped_key = null, kek_version = null, erased_at = now()
      where tenant_id = ${tenantId} and id = any(${subjectIds}::text[]) and erased_at is null returning id`.execute(tx);
    const ids = done.rows.map((r) => r.id);
    if (ids.length) {
      await sql`insert into erasure_ledger (tenant_id, kind, target_id, reason)
        select ${tenantId}, 'subject', u.id, ${reason} from unnest(${ids}::text[]) as u(id)`.execute(tx);
      const ring = await keys.keyring(tx, tenantId);
      for (const id of ids) ring.forgetSubject(id);
    }
    return ids;
  }

  return {
    /** Crypto-shred many subjects: records and blind-index rows deleted, data keys destroyed, ledger written. */
    async eraseSubjects(actor: Actor, subjectIds: string[], reason?: string) {
      await requireGrant(actor, 'erase', 'subject.erase');
      const unique = [...new Set(subjectIds)];
      let erased = 0, records = 0;
      const skipped: string[] = [];
      for (let i = 0; i < unique.length; i += BATCH) {
        const batch = unique.slice(i, i + BATCH);
        await db.transaction(async (tx) => {
          const t = actor.tenantId;
          await sql`delete from blind_index b using records r where r.tenant_id = ${t} and r.subject_id = any(${batch}::text[]) and b.tenant_id = ${t} and b.record_id = r.id`.execute(tx);
          const del = await sql<{ subject_id: string }>`delete from records where tenant_id = ${t} and subject_id = any(${batch}::text[]) returning subject_id`.execute(tx);
          const perSubject = new Map<string, number>();
          for (const r of del.rows) perSubject.set(r.subject_id, (perSubject.get(r.subject_id) ?? 0) + 1);
          const ids = await shred(tx, t, batch, reason ?? null);
          const got = new Set(ids);
          for (const s of batch) if (!got.has(s)) skipped.push(s);
          await audit.record(tx, actor, ids.map((s): AuditInput => ({ action: 'subject.erase', decision: 'allow', subjectId: s, reason: reason ?? null, details: { records: perSubject.get(s) ?? 0 } })));
          erased += ids.length;
          records += del.rows.length;
        });
      }
      return { subjects_erased: erased, records_erased: records, skipped };
    },

    /** Erase records of one collection; subjects left without records lose their data key. */
    async eraseRecords(actor: Actor, collection: string, recordIds: string[], reason?: string) {
      await requireGrant(actor, 'erase', 'record.erase');
      let erased = 0, shredded = 0;
      for (let i = 0; i < recordIds.length; i += BATCH) {
        const batch = recordIds.slice(i, i + BATCH);
        await db.transaction(async (tx) => {
          const t = actor.tenantId;
          const c = await deps.collections.get(tx, t, collection);
          await sql`delete from blind_index where tenant_id = ${t} and record_id = any(${batch}::text[])`.execute(tx);
          const del = await sql<{ id: string; subject_id: string }>`delete from records where tenant_id = ${t} and collection_id = ${c.id} and id = any(${batch}::text[]) returning id, subject_id`.execute(tx);
          if (del.rows.length === 0) return;
          const ids = del.rows.map((r) => r.id);
          await sql`insert into erasure_ledger (tenant_id, kind, target_id, reason) select ${t}, 'record', u.id, ${reason ?? null} from unnest(${ids}::text[]) as u(id)`.execute(tx);
          const subjects = [...new Set(del.rows.map((r) => r.subject_id))];
          const empty = await sql<{ id: string }>`select u.id from unnest(${subjects}::text[]) as u(id)
            where not exists (select 1 from records r where r.tenant_id = ${t} and r.subject_id = u.id)`.execute(tx);
          const gone = new Set(await shred(tx, t, empty.rows.map((r) => r.id), reason ?? null));
          await audit.record(tx, actor, del.rows.map((r): AuditInput => ({ action: 'record.erase', decision: 'allow', collection: c.name, recordId: r.id, subjectId: r.subject_id, reason: reason ?? null, details: { subject_key_destroyed: gone.has(r.subject_id) } })));
          erased += del.rows.length;
          shredded += gone.size;
        });
      }
      return { records_erased: erased, subjects_shredded: shredded };
    },

    /** Remove some fields from records (retention of single fields); records without them are left alone. */
    async eraseFields(actor: Actor, collection: string, recordIds: string[], fields: string[], reason?: string) {
      await requireGrant(actor, 'erase', 'record.erase_fields');
      let changed = 0;
      for (let i = 0; i < recordIds.length; i += BATCH) {
        const batch = recordIds.slice(i, i + BATCH);
        await db.transaction(async (tx) => {
          const t = actor.tenantId;
          const c = await deps.collections.get(tx, t, collection);
          const rows = await tx.selectFrom('records').select(['id', 'subject_id', 'sealed']).where('tenant_id', '=', t).where('collection_id', '=', c.id).where('id', 'in', batch).forUpdate().execute();
          const ids: string[] = [], packed: Buffer[] = [], events: AuditInput[] = [];
          for (const r of rows) {
            const sealed = unpackFields(r.sealed);
            const hit = fields.filter((f) => sealed.delete(f));
            if (!hit.length) continue;
            ids.push(r.id); packed.push(packFields([...sealed.entries()]));
            events.push({ action: 'record.erase_fields', decision: 'allow', collection: c.name, recordId: r.id, subjectId: r.subject_id, fields: hit, reason: reason ?? null });
          }
          if (!ids.length) return;
          const b = byteaColumn(packed);
          await sql`update records r set sealed = ${b.cut('u.o', 'u.l')}, updated_at = now() from unnest(${ids}::text[], ${b.offsets}, ${b.lengths}) as u(id, o, l) where r.tenant_id = ${t} and r.id = u.id`.execute(tx);
          await sql`delete from blind_index where tenant_id = ${t} and record_id = any(${ids}::text[]) and field = any(${fields}::text[])`.execute(tx);
          await audit.record(tx, actor, events);
          changed += ids.length;
        });
      }
      return { records_changed: changed };
    },

    /**
     * The birth date held for a subject (from a resident ID number or a birth-date field; the latest date
     * when they differ), for the age check of consent (PIPL Art. 31). Opens only those fields; no audit
     * event of its own: the caller's consent event records that the age was checked.
     */
    async birthDateOf(tx: Tx, tenantId: string, subjectId: string): Promise<string | null> {
      const s = await tx.selectFrom('subjects').select(['wrapped_key', 'kek_version']).where('tenant_id', '=', tenantId).where('id', '=', subjectId).executeTakeFirst();
      if (!s?.wrapped_key) return null;
      const rows = await tx.selectFrom('records as r').innerJoin('collections as c', (j) => j.onRef('c.tenant_id', '=', 'r.tenant_id').onRef('c.id', '=', 'r.collection_id'))
        .select(['r.id', 'r.collection_id', 'r.sealed', 'c.fields']).where('r.tenant_id', '=', tenantId).where('r.subject_id', '=', subjectId).execute();
      let out: string | null = null;
      let key: ReturnType<TenantKeyring["subjectKey"]> | null = null;
      for (const r of rows) {
        const defs = (r.fields as FieldDef[]).filter((d) => d.type === 'cn_id' || d.type === 'birth_date');
        if (!defs.length) continue;
        const sealed = unpackFields(r.sealed);
        for (const d of defs) {
          const b = sealed.get(d.name);
          if (!b) continue;
          const ring = await keys.keyring(tx, tenantId, s.kek_version as number);
          key ??= ring.subjectKey(subjectId, s.wrapped_key, s.kek_version as number);
          const v = ring.suite.open(key, b, fieldAad(tenantId, r.collection_id, r.id, subjectId, d.name)).toString('utf8');
          const date = d.type === 'cn_id' ? birthDateFromCnId(v) : v;
          if (!out || date > out) out = date;
        }
      }
      return out;
    },

    /** Everything held about a subject across collections, decrypted, with field names in zh-CN and en. */
    async exportSubject(actor: Actor, subjectId: string, context: Record<string, unknown> = {}): Promise<SubjectExport> {
      await requireGrant(actor, 'export', 'subject.export', subjectId);
      return db.transaction(async (tx) => {
        const t = actor.tenantId;
        const s = await tx.selectFrom('subjects').select(['wrapped_key', 'kek_version', 'created_at', 'erased_at']).where('tenant_id', '=', t).where('id', '=', subjectId).executeTakeFirst();
        if (!s) throw notFound('vault.subject_not_found', '个人不存在', 'subject not found');
        if (!s.wrapped_key || s.erased_at) throw gone('vault.subject_erased', '该个人的信息已被删除', 'the individual\'s data was erased');
        const rows = await tx.selectFrom('records as r').innerJoin('collections as c', (j) => j.onRef('c.tenant_id', '=', 'r.tenant_id').onRef('c.id', '=', 'r.collection_id'))
          .select(['r.id', 'r.collection_id', 'r.sealed', 'r.created_at', 'r.updated_at', 'c.name', 'c.title', 'c.fields'])
          .where('r.tenant_id', '=', t).where('r.subject_id', '=', subjectId).orderBy('c.name').orderBy('r.created_at').execute();
        const ring = await keys.keyring(tx, t, s.kek_version as number);
        const key = ring.subjectKey(subjectId, s.wrapped_key, s.kek_version as number);
        const byCollection = new Map<string, { name: string; title: string | null; records: ExportedRecord[] }>();
        for (const r of rows) {
          const defs = r.fields as FieldDef[];
          const sealed = unpackFields(r.sealed);
          const fields: ExportedField[] = [];
          for (const def of defs) {
            const b = sealed.get(def.name);
            if (!b) continue;
            const v = ring.suite.open(key, b, fieldAad(t, r.collection_id, r.id, subjectId, def.name)).toString('utf8');
            const info = TYPE_INFO[def.type];
            fields.push({
              name: def.name, label_zh: def.title ?? info.zh, label_en: info.en, type: def.type, category: def.category, sensitive: def.sensitive,
              value: def.type === 'number' ? Number(v) : def.type === 'boolean' ? v === 'true' : v,
            });
          }
          let c = byCollection.get(r.name);
          if (!c) { c = { name: r.name, title: r.title, records: [] }; byCollection.set(r.name, c); }
          c.records.push({ id: r.id, created_at: new Date(r.created_at).toISOString(), updated_at: new Date(r.updated_at).toISOString(), fields });
        }
        await audit.record(tx, actor, [{ action: 'subject.export', decision: 'allow', subjectId, collection: '*', details: { records: rows.length, ...context } }]);
        return { subject_id: subjectId, created_at: new Date(s.created_at).toISOString(), collections: [...byCollection.values()] };
      });
    },
  };
}
export type SubjectService = ReturnType<typeof createSubjectService>;
