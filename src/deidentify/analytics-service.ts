/**
 * Privacy-preserving analytics over the vault: differentially private counts and histograms (Laplace
 * mechanism, dp.ts) with a per-tenant privacy budget kept as a ledger in the database, so the total
 * epsilon spent on a tenant's data never exceeds what the PI protection officer set. Values are
 * decrypted inside the service and never leave it; only noisy aggregates do. Subjects who restricted the
 * declared purpose, or lack consent for it when its basis is consent, are left out.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connection.js';
import { countOf, orderBySpec, type PageQuery, type SortSpec } from '../db/paging.js';
import { AppError, conflict, invalidField } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import type { KeyService } from '../crypto/keys-service.js';
import { fieldAad, unpackFields, type CollectionStore, type FieldDef } from '../vault/index.js';
import { createPrivacyBudget, laplaceNoise, PrivacyBudgetError } from './dp.js';
import { ageBand, generaliseRegion, PROVINCE_NAMES } from './generalise.js';

export const LEDGER_SORT: SortSpec<'at' | 'epsilon' | 'label'> = { columns: { at: 'at', epsilon: 'epsilon', label: 'label' }, sort: 'at', order: 'desc', tiebreak: ['id'] };
export interface DpQueryInput {
  collection: string;
  purpose: string;
  kind: 'count' | 'histogram';
  /** For a histogram: the field whose generalised values are the buckets. */
  field?: string;
  /** For a numeric field: bucket edges, ascending. */
  bins?: number[];
  epsilon: number;
  label: string;
}

export interface AnalyticsDeps { db: Db; keys: Pick<KeyService, 'keyring'>; access: Pick<AccessService, 'requirePermission' | 'basisRefusalSql'>; audit: Pick<AuditService, 'record'>; collections: CollectionStore }

const BATCH = 5000;
/** Field types whose generalised value makes a bucket; free text and direct identifiers do not. */
const BUCKETABLE = new Set(['birth_date', 'cn_id', 'address', 'number', 'boolean']);

/** The bucket a value falls in: age band, province, year, numeric bin or the boolean itself. */
export function bucketOf(f: Pick<FieldDef, 'type'>, value: string, bins: number[] | undefined, today: Date): string {
  switch (f.type) {
    case 'birth_date': { const b = ageBand(value, 10, today); return b === '*' ? 'unknown' : b; }
    case 'cn_id': case 'address': { const p = generaliseRegion(value, 'province'); return p === '*' ? 'unknown' : p; }
    case 'boolean': return value === 'true' ? 'true' : 'false';
    case 'number': {
      const n = Number(value);
      if (!Number.isFinite(n) || !bins?.length) return 'unknown';
      if (n < bins[0]) return `<${bins[0]}`;
      for (let i = 1; i < bins.length; i++) if (n < bins[i]) return `[${bins[i - 1]},${bins[i]})`;
      return `>=${bins[bins.length - 1]}`;
    }
    default: return 'unknown';
  }
}

/**
 * Every bucket a histogram reports, fixed before looking at the data: a bucket missing from the answer
 * would reveal that nobody falls in it, which noise on the counts does not hide.
 */
export function bucketDomain(f: Pick<FieldDef, 'type'>, bins?: number[]): string[] {
  if (f.type === 'boolean') return ['true', 'false'];
  if (f.type === 'number') return [`<${bins![0]}`, ...bins!.slice(1).map((b, i) => `[${bins![i]},${b})`), `>=${bins![bins!.length - 1]}`, 'unknown'];
  if (f.type === 'birth_date') return [...Array.from({ length: 8 }, (_, i) => ageBand(i * 10, 10)), ageBand(80, 10), 'unknown'];
  return [...PROVINCE_NAMES, 'unknown'];
}

export function createAnalyticsService(deps: AnalyticsDeps) {
  const { db, access, audit } = deps;

  async function budgetOf(tenantId: string) {
    const b = await db.kysely.selectFrom('privacy_budgets').select(['epsilon_total', 'updated_at']).where('tenant_id', '=', tenantId).executeTakeFirst();
    const spent = Number((await sql<{ s: number | null }>`select coalesce(sum(epsilon), 0)::float8 as s from privacy_budget_ledger where tenant_id = ${tenantId}`.execute(db.kysely)).rows[0]?.s ?? 0);
    return { epsilon_total: b ? Number(b.epsilon_total) : null, spent, remaining: b ? Math.max(0, Number(b.epsilon_total) - spent) : null, updated_at: b ? new Date(b.updated_at).toISOString() : null };
  }

  return {
    async budget(actor: Actor, page: PageQuery<keyof typeof LEDGER_SORT.columns> & { actor_id?: string } = {}) {
      await db.transaction((tx) => access.requirePermission(tx, actor, 'analytics.use').catch(() => access.requirePermission(tx, actor, 'compliance.read')));
      let s = db.kysely.selectFrom('privacy_budget_ledger').select(['id', 'epsilon', 'label', 'query', 'actor_id', 'at']).where('tenant_id', '=', actor.tenantId);
      if (page.actor_id) s = s.where('actor_id', '=', page.actor_id);
      const ledger = await orderBySpec(s, page, LEDGER_SORT).limit(Math.min(page.limit ?? 50, 500)).offset(page.offset ?? 0).execute();
      return { ...(await budgetOf(actor.tenantId)), ledger: ledger.map((l) => ({ ...l, epsilon: Number(l.epsilon), at: new Date(l.at).toISOString() })), ledger_total: await countOf(s) };
    },

    /** Set the tenant's total epsilon (the officer's decision). It cannot go below what is already spent. */
    async setBudget(actor: Actor, epsilonTotal: number) {
      await db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'compliance.manage');
        const spent = Number((await sql<{ s: number }>`select coalesce(sum(epsilon), 0)::float8 as s from privacy_budget_ledger where tenant_id = ${actor.tenantId}`.execute(tx)).rows[0].s);
        if (epsilonTotal < spent) throw invalidField('epsilon_total', `不能低于已消耗的 ε=${spent}`, `cannot be below the epsilon already spent (${spent})`);
        await tx.insertInto('privacy_budgets').values({ tenant_id: actor.tenantId, epsilon_total: epsilonTotal }).onConflict((oc) => oc.column('tenant_id').doUpdateSet({ epsilon_total: epsilonTotal, updated_at: new Date() })).execute();
        await audit.record(tx, actor, [{ action: 'analytics.budget_set', decision: 'allow', details: { epsilon_total: epsilonTotal } }]);
      });
      return budgetOf(actor.tenantId);
    },

    /** A differentially private count or histogram; spends `epsilon` from the tenant's budget first. */
    async query(actor: Actor, input: DpQueryInput) {
      if (!(input.epsilon > 0) || input.epsilon > 10) throw invalidField('epsilon', '须大于 0 且不超过 10', 'must be greater than 0 and at most 10');
      const c = await db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'analytics.use');
        const p = await tx.selectFrom('purposes').select('name').where('tenant_id', '=', actor.tenantId).where('name', '=', input.purpose).executeTakeFirst();
        if (!p) throw invalidField('purpose', '未登记', 'is not a registered purpose');
        const t = await tx.selectFrom('tenants').select('state').where('id', '=', actor.tenantId).executeTakeFirstOrThrow();
        if (t.state !== 'active') throw conflict('analytics.tenant_frozen', '企业注销程序进行中，处理已冻结', 'processing is frozen (deregistration)');
        return deps.collections.get(tx, actor.tenantId, input.collection);
      });
      let field: FieldDef | undefined;
      if (input.kind === 'histogram') {
        if (!input.field) throw invalidField('field', '直方图须指定字段', 'is required for a histogram');
        field = deps.collections.field(c, input.field, 'field');
        if (!BUCKETABLE.has(field.type)) throw invalidField('field', `类型 ${field.type} 不能分组（直接标识符或自由文本）`, `has type ${field.type}, which cannot be bucketed (a direct identifier or free text)`);
        if (field.type === 'number' && !(input.bins && input.bins.length >= 1 && input.bins.every((b, i) => i === 0 || b > input.bins![i - 1]))) throw invalidField('bins', '数值字段须给出递增的分组边界', 'must be ascending bucket edges for a number field');
      }

      // True aggregates first (never returned), over subjects with a basis for the purpose.
      const refusal = await db.transaction((tx) => access.basisRefusalSql(tx, actor.tenantId, input.purpose, sql.ref(field ? 'page.subject_id' : 'r.subject_id')));
      const counts = new Map<string, number>();
      let total = 0;
      let after = '';
      const today = new Date();
      const ring = field ? await db.transaction((tx) => deps.keys.keyring(tx, actor.tenantId)) : null;
      if (!field) {
        // A count needs no value: one statement.
        total = Number((await sql<{ n: number }>`select count(*)::int as n from records r join subjects s on s.tenant_id = r.tenant_id and s.id = r.subject_id
          where r.tenant_id = ${actor.tenantId} and r.collection_id = ${c.id} and s.wrapped_key is not null and ${refusal} is null`.execute(db.kysely)).rows[0].n);
      }
      while (field && ring) {
        // A page in primary-key order first, the basis per row after: a filter on the basis expression in the same
        // WHERE makes the planner misjudge it and sort the whole collection for every page.
        const rows = (await sql<{ id: string; subject_id: string; sealed: Buffer; wrapped_key: Buffer | null; kek_version: number; refused: string | null }>`
          with page as (select r.id, r.subject_id, r.sealed from records r where r.tenant_id = ${actor.tenantId} and r.collection_id = ${c.id} and r.id > ${after} order by r.id limit ${BATCH})
          select page.id, page.subject_id, page.sealed, s.wrapped_key, s.kek_version, ${refusal} as refused
          from page join subjects s on s.tenant_id = ${actor.tenantId} and s.id = page.subject_id order by page.id`.execute(db.kysely)).rows;
        if (!rows.length) break;
        for (const r of rows) {
          if (!r.wrapped_key || r.refused) continue;
          total += 1;
          const sealed = unpackFields(r.sealed).get(field.name);
          let bucket = 'unknown';
          if (sealed) {
            if (!ring.hasKekVersion(r.kek_version)) await db.transaction((tx) => deps.keys.keyring(tx, actor.tenantId, r.kek_version));
            const key = ring.subjectKey(r.subject_id, r.wrapped_key, r.kek_version);
            bucket = bucketOf(field, ring.suite.open(key, sealed, fieldAad(actor.tenantId, c.id, r.id, r.subject_id, field.name)).toString('utf8'), input.bins, today);
          }
          counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
        }
        after = rows[rows.length - 1].id;
      }

      // Spend the budget: the ledger row, under the budget row's lock, and the audit event commit together.
      const ledgerId = newId('dpq');
      const remaining = await db.transaction(async (tx) => {
        const b = await tx.selectFrom('privacy_budgets').select('epsilon_total').where('tenant_id', '=', actor.tenantId).forUpdate().executeTakeFirst();
        if (!b) throw conflict('analytics.budget_not_set', '尚未设定隐私预算：请个人信息保护负责人先设定 ε 总额', 'no privacy budget is set: the PI protection officer sets the total epsilon first (PUT /api/v1/analytics/budget)');
        const ledger = await tx.selectFrom('privacy_budget_ledger').select(['epsilon', 'label', 'at']).where('tenant_id', '=', actor.tenantId).execute();
        const budget = createPrivacyBudget(Number(b.epsilon_total), ledger.map((l) => ({ epsilon: Number(l.epsilon), label: l.label, at: new Date(l.at).toISOString() })));
        try { budget.spend(input.epsilon, input.label); } catch (e) {
          if (e instanceof PrivacyBudgetError) throw new AppError(403, 'dp.budget_exhausted', e.zh, e.en, [{ requested: input.epsilon, remaining: budget.remaining() }]);
          throw e;
        }
        const query = { collection: c.name, purpose: input.purpose, kind: input.kind, field: field?.name ?? null, bins: input.bins ?? null };
        await tx.insertInto('privacy_budget_ledger').values({ tenant_id: actor.tenantId, id: ledgerId, epsilon: input.epsilon, label: input.label, query: JSON.stringify(query), actor_id: actor.id }).execute();
        await audit.record(tx, actor, [{ action: 'analytics.dp_query', decision: 'allow', purpose: input.purpose, collection: c.name, fields: field ? [field.name] : null, details: { ledger_id: ledgerId, epsilon: input.epsilon, kind: input.kind, label: input.label } }]);
        return budget.remaining();
      });

      const scale = 1 / input.epsilon;
      const noisy = (n: number) => Math.max(0, Math.round(n + laplaceNoise(scale)));
      const base = { ledger_id: ledgerId, collection: c.name, purpose: input.purpose, epsilon: input.epsilon, mechanism: 'laplace', noise_scale: scale, budget_remaining: remaining };
      if (input.kind === 'count') return { ...base, kind: 'count' as const, count: noisy(total) };
      // Disjoint buckets: one person changes one bucket by one, so the whole histogram costs epsilon once.
      const domain = bucketDomain(field!, input.bins);
      return { ...base, kind: 'histogram' as const, field: field!.name, buckets: domain.map((b) => ({ bucket: b, count: noisy(counts.get(b) ?? 0) })) };
    },
  };
}
export type AnalyticsService = ReturnType<typeof createAnalyticsService>;
