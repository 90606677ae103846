/**
 * Cross-border transfers (数据出境): each transfer records destination, recipient, PI types and the
 * counts of individuals; the yearly volume (since 1 January, per tenant) decides the required route.
 * A transfer is blocked, audited and refused when its route does not cover the volume, when the
 * consent-based legal basis has no separate-consent purpose (PIPL Art. 39), or when no approved impact
 * assessment covering export exists (PIPL Art. 55). Alerts at 80% of each threshold come back with it.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/connection.js';
import { orderBySpec, type PageQuery, type SortSpec } from '../db/paging.js';
import { AppError, invalidField, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import type { AssessmentService } from '../assessments/index.js';
import { addWorkingDays } from '../rights/index.js';
import { chinaDate, toDay } from '../risks/index.js';
import { DEFAULT_TRANSFER_RULES, requiredRoute, routeRefusal, volumeAlerts, type ExemptionGround, type Route, type TransferRules, type Volume } from './transfer-rules.js';

export const TRANSFER_SORT: SortSpec<'transfer_date' | 'created_at' | 'destination_country' | 'recipient' | 'non_sensitive' | 'sensitive'> = { columns: { transfer_date: 'transfer_date', created_at: 'created_at', destination_country: 'destination_country', recipient: 'recipient', non_sensitive: 'non_sensitive', sensitive: 'sensitive' }, sort: 'transfer_date', order: 'desc', tiebreak: ['id'] };

export interface TransferInput {
  transfer_date?: string; destination_country: string; recipient: string; mode?: 'transmission' | 'remote_access' | 'storage_abroad'; third_party_id?: string; purpose: string; pi_types: string[];
  non_sensitive: number; sensitive: number; route: Route; route_ref?: string; filing_date?: string; contract_effective_date?: string; exemption_ground?: ExemptionGround;
  legal_basis: string; consent_purpose?: string; assessment_id: string;
}
export interface TransferDeps { db: Db; audit: Pick<AuditService, 'record'>; access: Pick<AccessService, 'requirePermission'>; assessments: Pick<AssessmentService, 'isApprovedFor'>; clock: Clock }

class Refusal { constructor(readonly error: AppError) {} }
const iso = (v: Date | null) => (v ? new Date(v).toISOString() : null);

export async function loadTransferRules(tx: Tx, tenantId: string): Promise<TransferRules> {
  const row = await tx.selectFrom('compliance_settings').select('transfer_rules').where('tenant_id', '=', tenantId).executeTakeFirst();
  return { ...DEFAULT_TRANSFER_RULES, ...((row?.transfer_rules as Partial<TransferRules> | null) ?? {}) };
}

type Row = { id: string; year: number; transfer_date: unknown; destination_country: string; recipient: string; mode: string; third_party_id: string | null; purpose: string; pi_types: unknown; non_sensitive: number; sensitive: number; cumulative_non_sensitive: number; cumulative_sensitive: number; required_route: string; route: string; route_ref: string | null; filing_date: unknown; contract_effective_date: unknown; exemption_ground: string | null; legal_basis: string; consent_purpose: string | null; assessment_id: string; alerts: unknown; created_by: string; created_at: Date };
function present(r: Row) {
  return {
    id: r.id, year: r.year, transfer_date: toDay(r.transfer_date), destination_country: r.destination_country, recipient: r.recipient, mode: r.mode, third_party_id: r.third_party_id, purpose: r.purpose, pi_types: r.pi_types as string[],
    non_sensitive: r.non_sensitive, sensitive: r.sensitive, cumulative: { non_sensitive: Number(r.cumulative_non_sensitive), sensitive: Number(r.cumulative_sensitive) }, required_route: r.required_route,
    route: r.route, route_ref: r.route_ref, filing_date: toDay(r.filing_date), contract_effective_date: toDay(r.contract_effective_date), exemption_ground: r.exemption_ground,
    legal_basis: r.legal_basis, consent_purpose: r.consent_purpose, assessment_id: r.assessment_id, alerts: r.alerts, created_by: r.created_by, created_at: iso(r.created_at),
  };
}

export function createTransferService(deps: TransferDeps) {
  const { db, audit, access, clock } = deps;
  const manage = (tx: Tx, actor: Actor) => access.requirePermission(tx, actor, 'transfers.manage');

  async function volume(tx: Tx, tenantId: string, year: number, lock: boolean): Promise<Volume> {
    if (lock) {
      await sql`insert into transfer_volumes (tenant_id, year) values (${tenantId}, ${year}) on conflict do nothing`.execute(tx);
      const r = await sql<{ non_sensitive: number; sensitive: number }>`select non_sensitive, sensitive from transfer_volumes where tenant_id = ${tenantId} and year = ${year} for update`.execute(tx);
      return { non_sensitive: Number(r.rows[0].non_sensitive), sensitive: Number(r.rows[0].sensitive) };
    }
    const r = await tx.selectFrom('transfer_volumes').select(['non_sensitive', 'sensitive']).where('tenant_id', '=', tenantId).where('year', '=', year).executeTakeFirst();
    return { non_sensitive: Number(r?.non_sensitive ?? 0), sensitive: Number(r?.sensitive ?? 0) };
  }

  function evaluate(rules: TransferRules, before: Volume, add: Volume) {
    const after = { non_sensitive: before.non_sensitive + add.non_sensitive, sensitive: before.sensitive + add.sensitive };
    return { before, after, required: requiredRoute(after, rules), alerts: volumeAlerts(before, after, rules) };
  }

  return {
    /** What a transfer of this size would need this year, without recording anything. */
    async check(actor: Actor, input: { non_sensitive: number; sensitive: number; transfer_date?: string }) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const day = input.transfer_date ?? chinaDate(clock.now());
        const year = Number(day.slice(0, 4));
        const rules = await loadTransferRules(tx, actor.tenantId);
        const e = evaluate(rules, await volume(tx, actor.tenantId, year, false), { non_sensitive: input.non_sensitive, sensitive: input.sensitive });
        return { year, cumulative: e.after, year_to_date: e.before, required_route: e.required, alerts: e.alerts, thresholds: rules.thresholds, ciio: rules.ciio };
      });
    },

    async volume(actor: Actor, year?: number) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const y = year ?? Number(chinaDate(clock.now()).slice(0, 4));
        const rules = await loadTransferRules(tx, actor.tenantId);
        const v = await volume(tx, actor.tenantId, y, false);
        return { year: y, ...v, required_route: requiredRoute(v, rules), alerts: volumeAlerts({ non_sensitive: 0, sensitive: 0 }, v, rules).filter((a) => a.kind === 'approaching'), thresholds: rules.thresholds, alert_ratio: rules.alert_ratio, ciio: rules.ciio };
      });
    },

    async setRules(actor: Actor, input: Partial<TransferRules>) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const rules = { ...(await loadTransferRules(tx, actor.tenantId)), ...input };
        await tx.insertInto('compliance_settings').values({ tenant_id: actor.tenantId, transfer_rules: JSON.stringify(rules), updated_at: clock.now() })
          .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ transfer_rules: JSON.stringify(rules), updated_at: clock.now() })).execute();
        await audit.record(tx, actor, [{ action: 'transfer.rules', decision: 'allow', details: { ...rules } }]);
        return rules;
      });
    },

    async create(actor: Actor, input: TransferInput) {
      const out = await db.transaction(async (tx) => {
        await manage(tx, actor);
        const today = chinaDate(clock.now());
        const day = input.transfer_date ?? today;
        if (day > today) throw invalidField('transfer_date', '不能晚于今天（出境前请用 /transfers/check 预检）', 'cannot be in the future (use /transfers/check before a transfer)');
        const year = Number(day.slice(0, 4));
        if (input.third_party_id) {
          const p = await tx.selectFrom('third_parties').select('id').where('tenant_id', '=', actor.tenantId).where('id', '=', input.third_party_id).executeTakeFirst();
          if (!p) throw invalidField('third_party_id', '不是已登记的第三方', 'is not a registered third party');
        }
        if (input.legal_basis === 'consent') {
          if (!input.consent_purpose) throw invalidField('consent_purpose', '以同意为基础出境须取得单独同意（个人信息保护法第39条）：请指定记录单独同意的目的', 'is required: a consent-based transfer needs separate consent (PIPL Art. 39)');
          const p = await tx.selectFrom('purposes').select('legal_basis').where('tenant_id', '=', actor.tenantId).where('name', '=', input.consent_purpose).executeTakeFirst();
          if (!p || p.legal_basis !== 'consent') throw invalidField('consent_purpose', '必须是以同意为合法性基础的已登记目的', 'must be a registered purpose with consent as its basis');
        }
        const rules = await loadTransferRules(tx, actor.tenantId);
        const e = evaluate(rules, await volume(tx, actor.tenantId, year, true), { non_sensitive: input.non_sensitive, sensitive: input.sensitive });
        const details = { destination_country: input.destination_country, required_route: e.required, route: input.route, cumulative: e.after, year };
        const block = async (rule: string, zh: string, en: string, field?: string) => {
          await audit.record(tx, actor, [{ action: 'transfer.create', decision: 'deny', reason: rule, purpose: input.purpose, details }]);
          return new Refusal(new AppError(409, `transfer.${rule}`, `数据出境被阻止：${zh}`, `Transfer blocked: ${en}`, [{ rule, required_route: e.required, ...(field ? { field } : {}) }]));
        };
        if (!(await deps.assessments.isApprovedFor(tx, actor.tenantId, input.assessment_id, 'cross_border'))) {
          return block('assessment_required', '须有已批准且涵盖数据出境的个人信息保护影响评估（第55条）', 'an approved impact assessment covering export is required (PIPL Art. 55)', 'assessment_id');
        }
        const deadline = input.contract_effective_date ? addWorkingDays(input.contract_effective_date, 10).day : null;
        const r = routeRefusal(e.required, input, today, deadline);
        if (r) return block(r.rule, r.zh, r.en, r.field);
        const alerts = [...e.alerts, ...(input.filing_date && deadline && input.filing_date > deadline ? [{ kind: 'filing_late', filing_date: input.filing_date, deadline }] : [])];
        const id = newId('xbt');
        await tx.updateTable('transfer_volumes').set({ non_sensitive: e.after.non_sensitive, sensitive: e.after.sensitive }).where('tenant_id', '=', actor.tenantId).where('year', '=', year).execute();
        await tx.insertInto('cross_border_transfers').values({
          tenant_id: actor.tenantId, id, year, transfer_date: day, destination_country: input.destination_country, recipient: input.recipient, mode: input.mode ?? 'transmission', third_party_id: input.third_party_id ?? null,
          purpose: input.purpose, pi_types: JSON.stringify(input.pi_types), non_sensitive: input.non_sensitive, sensitive: input.sensitive, cumulative_non_sensitive: e.after.non_sensitive, cumulative_sensitive: e.after.sensitive,
          required_route: e.required, route: input.route, route_ref: input.route_ref ?? null, filing_date: input.filing_date ?? null, contract_effective_date: input.contract_effective_date ?? null, exemption_ground: input.exemption_ground ?? null,
          legal_basis: input.legal_basis, consent_purpose: input.consent_purpose ?? null, assessment_id: input.assessment_id, alerts: JSON.stringify(alerts), created_by: actor.id, created_at: clock.now(),
        }).execute();
        await audit.record(tx, actor, [{ action: 'transfer.create', decision: 'allow', purpose: input.purpose, details: { transfer_id: id, ...details, alerts: alerts.map((a) => a.kind) } }]);
        return present((await tx.selectFrom('cross_border_transfers').selectAll().where('tenant_id', '=', actor.tenantId).where('id', '=', id).executeTakeFirstOrThrow()) as Row);
      });
      if (out instanceof Refusal) throw out.error;
      return out;
    },

    async list(actor: Actor, q: { year?: number; destination_country?: string; third_party_id?: string; route?: string } & PageQuery<keyof typeof TRANSFER_SORT.columns>) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        let s = tx.selectFrom('cross_border_transfers').selectAll().where('tenant_id', '=', actor.tenantId);
        if (q.year) s = s.where('year', '=', q.year);
        if (q.destination_country) s = s.where('destination_country', '=', q.destination_country);
        if (q.third_party_id) s = s.where('third_party_id', '=', q.third_party_id);
        if (q.route) s = s.where('route', '=', q.route);
        const limit = Math.min(q.limit ?? 50, 200), offset = q.offset ?? 0;
        const total = Number((await s.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
        const rows = await orderBySpec(s, q, TRANSFER_SORT).limit(limit).offset(offset).execute();
        return { transfers: rows.map((r) => present(r as Row)), total, next_offset: offset + rows.length < total ? offset + rows.length : null };
      });
    },

    async get(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await tx.selectFrom('cross_border_transfers').selectAll().where('tenant_id', '=', actor.tenantId).where('id', '=', id).executeTakeFirst();
        if (!r) throw notFound('transfer.not_found', '出境记录不存在', 'transfer not found');
        return present(r as Row);
      });
    },
  };
}
export type TransferService = ReturnType<typeof createTransferService>;
