/**
 * The register of processing activities (处理活动记录): create and revise entries as drafts, activate
 * them when complete (and, when the entry triggers PIPL Art. 55, when the impact-assessment gate lets
 * it), retire them. Every change is a numbered revision and an audit event in the same transaction.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/connection.js';
import { orderBySpec, type PageQuery, type SortSpec } from '../db/paging.js';
import { AppError, conflict, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import type { CollectionStore, FieldDef } from '../vault/index.js';
import type { FieldProblem } from './consent-rules.js';
import type { ActivityComputed, ActivityInput, ActivityPatch, AssessmentGate, Triggers } from './consent-types.js';
import { changedKeys, missingForActivation, normaliseEntry, resolveActivity, triggerList, type PurposeFacts } from './activities-rules.js';
import { buildActivitiesJson, buildActivitiesXlsx } from './activities-export.js';

export const ACTIVITY_SORT: SortSpec<'updated_at' | 'created_at' | 'name' | 'state' | 'department'> = { columns: { updated_at: 'updated_at', created_at: 'created_at', name: 'name', state: 'state', department: 'department' }, sort: 'updated_at', order: 'desc', tiebreak: ['id'] };

export interface ActivityDeps {
  db: Db;
  audit: Pick<AuditService, 'record'>;
  access: Pick<AccessService, 'requirePermission'>;
  collections: Pick<CollectionStore, 'list'>;
  clock: Clock;
  /** Refuses (throws) activation of an activity whose triggers need an approved impact assessment; no gate when absent. */
  assessmentGate?: AssessmentGate;
}

export interface ActivityFilter extends PageQuery<keyof typeof ACTIVITY_SORT.columns> { state?: 'draft' | 'active' | 'retired'; purpose?: string; trigger?: keyof Triggers; q?: string; department?: string }

type Row = { id: string; name: string; state: 'draft' | 'active' | 'retired'; revision: number; legal_basis: string; department: string | null; owner: string | null; entry: unknown; computed: unknown; triggers: unknown; created_at: Date; updated_at: Date; activated_at: Date | null; retired_at: Date | null; retire_reason: string | null };
export type ActivityView = ReturnType<typeof present>;

function present(r: Row) {
  const e = r.entry as ActivityInput;
  const triggers = r.triggers as Triggers;
  return {
    id: r.id, state: r.state, revision: r.revision, ...e,
    computed: r.computed as ActivityComputed, triggers, assessment_required: triggerList(triggers).length > 0,
    created_at: r.created_at, updated_at: r.updated_at, activated_at: r.activated_at, retired_at: r.retired_at, retire_reason: r.retire_reason,
  };
}

function problemsError(code: string, zh: string, en: string, problems: FieldProblem[]): AppError {
  const first = problems[0];
  return new AppError(422, code, `${zh}：字段 ${first.field} ${first.zh}${problems.length > 1 ? ` 等 ${problems.length} 处` : ''}`, `${en}: field ${first.field} ${first.en}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
    problems.map((p) => ({ field: p.field, reason: p.en })));
}

const COLUMNS = ['id', 'name', 'state', 'revision', 'legal_basis', 'department', 'owner', 'entry', 'computed', 'triggers', 'created_at', 'updated_at', 'activated_at', 'retired_at', 'retire_reason'] as const;

export function createActivitiesService(deps: ActivityDeps) {
  const { db, audit, access, clock } = deps;
  const manage = (tx: Tx, actor: Actor) => access.requirePermission(tx, actor, 'activities.manage');

  async function resolve(tx: Tx, tenantId: string, entry: ActivityInput) {
    const collections = new Map<string, FieldDef[]>((await deps.collections.list(tx, tenantId)).map((c) => [c.name, c.fields]));
    const rows = entry.purposes.length ? await tx.selectFrom('purposes').select(['name', 'legal_basis', 'automated_decision']).where('tenant_id', '=', tenantId).where('name', 'in', entry.purposes).execute() : [];
    const purposes = new Map<string, PurposeFacts>(rows.map((p) => [p.name, { legal_basis: p.legal_basis, automated_decision: p.automated_decision }]));
    const r = resolveActivity(entry, collections, purposes);
    if (entry.notice && !(await tx.selectFrom('notices').select('name').where('tenant_id', '=', tenantId).where('name', '=', entry.notice).limit(1).executeTakeFirst())) {
      r.problems.push({ field: 'notice', zh: `告知文本 ${entry.notice} 不存在`, en: `names no published notice ${entry.notice}` });
    }
    if (r.problems.length) throw problemsError('validation.field_invalid', '处理活动记录有误', 'The activity is invalid', r.problems);
    return r;
  }

  async function load(tx: Tx, tenantId: string, id: string, lock = false): Promise<Row> {
    let q = tx.selectFrom('activities').select([...COLUMNS]).where('tenant_id', '=', tenantId).where('id', '=', id);
    if (lock) q = q.forUpdate();
    const r = await q.executeTakeFirst();
    if (!r) throw notFound('activity.not_found', '处理活动不存在', 'processing activity not found');
    return r as Row;
  }

  async function ensureNameFree(tx: Tx, tenantId: string, name: string, except?: string) {
    let q = tx.selectFrom('activities').select('id').where('tenant_id', '=', tenantId).where('name', '=', name);
    if (except) q = q.where('id', '!=', except);
    if (await q.executeTakeFirst()) throw conflict('activity.name_exists', `处理活动 ${name} 已存在`, `a processing activity named ${name} already exists`, [{ field: 'name', reason: 'already exists' }]);
  }

  async function writeRevision(tx: Tx, actor: Actor, id: string, revision: number, change: string, state: string, entry: ActivityInput, changed: string[]) {
    await tx.insertInto('activity_revisions').values({ tenant_id: actor.tenantId, activity_id: id, revision, change, state, entry: JSON.stringify(entry), changed: JSON.stringify(changed), actor_type: actor.type, actor_id: actor.id, at: clock.now() }).execute();
  }

  async function setPurposes(tx: Tx, tenantId: string, id: string, purposes: string[]) {
    await tx.deleteFrom('activity_purposes').where('tenant_id', '=', tenantId).where('activity_id', '=', id).execute();
    if (purposes.length) await tx.insertInto('activity_purposes').values([...new Set(purposes)].map((p) => ({ tenant_id: tenantId, purpose: p, activity_id: id }))).execute();
  }

  /** The gate sees the activity's triggers whenever it would (again) process under one of them. */
  async function gate(tx: Tx, tenantId: string, id: string, triggers: Triggers) {
    if (deps.assessmentGate && triggerList(triggers).length) await deps.assessmentGate(tx, tenantId, id, triggers);
  }

  return {
    async create(actor: Actor, input: ActivityInput) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const entry = normaliseEntry(input);
        await ensureNameFree(tx, actor.tenantId, entry.name);
        const { computed, triggers } = await resolve(tx, actor.tenantId, entry);
        const id = newId('act');
        const now = clock.now();
        await tx.insertInto('activities').values({
          tenant_id: actor.tenantId, id, name: entry.name, legal_basis: entry.legal_basis, department: entry.department ?? null, owner: entry.owner ?? null,
          entry: JSON.stringify(entry), computed: JSON.stringify(computed), triggers: JSON.stringify(triggers), created_at: now, updated_at: now,
        }).execute().catch((e: unknown) => {
          if ((e as { code?: string }).code === '23505') throw conflict('activity.name_exists', `处理活动 ${entry.name} 已存在`, `a processing activity named ${entry.name} already exists`, [{ field: 'name', reason: 'already exists' }]);
          throw e;
        });
        await setPurposes(tx, actor.tenantId, id, entry.purposes);
        await writeRevision(tx, actor, id, 1, 'create', 'draft', entry, changedKeys({} as ActivityInput, entry));
        await audit.record(tx, actor, [{ action: 'activity.create', decision: 'allow', details: { activity_id: id, revision: 1, triggers: triggerList(triggers) } }]);
        return present(await load(tx, actor.tenantId, id));
      });
    },

    async list(actor: Actor, f: ActivityFilter) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        let q = tx.selectFrom('activities').where('tenant_id', '=', actor.tenantId);
        if (f.state) q = q.where('state', '=', f.state);
        if (f.department) q = q.where('department', '=', f.department);
        if (f.q) q = q.where('name', 'ilike', `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
        if (f.purpose) { const p = f.purpose; q = q.where(({ exists, selectFrom }) => exists(selectFrom('activity_purposes as ap').select('ap.activity_id').whereRef('ap.tenant_id', '=', 'activities.tenant_id').whereRef('ap.activity_id', '=', 'activities.id').where('ap.purpose', '=', p))); }
        if (f.trigger) q = q.where(sql<boolean>`(triggers ->> ${f.trigger}) = 'true'`);
        const total = Number((await q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
        const rows = await orderBySpec(q.select([...COLUMNS]), f, ACTIVITY_SORT).limit(f.limit ?? 50).offset(f.offset ?? 0).execute();
        return { activities: (rows as Row[]).map(present), total, limit: f.limit ?? 50, offset: f.offset ?? 0 };
      });
    },

    async get(actor: Actor, id: string) {
      return db.transaction(async (tx) => { await manage(tx, actor); return present(await load(tx, actor.tenantId, id)); });
    },

    async revisions(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        await load(tx, actor.tenantId, id);
        const rows = await tx.selectFrom('activity_revisions').select(['revision', 'change', 'state', 'entry', 'changed', 'actor_type', 'actor_id', 'at'])
          .where('tenant_id', '=', actor.tenantId).where('activity_id', '=', id).orderBy('revision', 'desc').execute();
        return { revisions: rows };
      });
    },

    /** Revise an entry; an active entry must stay complete, and a new trigger passes the assessment gate again. */
    async update(actor: Actor, id: string, patch: ActivityPatch) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const cur = await load(tx, actor.tenantId, id, true);
        if (cur.state === 'retired') throw conflict('activity.retired', '处理活动已停止，不能再修改', 'the activity is retired and can no longer change');
        if (patch.expected_revision !== undefined && patch.expected_revision !== cur.revision) {
          throw conflict('activity.revision_conflict', `记录已被他人修改（当前版本 ${cur.revision}）`, `the entry changed meanwhile (now revision ${cur.revision})`, [{ field: 'expected_revision', reason: `current revision is ${cur.revision}` }]);
        }
        const { expected_revision: _ignored, ...rest } = patch;
        const old = cur.entry as ActivityInput;
        const entry = normaliseEntry({ ...old, ...rest } as ActivityInput);
        const changed = changedKeys(old, entry);
        if (changed.length === 0) return present(cur);
        if (entry.name !== old.name) await ensureNameFree(tx, actor.tenantId, entry.name, id);
        const { computed, triggers } = await resolve(tx, actor.tenantId, entry);
        if (cur.state === 'active') {
          const missing = missingForActivation(entry);
          if (missing.length) throw problemsError('activity.incomplete', '生效中的处理活动记录不能缺少必备内容', 'An active entry must stay complete', missing);
          const before = cur.triggers as Triggers;
          const added = triggerList(triggers).filter((k) => !before[k]);
          if (added.length) await gate(tx, actor.tenantId, id, triggers);
        }
        const revision = cur.revision + 1;
        await tx.updateTable('activities').set({
          name: entry.name, legal_basis: entry.legal_basis, department: entry.department ?? null, owner: entry.owner ?? null, revision,
          entry: JSON.stringify(entry), computed: JSON.stringify(computed), triggers: JSON.stringify(triggers), updated_at: clock.now(),
        }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        if (changed.includes('purposes')) await setPurposes(tx, actor.tenantId, id, entry.purposes);
        await writeRevision(tx, actor, id, revision, 'update', cur.state, entry, changed);
        await audit.record(tx, actor, [{ action: 'activity.update', decision: 'allow', details: { activity_id: id, revision, changed, triggers: triggerList(triggers) } }]);
        return present(await load(tx, actor.tenantId, id));
      });
    },

    /** A complete draft becomes active; with Art. 55 triggers only when the assessment gate allows it. */
    async activate(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const cur = await load(tx, actor.tenantId, id, true);
        if (cur.state !== 'draft') throw conflict('activity.not_draft', cur.state === 'active' ? '处理活动已生效' : '处理活动已停止', cur.state === 'active' ? 'the activity is already active' : 'the activity is retired');
        const entry = cur.entry as ActivityInput;
        const missing = missingForActivation(entry);
        if (missing.length) throw problemsError('activity.incomplete', '处理活动记录不完整，不能生效', 'The entry is incomplete and cannot become active', missing);
        const { computed, triggers } = await resolve(tx, actor.tenantId, entry);
        await gate(tx, actor.tenantId, id, triggers);
        const revision = cur.revision + 1;
        const now = clock.now();
        await tx.updateTable('activities').set({ state: 'active', revision, computed: JSON.stringify(computed), triggers: JSON.stringify(triggers), activated_at: now, updated_at: now })
          .where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await writeRevision(tx, actor, id, revision, 'activate', 'active', entry, []);
        await audit.record(tx, actor, [{ action: 'activity.activate', decision: 'allow', details: { activity_id: id, revision, triggers: triggerList(triggers) } }]);
        return present(await load(tx, actor.tenantId, id));
      });
    },

    async retire(actor: Actor, id: string, reason?: string) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const cur = await load(tx, actor.tenantId, id, true);
        if (cur.state === 'retired') throw conflict('activity.retired', '处理活动已停止', 'the activity is already retired');
        const revision = cur.revision + 1;
        const now = clock.now();
        await tx.updateTable('activities').set({ state: 'retired', revision, retired_at: now, retire_reason: reason ?? null, updated_at: now }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await writeRevision(tx, actor, id, revision, 'retire', 'retired', cur.entry as ActivityInput, []);
        await audit.record(tx, actor, [{ action: 'activity.retire', decision: 'allow', reason: reason ?? null, details: { activity_id: id, revision } }]);
        return present(await load(tx, actor.tenantId, id));
      });
    },

    /** The register as a file: XLSX (zh-CN and en headers) or JSON; the export itself is audited. */
    async exportRegister(actor: Actor, input: { format: 'xlsx' | 'json'; state?: 'draft' | 'active' | 'retired' }) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        let q = tx.selectFrom('activities').select([...COLUMNS]).where('tenant_id', '=', actor.tenantId);
        if (input.state) q = q.where('state', '=', input.state);
        const rows = (await q.orderBy('name').execute() as Row[]).map(present);
        const purposes = await tx.selectFrom('purposes').select(['name', 'title', 'title_en', 'legal_basis']).where('tenant_id', '=', actor.tenantId).execute();
        const tenant = await tx.selectFrom('tenants').select(['name']).where('id', '=', actor.tenantId).executeTakeFirst();
        const now = clock.now();
        const ctx = { tenant: tenant?.name ?? actor.tenantId, generatedAt: now, purposes };
        const stamp = now.toISOString().slice(0, 10);
        await audit.record(tx, actor, [{ action: 'activity.export', decision: 'allow', details: { format: input.format, state: input.state ?? null, activities: rows.length } }]);
        if (input.format === 'json') {
          return { contentType: 'application/json; charset=utf-8', filename: `processing-activities-${stamp}.json`, body: Buffer.from(JSON.stringify(buildActivitiesJson(rows, ctx), null, 2)) };
        }
        return { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', filename: `processing-activities-${stamp}.xlsx`, body: await buildActivitiesXlsx(rows, ctx) };
      });
    },
  };
}
export type ActivitiesService = ReturnType<typeof createActivitiesService>;
