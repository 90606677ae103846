/**
 * Scope of an incident: the affected individuals, computed in the database from the audit log (every
 * subject whose fields the matching events disclosed) or from the vault (every subject with records
 * in the named collections), with counts by PI type, GB/T 35273 category and sensitive PI.
 * Each affected subject is one row of `incident_subjects` (ids and type names, no PI values).
 */
import { sql } from 'kysely';
import type { Tx } from '../db/connection.js';
import { invalidField } from '../core/errors.js';
import { CATEGORY_LABELS, TYPE_INFO, type Category, type FieldType } from '../core/pi-types.js';
import type { Collection } from '../vault/index.js';
import type { ScopeInput } from './incident-types.js';

/** Audit actions that disclose PI to the actor. */
export const DISCLOSING_ACTIONS = ['record.read', 'record.search', 'subject.export'];
const GENERIC: ReadonlySet<string> = new Set(['text', 'number', 'date', 'boolean']);

/** A subject's affected PI as `type:category` keys; a readable label for one key. */
export function piLabel(key: string, lang: 'zh' | 'en'): string {
  const [type, category] = key.split(':') as [FieldType, Category];
  if (GENERIC.has(type) && CATEGORY_LABELS[category]) return CATEGORY_LABELS[category][lang === 'zh' ? 'zh' : 'en'];
  return TYPE_INFO[type]?.[lang === 'zh' ? 'zh' : 'en'] ?? type;
}

export interface ScopeSummary {
  criteria: ScopeInput;
  affected: number;
  sensitive: number;
  by_type: Array<{ type: string; label_zh: string; label_en: string; subjects: number }>;
  by_category: Array<{ category: string; label_zh: string; label_en: string; sensitive: boolean; subjects: number }>;
  events_matched: number;
  computed_ms: number;
}

function mapping(cols: Collection[]) {
  const c: string[] = [], f: string[] = [], k: string[] = [], s: boolean[] = [];
  for (const col of cols) for (const fd of col.fields) { c.push(col.name); f.push(fd.name); k.push(`${fd.type}:${fd.category}`); s.push(fd.sensitive); }
  return { c, f, k, s };
}

/** Replace the incident's affected set with the one the criteria give; returns the summary. */
export async function computeScope(tx: Tx, tenantId: string, incidentId: string, input: ScopeInput, all: Collection[]): Promise<ScopeSummary> {
  const started = Date.now();
  const unknown = (input.collections ?? []).filter((n) => !all.some((c) => c.name === n));
  if (unknown.length) throw invalidField('collections', `集合不存在：${unknown.join(', ')}`, `unknown collections: ${unknown.join(', ')}`);
  const cols = input.collections?.length ? all.filter((c) => input.collections!.includes(c.name)) : all;
  const m = mapping(all);
  await tx.deleteFrom('incident_subjects').where('tenant_id', '=', tenantId).where('incident_id', '=', incidentId).execute();
  if (input.mode === 'collection' && !input.collections?.length) throw invalidField('collections', '按集合划定范围时必须列出集合', 'must name the collections when the scope is a whole collection');
  let window: { from: Date; to: Date } | null = null;
  if (input.mode === 'audit') {
    if (!input.from || !input.to) throw invalidField(input.from ? 'to' : 'from', '按审计日志划定范围时必须给出时间段', 'is required when the scope comes from the audit log');
    window = { from: new Date(input.from), to: new Date(input.to) };
    if (!(window.from < window.to)) throw invalidField('to', '必须晚于 from', 'must be after from');
  }
  const keys = [...new Set(m.k)];
  // Each PI key is one bit of a bigint (bit 62 marks a sensitive field), so a subject's PI is one bit_or;
  // a tenant with more distinct type:category keys than that uses the array form.
  const matched = keys.length <= 62
    ? await scopeByMask(tx, tenantId, incidentId, input, cols, m, keys, window)
    : await scopeByArrays(tx, tenantId, incidentId, input, cols, m, window);
  return { ...(await summarise(tx, tenantId, incidentId, m)), criteria: input, events_matched: matched, computed_ms: Date.now() - started };
}

type Mapping = ReturnType<typeof mapping>;
const SENSITIVE_BIT = 1n << 62n;

/** The audit events the criteria select (chained or still pending: every committed access counts), grouped by subject, collection and fields (materialised: the planner must not walk another index for the grouping). */
function auditEvents(tenantId: string, input: ScopeInput, w: { from: Date; to: Date }) {
  const actions = input.actions?.length ? input.actions : DISCLOSING_ACTIONS;
  const actors = input.actor_ids?.length ? input.actor_ids : null;
  const colNames = input.collections?.length ? [...input.collections, '*'] : null;
  return sql`select e.subject_id, coalesce(e.collection, '') as collection, coalesce(e.fields, 'null'::jsonb) as fields, count(*)::int as n
    from audit_events e
    where e.tenant_id = ${tenantId} and e.subject_id is not null and e.decision = 'allow'
      and e.at >= ${w.from} and e.at < ${w.to} and e.action = any(${actions}::text[])
      ${actors ? sql`and e.actor_id = any(${actors}::text[])` : sql``}
      ${colNames ? sql`and e.collection = any(${colNames}::text[])` : sql``}
    group by 1, 2, 3`;
}

async function scopeByMask(tx: Tx, tenantId: string, incidentId: string, input: ScopeInput, cols: Collection[], m: Mapping, keys: string[], w: { from: Date; to: Date } | null): Promise<number> {
  const bits = m.k.map((k, i) => String((1n << BigInt(keys.indexOf(k))) | (m.s[i] ? SENSITIVE_BIT : 0n)));
  const mrows = sql`select * from unnest(${m.c}::text[], ${m.f}::text[], ${bits}::text[]::bigint[]) as m(c, f, bit)`;
  const colNames = input.collections?.length ? [...input.collections] : null;
  const perSubject = input.mode === 'collection'
    ? sql`per as materialized (
        select r.subject_id, bit_or(cm.mask) as mask, count(*)::int as n
        from records r join collections c on c.tenant_id = r.tenant_id and c.id = r.collection_id
        join (select m.c, bit_or(m.bit) as mask from (${mrows}) m group by m.c) cm on cm.c = c.name
        where r.tenant_id = ${tenantId} and c.name = any(${cols.map((x) => x.name)}::text[])
        group by r.subject_id)`
    : sql`ev as materialized (${auditEvents(tenantId, input, w!)}),
      cm as (
        select c.collection, c.fields, coalesce(bit_or(m.bit), 0::bigint) as mask
        from (select distinct collection, fields from ev) c
        left join lateral jsonb_array_elements_text(case when jsonb_typeof(c.fields) = 'array' then c.fields else '[]'::jsonb end) as fl(name) on true
        left join (${mrows}) m on (c.collection = '*' ${colNames ? sql`and m.c = any(${colNames}::text[])` : sql``}) or (m.c = c.collection and m.f = fl.name)
        group by c.collection, c.fields),
      per as materialized (
        select ev.subject_id, bit_or(cm.mask) as mask, sum(ev.n)::int as n
        from ev join cm on cm.collection = ev.collection and cm.fields = ev.fields group by ev.subject_id)`;
  const r = await sql<{ n: number }>`with ${perSubject},
    mt as (
      select d.mask, array(select k from unnest(${keys}::text[]) with ordinality as u(k, i) where (d.mask >> (i::int - 1)) & 1 = 1) as types
      from (select distinct mask from per) d),
    ins as (
      insert into incident_subjects (tenant_id, incident_id, subject_id, types, sensitive, events)
      select ${tenantId}, ${incidentId}, per.subject_id, mt.types, (per.mask & ${String(SENSITIVE_BIT)}::bigint) <> 0, per.n from per join mt on mt.mask = per.mask
      returning events)
    select coalesce(sum(events), 0)::bigint as n from ins`.execute(tx);
  return Number(r.rows[0]?.n ?? 0);
}

async function scopeByArrays(tx: Tx, tenantId: string, incidentId: string, input: ScopeInput, cols: Collection[], m: Mapping, w: { from: Date; to: Date } | null): Promise<number> {
  const mrows = sql`select * from unnest(${m.c}::text[], ${m.f}::text[], ${m.k}::text[], ${m.s}::bool[]) as m(c, f, k, s)`;
  const colNames = input.collections?.length ? [...input.collections] : null;
  const per = input.mode === 'collection'
    ? sql`counts as (
        select r.subject_id, count(*)::int as n from records r join collections c on c.tenant_id = r.tenant_id and c.id = r.collection_id
        where r.tenant_id = ${tenantId} and c.name = any(${cols.map((x) => x.name)}::text[]) group by r.subject_id),
      per as materialized (
        select distinct r.subject_id, m.k, m.s from records r join collections c on c.tenant_id = r.tenant_id and c.id = r.collection_id
        join (${mrows}) m on m.c = c.name
        where r.tenant_id = ${tenantId} and c.name = any(${cols.map((x) => x.name)}::text[]))`
    : sql`ev as materialized (${auditEvents(tenantId, input, w!)}),
      counts as (select subject_id, sum(n)::int as n from ev group by subject_id),
      per as materialized (
        select distinct ev.subject_id, m.k, m.s from ev
        left join lateral jsonb_array_elements_text(case when jsonb_typeof(ev.fields) = 'array' then ev.fields else '[]'::jsonb end) as fl(name) on true
        left join (${mrows}) m on (ev.collection = '*' ${colNames ? sql`and m.c = any(${colNames}::text[])` : sql``}) or (m.c = ev.collection and m.f = fl.name))`;
  const r = await sql<{ n: number }>`with ${per},
    ins as (
      insert into incident_subjects (tenant_id, incident_id, subject_id, types, sensitive, events)
      select ${tenantId}, ${incidentId}, p.subject_id, coalesce(array_agg(distinct p.k) filter (where p.k is not null), '{}'), coalesce(bool_or(p.s), false), max(counts.n)
      from per p join counts on counts.subject_id = p.subject_id group by p.subject_id
      returning events)
    select coalesce(sum(events), 0)::bigint as n from ins`.execute(tx);
  return Number(r.rows[0]?.n ?? 0);
}

/**
 * Counts by PI type and by category. A subject's keys are distinct, so a per-key count is exact; a type or
 * category made of several keys is counted in one further pass with array overlap (no sorting of pairs).
 */
async function summarise(tx: Tx, tenantId: string, incidentId: string, m: ReturnType<typeof mapping>) {
  const perKey = (await sql<{ k: string; n: number }>`select k, count(*)::bigint as n from incident_subjects, unnest(types) as k
    where tenant_id = ${tenantId} and incident_id = ${incidentId} group by k`.execute(tx)).rows.map((r) => ({ k: r.k, n: Number(r.n) }));
  const typeOf = (k: string) => (GENERIC.has(k.split(':')[0]) ? k : k.split(':')[0]);
  const group = (f: (k: string) => string) => {
    const g = new Map<string, string[]>();
    for (const r of perKey) g.set(f(r.k), [...(g.get(f(r.k)) ?? []), r.k]);
    return g;
  };
  const types = group(typeOf);
  const cats = group((k) => k.split(':')[1] ?? 'other');
  const multi = [...[...types.entries()].map(([name, keys]) => ({ kind: 't', name, keys })), ...[...cats.entries()].map(([name, keys]) => ({ kind: 'c', name, keys }))].filter((g) => g.keys.length > 1);
  const row = (await sql<Record<string, number>>`select count(*)::bigint as affected, count(*) filter (where sensitive)::bigint as sensitive
      ${multi.length ? sql`, ${sql.join(multi.map((g, i) => sql`count(*) filter (where types && ${g.keys}::text[])::bigint as ${sql.ref(`g${i}`)}`))}` : sql``}
    from incident_subjects where tenant_id = ${tenantId} and incident_id = ${incidentId}`.execute(tx)).rows[0];
  const count = (kind: string, name: string, keys: string[]) => {
    if (keys.length === 1) return perKey.find((r) => r.k === keys[0])?.n ?? 0;
    return Number(row[`g${multi.findIndex((g) => g.kind === kind && g.name === name)}`]);
  };
  const sensitiveKeys = new Set(m.k.filter((_, i) => m.s[i]));
  const full = (t: string) => (t.includes(':') ? t : `${t}:${TYPE_INFO[t as FieldType]?.category ?? 'other'}`);
  return {
    affected: Number(row.affected), sensitive: Number(row.sensitive),
    by_type: [...types.entries()].map(([t, keys]) => ({ type: t, label_zh: piLabel(full(t), 'zh'), label_en: piLabel(full(t), 'en'), subjects: count('t', t, keys) }))
      .sort((x, y) => y.subjects - x.subjects || x.type.localeCompare(y.type)),
    by_category: [...cats.entries()].map(([c, keys]) => ({ category: c, label_zh: CATEGORY_LABELS[c as Category]?.zh ?? c, label_en: CATEGORY_LABELS[c as Category]?.en ?? c, sensitive: [...sensitiveKeys].some((k) => k.endsWith(`:${c}`)), subjects: count('c', c, keys) }))
      .sort((a, b) => b.subjects - a.subjects || a.category.localeCompare(b.category)),
  };
}
