/**
 * Enumerations of notices, consents and the register of processing activities with their zh-CN and en
 * labels. Pure data with no imports, so the server (validation, XLSX export) and the console share one copy.
 */
type L = { zh: string; en: string };

export const CHANNELS = ['app', 'web', 'paper', 'phone', 'other'] as const;

/** Who gives consent for a minor under 14 (PIPL Art. 31; Civil Code Art. 27). */
export const GUARDIAN_RELATIONS = ['father', 'mother', 'legal_guardian', 'other_guardian'] as const;
export const GUARDIAN_RELATION_LABELS: Record<(typeof GUARDIAN_RELATIONS)[number], L> = {
  father: { zh: '父亲', en: 'Father' }, mother: { zh: '母亲', en: 'Mother' },
  legal_guardian: { zh: '法定监护人', en: 'Legal guardian' }, other_guardian: { zh: '其他监护人', en: 'Other guardian' },
};

/** Recipients of PI: an entrusted processor (Art. 21), another handler (Art. 23), a joint handler (Art. 20), the public (Art. 25). */
export const RECIPIENT_KINDS = ['entrusted', 'handler', 'joint', 'public'] as const;
export const RECIPIENT_KIND_LABELS: Record<(typeof RECIPIENT_KINDS)[number], L> = {
  entrusted: { zh: '受托处理者（委托处理）', en: 'Entrusted processor' }, handler: { zh: '其他个人信息处理者（对外提供）', en: 'Another handler (provision)' },
  joint: { zh: '共同处理者', en: 'Joint handler' }, public: { zh: '公开', en: 'Public disclosure' },
};

/** Lawful routes for export abroad (PIPL Art. 38; CAC provisions of 2024). */
export const TRANSFER_MECHANISMS = ['security_assessment', 'standard_contract', 'certification', 'exempt'] as const;
export const TRANSFER_MECHANISM_LABELS: Record<(typeof TRANSFER_MECHANISMS)[number], L> = {
  security_assessment: { zh: '数据出境安全评估', en: 'Security assessment' }, standard_contract: { zh: '个人信息出境标准合同', en: 'Standard contract' },
  certification: { zh: '个人信息保护认证', en: 'Certification' }, exempt: { zh: '豁免申报', en: 'Exempt' },
};

/** Operations of PIPL Art. 4. */
export const OPERATIONS = ['collect', 'store', 'use', 'process', 'transmit', 'provide', 'disclose', 'delete'] as const;
export const OPERATION_LABELS: Record<(typeof OPERATIONS)[number], L> = {
  collect: { zh: '收集', en: 'Collect' }, store: { zh: '存储', en: 'Store' }, use: { zh: '使用', en: 'Use' }, process: { zh: '加工', en: 'Process' },
  transmit: { zh: '传输', en: 'Transmit' }, provide: { zh: '提供', en: 'Provide' }, disclose: { zh: '公开', en: 'Disclose' }, delete: { zh: '删除', en: 'Delete' },
};

export const SOURCES = ['subject', 'third_party', 'public', 'generated'] as const;
export const SOURCE_LABELS: Record<(typeof SOURCES)[number], L> = {
  subject: { zh: '个人主动提供', en: 'From the individual' }, third_party: { zh: '第三方间接获取', en: 'From third parties' },
  public: { zh: '已公开信息', en: 'Published information' }, generated: { zh: '业务中产生', en: 'Generated in the service' },
};

export const SUBJECT_CATEGORIES = ['customers', 'prospects', 'members', 'employees', 'job_applicants', 'minors_under_14', 'students', 'patients', 'visitors', 'business_contacts', 'other'] as const;
export const SUBJECT_CATEGORY_LABELS: Record<(typeof SUBJECT_CATEGORIES)[number], L> = {
  customers: { zh: '客户', en: 'Customers' }, prospects: { zh: '潜在客户', en: 'Prospects' }, members: { zh: '会员', en: 'Members' },
  employees: { zh: '员工', en: 'Employees' }, job_applicants: { zh: '求职者', en: 'Job applicants' }, minors_under_14: { zh: '不满十四周岁的未成年人', en: 'Minors under 14' },
  students: { zh: '学生', en: 'Students' }, patients: { zh: '患者', en: 'Patients' }, visitors: { zh: '访客', en: 'Visitors' },
  business_contacts: { zh: '业务联系人', en: 'Business contacts' }, other: { zh: '其他', en: 'Other' },
};

export const SECURITY_MEASURES = ['encryption', 'access_control', 'masking', 'de_identification', 'audit_log', 'training', 'backup', 'incident_plan', 'minimisation', 'network_isolation', 'retention_deletion', 'contracts'] as const;
export const SECURITY_MEASURE_LABELS: Record<(typeof SECURITY_MEASURES)[number], L> = {
  encryption: { zh: '加密存储与传输', en: 'Encryption' }, access_control: { zh: '访问控制与授权', en: 'Access control' }, masking: { zh: '掩码展示', en: 'Masking' },
  de_identification: { zh: '去标识化', en: 'De-identification' }, audit_log: { zh: '审计日志', en: 'Audit log' }, training: { zh: '人员培训', en: 'Staff training' },
  backup: { zh: '备份与恢复', en: 'Backup and restore' }, incident_plan: { zh: '安全事件应急预案', en: 'Incident response plan' }, minimisation: { zh: '最小必要', en: 'Data minimisation' },
  network_isolation: { zh: '网络隔离', en: 'Network isolation' }, retention_deletion: { zh: '到期删除', en: 'Deletion at retention end' }, contracts: { zh: '合同约束接收方', en: 'Contracts with recipients' },
};

export const END_ACTIONS = ['delete', 'anonymise', 'review'] as const;
export const END_ACTION_LABELS: Record<(typeof END_ACTIONS)[number], L> = {
  delete: { zh: '删除', en: 'Delete' }, anonymise: { zh: '匿名化', en: 'Anonymise' }, review: { zh: '复核后处置', en: 'Review' },
};

/** PIPL Art. 55: processing that needs an impact assessment beforehand. */
export const TRIGGERS = ['sensitive_pi', 'automated_decision', 'entrusting', 'provision_to_others', 'public_disclosure', 'cross_border'] as const;
export const TRIGGER_LABELS: Record<(typeof TRIGGERS)[number], L> = {
  sensitive_pi: { zh: '处理敏感个人信息', en: 'Sensitive PI' }, automated_decision: { zh: '自动化决策', en: 'Automated decisions' },
  entrusting: { zh: '委托处理', en: 'Entrusted processing' }, provision_to_others: { zh: '向其他处理者提供', en: 'Provision to other handlers' },
  public_disclosure: { zh: '公开个人信息', en: 'Public disclosure' }, cross_border: { zh: '向境外提供', en: 'Export abroad' },
};

export const ACTIVITY_STATES = ['draft', 'active', 'retired'] as const;
export const ACTIVITY_STATE_LABELS: Record<(typeof ACTIVITY_STATES)[number], L> = {
  draft: { zh: '草稿', en: 'Draft' }, active: { zh: '生效', en: 'Active' }, retired: { zh: '已停止', en: 'Retired' },
};

/** Short forms of the PIPL Art. 13 bases for register columns. */
export const LEGAL_BASIS_SHORT: Record<string, L> = {
  consent: { zh: '个人同意', en: 'Consent' }, contract: { zh: '订立、履行合同所必需', en: 'Contract' }, hr: { zh: '人力资源管理所必需', en: 'HR management' },
  legal_obligation: { zh: '履行法定职责或义务', en: 'Legal obligation' }, emergency: { zh: '突发公共卫生事件或紧急情况', en: 'Emergency' },
  public_interest_news: { zh: '新闻报道、舆论监督', en: 'News reporting' }, public_info: { zh: '已合法公开的信息', en: 'Published information' }, other_law: { zh: '法律、行政法规规定的其他情形', en: 'Other law' },
};

/** Why a consent must be separate (单独同意). */
export const SEPARATE_RULE_LABELS: Record<string, L> = {
  minor: { zh: '不满十四周岁未成年人', en: 'Minor under 14' }, sensitive_pi: { zh: '敏感个人信息', en: 'Sensitive PI' },
  provision_to_others: { zh: '向其他处理者提供', en: 'Provision to other handlers' }, public_disclosure: { zh: '公开', en: 'Public disclosure' }, cross_border: { zh: '向境外提供', en: 'Export abroad' },
};
