/**
 * Drills (演练): a simulated incident run end to end in a scratch store on synthetic data — seed,
 * breach, detection by the real anomaly job, escalation, scoping (checked against the known affected
 * set), grading and countdown, notification through the outbox, report rendering, review and closure.
 * Each step is timed; the result is kept in the tenant's `incident_drills` as evidence.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db, Tx } from '../db/connection.js';
import { countOf, orderBySpec, type PageQuery, type SortSpec } from '../db/paging.js';
import { newId } from '../core/ids.js';
import { notFound } from '../core/errors.js';
import { cnIdCheckChar } from '../core/pi-types.js';
import type { Clock } from '../core/clock.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import type { CollectionStore, RecordsService } from '../vault/index.js';
import { renderDocx, renderPdf } from './incident-report.js';
import { loadSettings, saveSettings } from './incident-repo.js';
import type { AnomalyService } from './anomaly-service.js';
import type { IncidentService } from './incident-service.js';
import type { NotifyService } from './incident-notify.js';
import type { IncidentAdmin } from './incident-admin.js';
import type { DrillScenario } from './incident-types.js';

/** A throw-away Custodian (own store, keys and tenant) that the drill may do anything to. */
export const DRILL_SORT: SortSpec<'started_at' | 'duration_ms' | 'scenario'> = { columns: { started_at: 'started_at', duration_ms: 'duration_ms', scenario: 'scenario' }, sort: 'started_at', order: 'desc', tiebreak: ['id'] };
export interface DrillSandbox {
  dir: string;
  tenantId: string;
  owner: Actor;
  db: Db;
  access: Pick<AccessService, 'createPurpose' | 'createRole' | 'createApiKey' | 'authenticateApiKey'>;
  collections: Pick<CollectionStore, 'create'>;
  records: Pick<RecordsService, 'write' | 'read'>;
  incidents: { anomaly: AnomalyService; incidents: IncidentService; notify: NotifyService; admin: IncidentAdmin };
  close(): Promise<void>;
}

export interface DrillDeps {
  db: Db;
  audit: Pick<AuditService, 'record'>;
  access: Pick<AccessService, 'requirePermission'>;
  clock: Clock;
  openSandbox(): Promise<DrillSandbox>;
}

interface Step { step: string; ms: number; ok: boolean; detail: Record<string, unknown> }

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '勇', '艳', '杰', '娟', '涛'];

/** Synthetic customers with valid-looking (checksummed) but invented values. */
export function syntheticCustomers(n: number, seed = 1): Array<Record<string, string>> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const k = (i * 7919 + seed * 104729) % 1_000_000;
    const birth = `19${String(60 + (k % 40)).padStart(2, '0')}${String(1 + (k % 12)).padStart(2, '0')}${String(1 + (k % 28)).padStart(2, '0')}`;
    const first17 = `110105${birth}${String(100 + (k % 900)).padStart(3, '0')}`;
    out.push({
      name: `${SURNAMES[k % SURNAMES.length]}${GIVEN[(k >> 3) % GIVEN.length]}`,
      phone: `139${String(10_000_000 + ((k * 37 + i) % 89_999_999)).padStart(8, '0')}`,
      id_number: first17 + cnIdCheckChar(first17),
      email: `drill${i}.${k}@example.cn`,
    });
  }
  return out;
}

export function createDrillService(deps: DrillDeps) {
  const { db, audit, access, clock } = deps;
  const manage = (tx: Tx, actor: Actor) => access.requirePermission(tx, actor, 'incidents.manage');

  async function simulate(scenario: DrillScenario, subjects: number): Promise<{ ok: boolean; steps: Step[]; result: Record<string, unknown>; problem: string | null }> {
    const steps: Step[] = [];
    let problem: string | null = null;
    const sb = await deps.openSandbox();
    const step = async <T>(name: string, fn: () => Promise<{ value: T; ok: boolean; detail: Record<string, unknown> }>): Promise<T> => {
      const t0 = performance.now();
      try {
        const r = await fn();
        steps.push({ step: name, ms: Math.round(performance.now() - t0), ok: r.ok, detail: r.detail });
        if (!r.ok && !problem) problem = `${name}: ${JSON.stringify(r.detail)}`;
        return r.value;
      } catch (e) {
        steps.push({ step: name, ms: Math.round(performance.now() - t0), ok: false, detail: { error: (e as Error).message } });
        problem ??= `${name}: ${(e as Error).message}`;
        throw e;
      }
    };
    const { owner, tenantId } = sb;
    const inc = sb.incidents;
    try {
      const seeded = await step('seed', async () => {
        await sb.db.transaction(async (tx) => {
          await sb.access.createPurpose(tx, tenantId, { name: 'customer_service', title: '客户服务', legal_basis: 'contract', requires_training: false });
          await sb.access.createPurpose(tx, tenantId, { name: 'incident_notification', title: '安全事件告知', legal_basis: 'legal_obligation', requires_training: false });
          await sb.collections.create(tx, tenantId, { name: 'drill_customers', fields: [{ name: 'name', type: 'person_name' }, { name: 'phone', type: 'mobile' }, { name: 'id_number', type: 'cn_id' }, { name: 'email', type: 'email' }] });
          await sb.access.createRole(tx, tenantId, { name: 'drill_reader', grants: [{ collection: 'drill_customers', fields: ['*'], actions: ['read'], purposes: ['customer_service'], view: 'plain' }] });
          const s = await loadSettings(tx, tenantId);
          // Small thresholds so that the synthetic set exercises grading and the 4-hour countdown.
          await saveSettings(tx, tenantId, { ...s, organisation: '演练单位 / Drill Co.', contact: '400-000-0000', grade_thresholds: { major: Math.max(1, Math.floor(subjects / 2)), serious: subjects * 10, especially_serious: subjects * 100 } });
        });
        if (scenario === 'bulk_read_leak') await inc.anomaly.updateRule(owner, 'bulk_read', { params: { distinct_subjects: Math.max(2, Math.floor(subjects * 0.8)) } });
        const w = await sb.records.write(owner, 'drill_customers', syntheticCustomers(subjects).map((fields) => ({ fields })), true);
        const key = await sb.db.transaction((tx) => sb.access.createApiKey(tx, tenantId, { name: 'drill rogue key', roles: ['drill_reader'] }));
        const rogue = (await sb.db.transaction((tx) => sb.access.authenticateApiKey(tx, key.api_key))) as Actor;
        return { value: { ids: w.ids, subjects: w.subjects, rogue }, ok: w.ids.length === subjects, detail: { subjects: w.ids.length } };
      });
      const started = clock.now();
      const breachCount = scenario === 'dormant_account_leak' ? Math.max(5, Math.floor(subjects / 4)) : scenario === 'collection_loss' ? 0 : Math.max(2, Math.ceil(subjects * 0.9));
      const breached = seeded.subjects.slice(0, breachCount);
      await step('breach', async () => {
        if (scenario === 'dormant_account_leak') {
          const longAgo = new Date(started.getTime() - 90 * 86_400_000);
          await sb.db.kysely.insertInto('anomaly_actors').values({ tenant_id: tenantId, actor_id: seeded.rogue.id, actor_type: 'api_key', first_seen: longAgo, last_seen: longAgo, events: 50, networks: '[]', window_state: '{}', sens_count: 0, sens_mean: 0, sens_var: 0, sens_buckets: 0 }).execute();
        }
        for (let i = 0; i < breachCount; i++) await sb.records.read({ ...seeded.rogue, clientIp: '203.0.113.9' }, { collection: 'drill_customers', id: seeded.ids[i], purpose: 'customer_service' });
        return { value: null, ok: true, detail: { reads: breachCount, actor: seeded.rogue.id } };
      });
      let incidentId: string;
      if (scenario === 'collection_loss') {
        incidentId = await step('open', async () => {
          const o = await inc.incidents.open(owner, { title: '演练：备份介质丢失 / drill: backup media lost', kind: 'loss' });
          return { value: o.id, ok: true, detail: { incident_id: o.id } };
        });
      } else {
        const wanted = scenario === 'dormant_account_leak' ? 'dormant_account' : 'bulk_read';
        const alertId = await step('detect', async () => {
          const scan = await inc.anomaly.scan(tenantId);
          const list = await inc.anomaly.listAlerts(owner, { rule: wanted as 'bulk_read' });
          const a = list.alerts.find((x) => x.actor.id === seeded.rogue.id);
          return { value: a?.id ?? '', ok: Boolean(a), detail: { rule: wanted, events_scanned: scan.events, alerts: list.total, alert_id: a?.id ?? null } };
        });
        incidentId = await step('escalate', async () => {
          const o = await inc.incidents.escalate(owner, alertId, { title: '演练：异常批量读取 / drill: anomalous bulk read', kind: 'leak' });
          return { value: o.id, ok: o.alerts.length === 1, detail: { incident_id: o.id } };
        });
      }
      const scoped = await step('scope', async () => {
        const v = scenario === 'collection_loss'
          ? await inc.incidents.scope(owner, incidentId, { mode: 'collection', collections: ['drill_customers'] })
          : await inc.incidents.scope(owner, incidentId, { mode: 'audit', actor_ids: [seeded.rogue.id], from: new Date(started.getTime() - 60_000).toISOString(), to: new Date(clock.now().getTime() + 1000).toISOString() });
        const expected = new Set(scenario === 'collection_loss' ? seeded.subjects : breached);
        const got = await sb.db.kysely.selectFrom('incident_subjects').select('subject_id').where('tenant_id', '=', tenantId).where('incident_id', '=', incidentId).execute();
        const exact = got.length === expected.size && got.every((g) => expected.has(g.subject_id));
        return { value: v, ok: exact, detail: { affected: v.affected_count, expected: expected.size, matches_known_set: exact, sensitive: v.sensitive_count } };
      });
      await step('grade', async () => {
        const major = scoped.affected_count >= Math.max(1, Math.floor(subjects / 2));
        const ok = major ? scoped.grade.code !== 'general' && Boolean(scoped.report.due_at) : scoped.grade.code === 'general';
        return { value: null, ok, detail: { grade: scoped.grade.code, report_due_at: scoped.report.due_at, seconds_left: scoped.report.seconds_left } };
      });
      await step('contain', async () => {
        await inc.incidents.addStep(owner, incidentId, { kind: 'containment', text: '吊销涉事密钥 / revoked the key involved' });
        await inc.incidents.update(owner, incidentId, { cause: '演练：密钥被滥用 / drill: key misuse', harm: '可能被用于诈骗 / possible fraud', remedies: '已吊销密钥并加强监控 / key revoked, monitoring raised', subject_actions: '警惕冒充客服的来电 / beware of calls pretending to be us', contact: '400-000-0000' });
        await inc.incidents.transition(owner, incidentId, { to: 'contained' });
        return { value: null, ok: true, detail: {} };
      });
      await step('notify', async () => {
        const q = await inc.notify.start(owner, incidentId, { channels: ['sms', 'email'], purpose: 'incident_notification' });
        const d = await inc.notify.deliver(tenantId, clock.now(), { budgetMs: 120_000 });
        const outbox = join(sb.dir, 'outbox');
        let lines = 0;
        for (const ch of ['sms', 'email']) { try { for (const f of readdirSync(join(outbox, ch))) lines += readFileSync(join(outbox, ch, f), 'utf8').trim().split('\n').filter(Boolean).length; } catch { /* none */ } }
        return { value: null, ok: d.sent === q.queued && lines === q.queued, detail: { queued: q.queued, sent: d.sent, failed: d.failed, outbox_lines: lines } };
      });
      const report = await step('report', async () => {
        const doc = await inc.incidents.reportDocument(owner, incidentId, 'initial', 'pdf');
        const pdf = await renderPdf(doc).catch((e) => { if ((e as { code?: string }).code === 'report.pdf_font_missing') return null; throw e; });
        const docx = await renderDocx(doc);
        const sha = (b: Buffer | null) => (b ? createHash('sha256').update(b).digest('hex') : null);
        return { value: { pdf: sha(pdf), docx: sha(docx) }, ok: docx.length > 0, detail: { pdf_bytes: pdf?.length ?? null, docx_bytes: docx.length, pdf_sha256: sha(pdf), docx_sha256: sha(docx) } };
      });
      await step('close', async () => {
        await inc.incidents.fileReport(owner, incidentId, { kind: 'initial', reference: 'DRILL' });
        await inc.incidents.transition(owner, incidentId, { to: 'reviewing' });
        await inc.incidents.review(owner, incidentId, { cause: '演练', lessons: '演练', improvements: '演练' });
        const v = await inc.incidents.transition(owner, incidentId, { to: 'closed' });
        return { value: null, ok: v.state === 'closed' && Boolean(v.summary_report.due_at), detail: { summary_due_at: v.summary_report.due_at } };
      });
      const fromDetection = Date.now() - started.getTime();
      return { ok: steps.every((s) => s.ok), steps, problem, result: { scenario, subjects, affected: scoped.affected_count, grade: scoped.grade.code, report_hours: scoped.report.hours, detection_to_closure_ms: fromDetection, report_sha256: report } };
    } catch (e) {
      return { ok: false, steps, problem: problem ?? (e as Error).message, result: { scenario, subjects } };
    } finally {
      await sb.close();
    }
  }

  const service = {
    /** Run a drill now and keep its result as evidence. */
    async run(actor: Actor, input: { scenario: DrillScenario; subjects?: number }, scheduled = false) {
      if (!scheduled) await db.transaction((tx) => manage(tx, actor));
      const started = clock.now();
      const t0 = performance.now();
      const out = await simulate(input.scenario, input.subjects ?? 120);
      const id = newId('drl');
      const duration = Math.round(performance.now() - t0);
      await db.transaction(async (tx) => {
        await tx.insertInto('incident_drills').values({
          tenant_id: actor.tenantId, id, scenario: input.scenario, scheduled, started_at: started, finished_at: clock.now(), ok: out.ok, duration_ms: duration,
          steps: JSON.stringify(out.steps), result: JSON.stringify(out.result), problem: out.problem, started_by: actor.id,
        }).execute();
        await audit.record(tx, actor, [{ action: 'incident.drill', decision: out.ok ? 'allow' : 'deny', details: { drill_id: id, scenario: input.scenario, ok: out.ok, duration_ms: duration } }]);
      });
      return service.present(await db.kysely.selectFrom('incident_drills').selectAll().where('tenant_id', '=', actor.tenantId).where('id', '=', id).executeTakeFirstOrThrow());
    },

    present(r: { id: string; scenario: string; scheduled: boolean; started_at: Date; finished_at: Date; ok: boolean; duration_ms: number; steps: unknown; result: unknown; problem: string | null; started_by: string }) {
      return { id: r.id, scenario: r.scenario, scheduled: r.scheduled, started_at: new Date(r.started_at).toISOString(), finished_at: new Date(r.finished_at).toISOString(), ok: r.ok, duration_ms: r.duration_ms, steps: r.steps as Step[], result: r.result, problem: r.problem, started_by: r.started_by };
    },

    async list(actor: Actor, q: PageQuery<keyof typeof DRILL_SORT.columns> & { scenario?: string; ok?: boolean }) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const limit = Math.min(q.limit ?? 20, 200);
        const offset = q.offset ?? 0;
        let sel = tx.selectFrom('incident_drills').selectAll().where('tenant_id', '=', actor.tenantId);
        if (q.scenario) sel = sel.where('scenario', '=', q.scenario);
        if (q.ok !== undefined) sel = sel.where('ok', '=', q.ok);
        const rows = await orderBySpec(sel, q, DRILL_SORT).limit(limit + 1).offset(offset).execute();
        const s = await loadSettings(tx, actor.tenantId);
        return { drills: rows.slice(0, limit).map((r) => service.present(r)), total: await countOf(sel), next_offset: rows.length > limit ? offset + limit : null, schedule: { every_days: s.drill_every_days, scenario: s.drill_scenario, next_at: s.next_drill_at } };
      });
    },

    async get(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await tx.selectFrom('incident_drills').selectAll().where('tenant_id', '=', actor.tenantId).where('id', '=', id).executeTakeFirst();
        if (!r) throw notFound('incident.drill_not_found', '演练记录不存在', 'drill not found');
        return service.present(r);
      });
    },

    /** Job: run the scheduled drill when it is due and set the next date. */
    async runScheduled(tenantId: string, now: Date) {
      const s = await db.transaction((tx) => loadSettings(tx, tenantId));
      if (!s.drill_every_days || !s.next_drill_at || new Date(s.next_drill_at) > now) return { ran: false };
      await db.transaction(async (tx) => saveSettings(tx, tenantId, { ...(await loadSettings(tx, tenantId)), next_drill_at: new Date(now.getTime() + s.drill_every_days! * 86_400_000).toISOString() }));
      const system: Actor = { type: 'system', id: 'job:incidents.drills', tenantId, roles: [] };
      const d = await service.run(system, { scenario: s.drill_scenario }, true);
      return { ran: true, drill_id: d.id, ok: d.ok };
    },
  };
  return service;
}
export type DrillService = ReturnType<typeof createDrillService>;
