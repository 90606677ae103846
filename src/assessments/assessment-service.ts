/**
 * PI protection impact assessments: draft (guided questionnaire + scored risk sources) -> submitted ->
 * approved | rejected by the PI protection officer (`assessments.approve`), or returned to draft.
 * An approved assessment is frozen, locked against deletion for three years (PIPL Art. 56), supersedes
 * the earlier one of its activity, and puts its residual risks on the risk register. The activation
 * gate (`requireApproved`) is what the processing-activities register calls before an activity starts.
 */
import type { Db, Tx } from '../db/connection.js';
import { orderBySpec, type PageQuery, type SortSpec } from '../db/paging.js';
import { AppError, conflict, invalidField, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import { aboveAcceptable, chinaDate, loadMatrix, requireAnyPermission, toDay, type RiskMatrix, type RiskService } from '../risks/index.js';
import { addMonths, addYears, answerProblem, assessmentTriggers, deletionLocked, LOCK_YEARS, overallLevels, scoreSource, sourceProblems, submissionProblems, triggersCovered } from './assessment-rules.js';
import { renderDocx, renderPdf, type ReportInput } from './assessment-report.js';
import { QUESTIONNAIRE } from './questionnaire.js';
import { RIGHTS_IMPACT_TITLES, RIGHTS_IMPACTS, RISK_SOURCE_CATEGORIES, RISK_SOURCE_TITLES, TRIGGER_TITLES, TRIGGERS, type CreateAssessmentInput, type DecisionInput, type ListAssessmentsInput, type RiskSource, type Trigger, type UpdateAssessmentInput } from './assessment-types.js';

export const ASSESSMENT_SORT: SortSpec<'created_at' | 'updated_at' | 'title' | 'state' | 'next_review'> = { columns: { created_at: 'created_at', updated_at: 'updated_at', title: 'title', state: 'state', next_review: 'next_review' }, sort: 'created_at', order: 'desc', tiebreak: ['id'] };

export interface AssessmentDeps {
  db: Db;
  audit: Pick<AuditService, 'record'>;
  access: Pick<AccessService, 'requirePermission'>;
  risks: Pick<RiskService, 'registerFromAssessment'>;
  clock: Clock;
  tenantName?: (tx: Tx, tenantId: string) => Promise<string>;
}

type Row = Awaited<ReturnType<typeof loadRow>>;
async function loadRow(tx: Tx, tenantId: string, id: string, lock = false) {
  let q = tx.selectFrom('assessments').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (lock) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  if (!r) throw notFound('assessment.not_found', '评估不存在', 'assessment not found');
  return r;
}
const iso = (v: Date | null) => (v ? new Date(v).toISOString() : null);

export function presentAssessment(r: NonNullable<Row>, today: string) {
  const m = r.matrix as RiskMatrix;
  const sources = r.risk_sources as RiskSource[];
  const overall = overallLevels(m, sources);
  const locked = deletionLocked(r.state, toDay(r.locked_until), today);
  return {
    id: r.id, title: r.title, activity: r.activity, triggers: r.triggers as Trigger[], state: r.state, answers: r.answers, risk_sources: sources, matrix: m,
    overall_level: overall.inherent, residual_level: overall.residual, residual_acceptable: overall.residual === null ? null : !aboveAcceptable(m, overall.residual),
    created_by: r.created_by, created_at: iso(r.created_at), submitted_by: r.submitted_by, submitted_at: iso(r.submitted_at),
    decided_by: r.decided_by, decided_at: iso(r.decided_at), decision_note: r.decision_note,
    locked_until: toDay(r.locked_until), deletable: !locked, next_review: toDay(r.next_review), review_due: r.state === 'approved' && !r.superseded_by && r.next_review !== null && (toDay(r.next_review) as string) <= today,
    superseded_by: r.superseded_by, updated_at: iso(r.updated_at),
  };
}
export type AssessmentView = ReturnType<typeof presentAssessment>;

export function createAssessmentService(deps: AssessmentDeps) {
  const { db, audit, access, clock } = deps;
  const manage = (tx: Tx, actor: Actor) => access.requirePermission(tx, actor, 'assessments.manage');
  const read = (tx: Tx, actor: Actor) => requireAnyPermission(access, tx, actor, ['assessments.manage', 'assessments.approve']);
  const today = () => chinaDate(clock.now());

  /** The approved, not superseded assessment of an activity whose triggers cover the current ones. */
  async function approvedFor(tx: Tx, tenantId: string, activity: string, triggers: readonly string[]) {
    const rows = await tx.selectFrom('assessments').select(['id', 'triggers', 'decided_at', 'next_review']).where('tenant_id', '=', tenantId).where('activity', '=', activity)
      .where('state', '=', 'approved').where('superseded_by', 'is', null).orderBy('decided_at', 'desc').execute();
    return rows.find((r) => triggersCovered(r.triggers as string[], triggers)) ?? null;
  }

  async function insertDraft(tx: Tx, actor: Actor, input: { title: string; activity: string; triggers: Trigger[] }) {
    const id = newId('pia');
    const now = clock.now();
    const m = await loadMatrix(tx, actor.tenantId);
    await tx.insertInto('assessments').values({
      tenant_id: actor.tenantId, id, title: input.title, activity: input.activity, triggers: JSON.stringify(input.triggers), answers: JSON.stringify({}), risk_sources: JSON.stringify([]),
      matrix: JSON.stringify(m), created_by: actor.id, created_at: now, updated_at: now,
    }).execute();
    await audit.record(tx, actor, [{ action: 'assessment.create', decision: 'allow', details: { assessment_id: id, activity: input.activity, triggers: input.triggers } }]);
    return id;
  }

  return {
    /** The questionnaire and the vocabularies of risk sources, rights impacts and triggers. */
    async questionnaire(actor: Actor) {
      await db.transaction((tx) => read(tx, actor));
      return { steps: QUESTIONNAIRE, risk_source_categories: RISK_SOURCE_CATEGORIES.map((c) => ({ value: c, ...RISK_SOURCE_TITLES[c] })), rights_impacts: RIGHTS_IMPACTS.map((c) => ({ value: c, ...RIGHTS_IMPACT_TITLES[c] })), triggers: TRIGGERS.map((t) => ({ value: t, ...TRIGGER_TITLES[t] })) };
    },

    /**
     * The activation gate (PIPL Art. 55): throws 409 `assessment.required` unless an approved assessment of
     * this activity covers every trigger it has. Nothing to check when there is no trigger.
     */
    async requireApproved(tx: Tx, tenantId: string, activity: string, triggers: readonly string[]): Promise<{ assessment_id: string } | null> {
      if (triggers.length === 0) return null;
      const a = await approvedFor(tx, tenantId, activity, triggers);
      if (!a) {
        const names = triggers.map((t) => TRIGGER_TITLES[t as Trigger]?.zh ?? t).join('、');
        throw conflict('assessment.required', `处理活动 ${activity} 涉及${names}，须有已批准的个人信息保护影响评估才能启用`, `activity ${activity} needs an approved PI impact assessment covering ${triggers.join(', ')} before it can be activated`, [{ rule: 'assessment_required', activity, triggers: [...triggers] }]);
      }
      return { assessment_id: a.id };
    },

    /** Whether an assessment is approved, current (not superseded) and covers the trigger (e.g. cross_border). */
    async isApprovedFor(tx: Tx, tenantId: string, id: string, trigger: Trigger): Promise<boolean> {
      const a = await tx.selectFrom('assessments').select(['state', 'triggers', 'superseded_by']).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Boolean(a && a.state === 'approved' && !a.superseded_by && (a.triggers as string[]).includes(trigger));
    },

    /** Open a draft for an activity that has triggers, unless one is open or approved for them; returns its id. */
    async openForActivity(tx: Tx, actor: Actor, input: { activity: string; triggers: Trigger[]; title?: string }): Promise<string | null> {
      if (input.triggers.length === 0) return null;
      if (await approvedFor(tx, actor.tenantId, input.activity, input.triggers)) return null;
      const open = await tx.selectFrom('assessments').select(['id', 'triggers']).where('tenant_id', '=', actor.tenantId).where('activity', '=', input.activity).where('state', 'in', ['draft', 'submitted']).execute();
      const covering = open.find((o) => triggersCovered(o.triggers as string[], input.triggers));
      if (covering) return covering.id;
      return insertDraft(tx, actor, { title: input.title ?? `${input.activity} 个人信息保护影响评估`, activity: input.activity, triggers: input.triggers });
    },

    /** Whether an activity with this profile may be activated now (for applications and the console). */
    async gate(actor: Actor, activity: string, triggersIn: Trigger[]) {
      return db.transaction(async (tx) => {
        await read(tx, actor);
        const triggers = [...new Set(triggersIn)];
        const a = triggers.length ? await approvedFor(tx, actor.tenantId, activity, triggers) : null;
        return { activity, triggers, assessment_required: triggers.length > 0, approved_assessment: a?.id ?? null, may_activate: triggers.length === 0 || Boolean(a) };
      });
    },

    async create(actor: Actor, input: CreateAssessmentInput) {
      const triggers = [...new Set([...(input.triggers ?? []), ...(input.profile ? assessmentTriggers(input.profile) : [])])];
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const id = await insertDraft(tx, actor, { title: input.title, activity: input.activity, triggers });
        return presentAssessment(await loadRow(tx, actor.tenantId, id), today());
      });
    },

    async get(actor: Actor, id: string) {
      return db.transaction(async (tx) => { await read(tx, actor); return presentAssessment(await loadRow(tx, actor.tenantId, id), today()); });
    },

    async list(actor: Actor, q: ListAssessmentsInput & PageQuery<keyof typeof ASSESSMENT_SORT.columns>) {
      return db.transaction(async (tx) => {
        await read(tx, actor);
        let s = tx.selectFrom('assessments').selectAll().where('tenant_id', '=', actor.tenantId);
        if (q.state) s = s.where('state', '=', q.state);
        if (q.activity) s = s.where('activity', '=', q.activity);
        const limit = Math.min(q.limit ?? 50, 200);
        const offset = q.offset ?? 0;
        const total = Number((await s.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
        const rows = await orderBySpec(s, q, ASSESSMENT_SORT).limit(limit).offset(offset).execute();
        const t = today();
        return { assessments: rows.map((r) => presentAssessment(r, t)), total, next_offset: offset + rows.length < total ? offset + rows.length : null };
      });
    },

    /** Edit a draft: merge answers (null removes one), replace the risk sources, rename. */
    async update(actor: Actor, id: string, input: UpdateAssessmentInput) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadRow(tx, actor.tenantId, id, true);
        if (r.state !== 'draft') throw conflict('assessment.not_editable', '只有草稿可以修改（已提交、已批准或未通过的评估不可更改）', 'only a draft can be changed', [{ rule: 'not_draft', state: r.state }]);
        const m = r.matrix as RiskMatrix;
        const answers = { ...(r.answers as Record<string, unknown>) };
        for (const [k, v] of Object.entries(input.answers ?? {})) {
          if (v === null) { delete answers[k]; continue; }
          const p = answerProblem(k, v);
          if (p) throw invalidField(`answers.${k}`, p.zh, p.en);
          answers[k] = v;
        }
        let sources = r.risk_sources as RiskSource[];
        if (input.risk_sources) {
          input.risk_sources.forEach((s, i) => { const p = sourceProblems(m, s, i); if (p.length) throw invalidField(p[0].field, p[0].zh, p[0].en); });
          sources = input.risk_sources.map((s) => scoreSource(m, { ...s, id: s.id ?? newId('rs') }));
        }
        const overall = overallLevels(m, sources);
        await tx.updateTable('assessments').set({ title: input.title ?? r.title, answers: JSON.stringify(answers), risk_sources: JSON.stringify(sources), overall_level: overall.inherent, updated_at: clock.now() })
          .where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await audit.record(tx, actor, [{ action: 'assessment.update', decision: 'allow', details: { assessment_id: id, answers: Object.keys(input.answers ?? {}), risk_sources: input.risk_sources ? sources.length : undefined } }]);
        return presentAssessment(await loadRow(tx, actor.tenantId, id), today());
      });
    },

    async submit(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadRow(tx, actor.tenantId, id, true);
        if (r.state !== 'draft') throw conflict('assessment.not_editable', '只有草稿可以提交审批', 'only a draft can be submitted', [{ rule: 'not_draft', state: r.state }]);
        const problems = submissionProblems(r.matrix as RiskMatrix, r.answers as Record<string, unknown>, r.risk_sources as RiskSource[]);
        if (problems.length) throw new AppError(422, 'assessment.incomplete', `评估尚未完成：${problems[0].field} ${problems[0].zh}`, `The assessment is incomplete: ${problems[0].field} ${problems[0].en}`, problems.map((p) => ({ field: p.field, reason: p.en })));
        const now = clock.now();
        await tx.updateTable('assessments').set({ state: 'submitted', submitted_by: actor.id, submitted_at: now, updated_at: now }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await audit.record(tx, actor, [{ action: 'assessment.submit', decision: 'allow', details: { assessment_id: id, activity: r.activity } }]);
        return presentAssessment(await loadRow(tx, actor.tenantId, id), today());
      });
    },

    /** The PI protection officer's decision: approve (frozen, locked 3 years), return to draft, or reject. */
    async decide(actor: Actor, id: string, input: DecisionInput) {
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'assessments.approve');
        const r = await loadRow(tx, actor.tenantId, id, true);
        if (r.state !== 'submitted') throw conflict('assessment.not_submitted', '只能对已提交审批的评估作出决定', 'only a submitted assessment can be decided', [{ rule: 'not_submitted', state: r.state }]);
        if (!input.note.trim()) throw invalidField('note', '必须填写审批意见', 'must hold the decision\'s reasons');
        const m = r.matrix as RiskMatrix;
        const sources = r.risk_sources as RiskSource[];
        const now = clock.now();
        const day = chinaDate(now);
        if (input.decision === 'return') {
          await tx.updateTable('assessments').set({ state: 'draft', decision_note: input.note, updated_at: now }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
          await audit.record(tx, actor, [{ action: 'assessment.return', decision: 'allow', details: { assessment_id: id } }]);
          return presentAssessment(await loadRow(tx, actor.tenantId, id), day);
        }
        const residual = overallLevels(m, sources).residual;
        if (input.decision === 'approve' && residual && aboveAcceptable(m, residual) && !input.accept_residual) {
          throw conflict('assessment.residual_risk', `残余风险（${residual}）高于可接受水平（${m.acceptable_level}）：须明确接受残余风险（accept_residual）或退回补充处置措施`, `residual risk (${residual}) is above the acceptable level (${m.acceptable_level}): accept it explicitly (accept_residual) or return the assessment`, [{ rule: 'residual_above_acceptable', residual, acceptable: m.acceptable_level }]);
        }
        const approved = input.decision === 'approve';
        await tx.updateTable('assessments').set({
          state: approved ? 'approved' : 'rejected', decided_by: actor.id, decided_at: now, decision_note: input.note, locked_until: addYears(day, LOCK_YEARS),
          next_review: approved ? addMonths(day, m.review_months) : null, updated_at: now,
        }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        let riskIds: string[] = [];
        let superseded: string[] = [];
        if (approved) {
          const older = await tx.selectFrom('assessments').select('id').where('tenant_id', '=', actor.tenantId).where('activity', '=', r.activity).where('state', '=', 'approved').where('superseded_by', 'is', null).where('id', '!=', id).execute();
          superseded = older.map((o) => o.id);
          if (superseded.length) await tx.updateTable('assessments').set({ superseded_by: id }).where('tenant_id', '=', actor.tenantId).where('id', 'in', superseded).execute();
          const toRegister = sources.filter((s) => s.register || aboveAcceptable(m, s.residual_level));
          riskIds = await deps.risks.registerFromAssessment(tx, actor, toRegister.map((s) => ({
            title: `${r.title}：${s.description.slice(0, 120)}`, description: s.mitigation ?? undefined, assessment_id: id, owner: s.owner ?? r.created_by,
            likelihood: s.residual_likelihood ?? s.likelihood, impact: s.residual_impact ?? s.impact, treatment: aboveAcceptable(m, s.residual_level) ? (input.accept_residual ? 'accept' : 'mitigate') : 'mitigate', treatment_plan: s.mitigation ?? undefined,
          })));
        }
        await audit.record(tx, actor, [{ action: approved ? 'assessment.approve' : 'assessment.reject', decision: 'allow', details: { assessment_id: id, activity: r.activity, residual, accept_residual: Boolean(input.accept_residual), risks: riskIds, superseded } }]);
        return { ...presentAssessment(await loadRow(tx, actor.tenantId, id), day), registered_risks: riskIds };
      });
    },

    /** Delete a draft, or a completed assessment once its three-year lock has run out. */
    async remove(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadRow(tx, actor.tenantId, id, true);
        const t = today();
        if (deletionLocked(r.state, toDay(r.locked_until), t)) {
          const until = toDay(r.locked_until);
          throw conflict('assessment.locked', until ? `评估报告须保存至 ${until}（个人信息保护法第56条：至少三年），在此之前不得删除` : '已提交审批的评估不能删除', until ? `the assessment must be kept until ${until} (PIPL Art. 56: at least three years)` : 'a submitted assessment cannot be deleted', [{ rule: 'retention_lock', locked_until: until, state: r.state }]);
        }
        await tx.deleteFrom('assessments').where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await audit.record(tx, actor, [{ action: 'assessment.delete', decision: 'allow', details: { assessment_id: id, state: r.state, activity: r.activity } }]);
        return { id, deleted: true };
      });
    },

    /** The report as PDF or DOCX (zh-CN); its download is audited. */
    async report(actor: Actor, id: string, format: 'pdf' | 'docx') {
      const input = await db.transaction(async (tx) => {
        await read(tx, actor);
        const r = await loadRow(tx, actor.tenantId, id);
        await audit.record(tx, actor, [{ action: 'assessment.report', decision: 'allow', details: { assessment_id: id, format } }]);
        const v = presentAssessment(r, today());
        const tenant = deps.tenantName ? await deps.tenantName(tx, actor.tenantId) : actor.tenantId;
        const local = (s: string | null) => (s ? new Date(new Date(s).getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ') : null);
        const out: ReportInput = {
          id: v.id, title: v.title, activity: v.activity, triggers: v.triggers, state: v.state, answers: v.answers as Record<string, unknown>, risk_sources: v.risk_sources, matrix: v.matrix,
          created_by: v.created_by, created_at: local(v.created_at) ?? '', submitted_at: local(v.submitted_at), decided_by: v.decided_by, decided_at: local(v.decided_at), decision_note: v.decision_note,
          locked_until: v.locked_until, next_review: v.next_review, tenant, generated_at: local(clock.now().toISOString()) as string,
        };
        return out;
      });
      const body = format === 'pdf' ? await renderPdf(input) : await renderDocx(input);
      return {
        body, filename: `assessment-${id}.${format}`,
        contentType: format === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      };
    },
  };
}
export type AssessmentService = ReturnType<typeof createAssessmentService>;
