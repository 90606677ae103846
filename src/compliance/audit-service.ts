/**
 * Compliance audits (个人信息保护合规审计): an audit covers a period; its automatic items are collected
 * from the store (evidence.ts), its manual items are answered by people with notes and attachments; a
 * completed audit is frozen. The audit calendar follows the individuals counter; an external firm may
 * audit at most 3 times in a row. Reports export as XLSX, DOCX or PDF. Reads need `compliance.read`
 * (the external auditor's permission), changes `compliance.manage`.
 */
import { createHash } from 'node:crypto';
import type { Db, Tx } from '../db/connection.js';
import { countOf, orderBySpec, type PageQuery, type SortSpec } from '../db/paging.js';
import { conflict, invalidField, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService, Permission } from '../access/index.js';
import { chinaDate, dayString } from '../rights/index.js';
import { AUDIT_RULES, auditIntervalMonths, auditOutcome, CHECKLIST, consecutiveSameFirm, itemByKey, nextAuditDue, type ItemStatus } from './audit-rules.js';
import { collectors, countIndividuals, type EvidenceContext } from './evidence.js';
import type { Doc } from './documents.js';

export const COMPLIANCE_AUDIT_SORT: SortSpec<'created_at' | 'period_from' | 'title' | 'state' | 'completed_at'> = { columns: { created_at: 'created_at', period_from: 'period_from', title: 'title', state: 'state', completed_at: 'completed_at' }, sort: 'created_at', order: 'desc', tiebreak: ['id'] };

export interface CreateAuditInput { title: string; kind: 'internal' | 'external'; firm?: string; period_from: string; period_to: string }
export interface AnswerInput { status?: 'pass' | 'warn' | 'fail' | 'not_applicable'; note?: string }
export interface AttachmentInput { filename: string; content_type: string; content_base64: string }
export interface SettingsInput { handler?: { name: string; contact: string; address?: string }; officer?: { name: string; contact: string; email?: string; phone?: string }; minors?: boolean }

const MAX_ATTACHMENT = 10 * 1024 * 1024;
const DAY = 86_400_000;

export interface ComplianceAuditDeps { db: Db; audit: Pick<AuditService, 'record' | 'verify'>; access: Pick<AccessService, 'requirePermission'>; clock: Clock }

export function createComplianceAuditService(deps: ComplianceAuditDeps) {
  const { db, audit, access, clock } = deps;
  const collect = collectors(audit);

  async function allowed(tx: Tx, actor: Actor, perm: Permission) { await access.requirePermission(tx, actor, perm); }

  async function load(tx: Tx, tenantId: string, id: string, lock = false) {
    let q = tx.selectFrom('compliance_audits').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
    if (lock) q = q.forUpdate();
    const a = await q.executeTakeFirst();
    if (!a) throw notFound('compliance.audit_not_found', '合规审计不存在', 'compliance audit not found');
    return a;
  }

  function periodOf(a: { period_from: string; period_to: string }): { from: Date; to: Date } {
    const from = new Date(`${dayString(a.period_from)}T00:00:00+08:00`);
    const to = new Date(new Date(`${dayString(a.period_to)}T00:00:00+08:00`).getTime() + DAY);
    return { from, to };
  }

  /** Recompute every automatic item of an open audit. */
  async function collectAll(tx: Tx, tenantId: string, a: { id: string; period_from: string; period_to: string }) {
    const now = clock.now();
    const ctx: EvidenceContext = { tenantId, ...periodOf(a), today: chinaDate(now), now };
    for (const item of CHECKLIST) {
      if (item.kind !== 'auto') continue;
      const e = await collect[item.key](tx, ctx);
      await tx.insertInto('compliance_audit_items').values({ tenant_id: tenantId, audit_id: a.id, key: item.key, status: e.status, evidence: JSON.stringify({ ...e.evidence, summary_zh: e.summary_zh, summary_en: e.summary_en, collected_at: now.toISOString() }) })
        .onConflict((oc) => oc.columns(['tenant_id', 'audit_id', 'key']).doUpdateSet((eb) => ({ status: eb.ref('excluded.status'), evidence: eb.ref('excluded.evidence') }))).execute();
    }
    const settings = await tx.selectFrom('compliance_profile').select('minors').where('tenant_id', '=', tenantId).executeTakeFirst();
    for (const item of CHECKLIST) {
      if (item.kind !== 'manual') continue;
      // Minors' rules apply only to handlers of minors' PI.
      const status: ItemStatus = item.key === 'minors' && !settings?.minors ? 'not_applicable' : 'open';
      await tx.insertInto('compliance_audit_items').values({ tenant_id: tenantId, audit_id: a.id, key: item.key, status }).onConflict((oc) => oc.doNothing()).execute();
    }
    await tx.updateTable('compliance_audits').set({ collected_at: now }).where('tenant_id', '=', tenantId).where('id', '=', a.id).execute();
  }

  async function view(tx: Tx, tenantId: string, id: string) {
    const a = await load(tx, tenantId, id);
    const items = await tx.selectFrom('compliance_audit_items').selectAll().where('tenant_id', '=', tenantId).where('audit_id', '=', id).execute();
    const files = await tx.selectFrom('compliance_attachments').select(['id', 'item_key', 'filename', 'content_type', 'size', 'sha256', 'created_by', 'created_at']).where('tenant_id', '=', tenantId).where('audit_id', '=', id).orderBy('created_at').execute();
    const byKey = new Map(items.map((i) => [i.key, i]));
    const list = CHECKLIST.map((c) => {
      const i = byKey.get(c.key);
      return {
        key: c.key, article: c.article, kind: c.kind, title_zh: c.zh, title_en: c.en, status: (i?.status ?? 'open') as ItemStatus, evidence: i?.evidence ?? null, note: i?.note ?? null,
        answered_by: i?.answered_by ?? null, answered_at: i?.answered_at ? new Date(i.answered_at).toISOString() : null,
        attachments: files.filter((f) => f.item_key === c.key).map((f) => ({ id: f.id, filename: f.filename, content_type: f.content_type, size: f.size, sha256: f.sha256, created_at: new Date(f.created_at).toISOString() })),
      };
    });
    return {
      id: a.id, title: a.title, kind: a.kind, firm: a.firm, period_from: dayString(a.period_from), period_to: dayString(a.period_to), state: a.state,
      created_by: a.created_by, created_at: new Date(a.created_at).toISOString(), collected_at: a.collected_at ? new Date(a.collected_at).toISOString() : null,
      completed_by: a.completed_by, completed_at: a.completed_at ? new Date(a.completed_at).toISOString() : null, conclusion: a.conclusion,
      outcome: auditOutcome(list.map((i) => i.status)), items: list,
    };
  }

  async function calendarOf(tx: Tx, tenantId: string) {
    const individuals = await countIndividuals(tx, tenantId);
    const s = await tx.selectFrom('compliance_profile').select(['minors']).where('tenant_id', '=', tenantId).executeTakeFirst();
    const minors = Boolean(s?.minors);
    const interval = auditIntervalMonths({ individuals, minors });
    const done = await tx.selectFrom('compliance_audits').select(['id', 'kind', 'firm', 'period_to', 'completed_at']).where('tenant_id', '=', tenantId).where('state', '=', 'completed').orderBy('completed_at', 'desc').limit(20).execute();
    const last = done[0];
    const today = chinaDate(clock.now());
    const next = nextAuditDue({ interval, lastPeriodEnd: last ? dayString(last.period_to) : null, today });
    const externals = done.filter((d) => d.kind === 'external').map((d) => d.firm);
    const streakFirm = externals[0] ?? null;
    const streak = streakFirm ? consecutiveSameFirm(externals, streakFirm) : 0;
    return {
      individuals, minors, interval_months: interval,
      basis: minors ? { zh: '处理未成年人个人信息：每年至少一次', en: "handles minors' PI: at least once a year" }
        : interval ? { zh: `处理超过 ${AUDIT_RULES.largeHandlerIndividuals.toLocaleString('en')} 人的个人信息：每两年至少一次`, en: `PI of more than ${AUDIT_RULES.largeHandlerIndividuals.toLocaleString('en')} individuals: at least every two years` }
          : { zh: '未达到法定频率的门槛：按需审计', en: 'under the thresholds that set a frequency: audit as needed' },
      last_completed: last ? { id: last.id, period_to: dayString(last.period_to), completed_at: last.completed_at ? new Date(last.completed_at).toISOString() : null } : null,
      next_due: next.due, overdue: next.overdue && interval !== null,
      firm_rotation: { firm: streakFirm, consecutive: streak, max: AUDIT_RULES.maxConsecutiveSameFirm, must_change: streak >= AUDIT_RULES.maxConsecutiveSameFirm },
    };
  }

  return {
    checklist: () => CHECKLIST.map((c) => ({ key: c.key, article: c.article, kind: c.kind, title_zh: c.zh, title_en: c.en, register: c.table ?? null })),

    async getSettings(actor: Actor) {
      return db.transaction(async (tx) => {
        await allowed(tx, actor, 'compliance.read');
        const s = await tx.selectFrom('compliance_profile').selectAll().where('tenant_id', '=', actor.tenantId).executeTakeFirst();
        return { handler: s?.handler ?? null, officer: s?.officer ?? null, minors: s?.minors ?? false, updated_at: s ? new Date(s.updated_at).toISOString() : null };
      });
    },

    async putSettings(actor: Actor, input: SettingsInput) {
      return db.transaction(async (tx) => {
        await allowed(tx, actor, 'compliance.manage');
        const cur = await tx.selectFrom('compliance_profile').selectAll().where('tenant_id', '=', actor.tenantId).executeTakeFirst();
        const next = { handler: input.handler ?? cur?.handler ?? null, officer: input.officer ?? cur?.officer ?? null, minors: input.minors ?? cur?.minors ?? false };
        await tx.insertInto('compliance_profile').values({ tenant_id: actor.tenantId, handler: next.handler ? JSON.stringify(next.handler) : null, officer: next.officer ? JSON.stringify(next.officer) : null, minors: next.minors })
          .onConflict((oc) => oc.column('tenant_id').doUpdateSet((eb) => ({ handler: eb.ref('excluded.handler'), officer: eb.ref('excluded.officer'), minors: eb.ref('excluded.minors'), updated_at: new Date() }))).execute();
        await audit.record(tx, actor, [{ action: 'compliance.settings', decision: 'allow', details: { fields: Object.keys(input) } }]);
        return { ...next, updated_at: new Date().toISOString() };
      });
    },

    async calendar(actor: Actor) {
      return db.transaction(async (tx) => { await allowed(tx, actor, 'compliance.read'); return calendarOf(tx, actor.tenantId); });
    },

    async create(actor: Actor, input: CreateAuditInput) {
      if (input.period_to < input.period_from) throw invalidField('period_to', '不能早于 period_from', 'must not be before period_from');
      if (input.kind === 'external' && !input.firm?.trim()) throw invalidField('firm', '外部审计须写明专业机构', 'is required for an external audit');
      const id = newId('cau');
      await db.transaction(async (tx) => {
        await allowed(tx, actor, 'compliance.manage');
        if (input.kind === 'external') {
          const cal = await calendarOf(tx, actor.tenantId);
          const externals = (await tx.selectFrom('compliance_audits').select(['firm']).where('tenant_id', '=', actor.tenantId).where('kind', '=', 'external').where('state', '=', 'completed').orderBy('completed_at', 'desc').limit(10).execute()).map((r) => r.firm);
          if (consecutiveSameFirm(externals, input.firm as string) >= AUDIT_RULES.maxConsecutiveSameFirm) {
            throw conflict('compliance.firm_rotation', `同一专业机构不得连续三次以上审计（${cal.firm_rotation.firm} 已连续 ${cal.firm_rotation.consecutive} 次）`, `the same firm may audit at most ${AUDIT_RULES.maxConsecutiveSameFirm} times in a row`, [{ field: 'firm', rule: 'firm_rotation' }]);
          }
        }
        await tx.insertInto('compliance_audits').values({ tenant_id: actor.tenantId, id, title: input.title, kind: input.kind, firm: input.firm ?? null, period_from: input.period_from, period_to: input.period_to, created_by: actor.id }).execute();
        await collectAll(tx, actor.tenantId, { id, period_from: input.period_from, period_to: input.period_to });
        await audit.record(tx, actor, [{ action: 'compliance.audit_create', decision: 'allow', details: { audit_id: id, kind: input.kind, firm: input.firm ?? null } }]);
      });
      return db.transaction((tx) => view(tx, actor.tenantId, id));
    },

    async list(actor: Actor, page: { state?: 'open' | 'completed'; kind?: 'internal' | 'external' } & PageQuery<keyof typeof COMPLIANCE_AUDIT_SORT.columns> = {}) {
      return db.transaction(async (tx) => {
        await allowed(tx, actor, 'compliance.read');
        const limit = Math.min(page.limit ?? 20, 200), offset = page.offset ?? 0;
        let s = tx.selectFrom('compliance_audits').select(['id', 'title', 'kind', 'firm', 'period_from', 'period_to', 'state', 'created_at', 'completed_at']).where('tenant_id', '=', actor.tenantId);
        if (page.state) s = s.where('state', '=', page.state);
        if (page.kind) s = s.where('kind', '=', page.kind);
        const rows = await orderBySpec(s, page, COMPLIANCE_AUDIT_SORT).limit(limit).offset(offset).execute();
        const total = await countOf(s);
        return { total, audits: rows.map((r) => ({ ...r, period_from: dayString(r.period_from), period_to: dayString(r.period_to), created_at: new Date(r.created_at).toISOString(), completed_at: r.completed_at ? new Date(r.completed_at).toISOString() : null })) };
      });
    },

    async get(actor: Actor, id: string) {
      return db.transaction(async (tx) => { await allowed(tx, actor, 'compliance.read'); return view(tx, actor.tenantId, id); });
    },

    async collect(actor: Actor, id: string) {
      await db.transaction(async (tx) => {
        await allowed(tx, actor, 'compliance.manage');
        const a = await load(tx, actor.tenantId, id, true);
        if (a.state !== 'open') throw conflict('compliance.audit_completed', '审计已完成，不能再收集证据', 'the audit is completed; its evidence is frozen');
        await collectAll(tx, actor.tenantId, { id, period_from: dayString(a.period_from), period_to: dayString(a.period_to) });
        await audit.record(tx, actor, [{ action: 'compliance.audit_collect', decision: 'allow', details: { audit_id: id } }]);
      });
      return db.transaction((tx) => view(tx, actor.tenantId, id));
    },

    /** Answer a manual item (status and note), or annotate an automatic one (note only). */
    async answer(actor: Actor, id: string, key: string, input: AnswerInput) {
      const item = itemByKey.get(key);
      if (!item) throw notFound('compliance.item_not_found', '检查项不存在', 'checklist item not found');
      if (item.kind === 'auto' && input.status) throw invalidField('status', '自动检查项的结论由系统证据决定，只能添加备注', 'cannot be set on an automatic item (its evidence decides); add a note instead');
      if (item.kind === 'manual' && !input.status) throw invalidField('status', '人工检查项须给出结论', 'is required for a manual item');
      await db.transaction(async (tx) => {
        await allowed(tx, actor, 'compliance.manage');
        const a = await load(tx, actor.tenantId, id, true);
        if (a.state !== 'open') throw conflict('compliance.audit_completed', '审计已完成，不能修改', 'the audit is completed and cannot change');
        await tx.updateTable('compliance_audit_items').set({ ...(input.status ? { status: input.status } : {}), note: input.note ?? null, answered_by: actor.id, answered_at: clock.now() })
          .where('tenant_id', '=', actor.tenantId).where('audit_id', '=', id).where('key', '=', key).execute();
        await audit.record(tx, actor, [{ action: 'compliance.item_answer', decision: 'allow', details: { audit_id: id, item: key, status: input.status ?? null } }]);
      });
      return db.transaction((tx) => view(tx, actor.tenantId, id));
    },

    async addAttachment(actor: Actor, id: string, key: string, input: AttachmentInput) {
      if (!itemByKey.has(key)) throw notFound('compliance.item_not_found', '检查项不存在', 'checklist item not found');
      const data = Buffer.from(input.content_base64, 'base64');
      if (!data.length || data.toString('base64').replace(/=+$/, '') !== input.content_base64.replace(/\s/g, '').replace(/=+$/, '')) throw invalidField('content_base64', '不是有效的 Base64', 'is not valid base64');
      if (data.length > MAX_ATTACHMENT) throw invalidField('content_base64', '超过 10 MiB', 'exceeds 10 MiB');
      const attId = newId('att');
      const sha256 = createHash('sha256').update(data).digest('hex');
      await db.transaction(async (tx) => {
        await allowed(tx, actor, 'compliance.manage');
        const a = await load(tx, actor.tenantId, id, true);
        if (a.state !== 'open') throw conflict('compliance.audit_completed', '审计已完成，不能添加附件', 'the audit is completed and cannot change');
        await tx.insertInto('compliance_attachments').values({ tenant_id: actor.tenantId, id: attId, audit_id: id, item_key: key, filename: input.filename, content_type: input.content_type, size: data.length, sha256, data, created_by: actor.id }).execute();
        await audit.record(tx, actor, [{ action: 'compliance.attachment_add', decision: 'allow', details: { audit_id: id, item: key, attachment_id: attId, sha256, size: data.length } }]);
      });
      return { id: attId, item_key: key, filename: input.filename, content_type: input.content_type, size: data.length, sha256 };
    },

    async attachment(actor: Actor, id: string, attachmentId: string) {
      return db.transaction(async (tx) => {
        await allowed(tx, actor, 'compliance.read');
        const f = await tx.selectFrom('compliance_attachments').selectAll().where('tenant_id', '=', actor.tenantId).where('audit_id', '=', id).where('id', '=', attachmentId).executeTakeFirst();
        if (!f) throw notFound('compliance.attachment_not_found', '附件不存在', 'attachment not found');
        await audit.record(tx, actor, [{ action: 'compliance.attachment_open', decision: 'allow', details: { audit_id: id, attachment_id: attachmentId } }]);
        return { filename: f.filename, content_type: f.content_type, data: f.data };
      });
    },

    async complete(actor: Actor, id: string, input: { conclusion?: string }) {
      await db.transaction(async (tx) => {
        await allowed(tx, actor, 'compliance.manage');
        const a = await load(tx, actor.tenantId, id, true);
        if (a.state !== 'open') throw conflict('compliance.audit_completed', '审计已完成', 'the audit is already completed');
        await collectAll(tx, actor.tenantId, { id, period_from: dayString(a.period_from), period_to: dayString(a.period_to) });
        const open = await tx.selectFrom('compliance_audit_items').select('key').where('tenant_id', '=', actor.tenantId).where('audit_id', '=', id).where('status', '=', 'open').execute();
        if (open.length) throw conflict('compliance.items_open', `还有 ${open.length} 个人工检查项未作结论`, `${open.length} manual items have no answer yet`, open.map((o) => ({ item: o.key })));
        await tx.updateTable('compliance_audits').set({ state: 'completed', completed_by: actor.id, completed_at: clock.now(), conclusion: input.conclusion ?? null }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await audit.record(tx, actor, [{ action: 'compliance.audit_complete', decision: 'allow', details: { audit_id: id } }]);
      });
      return db.transaction((tx) => view(tx, actor.tenantId, id));
    },

    /** The audit as a document for XLSX/DOCX/PDF export (audited: who exported which audit). */
    async reportDoc(actor: Actor, id: string, format: string): Promise<Doc> {
      const v = await db.transaction(async (tx) => {
        await allowed(tx, actor, 'compliance.read');
        const out = await view(tx, actor.tenantId, id);
        await audit.record(tx, actor, [{ action: 'compliance.audit_export', decision: 'allow', details: { audit_id: id, format } }]);
        return out;
      });
      const label: Record<string, string> = { pass: '符合 pass', warn: '需改进 warn', fail: '不符合 fail', open: '待定 open', not_available: '不可用 n/a', not_applicable: '不适用 n/a' };
      return {
        title: `个人信息保护合规审计报告 / PI protection compliance audit report`,
        subtitle: `${v.title} · ${v.period_from} – ${v.period_to} · ${v.kind === 'external' ? `外部 external: ${v.firm}` : '内部 internal'} · ${v.state}`,
        sections: [
          { heading: '结论 / Outcome', pairs: [['结论 Conclusion', v.outcome.conclusion], ['符合 Pass', v.outcome.pass], ['需改进 Warn', v.outcome.warn], ['不符合 Fail', v.outcome.fail], ['待定 Open', v.outcome.open], ['不可用 Not available', v.outcome.not_available], ['审计意见 Opinion', v.conclusion], ['完成 Completed', v.completed_at]] },
          { heading: '检查项 / Checklist', table: { columns: ['条款 Article', '检查项 Item', '方式 Kind', '结论 Status', '证据摘要 Evidence', '备注 Note', '附件 Files'], rows: v.items.map((i) => [i.article, `${i.title_zh} / ${i.title_en}`, i.kind, label[i.status] ?? i.status, (i.evidence as { summary_zh?: string; summary_en?: string } | null)?.summary_zh ? `${(i.evidence as { summary_zh: string }).summary_zh} / ${(i.evidence as { summary_en: string }).summary_en}` : '', i.note ?? '', i.attachments.map((a) => `${a.filename} (sha256 ${a.sha256.slice(0, 12)}…)`).join('; ')]), widths: [13, 20, 6, 9, 32, 10, 10] } },
          { heading: '证据明细 / Evidence detail', table: { columns: ['检查项 Item', '证据 Evidence (JSON)'], rows: v.items.filter((i) => i.evidence).map((i) => [i.key, JSON.stringify(i.evidence)]), widths: [20, 80] } },
        ],
      };
    },
  };
}
export type ComplianceAuditService = ReturnType<typeof createComplianceAuditService>;
