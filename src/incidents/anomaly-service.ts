/**
 * Anomaly detection as a durable incremental job: reads the tenant's audit events after its cursor
 * (ordered by seq, chained events only), evaluates the rules against per-actor state kept in
 * `anomaly_actors`, and commits alerts, state and the new cursor in one transaction per batch — a
 * restart replays at most the batch that did not commit, so no alert is lost or doubled.
 * Also the alert lifecycle: acknowledge, dismiss with a reason (escalation lives in the incident service).
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/connection.js';
import { countOf, orderBySpec, type PageQuery, type SortSpec } from '../db/paging.js';
import { conflict, invalidField, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import type { CollectionStore } from '../vault/index.js';
import { chinaDate, workingDay } from '../rights/index.js';
import { DEFAULT_PARAMS, EVIDENCE_CAP, RULES, defaultRuleSet, evaluate, persistReads, type ActorState, type AlertHit, type AuditLite, type RuleName, type RuleSet } from './anomaly-rules.js';
import { publish } from './sinks.js';
import type { AlertState } from './incident-types.js';

export const BASELINE_SORT: SortSpec<'last_seen' | 'first_seen' | 'events' | 'actor_id'> = { columns: { last_seen: 'last_seen', first_seen: 'first_seen', events: 'events', actor_id: 'actor_id' }, sort: 'last_seen', order: 'desc', tiebreak: ['actor_id'] };
export const ALERT_SORT: SortSpec<'created_at' | 'event_count' | 'rule' | 'state' | 'actor_id' | 'window_end'> = { columns: { created_at: 'created_at', event_count: 'event_count', rule: 'rule', state: 'state', actor_id: 'actor_id', window_end: 'window_end' }, sort: 'created_at', order: 'desc', tiebreak: ['id'] };

export interface AnomalyDeps {
  db: Db;
  audit: Pick<AuditService, 'record' | 'chainCommitted'>;
  access: Pick<AccessService, 'requirePermission'>;
  collections: Pick<CollectionStore, 'list'>;
  clock: Clock;
}

export interface ListAlertsInput { state?: AlertState; rule?: RuleName; severity?: string; actor_id?: string; incident_id?: string; from?: string; to?: string; limit?: number; offset?: number }
export interface RuleUpdateInput { enabled?: boolean; params?: Record<string, unknown>; exempt_actors?: string[] }

const CST = 8 * 3_600_000;
type AlertRow = Awaited<ReturnType<typeof loadAlert>>;

async function loadAlert(tx: Tx, tenantId: string, id: string, lock = false) {
  let q = tx.selectFrom('alerts').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (lock) q = q.forUpdate();
  const a = await q.executeTakeFirst();
  if (!a) throw notFound('incident.alert_not_found', '告警不存在', 'alert not found');
  return a;
}

export function presentAlert(a: NonNullable<AlertRow>) {
  return {
    id: a.id, rule: a.rule, severity: a.severity, state: a.state, actor: { type: a.actor_type, id: a.actor_id },
    window: { start: new Date(a.window_start).toISOString(), end: new Date(a.window_end).toISOString() },
    event_count: a.event_count, evidence_seqs: a.evidence as number[], summary: a.summary as Record<string, unknown>,
    handled_by: a.handled_by, handled_at: a.handled_at ? new Date(a.handled_at).toISOString() : null, reason: a.reason, incident_id: a.incident_id,
    created_at: new Date(a.created_at).toISOString(), updated_at: new Date(a.updated_at).toISOString(),
  };
}
export type AlertView = ReturnType<typeof presentAlert>;

function toState(r: { actor_id: string; actor_type: string; first_seen: Date; last_seen: Date; events: number; networks: unknown; sens_bucket: Date | null; sens_count: number; sens_mean: number; sens_var: number; sens_buckets: number; window_state: unknown }, fresh: boolean): ActorState {
  const w = (r.window_state ?? {}) as Partial<ActorState['win']> & { sens_alerted?: number | null };
  return {
    actorId: r.actor_id, actorType: r.actor_type, firstSeen: new Date(r.first_seen).getTime(), lastSeen: fresh ? null : new Date(r.last_seen).getTime(), events: Number(r.events),
    networks: (r.networks as string[]) ?? [],
    sens: { bucket: r.sens_bucket ? new Date(r.sens_bucket).getTime() : null, count: r.sens_count, mean: r.sens_mean, var: r.sens_var, n: r.sens_buckets, alerted: w.sens_alerted ?? null },
    win: { reads: w.reads ?? [], exports: w.exports ?? [], refusals: w.refusals ?? [], open: w.open ?? {} },
  };
}

/** Working hours in China time on the official calendar, cached per hour. */
function workingTimeFn() {
  const hours = new Map<string, boolean>();
  return (at: number, start: number, end: number) => {
    const key = `${Math.floor(at / 3_600_000)}|${start}|${end}`;
    let v = hours.get(key);
    if (v === undefined) {
      const hour = new Date(at + CST).getUTCHours();
      v = workingDay(chinaDate(new Date(at))).work && hour >= start && hour < end;
      if (hours.size > 100_000) hours.clear();
      hours.set(key, v);
    }
    return v;
  };
}

export function createAnomalyService(deps: AnomalyDeps) {
  const { db, audit, access, clock } = deps;
  const manage = (tx: Tx, actor: Actor) => access.requirePermission(tx, actor, 'incidents.manage');

  async function loadRules(tx: Tx, tenantId: string): Promise<RuleSet> {
    const set = defaultRuleSet();
    const rows = await tx.selectFrom('anomaly_rules').selectAll().where('tenant_id', '=', tenantId).execute();
    for (const r of rows) {
      if (!(RULES as readonly string[]).includes(r.rule)) continue;
      const k = r.rule as RuleName;
      (set[k] as { enabled: boolean; params: object; exempt: string[] }) = { enabled: r.enabled, params: { ...DEFAULT_PARAMS[k], ...(r.params as object) }, exempt: (r.exempt_actors as string[]) ?? [] };
    }
    return set;
  }

  async function sensitivityFn(tx: Tx, tenantId: string) {
    const cols = await deps.collections.list(tx, tenantId);
    const map = new Map(cols.map((c) => [c.name, new Set(c.fields.filter((f) => f.sensitive).map((f) => f.name))]));
    const anySensitive = [...map.values()].some((s) => s.size > 0);
    return (collection: string | null, fields: string[] | null) => {
      if (!collection) return false;
      if (collection === '*') return anySensitive;
      const s = map.get(collection);
      if (!s || s.size === 0) return false;
      if (!fields) return true;
      return fields.some((f) => s.has(f));
    };
  }

  async function saveStates(tx: Tx, tenantId: string, states: Map<string, ActorState>, touched: Set<string>) {
    const rows = [...touched].map((id) => {
      const s = states.get(id)!;
      return {
        tenant_id: tenantId, actor_id: s.actorId, actor_type: s.actorType, first_seen: new Date(s.firstSeen), last_seen: new Date(s.lastSeen ?? s.firstSeen), events: s.events,
        networks: JSON.stringify(s.networks), sens_bucket: s.sens.bucket === null ? null : new Date(s.sens.bucket), sens_count: s.sens.count, sens_mean: s.sens.mean, sens_var: s.sens.var, sens_buckets: s.sens.n,
        window_state: JSON.stringify({ reads: persistReads(s.win), exports: s.win.exports, refusals: s.win.refusals, open: s.win.open, sens_alerted: s.sens.alerted }),
      };
    });
    for (let i = 0; i < rows.length; i += 500) {
      await tx.insertInto('anomaly_actors').values(rows.slice(i, i + 500)).onConflict((oc) => oc.columns(['tenant_id', 'actor_id']).doUpdateSet((eb) => ({
        actor_type: eb.ref('excluded.actor_type'), last_seen: eb.ref('excluded.last_seen'), events: eb.ref('excluded.events'), networks: eb.ref('excluded.networks'),
        sens_bucket: eb.ref('excluded.sens_bucket'), sens_count: eb.ref('excluded.sens_count'), sens_mean: eb.ref('excluded.sens_mean'), sens_var: eb.ref('excluded.sens_var'),
        sens_buckets: eb.ref('excluded.sens_buckets'), window_state: eb.ref('excluded.window_state'),
      }))).execute();
    }
  }

  async function applyHits(tx: Tx, tenantId: string, hits: AlertHit[], states: Map<string, ActorState>, now: Date): Promise<{ raised: AlertHit[]; extended: number }> {
    const raised: AlertHit[] = hits.filter((h) => h.isNew);
    const ext = hits.filter((x) => !x.isNew);
    const updated = new Set<string>();
    // One statement extends every open alert the batch touched (an alert dismissed meanwhile is left alone).
    for (let i = 0; i < ext.length; i += 1000) {
      const c = ext.slice(i, i + 1000);
      const r = await sql<{ id: string }>`update alerts a set window_end = greatest(a.window_end, v.window_end), event_count = a.event_count + v.n, last_seq = v.last_seq,
          evidence = case when jsonb_array_length(a.evidence) >= ${EVIDENCE_CAP} then a.evidence else (select coalesce(jsonb_agg(x), '[]'::jsonb) from (select x from jsonb_array_elements(a.evidence || v.evidence::jsonb) x limit ${EVIDENCE_CAP}) s) end,
          summary = a.summary || v.summary::jsonb, updated_at = ${now}
        from unnest(${c.map((h) => h.id)}::text[], ${c.map((h) => new Date(h.end).toISOString())}::timestamptz[], ${c.map((h) => h.count)}::int[], ${c.map((h) => h.lastSeq)}::bigint[], ${c.map((h) => JSON.stringify(h.evidence))}::text[], ${c.map((h) => JSON.stringify(h.summary))}::text[])
          as v(id, window_end, n, last_seq, evidence, summary)
        where a.tenant_id = ${tenantId} and a.id = v.id and a.state <> 'dismissed' returning a.id`.execute(tx);
      for (const row of r.rows) updated.add(row.id);
    }
    const extended = updated.size;
    for (const h of ext) {
      if (updated.has(h.id)) continue;
      // The open alert was dismissed (or is gone): the activity goes on, so it is raised again.
      const id = newId('alr');
      const st = states.get(h.actorId);
      const open = st?.win.open[h.rule];
      if (open && open.id === h.id) open.id = id;
      raised.push({ ...h, id, isNew: true });
    }
    if (raised.length) {
      await tx.insertInto('alerts').values(raised.map((h) => ({
        tenant_id: tenantId, id: h.id, rule: h.rule, severity: h.severity, actor_type: h.actorType, actor_id: h.actorId, window_start: new Date(h.start), window_end: new Date(h.end),
        event_count: h.count, evidence: JSON.stringify(h.evidence), summary: JSON.stringify(h.summary), first_seq: h.firstSeq, last_seq: h.lastSeq, created_at: now, updated_at: now,
      }))).execute();
      const system: Actor = { type: 'system', id: 'job:incidents.anomaly_scan', tenantId, roles: [] };
      await audit.record(tx, system, raised.map((h) => ({ action: 'alert.raise', decision: 'allow' as const, details: { alert_id: h.id, rule: h.rule, severity: h.severity, actor_id: h.actorId, events: h.count } })));
      await publish(tx, tenantId, raised.map((h) => ({ type: 'alert.raised', alert_id: h.id, rule: h.rule, severity: h.severity, actor_type: h.actorType, actor_id: h.actorId, window_start: new Date(h.start).toISOString(), window_end: new Date(h.end).toISOString(), event_count: h.count })));
    }
    return { raised, extended };
  }

  type EventRow = { seq: number; at_ms: number; actor_type: string; actor_id: string; action: string; decision: string; subject_id: string | null; collection: string | null; fields: string[] | null; client_ip: string | null; records: string | null };

  /**
   * One incremental pass over a tenant's new audit events (the job's body). Events are read in batches
   * and evaluated in memory; every `checkpointEvents` (and at the end) one transaction writes the
   * alerts, the per-actor states and the cursor together — it first checks that the cursor is where
   * this pass started, so two runners (the job and "scan now") never apply the same events twice.
   */
  async function scan(tenantId: string, opts: { budgetMs?: number; batch?: number; checkpointEvents?: number } = {}) {
    const started = Date.now();
    const budget = opts.budgetMs ?? 20_000;
    const batch = opts.batch ?? 20_000;
    const checkpointEvents = Math.max(opts.checkpointEvents ?? 200_000, 1);
    let events = 0, raised = 0, extended = 0, checkpoints = 0, concurrent = false;
    // Events get their sequence number when chained (ADR 0005): chain what is pending so the scan sees it.
    await deps.audit.chainCommitted(tenantId);
    const setup = await db.transaction(async (tx) => {
      await sql`insert into anomaly_cursors (tenant_id, last_seq) values (${tenantId}, 0) on conflict (tenant_id) do nothing`.execute(tx);
      const cur = await tx.selectFrom('anomaly_cursors').select(['last_seq']).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
      return { cursor: Number(cur.last_seq), rules: await loadRules(tx, tenantId), sensitive: await sensitivityFn(tx, tenantId) };
    });
    let cursor = setup.cursor;
    const ctx = { rules: setup.rules, sensitive: setup.sensitive, workingTime: workingTimeFn(), newId: () => newId('alr') };
    for (;;) {
      const states = new Map<string, ActorState>();
      const loaded = new Set<string>();
      const acc = { hits: new Map<string, AlertHit>(), touched: new Set<string>() };
      let n = 0, from = cursor, last: AuditLite | null = null, caughtUp = false;
      for (;;) {
        const rows = await db.transaction(async (tx) => (await sql<EventRow>`
          select seq, (extract(epoch from at) * 1000)::float8 as at_ms, actor_type, actor_id, action, decision, subject_id, collection, fields, client_ip, details->>'records' as records
          from audit_events where tenant_id = ${tenantId} and seq > ${from} and seq is not null order by seq limit ${batch}`.execute(tx)).rows);
        if (rows.length === 0) { caughtUp = true; break; }
        const evs: AuditLite[] = rows.map((r) => ({
          seq: Number(r.seq), at: Math.round(Number(r.at_ms)), actorType: r.actor_type, actorId: r.actor_id, action: r.action, decision: r.decision,
          subjectId: r.subject_id, collection: r.collection, fields: r.fields, clientIp: r.client_ip, records: r.records === null ? null : Number(r.records),
        }));
        const missing = [...new Set(evs.filter((e) => e.actorType !== 'system' && !loaded.has(e.actorId)).map((e) => e.actorId))];
        for (let i = 0; i < missing.length; i += 1000) {
          const ids = missing.slice(i, i + 1000);
          const got = await db.transaction((tx) => tx.selectFrom('anomaly_actors').selectAll().where('tenant_id', '=', tenantId).where('actor_id', 'in', ids).execute());
          for (const g of got) states.set(g.actor_id, toState(g, false));
          for (const id of ids) loaded.add(id);
        }
        evaluate(evs, states, ctx, acc);
        n += evs.length;
        last = evs[evs.length - 1];
        from = last.seq;
        if (rows.length < batch) { caughtUp = true; break; }
        if (n >= checkpointEvents || Date.now() - started > budget) break;
      }
      if (n === 0 || !last) break;
      const end = last;
      const applied = await db.transaction(async (tx) => {
        const cur = await tx.selectFrom('anomaly_cursors').select(['last_seq']).where('tenant_id', '=', tenantId).forUpdate().executeTakeFirstOrThrow();
        if (Number(cur.last_seq) !== cursor) return null;
        const now = clock.now();
        const a = await applyHits(tx, tenantId, [...acc.hits.values()], states, now);
        await saveStates(tx, tenantId, states, acc.touched);
        await tx.updateTable('anomaly_cursors').set({ last_seq: end.seq, events_seen: sql`events_seen + ${n}`, last_event_at: new Date(end.at), updated_at: now }).where('tenant_id', '=', tenantId).execute();
        return a;
      });
      if (!applied) { concurrent = true; break; }
      events += n;
      raised += applied.raised.length;
      extended += applied.extended;
      checkpoints += 1;
      cursor = end.seq;
      if (caughtUp || Date.now() - started > budget) break;
    }
    return { events, checkpoints, alerts_raised: raised, alerts_extended: extended, last_seq: cursor, ms: Date.now() - started, ...(concurrent ? { note: 'another scan advanced the cursor; its work stands and this pass stopped' } : {}) };
  }

  return {
    scan,
    loadRules,

    /** Run the detector now (the job also runs it every minute). */
    async scanNow(actor: Actor) {
      await db.transaction((tx) => manage(tx, actor));
      return scan(actor.tenantId);
    },

    async listAlerts(actor: Actor, q: ListAlertsInput & PageQuery<keyof typeof ALERT_SORT.columns>) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        let s = tx.selectFrom('alerts').where('tenant_id', '=', actor.tenantId);
        if (q.state) s = s.where('state', '=', q.state);
        if (q.rule) s = s.where('rule', '=', q.rule);
        if (q.severity) s = s.where('severity', '=', q.severity);
        if (q.actor_id) s = s.where('actor_id', '=', q.actor_id);
        if (q.incident_id) s = s.where('incident_id', '=', q.incident_id);
        if (q.from) s = s.where('created_at', '>=', new Date(q.from));
        if (q.to) s = s.where('created_at', '<', new Date(q.to));
        const limit = Math.min(q.limit ?? 50, 200);
        const offset = q.offset ?? 0;
        const total = Number((await s.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
        const rows = await orderBySpec(s.selectAll(), q, ALERT_SORT).limit(limit).offset(offset).execute();
        const byState = await tx.selectFrom('alerts').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).where('tenant_id', '=', actor.tenantId).groupBy('state').execute();
        return { alerts: rows.map(presentAlert), total, next_offset: offset + rows.length < total ? offset + rows.length : null, counts: Object.fromEntries(byState.map((b) => [b.state, Number(b.n)])) };
      });
    },

    /** An alert with its evidence events (from the audit log; ids, names and decisions only). */
    async getAlert(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const a = await loadAlert(tx, actor.tenantId, id);
        const seqs = (a.evidence as number[]).slice(0, EVIDENCE_CAP);
        const events = seqs.length ? await tx.selectFrom('audit_events').select(['seq', 'id', 'at', 'actor_type', 'actor_id', 'action', 'decision', 'purpose', 'subject_id', 'collection', 'record_id', 'fields', 'reason', 'client_ip'])
          .where('tenant_id', '=', actor.tenantId).where('seq', 'in', seqs).orderBy('seq').execute() : [];
        return { ...presentAlert(a), evidence: events.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) };
      });
    },

    async acknowledge(actor: Actor, id: string, note?: string) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const a = await loadAlert(tx, actor.tenantId, id, true);
        if (a.state !== 'open') throw conflict('incident.alert_state', `告警状态为 ${a.state}，不能确认`, `the alert is ${a.state}; only an open alert can be acknowledged`);
        const now = clock.now();
        await tx.updateTable('alerts').set({ state: 'acknowledged', handled_by: actor.id, handled_at: now, reason: note ?? null, updated_at: now }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await audit.record(tx, actor, [{ action: 'alert.acknowledge', decision: 'allow', details: { alert_id: id, rule: a.rule } }]);
        await publish(tx, actor.tenantId, [{ type: 'alert.acknowledged', alert_id: id, rule: a.rule, by: actor.id }]);
        return presentAlert(await loadAlert(tx, actor.tenantId, id));
      });
    },

    async dismiss(actor: Actor, id: string, reason: string) {
      if (!reason.trim()) throw invalidField('reason', '驳回告警必须说明理由', 'is required to dismiss an alert');
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const a = await loadAlert(tx, actor.tenantId, id, true);
        if (a.state === 'dismissed' || a.state === 'escalated') throw conflict('incident.alert_state', `告警状态为 ${a.state}，不能驳回`, `the alert is ${a.state} and cannot be dismissed`);
        const now = clock.now();
        await tx.updateTable('alerts').set({ state: 'dismissed', handled_by: actor.id, handled_at: now, reason, updated_at: now }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await audit.record(tx, actor, [{ action: 'alert.dismiss', decision: 'allow', reason, details: { alert_id: id, rule: a.rule } }]);
        await publish(tx, actor.tenantId, [{ type: 'alert.dismissed', alert_id: id, rule: a.rule, by: actor.id }]);
        return presentAlert(await loadAlert(tx, actor.tenantId, id));
      });
    },

    async rules(actor: Actor) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const set = await loadRules(tx, actor.tenantId);
        return { rules: RULES.map((r) => ({ rule: r, enabled: set[r].enabled, params: set[r].params, exempt_actors: set[r].exempt, defaults: DEFAULT_PARAMS[r] })) };
      });
    },

    async updateRule(actor: Actor, rule: RuleName, input: RuleUpdateInput) {
      const defaults = DEFAULT_PARAMS[rule] as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(input.params ?? {})) {
        if (!(k in defaults)) throw invalidField(`params.${k}`, `不是规则 ${rule} 的参数`, `is not a parameter of rule ${rule}`);
        const d = defaults[k];
        if (typeof d === 'number' && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) throw invalidField(`params.${k}`, '必须是非负数', 'must be a non-negative number');
        if (Array.isArray(d) && (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))) throw invalidField(`params.${k}`, '必须是字符串数组', 'must be an array of strings');
      }
      if (rule === 'off_hours' && input.params) {
        const p = { ...DEFAULT_PARAMS.off_hours, ...input.params } as { start_hour: number; end_hour: number };
        if (!(p.start_hour >= 0 && p.end_hour <= 24 && p.start_hour < p.end_hour)) throw invalidField('params', '工作时间必须满足 0 <= start_hour < end_hour <= 24', 'working hours must satisfy 0 <= start_hour < end_hour <= 24');
      }
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const cur = (await loadRules(tx, actor.tenantId))[rule];
        const next = { enabled: input.enabled ?? cur.enabled, params: { ...cur.params, ...(input.params ?? {}) }, exempt: input.exempt_actors ?? cur.exempt };
        const row = { tenant_id: actor.tenantId, rule, enabled: next.enabled, params: JSON.stringify(next.params), exempt_actors: JSON.stringify(next.exempt), updated_at: clock.now() };
        await tx.insertInto('anomaly_rules').values(row).onConflict((oc) => oc.columns(['tenant_id', 'rule']).doUpdateSet(row)).execute();
        await audit.record(tx, actor, [{ action: 'alert.rule_update', decision: 'allow', details: { rule, enabled: next.enabled, params: next.params, exempt_actors: next.exempt.length } }]);
        return { rule, enabled: next.enabled, params: next.params, exempt_actors: next.exempt, defaults: DEFAULT_PARAMS[rule] };
      });
    },

    /** Where the detector stands: cursor, lag behind the chain's head, actors with a baseline. */
    async status(actor: Actor) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const cur = await tx.selectFrom('anomaly_cursors').selectAll().where('tenant_id', '=', actor.tenantId).executeTakeFirst();
        const head = await tx.selectFrom('audit_heads').select('seq').where('tenant_id', '=', actor.tenantId).executeTakeFirst();
        const actors = Number((await tx.selectFrom('anomaly_actors').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', actor.tenantId).executeTakeFirstOrThrow()).n);
        const last = Number(cur?.last_seq ?? 0);
        return {
          last_seq: last, head_seq: Number(head?.seq ?? 0), lag_events: Math.max(0, Number(head?.seq ?? 0) - last), events_seen: Number(cur?.events_seen ?? 0),
          last_event_at: cur?.last_event_at ? new Date(cur.last_event_at).toISOString() : null, last_run_at: cur ? new Date(cur.updated_at).toISOString() : null, actors_with_baseline: actors,
        };
      });
    },

    /** Per-actor baselines (what "far above the actor's own baseline" is measured against). */
    async baselines(actor: Actor, q: PageQuery<keyof typeof BASELINE_SORT.columns> & { actor_type?: string }) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const limit = Math.min(q.limit ?? 50, 200);
        const offset = q.offset ?? 0;
        let s = tx.selectFrom('anomaly_actors').select(['actor_id', 'actor_type', 'first_seen', 'last_seen', 'events', 'networks', 'sens_mean', 'sens_var', 'sens_buckets'])
          .where('tenant_id', '=', actor.tenantId);
        if (q.actor_type) s = s.where('actor_type', '=', q.actor_type);
        const rows = await orderBySpec(s, q, BASELINE_SORT).limit(limit + 1).offset(offset).execute();
        return {
          total: await countOf(s),
          actors: rows.slice(0, limit).map((r) => ({
            actor_id: r.actor_id, actor_type: r.actor_type, first_seen: new Date(r.first_seen).toISOString(), last_seen: new Date(r.last_seen).toISOString(), events: Number(r.events),
            networks: (r.networks as string[]).length, sensitive_reads_per_active_bucket: { mean: Math.round(r.sens_mean * 100) / 100, sd: Math.round(Math.sqrt(Math.max(r.sens_var, 0)) * 100) / 100, hours: r.sens_buckets },
          })),
          next_offset: rows.length > limit ? offset + limit : null,
        };
      });
    },
  };
}
export type AnomalyService = ReturnType<typeof createAnomalyService>;
