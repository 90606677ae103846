/** Incident settings (deadlines, thresholds, organisation), versioned response plans (应急预案) and event sinks. */
import { randomBytes } from 'node:crypto';
import type { Db, Tx } from '../db/connection.js';
import { invalidField, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import { loadSettings, saveSettings } from './incident-repo.js';
import { parseTarget, type SecretBox } from './sinks.js';
import type { IncidentKind, IncidentSettings, PlanInput, SinkKind } from './incident-types.js';

export interface AdminDeps { db: Db; audit: Pick<AuditService, 'record'>; access: Pick<AccessService, 'requirePermission'>; box: SecretBox; clock: Clock }

function presentPlan(p: { kind: string; version: number; title: string; roles: unknown; contacts: unknown; steps: unknown; notes: string | null; created_by: string; created_at: Date }) {
  return { kind: p.kind, version: p.version, title: p.title, roles: p.roles, contacts: p.contacts, steps: p.steps, notes: p.notes, created_by: p.created_by, created_at: new Date(p.created_at).toISOString() };
}

export function createIncidentAdmin(deps: AdminDeps) {
  const { db, audit, access, clock } = deps;
  const manage = (tx: Tx, actor: Actor) => access.requirePermission(tx, actor, 'incidents.manage');

  return {
    async settings(actor: Actor) {
      return db.transaction(async (tx) => { await manage(tx, actor); return loadSettings(tx, actor.tenantId); });
    },

    async updateSettings(actor: Actor, input: Partial<IncidentSettings>) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const cur = await loadSettings(tx, actor.tenantId);
        const next: IncidentSettings = { ...cur, ...input, grade_thresholds: { ...cur.grade_thresholds, ...(input.grade_thresholds ?? {}) } };
        const t = next.grade_thresholds;
        if (!(t.major < t.serious && t.serious < t.especially_serious)) throw invalidField('grade_thresholds', '必须满足 较大 < 重大 < 特别重大', 'must rise: major < serious < especially_serious');
        if (input.drill_every_days !== undefined) next.next_drill_at = input.drill_every_days ? new Date(clock.now().getTime() + input.drill_every_days * 86_400_000).toISOString() : null;
        await saveSettings(tx, actor.tenantId, next);
        await audit.record(tx, actor, [{ action: 'incident.settings', decision: 'allow', details: { fields: Object.keys(input) } }]);
        return next;
      });
    },

    /** Publish a new version of the response plan for a kind of incident. */
    async publishPlan(actor: Actor, input: PlanInput) {
      const keys = new Set<string>();
      input.steps.forEach((s, i) => { if (keys.has(s.key)) throw invalidField(`steps[${i}].key`, `重复：${s.key}`, `duplicates step ${s.key}`); keys.add(s.key); });
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const last = await tx.selectFrom('response_plans').select('version').where('tenant_id', '=', actor.tenantId).where('kind', '=', input.kind).orderBy('version', 'desc').limit(1).executeTakeFirst();
        const version = (last?.version ?? 0) + 1;
        const now = clock.now();
        await tx.insertInto('response_plans').values({
          tenant_id: actor.tenantId, kind: input.kind, version, title: input.title, roles: JSON.stringify(input.roles), contacts: JSON.stringify(input.contacts), steps: JSON.stringify(input.steps),
          notes: input.notes ?? null, created_by: actor.id, created_at: now,
        }).execute();
        await audit.record(tx, actor, [{ action: 'incident.plan_publish', decision: 'allow', details: { kind: input.kind, version, steps: input.steps.length } }]);
        return presentPlan({ ...input, version, notes: input.notes ?? null, created_by: actor.id, created_at: now });
      });
    },

    /** The current plan of each kind (with `versions` listing all), or every version of one kind. */
    async plans(actor: Actor, kind?: IncidentKind) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        let q = tx.selectFrom('response_plans').selectAll().where('tenant_id', '=', actor.tenantId);
        if (kind) q = q.where('kind', '=', kind);
        const rows = await q.orderBy('kind').orderBy('version', 'desc').execute();
        if (kind) return { plans: rows.map(presentPlan) };
        const latest = new Map<string, ReturnType<typeof presentPlan> & { versions: number[] }>();
        for (const r of rows) {
          const l = latest.get(r.kind);
          if (l) l.versions.push(r.version); else latest.set(r.kind, { ...presentPlan(r), versions: [r.version] });
        }
        return { plans: [...latest.values()] };
      });
    },

    async plan(actor: Actor, kind: IncidentKind, version: number) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const p = await tx.selectFrom('response_plans').selectAll().where('tenant_id', '=', actor.tenantId).where('kind', '=', kind).where('version', '=', version).executeTakeFirst();
        if (!p) throw notFound('incident.plan_not_found', '预案版本不存在', 'no such plan version');
        return presentPlan(p);
      });
    },

    /** Add a sink; a webhook gets a signing secret, shown once. */
    async createSink(actor: Actor, input: { kind: SinkKind; target: string }) {
      parseTarget(input.kind, input.target);
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const id = newId('snk');
        const secret = input.kind === 'webhook' ? `whsec_${randomBytes(24).toString('base64url')}` : null;
        const sealed = secret ? await deps.box.seal(tx, actor.tenantId, Buffer.from(secret), `sink|${id}`) : null;
        await tx.insertInto('incident_sinks').values({ tenant_id: actor.tenantId, id, kind: input.kind, target: input.target, secret_sealed: sealed, created_at: clock.now() }).execute();
        await audit.record(tx, actor, [{ action: 'incident.sink_create', decision: 'allow', details: { sink_id: id, kind: input.kind } }]);
        return { id, kind: input.kind, target: input.target, enabled: true, ...(secret ? { secret } : {}) };
      });
    },

    async sinks(actor: Actor) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const rows = await tx.selectFrom('incident_sinks').select(['id', 'kind', 'target', 'enabled', 'last_error', 'last_sent_at', 'created_at']).where('tenant_id', '=', actor.tenantId).orderBy('created_at').execute();
        const pending = await tx.selectFrom('incident_pushes').select(['sink_id', 'state', (eb) => eb.fn.countAll<number>().as('n')]).where('tenant_id', '=', actor.tenantId).where('state', '<>', 'sent').groupBy(['sink_id', 'state']).execute();
        return {
          sinks: rows.map((r) => ({
            ...r, last_sent_at: r.last_sent_at ? new Date(r.last_sent_at).toISOString() : null, created_at: new Date(r.created_at).toISOString(),
            pending: Number(pending.find((p) => p.sink_id === r.id && p.state === 'pending')?.n ?? 0), failed: Number(pending.find((p) => p.sink_id === r.id && p.state === 'failed')?.n ?? 0),
          })),
        };
      });
    },

    async setSinkEnabled(actor: Actor, id: string, enabled: boolean) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const r = await tx.updateTable('incident_sinks').set({ enabled }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) throw notFound('incident.sink_not_found', '推送目标不存在', 'sink not found');
        await audit.record(tx, actor, [{ action: 'incident.sink_update', decision: 'allow', details: { sink_id: id, enabled } }]);
        return { id, enabled };
      });
    },
  };
}
export type IncidentAdmin = ReturnType<typeof createIncidentAdmin>;
