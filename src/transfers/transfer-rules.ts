/**
 * The cross-border route engine (CAC Provisions on Promoting and Regulating Cross-Border Data Flows,
 * 2024, Art. 4-8; PIPL Art. 38-39) for a handler that is not a CIIO. Counts are individuals since
 * 1 January of the year, summed over every transfer of the year (splitting cannot dodge a threshold).
 * - >= 1,000,000 non-sensitive, or >= 10,000 sensitive, or a CIIO: security assessment by the CAC;
 * - >= 100,000 non-sensitive, or any sensitive below 10,000: standard contract (filed within 10 working
 *   days of taking effect) or certification (a security assessment also satisfies);
 * - below 100,000 non-sensitive and no sensitive: exempt.
 * Some grounds exempt whatever the volume (contract necessity, cross-border HR, emergencies, data
 * collected abroad, a free-trade-zone negative list).
 */
export const ROUTES = ['security_assessment', 'standard_contract', 'certification', 'exemption'] as const;
export type Route = (typeof ROUTES)[number];
export type RequiredRoute = 'security_assessment' | 'contract_or_certification' | 'none';
export const EXEMPTION_GROUNDS = ['under_threshold', 'contract_necessity', 'cross_border_hr', 'emergency', 'foreign_origin_data', 'free_trade_zone'] as const;
export type ExemptionGround = (typeof EXEMPTION_GROUNDS)[number];
export const TRANSFER_MODES = ['transmission', 'remote_access', 'storage_abroad'] as const;

export interface Thresholds { non_sensitive_contract: number; non_sensitive_assessment: number; sensitive_assessment: number }
/** The 2024 figures (Art. 7-8); kept as data so a change in the law is a settings change. */
export const THRESHOLDS_2024: Thresholds = { non_sensitive_contract: 100_000, non_sensitive_assessment: 1_000_000, sensitive_assessment: 10_000 };
export interface TransferRules { ciio: boolean; alert_ratio: number; thresholds: Thresholds }
export const DEFAULT_TRANSFER_RULES: TransferRules = { ciio: false, alert_ratio: 0.8, thresholds: THRESHOLDS_2024 };

export interface Volume { non_sensitive: number; sensitive: number }

export function requiredRoute(v: Volume, rules: TransferRules = DEFAULT_TRANSFER_RULES): RequiredRoute {
  const t = rules.thresholds;
  if (rules.ciio) return 'security_assessment';
  if (v.sensitive >= t.sensitive_assessment || v.non_sensitive >= t.non_sensitive_assessment) return 'security_assessment';
  if (v.sensitive > 0 || v.non_sensitive >= t.non_sensitive_contract) return 'contract_or_certification';
  return 'none';
}

export interface Alert { kind: 'approaching' | 'route_escalated'; measure: 'non_sensitive' | 'sensitive'; threshold: number; value: number; ratio: number; route: RequiredRoute }

/** Alerts at `alert_ratio` (80%) of each threshold not yet reached, and when this transfer raised the required route. */
export function volumeAlerts(before: Volume, after: Volume, rules: TransferRules = DEFAULT_TRANSFER_RULES): Alert[] {
  const t = rules.thresholds;
  const checks: Array<{ measure: 'non_sensitive' | 'sensitive'; threshold: number; route: RequiredRoute }> = [
    { measure: 'non_sensitive', threshold: t.non_sensitive_contract, route: 'contract_or_certification' },
    { measure: 'non_sensitive', threshold: t.non_sensitive_assessment, route: 'security_assessment' },
    { measure: 'sensitive', threshold: t.sensitive_assessment, route: 'security_assessment' },
  ];
  const out: Alert[] = [];
  for (const c of checks) {
    const v = after[c.measure];
    if (v >= Math.ceil(rules.alert_ratio * c.threshold) && v < c.threshold) out.push({ kind: 'approaching', measure: c.measure, threshold: c.threshold, value: v, ratio: Math.round((v / c.threshold) * 1000) / 1000, route: c.route });
  }
  const rank = { none: 0, contract_or_certification: 1, security_assessment: 2 } as const;
  const was = requiredRoute(before, rules), now = requiredRoute(after, rules);
  if (rank[now] > rank[was]) {
    const measure = after.sensitive >= t.sensitive_assessment || (now === 'contract_or_certification' && after.sensitive > 0 && before.sensitive === 0) ? 'sensitive' : 'non_sensitive';
    out.push({ kind: 'route_escalated', measure, threshold: measure === 'sensitive' ? t.sensitive_assessment : now === 'security_assessment' ? t.non_sensitive_assessment : t.non_sensitive_contract, value: after[measure], ratio: 1, route: now });
  }
  return out;
}

export interface RouteEvidence { route: Route; route_ref?: string; filing_date?: string; contract_effective_date?: string; exemption_ground?: ExemptionGround }

/** Why the recorded route does not cover what the volume requires (null when it does). `filingDeadline` is 10 working days after the contract took effect. */
export function routeRefusal(required: RequiredRoute, e: RouteEvidence, today: string, filingDeadline: string | null): { rule: string; zh: string; en: string; field?: string } | null {
  if (e.route === 'exemption') {
    if (!e.exemption_ground) return { rule: 'exemption_ground_missing', zh: '豁免须说明依据', en: 'an exemption needs its ground', field: 'exemption_ground' };
    if (e.exemption_ground === 'under_threshold' && required !== 'none') return { rule: 'route_missing', zh: required === 'security_assessment' ? '出境数量已达到申报数据出境安全评估的标准' : '出境数量已达到订立标准合同或通过认证的标准', en: required === 'security_assessment' ? 'the volume requires a CAC security assessment' : 'the volume requires a standard contract or certification', field: 'route' };
    return null;
  }
  if (e.route === 'security_assessment') return e.route_ref ? null : { rule: 'route_evidence_missing', zh: '须填写安全评估结果编号', en: 'the security assessment needs its reference', field: 'route_ref' };
  if (required === 'security_assessment') return { rule: 'route_missing', zh: '出境数量已达到申报数据出境安全评估的标准，标准合同或认证不足以出境', en: 'the volume requires a CAC security assessment; a standard contract or certification is not enough', field: 'route' };
  if (e.route === 'certification') return e.route_ref ? null : { rule: 'route_evidence_missing', zh: '须填写个人信息保护认证证书编号', en: 'certification needs the certificate number', field: 'route_ref' };
  if (!e.contract_effective_date) return { rule: 'route_evidence_missing', zh: '须填写标准合同生效日期', en: 'the standard contract needs its effective date', field: 'contract_effective_date' };
  if (e.contract_effective_date > today) return { rule: 'contract_not_effective', zh: '标准合同尚未生效', en: 'the standard contract is not yet in effect', field: 'contract_effective_date' };
  if (!e.filing_date && filingDeadline && today > filingDeadline) return { rule: 'standard_contract_not_filed', zh: `标准合同应于生效后10个工作日内（${filingDeadline} 前）备案，尚未备案`, en: `the standard contract had to be filed within 10 working days of taking effect (by ${filingDeadline}) and was not`, field: 'filing_date' };
  return null;
}
