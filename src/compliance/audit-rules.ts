/**
 * Pure rules of the compliance audit (个人信息保护合规审计): the checklist mapped to PIPL articles, the
 * audit calendar (Audit Measures 2025: over 10,000,000 individuals at least every 2 years; minors' PI every
 * year — Minors' Online Protection Regulations Art. 37), and the firm rotation rule (the same professional
 * body at most 3 times in a row).
 */
export type ItemStatus = 'pass' | 'warn' | 'fail' | 'not_available' | 'open' | 'not_applicable';
export type ItemKind = 'auto' | 'manual';

export interface ChecklistItem { key: string; article: string; kind: ItemKind; zh: string; en: string; table?: string }

/** Thresholds the law fixes. */
export const AUDIT_RULES = {
  /** More than this many individuals: an audit at least every 24 months. */
  largeHandlerIndividuals: 10_000_000,
  largeHandlerMonths: 24,
  /** Handlers of minors' PI: every 12 months. */
  minorsMonths: 12,
  /** The same firm at most this many times in a row. */
  maxConsecutiveSameFirm: 3,
  /** A PI protection officer is required from this many individuals (PIPL 52). */
  officerIndividuals: 1_000_000,
} as const;

export const CHECKLIST: ChecklistItem[] = [
  { key: 'pi_encrypted_classified', article: 'PIPL 51(1)(3); GB/T 35273-2020 附录A', kind: 'auto', zh: '个人信息字段分类分级并加密存储', en: 'PI fields classified and stored encrypted' },
  { key: 'legal_bases', article: 'PIPL 13', kind: 'auto', zh: '每个处理目的具有合法性基础', en: 'Every purpose has a legal basis' },
  { key: 'consent_coverage', article: 'PIPL 14-16', kind: 'auto', zh: '以同意为基础的处理有有效同意', en: 'Consent-based processing is covered by valid consent' },
  { key: 'notices', article: 'PIPL 17', kind: 'auto', zh: '告知文本覆盖以同意为基础的目的', en: 'Notices cover the consent-based purposes' },
  { key: 'retention_rules', article: 'PIPL 19', kind: 'auto', zh: '为每个数据集合设定保存期限', en: 'A retention period for every collection' },
  { key: 'requests_on_time', article: 'PIPL 44-50', kind: 'auto', zh: '个人权利请求按期办结', en: 'Rights requests handled on time' },
  { key: 'erasures', article: 'PIPL 47', kind: 'auto', zh: '到期与应请求的删除已执行', en: 'Erasures executed (retention and requests)' },
  { key: 'access_control', article: 'PIPL 51(3)', kind: 'auto', zh: '访问权限最小化（明文授权、密钥期限、两步验证）', en: 'Least privilege (plain grants, key expiry, two-step sign-in)' },
  { key: 'training', article: 'PIPL 51(4)', kind: 'auto', zh: '从业人员安全教育和培训覆盖', en: 'Staff training coverage' },
  { key: 'backups', article: 'PIPL 51(3)', kind: 'auto', zh: '备份与恢复演练', en: 'Backups and restore drills' },
  { key: 'audit_chain', article: 'PIPL 51, 54', kind: 'auto', zh: '审计日志完整（哈希链与签名校验）', en: 'Audit log intact (hash chain and signatures)' },
  { key: 'officer', article: 'PIPL 52', kind: 'auto', zh: '达到规模时指定个人信息保护负责人', en: 'PI protection officer designated when required' },
  { key: 'processing_activities', article: 'PIPL 51; NDSR', kind: 'auto', zh: '个人信息处理活动记录', en: 'Record of processing activities', table: 'activities' },
  { key: 'assessments', article: 'PIPL 55-56', kind: 'auto', zh: '个人信息保护影响评估', en: 'PI protection impact assessments', table: 'assessments' },
  { key: 'risks', article: 'PIPL 51, 55', kind: 'auto', zh: '未关闭的风险', en: 'Open risks', table: 'risks' },
  { key: 'incidents', article: 'PIPL 57', kind: 'auto', zh: '个人信息安全事件处置', en: 'Security incidents handled', table: 'incidents' },
  { key: 'transfers', article: 'PIPL 38-39', kind: 'auto', zh: '向境外提供的路径与条件', en: 'Cross-border transfers and their routes', table: 'cross_border_transfers' },
  { key: 'policy', article: 'PIPL 51(1)', kind: 'manual', zh: '内部管理制度和操作规程', en: 'Internal management rules and procedures' },
  { key: 'incident_plan', article: 'PIPL 51(6)', kind: 'manual', zh: '安全事件应急预案及演练', en: 'Incident response plan and its drills' },
  { key: 'entrusted_processing', article: 'PIPL 21', kind: 'manual', zh: '委托处理合同与对受托人的监督', en: 'Entrusted-processing contracts and supervision of processors' },
  { key: 'officer_published', article: 'PIPL 52', kind: 'manual', zh: '公开负责人联系方式并报送', en: 'Officer contact published and reported' },
  { key: 'minors', article: '未成年人网络保护条例 35-37', kind: 'manual', zh: '未成年人个人信息专门规则', en: "Special rules for minors' PI" },
];

export const itemByKey = new Map(CHECKLIST.map((i) => [i.key, i]));

/** Months between mandatory audits, or null when the law sets no frequency for this handler. */
export function auditIntervalMonths(input: { individuals: number; minors: boolean }): number | null {
  if (input.minors) return AUDIT_RULES.minorsMonths;
  if (input.individuals > AUDIT_RULES.largeHandlerIndividuals) return AUDIT_RULES.largeHandlerMonths;
  return null;
}

/** YYYY-MM-DD plus whole months (the day is clamped to the month's end). */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12), nm = total % 12;
  const last = new Date(Date.UTC(ny, nm + 1, 0)).getUTCDate();
  return `${String(ny).padStart(4, '0')}-${String(nm + 1).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** When the next audit is due: interval after the last completed audit's period end; today when none was done. */
export function nextAuditDue(input: { interval: number | null; lastPeriodEnd: string | null; today: string }): { due: string | null; overdue: boolean } {
  if (input.interval === null) return { due: null, overdue: false };
  const due = input.lastPeriodEnd ? addMonths(input.lastPeriodEnd, input.interval) : input.today;
  return { due, overdue: due < input.today || (!input.lastPeriodEnd) };
}

/** How many of the most recent external audits in a row were by this firm (names compared loosely). */
export function consecutiveSameFirm(recentFirstFirms: Array<string | null>, firm: string): number {
  const norm = (s: string) => s.replace(/\s+/g, '').replace(/[（）()]/g, '').toLowerCase();
  let n = 0;
  for (const f of recentFirstFirms) { if (f && norm(f) === norm(firm)) n += 1; else break; }
  return n;
}

/** Overall result of an audit from its items. */
export function auditOutcome(statuses: ItemStatus[]): { pass: number; warn: number; fail: number; open: number; not_available: number; not_applicable: number; conclusion: 'compliant' | 'findings' | 'non_compliant' | 'incomplete' } {
  const c = { pass: 0, warn: 0, fail: 0, open: 0, not_available: 0, not_applicable: 0 };
  for (const s of statuses) c[s] += 1;
  const conclusion = c.open ? 'incomplete' : c.fail ? 'non_compliant' : c.warn ? 'findings' : 'compliant';
  return { ...c, conclusion };
}
