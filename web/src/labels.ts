/**
 * Labels shown by the console for the server's enumerations. The values mirror src/core/pi-types.ts and
 * src/access/access-types.ts (which cannot be bundled for the browser); test/web-labels.test.ts keeps them equal.
 */
export type L = { zh: string; en: string };

export const FIELD_TYPES = ['person_name', 'mobile', 'landline', 'cn_id', 'email', 'address', 'bank_card', 'birth_date', 'passport', 'uscc', 'ip', 'plate', 'text', 'number', 'date', 'boolean'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const CATEGORIES = ['basic', 'identity', 'biometric', 'network_identity', 'health', 'education_work', 'financial', 'contact', 'property', 'communication', 'online_activity', 'device', 'location', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export const CATEGORY_LABELS: Record<Category, L> = {
  basic: { zh: '个人基本资料', en: 'Basic personal data' },
  identity: { zh: '个人身份信息', en: 'Identity information' },
  biometric: { zh: '个人生物识别信息', en: 'Biometric information' },
  network_identity: { zh: '网络身份标识信息', en: 'Network identity' },
  health: { zh: '个人健康生理信息', en: 'Health and physiological' },
  education_work: { zh: '个人教育工作信息', en: 'Education and work' },
  financial: { zh: '个人财产信息', en: 'Financial and property' },
  contact: { zh: '联系人信息', en: 'Contacts' },
  property: { zh: '个人财产信息（其他）', en: 'Other property' },
  communication: { zh: '个人通信信息', en: 'Communications' },
  online_activity: { zh: '个人上网记录', en: 'Online activity' },
  device: { zh: '个人常用设备信息', en: 'Device information' },
  location: { zh: '个人位置信息', en: 'Location' },
  other: { zh: '其他信息', en: 'Other' },
};

export const TYPE_INFO: Record<FieldType, { category: Category; sensitive: boolean; zh: string; en: string }> = {
  person_name: { category: 'basic', sensitive: false, zh: '姓名', en: 'Name' },
  mobile: { category: 'basic', sensitive: false, zh: '手机号码', en: 'Mobile number' },
  landline: { category: 'basic', sensitive: false, zh: '固定电话', en: 'Landline' },
  cn_id: { category: 'identity', sensitive: true, zh: '居民身份证号码', en: 'Resident ID number' },
  email: { category: 'basic', sensitive: false, zh: '电子邮箱', en: 'Email' },
  address: { category: 'basic', sensitive: false, zh: '地址', en: 'Address' },
  bank_card: { category: 'financial', sensitive: true, zh: '银行卡号', en: 'Bank card number' },
  birth_date: { category: 'basic', sensitive: false, zh: '出生日期', en: 'Date of birth' },
  passport: { category: 'identity', sensitive: true, zh: '护照号码', en: 'Passport number' },
  uscc: { category: 'other', sensitive: false, zh: '统一社会信用代码', en: 'Unified social credit code' },
  ip: { category: 'network_identity', sensitive: false, zh: 'IP地址', en: 'IP address' },
  plate: { category: 'property', sensitive: false, zh: '车牌号', en: 'Licence plate' },
  text: { category: 'other', sensitive: false, zh: '文本', en: 'Text' },
  number: { category: 'other', sensitive: false, zh: '数值', en: 'Number' },
  date: { category: 'other', sensitive: false, zh: '日期', en: 'Date' },
  boolean: { category: 'other', sensitive: false, zh: '是否', en: 'Yes/no' },
};
export const SENSITIVE_CATEGORIES: readonly Category[] = ['biometric', 'health', 'financial', 'location', 'identity'];

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

export const PERMISSIONS = ['admin', 'collections.manage', 'purposes.manage', 'roles.manage', 'keys.manage', 'audit.read', 'consents.manage', 'scan.use', 'requests.manage', 'retention.manage', 'backup.manage'] as const;
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
};

export const CHANNELS = ['app', 'web', 'paper', 'phone', 'other'] as const;
export const CHANNEL_LABELS: Record<(typeof CHANNELS)[number], L> = {
  app: { zh: '应用', en: 'App' }, web: { zh: '网站', en: 'Website' }, paper: { zh: '纸质', en: 'Paper' }, phone: { zh: '电话', en: 'Phone' }, other: { zh: '其他', en: 'Other' },
};

export const REQUEST_KINDS: Record<string, L> = {
  access: { zh: '查阅、复制', en: 'Access / copy' }, copy: { zh: '复制', en: 'Copy' }, portability: { zh: '转移', en: 'Portability' },
  correction: { zh: '更正、补充', en: 'Correction' }, rectify: { zh: '更正、补充', en: 'Correction' }, deletion: { zh: '删除', en: 'Deletion' }, erase: { zh: '删除', en: 'Deletion' },
  withdraw_consent: { zh: '撤回同意', en: 'Withdraw consent' }, explain: { zh: '解释说明', en: 'Explanation' }, explanation: { zh: '解释说明', en: 'Explanation' },
  complaint: { zh: '投诉', en: 'Complaint' }, restrict: { zh: '限制处理', en: 'Restrict processing' }, object: { zh: '拒绝处理', en: 'Object' },
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
