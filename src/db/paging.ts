/**
 * Server-side paging and sorting of a list. A route's schema allows only the sort keys a list names (400 naming
 * `sort` otherwise); the list maps each key to a column here, so no caller-chosen text reaches ORDER BY.
 */
import { sql, type SelectQueryBuilder } from 'kysely';

export type SortOrder = 'asc' | 'desc';
export interface PageQuery<K extends string = string> { limit?: number; offset?: number; sort?: K; order?: SortOrder }

export interface SortSpec<K extends string> {
  /** Sort key -> column (or qualified column) it orders by. */
  columns: Record<K, string>;
  /** The list's order when the caller names none. */
  sort: K;
  order: SortOrder;
  /** Unique columns that break ties, so a row never appears on two pages. */
  tiebreak: string[];
}

/** ORDER BY the sort key's column in the asked direction (ascending when a key is named without one), then the tie-breakers. */
export function orderBySpec<DB, TB extends keyof DB, O, K extends string>(qb: SelectQueryBuilder<DB, TB, O>, q: PageQuery<K>, spec: SortSpec<K>): SelectQueryBuilder<DB, TB, O> {
  const key = q.sort ?? spec.sort;
  const order: SortOrder = q.order ?? (q.sort ? 'asc' : spec.order);
  let out = qb.orderBy(sql.ref(spec.columns[key]), order);
  for (const t of spec.tiebreak) out = out.orderBy(sql.ref(t), order);
  return out;
}

/** orderBySpec, then LIMIT and OFFSET; without a limit the whole list (the lists that were never paged keep that default). */
export function pageOf<DB, TB extends keyof DB, O, K extends string>(qb: SelectQueryBuilder<DB, TB, O>, q: PageQuery<K>, spec: SortSpec<K>, defaultLimit?: number): SelectQueryBuilder<DB, TB, O> {
  let out = orderBySpec(qb, q, spec);
  const limit = q.limit ?? defaultLimit;
  if (limit !== undefined) out = out.limit(limit);
  if (q.offset) out = out.offset(q.offset);
  return out;
}

/** The row count of a filtered query (its selection replaced by count(*)). */
export async function countOf<DB, TB extends keyof DB, O>(qb: SelectQueryBuilder<DB, TB, O>): Promise<number> {
  const r = await qb.clearSelect().clearOrderBy().select(sql<number>`count(*)::int`.as('n')).executeTakeFirst();
  return Number((r as { n?: number } | undefined)?.n ?? 0);
}

/** A page of a list already held in memory (a file outbox), ordered like pageOf. */
export function pageArray<T, K extends string>(items: T[], q: PageQuery<K>, spec: { sort: K; order: SortOrder; value: Record<K, (x: T) => string | number | null> }): T[] {
  const key = q.sort ?? spec.sort;
  const dir = (q.order ?? (q.sort ? 'asc' : spec.order)) === 'asc' ? 1 : -1;
  const v = spec.value[key];
  const sorted = [...items].sort((a, b) => {
    const x = v(a), y = v(b);
    if (x === y) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    return (x < y ? -1 : 1) * dir;
  });
  const offset = q.offset ?? 0;
  return q.limit === undefined ? sorted.slice(offset) : sorted.slice(offset, offset + q.limit);
}

/** The escaped pattern of a case-insensitive "contains" filter (the user's % and _ match themselves). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
