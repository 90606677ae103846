/** Shared types of the detect module. */
export const DETECT_TYPES = [
  'cn_id', 'uscc', 'mobile', 'landline', 'bank_card', 'passport', 'mainland_permit', 'hk_id',
  'taiwan_id', 'plate', 'email', 'ip', 'birth_date', 'postal_code', 'person_name', 'address',
] as const;
export type DetectType = (typeof DETECT_TYPES)[number];

/** Types found by patterns + checksums (fast path); the others come from the name/address model. */
export const STRUCTURED_TYPES: readonly DetectType[] = DETECT_TYPES.filter((t) => t !== 'person_name' && t !== 'address');

export interface Finding {
  type: DetectType;
  /** 0-based offset (UTF-16 code units, i.e. JS string index) of the first character. */
  start: number;
  /** 0-based offset one past the last character. */
  end: number;
  /** 1-based line number. */
  line: number;
  /** 1-based column (UTF-16 code units) within the line. */
  column: number;
  /** Confidence 0..1. */
  score: number;
  /** Masked value; never the raw value. */
  preview: string;
  location?: { sheet?: string; cell?: string; path?: string };
}

export interface ScanOptions {
  /** Restrict to these types (default: all). */
  types?: DetectType[];
  /** Run the model-based person-name and address recogniser (default true). */
  names?: boolean;
  /** Drop findings below this score (default 0.5). */
  minScore?: number;
}

/** Raw span before line/column/preview are attached. */
export interface Span { type: DetectType; start: number; end: number; score: number; value: string }

/** Chinese display labels used by tag mode and tables. */
export const TYPE_LABELS: Record<DetectType, { zh: string; en: string }> = {
  cn_id: { zh: '身份证号', en: 'Resident ID' },
  uscc: { zh: '统一社会信用代码', en: 'USCC' },
  mobile: { zh: '手机号码', en: 'Mobile' },
  landline: { zh: '固定电话', en: 'Landline' },
  bank_card: { zh: '银行卡号', en: 'Bank card' },
  passport: { zh: '护照号码', en: 'Passport' },
  mainland_permit: { zh: '来往内地通行证', en: 'Mainland travel permit' },
  hk_id: { zh: '香港身份证', en: 'HK ID' },
  taiwan_id: { zh: '台湾身份证', en: 'Taiwan ID' },
  plate: { zh: '车牌号', en: 'Licence plate' },
  email: { zh: '电子邮箱', en: 'Email' },
  ip: { zh: 'IP地址', en: 'IP address' },
  birth_date: { zh: '出生日期', en: 'Date of birth' },
  postal_code: { zh: '邮政编码', en: 'Postal code' },
  person_name: { zh: '姓名', en: 'Person name' },
  address: { zh: '地址', en: 'Address' },
};
