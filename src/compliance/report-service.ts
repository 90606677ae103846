/**
 * Reports: the periodic PI-protection report for management (generated monthly by a job, or on demand,
 * from the same evidence collectors as the compliance audit plus the audit log's activity), and the
 * public transparency page (what is collected, why, how long, how to exercise rights, who the PI
 * protection officer is), published as a snapshot and served without authentication.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/connection.js';
import { countOf, orderBySpec, type PageQuery, type SortSpec } from '../db/paging.js';
import { conflict, gone, invalidField, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import { TYPE_INFO, CATEGORY_LABELS } from '../core/pi-types.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import { chinaDate, dayString, REQUEST_KINDS } from '../rights/index.js';
import { CHECKLIST } from './audit-rules.js';
import { collectors, countIndividuals } from './evidence.js';
import type { Doc } from './documents.js';

export const REPORT_SORT: SortSpec<'created_at' | 'period_from' | 'kind' | 'published_at'> = { columns: { created_at: 'created_at', period_from: 'period_from', kind: 'kind', published_at: 'published_at' }, sort: 'created_at', order: 'desc', tiebreak: ['id'] };

export interface ReportServiceDeps { db: Db; audit: Pick<AuditService, 'record' | 'verify'>; access: Pick<AccessService, 'requirePermission'>; clock: Clock; requestDeadlineWorkingDays: number }
export interface TransparencyInput { intro_zh?: string; intro_en?: string; rights_channel?: string }

const DAY = 86_400_000;
const LEGAL_BASIS_TEXT: Record<string, [string, string]> = {
  consent: ['个人同意', 'consent'], contract: ['订立、履行合同所必需', 'necessary for a contract'], hr: ['人力资源管理所必需', 'necessary for HR management'],
  legal_obligation: ['履行法定职责或义务', 'legal duty or obligation'], emergency: ['应对突发公共卫生事件或保护生命健康财产安全', 'public-health emergency or protecting life, health and property'],
  public_interest_news: ['为公共利益实施新闻报道、舆论监督', 'news reporting and public-opinion supervision'], public_info: ['处理已合法公开的个人信息', 'PI already lawfully made public'], other_law: ['法律、行政法规规定的其他情形', 'other cases under laws and regulations'],
};
const ANCHOR_TEXT: Record<string, [string, string]> = { created: ['自收集之日起', 'from collection'], updated: ['自最后更新之日起', 'from the last update'], consent_withdrawn: ['自撤回同意之日起', 'from withdrawal of consent'] };

/** The first day of the month after `now` at 02:00 China Standard Time. */
export function nextMonthlyRun(now: Date): Date {
  const cst = new Date(now.getTime() + 8 * 3600_000);
  return new Date(Date.UTC(cst.getUTCFullYear(), cst.getUTCMonth() + 1, 1, 2 - 8, 0, 0));
}

/** The calendar month before the one `now` falls in (China time), as YYYY-MM-DD bounds. */
export function previousMonth(now: Date): { from: string; to: string } {
  const cst = new Date(now.getTime() + 8 * 3600_000);
  const first = new Date(Date.UTC(cst.getUTCFullYear(), cst.getUTCMonth() - 1, 1));
  const last = new Date(Date.UTC(cst.getUTCFullYear(), cst.getUTCMonth(), 0));
  return { from: first.toISOString().slice(0, 10), to: last.toISOString().slice(0, 10) };
}

export function createReportService(deps: ReportServiceDeps) {
  const { db, audit, access, clock } = deps;
  const collect = collectors(audit);

  async function managementContent(tx: Tx, tenantId: string, from: string, to: string) {
    const now = clock.now();
    const ctx = { tenantId, from: new Date(`${from}T00:00:00+08:00`), to: new Date(new Date(`${to}T00:00:00+08:00`).getTime() + DAY), today: chinaDate(now), now };
    const items: Record<string, unknown> = {};
    const findings: Array<{ key: string; status: string; summary_zh: string; summary_en: string }> = [];
    for (const c of CHECKLIST) {
      if (c.kind !== 'auto') continue;
      const e = await collect[c.key](tx, ctx);
      items[c.key] = { status: e.status, ...e.evidence };
      if (e.status === 'fail' || e.status === 'warn') findings.push({ key: c.key, status: e.status, summary_zh: e.summary_zh, summary_en: e.summary_en });
    }
    const activity = (await sql<{ action: string; decision: string; n: number }>`select action, decision, count(*)::int as n from audit_events
      where tenant_id = ${tenantId} and at >= ${ctx.from} and at < ${ctx.to} group by action, decision order by n desc limit 50`.execute(tx)).rows;
    const byPurpose = (await sql<{ purpose: string; n: number }>`select purpose, count(*)::int as n from audit_events
      where tenant_id = ${tenantId} and at >= ${ctx.from} and at < ${ctx.to} and purpose is not null and action in ('record.read', 'record.search') and decision = 'allow' group by purpose order by n desc limit 50`.execute(tx)).rows;
    const consentEvents = (await sql<{ event: string; n: number }>`select event, count(*)::int as n from consent_events where tenant_id = ${tenantId} and at >= ${ctx.from} and at < ${ctx.to} group by event`.execute(tx)).rows;
    const requests = (await sql<{ kind: string; n: number }>`select kind, count(*)::int as n from rights_requests where tenant_id = ${tenantId} and received_at >= ${ctx.from} and received_at < ${ctx.to} group by kind`.execute(tx)).rows;
    const lastAudit = await tx.selectFrom('compliance_audits').select(['id', 'title', 'completed_at']).where('tenant_id', '=', tenantId).where('state', '=', 'completed').orderBy('completed_at', 'desc').limit(1).executeTakeFirst();
    return {
      period: { from, to }, generated_at: now.toISOString(), individuals: await countIndividuals(tx, tenantId),
      findings, evidence: items,
      activity: { by_action: activity, pi_access_by_purpose: byPurpose, denied: activity.filter((a) => a.decision === 'deny').reduce((s, a) => s + a.n, 0) },
      consents: Object.fromEntries(consentEvents.map((c) => [c.event, c.n])),
      requests_by_kind: Object.fromEntries(requests.map((r) => [r.kind, r.n])),
      last_compliance_audit: lastAudit ? { id: lastAudit.id, title: lastAudit.title, completed_at: lastAudit.completed_at ? new Date(lastAudit.completed_at).toISOString() : null } : null,
    };
  }

  async function transparencyContent(tx: Tx, tenantId: string, input: TransparencyInput) {
    const settings = await tx.selectFrom('compliance_profile').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
    if (!settings?.handler || !settings?.officer) throw conflict('report.contacts_missing', '请先在合规设置中填写处理者与个人信息保护负责人的联系方式', 'set the handler and PI protection officer contacts first (PUT /api/v1/compliance/settings)');
    const purposes = await tx.selectFrom('purposes').select(['name', 'title', 'title_en', 'legal_basis', 'description']).where('tenant_id', '=', tenantId).orderBy('name').execute();
    const cols = await tx.selectFrom('collections').select(['name', 'title', 'fields']).where('tenant_id', '=', tenantId).orderBy('name').execute();
    const rules = await tx.selectFrom('retention_rules').select(['collection', 'field', 'purpose', 'period_days', 'anchor']).where('tenant_id', '=', tenantId).where('disabled_at', 'is', null).execute();
    const notices = (await sql<{ name: string; version: number; language: string; sha256: string; created_at: Date }>`select distinct on (name, language) name, version, language, sha256, created_at from notices where tenant_id = ${tenantId} order by name, language, version desc`.execute(tx)).rows;
    let recipients: Array<{ name: string }> | null = null;
    const hasThirdParties = (await sql<{ e: boolean }>`select to_regclass('third_parties') is not null as e`.execute(tx)).rows[0]?.e;
    if (hasThirdParties) {
      const cols3 = new Set((await sql<{ c: string }>`select column_name as c from information_schema.columns where table_schema = current_schema() and table_name = 'third_parties'`.execute(tx)).rows.map((r) => r.c));
      if (cols3.has('name')) recipients = (await sql<{ name: string }>`select name from third_parties where tenant_id = ${tenantId} order by name`.execute(tx)).rows;
    }
    return {
      handler: settings.handler, officer: settings.officer, intro_zh: input.intro_zh ?? null, intro_en: input.intro_en ?? null,
      purposes: purposes.map((p) => ({ name: p.name, title: p.title, title_en: p.title_en, legal_basis: p.legal_basis, legal_basis_zh: LEGAL_BASIS_TEXT[p.legal_basis]?.[0] ?? p.legal_basis, legal_basis_en: LEGAL_BASIS_TEXT[p.legal_basis]?.[1] ?? p.legal_basis, description: p.description })),
      data: cols.map((c) => ({
        collection: c.name, title: c.title,
        fields: (c.fields as Array<{ name: string; title?: string; type: keyof typeof TYPE_INFO; category: string; sensitive: boolean }>).map((f) => ({
          label_zh: f.title ?? TYPE_INFO[f.type]?.zh ?? f.name, label_en: TYPE_INFO[f.type]?.en ?? f.name, category: f.category,
          category_zh: (CATEGORY_LABELS as Record<string, { zh: string; en: string }>)[f.category]?.zh ?? f.category, category_en: (CATEGORY_LABELS as Record<string, { zh: string; en: string }>)[f.category]?.en ?? f.category, sensitive: f.sensitive,
        })),
        retention: rules.filter((r) => r.collection === c.name).map((r) => ({ field: r.field, purpose: r.purpose, days: r.period_days, anchor_zh: ANCHOR_TEXT[r.anchor]?.[0], anchor_en: ANCHOR_TEXT[r.anchor]?.[1] })),
      })),
      notices: notices.map((n) => ({ name: n.name, version: n.version, language: n.language, sha256: n.sha256, published_at: new Date(n.created_at).toISOString() })),
      recipients,
      rights: { kinds: [...REQUEST_KINDS], deadline_working_days: deps.requestDeadlineWorkingDays, channel: input.rights_channel ?? null },
    };
  }

  function present(r: { id: string; kind: string; period_from: unknown; period_to: unknown; content: unknown; created_by: string; created_at: Date | string; published_at: Date | string | null }) {
    return { id: r.id, kind: r.kind, period_from: r.period_from ? dayString(r.period_from) : null, period_to: r.period_to ? dayString(r.period_to) : null, content: r.content, created_by: r.created_by, created_at: new Date(r.created_at).toISOString(), published_at: r.published_at ? new Date(r.published_at).toISOString() : null };
  }

  async function storeManagement(tx: Tx, actor: Actor, from: string, to: string) {
    const content = await managementContent(tx, actor.tenantId, from, to);
    const id = newId('rpt');
    await tx.insertInto('reports').values({ tenant_id: actor.tenantId, id, kind: 'management', period_from: from, period_to: to, content: JSON.stringify(content), created_by: actor.id }).execute();
    await audit.record(tx, actor, [{ action: 'report.generate', decision: 'allow', details: { report_id: id, kind: 'management', from, to } }]);
    return id;
  }

  return {
    async generateManagement(actor: Actor, input: { from: string; to: string }) {
      if (input.to < input.from) throw invalidField('to', '不能早于 from', 'must not be before from');
      const id = await db.transaction(async (tx) => { await access.requirePermission(tx, actor, 'compliance.manage'); return storeManagement(tx, actor, input.from, input.to); });
      return this.get(actor, id);
    },

    /** The monthly job: last month's report for one tenant. */
    async monthly(tenantId: string, now: Date) {
      const p = previousMonth(now);
      const actor: Actor = { type: 'system', id: 'job:reports.monthly', tenantId, roles: [] };
      const exists = await db.kysely.selectFrom('reports').select('id').where('tenant_id', '=', tenantId).where('kind', '=', 'management').where('period_from', '=', p.from).where('period_to', '=', p.to).where('created_by', '=', actor.id).executeTakeFirst();
      if (exists) return { report_id: exists.id, skipped: true };
      const id = await db.transaction((tx) => storeManagement(tx, actor, p.from, p.to));
      return { report_id: id, from: p.from, to: p.to };
    },

    async list(actor: Actor, q: { kind?: 'management' | 'transparency'; published?: boolean } & PageQuery<keyof typeof REPORT_SORT.columns>) {
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'compliance.read');
        let s = tx.selectFrom('reports').select(['id', 'kind', 'period_from', 'period_to', 'created_by', 'created_at', 'published_at']).where('tenant_id', '=', actor.tenantId);
        if (q.kind) s = s.where('kind', '=', q.kind);
        if (q.published !== undefined) s = s.where('published_at', q.published ? 'is not' : 'is', null);
        const rows = await orderBySpec(s, q, REPORT_SORT).limit(Math.min(q.limit ?? 20, 200)).offset(q.offset ?? 0).execute();
        const total = await countOf(s);
        return { total, reports: rows.map((r) => ({ ...present({ ...r, content: null }), content: undefined })) };
      });
    },

    async get(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'compliance.read');
        const r = await tx.selectFrom('reports').selectAll().where('tenant_id', '=', actor.tenantId).where('id', '=', id).executeTakeFirst();
        if (!r) throw notFound('report.not_found', '报告不存在', 'report not found');
        return present(r);
      });
    },

    async reportDoc(actor: Actor, id: string, format: string): Promise<Doc> {
      const r = await this.get(actor, id);
      await db.transaction((tx) => audit.record(tx, actor, [{ action: 'report.export', decision: 'allow', details: { report_id: id, format } }]));
      const c = r.content as Record<string, any>;
      if (r.kind === 'transparency') return transparencyDoc(c);
      return {
        title: '个人信息保护工作报告 / PI protection report for management',
        subtitle: `${r.period_from} – ${r.period_to} · ${r.created_at}`,
        sections: [
          { heading: '概况 / Overview', pairs: [['个人数量 Individuals', c.individuals], ['被拒绝的访问 Refused accesses', c.activity?.denied ?? 0], ['最近一次合规审计 Last compliance audit', c.last_compliance_audit?.completed_at ?? '—']] },
          { heading: '问题与改进 / Findings', table: { columns: ['检查项 Item', '结论 Status', '说明 Summary'], rows: (c.findings as any[]).map((f) => [f.key, f.status, `${f.summary_zh} / ${f.summary_en}`]) } },
          { heading: '访问活动 / Activity', table: { columns: ['动作 Action', '决定 Decision', '次数 Count'], rows: (c.activity?.by_action ?? []).map((a: any) => [a.action, a.decision, a.n]) } },
          { heading: '按目的的访问 / PI access by purpose', table: { columns: ['目的 Purpose', '次数 Count'], rows: (c.activity?.pi_access_by_purpose ?? []).map((a: any) => [a.purpose, a.n]) } },
          { heading: '权利请求 / Requests by kind', table: { columns: ['类型 Kind', '数量 Count'], rows: Object.entries(c.requests_by_kind ?? {}).map(([k, n]) => [k, n as number]) } },
          { heading: '证据 / Evidence', table: { columns: ['检查项 Item', '证据 Evidence (JSON)'], rows: Object.entries(c.evidence ?? {}).map(([k, v]) => [k, JSON.stringify(v)]) } },
        ],
      };
    },

    /** Build the page from the current registers and publish it (the public page shows the latest). */
    async publishTransparency(actor: Actor, input: TransparencyInput) {
      const id = await db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'compliance.manage');
        const content = await transparencyContent(tx, actor.tenantId, input);
        const id = newId('rpt');
        await tx.insertInto('reports').values({ tenant_id: actor.tenantId, id, kind: 'transparency', content: JSON.stringify(content), created_by: actor.id, published_at: clock.now() }).execute();
        await audit.record(tx, actor, [{ action: 'report.publish_transparency', decision: 'allow', details: { report_id: id } }]);
        return id;
      });
      return this.get(actor, id);
    },

    /** The latest published transparency page of a tenant (public). */
    async publicTransparency(tenantId: string) {
      const t = await db.kysely.selectFrom('tenants').select(['name', 'state']).where('id', '=', tenantId).executeTakeFirst();
      if (!t) throw notFound('report.transparency_not_found', '没有公开的透明度页面', 'no published transparency page');
      if (t.state === 'destroyed') throw gone('report.tenant_deregistered', '该企业已注销，其个人信息已销毁', 'the enterprise was deregistered and its personal information destroyed');
      const r = await db.kysely.selectFrom('reports').select(['id', 'content', 'published_at']).where('tenant_id', '=', tenantId).where('kind', '=', 'transparency').where('published_at', 'is not', null).orderBy('published_at', 'desc').limit(1).executeTakeFirst();
      if (!r) throw notFound('report.transparency_not_found', '没有公开的透明度页面', 'no published transparency page');
      return { tenant: { id: tenantId, name: t.name }, published_at: new Date(r.published_at as Date).toISOString(), ...(r.content as Record<string, unknown>) };
    },
  };
}
export type ReportService = ReturnType<typeof createReportService>;

function transparencyDoc(c: Record<string, any>): Doc {
  return {
    title: '个人信息处理透明度说明 / Transparency statement',
    sections: [
      { heading: '处理者与负责人 / Handler and officer', pairs: [['处理者 Handler', `${c.handler?.name} · ${c.handler?.contact}`], ['个人信息保护负责人 Officer', `${c.officer?.name} · ${c.officer?.contact}`]] },
      { heading: '处理目的 / Purposes', table: { columns: ['目的 Purpose', '合法性基础 Legal basis', '说明 Description'], rows: (c.purposes as any[]).map((p) => [`${p.title}${p.title_en ? ` / ${p.title_en}` : ''}`, `${p.legal_basis_zh} / ${p.legal_basis_en}`, p.description ?? '']) } },
      { heading: '收集的信息与保存期限 / Data and retention', table: { columns: ['集合 Collection', '信息 Data', '保存期限 Retention'], rows: (c.data as any[]).map((d) => [d.title ?? d.collection, d.fields.map((f: any) => `${f.label_zh}${f.sensitive ? '（敏感）' : ''}`).join('、'), d.retention.map((r: any) => `${r.anchor_zh}${r.days}天`).join('；') || '—']) } },
    ],
  };
}
