/**
 * Incidents: opened by hand or from alerts, graded from the affected count, with a countdown to the
 * regulator report from the detection time, a timeline of every action, the response plan's checklist,
 * post-incident review, closure and the summary report due after closing. Every change is audited in
 * its transaction and pushed to the tenant's sinks.
 */
import type { Db, Tx } from '../db/connection.js';
import { orderBySpec, type PageQuery, type SortSpec } from '../db/paging.js';
import { conflict, invalidField, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import type { CollectionStore } from '../vault/index.js';
import { canMove, countdown, effectiveGrade, gradeFor, GRADE_LABELS, reportDueAt, reportHours, summaryDueAt } from './incident-rules.js';
import { computeScope, scopeSubjects, type ScopeSummary } from './incident-scope.js';
import { addTimeline, iso, loadIncident, loadSettings, type IncidentRow } from './incident-repo.js';
import { publish } from './sinks.js';
import { kindLabel, type ReportDocument } from './incident-report.js';
import { GRADES, type ChecklistItem, type Grade, type IncidentSettings, type IncidentState, type OpenIncidentInput, type PlanStep, type ReviewInput, type ScopeInput, type StepKind, type UpdateIncidentInput } from './incident-types.js';

export const INCIDENT_SORT: SortSpec<'detected_at' | 'report_due_at' | 'affected_count' | 'title' | 'state' | 'updated_at'> = { columns: { detected_at: 'detected_at', report_due_at: 'report_due_at', affected_count: 'affected_count', title: 'title', state: 'state', updated_at: 'updated_at' }, sort: 'detected_at', order: 'desc', tiebreak: ['id'] };

export interface IncidentDeps {
  db: Db;
  audit: Pick<AuditService, 'record'>;
  access: Pick<AccessService, 'requirePermission'>;
  collections: Pick<CollectionStore, 'list'>;
  clock: Clock;
}
export interface ListIncidentsInput { state?: IncidentState; kind?: string; grade?: Grade; flag?: string; limit?: number; offset?: number }

export function presentIncident(r: IncidentRow, now: Date, s: IncidentSettings) {
  const computed = gradeFor(Number(r.affected_count), s.grade_thresholds);
  const grade = r.grade as Grade;
  const due = r.report_due_at ? new Date(r.report_due_at) : null;
  const summaryDue = r.summary_due_at ? new Date(r.summary_due_at) : null;
  return {
    id: r.id, title: r.title, kind: r.kind, state: r.state, drill: r.drill,
    detected_at: iso(r.detected_at), occurred_from: iso(r.occurred_from), occurred_to: iso(r.occurred_to),
    description: r.description, cause: r.cause, harm: r.harm, remedies: r.remedies, subject_actions: r.subject_actions, contact: r.contact,
    grade: { code: grade, label_zh: GRADE_LABELS[grade].zh, label_en: GRADE_LABELS[grade].en, computed, override: r.grade_override, reason: r.grade_reason },
    affected_count: Number(r.affected_count), sensitive_count: Number(r.sensitive_count), scope: r.scope as ScopeSummary | null, scoped_at: iso(r.scoped_at),
    report: { ...countdown(due, r.report_filed_at ? new Date(r.report_filed_at) : null, now), hours: reportHours(grade, s), reference: r.report_reference },
    summary_report: { due_at: iso(summaryDue), filed_at: iso(r.summary_filed_at), overdue: Boolean(summaryDue && !r.summary_filed_at && summaryDue < now) },
    plan_version: r.plan_version, checklist: r.checklist as ChecklistItem[], notify: r.notify, review: r.review, closed_at: iso(r.closed_at), flag: r.flag,
    created_by: r.created_by, created_at: iso(r.created_at), updated_at: iso(r.updated_at),
  };
}
export type IncidentView = ReturnType<typeof presentIncident>;

function parseTime(field: string, v: string | null | undefined, now: Date): Date | null {
  if (v === undefined || v === null) return null;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw invalidField(field, '不是有效的时间', 'is not a valid time');
  if (d.getTime() > now.getTime() + 60_000) throw invalidField(field, '不能晚于当前时间', 'cannot be in the future');
  return d;
}

export function createIncidentService(deps: IncidentDeps) {
  const { db, audit, access, clock } = deps;
  const manage = (tx: Tx, actor: Actor) => access.requirePermission(tx, actor, 'incidents.manage');

  async function view(tx: Tx, tenantId: string, id: string) {
    return presentIncident(await loadIncident(tx, tenantId, id), clock.now(), await loadSettings(tx, tenantId));
  }

  /** Grade and report deadline after a change of scope or override. */
  async function regrade(tx: Tx, r: IncidentRow, affected: number, override: Grade | null, s: IncidentSettings) {
    const grade = effectiveGrade(gradeFor(affected, s.grade_thresholds), override);
    const due = reportDueAt(new Date(r.detected_at), grade, s);
    await tx.updateTable('incidents').set({ grade, report_due_at: due }).where('tenant_id', '=', r.tenant_id).where('id', '=', r.id).execute();
    return { grade, due };
  }

  async function linkAlerts(tx: Tx, actor: Actor, incidentId: string, alertIds: string[], now: Date) {
    if (alertIds.length === 0) return [];
    const rows = await tx.selectFrom('alerts').select(['id', 'state', 'rule', 'window_start', 'incident_id']).where('tenant_id', '=', actor.tenantId).where('id', 'in', alertIds).forUpdate().execute();
    alertIds.forEach((a, i) => {
      const r = rows.find((x) => x.id === a);
      if (!r) throw invalidField(`alert_ids[${i}]`, '告警不存在', 'is not an alert of this tenant');
      if (r.state === 'dismissed') throw invalidField(`alert_ids[${i}]`, '告警已被驳回', 'was dismissed');
      if (r.incident_id && r.incident_id !== incidentId) throw conflict('incident.alert_linked', `告警 ${a} 已关联事件 ${r.incident_id}`, `alert ${a} already belongs to incident ${r.incident_id}`);
    });
    await tx.updateTable('alerts').set({ state: 'escalated', incident_id: incidentId, handled_by: actor.id, handled_at: now, updated_at: now }).where('tenant_id', '=', actor.tenantId).where('id', 'in', alertIds).execute();
    for (const r of rows) await addTimeline(tx, actor, incidentId, 'alert_linked', null, { alert_id: r.id, rule: r.rule }, now);
    await audit.record(tx, actor, rows.map((r) => ({ action: 'alert.escalate', decision: 'allow' as const, details: { alert_id: r.id, rule: r.rule, incident_id: incidentId } })));
    return rows;
  }

  async function planChecklist(tx: Tx, tenantId: string, kind: string): Promise<{ version: number | null; items: ChecklistItem[] }> {
    const p = await tx.selectFrom('response_plans').select(['version', 'steps']).where('tenant_id', '=', tenantId).where('kind', '=', kind).orderBy('version', 'desc').limit(1).executeTakeFirst();
    if (!p) return { version: null, items: [] };
    return { version: p.version, items: (p.steps as PlanStep[]).map((s) => ({ ...s, done: false, done_at: null, done_by: null, note: null })) };
  }

  const service = {
    async open(actor: Actor, input: OpenIncidentInput & { drill?: boolean }) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const now = clock.now();
        const s = await loadSettings(tx, actor.tenantId);
        let detected = parseTime('detected_at', input.detected_at, now);
        if (!detected && input.alert_ids?.length) {
          const first = await tx.selectFrom('alerts').select((eb) => eb.fn.min('created_at').as('t')).where('tenant_id', '=', actor.tenantId).where('id', 'in', input.alert_ids).executeTakeFirst();
          detected = first?.t ? new Date(first.t as Date) : null;
        }
        detected ??= now;
        const from = parseTime('occurred_from', input.occurred_from, now), to = parseTime('occurred_to', input.occurred_to, now);
        if (from && to && from > to) throw invalidField('occurred_to', '不能早于 occurred_from', 'cannot be before occurred_from');
        const plan = await planChecklist(tx, actor.tenantId, input.kind);
        const id = newId('inc');
        const grade: Grade = 'general';
        await tx.insertInto('incidents').values({
          tenant_id: actor.tenantId, id, title: input.title, kind: input.kind, detected_at: detected, occurred_from: from, occurred_to: to,
          description: input.description ?? null, cause: input.cause ?? null, harm: input.harm ?? null, remedies: input.remedies ?? null,
          subject_actions: input.subject_actions ?? null, contact: input.contact ?? (s.contact || null), grade, report_due_at: reportDueAt(detected, grade, s),
          plan_version: plan.version, checklist: JSON.stringify(plan.items), drill: Boolean(input.drill), created_by: actor.id, created_at: now, updated_at: now,
        }).execute();
        await addTimeline(tx, actor, id, 'opened', null, { kind: input.kind, detected_at: detected.toISOString(), plan_version: plan.version }, now);
        await linkAlerts(tx, actor, id, input.alert_ids ?? [], now);
        await audit.record(tx, actor, [{ action: 'incident.open', decision: 'allow', details: { incident_id: id, kind: input.kind, alerts: input.alert_ids?.length ?? 0 } }]);
        await publish(tx, actor.tenantId, [{ type: 'incident.opened', incident_id: id, kind: input.kind, grade, detected_at: detected.toISOString() }]);
        return view(tx, actor.tenantId, id);
      });
    },

    async get(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const v = await view(tx, actor.tenantId, id);
        const timeline = await tx.selectFrom('incident_timeline').select(['id', 'at', 'actor_type', 'actor_id', 'entry', 'note', 'details']).where('tenant_id', '=', actor.tenantId).where('incident_id', '=', id).orderBy('at').orderBy('id').execute();
        const alerts = await tx.selectFrom('alerts').select(['id', 'rule', 'severity', 'actor_id', 'window_start', 'window_end', 'event_count']).where('tenant_id', '=', actor.tenantId).where('incident_id', '=', id).orderBy('created_at').execute();
        const notes = await tx.selectFrom('incident_notifications').select(['state', 'channel', (eb) => eb.fn.countAll<number>().as('n')]).where('tenant_id', '=', actor.tenantId).where('incident_id', '=', id).groupBy(['state', 'channel']).execute();
        return {
          ...v,
          timeline: timeline.map((t) => ({ ...t, at: iso(t.at) })),
          alerts: alerts.map((a) => ({ ...a, window_start: iso(a.window_start), window_end: iso(a.window_end) })),
          notifications: notes.map((n) => ({ state: n.state, channel: n.channel, count: Number(n.n) })),
        };
      });
    },

    async list(actor: Actor, q: ListIncidentsInput & PageQuery<keyof typeof INCIDENT_SORT.columns>) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const now = clock.now();
        const s = await loadSettings(tx, actor.tenantId);
        let sel = tx.selectFrom('incidents').where('tenant_id', '=', actor.tenantId);
        if (q.state) sel = sel.where('state', '=', q.state);
        if (q.kind) sel = sel.where('kind', '=', q.kind);
        if (q.grade) sel = sel.where('grade', '=', q.grade);
        if (q.flag) sel = sel.where('flag', '=', q.flag);
        const limit = Math.min(q.limit ?? 50, 200);
        const offset = q.offset ?? 0;
        const total = Number((await sel.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
        const rows = await orderBySpec(sel.selectAll(), q, INCIDENT_SORT).limit(limit).offset(offset).execute();
        return { incidents: rows.map((r) => presentIncident(r, now, s)), total, next_offset: offset + rows.length < total ? offset + rows.length : null };
      });
    },

    async update(actor: Actor, id: string, input: UpdateIncidentInput) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadIncident(tx, actor.tenantId, id, true);
        if (r.state === 'closed') throw conflict('incident.closed', '事件已结案，不能修改', 'the incident is closed');
        const now = clock.now();
        const set: Record<string, unknown> = {};
        for (const k of ['title', 'description', 'cause', 'harm', 'remedies', 'subject_actions', 'contact'] as const) if (input[k] !== undefined) set[k] = input[k];
        if (input.occurred_from !== undefined) set.occurred_from = parseTime('occurred_from', input.occurred_from, now);
        if (input.occurred_to !== undefined) set.occurred_to = parseTime('occurred_to', input.occurred_to, now);
        const changed = Object.keys(set);
        if (input.grade_override !== undefined) {
          if (input.grade_override && !input.grade_reason?.trim()) throw invalidField('grade_reason', '调高事件级别必须说明理由', 'is required to raise the grade');
          const computed = gradeFor(Number(r.affected_count), (await loadSettings(tx, actor.tenantId)).grade_thresholds);
          if (input.grade_override && GRADES.indexOf(input.grade_override) < GRADES.indexOf(computed)) throw invalidField('grade_override', `不能低于按影响人数计算的级别（${GRADE_LABELS[computed].zh}）`, `cannot be below the grade the affected count gives (${computed})`);
          set.grade_override = input.grade_override;
          set.grade_reason = input.grade_override ? input.grade_reason : null;
          changed.push('grade_override');
        }
        if (changed.length === 0) return view(tx, actor.tenantId, id);
        await tx.updateTable('incidents').set({ ...set, updated_at: now }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        const after = await loadIncident(tx, actor.tenantId, id);
        const g = await regrade(tx, after, Number(after.affected_count), after.grade_override as Grade | null, await loadSettings(tx, actor.tenantId));
        await addTimeline(tx, actor, id, 'updated', null, { fields: changed, ...(g.grade !== r.grade ? { grade: g.grade } : {}) }, now);
        await audit.record(tx, actor, [{ action: 'incident.update', decision: 'allow', details: { incident_id: id, fields: changed, grade: g.grade } }]);
        await publish(tx, actor.tenantId, [{ type: 'incident.updated', incident_id: id, fields: changed, grade: g.grade }]);
        return view(tx, actor.tenantId, id);
      });
    },

    async transition(actor: Actor, id: string, input: { to: IncidentState; note?: string }) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadIncident(tx, actor.tenantId, id, true);
        if (!canMove(r.state as IncidentState, input.to)) throw conflict('incident.transition_not_allowed', `不能从 ${r.state} 转到 ${input.to}`, `cannot move an incident from ${r.state} to ${input.to}`, [{ field: 'to', reason: `not allowed from ${r.state}` }]);
        const now = clock.now();
        const set: Record<string, unknown> = { state: input.to, updated_at: now };
        if (input.to === 'closed') {
          if (!r.review) throw conflict('incident.review_missing', '结案前必须完成事后复盘（原因、教训、整改）', 'record the post-incident review (cause, lessons, improvements) before closing');
          const s = await loadSettings(tx, actor.tenantId);
          set.closed_at = now;
          set.summary_due_at = summaryDueAt(now, s.summary_days);
          set.flag = null;
        }
        await tx.updateTable('incidents').set(set).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await addTimeline(tx, actor, id, `state.${input.to}`, input.note ?? null, { from: r.state, to: input.to }, now);
        await audit.record(tx, actor, [{ action: 'incident.transition', decision: 'allow', details: { incident_id: id, from: r.state, to: input.to } }]);
        await publish(tx, actor.tenantId, [{ type: 'incident.state', incident_id: id, from: r.state, to: input.to, grade: r.grade }]);
        return view(tx, actor.tenantId, id);
      });
    },

    /** A containment, investigation, remedy or communication step, or a note, on the timeline. */
    async addStep(actor: Actor, id: string, input: { kind: StepKind; text: string; at?: string }) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadIncident(tx, actor.tenantId, id, true);
        if (r.state === 'closed') throw conflict('incident.closed', '事件已结案', 'the incident is closed');
        const now = clock.now();
        const at = parseTime('at', input.at, now) ?? now;
        await addTimeline(tx, actor, id, `step.${input.kind}`, input.text, null, at);
        await tx.updateTable('incidents').set({ updated_at: now }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await audit.record(tx, actor, [{ action: 'incident.step', decision: 'allow', details: { incident_id: id, kind: input.kind } }]);
        await publish(tx, actor.tenantId, [{ type: 'incident.step', incident_id: id, kind: input.kind }]);
        return view(tx, actor.tenantId, id);
      });
    },

    /** Tick (or untick) an item of the response plan's checklist. */
    async checkItem(actor: Actor, id: string, key: string, input: { done: boolean; note?: string }) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadIncident(tx, actor.tenantId, id, true);
        if (r.state === 'closed') throw conflict('incident.closed', '事件已结案', 'the incident is closed');
        const items = r.checklist as ChecklistItem[];
        const item = items.find((i) => i.key === key);
        if (!item) throw notFound('incident.checklist_item_not_found', '预案清单中没有该步骤', 'no such step in the incident\'s checklist');
        const now = clock.now();
        Object.assign(item, input.done ? { done: true, done_at: now.toISOString(), done_by: actor.id, note: input.note ?? null } : { done: false, done_at: null, done_by: null, note: input.note ?? null });
        await tx.updateTable('incidents').set({ checklist: JSON.stringify(items), updated_at: now }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        const minutes = Math.round((now.getTime() - new Date(r.detected_at).getTime()) / 60_000);
        await addTimeline(tx, actor, id, input.done ? 'checklist.done' : 'checklist.undone', input.note ?? null, { key, title: item.title, minutes_after_detection: minutes, within_minutes: item.within_minutes ?? null }, now);
        await audit.record(tx, actor, [{ action: 'incident.checklist', decision: 'allow', details: { incident_id: id, key, done: input.done } }]);
        return view(tx, actor.tenantId, id);
      });
    },

    /** Compute the affected individuals from the audit log or the vault; regrade; restart the countdown basis. */
    async scope(actor: Actor, id: string, input: ScopeInput) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadIncident(tx, actor.tenantId, id, true);
        if (r.state === 'closed') throw conflict('incident.closed', '事件已结案', 'the incident is closed');
        const cols = await deps.collections.list(tx, actor.tenantId);
        const summary = await computeScope(tx, actor.tenantId, id, input, cols);
        const now = clock.now();
        const s = await loadSettings(tx, actor.tenantId);
        await tx.updateTable('incidents').set({ affected_count: summary.affected, sensitive_count: summary.sensitive, scope: JSON.stringify(summary), scoped_at: now, updated_at: now }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        const g = await regrade(tx, r, summary.affected, r.grade_override as Grade | null, s);
        await addTimeline(tx, actor, id, 'scoped', null, { mode: input.mode, affected: summary.affected, sensitive: summary.sensitive, grade: g.grade, events_matched: summary.events_matched }, now);
        await audit.record(tx, actor, [{ action: 'incident.scope', decision: 'allow', details: { incident_id: id, mode: input.mode, affected: summary.affected, sensitive: summary.sensitive, grade: g.grade, actors: input.actor_ids?.length ?? 0 } }]);
        await publish(tx, actor.tenantId, [{ type: 'incident.scoped', incident_id: id, affected: summary.affected, sensitive: summary.sensitive, grade: g.grade, report_due_at: iso(g.due) }]);
        return view(tx, actor.tenantId, id);
      });
    },

    async subjects(actor: Actor, id: string, q: { limit?: number; offset?: number; sensitive?: boolean }) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        await loadIncident(tx, actor.tenantId, id);
        const limit = Math.min(q.limit ?? 100, 1000);
        const offset = q.offset ?? 0;
        const rows = await scopeSubjects(tx, actor.tenantId, id, { limit, offset, sensitive: q.sensitive });
        await audit.record(tx, actor, [{ action: 'incident.subjects', decision: 'allow', details: { incident_id: id, returned: Math.min(rows.length, limit) } }]);
        return { subjects: rows.slice(0, limit).map((x) => ({ subject_id: x.subject_id, pi: x.types, sensitive: x.sensitive, events: x.events })), next_offset: rows.length > limit ? offset + limit : null };
      });
    },

    /** Record that the regulator report (or the summary report) was filed. */
    async fileReport(actor: Actor, id: string, input: { kind: 'initial' | 'summary'; filed_at?: string; reference?: string }) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadIncident(tx, actor.tenantId, id, true);
        const now = clock.now();
        const at = parseTime('filed_at', input.filed_at, now) ?? now;
        if (input.kind === 'summary' && r.state !== 'closed') throw conflict('incident.not_closed', '总结报告在结案后报送', 'the summary report is filed after closing');
        const set = input.kind === 'initial' ? { report_filed_at: at, report_reference: input.reference ?? null } : { summary_filed_at: at };
        await tx.updateTable('incidents').set({ ...set, flag: null, updated_at: now }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        const late = input.kind === 'initial' ? Boolean(r.report_due_at && at > new Date(r.report_due_at)) : Boolean(r.summary_due_at && at > new Date(r.summary_due_at));
        await addTimeline(tx, actor, id, `report.${input.kind}_filed`, input.reference ?? null, { filed_at: at.toISOString(), late }, now);
        await audit.record(tx, actor, [{ action: 'incident.report_filed', decision: 'allow', details: { incident_id: id, kind: input.kind, late } }]);
        await publish(tx, actor.tenantId, [{ type: 'incident.report_filed', incident_id: id, kind: input.kind, late }]);
        return view(tx, actor.tenantId, id);
      });
    },

    async review(actor: Actor, id: string, input: ReviewInput) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadIncident(tx, actor.tenantId, id, true);
        if (r.state === 'closed') throw conflict('incident.closed', '事件已结案', 'the incident is closed');
        const now = clock.now();
        await tx.updateTable('incidents').set({ review: JSON.stringify({ ...input, recorded_by: actor.id, recorded_at: now.toISOString() }), updated_at: now }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await addTimeline(tx, actor, id, 'review', null, { fields: Object.keys(input) }, now);
        await audit.record(tx, actor, [{ action: 'incident.review', decision: 'allow', details: { incident_id: id } }]);
        return view(tx, actor.tenantId, id);
      });
    },

    /** Escalate an alert: open a new incident from it, or attach it to an open one. */
    async escalate(actor: Actor, alertId: string, input: { incident_id?: string; title?: string; kind?: OpenIncidentInput['kind'] }) {
      if (input.incident_id) {
        await db.transaction(async (tx) => {
          await manage(tx, actor);
          const r = await loadIncident(tx, actor.tenantId, input.incident_id as string, true);
          if (r.state === 'closed') throw conflict('incident.closed', '事件已结案', 'the incident is closed');
          const linked = await linkAlerts(tx, actor, r.id, [alertId], clock.now());
          if (!linked.length) throw notFound('incident.alert_not_found', '告警不存在', 'alert not found');
          await publish(tx, actor.tenantId, [{ type: 'alert.escalated', alert_id: alertId, incident_id: r.id }]);
        });
        return service.get(actor, input.incident_id);
      }
      const a = await db.transaction(async (tx) => {
        await manage(tx, actor);
        return tx.selectFrom('alerts').select(['rule', 'actor_id']).where('tenant_id', '=', actor.tenantId).where('id', '=', alertId).executeTakeFirst();
      });
      if (!a) throw notFound('incident.alert_not_found', '告警不存在', 'alert not found');
      const opened = await service.open(actor, { title: input.title ?? `告警升级：${a.rule} / ${a.actor_id}`, kind: input.kind ?? 'leak', alert_ids: [alertId] });
      return service.get(actor, opened.id);
    },

    /** The facts of the regulator report (initial) or the summary report (after closing). */
    async reportDocument(actor: Actor, id: string, kind: 'initial' | 'summary', format: string): Promise<ReportDocument> {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await loadIncident(tx, actor.tenantId, id);
        const s = await loadSettings(tx, actor.tenantId);
        const now = clock.now();
        const v = presentIncident(r, now, s);
        const steps = await tx.selectFrom('incident_timeline').select(['at', 'entry', 'note', 'actor_id']).where('tenant_id', '=', actor.tenantId).where('incident_id', '=', id)
          .where((eb) => eb.or([eb('entry', 'like', 'step.%'), eb('entry', 'like', 'state.%'), eb('entry', '=', 'checklist.done')])).orderBy('at').execute();
        const alerts = await tx.selectFrom('alerts').select(['id', 'rule', 'actor_id', 'window_start', 'window_end', 'event_count']).where('tenant_id', '=', actor.tenantId).where('incident_id', '=', id).execute();
        const notes = await tx.selectFrom('incident_notifications').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).where('tenant_id', '=', actor.tenantId).where('incident_id', '=', id).groupBy('state').execute();
        const count = (st: string) => Number(notes.find((n) => n.state === st)?.n ?? 0);
        const scope = r.scope as ScopeSummary | null;
        const doc: ReportDocument = {
          format: 'custodian-incident-report/v1', kind, generated_at: now.toISOString(),
          handler: { organisation: s.organisation, contact: r.contact ?? s.contact }, regulator: s.regulator,
          incident: { id: r.id, title: r.title, kind: r.kind, kind_label: kindLabel(r.kind), state: r.state, detected_at: iso(r.detected_at) as string, occurred_from: iso(r.occurred_from), occurred_to: iso(r.occurred_to), description: r.description, drill: r.drill },
          grade: { code: v.grade.code, label_zh: v.grade.label_zh, label_en: v.grade.label_en, computed: v.grade.computed, override_reason: r.grade_reason, thresholds: s.grade_thresholds },
          reporting: { due_at: v.report.due_at, hours: v.report.hours, filed_at: v.report.filed_at, reference: r.report_reference, overdue: v.report.overdue },
          scope: scope ? { affected: scope.affected, sensitive: scope.sensitive, by_type: scope.by_type, by_category: scope.by_category, criteria: scope.criteria, scoped_at: iso(r.scoped_at) } : null,
          cause: r.cause, harm: r.harm, remedies: r.remedies, subject_actions: r.subject_actions,
          measures: steps.map((t) => ({ at: iso(t.at) as string, entry: t.entry, note: t.note, by: t.actor_id })),
          notifications: { total: notes.reduce((a, n) => a + Number(n.n), 0), sent: count('sent'), pending: count('pending'), failed: count('failed'), no_contact: count('no_contact'), channels: ((r.notify as { channels?: string[] } | null)?.channels ?? []) },
          alerts: alerts.map((a) => ({ id: a.id, rule: a.rule, actor: a.actor_id, window_start: iso(a.window_start) as string, window_end: iso(a.window_end) as string, events: a.event_count })),
          review: kind === 'summary' ? (r.review as ReportDocument['review']) : null,
          closed_at: iso(r.closed_at), summary_due_at: iso(r.summary_due_at),
        };
        await audit.record(tx, actor, [{ action: 'incident.report', decision: 'allow', details: { incident_id: id, kind, format } }]);
        return doc;
      });
    },

    /** Job: flag incidents whose regulator report is due within the hour or late, and late summary reports. */
    async flagDeadlines(tenantId: string, now: Date) {
      const system: Actor = { type: 'system', id: 'job:incidents.deadlines', tenantId, roles: [] };
      return db.transaction(async (tx) => {
        const rows = await tx.selectFrom('incidents').select(['id', 'flag', 'report_due_at', 'report_filed_at', 'summary_due_at', 'summary_filed_at', 'state', 'grade'])
          .where('tenant_id', '=', tenantId).where((eb) => eb.or([eb('state', '<>', 'closed'), eb('summary_filed_at', 'is', null)])).forUpdate().execute();
        let changed = 0;
        const events = [];
        for (const r of rows) {
          let flag: string | null = null;
          if (r.report_due_at && !r.report_filed_at) {
            const left = new Date(r.report_due_at).getTime() - now.getTime();
            flag = left < 0 ? 'report_overdue' : left <= 3_600_000 ? 'report_due_soon' : null;
          }
          if (!flag && r.state === 'closed' && r.summary_due_at && !r.summary_filed_at) {
            const left = new Date(r.summary_due_at).getTime() - now.getTime();
            flag = left < 0 ? 'summary_overdue' : left <= 3 * 86_400_000 ? 'summary_due_soon' : null;
          }
          if (flag === r.flag) continue;
          await tx.updateTable('incidents').set({ flag }).where('tenant_id', '=', tenantId).where('id', '=', r.id).execute();
          await addTimeline(tx, system, r.id, 'flag', null, { flag }, now);
          events.push({ action: 'incident.flag', decision: 'allow' as const, details: { incident_id: r.id, flag } });
          await publish(tx, tenantId, [{ type: 'incident.flag', incident_id: r.id, flag, grade: r.grade }]);
          changed += 1;
        }
        await audit.record(tx, system, events);
        return { incidents: rows.length, changed };
      });
    },
  };
  return service;
}
export type IncidentService = ReturnType<typeof createIncidentService>;
