/**
 * Records: write (one or a batch, all or nothing), read and search with a declared purpose, update,
 * erase by crypto-shredding. Each call checks access, then runs one transaction holding the data
 * change and its audit event; a refusal is audited in its own transaction and then thrown.
 */
import { sql } from 'kysely';
import { autocommit, prepared, type Db, type Tx } from '../db/connection.js';
import { byteaColumnPacked } from '../db/bytea-column.js';
import { AppError, forbidden, gone, invalidField, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { birthDateFromCnId, maskValue, normaliseValue, reasonText } from '../core/pi-types.js';
import type { Actor, AuditInput, AuditService } from '../audit/index.js';
import { BASIS_WARNINGS, basisRefusal, type AccessService, type PiAction, type Refusal as BasisRefusal } from '../access/index.js';
import type { KeyService } from '../crypto/keys-service.js';
import type { TenantKeyring } from '../crypto/keyring.js';
import type { CollectionStore } from './collections.js';
import { fieldAad, packFields, unpackFields } from './sealed-record.js';
import { sealChunk, type SealedChunk, type SealJob } from './seal-chunk.js';
import type { SealPool } from './seal-pool.js';
import type { Collection, ConsentRecorder, FieldDef, ReadInput, RecordInput, RecordView, SearchInput } from './vault-types.js';

export interface RecordsDeps {
  db: Db;
  keys: KeyService;
  access: AccessService;
  audit: Pick<AuditService, 'record' | 'insertFrom' | 'appended'>;
  collections: CollectionStore;
  maxBatchRecords: number;
  /** Records the consents a write carries (issue 4); a write with consents is refused when absent. */
  recordConsent?: ConsentRecorder;
  /** Worker threads that seal large batch writes (ADR 0018); without it every write seals in-process. */
  sealPool?: SealPool | null;
}

interface Normalised { subjectId?: string; values: Record<string, string>; consents?: unknown[] }

/**
 * Records sealed and inserted per statement inside one write; encryption of the next chunk overlaps the insert of
 * the one before. A batch is cut into at least four chunks when it has 1,000 records or more (none overlaps in a single
 * chunk: HTTP batches of 1,000 went from about 6,800 to 8,300 records/s with chunks of 250), at most 1,000 records each.
 */
const WRITE_CHUNK_MIN = 250;
const WRITE_CHUNK_MAX = 1000;
const writeChunk = (n: number) => Math.min(WRITE_CHUNK_MAX, Math.max(WRITE_CHUNK_MIN, Math.ceil(n / 4)));

/** Records validated and normalised between two turns of the event loop in a large write (about 2–4 ms of work). */
const NORMALISE_SLICE = 250;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

class Refusal { constructor(readonly error: AppError) {} }

function present(f: FieldDef, v: string): string | number | boolean {
  if (f.type === 'number') return Number(v);
  if (f.type === 'boolean') return v === 'true';
  return v;
}

/** The latest birth date a record states (resident ID number or birth-date field): the youngest reading wins. */
function birthDateOf(c: Collection, values: Record<string, string>): string | null {
  let out: string | null = null;
  for (const f of c.fields) {
    const v = values[f.name];
    if (v === undefined) continue;
    const d = f.type === 'cn_id' ? birthDateFromCnId(v) : f.type === 'birth_date' ? v : null;
    if (d && (!out || d > out)) out = d;
  }
  return out;
}

export function createRecordsService(deps: RecordsDeps) {
  const { db, keys, access, audit, collections } = deps;

  /** Run the work; a Refusal returned from it commits (its audit event) and is then thrown. */
  async function run<T>(fn: (tx: Tx) => Promise<T | Refusal>): Promise<T> {
    const out = await db.transaction(fn);
    if (out instanceof Refusal) throw out.error;
    return out;
  }

  function refusalError(d: BasisRefusal) {
    return forbidden(`access.${d.rule}`, `拒绝访问：${d.zh}`, `Access refused: ${d.en}`, [{ rule: d.rule }]);
  }

  async function refuse(tx: Tx, actor: Actor, action: string, d: { rule: string; zh: string; en: string; fields?: string[] }, ctx: { purpose?: string | null; collection: string; recordId?: string; subjectId?: string; fields?: string[] }) {
    await audit.record(tx, actor, [{ action, decision: 'deny', reason: d.rule, purpose: ctx.purpose ?? null, collection: ctx.collection, recordId: ctx.recordId ?? null, subjectId: ctx.subjectId ?? null, fields: ctx.fields ?? null }]);
    return new Refusal(forbidden(`access.${d.rule}`, `拒绝访问：${d.zh}`, `Access refused: ${d.en}`, [{ rule: d.rule, ...(d.fields ? { fields: d.fields } : {}) }]));
  }

  function normaliseRecord(c: Collection, r: RecordInput, path: string): Normalised {
    if (!r || typeof r !== 'object' || !r.fields || typeof r.fields !== 'object' || Array.isArray(r.fields)) throw invalidField(`${path}fields`, '必须是对象', 'must be an object');
    const values: Record<string, string> = {};
    const names = Object.keys(r.fields);
    if (names.length === 0) throw invalidField(`${path}fields`, '不能为空', 'must name at least one field');
    for (const name of names) {
      const f = collections.field(c, name, `${path}fields.${name}`);
      const v = (r.fields as Record<string, unknown>)[name];
      if (v === null || v === undefined) continue;
      const n = normaliseValue(f.type, v);
      if (!n.ok) { const t = reasonText(n.reason); throw invalidField(`${path}fields.${name}`, t.zh, t.en); }
      values[name] = n.value;
    }
    return { subjectId: r.subject_id, values, consents: r.consents };
  }

  function openRecord(ring: TenantKeyring, c: Collection, row: { id: string; subject_id: string; sealed: Buffer; wrapped_key: Buffer | null; kek_version: number | null }, fields: Array<{ field: string; view: 'plain' | 'masked' }>): RecordView {
    const key = ring.subjectKey(row.subject_id, row.wrapped_key as Buffer, row.kek_version as number);
    const sealed = unpackFields(row.sealed);
    const out: Record<string, string | number | boolean> = {};
    for (const { field, view } of fields) {
      const s = sealed.get(field);
      if (!s) continue;
      const def = c.fields.find((f) => f.name === field) as FieldDef;
      const v = ring.suite.open(key, s, fieldAad(ring.tenantId, c.id, row.id, row.subject_id, field)).toString('utf8');
      out[field] = view === 'plain' ? present(def, v) : maskValue(def.type, v);
    }
    return { id: row.id, subject_id: row.subject_id, fields: out };
  }

  async function loadRows(tx: Tx, tenantId: string, collectionId: string, ids: string[]) {
    if (ids.length === 0) return [];
    return tx.selectFrom('records as r').innerJoin('subjects as s', (j) => j.onRef('s.tenant_id', '=', 'r.tenant_id').onRef('s.id', '=', 'r.subject_id'))
      .select(['r.id', 'r.collection_id', 'r.subject_id', 'r.sealed', 's.wrapped_key', 's.kek_version'])
      .where('r.tenant_id', '=', tenantId).where('r.id', 'in', ids).execute()
      // The collection is checked here, not in SQL: with the primary key alone the planner never picks the
      // collection index (which it did on fresh statistics after a bulk import, reading every row).
      .then((rows) => rows.filter((r) => r.collection_id === collectionId));
  }

  /** Fields to return: those asked for (each must exist), else every field the caller may see. */
  async function fieldsFor(tx: Tx, actor: Actor, c: Collection, action: PiAction, purpose: string, asked?: string[]) {
    if (asked && asked.length) {
      asked.forEach((f) => collections.field(c, f, `fields.${f}`));
      return [...new Set(asked)];
    }
    const visible = await access.visibleFields(tx, actor, { action, collection: c.name, purpose, all: c.fields.map((f) => f.name) });
    return visible.length ? visible : c.fields.map((f) => f.name);
  }

  return {
    /** Write records all or nothing; returns ids and subject ids in input order. */
    async write(actor: Actor, collection: string, records: RecordInput[], batch: boolean) {
      if (records.length > deps.maxBatchRecords) throw invalidField('records', `超过单批上限 ${deps.maxBatchRecords}`, `holds more than ${deps.maxBatchRecords} records`);
      if (records.length === 0) throw invalidField('records', '不能为空', 'must hold at least one record');
      return run(async (tx) => {
        const c = await collections.get(tx, actor.tenantId, collection);
        const norm: Normalised[] = [];
        for (let i = 0; i < records.length; i++) {
          // A large batch gives the event loop back between slices of its validation, as it does while its chunks are
          // sealed in the pool: other requests do not wait for a whole batch (ADR 0018).
          if (i > 0 && i % NORMALISE_SLICE === 0) await yieldToLoop();
          norm.push(normaliseRecord(c, records[i], batch ? `records[${i}].` : ''));
        }
        const fieldNames = [...new Set(norm.flatMap((n) => Object.keys(n.values)))];
        const searchable = new Set(c.fields.filter((f) => f.searchable).map((f) => f.name));
        const d = await access.decide(tx, actor, { action: 'write', collection: c.name, purpose: null, fields: fieldNames });
        if (!d.allowed) return refuse(tx, actor, 'record.write', d, { collection: c.name, fields: fieldNames });
        const ring = await keys.keyring(tx, actor.tenantId);
        // Existing subjects named by the caller must exist and not be erased.
        const named = [...new Set(norm.map((n) => n.subjectId).filter((s): s is string => Boolean(s)))];
        const existing = new Map<string, { wrapped: Buffer; kek: number }>();
        if (named.length) {
          const rows = await tx.selectFrom('subjects').select(['id', 'wrapped_key', 'kek_version']).where('tenant_id', '=', actor.tenantId).where('id', 'in', named).execute();
          for (const r of rows) if (r.wrapped_key) existing.set(r.id, { wrapped: r.wrapped_key, kek: r.kek_version as number });
          const i = norm.findIndex((n) => n.subjectId && !existing.has(n.subjectId));
          if (i >= 0) throw invalidField(batch ? `records[${i}].subject_id` : 'subject_id', '不存在或已被删除', 'does not exist or was erased');
        }
        const ids: string[] = [], subjects: string[] = [];
        let freshCount = 0;
        // Chunks are sealed ahead (in the seal pool's worker threads for a large write, else here one chunk ahead) and
        // inserted one statement each, so the database works on chunk k while chunk k+1 is sealed.
        const pool = deps.sealPool && norm.length >= deps.sealPool.minRecords ? deps.sealPool : null;
        const kek = ring.currentKek();
        const indexKeys = Object.fromEntries([...searchable].map((f) => [f, ring.fieldIndexKey(c.id, f)]));
        const jobs: Array<{ ids: string[]; subjects: string[]; work: SealJob | Promise<SealedChunk> }> = [];
        const chunk = writeChunk(norm.length);
        for (let from = 0; from < norm.length; from += chunk) {
          const part = norm.slice(from, from + chunk);
          const cIds = part.map(() => newId('rec'));
          const cSubjects = part.map((n) => n.subjectId ?? newId('sub'));
          const job: SealJob = {
            suite: ring.suite.id, tenantId: actor.tenantId, collectionId: c.id, kek, ids: cIds, subjects: cSubjects, indexKeys,
            keys: part.map((n) => (n.subjectId ? ring.subjectKey(n.subjectId, existing.get(n.subjectId)!.wrapped, existing.get(n.subjectId)!.kek) : null)),
            values: part.map((n) => n.values),
          };
          ids.push(...cIds); subjects.push(...cSubjects);
          if (pool) {
            const p = pool.seal(job);
            p.catch(() => { /* awaited below, in order */ });
            jobs.push({ ids: cIds, subjects: cSubjects, work: p });
          } else jobs.push({ ids: cIds, subjects: cSubjects, work: job });
        }
        let pending: Promise<unknown> = Promise.resolve();
        for (const j of jobs) {
          const r = j.work instanceof Promise ? await j.work : sealChunk(j.work);
          freshCount += r.fresh.length;
          await pending;
          const wrapped = byteaColumnPacked(r.wrapped.blob, r.wrapped.lengths), bodies = byteaColumnPacked(r.sealed.blob, r.sealed.lengths);
          const hashes = byteaColumnPacked(r.hashes.blob, r.hashes.lengths);
          pending = sql`with s as (
              insert into subjects (tenant_id, id, kek_version, wrapped_key)
              select ${actor.tenantId}, u.id, ${ring.kekVersion}, ${wrapped.cut('u.o', 'u.l')} from unnest(${r.fresh}::text[], ${wrapped.offsets}, ${wrapped.lengths}) as u(id, o, l)
            ), r as (
              insert into records (tenant_id, id, collection_id, subject_id, sealed)
              select ${actor.tenantId}, u.id, ${c.id}, u.s, ${bodies.cut('u.o', 'u.l')} from unnest(${j.ids}::text[], ${j.subjects}::text[], ${bodies.offsets}, ${bodies.lengths}) as u(id, s, o, l)
            )
            insert into blind_index (tenant_id, hash, field, record_id)
            select ${actor.tenantId}, ${hashes.cut('u.o', 'u.l')}, u.f, u.r from unnest(${hashes.offsets}, ${hashes.lengths}, ${r.hashField}::text[], ${r.hashRecord}::text[]) as u(o, l, f, r)`.execute(tx);
          pending.catch(() => { /* awaited below; avoids an unhandled rejection while the next chunk is sealed */ });
        }
        await pending;
        // Consents given at collection are recorded in this transaction: a refused consent refuses the write.
        if (norm.some((n) => n.consents?.length)) {
          if (!deps.recordConsent) throw invalidField('consents', '此服务器不支持随记录写入同意', 'cannot be recorded with a write on this server');
          for (let i = 0; i < norm.length; i++) {
            const cs = norm[i].consents ?? [];
            if (!cs.length) continue;
            const birthDate = birthDateOf(c, norm[i].values);
            for (let j = 0; j < cs.length; j++) await deps.recordConsent(tx, actor, subjects[i], cs[j], { path: `${batch ? `records[${i}].` : ''}consents[${j}].`, birthDate });
          }
        }
        await audit.record(tx, actor, [{
          action: 'record.write', decision: 'allow', collection: c.name, fields: fieldNames,
          ...(ids.length === 1 ? { recordId: ids[0], subjectId: subjects[0] } : {}), details: { records: ids.length, new_subjects: freshCount },
        }]);
        return { ids, subjects };
      });
    },

    /**
     * Read one record. The checks that need no data (grant, training) run first; then one statement reads
     * the record, evaluates the subject's legal basis and restriction, and inserts the audit event:
     * one round trip, one transaction.
     */
    async read(actor: Actor, input: ReadInput): Promise<RecordView> {
      const q = autocommit(db);
      const c = await collections.get(q, actor.tenantId, input.collection);
      const fields = await fieldsFor(q, actor, c, 'read', input.purpose, input.fields);
      const d = await access.decide(q, actor, { action: 'read', collection: c.name, purpose: input.purpose, fields });
      if (!d.allowed) {
        return run<RecordView>(async (tx) => {
          // Name the subject of a refused read too: the audit log must show whom an actor tried to see.
          const target = await tx.selectFrom('records').select('subject_id').where('tenant_id', '=', actor.tenantId).where('collection_id', '=', c.id).where('id', '=', input.id).executeTakeFirst();
          return refuse(tx, actor, 'record.read', d, { purpose: input.purpose, collection: c.name, recordId: input.id, subjectId: target?.subject_id, fields });
        });
      }
      const untrained = await access.trainingRefusal(q, actor, input.purpose);
      if (untrained) return run<RecordView>((tx) => refuse(tx, actor, 'record.read', untrained, { purpose: input.purpose, collection: c.name, recordId: input.id, fields }));
      const returned = JSON.stringify(d.fields.map((f) => f.field));
      const details = JSON.stringify({ masked: d.fields.filter((f) => f.view === 'masked').map((f) => f.field) });
      const refusal = await access.basisRefusalSql(q, actor.tenantId, input.purpose, sql.ref('r.subject_id'));
      const row = (await sql<{ id: string; collection_id: string; subject_id: string; kek_version: number | null; wrapped_key: Buffer | null; sealed: Buffer | null; refused: string | null }>`${sql.raw(prepared('record_read'))}
        with hit as (
          select r.id, r.collection_id, r.subject_id, s.kek_version, s.wrapped_key, r.sealed, ${refusal} as refused
          from records r join subjects s on s.tenant_id = r.tenant_id and s.id = r.subject_id
          where r.tenant_id = ${actor.tenantId} and r.id = ${input.id}
        ), ev as (${audit.insertFrom(actor, sql`
          select 'record.read'::text, case when refused is null or refused = 'reconsent_pending' then 'allow' else 'deny' end, ${input.purpose}::text, subject_id, ${c.name}::text, id,
            ${returned}::jsonb, case when refused <> 'reconsent_pending' then refused end,
            case when refused is null then ${details}::jsonb when refused = 'reconsent_pending' then ${details}::jsonb || jsonb_build_object('warning', refused) end
          from hit where collection_id = ${c.id} and wrapped_key is not null`)})
        select id, collection_id, subject_id, kek_version, wrapped_key, case when refused is null or refused = 'reconsent_pending' then sealed end as sealed, refused from hit`.execute(q)).rows[0];
      if (!row || row.collection_id !== c.id) throw notFound('vault.record_not_found', '记录不存在或已被删除', 'record not found or erased');
      if (!row.wrapped_key) throw gone('vault.subject_erased', '该个人的信息已被删除', 'the individual\'s data was erased');
      audit.appended(actor.tenantId);
      if (row.refused && !BASIS_WARNINGS.has(row.refused)) throw refusalError(basisRefusal(row.refused, input.purpose));
      const ring = await keys.keyring(q, actor.tenantId, row.kek_version as number);
      const view = openRecord(ring, c, row as { id: string; subject_id: string; sealed: Buffer; wrapped_key: Buffer; kek_version: number }, d.fields);
      if (row.refused) view.warnings = [row.refused];
      return view;
    },

    /**
     * Search by a searchable field's exact value. As for read, one statement finds the matches through the
     * blind index, evaluates each subject's legal basis and writes one audit event per match (or one for
     * no match). Only the page asked for (limit after offset, newest record first) is opened and audited; total counts
     * every match.
     */
    async search(actor: Actor, input: SearchInput): Promise<{ records: RecordView[]; total: number }> {
      const q = autocommit(db);
      const c = await collections.get(q, actor.tenantId, input.collection);
      const f = collections.field(c, input.field, 'field');
      if (!f.searchable) throw invalidField('field', '不可检索（定义集合时未标记 searchable）', 'is not searchable (mark it searchable in the collection)');
      const n = normaliseValue(f.type, input.value);
      if (!n.ok) { const t = reasonText(n.reason); throw invalidField('value', t.zh, t.en); }
      const fields = await fieldsFor(q, actor, c, 'search', input.purpose, input.fields);
      const d = await access.decide(q, actor, { action: 'search', collection: c.name, purpose: input.purpose, fields: [...new Set([f.name, ...fields])] });
      if (!d.allowed) return run<never>((tx) => refuse(tx, actor, 'record.search', d, { purpose: input.purpose, collection: c.name, fields: [f.name, ...fields] }));
      const untrained = await access.trainingRefusal(q, actor, input.purpose);
      if (untrained) return run<never>((tx) => refuse(tx, actor, 'record.search', untrained, { purpose: input.purpose, collection: c.name, fields: [f.name, ...fields] }));
      const ring = await keys.keyring(q, actor.tenantId);
      const outFields = d.fields.filter((x) => fields.includes(x.field));
      const returned = JSON.stringify(outFields.map((x) => x.field));
      const refusal = await access.basisRefusalSql(q, actor.tenantId, input.purpose, sql.ref('r.subject_id'));
      const hash = ring.blindIndex(c.id, f.name, n.value);
      const desc = input.order !== 'asc';
      const limit = Math.min(input.limit ?? 100, 1000), offset = input.offset ?? 0;
      const rows = (await sql<{ id: string; subject_id: string; kek_version: number; wrapped_key: Buffer; sealed: Buffer | null; refused: string | null }>`${sql.raw(prepared('record_search'))}
        with hit as (
          select r.id, r.subject_id, s.kek_version, s.wrapped_key, r.sealed, ${refusal} as refused
          from blind_index b
          join records r on r.tenant_id = b.tenant_id and r.id = b.record_id
          join subjects s on s.tenant_id = r.tenant_id and s.id = r.subject_id
          where b.tenant_id = ${actor.tenantId} and b.hash = ${hash} and s.wrapped_key is not null
          -- no collection filter: the index hash is keyed by collection and field, and a filter on
          -- records.collection_id tempts the planner into the collection index on fresh statistics
          order by case when ${desc} then r.created_at end desc, case when not ${desc} then r.created_at end asc, r.id
          limit ${limit} offset ${offset}
        ), ev as (${audit.insertFrom(actor, sql`
          select 'record.search'::text, case when refused is null or refused = 'reconsent_pending' then 'allow' else 'deny' end, ${input.purpose}::text, subject_id, ${c.name}::text, id,
            ${returned}::jsonb, case when refused <> 'reconsent_pending' then refused end,
            ${JSON.stringify({ by: f.name })}::jsonb || case when refused = 'reconsent_pending' then jsonb_build_object('warning', refused) else '{}'::jsonb end from hit
          union all
          select 'record.search'::text, 'allow', ${input.purpose}::text, null, ${c.name}::text, null, ${returned}::jsonb, null, ${JSON.stringify({ by: f.name, matches: 0 })}::jsonb
          where not exists (select 1 from hit)`)})
        select id, subject_id, kek_version, wrapped_key, case when refused is null or refused = 'reconsent_pending' then sealed end as sealed, refused from hit`.execute(q)).rows;
      audit.appended(actor.tenantId);
      // The total needs its own count only when this page is full, or empty past the first page: an exact search
      // usually finds one record, and then the page is the total (no second lookup on the hot path).
      let total = offset + rows.length;
      if (rows.length === limit || (rows.length === 0 && offset > 0)) {
        total = Number((await sql<{ n: number }>`select count(*)::int as n from blind_index b
          join records r on r.tenant_id = b.tenant_id and r.id = b.record_id join subjects s on s.tenant_id = r.tenant_id and s.id = r.subject_id
          where b.tenant_id = ${actor.tenantId} and b.hash = ${hash} and s.wrapped_key is not null`.execute(q)).rows[0].n);
      }
      const views = [] as RecordView[];
      for (const r of rows) {
        if (r.refused && !BASIS_WARNINGS.has(r.refused)) continue;
        const v = openRecord(await keys.keyring(q, actor.tenantId, r.kek_version), c, r as typeof r & { sealed: Buffer }, outFields);
        if (r.refused) v.warnings = [r.refused];
        views.push(v);
      }
      return { records: views, total };
    },

    async update(actor: Actor, collection: string, id: string, fieldsIn: Record<string, unknown>) {
      return run(async (tx) => {
        const c = await collections.get(tx, actor.tenantId, collection);
        const n = normaliseRecord(c, { fields: fieldsIn }, '');
        const names = Object.keys(fieldsIn);
        const d = await access.decide(tx, actor, { action: 'update', collection: c.name, purpose: null, fields: names });
        if (!d.allowed) return refuse(tx, actor, 'record.update', d, { collection: c.name, recordId: id, fields: names });
        const [row] = await loadRows(tx, actor.tenantId, c.id, [id]);
        if (!row || !row.wrapped_key) throw notFound('vault.record_not_found', '记录不存在或已被删除', 'record not found or erased');
        const ring = await keys.keyring(tx, actor.tenantId, row.kek_version as number);
        const key = ring.subjectKey(row.subject_id, row.wrapped_key, row.kek_version as number);
        const sealed = unpackFields(row.sealed);
        for (const name of names) sealed.delete(name);
        for (const [f, v] of Object.entries(n.values)) sealed.set(f, ring.suite.seal(key, Buffer.from(v, 'utf8'), fieldAad(actor.tenantId, c.id, id, row.subject_id, f)));
        await tx.updateTable('records').set({ sealed: packFields([...sealed.entries()]), updated_at: new Date() }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        const searchable = names.filter((f) => c.fields.find((x) => x.name === f)?.searchable);
        if (searchable.length) {
          await tx.deleteFrom('blind_index').where('tenant_id', '=', actor.tenantId).where('record_id', '=', id).where('field', 'in', searchable).execute();
          const fresh = searchable.filter((f) => n.values[f] !== undefined).map((f) => ({ tenant_id: actor.tenantId, hash: ring.blindIndex(c.id, f, n.values[f]), field: f, record_id: id }));
          if (fresh.length) await tx.insertInto('blind_index').values(fresh).execute();
        }
        await audit.record(tx, actor, [{ action: 'record.update', decision: 'allow', collection: c.name, recordId: id, subjectId: row.subject_id, fields: names }]);
        return { id, subject_id: row.subject_id };
      });
    },

    /** Erase a record; when it was the subject's last, the subject's data key is destroyed (crypto-shredding). */
    async erase(actor: Actor, collection: string, id: string, reason?: string) {
      return run(async (tx) => {
        const c = await collections.get(tx, actor.tenantId, collection);
        const d = await access.decide(tx, actor, { action: 'erase', collection: c.name, purpose: null, fields: c.fields.map((f) => f.name) });
        if (!d.allowed) return refuse(tx, actor, 'record.erase', d, { collection: c.name, recordId: id });
        const row = await tx.selectFrom('records').select(['subject_id']).where('tenant_id', '=', actor.tenantId).where('collection_id', '=', c.id).where('id', '=', id).executeTakeFirst();
        if (!row) throw notFound('vault.record_not_found', '记录不存在或已被删除', 'record not found or erased');
        await tx.deleteFrom('blind_index').where('tenant_id', '=', actor.tenantId).where('record_id', '=', id).execute();
        await tx.deleteFrom('records').where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await tx.insertInto('erasure_ledger').values({ tenant_id: actor.tenantId, kind: 'record', target_id: id, reason: reason ?? null }).execute();
        const others = await tx.selectFrom('records').select('id').where('tenant_id', '=', actor.tenantId).where('subject_id', '=', row.subject_id).limit(1).execute();
        let shredded = false;
        if (others.length === 0) {
          await shredSubject(tx, actor.tenantId, row.subject_id, reason);
          shredded = true;
        }
        await audit.record(tx, actor, [{ action: 'record.erase', decision: 'allow', collection: c.name, recordId: id, subjectId: row.subject_id, details: { subject_key_destroyed: shredded } }]);
        return { id, subject_id: row.subject_id, subject_key_destroyed: shredded };
      });
    },

    /** Erase everything held about a subject: records, index entries, and the data key itself. */
    async eraseSubject(actor: Actor, subjectId: string, reason?: string) {
      return run(async (tx) => {
        const d = await access.decide(tx, actor, { action: 'erase', collection: '*', purpose: null, fields: [] });
        if (!d.allowed) return refuse(tx, actor, 'subject.erase', d, { collection: '*', subjectId });
        const s = await tx.selectFrom('subjects').select(['id', 'erased_at']).where('tenant_id', '=', actor.tenantId).where('id', '=', subjectId).executeTakeFirst();
        if (!s) throw notFound('vault.subject_not_found', '个人不存在', 'subject not found');
        if (s.erased_at) throw gone('vault.subject_erased', '该个人的信息已被删除', 'the individual\'s data was already erased');
        const recs = await tx.selectFrom('records').select('id').where('tenant_id', '=', actor.tenantId).where('subject_id', '=', subjectId).execute();
        if (recs.length) {
          await tx.deleteFrom('blind_index').where('tenant_id', '=', actor.tenantId).where('record_id', 'in', recs.map((r) => r.id)).execute();
          await tx.deleteFrom('records').where('tenant_id', '=', actor.tenantId).where('subject_id', '=', subjectId).execute();
        }
        await shredSubject(tx, actor.tenantId, subjectId, reason);
        await audit.record(tx, actor, [{ action: 'subject.erase', decision: 'allow', subjectId, details: { records: recs.length } }]);
        return { subject_id: subjectId, records_erased: recs.length, subject_key_destroyed: true };
      });
    },
  };

  async function shredSubject(tx: Tx, tenantId: string, subjectId: string, reason?: string) {
    await tx.updateTable('subjects').set({ wrapped_key: null, kek_version: null, erased_at: new Date() }).where('tenant_id', '=', tenantId).where('id', '=', subjectId).execute();
    await tx.insertInto('erasure_ledger').values({ tenant_id: tenantId, kind: 'subject', target_id: subjectId, reason: reason ?? null }).execute();
    (await keys.keyring(tx, tenantId)).forgetSubject(subjectId);
  }
}
export type RecordsService = ReturnType<typeof createRecordsService>;
