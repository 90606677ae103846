import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Custodian } from '../../app.js';
import { ALERT_SORT, ALERT_STATES, BASELINE_SORT, DRILL_SORT, CHANNELS, INCIDENT_SORT, DRILL_SCENARIOS, GRADES, INCIDENT_KINDS, INCIDENT_STATES, RULES, SINK_KINDS, STEP_KINDS, documentHash, renderDocx, renderPdf } from '../../incidents/index.js';
import { IdParam, Name, Sorting } from './schemas.js';

const Time = z.iso.datetime({ offset: true });
const Text = (max = 4000) => z.string().trim().min(1).max(max);
const Paging = { limit: z.coerce.number().int().min(1).max(200).optional(), offset: z.coerce.number().int().min(0).max(10_000_000).optional() };
const ActorId = z.string().regex(/^[A-Za-z0-9:._-]{1,80}$/, 'is not an actor id');

const AlertsQuery = z.strictObject({ state: z.enum(ALERT_STATES).optional(), rule: z.enum(RULES).optional(), severity: z.enum(['low', 'medium', 'high']).optional(), actor_id: ActorId.optional(), incident_id: IdParam.optional(), from: Time.optional(), to: Time.optional(), ...Paging, ...Sorting(ALERT_SORT.columns) });
const RuleBody = z.strictObject({ enabled: z.boolean().optional(), params: z.record(z.string().max(40), z.union([z.number(), z.array(z.string().max(40)).max(20)])).optional(), exempt_actors: z.array(ActorId).max(500).optional() });
const EscalateBody = z.strictObject({ incident_id: IdParam.optional(), title: Text(200).optional(), kind: z.enum(INCIDENT_KINDS).optional() });

const OpenBody = z.strictObject({
  title: Text(200), kind: z.enum(INCIDENT_KINDS), detected_at: Time.optional(), occurred_from: Time.optional(), occurred_to: Time.optional(), description: Text(10_000).optional(),
  cause: Text().optional(), harm: Text().optional(), remedies: Text().optional(), subject_actions: Text().optional(), contact: Text(500).optional(), alert_ids: z.array(IdParam).max(100).optional(),
});
const Nullable = <T extends z.ZodType>(t: T) => t.nullable().optional();
const PatchBody = z.strictObject({
  title: Text(200).optional(), occurred_from: Nullable(Time), occurred_to: Nullable(Time), description: Nullable(Text(10_000)), cause: Nullable(Text()), harm: Nullable(Text()),
  remedies: Nullable(Text()), subject_actions: Nullable(Text()), contact: Nullable(Text(500)), grade_override: Nullable(z.enum(GRADES)), grade_reason: Nullable(Text(2000)),
});
const ListQuery = z.strictObject({ state: z.enum(INCIDENT_STATES).optional(), kind: z.enum(INCIDENT_KINDS).optional(), grade: z.enum(GRADES).optional(), flag: z.enum(['report_due_soon', 'report_overdue', 'summary_due_soon', 'summary_overdue']).optional(), ...Paging, ...Sorting(INCIDENT_SORT.columns) });
const ScopeBody = z.strictObject({
  mode: z.enum(['audit', 'collection']), actor_ids: z.array(ActorId).max(100).optional(), from: Time.optional(), to: Time.optional(),
  collections: z.array(Name).max(100).optional(), actions: z.array(z.enum(['record.read', 'record.search', 'subject.export', 'record.update', 'record.erase', 'record.write'])).max(10).optional(),
});
const Params = z.strictObject({ id: IdParam });

export function incidentsRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  const { anomaly, incidents, notify, admin, drills } = app.incidents;
  const alertTags = ['alerts'];
  const tags = ['incidents'];

  // ---- alerts ----
  r.get('/api/v1/alerts', { schema: { tags: alertTags, summary: '异常告警列表 / List alerts', querystring: AlertsQuery } }, async (req) => anomaly.listAlerts(req.actor, req.query));
  r.get('/api/v1/alerts/status', { schema: { tags: alertTags, summary: '异常检测进度（游标、滞后） / Detector status (cursor, lag)' } }, async (req) => anomaly.status(req.actor));
  r.post('/api/v1/alerts/scan', { schema: { tags: alertTags, summary: '立即检测新的审计事件 / Scan new audit events now' } }, async (req) => anomaly.scanNow(req.actor));
  r.get('/api/v1/alerts/rules', { schema: { tags: alertTags, summary: '检测规则与阈值 / Detection rules and thresholds' } }, async (req) => anomaly.rules(req.actor));
  r.put('/api/v1/alerts/rules/:rule', { schema: { tags: alertTags, summary: '修改检测规则 / Change a detection rule', params: z.strictObject({ rule: z.enum(RULES) }), body: RuleBody } }, async (req) => anomaly.updateRule(req.actor, req.params.rule, req.body));
  r.get('/api/v1/alerts/baselines', { schema: { tags: alertTags, summary: '各操作者的统计基线 / Per-actor baselines', querystring: z.strictObject({ ...Paging, ...Sorting(BASELINE_SORT.columns), actor_type: z.enum(['staff', 'api_key', 'system', 'subject', 'cli']).optional() }) } }, async (req) => anomaly.baselines(req.actor, req.query));
  r.get('/api/v1/alerts/:id', { schema: { tags: alertTags, summary: '告警详情与证据事件 / Alert with its evidence events', params: Params } }, async (req) => anomaly.getAlert(req.actor, req.params.id));
  r.post('/api/v1/alerts/:id/acknowledge', { schema: { tags: alertTags, summary: '确认告警 / Acknowledge an alert', params: Params, body: z.strictObject({ note: Text(2000).optional() }) } }, async (req) => anomaly.acknowledge(req.actor, req.params.id, req.body.note));
  r.post('/api/v1/alerts/:id/dismiss', { schema: { tags: alertTags, summary: '驳回告警（须说明理由） / Dismiss an alert with a reason', params: Params, body: z.strictObject({ reason: Text(2000) }) } }, async (req) => anomaly.dismiss(req.actor, req.params.id, req.body.reason));
  r.post('/api/v1/alerts/:id/escalate', { schema: { tags: alertTags, summary: '升级为安全事件 / Escalate to an incident', params: Params, body: EscalateBody } }, async (req, reply) => {
    const out = await incidents.escalate(req.actor, req.params.id, req.body);
    return reply.status(req.body.incident_id ? 200 : 201).send(out);
  });

  // ---- incidents ----
  r.post('/api/v1/incidents', { schema: { tags, summary: '登记安全事件 / Open an incident', body: OpenBody } }, async (req, reply) => reply.status(201).send(await incidents.open(req.actor, req.body)));
  r.get('/api/v1/incidents', { schema: { tags, summary: '安全事件列表 / List incidents', querystring: ListQuery } }, async (req) => incidents.list(req.actor, req.query));
  r.get('/api/v1/incidents/:id', { schema: { tags, summary: '事件详情（时间线、告警、通知） / Incident with timeline', params: Params } }, async (req) => incidents.get(req.actor, req.params.id));
  r.patch('/api/v1/incidents/:id', { schema: { tags, summary: '修改事件（原因、危害、措施、调高级别） / Update an incident', params: Params, body: PatchBody } }, async (req) => incidents.update(req.actor, req.params.id, req.body));
  r.post('/api/v1/incidents/:id/transitions', { schema: { tags, summary: '推进事件状态 / Move an incident on', params: Params, body: z.strictObject({ to: z.enum(INCIDENT_STATES), note: Text(2000).optional() }) } }, async (req) => incidents.transition(req.actor, req.params.id, req.body));
  r.post('/api/v1/incidents/:id/steps', { schema: { tags, summary: '记录处置步骤 / Record a response step', params: Params, body: z.strictObject({ kind: z.enum(STEP_KINDS), text: Text(4000), at: Time.optional() }) } }, async (req, reply) => reply.status(201).send(await incidents.addStep(req.actor, req.params.id, req.body)));
  r.put('/api/v1/incidents/:id/checklist/:key', { schema: { tags, summary: '勾选预案清单步骤 / Tick a plan step', params: z.strictObject({ id: IdParam, key: Name }), body: z.strictObject({ done: z.boolean(), note: Text(2000).optional() }) } }, async (req) => incidents.checkItem(req.actor, req.params.id, req.params.key, req.body));
  r.post('/api/v1/incidents/:id/scope', { schema: { tags, summary: '依审计日志或集合划定影响范围并分级 / Scope from the audit log or collections, and grade', params: Params, body: ScopeBody } }, async (req) => incidents.scope(req.actor, req.params.id, req.body));
  r.get('/api/v1/incidents/:id/scope', { schema: { tags, summary: '影响范围汇总 / Scope summary', params: Params } }, async (req) => {
    const v = await incidents.get(req.actor, req.params.id);
    return { incident_id: v.id, scoped_at: v.scoped_at, affected: v.affected_count, sensitive: v.sensitive_count, grade: v.grade, report: v.report, scope: v.scope };
  });
  r.get('/api/v1/incidents/:id/subjects', { schema: { tags, summary: '受影响的个人（分页） / Affected individuals (paged)', params: Params, querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).optional(), offset: Paging.offset, sensitive: z.enum(['true', 'false']).optional() }) } }, async (req) => {
    const q = req.query;
    return incidents.subjects(req.actor, req.params.id, { limit: q.limit, offset: q.offset, sensitive: q.sensitive === undefined ? undefined : q.sensitive === 'true' });
  });
  r.post('/api/v1/incidents/:id/notifications', { schema: { tags, summary: '通知受影响的个人（第57条） / Notify the affected individuals (Art. 57)', params: Params, body: z.strictObject({ channels: z.array(z.enum(CHANNELS)).min(1).max(2), language: z.enum(['zh-CN', 'en']).optional(), purpose: Name.optional() }) } }, async (req, reply) => reply.status(202).send(await notify.start(req.actor, req.params.id, req.body)));
  r.get('/api/v1/incidents/:id/notifications', { schema: { tags, summary: '逐人投递状态 / Per-recipient delivery state', params: Params, querystring: z.strictObject({ state: z.enum(['pending', 'sent', 'failed', 'no_contact']).optional(), channel: z.enum(CHANNELS).optional(), limit: z.coerce.number().int().min(1).max(500).optional(), offset: Paging.offset }) } }, async (req) => notify.list(req.actor, req.params.id, req.query));
  r.post('/api/v1/incidents/:id/notifications/retry', { schema: { tags, summary: '重试失败的通知 / Retry failed notices', params: Params } }, async (req) => notify.retryFailed(req.actor, req.params.id));
  r.get('/api/v1/incidents/:id/report', { schema: { tags, summary: '事件报告（JSON、PDF、DOCX） / Regulator or summary report', params: Params, querystring: z.strictObject({ kind: z.enum(['initial', 'summary']).default('initial'), format: z.enum(['json', 'pdf', 'docx']).default('json') }) } }, async (req, reply) => {
    const { kind, format } = req.query;
    const doc = await incidents.reportDocument(req.actor, req.params.id, kind, format);
    const name = `incident-${kind}-report-${req.params.id}`;
    reply.header('cache-control', 'no-store');
    if (format === 'pdf') return reply.header('content-type', 'application/pdf').header('content-disposition', `attachment; filename="${name}.pdf"`).send(await renderPdf(doc));
    if (format === 'docx') return reply.header('content-type', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document').header('content-disposition', `attachment; filename="${name}.docx"`).send(await renderDocx(doc));
    return reply.header('content-disposition', `attachment; filename="${name}.json"`).send({ ...doc, sha256: documentHash(doc) });
  });
  r.post('/api/v1/incidents/:id/report-filings', { schema: { tags, summary: '记录已向监管部门报送 / Record that a report was filed', params: Params, body: z.strictObject({ kind: z.enum(['initial', 'summary']), filed_at: Time.optional(), reference: Text(200).optional() }) } }, async (req) => incidents.fileReport(req.actor, req.params.id, req.body));
  r.post('/api/v1/incidents/:id/review', { schema: { tags, summary: '事后复盘 / Post-incident review', params: Params, body: z.strictObject({ cause: Text(), lessons: Text(), improvements: Text(), harm_assessment: Text().optional() }) } }, async (req) => incidents.review(req.actor, req.params.id, req.body));

  // ---- settings, plans, sinks ----
  const SettingsBody = z.strictObject({
    grade_thresholds: z.strictObject({ major: z.number().int().min(1), serious: z.number().int().min(1), especially_serious: z.number().int().min(1) }).partial().optional(),
    report_hours: z.number().min(0.25).max(720).optional(), cii_operator: z.boolean().optional(), cii_report_hours: z.number().min(0.25).max(720).optional(),
    general_report_hours: z.number().min(0.25).max(720).nullable().optional(), summary_days: z.number().int().min(1).max(365).optional(),
    organisation: z.string().max(200).optional(), contact: z.string().max(500).optional(), regulator: z.string().max(200).optional(), notification_purpose: Name.optional(),
    drill_every_days: z.number().int().min(1).max(3650).nullable().optional(), drill_scenario: z.enum(DRILL_SCENARIOS).optional(),
  });
  r.get('/api/v1/incident-settings', { schema: { tags, summary: '事件设置（时限、分级阈值、单位信息） / Incident settings' } }, async (req) => admin.settings(req.actor));
  r.put('/api/v1/incident-settings', { schema: { tags, summary: '修改事件设置 / Change incident settings', body: SettingsBody } }, async (req) => admin.updateSettings(req.actor, req.body as never));
  const PlanBody = z.strictObject({
    kind: z.enum(INCIDENT_KINDS), title: Text(200), notes: Text(10_000).optional(),
    roles: z.array(z.strictObject({ role: Text(100), name: Text(100), contact: Text(200).optional() })).max(50),
    contacts: z.array(z.strictObject({ name: Text(100), organisation: Text(200).optional(), phone: Text(50).optional(), email: Text(200).optional() })).max(50),
    steps: z.array(z.strictObject({ key: Name, title: Text(500), role: Text(100).optional(), within_minutes: z.number().int().min(1).max(525_600).optional() })).min(1).max(100),
  });
  r.post('/api/v1/response-plans', { schema: { tags, summary: '发布应急预案新版本 / Publish a response plan version', body: PlanBody } }, async (req, reply) => reply.status(201).send(await admin.publishPlan(req.actor, req.body)));
  r.get('/api/v1/response-plans', { schema: { tags, summary: '应急预案（各类型的现行版本） / Response plans', querystring: z.strictObject({ kind: z.enum(INCIDENT_KINDS).optional() }) } }, async (req) => admin.plans(req.actor, req.query.kind));
  r.get('/api/v1/response-plans/:kind/:version', { schema: { tags, summary: '预案的某一版本 / One plan version', params: z.strictObject({ kind: z.enum(INCIDENT_KINDS), version: z.coerce.number().int().min(1) }) } }, async (req) => admin.plan(req.actor, req.params.kind, req.params.version));
  r.post('/api/v1/incident-sinks', { schema: { tags, summary: '推送告警与事件到 webhook、syslog 或 NATS / Push to a webhook, syslog or NATS', body: z.strictObject({ kind: z.enum(SINK_KINDS), target: z.string().min(1).max(500) }) } }, async (req, reply) => reply.status(201).send(await admin.createSink(req.actor, req.body)));
  r.get('/api/v1/incident-sinks', { schema: { tags, summary: '推送目标 / Sinks' } }, async (req) => admin.sinks(req.actor));
  r.patch('/api/v1/incident-sinks/:id', { schema: { tags, summary: '启用或停用推送目标 / Enable or disable a sink', params: Params, body: z.strictObject({ enabled: z.boolean() }) } }, async (req) => admin.setSinkEnabled(req.actor, req.params.id, req.body.enabled));

  // ---- drills (GET /api/v1/drills lists backup restore drills; incident drills are under /drills/incidents) ----
  r.post('/api/v1/drills', { schema: { tags: ['drills'], summary: '运行安全事件演练（合成数据、独立存储） / Run an incident drill (synthetic data, scratch store)', body: z.strictObject({ scenario: z.enum(DRILL_SCENARIOS), subjects: z.number().int().min(10).max(5000).optional() }) } }, async (req, reply) => reply.status(201).send(await drills.run(req.actor, req.body)));
  r.get('/api/v1/drills/incidents', { schema: { tags: ['drills'], summary: '安全事件演练记录与计划 / Incident drills and schedule', querystring: z.strictObject({ ...Paging, ...Sorting(DRILL_SORT.columns), scenario: z.enum(DRILL_SCENARIOS).optional(), ok: z.enum(['true', 'false']).optional() }) } }, async (req) => drills.list(req.actor, { ...req.query, ok: req.query.ok === undefined ? undefined : req.query.ok === 'true' }));
  r.get('/api/v1/drills/:id', { schema: { tags: ['drills'], summary: '演练结果（各步骤耗时） / A drill with its timed steps', params: Params } }, async (req) => drills.get(req.actor, req.params.id));
}
