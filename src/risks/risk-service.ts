/**
 * The risk register: risks with owner, department, likelihood x impact on the tenant's matrix,
 * treatment, due date, status and periodic reviews; a daily job flags overdue reviews and treatments.
 * Every change is audited in its transaction. Risks hold no PI: titles and descriptions are about processing.
 */
import type { Db, Tx } from '../db/connection.js';
import { orderBySpec, type PageQuery, type SortSpec } from '../db/paging.js';
import { conflict, invalidField, notFound, type AppError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService, Permission } from '../access/index.js';
import { chinaDate, addCalendarDaysTo } from './risk-dates.js';
import { levelOf, loadMatrix, matrixProblems, scaleProblem, type RiskMatrix } from './risk-matrix.js';

export const RISK_SORT: SortSpec<'score' | 'title' | 'status' | 'next_review' | 'due_date' | 'created_at' | 'owner'> = { columns: { score: 'score', title: 'title', status: 'status', next_review: 'next_review', due_date: 'due_date', created_at: 'created_at', owner: 'owner' }, sort: 'score', order: 'desc', tiebreak: ['id'] };

export const RISK_STATUSES = ['open', 'treating', 'accepted', 'closed'] as const;
export type RiskStatus = (typeof RISK_STATUSES)[number];
export const TREATMENTS = ['mitigate', 'accept', 'transfer', 'avoid'] as const;
export const RISK_SOURCES = ['manual', 'assessment', 'audit', 'incident', 'third_party', 'transfer'] as const;

export interface RiskInput {
  title: string; description?: string; source?: (typeof RISK_SOURCES)[number]; assessment_id?: string; owner: string; department?: string;
  likelihood: number; impact: number; treatment: (typeof TREATMENTS)[number]; treatment_plan?: string; due_date?: string; review_interval_days?: number;
}
export type RiskPatch = Partial<Omit<RiskInput, 'source' | 'assessment_id'>> & { status?: RiskStatus };
export interface ReviewInput { note?: string; likelihood?: number; impact?: number; status?: RiskStatus }
export interface ListRisksInput { status?: RiskStatus; level?: string; likelihood?: number; impact?: number; owner?: string; department?: string; flagged?: boolean; assessment_id?: string; limit?: number; offset?: number }

export interface RisksDeps { db: Db; audit: Pick<AuditService, 'record'>; access: Pick<AccessService, 'requirePermission'>; clock: Clock; defaultReviewDays?: number }

export const toDay = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v.slice(0, 10);
  const d = v as Date;
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};
const iso = (v: Date | null) => (v ? new Date(v).toISOString() : null);

type Row = Awaited<ReturnType<typeof loadRow>>;
async function loadRow(tx: Tx, tenantId: string, id: string, lock = false) {
  let q = tx.selectFrom('risks').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (lock) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  if (!r) throw notFound('risk.not_found', '风险不存在', 'risk not found');
  return r;
}

export function presentRisk(r: NonNullable<Row>, today: string) {
  const open = r.status !== 'closed' && r.status !== 'accepted';
  return {
    id: r.id, title: r.title, description: r.description, source: r.source, assessment_id: r.assessment_id, owner: r.owner, department: r.department,
    likelihood: r.likelihood, impact: r.impact, score: r.score, level: r.level, treatment: r.treatment, treatment_plan: r.treatment_plan,
    due_date: toDay(r.due_date), status: r.status, review_interval_days: r.review_interval_days, next_review: toDay(r.next_review),
    review_overdue: r.status !== 'closed' && (toDay(r.next_review) as string) < today, treatment_overdue: open && r.due_date !== null && (toDay(r.due_date) as string) < today,
    flag: r.flag, last_reviewed_at: iso(r.last_reviewed_at), created_at: iso(r.created_at), updated_at: iso(r.updated_at), closed_at: iso(r.closed_at),
  };
}
export type RiskView = ReturnType<typeof presentRisk>;

/** Refuse unless the actor holds one of the permissions (the last refusal is thrown). */
export async function requireAnyPermission(access: Pick<AccessService, 'requirePermission'>, tx: Tx, actor: Actor, perms: Permission[]): Promise<void> {
  let last: AppError | undefined;
  for (const p of perms) {
    try { await access.requirePermission(tx, actor, p); return; } catch (e) { last = e as AppError; }
  }
  throw last;
}

export function createRiskService(deps: RisksDeps) {
  const { db, audit, access, clock } = deps;
  const defaultReview = deps.defaultReviewDays ?? 90;
  const manage = (tx: Tx, actor: Actor) => access.requirePermission(tx, actor, 'risks.manage');

  function checkScale(m: RiskMatrix, l: number, i: number, prefix = '') {
    const pl = scaleProblem(m, 'likelihood', l);
    if (pl) throw invalidField(`${prefix}likelihood`, pl.zh, pl.en);
    const pi = scaleProblem(m, 'impact', i);
    if (pi) throw invalidField(`${prefix}impact`, pi.zh, pi.en);
  }

  async function insertRisk(tx: Tx, actor: Actor, m: RiskMatrix, input: RiskInput): Promise<string> {
    checkScale(m, input.likelihood, input.impact);
    const id = newId('rsk');
    const now = clock.now();
    const interval = input.review_interval_days ?? defaultReview;
    const score = input.likelihood * input.impact;
    await tx.insertInto('risks').values({
      tenant_id: actor.tenantId, id, title: input.title, description: input.description ?? null, source: input.source ?? 'manual', assessment_id: input.assessment_id ?? null,
      owner: input.owner, department: input.department ?? null, likelihood: input.likelihood, impact: input.impact, score, level: levelOf(m, score),
      treatment: input.treatment, treatment_plan: input.treatment_plan ?? null, due_date: input.due_date ?? null, review_interval_days: interval,
      next_review: addCalendarDaysTo(chinaDate(now), interval), created_at: now, updated_at: now,
    }).execute();
    await audit.record(tx, actor, [{ action: 'risk.create', decision: 'allow', details: { risk_id: id, source: input.source ?? 'manual', level: levelOf(m, score), ...(input.assessment_id ? { assessment_id: input.assessment_id } : {}) } }]);
    return id;
  }

  return {
    loadMatrix,
    async getMatrix(actor: Actor) {
      return db.transaction(async (tx) => {
        await requireAnyPermission(access, tx, actor, ['risks.manage', 'assessments.manage', 'assessments.approve']);
        return loadMatrix(tx, actor.tenantId);
      });
    },
    /** Replace the tenant's matrix; refused while open risks lie outside the new scales. */
    async setMatrix(actor: Actor, m: RiskMatrix) {
      const problems = matrixProblems(m);
      if (problems.length) throw invalidField(problems[0].field, problems[0].zh, problems[0].en);
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'assessments.approve');
        const out = await tx.selectFrom('risks').select('id').where('tenant_id', '=', actor.tenantId).where('status', '!=', 'closed')
          .where((eb) => eb.or([eb('likelihood', '>', m.likelihood.length), eb('impact', '>', m.impact.length)])).limit(1).execute();
        if (out.length) throw conflict('risk.matrix_in_use', '仍有未关闭的风险超出新矩阵的等级范围，请先调整这些风险', 'open risks lie outside the new scales; re-score them first');
        await tx.insertInto('compliance_settings').values({ tenant_id: actor.tenantId, risk_matrix: JSON.stringify(m), updated_at: clock.now() })
          .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ risk_matrix: JSON.stringify(m), updated_at: clock.now() })).execute();
        // Re-level the open risks: their scores stay, the bands may have moved.
        const open = await tx.selectFrom('risks').select(['id', 'score', 'level']).where('tenant_id', '=', actor.tenantId).where('status', '!=', 'closed').execute();
        for (const r of open) if (levelOf(m, r.score) !== r.level) await tx.updateTable('risks').set({ level: levelOf(m, r.score) }).where('tenant_id', '=', actor.tenantId).where('id', '=', r.id).execute();
        await audit.record(tx, actor, [{ action: 'risk.matrix', decision: 'allow', details: { likelihood: m.likelihood.length, impact: m.impact.length, levels: m.levels.map((l) => l.level), acceptable_level: m.acceptable_level } }]);
        return m;
      });
    },

    async create(actor: Actor, input: RiskInput) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const id = await insertRisk(tx, actor, await loadMatrix(tx, actor.tenantId), input);
        return presentRisk(await loadRow(tx, actor.tenantId, id), chinaDate(clock.now()));
      });
    },

    /** Called by an approved assessment inside its own transaction (the assessment service checked its permission). */
    async registerFromAssessment(tx: Tx, actor: Actor, items: Array<Omit<RiskInput, 'source'>>): Promise<string[]> {
      const m = await loadMatrix(tx, actor.tenantId);
      const ids: string[] = [];
      for (const it of items) ids.push(await insertRisk(tx, actor, m, { ...it, source: 'assessment' }));
      return ids;
    },

    async get(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadRow(tx, actor.tenantId, id);
        const reviews = await tx.selectFrom('risk_reviews').select(['id', 'at', 'reviewer', 'note', 'likelihood', 'impact', 'status']).where('tenant_id', '=', actor.tenantId).where('risk_id', '=', id).orderBy('at', 'desc').execute();
        return { ...presentRisk(r, chinaDate(clock.now())), reviews: reviews.map((x) => ({ ...x, at: iso(x.at) })) };
      });
    },

    async list(actor: Actor, q: ListRisksInput & PageQuery<keyof typeof RISK_SORT.columns>) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const today = chinaDate(clock.now());
        let s = tx.selectFrom('risks').selectAll().where('tenant_id', '=', actor.tenantId);
        if (q.status) s = s.where('status', '=', q.status);
        if (q.level) s = s.where('level', '=', q.level);
        if (q.likelihood) s = s.where('likelihood', '=', q.likelihood);
        if (q.impact) s = s.where('impact', '=', q.impact);
        if (q.owner) s = s.where('owner', '=', q.owner);
        if (q.department) s = s.where('department', '=', q.department);
        if (q.assessment_id) s = s.where('assessment_id', '=', q.assessment_id);
        if (q.flagged === true) s = s.where('flag', 'is not', null);
        const limit = Math.min(q.limit ?? 50, 200);
        const offset = q.offset ?? 0;
        const total = Number((await s.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
        const rows = await orderBySpec(s, q, RISK_SORT).limit(limit).offset(offset).execute();
        return { risks: rows.map((r) => presentRisk(r, today)), total, next_offset: offset + rows.length < total ? offset + rows.length : null };
      });
    },

    async update(actor: Actor, id: string, patch: RiskPatch) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadRow(tx, actor.tenantId, id, true);
        const m = await loadMatrix(tx, actor.tenantId);
        const l = patch.likelihood ?? r.likelihood, i = patch.impact ?? r.impact;
        checkScale(m, l, i);
        const now = clock.now();
        const set: Record<string, unknown> = { ...patch, likelihood: l, impact: i, score: l * i, level: levelOf(m, l * i), updated_at: now };
        if (patch.review_interval_days) set.next_review = addCalendarDaysTo(chinaDate(now), patch.review_interval_days);
        if (patch.status === 'closed' && r.status !== 'closed') { set.closed_at = now; set.flag = null; }
        if (patch.status && patch.status !== 'closed') set.closed_at = null;
        await tx.updateTable('risks').set(set).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await audit.record(tx, actor, [{ action: 'risk.update', decision: 'allow', details: { risk_id: id, changed: Object.keys(patch), level: set.level, status: patch.status ?? r.status } }]);
        return presentRisk(await loadRow(tx, actor.tenantId, id), chinaDate(now));
      });
    },

    /** Record a periodic review; the next one is due one interval later. */
    async review(actor: Actor, id: string, input: ReviewInput) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadRow(tx, actor.tenantId, id, true);
        const m = await loadMatrix(tx, actor.tenantId);
        const l = input.likelihood ?? r.likelihood, i = input.impact ?? r.impact;
        checkScale(m, l, i);
        const now = clock.now();
        const status = input.status ?? (r.status as RiskStatus);
        await tx.insertInto('risk_reviews').values({ tenant_id: actor.tenantId, id: newId('rrv'), risk_id: id, at: now, reviewer: actor.id, note: input.note ?? null, likelihood: l, impact: i, status }).execute();
        await tx.updateTable('risks').set({
          likelihood: l, impact: i, score: l * i, level: levelOf(m, l * i), status, last_reviewed_at: now, next_review: addCalendarDaysTo(chinaDate(now), r.review_interval_days), flag: null, updated_at: now,
          ...(status === 'closed' && r.status !== 'closed' ? { closed_at: now } : {}),
        }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await audit.record(tx, actor, [{ action: 'risk.review', decision: 'allow', details: { risk_id: id, level: levelOf(m, l * i), status } }]);
        return presentRisk(await loadRow(tx, actor.tenantId, id), chinaDate(now));
      });
    },

    /** Counts of risks not closed per likelihood x impact cell, with the matrix to draw it. */
    async heatmap(actor: Actor, q: { department?: string } = {}) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const m = await loadMatrix(tx, actor.tenantId);
        let s = tx.selectFrom('risks').select(['likelihood', 'impact', (eb) => eb.fn.countAll<number>().as('n')]).where('tenant_id', '=', actor.tenantId).where('status', 'not in', ['closed']);
        if (q.department) s = s.where('department', '=', q.department);
        const rows = await s.groupBy(['likelihood', 'impact']).execute();
        const cells = [];
        for (const l of m.likelihood) for (const i of m.impact) {
          const hit = rows.find((r) => r.likelihood === l.value && r.impact === i.value);
          cells.push({ likelihood: l.value, impact: i.value, score: l.value * i.value, level: levelOf(m, l.value * i.value), count: Number(hit?.n ?? 0) });
        }
        return { matrix: m, cells, total: cells.reduce((a, c) => a + c.count, 0) };
      });
    },

    /** Daily job: flag risks whose review or treatment is overdue; clear flags that no longer hold. */
    async flagReviews(tenantId: string, now: Date) {
      const system: Actor = { type: 'system', id: 'job:risks.reviews', tenantId, roles: [] };
      const today = chinaDate(now);
      return db.transaction(async (tx) => {
        const rows = await tx.selectFrom('risks').select(['id', 'status', 'next_review', 'due_date', 'flag']).where('tenant_id', '=', tenantId).where('status', '!=', 'closed').forUpdate().execute();
        const events = [];
        let review = 0, treatment = 0;
        for (const r of rows) {
          const open = r.status !== 'accepted';
          const flag = (toDay(r.next_review) as string) < today ? 'review_overdue' : open && r.due_date && (toDay(r.due_date) as string) < today ? 'treatment_overdue' : null;
          if (flag === 'review_overdue') review++; else if (flag) treatment++;
          if (flag !== r.flag) {
            await tx.updateTable('risks').set({ flag }).where('tenant_id', '=', tenantId).where('id', '=', r.id).execute();
            events.push({ action: 'risk.flag', decision: 'allow' as const, details: { risk_id: r.id, flag } });
          }
        }
        await audit.record(tx, system, events);
        return { today, review_overdue: review, treatment_overdue: treatment, changed: events.length };
      });
    },
  };
}
export type RiskService = ReturnType<typeof createRiskService>;
