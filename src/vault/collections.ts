/** Collection definitions: fields with PI type, GB/T 35273 category and the sensitive flag (only ever raised). */
import { sql } from 'kysely';
import type { Tx } from '../db/connection.js';
import { containsPattern, countOf, pageOf, type PageQuery, type SortSpec } from '../db/paging.js';
import { AppError, conflict, invalidField, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { FIELD_TYPES, TYPE_INFO, isSensitive, type FieldType } from '../core/pi-types.js';
import type { Collection, CreateCollectionInput, FieldDef } from './vault-types.js';

const SEARCHABLE_TYPES = new Set<FieldType>(['mobile', 'landline', 'cn_id', 'email', 'bank_card', 'passport', 'uscc', 'ip', 'plate', 'birth_date', 'date', 'person_name', 'number', 'text', 'address', 'boolean']);

export const COLLECTION_SORT: SortSpec<'name' | 'title' | 'created_at' | 'updated_at'> = { columns: { name: 'name', title: 'title', created_at: 'created_at', updated_at: 'updated_at' }, sort: 'name', order: 'asc', tiebreak: ['id'] };
export interface CollectionListQuery extends PageQuery<keyof typeof COLLECTION_SORT.columns> { q?: string; sensitive?: boolean }

export function buildFields(input: CreateCollectionInput): FieldDef[] {
  const seen = new Set<string>();
  return input.fields.map((f, i) => {
    if (seen.has(f.name)) throw invalidField(`fields[${i}].name`, `重复：${f.name}`, `duplicates field ${f.name}`);
    seen.add(f.name);
    if (!FIELD_TYPES.includes(f.type)) throw invalidField(`fields[${i}].type`, '类型未知', `has unknown type ${String(f.type)}`);
    const category = f.category ?? TYPE_INFO[f.type].category;
    if (f.searchable && !SEARCHABLE_TYPES.has(f.type)) throw invalidField(`fields[${i}].searchable`, '该类型不可检索', `type ${f.type} cannot be searchable`);
    return {
      name: f.name, type: f.type, category, sensitive: isSensitive(f.type, category, f.sensitive), searchable: Boolean(f.searchable),
      ...(f.title ? { title: f.title } : {}), grade: f.grade ?? 'general',
    };
  });
}

export function createCollectionStore() {
  const cache = new Map<string, { at: number; c: Collection }>();
  return {
    async create(tx: Tx, tenantId: string, input: CreateCollectionInput): Promise<Collection> {
      const fields = buildFields(input);
      const exists = await tx.selectFrom('collections').select('id').where('tenant_id', '=', tenantId).where('name', '=', input.name).executeTakeFirst();
      if (exists) throw conflict('vault.collection_exists', `集合 ${input.name} 已存在`, `collection ${input.name} already exists`, [{ field: 'name', reason: 'already exists' }]);
      const c: Collection = { id: newId('col'), name: input.name, title: input.title ?? null, fields };
      await tx.insertInto('collections').values({ tenant_id: tenantId, id: c.id, name: c.name, title: c.title, fields: JSON.stringify(fields) }).execute();
      return c;
    },
    /** A page of the definitions, sorted and filtered in SQL (q: name or title contains; sensitive: holds a sensitive field or not). */
    async page(tx: Tx, tenantId: string, q: CollectionListQuery) {
      let s = tx.selectFrom('collections').select(['id', 'name', 'title', 'fields']).where('tenant_id', '=', tenantId);
      if (q.q) { const pat = containsPattern(q.q); s = s.where((eb) => eb.or([eb('name', 'ilike', pat), eb('title', 'ilike', pat)])); }
      if (q.sensitive !== undefined) {
        const holds = sql<boolean>`exists (select 1 from jsonb_array_elements(fields) f where (f->>'sensitive')::boolean)`;
        s = s.where(q.sensitive ? holds : sql<boolean>`not ${holds}`);
      }
      const rows = await pageOf(s, q, COLLECTION_SORT).execute();
      return { collections: rows.map((r) => ({ id: r.id, name: r.name, title: r.title, fields: r.fields as FieldDef[] })), total: await countOf(s) };
    },
    async list(tx: Tx, tenantId: string): Promise<Collection[]> {
      const rows = await tx.selectFrom('collections').select(['id', 'name', 'title', 'fields']).where('tenant_id', '=', tenantId).orderBy('name').execute();
      return rows.map((r) => ({ id: r.id, name: r.name, title: r.title, fields: r.fields as FieldDef[] }));
    },
    async get(tx: Tx, tenantId: string, name: string): Promise<Collection> {
      const key = `${tenantId}|${name}`;
      const hit = cache.get(key);
      if (hit && Date.now() - hit.at < 2000) return hit.c;
      const r = await tx.selectFrom('collections').select(['id', 'name', 'title', 'fields']).where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirst();
      if (!r) throw notFound('vault.collection_not_found', `集合 ${name} 不存在`, `collection ${name} does not exist`);
      const c = { id: r.id, name: r.name, title: r.title, fields: r.fields as FieldDef[] };
      cache.set(key, { at: Date.now(), c });
      return c;
    },
    field(c: Collection, name: string, path: string): FieldDef {
      const f = c.fields.find((x) => x.name === name);
      if (!f) throw new AppError(422, 'vault.field_unknown', `字段 ${path} 不在集合 ${c.name} 中`, `Field ${path} is not a field of collection ${c.name}`, [{ field: path, reason: 'unknown field' }]);
      return f;
    },
  };
}
export type CollectionStore = ReturnType<typeof createCollectionStore>;
