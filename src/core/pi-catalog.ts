/**
 * The PI field catalogue: types, GB/T 35273-2020 categories, their zh/en labels and default
 * sensitivity. Pure data with no imports, so the server and the browser console share one copy.
 */
export const FIELD_TYPES = [
  'person_name', 'mobile', 'landline', 'cn_id', 'email', 'address', 'bank_card', 'birth_date',
  'passport', 'uscc', 'ip', 'plate', 'text', 'number', 'date', 'boolean',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** GB/T 35273-2020 Appendix A categories (个人信息类别). */
export const CATEGORIES = [
  'basic', 'identity', 'biometric', 'network_identity', 'health', 'education_work', 'financial',
  'contact', 'property', 'communication', 'online_activity', 'device', 'location', 'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const CATEGORY_LABELS: Record<Category, { zh: string; en: string }> = {
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

export interface TypeInfo { category: Category; sensitive: boolean; zh: string; en: string }
/** Default category and PIPL Art. 28 sensitivity per type; the sensitive flag can be raised, never lowered. */
export const TYPE_INFO: Record<FieldType, TypeInfo> = {
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
/** Categories whose fields are sensitive PI whatever their type (PIPL Art. 28; GB/T 35273 §3.2). */
export const SENSITIVE_CATEGORY_LIST: readonly Category[] = ['biometric', 'health', 'financial', 'location', 'identity'];
