/**
 * Logical dump and load of the store's tables, generic over the schema: every column travels as its
 * PostgreSQL text form (timestamps in UTC, bytea as hex), rows in primary-key order (C collation, so
 * PostgreSQL and PGlite agree), one SHA-256 per table over the row lines. Tables load in foreign-key order.
 */
import { sql } from 'kysely';
import { createHash } from 'node:crypto';
import type { Tx } from '../db/connection.js';

/**
 * Never in a backup: the erasure ledger lives outside backups and is replayed on restore; the per-tenant backup keys
 * (ADR 0013) must stay outside, or a backup would carry the key that unseals its own tenant key material.
 */
export const NOT_BACKED_UP = new Set(['erasure_ledger', 'schema_migrations', 'tenant_backup_keys']);

/**
 * Columns that hold a tenant's key material wrapped by the root key: in a backup each value is additionally sealed
 * under the tenant's backup key (ADR 0013). On restore a destroyed tenant's value is set to NULL, or its row dropped
 * where the column cannot be NULL.
 */
export interface SealedColumn { table: string; column: string; tenantColumn: string; whenDestroyed: 'null' | 'drop_row' }
export const TENANT_SEALED: SealedColumn[] = [
  { table: 'tenants', column: 'index_key_wrapped', tenantColumn: 'id', whenDestroyed: 'null' },
  { table: 'tenant_keys', column: 'wrapped', tenantColumn: 'tenant_id', whenDestroyed: 'null' },
  { table: 'paillier_keys', column: 'private_sealed', tenantColumn: 'tenant_id', whenDestroyed: 'drop_row' },
];
/**
 * Tables of older backups that a later migration replaced. Their rows load into a temporary table, then convert as
 * the migration converted them. `incident_subjects` (one row per affected subject) became chunks in migration 0015
 * (ADR 0014) and is now a view.
 */
export interface LegacyTable { since: string; temp: string; columns: Record<string, string>; /** Its primary key then: a drill re-reads the view in that order. */ pk: string[]; convert: string[] }
export const LEGACY_TABLES: Record<string, LegacyTable> = {
  incident_subjects: {
    since: '0015_incident_subject_chunks',
    temp: 'legacy_incident_subjects',
    columns: { tenant_id: 'text', incident_id: 'text', subject_id: 'text', types: 'text[]', sensitive: 'boolean', events: 'integer' },
    pk: ['tenant_id', 'incident_id', 'subject_id'],
    convert: [
      `INSERT INTO incident_subject_kinds (tenant_id, incident_id, kind, types, sensitive, subjects)
        SELECT tenant_id, incident_id, row_number() OVER (PARTITION BY tenant_id, incident_id ORDER BY types, sensitive), types, sensitive, count(*)
        FROM legacy_incident_subjects GROUP BY tenant_id, incident_id, types, sensitive`,
      `INSERT INTO incident_subject_chunks (tenant_id, incident_id, chunk, subject_ids, kinds, events, subjects, sensitive)
        SELECT s.tenant_id, s.incident_id, ((s.rn - 1) / 1000)::int, array_agg(s.subject_id ORDER BY s.rn), array_agg(k.kind ORDER BY s.rn),
          array_agg(s.events ORDER BY s.rn), count(*)::int, (count(*) FILTER (WHERE s.sensitive))::int
        FROM (SELECT *, row_number() OVER (PARTITION BY tenant_id, incident_id ORDER BY subject_id) AS rn FROM legacy_incident_subjects) s
        JOIN incident_subject_kinds k ON k.tenant_id = s.tenant_id AND k.incident_id = s.incident_id AND k.types = s.types AND k.sensitive = s.sensitive
        GROUP BY s.tenant_id, s.incident_id, (s.rn - 1) / 1000`,
    ],
  },
};

/** The legacy table a backup made before `since` carries under this name, if any. */
export function legacyTable(name: string, backupMigrations: string[]): LegacyTable | null {
  const l = LEGACY_TABLES[name];
  return l && !backupMigrations.includes(l.since) ? l : null;
}

/** Evidence that must survive a restore: kept live, backup rows added only where missing. */
export const KEEP_LIVE = new Set(['backup_drills', 'tenant_deregistrations', 'installation_keys']);
export const AUDIT_TABLES = new Set(['audit_events', 'audit_heads', 'audit_checkpoints']);

export interface TableInfo { name: string; columns: string[]; types: string[]; pk: string[] }
export interface TableSum { rows: number; sha256: string }

const TEXTISH = /^(text|character varying|character)/;

/** Tables of the current schema with columns and primary keys, parents before children. */
export async function listTables(tx: Tx): Promise<TableInfo[]> {
  const cols = await sql<{ t: string; col: string; type: string; pkpos: number | null }>`
    select c.relname as t, a.attname as col, format_type(a.atttypid, a.atttypmod) as type,
           array_position(i.indkey::int2[], a.attnum) as pkpos
    from pg_class c
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    left join pg_index i on i.indrelid = c.oid and i.indisprimary
    where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r'
    order by c.relname, a.attnum`.execute(tx);
  const fks = await sql<{ child: string; parent: string }>`
    select ch.relname as child, pa.relname as parent from pg_constraint k
    join pg_class ch on ch.oid = k.conrelid join pg_class pa on pa.oid = k.confrelid
    where k.contype = 'f' and k.connamespace = current_schema()::regnamespace`.execute(tx);
  const byName = new Map<string, TableInfo & { pkpos: Array<[number, string]> }>();
  for (const r of cols.rows) {
    if (NOT_BACKED_UP.has(r.t)) continue;
    let t = byName.get(r.t);
    if (!t) { t = { name: r.t, columns: [], types: [], pk: [], pkpos: [] }; byName.set(r.t, t); }
    t.columns.push(r.col);
    t.types.push(r.type);
    if (r.pkpos !== null && r.pkpos !== undefined) t.pkpos.push([Number(r.pkpos), r.col]);
  }
  const parents = new Map<string, Set<string>>();
  for (const f of fks.rows) if (f.child !== f.parent) (parents.get(f.child) ?? parents.set(f.child, new Set()).get(f.child)!).add(f.parent);
  const out: TableInfo[] = [];
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n) || !byName.has(n)) return;
    seen.add(n);
    for (const p of parents.get(n) ?? []) visit(p);
    const t = byName.get(n)!;
    t.pk = t.pkpos.sort((a, b) => a[0] - b[0]).map((x) => x[1]);
    out.push({ name: t.name, columns: t.columns, types: t.types, pk: t.pk.length ? t.pk : t.columns });
  };
  for (const n of [...byName.keys()].sort()) visit(n);
  return out;
}

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;

/** Stream a table's rows as JSON-array lines (after `rewrite`, when given); returns the count and SHA-256 of the lines. */
export async function dumpTable(tx: Tx, t: TableInfo, onLine: (line: string) => void, batch = 10_000, rewrite?: (row: Array<string | null>) => void): Promise<TableSum> {
  const hash = createHash('sha256');
  const select = t.columns.map((c, i) => `${q(c)}::text as c${i}`).join(', ');
  const order = t.pk.map((c) => (TEXTISH.test(t.types[t.columns.indexOf(c)]) ? `${q(c)} collate "C"` : q(c))).join(', ');
  const cursor = `bk_${t.name}`;
  await sql.raw(`declare ${q(cursor)} no scroll cursor for select ${select} from ${q(t.name)} order by ${order}`).execute(tx);
  let rows = 0;
  const n = t.columns.length;
  for (;;) {
    const res = await sql.raw<Record<string, string | null>>(`fetch ${batch} from ${q(cursor)}`).execute(tx);
    if (res.rows.length === 0) break;
    for (const r of res.rows) {
      const arr = new Array<string | null>(n);
      for (let i = 0; i < n; i++) arr[i] = r[`c${i}`] ?? null;
      rewrite?.(arr);
      const line = JSON.stringify(arr);
      hash.update(line).update('\n');
      onLine(line);
    }
    rows += res.rows.length;
  }
  await sql.raw(`close ${q(cursor)}`).execute(tx);
  return { rows, sha256: hash.digest('hex') };
}

/** Insert rows (text values) into a table, casting each column to its type. */
export async function insertRows(tx: Tx, table: string, columns: string[], types: string[], rows: Array<Array<string | null>>, onConflictNothing: boolean): Promise<void> {
  if (rows.length === 0) return;
  const arrays = columns.map((_, i) => rows.map((r) => r[i]));
  const params = arrays.map((a) => sql`${a}::text[]`);
  const casts = columns.map((_, i) => `u.c${i}::${types[i]}`).join(', ');
  const aliases = columns.map((_, i) => `c${i}`).join(', ');
  await sql`insert into ${sql.raw(q(table))} (${sql.raw(columns.map(q).join(', '))}) select ${sql.raw(casts)} from unnest(${sql.join(params)}) as u(${sql.raw(aliases)})${sql.raw(onConflictNothing ? ' on conflict do nothing' : '')}`.execute(tx);
}

/**
 * Drop the secondary (non-unique, not constraint-backed) indexes of tables about to be bulk-loaded; returns the
 * statements that recreate them. Building an index once over loaded rows is much cheaper than growing it row by row
 * (the blind index and audit indexes take random keys). Runs inside the restore's transaction, so a failed restore
 * leaves every index as it was.
 */
export async function dropSecondaryIndexes(tx: Tx, tables: string[]): Promise<string[]> {
  if (!tables.length) return [];
  const rows = (await sql<{ name: string; def: string }>`
    select ci.relname as name, pg_get_indexdef(i.indexrelid) as def
    from pg_index i join pg_class ci on ci.oid = i.indexrelid join pg_class ct on ct.oid = i.indrelid
    where ct.relnamespace = current_schema()::regnamespace and ct.relname = any(${tables}::text[])
      and not i.indisunique and not i.indisprimary
      and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)
    order by ci.relname`.execute(tx)).rows;
  for (const r of rows) await sql.raw(`drop index ${q(r.name)}`).execute(tx);
  return rows.map((r) => r.def);
}

export async function recreateIndexes(tx: Tx, defs: string[]): Promise<void> {
  for (const d of defs) await sql.raw(d).execute(tx);
}

export async function truncate(tx: Tx, tables: string[]): Promise<void> {
  if (tables.length) await sql.raw(`truncate ${tables.map(q).join(', ')}`).execute(tx);
}

/**
 * Replay the live erasure ledger over restored tables: erased records and subjects lose their rows,
 * blind-index entries and data keys again; destroyed tenants (in the ledger, or whose backup keys are destroyed:
 * `alsoDestroyed`) lose their keys, records, credentials and queued jobs, as at their deregistration.
 */
export async function replayErasures(tx: Tx, alsoDestroyed: string[] = []): Promise<{ records: number; subjects: number; tenants: number }> {
  const n = (r: { numAffectedRows?: bigint }) => Number(r.numAffectedRows ?? 0n);
  await sql`delete from blind_index b using erasure_ledger l where l.kind = 'record' and b.tenant_id = l.tenant_id and b.record_id = l.target_id`.execute(tx);
  const r1 = await sql`delete from records r using erasure_ledger l where l.kind = 'record' and r.tenant_id = l.tenant_id and r.id = l.target_id`.execute(tx);
  await sql`delete from blind_index b using records r, erasure_ledger l where l.kind = 'subject' and r.tenant_id = l.tenant_id and r.subject_id = l.target_id and b.tenant_id = r.tenant_id and b.record_id = r.id`.execute(tx);
  const r2 = await sql`delete from records r using erasure_ledger l where l.kind = 'subject' and r.tenant_id = l.tenant_id and r.subject_id = l.target_id`.execute(tx);
  const s = await sql`update subjects s set wrapped_key = null, kek_version = null, erased_at = coalesce(s.erased_at, l.erased_at)
    from erasure_ledger l where l.kind = 'subject' and s.tenant_id = l.tenant_id and s.id = l.target_id and s.wrapped_key is not null`.execute(tx);
  const ledgerTenants = await sql<{ target_id: string }>`select distinct target_id from erasure_ledger where kind = 'tenant'`.execute(tx);
  const restored = new Set((await sql<{ id: string }>`select id from tenants`.execute(tx)).rows.map((r) => r.id));
  const destroyed = [...new Set([...ledgerTenants.rows.map((r) => r.target_id), ...alsoDestroyed])].filter((t) => restored.has(t)).sort();
  for (const t of destroyed) {
    await sql`delete from blind_index where tenant_id = ${t}`.execute(tx);
    await sql`delete from records where tenant_id = ${t}`.execute(tx);
    await sql`update subjects set wrapped_key = null, kek_version = null, erased_at = coalesce(erased_at, now()) where tenant_id = ${t}`.execute(tx);
    await sql`update tenant_keys set wrapped = null where tenant_id = ${t}`.execute(tx);
    await sql`update tenants set state = 'destroyed', index_key_wrapped = null where id = ${t}`.execute(tx);
    await sql`delete from paillier_keys where tenant_id = ${t}`.execute(tx);
    await sql`update api_keys set revoked_at = coalesce(revoked_at, now()) where tenant_id = ${t}`.execute(tx);
    await sql`update sessions set revoked_at = coalesce(revoked_at, now()) where tenant_id = ${t}`.execute(tx);
    await sql`update portal_sessions set revoked_at = coalesce(revoked_at, now()) where tenant_id = ${t}`.execute(tx);
    await sql`delete from jobs where tenant_id = ${t} and state = 'queued'`.execute(tx);
  }
  return { records: n(r1) + n(r2), subjects: n(s), tenants: destroyed.length };
}
