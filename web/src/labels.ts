/**
 * Labels shown by the console for the server's enumerations. The PI catalogue is the server's own file
 * (src/core/pi-catalog.ts); the access enumerations mirror src/access/access-types.ts, and
 * test/web-labels.test.ts keeps those equal.
 */
export type L = { zh: string; en: string };

export { FIELD_TYPES, CATEGORIES, CATEGORY_LABELS, TYPE_INFO, SENSITIVE_CATEGORY_LIST as SENSITIVE_CATEGORIES, type FieldType, type Category } from '../../src/core/pi-catalog.js';
import { TYPE_INFO } from '../../src/core/pi-catalog.js';

export const LEGAL_BASES = ['consent', 'contract', 'hr', 'legal_obligation', 'emergency', 'public_interest_news', 'public_info', 'other_law'] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];
/** PIPL Art. 13 (1)–(7). */
export const LEGAL_BASIS_LABELS: Record<LegalBasis, L> = {
  consent: { zh: '取得个人同意（第13条第1项）', en: 'Consent (Art. 13(1))' },
  contract: { zh: '订立、履行合同所必需（第13条第2项）', en: 'Necessary for a contract (Art. 13(2))' },
  hr: { zh: '人力资源管理所必需（第13条第2项）', en: 'Necessary for HR management (Art. 13(2))' },
  legal_obligation: { zh: '履行法定职责或法定义务所必需（第13条第3项）', en: 'Legal duty or obligation (Art. 13(3))' },
  emergency: { zh: '应对突发公共卫生事件或紧急情况（第13条第4项）', en: 'Public-health emergency or to protect life (Art. 13(4))' },
  public_interest_news: { zh: '为公共利益实施新闻报道、舆论监督（第13条第5项）', en: 'News reporting in the public interest (Art. 13(5))' },
  public_info: { zh: '处理已合法公开的个人信息（第13条第6项）', en: 'Lawfully published information (Art. 13(6))' },
  other_law: { zh: '法律、行政法规规定的其他情形（第13条第7项）', en: 'Other cases provided by law (Art. 13(7))' },
};

export const ACTIONS = ['read', 'search', 'write', 'update', 'erase', 'export'] as const;
export const ACTION_LABELS: Record<(typeof ACTIONS)[number], L> = {
  read: { zh: '读取', en: 'Read' }, search: { zh: '检索', en: 'Search' }, write: { zh: '写入', en: 'Write' },
  update: { zh: '更正', en: 'Update' }, erase: { zh: '删除', en: 'Erase' }, export: { zh: '导出', en: 'Export' },
};

export const PERMISSIONS = ['admin', 'collections.manage', 'purposes.manage', 'roles.manage', 'keys.manage', 'audit.read', 'consents.manage', 'scan.use', 'requests.manage', 'retention.manage', 'backup.manage',
  // issue 10
  'assessments.manage', 'assessments.approve', 'risks.manage', 'third_parties.manage', 'shares.create', 'transfers.manage', 'complaints.manage',
  // issue 4
  'activities.manage',
  // issue 9
  'incidents.manage',

  // issue 11
  'compliance.manage', 'compliance.read', 'deregistration.manage', 'deregistration.approve', 'analytics.use'] as const;
export type Permission = (typeof PERMISSIONS)[number];
export const PERMISSION_LABELS: Record<Permission, L> = {
  admin: { zh: '全部管理权限', en: 'All administration' },
  'collections.manage': { zh: '管理集合', en: 'Manage collections' },
  'purposes.manage': { zh: '管理处理目的', en: 'Manage purposes' },
  'roles.manage': { zh: '管理角色与授权', en: 'Manage roles and grants' },
  'keys.manage': { zh: '管理密钥', en: 'Manage keys' },
  'audit.read': { zh: '查看审计日志', en: 'Read the audit log' },
  'consents.manage': { zh: '管理告知与同意', en: 'Manage notices and consents' },
  'scan.use': { zh: '扫描与去标识化', en: 'Scan and redact' },
  'requests.manage': { zh: '个人权利请求', en: 'Rights requests' },
  'retention.manage': { zh: '保存期限与删除', en: 'Retention and erasure' },
  'backup.manage': { zh: '备份与演练', en: 'Backups and drills' },
  // issue 10
  'assessments.manage': { zh: '影响评估（编制）', en: 'Impact assessments (prepare)' },
  'assessments.approve': { zh: '影响评估审批（个人信息保护负责人）', en: 'Approve assessments (PI protection officer)' },
  'risks.manage': { zh: '风险台账', en: 'Risk register' },
  'third_parties.manage': { zh: '第三方与合同', en: 'Third parties and contracts' },
  'shares.create': { zh: '向第三方提供数据', en: 'Share data with third parties' },
  'transfers.manage': { zh: '数据出境', en: 'Cross-border transfers' },
  'complaints.manage': { zh: '投诉与举报', en: 'Complaints and reports' },
  'activities.manage': { zh: '处理活动记录', en: 'Register of processing activities' },
  'incidents.manage': { zh: '安全事件与告警', en: 'Incidents and alerts' },
  // issue 11
  'compliance.manage': { zh: '合规审计与报告', en: 'Compliance audits and reports' },
  'compliance.read': { zh: '查看合规证据（只读）', en: 'Read compliance evidence' },
  'deregistration.manage': { zh: '企业注销（申请与执行）', en: 'Deregistration (request, execute)' },
  'deregistration.approve': { zh: '企业注销审批（监督人）', en: 'Deregistration approval (supervisor)' },
  'analytics.use': { zh: '隐私保护统计分析', en: 'Privacy-preserving analytics' },
};

// Notices, consents and the register of processing activities: one copy shared with the server.
export * from '../../src/consent/consent-catalog.js';
import { CHANNELS } from '../../src/consent/consent-catalog.js';
export const CHANNEL_LABELS: Record<(typeof CHANNELS)[number], L> = {
  app: { zh: '应用', en: 'App' }, web: { zh: '网站', en: 'Website' }, paper: { zh: '纸质', en: 'Paper' }, phone: { zh: '电话', en: 'Phone' }, other: { zh: '其他', en: 'Other' },
};

export const REQUEST_KINDS: Record<string, L> = {
  access: { zh: '查阅、复制', en: 'Access / copy' }, copy: { zh: '复制', en: 'Copy' }, portability: { zh: '转移', en: 'Portability' },
  correction: { zh: '更正、补充', en: 'Correction' }, rectify: { zh: '更正、补充', en: 'Correction' }, deletion: { zh: '删除', en: 'Deletion' }, erase: { zh: '删除', en: 'Deletion' },
  withdraw_consent: { zh: '撤回同意', en: 'Withdraw consent' }, explain: { zh: '解释说明', en: 'Explanation' }, explanation: { zh: '解释说明', en: 'Explanation' },
  complaint: { zh: '投诉', en: 'Complaint' }, restrict: { zh: '限制处理', en: 'Restrict processing' }, object: { zh: '拒绝处理', en: 'Object' },
  supplement: { zh: '补充', en: 'Supplement' }, restriction: { zh: '限制、拒绝处理', en: 'Restriction' }, withdrawal: { zh: '撤回同意', en: 'Withdraw consent' },
  account_cancellation: { zh: '注销账号', en: 'Account cancellation' }, deceased_relative: { zh: '近亲属行使死者权利', en: 'Deceased person\'s relative' },
};

/** Detector finding types of src/detect (labels for the scan page; unknown types are shown as they are). */
export const FINDING_LABELS: Record<string, L> = {
  ...Object.fromEntries(Object.entries(TYPE_INFO).map(([k, v]) => [k, { zh: v.zh, en: v.en }])),
  mainland_permit: { zh: '港澳居民来往内地通行证', en: 'Mainland travel permit' }, hk_id: { zh: '香港身份证号码', en: 'Hong Kong ID' },
  taiwan_id: { zh: '台湾身份证号码', en: 'Taiwan ID' }, postal_code: { zh: '邮政编码', en: 'Postal code' },
};

export function label(l: L | undefined, lang: 'zh' | 'en', fallback: string): string {
  return l ? l[lang] : fallback;
}
