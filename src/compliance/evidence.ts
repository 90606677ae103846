/**
 * Evidence the system collects itself for the automatic checklist items: counts, shares, dates and ids
 * read from the store (never a PI value). Items that rest on registers other capabilities own (risks,
 * incidents, transfers, assessments, processing activities) read those tables when they exist and say
 * "not available" otherwise; their column names are discovered, not assumed.
 */
import { sql } from 'kysely';
import type { Tx } from '../db/connection.js';
import type { AuditService } from '../audit/index.js';
import { LEGAL_BASES } from '../access/index.js';
import { AUDIT_RULES, type ItemStatus } from './audit-rules.js';

export interface EvidenceContext { tenantId: string; from: Date; to: Date; today: string; now: Date }
export interface Evidence { status: ItemStatus; evidence: Record<string, unknown>; summary_zh: string; summary_en: string }
export type Collector = (tx: Tx, ctx: EvidenceContext) => Promise<Evidence>;

const DAY = 86_400_000;
const pct = (a: number, b: number) => (b ? Math.round((a / b) * 1000) / 10 : 100);
async function num(tx: Tx, q: ReturnType<typeof sql<{ n: number | string | null }>>): Promise<number> {
  return Number((await q.execute(tx)).rows[0]?.n ?? 0);
}

/** Individuals whose PI the tenant holds now (live subjects). */
export async function countIndividuals(tx: Tx, tenantId: string): Promise<number> {
  return num(tx, sql`select count(*)::int as n from subjects where tenant_id = ${tenantId} and wrapped_key is not null`);
}

const piEncryptedClassified: Collector = async (tx, { tenantId }) => {
  const cols = await tx.selectFrom('collections').select(['name', 'fields']).where('tenant_id', '=', tenantId).execute();
  let fields = 0, classified = 0, sensitive = 0, graded = 0;
  for (const c of cols) for (const f of c.fields as Array<{ category?: string; sensitive?: boolean; grade?: string }>) {
    fields += 1;
    if (f.category) classified += 1;
    if (f.sensitive) sensitive += 1;
    if (f.grade) graded += 1;
  }
  const records = await num(tx, sql`select count(*)::int as n from records where tenant_id = ${tenantId}`);
  // Every field value in the vault is sealed under its subject's data key: the store has no plaintext column.
  const evidence = { collections: cols.length, fields, fields_encrypted: fields, fields_classified: classified, fields_sensitive: sensitive, fields_graded: graded, records_sealed: records, share_encrypted_pct: pct(fields, fields), share_classified_pct: pct(classified, fields) };
  if (!fields) return { status: 'not_applicable', evidence, summary_zh: '尚未定义数据集合', summary_en: 'no collection defined yet' };
  return { status: classified === fields ? 'pass' : 'fail', evidence, summary_zh: `${fields} 个字段，加密 100%，已分类 ${pct(classified, fields)}%，其中敏感 ${sensitive} 个`, summary_en: `${fields} fields, 100% encrypted, ${pct(classified, fields)}% classified, ${sensitive} sensitive` };
};

const legalBases: Collector = async (tx, { tenantId }) => {
  const rows = await tx.selectFrom('purposes').select(['name', 'legal_basis']).where('tenant_id', '=', tenantId).execute();
  const byBasis: Record<string, number> = {};
  for (const r of rows) byBasis[r.legal_basis] = (byBasis[r.legal_basis] ?? 0) + 1;
  const invalid = rows.filter((r) => !(LEGAL_BASES as readonly string[]).includes(r.legal_basis)).map((r) => r.name);
  const evidence = { purposes: rows.length, by_basis: byBasis, without_valid_basis: invalid };
  if (!rows.length) return { status: 'fail', evidence, summary_zh: '没有登记任何处理目的', summary_en: 'no purpose is registered' };
  return { status: invalid.length ? 'fail' : 'pass', evidence, summary_zh: `${rows.length} 个目的均有合法性基础${invalid.length ? `，${invalid.length} 个无效` : ''}`, summary_en: `${rows.length} purposes${invalid.length ? `, ${invalid.length} without a valid basis` : ', each with a legal basis'}` };
};

const consentCoverage: Collector = async (tx, { tenantId, from, to }) => {
  const purposes = await tx.selectFrom('purposes').select('name').where('tenant_id', '=', tenantId).where('legal_basis', '=', 'consent').execute();
  if (!purposes.length) return { status: 'not_applicable', evidence: { consent_purposes: 0 }, summary_zh: '没有以同意为基础的目的', summary_en: 'no consent-based purpose' };
  const per = (await sql<{ purpose: string; granted: number; withdrawn: number; reconsent: number }>`
    select purpose, count(*) filter (where state = 'granted' and not needs_reconsent)::int as granted, count(*) filter (where state = 'withdrawn')::int as withdrawn,
      count(*) filter (where state = 'granted' and needs_reconsent)::int as reconsent
    from consents where tenant_id = ${tenantId} group by purpose`.execute(tx)).rows;
  const denied = await num(tx, sql`select count(*)::int as n from audit_events where tenant_id = ${tenantId} and decision = 'deny' and reason = 'no_consent' and at >= ${from} and at < ${to}`);
  const individuals = await countIndividuals(tx, tenantId);
  const byPurpose = purposes.map((p) => { const r = per.find((x) => x.purpose === p.name); return { purpose: p.name, granted: r?.granted ?? 0, withdrawn: r?.withdrawn ?? 0, needs_reconsent: r?.reconsent ?? 0, coverage_pct: pct(r?.granted ?? 0, individuals) }; });
  const reconsent = byPurpose.reduce((a, b) => a + b.needs_reconsent, 0);
  const evidence = { consent_purposes: purposes.length, individuals, by_purpose: byPurpose, accesses_refused_for_no_consent: denied };
  return { status: reconsent ? 'warn' : 'pass', evidence, summary_zh: `${purposes.length} 个同意类目的；待重新同意 ${reconsent}；期间因无同意被拒绝的访问 ${denied} 次`, summary_en: `${purposes.length} consent purposes; ${reconsent} awaiting re-consent; ${denied} accesses refused for lack of consent in the period` };
};

const notices: Collector = async (tx, { tenantId }) => {
  const purposes = (await tx.selectFrom('purposes').select('name').where('tenant_id', '=', tenantId).where('legal_basis', '=', 'consent').execute()).map((p) => p.name);
  const rows = await tx.selectFrom('notices').select(['name', 'version', 'purposes', 'created_at']).where('tenant_id', '=', tenantId).execute();
  const covered = new Set(rows.flatMap((r) => r.purposes as string[]));
  const uncovered = purposes.filter((p) => !covered.has(p));
  const evidence = { notices: new Set(rows.map((r) => r.name)).size, versions: rows.length, consent_purposes: purposes.length, uncovered_purposes: uncovered };
  if (!purposes.length && !rows.length) return { status: 'not_applicable', evidence, summary_zh: '没有以同意为基础的目的', summary_en: 'no consent-based purpose' };
  return { status: uncovered.length ? 'fail' : 'pass', evidence, summary_zh: uncovered.length ? `${uncovered.length} 个同意类目的没有告知文本：${uncovered.join(', ')}` : `${rows.length} 个告知文本版本覆盖全部同意类目的`, summary_en: uncovered.length ? `${uncovered.length} consent purposes without a notice: ${uncovered.join(', ')}` : `${rows.length} notice versions cover every consent purpose` };
};

const retentionRules: Collector = async (tx, { tenantId }) => {
  const cols = (await tx.selectFrom('collections').select('name').where('tenant_id', '=', tenantId).execute()).map((c) => c.name);
  const ruled = new Set((await tx.selectFrom('retention_rules').select('collection').where('tenant_id', '=', tenantId).where('disabled_at', 'is', null).execute()).map((r) => r.collection));
  const without = cols.filter((c) => !ruled.has(c));
  const evidence = { collections: cols.length, with_rule: cols.length - without.length, without_rule: without };
  if (!cols.length) return { status: 'not_applicable', evidence, summary_zh: '尚未定义数据集合', summary_en: 'no collection defined yet' };
  return { status: without.length ? 'warn' : 'pass', evidence, summary_zh: `${cols.length - without.length}/${cols.length} 个集合有保存期限规则`, summary_en: `${cols.length - without.length} of ${cols.length} collections have a retention rule` };
};

const requestsOnTime: Collector = async (tx, { tenantId, from, to, today }) => {
  const r = (await sql<{ received: number; closed: number; late: number; open_overdue: number; open: number }>`
    select count(*) filter (where received_at >= ${from} and received_at < ${to})::int as received,
      count(*) filter (where closed_at >= ${from} and closed_at < ${to})::int as closed,
      count(*) filter (where closed_at >= ${from} and closed_at < ${to} and (closed_at at time zone 'Asia/Shanghai')::date > due)::int as late,
      count(*) filter (where state in ('received', 'verifying', 'in_progress') and due < ${today}::date)::int as open_overdue,
      count(*) filter (where state in ('received', 'verifying', 'in_progress'))::int as open
    from rights_requests where tenant_id = ${tenantId}`.execute(tx)).rows[0];
  const evidence = { received: r.received, closed: r.closed, closed_late: r.late, closed_on_time_pct: pct(r.closed - r.late, r.closed), open: r.open, open_overdue: r.open_overdue };
  const status: ItemStatus = r.open_overdue || r.late ? 'fail' : 'pass';
  return { status, evidence, summary_zh: `期间收到 ${r.received}、办结 ${r.closed}（逾期办结 ${r.late}）；当前逾期未办 ${r.open_overdue}`, summary_en: `${r.received} received and ${r.closed} closed in the period (${r.late} late); ${r.open_overdue} open and overdue now` };
};

const erasures: Collector = async (tx, { tenantId, from, to, now }) => {
  const ledger = (await sql<{ kind: string; n: number }>`select kind, count(*)::int as n from erasure_ledger where tenant_id = ${tenantId} and erased_at >= ${from} and erased_at < ${to} group by kind`.execute(tx)).rows;
  const deletions = await num(tx, sql`select count(*)::int as n from rights_requests where tenant_id = ${tenantId} and kind in ('deletion', 'account_cancellation') and state = 'completed' and closed_at >= ${from} and closed_at < ${to}`);
  const rules = await num(tx, sql`select count(*)::int as n from retention_rules where tenant_id = ${tenantId} and disabled_at is null`);
  const lastRun = (await sql<{ at: Date | null; erased: number | null }>`select max(finished_at) as at, sum(records_erased)::int as erased from retention_runs where tenant_id = ${tenantId} and started_at >= ${from} and started_at < ${to}`.execute(tx)).rows[0];
  const last = (await sql<{ at: Date | null }>`select max(finished_at) as at from retention_runs where tenant_id = ${tenantId}`.execute(tx)).rows[0]?.at;
  const stale = rules > 0 && (!last || now.getTime() - new Date(last).getTime() > 2 * DAY);
  const evidence = { ledger_by_kind: Object.fromEntries(ledger.map((l) => [l.kind, l.n])), deletion_requests_completed: deletions, retention_rules: rules, retention_records_erased: lastRun?.erased ?? 0, last_retention_sweep: last ? new Date(last).toISOString() : null };
  const total = ledger.reduce((a, b) => a + b.n, 0);
  return { status: stale ? 'warn' : 'pass', evidence, summary_zh: `期间删除台账 ${total} 条；办结删除请求 ${deletions}；${stale ? '保存期限清理超过 2 天未运行' : '保存期限清理按时运行'}`, summary_en: `${total} erasure-ledger entries in the period; ${deletions} deletion requests completed; ${stale ? 'the retention sweep has not run for over 2 days' : 'the retention sweep runs on time'}` };
};

const accessControl: Collector = async (tx, { tenantId }) => {
  const roles = await tx.selectFrom('roles').select(['name', 'grants', 'builtin']).where('tenant_id', '=', tenantId).execute();
  const plainAll = roles.filter((r) => !r.builtin && (r.grants as Array<{ view: string; fields: string[] }>).some((g) => g.view === 'plain' && g.fields.includes('*'))).map((r) => r.name);
  const keys = await num(tx, sql`select count(*)::int as n from api_keys where tenant_id = ${tenantId} and revoked_at is null and expires_at is null`);
  const admins = await num(tx, sql`select count(*)::int as n from staff s where s.tenant_id = ${tenantId} and s.disabled_at is null and not s.totp_enabled
    and exists (select 1 from roles r where r.tenant_id = s.tenant_id and r.permissions ? 'admin' and s.roles ? r.name)`);
  const evidence = { roles: roles.length, custom_roles_plain_on_all_fields: plainAll, api_keys_without_expiry: keys, admins_without_two_step: admins };
  const warn = plainAll.length > 0 || admins > 0;
  return { status: warn ? 'warn' : 'pass', evidence, summary_zh: `全字段明文授权的自定义角色 ${plainAll.length}；无期限 API 密钥 ${keys}；未启用两步验证的管理员 ${admins}`, summary_en: `${plainAll.length} custom roles with plain access to all fields; ${keys} API keys without expiry; ${admins} administrators without two-step sign-in` };
};

const training: Collector = async (tx, { tenantId, today }) => {
  const r = (await sql<{ staff: number; trained: number }>`select count(*)::int as staff,
      count(*) filter (where exists (select 1 from trainings t where t.tenant_id = s.tenant_id and t.staff_id = s.id and t.expires_at >= ${today}::date))::int as trained
    from staff s where s.tenant_id = ${tenantId} and s.disabled_at is null`.execute(tx)).rows[0];
  const share = pct(r.trained, r.staff);
  const evidence = { staff: r.staff, trained_current: r.trained, coverage_pct: share };
  if (!r.staff) return { status: 'not_applicable', evidence, summary_zh: '没有员工账户', summary_en: 'no staff accounts' };
  return { status: share >= 100 ? 'pass' : share >= 80 ? 'warn' : 'fail', evidence, summary_zh: `${r.trained}/${r.staff} 名员工培训有效（${share}%）`, summary_en: `${r.trained} of ${r.staff} staff have current training (${share}%)` };
};

const backups: Collector = async (tx, { tenantId, now }) => {
  const lastBackup = (await sql<{ at: Date | null }>`select max(at) as at from audit_events where tenant_id = ${tenantId} and action = 'backup.create' and decision = 'allow'`.execute(tx)).rows[0]?.at;
  const drill = await tx.selectFrom('backup_drills').select(['at', 'ok', 'problem']).where('tenant_id', '=', tenantId).orderBy('at', 'desc').limit(1).executeTakeFirst();
  const drills = await num(tx, sql`select count(*)::int as n from backup_drills where tenant_id = ${tenantId}`);
  const age = (d: Date | null | undefined) => (d ? Math.floor((now.getTime() - new Date(d).getTime()) / DAY) : null);
  const evidence = { last_backup: lastBackup ? new Date(lastBackup).toISOString() : null, last_backup_age_days: age(lastBackup), last_drill: drill ? new Date(drill.at).toISOString() : null, last_drill_ok: drill?.ok ?? null, drills };
  const status: ItemStatus = !lastBackup || !drill || !drill.ok ? 'fail' : (age(lastBackup)! > 7 || age(drill.at)! > 30) ? 'warn' : 'pass';
  return { status, evidence, summary_zh: `最近备份：${evidence.last_backup ?? '无'}；最近演练：${evidence.last_drill ?? '无'}${drill ? (drill.ok ? '（通过）' : '（失败）') : ''}`, summary_en: `last backup: ${evidence.last_backup ?? 'none'}; last drill: ${evidence.last_drill ?? 'none'}${drill ? (drill.ok ? ' (passed)' : ' (failed)') : ''}` };
};

function auditChain(audit: Pick<AuditService, 'verify'>): Collector {
  return async (tx, { tenantId }) => {
    const v = await audit.verify(tx, tenantId);
    const evidence = { ok: v.ok, events: v.events, checkpoints: v.checkpoints, broken_at: v.brokenAt ?? null, problem: v.problem ?? null };
    return { status: v.ok ? 'pass' : 'fail', evidence, summary_zh: v.ok ? `${v.events} 条事件、${v.checkpoints} 个签名检查点校验通过` : `审计链在第 ${v.brokenAt} 条被破坏：${v.problem}`, summary_en: v.ok ? `${v.events} events and ${v.checkpoints} signed checkpoints verified` : `the chain breaks at event ${v.brokenAt}: ${v.problem}` };
  };
}

const officer: Collector = async (tx, { tenantId }) => {
  const individuals = await countIndividuals(tx, tenantId);
  const s = await tx.selectFrom('compliance_profile').select(['officer']).where('tenant_id', '=', tenantId).executeTakeFirst();
  const named = Boolean(s?.officer && (s.officer as { name?: string }).name);
  const required = individuals >= AUDIT_RULES.officerIndividuals;
  const evidence = { individuals, threshold: AUDIT_RULES.officerIndividuals, required, officer_designated: named };
  if (!required && !named) return { status: 'not_applicable', evidence, summary_zh: `处理 ${individuals} 人的个人信息，未达到 100 万人`, summary_en: `PI of ${individuals} individuals, under 1,000,000` };
  return { status: named ? 'pass' : 'fail', evidence, summary_zh: named ? '已指定个人信息保护负责人' : `处理 ${individuals} 人的个人信息，须指定负责人`, summary_en: named ? 'a PI protection officer is designated' : `PI of ${individuals} individuals: an officer must be designated` };
};

/** Closed-looking values of a state/status column in another capability's register. */
const CLOSED = ['closed', 'resolved', 'done', 'completed', 'accepted', 'mitigated', 'archived', 'approved', 'rejected', 'cancelled', 'retired', 'ended'];

/** Counts from a register this module does not own; "not available" when its table is absent. */
function register(table: string, opts: { openIsBad?: boolean; groupBy?: string[] }): Collector {
  return async (tx, { tenantId, from, to }) => {
    const exists = (await sql<{ e: boolean }>`select to_regclass(${table}) is not null as e`.execute(tx)).rows[0]?.e;
    if (!exists) return { status: 'not_available', evidence: { table, available: false }, summary_zh: `登记表 ${table} 不可用（该功能未安装）`, summary_en: `register ${table} is not available (capability not installed)` };
    const cols = new Set((await sql<{ c: string }>`select column_name as c from information_schema.columns where table_schema = current_schema() and table_name = ${table}`.execute(tx)).rows.map((r) => r.c));
    const t = sql.table(table);
    const total = await num(tx, sql`select count(*)::int as n from ${t} where tenant_id = ${tenantId}`);
    const evidence: Record<string, unknown> = { table, available: true, total };
    const dateCol = ['created_at', 'detected_at', 'opened_at', 'at'].find((c) => cols.has(c));
    if (dateCol) evidence.in_period = await num(tx, sql`select count(*)::int as n from ${t} where tenant_id = ${tenantId} and ${sql.ref(dateCol)} >= ${from} and ${sql.ref(dateCol)} < ${to}`);
    const stateCol = ['state', 'status'].find((c) => cols.has(c));
    let open: number | null = null;
    if (stateCol) {
      const rows = (await sql<{ v: string | null; n: number }>`select ${sql.ref(stateCol)}::text as v, count(*)::int as n from ${t} where tenant_id = ${tenantId} group by 1`.execute(tx)).rows;
      evidence[`by_${stateCol}`] = Object.fromEntries(rows.map((r) => [r.v ?? 'null', r.n]));
      open = rows.filter((r) => !CLOSED.includes(String(r.v).toLowerCase())).reduce((a, r) => a + r.n, 0);
      evidence.open = open;
    }
    for (const g of opts.groupBy ?? []) {
      if (!cols.has(g)) continue;
      const rows = (await sql<{ v: string | null; n: number }>`select ${sql.ref(g)}::text as v, count(*)::int as n from ${t} where tenant_id = ${tenantId} group by 1`.execute(tx)).rows;
      evidence[`by_${g}`] = Object.fromEntries(rows.map((r) => [r.v ?? 'null', r.n]));
    }
    const status: ItemStatus = opts.openIsBad && open ? 'warn' : 'pass';
    return { status, evidence, summary_zh: `共 ${total} 条${open !== null ? `，未关闭 ${open}` : ''}`, summary_en: `${total} entries${open !== null ? `, ${open} open` : ''}` };
  };
}

export function collectors(audit: Pick<AuditService, 'verify'>): Record<string, Collector> {
  return {
    pi_encrypted_classified: piEncryptedClassified,
    legal_bases: legalBases,
    consent_coverage: consentCoverage,
    notices,
    retention_rules: retentionRules,
    requests_on_time: requestsOnTime,
    erasures,
    access_control: accessControl,
    training,
    backups,
    audit_chain: auditChain(audit),
    officer,
    processing_activities: register('activities', { groupBy: ['legal_basis'] }),
    assessments: register('assessments', { openIsBad: true, groupBy: ['kind', 'type'] }),
    risks: register('risks', { openIsBad: true, groupBy: ['level', 'severity', 'rating'] }),
    incidents: register('incidents', { openIsBad: true, groupBy: ['grade', 'severity'] }),
    transfers: register('cross_border_transfers', { groupBy: ['route', 'required_route'] }),
  };
}
