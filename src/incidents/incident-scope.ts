/**
 * Scope of an incident: the affected individuals, computed in the database from the audit log (every
 * subject whose fields the matching events disclosed) or from the vault (every subject with records
 * in the named collections), with counts by PI type, GB/T 35273 category and sensitive PI.
 * The affected set is computed and stored by one statement (ids and type names, no PI values): chunks of subject
 * ids in `incident_subject_chunks`, the distinct PI kinds in `incident_subject_kinds`; the view `incident_subjects`
 * shows one row per subject.
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


/**
 * The affected set is stored as chunks (arrays of subject ids, each with its PI kind and event count) plus one row
 * per distinct PI kind, not as one row per subject: writing 1.7 M indexed rows cost 5–50 s, writing 1,700 chunks a
 * fraction of one (ADR 0014).
 * - `chunkSubjects`: subjects per chunk (about; subjects are spread over the chunks by a hash of their id).
 * - `passSubjects`: subjects whose chunks are built in one pass. The chunks' arrays are built in memory, so a larger
 *   set is built in several passes over the per-subject rows (each pass's hash table is freed before the next),
 *   which keeps a scope of 100 M subjects within a few hundred MB.
 */
export const SCOPE_TUNING = { chunkSubjects: 1000, passSubjects: 2_000_000 };
/** Memory for the scope's hash tables (grouping 1.7 M subjects takes ~260 MB), local to the scope's transaction. */
const SCOPE_WORK_MEM = '256MB';
const SENSITIVE_BIT = 1n << 62n;

type Mapping = ReturnType<typeof mapping>;
type Window = { from: Date; to: Date };
/** One distinct PI kind of the affected set: its `type:category` keys, whether sensitive PI is among them, how many subjects and events. */
interface KindRow { types: string[]; sensitive: boolean; subjects: number; events: number }

/** Replace the incident's affected set with the one the criteria give; returns the summary. */
export async function computeScope(tx: Tx, tenantId: string, incidentId: string, input: ScopeInput, all: Collection[]): Promise<ScopeSummary> {
  const started = Date.now();
  const unknown = (input.collections ?? []).filter((n) => !all.some((c) => c.name === n));
  if (unknown.length) throw invalidField('collections', `集合不存在：${unknown.join(', ')}`, `unknown collections: ${unknown.join(', ')}`);
  if (input.mode === 'collection' && !input.collections?.length) throw invalidField('collections', '按集合划定范围时必须列出集合', 'must name the collections when the scope is a whole collection');
  let window: Window | null = null;
  if (input.mode === 'audit') {
    if (!input.from || !input.to) throw invalidField(input.from ? 'to' : 'from', '按审计日志划定范围时必须给出时间段', 'is required when the scope comes from the audit log');
    window = { from: new Date(input.from), to: new Date(input.to) };
    if (!(window.from < window.to)) throw invalidField('to', '必须晚于 from', 'must be after from');
  }
  const cols = input.collections?.length ? all.filter((c) => input.collections!.includes(c.name)) : all;
  const m = mapping(all);
  // The grouping of a large scope stays in memory; JIT compilation costs more than it saves on these statements.
  await sql`select set_config('work_mem', ${SCOPE_WORK_MEM}, true), set_config('jit', 'off', true)`.execute(tx);
  await sql`delete from incident_subject_chunks where tenant_id = ${tenantId} and incident_id = ${incidentId}`.execute(tx);
  await sql`delete from incident_subject_kinds where tenant_id = ${tenantId} and incident_id = ${incidentId}`.execute(tx);
  const keys = [...new Set(m.k)];
  // Each PI key is one bit of a bigint (bit 62 marks a sensitive field), so a subject's PI is one bit_or;
  // a tenant with more distinct type:category keys than that uses the array form.
  const kinds = keys.length <= 62
    ? await scopeByMask(tx, tenantId, incidentId, input, cols, m, keys, window)
    : await scopeByArrays(tx, tenantId, incidentId, input, cols, m, window);
  const matched = kinds.reduce((a, k) => a + k.events, 0);
  return { ...summarise(kinds, m), criteria: input, events_matched: matched, computed_ms: Date.now() - started };
}

/** The audit events the criteria select (chained or still pending: every committed access counts), as conditions on `e`. */
function auditFilter(tenantId: string, input: ScopeInput, w: Window) {
  const actions = input.actions?.length ? input.actions : DISCLOSING_ACTIONS;
  const actors = input.actor_ids?.length ? input.actor_ids : null;
  const colNames = input.collections?.length ? [...input.collections, '*'] : null;
  return sql`e.tenant_id = ${tenantId} and e.subject_id is not null and e.decision = 'allow'
      and e.at >= ${w.from} and e.at < ${w.to} and e.action = any(${actions}::text[])
      ${actors ? sql`and e.actor_id = any(${actors}::text[])` : sql``}
      ${colNames ? sql`and e.collection = any(${colNames}::text[])` : sql``}`;
}

/**
 * The PI bits one audit event disclosed, evaluated on the event itself: an event on collection `*` (a search or
 * export across collections) discloses every field of the collections in question; otherwise the bits of the
 * named fields of its collection (`fields` is the JSON array of field names the audit log writes). One `?|` test
 * per distinct bit of the collection, no join and no grouping by the jsonb value.
 */
function eventMask(input: ScopeInput, m: Mapping, bitOf: (i: number) => bigint) {
  const only = input.collections?.length ? new Set(input.collections) : null;
  const byCol = new Map<string, Map<bigint, string[]>>();
  let star = 0n;
  for (let i = 0; i < m.c.length; i++) {
    if (only && !only.has(m.c[i])) continue;
    const b = bitOf(i);
    star |= b;
    const bits = byCol.get(m.c[i]) ?? byCol.set(m.c[i], new Map()).get(m.c[i])!;
    bits.set(b, [...(bits.get(b) ?? []), m.f[i]]);
  }
  if (!byCol.size) return sql`0::bigint`;
  const arms = [...byCol].map(([c, bits]) => sql`when ${c}::text then ${sql.join([...bits].map(([b, names]) => sql`case when e.fields ?| ${names}::text[] then ${String(b)}::bigint else 0::bigint end`), sql` | `)}`);
  return sql`case when e.collection = '*' then ${String(star)}::bigint
    when jsonb_typeof(e.fields) = 'array' then (case e.collection ${sql.join(arms, sql` `)} else 0::bigint end) else 0::bigint end`;
}

async function scopeByMask(tx: Tx, tenantId: string, incidentId: string, input: ScopeInput, cols: Collection[], m: Mapping, keys: string[], w: Window | null): Promise<KindRow[]> {
  const bitOf = (i: number) => (1n << BigInt(keys.indexOf(m.k[i]))) | (m.s[i] ? SENSITIVE_BIT : 0n);
  let per;
  if (input.mode === 'collection') {
    const mrows = sql`select * from unnest(${m.c}::text[], ${m.k.map((_, i) => String(bitOf(i)))}::text[]::bigint[]) as m(c, bit)`;
    per = sql`select r.subject_id, bit_or(cm.mask) as mask, count(*)::int as n
      from records r join collections c on c.tenant_id = r.tenant_id and c.id = r.collection_id
      join (select m.c, bit_or(m.bit) as mask from (${mrows}) m group by m.c) cm on cm.c = c.name
      where r.tenant_id = ${tenantId} and c.name = any(${cols.map((x) => x.name)}::text[])
      group by r.subject_id`;
  } else {
    per = sql`select e.subject_id, bit_or(${eventMask(input, m, bitOf)}) as mask, count(*)::int as n
      from audit_events e where ${auditFilter(tenantId, input, w!)}
      group by e.subject_id`;
  }
  // A kind is a mask: the chunks store each subject's mask, the kinds table the keys each mask stands for.
  return writeSet(tx, tenantId, incidentId, sql`per as materialized (${per}),
    kinds as materialized (
      select d.mask as kind, d.subjects, d.events, (d.mask & ${String(SENSITIVE_BIT)}::bigint) <> 0 as sensitive,
        array(select k from unnest(${keys}::text[]) with ordinality as u(k, i) where (d.mask >> (i::int - 1)) & 1 = 1) as types
      from (select mask, count(*)::bigint as subjects, sum(n)::bigint as events from per group by mask) d),
    numbered as (
      select subject_id, mask as kind, n, (mask & ${String(SENSITIVE_BIT)}::bigint) <> 0 as sensitive, ${chunkOf(sql`subject_id`)} as chunk from per)`);
}

async function scopeByArrays(tx: Tx, tenantId: string, incidentId: string, input: ScopeInput, cols: Collection[], m: Mapping, w: Window | null): Promise<KindRow[]> {
  const mrows = sql`select * from unnest(${m.c}::text[], ${m.f}::text[], ${m.k}::text[], ${m.s}::bool[]) as m(c, f, k, s)`;
  const colNames = input.collections?.length ? [...input.collections] : null;
  const pairs = input.mode === 'collection'
    ? sql`counts as (
        select r.subject_id, count(*)::int as n from records r join collections c on c.tenant_id = r.tenant_id and c.id = r.collection_id
        where r.tenant_id = ${tenantId} and c.name = any(${cols.map((x) => x.name)}::text[]) group by r.subject_id),
      pairs as materialized (
        select distinct r.subject_id, m.k, m.s from records r join collections c on c.tenant_id = r.tenant_id and c.id = r.collection_id
        join (${mrows}) m on m.c = c.name
        where r.tenant_id = ${tenantId} and c.name = any(${cols.map((x) => x.name)}::text[]))`
    : sql`ev as materialized (
        select e.subject_id, coalesce(e.collection, '') as collection, coalesce(e.fields, 'null'::jsonb) as fields, count(*)::int as n
        from audit_events e where ${auditFilter(tenantId, input, w!)} group by 1, 2, 3),
      counts as (select subject_id, sum(n)::int as n from ev group by subject_id),
      pairs as materialized (
        select distinct ev.subject_id, m.k, m.s from ev
        left join lateral jsonb_array_elements_text(case when jsonb_typeof(ev.fields) = 'array' then ev.fields else '[]'::jsonb end) as fl(name) on true
        left join (${mrows}) m on (ev.collection = '*' ${colNames ? sql`and m.c = any(${colNames}::text[])` : sql``}) or (m.c = ev.collection and m.f = fl.name))`;
  // A kind is a distinct (keys, sensitive), numbered.
  return writeSet(tx, tenantId, incidentId, sql`${pairs},
    per as materialized (
      select p.subject_id, coalesce(array_agg(distinct p.k) filter (where p.k is not null), '{}') as types, coalesce(bool_or(p.s), false) as sensitive, max(counts.n) as n
      from pairs p join counts on counts.subject_id = p.subject_id group by p.subject_id),
    kinds as materialized (
      select row_number() over (order by types, sensitive) as kind, types, sensitive, count(*)::bigint as subjects, sum(n)::bigint as events
      from per group by types, sensitive),
    numbered as (
      select p.subject_id, k.kind, p.n, p.sensitive, ${chunkOf(sql`p.subject_id`)} as chunk
      from per p join kinds k on k.types = p.types and k.sensitive = p.sensitive)`);
}

/**
 * A subject's chunk: a hash of its id over as many chunks as the set needs for `chunkSubjects` each (chunks
 * come out within a few percent of that size). Cheaper than numbering 1.7 M rows, and no order is needed.
 */
function chunkOf(subjectId: ReturnType<typeof sql>) {
  return sql`(hashtext(${subjectId}) & 2147483647) % (select greatest(1, ceil(sum(subjects) / ${SCOPE_TUNING.chunkSubjects}::numeric))::int from kinds)`;
}

/**
 * Store the affected set the CTEs `kinds` (kind, types, sensitive, subjects, events) and `numbered`
 * (subject_id, kind, n, sensitive, chunk) describe, in the same statement; returns the kinds.
 */
async function writeSet(tx: Tx, tenantId: string, incidentId: string, ctes: ReturnType<typeof sql>): Promise<KindRow[]> {
  // The planner underestimates the rows of a pass and would sort 1.7 M rows to group them; hashing is the plan
  // wanted for every grouping here (a sort that cannot be avoided, as for a window's order, still happens).
  await sql`select set_config('enable_sort', 'off', true)`.execute(tx);
  const r = await sql<{ types: string[]; sensitive: boolean; subjects: string | number; events: string | number }>`with ${ctes},
    passes as (select generate_series(0, (select ceil(sum(subjects) / ${SCOPE_TUNING.passSubjects}::numeric) from kinds)::int - 1) as pass),
    stored_chunks as (
      insert into incident_subject_chunks (tenant_id, incident_id, chunk, subject_ids, kinds, events, subjects, sensitive)
      select ${tenantId}, ${incidentId}, c.chunk::int, c.subject_ids, c.kinds, c.events, c.subjects, c.sensitive
      from passes cross join lateral (
        select chunk, array_agg(subject_id) as subject_ids, array_agg(kind) as kinds, array_agg(n) as events, count(*)::int as subjects, (count(*) filter (where sensitive))::int as sensitive
        from numbered where chunk % (select count(*) from passes) = passes.pass group by chunk) c),
    stored_kinds as (
      insert into incident_subject_kinds (tenant_id, incident_id, kind, types, sensitive, subjects)
      select ${tenantId}, ${incidentId}, kind, types, sensitive, subjects from kinds)
    select types, sensitive, subjects, events from kinds`.execute(tx);
  await sql`select set_config('enable_sort', 'on', true)`.execute(tx);
  return r.rows.map((x) => ({ types: x.types, sensitive: x.sensitive, subjects: Number(x.subjects), events: Number(x.events) }));
}

/**
 * Counts by PI type and by category from the kinds: a subject has exactly one kind and a kind's keys are
 * distinct, so the subjects with any key of a type (or category) are the sum over the kinds that hold one.
 */
function summarise(kinds: KindRow[], m: Mapping) {
  const seen = new Set<string>();
  for (const k of kinds) for (const t of k.types) seen.add(t);
  const typeOf = (k: string) => (GENERIC.has(k.split(':')[0]) ? k : k.split(':')[0]);
  const group = (f: (k: string) => string) => {
    const g = new Map<string, string[]>();
    for (const k of seen) g.set(f(k), [...(g.get(f(k)) ?? []), k]);
    return g;
  };
  const count = (keys: string[]) => kinds.reduce((a, k) => a + (k.types.some((t) => keys.includes(t)) ? k.subjects : 0), 0);
  const sensitiveKeys = new Set(m.k.filter((_, i) => m.s[i]));
  const full = (t: string) => (t.includes(':') ? t : `${t}:${TYPE_INFO[t as FieldType]?.category ?? 'other'}`);
  return {
    affected: kinds.reduce((a, k) => a + k.subjects, 0), sensitive: kinds.reduce((a, k) => a + (k.sensitive ? k.subjects : 0), 0),
    by_type: [...group(typeOf).entries()].map(([t, keys]) => ({ type: t, label_zh: piLabel(full(t), 'zh'), label_en: piLabel(full(t), 'en'), subjects: count(keys) }))
      .sort((x, y) => y.subjects - x.subjects || x.type.localeCompare(y.type)),
    by_category: [...group((k) => k.split(':')[1] ?? 'other').entries()].map(([c, keys]) => ({ category: c, label_zh: CATEGORY_LABELS[c as Category]?.zh ?? c, label_en: CATEGORY_LABELS[c as Category]?.en ?? c, sensitive: [...sensitiveKeys].some((k) => k.endsWith(`:${c}`)), subjects: count(keys) }))
      .sort((a, b) => b.subjects - a.subjects || a.category.localeCompare(b.category)),
  };
}

/** The distinct PI kinds (type lists) of an incident's affected set with their subject counts: one notice text each. */
export async function scopeKinds(tx: Tx, tenantId: string, incidentId: string) {
  return (await sql<{ types: string[]; n: string | number }>`select types, sum(subjects)::bigint as n from incident_subject_kinds
    where tenant_id = ${tenantId} and incident_id = ${incidentId} group by types`.execute(tx)).rows.map((r) => ({ types: r.types, n: Number(r.n) }));
}

/**
 * One page of the affected set, in stored order (chunk, then position: stable across pages; the order carries no
 * meaning), optionally only the subjects with (or without) sensitive PI. Reads only the chunks the page touches:
 * the running count per chunk locates the first one.
 */
export async function scopeSubjects(tx: Tx, tenantId: string, incidentId: string, q: { limit: number; offset: number; sensitive?: boolean }) {
  const cnt = q.sensitive === undefined ? sql`subjects` : q.sensitive ? sql`sensitive` : sql`subjects - sensitive`;
  const want = q.limit + 1;
  const chunks = (await sql<{ chunk: number; before: string | number }>`select chunk, before from (
      select chunk, cnt, sum(cnt) over (order by chunk) - cnt as before
      from (select chunk, ${cnt} as cnt from incident_subject_chunks where tenant_id = ${tenantId} and incident_id = ${incidentId}) x) c
    where cnt > 0 and before + cnt > ${q.offset} and before < ${q.offset + want} order by chunk`.execute(tx)).rows;
  if (!chunks.length) return [];
  const rows = await sql<{ subject_id: string; types: string[]; sensitive: boolean; events: number }>`
    select u.subject_id, k.types, k.sensitive, u.events
    from incident_subject_chunks c
    cross join lateral unnest(c.subject_ids, c.kinds, c.events) with ordinality as u(subject_id, kind, events, i)
    join incident_subject_kinds k on k.tenant_id = c.tenant_id and k.incident_id = c.incident_id and k.kind = u.kind
    where c.tenant_id = ${tenantId} and c.incident_id = ${incidentId} and c.chunk = any(${chunks.map((c) => c.chunk)}::int[])
      ${q.sensitive === undefined ? sql`` : sql`and k.sensitive = ${q.sensitive}`}
    order by c.chunk, u.i offset ${q.offset - Number(chunks[0].before)} limit ${want}`.execute(tx);
  return rows.rows;
}
