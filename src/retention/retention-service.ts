/**
 * Retention (PIPL Art. 19, 47): rules per collection, optionally per field and per purpose, say how
 * long data is kept after an anchor (creation, last change, or withdrawal of consent for a purpose).
 * Legal holds (by subject or whole collection) pause them. The sweep job erases expired records (or
 * just the expired fields) through the vault, which shreds a subject's key with its last record, and
 * records what it did in `retention_runs` and the audit log.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connection.js';
import { conflict, invalidField, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import type { CollectionStore, RecordsService, SubjectService } from '../vault/index.js';

export interface RetentionDeps {
  db: Db; audit: Pick<AuditService, 'record'>; access: Pick<AccessService, 'requirePermission'>;
  records: Pick<RecordsService, 'update'>; subjects: Pick<SubjectService, 'eraseRecords' | 'eraseFields'>; collections: CollectionStore; clock: Clock;
}
export interface RuleInput { name: string; collection: string; field?: string; purpose?: string; period_days: number; anchor: 'created' | 'updated' | 'consent_withdrawn' }
export interface HoldInput { subject_id?: string; collection?: string; reason: string }

const DAY = 86_400_000;
const SWEEP_BATCH = 5000;

export function createRetentionService(deps: RetentionDeps) {
  const { db, audit, access, clock } = deps;
  const manage = (actor: Actor) => db.transaction((tx) => access.requirePermission(tx, actor, 'retention.manage'));

  return {
    async createRule(actor: Actor, input: RuleInput) {
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'retention.manage');
        const c = await deps.collections.get(tx, actor.tenantId, input.collection);
        if (input.field) deps.collections.field(c, input.field, 'field');
        if (input.anchor === 'consent_withdrawn' && !input.purpose) throw invalidField('purpose', '锚点为撤回同意时必须指定目的', 'is required when the anchor is consent_withdrawn');
        if (input.purpose) {
          const p = await tx.selectFrom('purposes').select('name').where('tenant_id', '=', actor.tenantId).where('name', '=', input.purpose).executeTakeFirst();
          if (!p) throw invalidField('purpose', '未登记', 'is not a registered purpose');
        }
        const exists = await tx.selectFrom('retention_rules').select('id').where('tenant_id', '=', actor.tenantId).where('name', '=', input.name).executeTakeFirst();
        if (exists) throw conflict('retention.rule_exists', `规则 ${input.name} 已存在`, `rule ${input.name} already exists`, [{ field: 'name', reason: 'already exists' }]);
        const id = newId('ret');
        await tx.insertInto('retention_rules').values({ tenant_id: actor.tenantId, id, name: input.name, collection: input.collection, field: input.field ?? null, purpose: input.purpose ?? null, period_days: input.period_days, anchor: input.anchor }).execute();
        await audit.record(tx, actor, [{ action: 'retention.rule_create', decision: 'allow', collection: input.collection, purpose: input.purpose ?? null, fields: input.field ? [input.field] : null, details: { rule_id: id, name: input.name, period_days: input.period_days, anchor: input.anchor } }]);
        return { id, ...input, field: input.field ?? null, purpose: input.purpose ?? null };
      });
    },
    async listRules(actor: Actor) {
      await manage(actor);
      return db.kysely.selectFrom('retention_rules').select(['id', 'name', 'collection', 'field', 'purpose', 'period_days', 'anchor', 'created_at', 'disabled_at']).where('tenant_id', '=', actor.tenantId).orderBy('name').execute();
    },
    async disableRule(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'retention.manage');
        const r = await tx.updateTable('retention_rules').set({ disabled_at: clock.now() }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).where('disabled_at', 'is', null).executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) throw notFound('retention.rule_not_found', '规则不存在', 'rule not found');
        await audit.record(tx, actor, [{ action: 'retention.rule_disable', decision: 'allow', details: { rule_id: id } }]);
        return { id, disabled: true };
      });
    },
    async createHold(actor: Actor, input: HoldInput) {
      if (!input.subject_id && !input.collection) throw invalidField('subject_id', '须指定个人或集合（或两者）', 'or collection is required');
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'retention.manage');
        const id = newId('hld');
        await tx.insertInto('legal_holds').values({ tenant_id: actor.tenantId, id, subject_id: input.subject_id ?? null, collection: input.collection ?? null, reason: input.reason }).execute();
        await audit.record(tx, actor, [{ action: 'retention.hold', decision: 'allow', subjectId: input.subject_id ?? null, collection: input.collection ?? null, details: { hold_id: id } }]);
        return { id, subject_id: input.subject_id ?? null, collection: input.collection ?? null, reason: input.reason };
      });
    },
    async listHolds(actor: Actor, includeReleased = false) {
      await manage(actor);
      let q = db.kysely.selectFrom('legal_holds').select(['id', 'subject_id', 'collection', 'reason', 'created_at', 'released_at']).where('tenant_id', '=', actor.tenantId);
      if (!includeReleased) q = q.where('released_at', 'is', null);
      return q.orderBy('created_at').execute();
    },
    async releaseHold(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'retention.manage');
        const r = await tx.updateTable('legal_holds').set({ released_at: clock.now() }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).where('released_at', 'is', null).executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) throw notFound('retention.hold_not_found', '保全不存在或已解除', 'hold not found or already released');
        await audit.record(tx, actor, [{ action: 'retention.hold_release', decision: 'allow', details: { hold_id: id } }]);
        return { id, released: true };
      });
    },
    async listRuns(actor: Actor, limit = 50) {
      await manage(actor);
      return db.kysely.selectFrom('retention_runs').selectAll().where('tenant_id', '=', actor.tenantId).orderBy('started_at', 'desc').limit(Math.min(limit, 200)).execute();
    },
    async runNow(actor: Actor) {
      await manage(actor);
      return this.sweep(actor.tenantId, clock.now());
    },

    /** Erase what every active rule says has expired at `now`, except what a legal hold covers. */
    async sweep(tenantId: string, now: Date) {
      const system: Actor = { type: 'system', id: 'job:retention.sweep', tenantId, roles: ['owner'] };
      const startedAt = new Date();
      const rules = await db.kysely.selectFrom('retention_rules').selectAll().where('tenant_id', '=', tenantId).where('disabled_at', 'is', null).orderBy('name').execute();
      const details: Record<string, unknown> = {};
      let records = 0, fields = 0, shredded = 0, held = 0;
      for (const rule of rules) {
        const cutoff = new Date(now.getTime() - rule.period_days * DAY);
        const col = await db.kysely.selectFrom('collections').select('id').where('tenant_id', '=', tenantId).where('name', '=', rule.collection).executeTakeFirst();
        if (!col) { details[rule.name] = { skipped: 'collection missing' }; continue; }
        const collectionHold = await db.kysely.selectFrom('legal_holds').select('id').where('tenant_id', '=', tenantId).where('collection', '=', rule.collection).where('subject_id', 'is', null).where('released_at', 'is', null).executeTakeFirst();
        const expired = sql`r.tenant_id = ${tenantId} and r.collection_id = ${col.id} and ${rule.anchor === 'created' ? sql`r.created_at < ${cutoff}` : rule.anchor === 'updated' ? sql`r.updated_at < ${cutoff}`
          : sql`exists (select 1 from consents k where k.tenant_id = r.tenant_id and k.subject_id = r.subject_id and k.purpose = ${rule.purpose} and k.state = 'withdrawn' and k.withdrawn_at < ${cutoff})`}`;
        const holdOn = sql`exists (select 1 from legal_holds h where h.tenant_id = r.tenant_id and h.released_at is null and h.subject_id = r.subject_id and (h.collection is null or h.collection = ${rule.collection}))`;
        const heldHere = Number((await sql<{ n: number }>`select count(*)::int as n from records r where ${expired} and (${collectionHold ? sql`true` : holdOn})`.execute(db.kysely)).rows[0].n);
        held += heldHere;
        if (collectionHold) { details[rule.name] = { held: heldHere, hold: collectionHold.id }; continue; }
        let ruleRecords = 0, ruleFields = 0, ruleShredded = 0;
        let after = '';
        for (;;) {
          const ids = (await sql<{ id: string }>`select r.id from records r where ${expired} and not ${holdOn} and r.id > ${after} order by r.id limit ${SWEEP_BATCH}`.execute(db.kysely)).rows.map((r) => r.id);
          if (!ids.length) break;
          after = ids[ids.length - 1];
          const why = `retention rule ${rule.name}`;
          if (rule.field) {
            const out = await deps.subjects.eraseFields(system, rule.collection, ids, [rule.field], why);
            ruleFields += out.records_changed;
          } else {
            const out = await deps.subjects.eraseRecords(system, rule.collection, ids, why);
            ruleRecords += out.records_erased; ruleShredded += out.subjects_shredded;
          }
        }
        records += ruleRecords; fields += ruleFields; shredded += ruleShredded;
        details[rule.name] = { records_erased: ruleRecords, fields_erased: ruleFields, subjects_shredded: ruleShredded, held: heldHere, cutoff: cutoff.toISOString() };
      }
      const id = newId('rrn');
      const summary = { id, started_at: startedAt.toISOString(), rules: rules.length, records_erased: records, fields_erased: fields, subjects_shredded: shredded, held_skipped: held, details };
      await db.transaction(async (tx) => {
        await tx.insertInto('retention_runs').values({ tenant_id: tenantId, id, started_at: startedAt, finished_at: new Date(), records_erased: records, fields_erased: fields, subjects_shredded: shredded, held_skipped: held, details: JSON.stringify(details) }).execute();
        await audit.record(tx, system, [{ action: 'retention.sweep', decision: 'allow', details: { run_id: id, records_erased: records, fields_erased: fields, subjects_shredded: shredded, held_skipped: held } }]);
      });
      return summary;
    },
  };
}
export type RetentionService = ReturnType<typeof createRetentionService>;
