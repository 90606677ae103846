/**
 * Validators of structured PI used by the scanner (structured.ts): mobile and landline numbering
 * plans (libphonenumber-js metadata), resident ID (GB 11643) without allocation, legacy 15-digit
 * IDs, HK and Taiwan IDs, IPv6.
 */
import { createRequire } from 'node:module';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { isValidProvinceCode } from '../core/pi-types.js';

/**
 * Mainland mobile national-number pattern, taken from the libphonenumber-js metadata (current
 * 13x-19x allocations) once at load and cross-checked against libphonenumber itself; when the
 * metadata shape is not the expected one, every number goes through libphonenumber (cached).
 */
function slowCnMobile(d: string): boolean {
  const p = parsePhoneNumberFromString(d, 'CN');
  const t = p?.isValid() ? p.getType() : undefined;
  return t === 'MOBILE' || t === 'FIXED_LINE_OR_MOBILE';
}
const MOBILE_RE: RegExp | null = (() => {
  try {
    const phoneMeta: unknown = createRequire(import.meta.url)('libphonenumber-js/metadata.max.json');
    const types = (phoneMeta as unknown as { countries: Record<string, unknown[]> }).countries.CN[11] as unknown[];
    const pat = (types[1] as [string])[0];
    const re = new RegExp(`^(?:${pat})$`);
    for (let a = 10; a < 20; a++) for (let b = 0; b < 10; b++) for (const tail of ['00000000', '50123456', '99999999']) {
      const d = `${a}${b}${tail}`;
      if (re.test(d) !== slowCnMobile(d)) return null;
    }
    return re;
  } catch { return null; }
})();
const mobileCache = new Map<string, boolean>();
/** Mainland mobile per libphonenumber-js metadata (current 13x-19x allocations). */
export function isCnMobile(d: string): boolean {
  if (d.length !== 11 || d.charCodeAt(0) !== 49) return false;
  if (MOBILE_RE) return MOBILE_RE.test(d);
  const key = d.slice(0, 7);
  let v = mobileCache.get(key);
  if (v === undefined) {
    v = slowCnMobile(d);
    if (mobileCache.size < 100_000) mobileCache.set(key, v);
  }
  return v;
}

/** Mainland fixed line with area code (leading 0), per libphonenumber-js metadata. */
export function isCnLandline(d: string): boolean {
  if (d.length < 10 || d.length > 12 || d.charCodeAt(0) !== 48) return false;
  const p = parsePhoneNumberFromString(d, 'CN');
  if (!p || !p.isValid()) return false;
  const t = p.getType();
  return t === 'FIXED_LINE' || t === 'FIXED_LINE_OR_MOBILE';
}

/** Hong Kong identity card check digit (mod 11, letters A=10..Z=35, padding space=36). */
export function isValidHkId(id: string): boolean {
  const m = /^([A-Z]{1,2})(\d{6})([0-9A])$/.exec(id);
  if (!m) return false;
  const letters = m[1].length === 1 ? [36, m[1].charCodeAt(0) - 55] : [m[1].charCodeAt(0) - 55, m[1].charCodeAt(1) - 55];
  let sum = letters[0] * 9 + letters[1] * 8;
  for (let i = 0; i < 6; i++) sum += (m[2].charCodeAt(i) - 48) * (7 - i);
  const check = m[3] === 'A' ? 10 : m[3].charCodeAt(0) - 48;
  return (sum + check) % 11 === 0;
}

const TW_LETTER = 'ABCDEFGHJKLMNPQRSTUVXYWZIO';
/** Taiwan national ID (and new-format resident certificate) check digit. */
export function isValidTaiwanId(id: string): boolean {
  if (!/^[A-Z][1289]\d{8}$/.test(id)) return false;
  const code = TW_LETTER.indexOf(id[0]) + 10;
  let sum = Math.floor(code / 10) + (code % 10) * 9;
  for (let i = 1; i < 9; i++) sum += (id.charCodeAt(i) - 48) * (9 - i);
  sum += id.charCodeAt(9) - 48;
  return sum % 10 === 0;
}

const ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';
const PROV_OK = new Uint8Array(100);
for (let p = 0; p < 100; p++) PROV_OK[p] = isValidProvinceCode(String(p).padStart(2, '0')) ? 1 : 0;
const MDAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/**
 * Same answers as cnIdProblem (core/pi-types) for an 18-char candidate, without allocating: this is
 * on the hot path of every 18-digit run. 'format' | 'region' | 'birth_date' | 'check_digit' | null.
 */
export function idProblem(id: string, todayMs: number): string | null {
  if (id.length !== 18) return 'format';
  let sum = 0;
  for (let x = 0; x < 17; x++) {
    const v = id.charCodeAt(x) - 48;
    if (v < 0 || v > 9) return 'format';
    sum += v * ID_W[x];
  }
  const last = id.charCodeAt(17);
  if (!(last >= 48 && last <= 57 || last === 88)) return 'format';
  if (!PROV_OK[id.charCodeAt(0) * 10 + id.charCodeAt(1) - 528]) return 'region';
  const y = id.charCodeAt(6) * 1000 + id.charCodeAt(7) * 100 + id.charCodeAt(8) * 10 + id.charCodeAt(9) - 53328;
  const m = id.charCodeAt(10) * 10 + id.charCodeAt(11) - 528, d = id.charCodeAt(12) * 10 + id.charCodeAt(13) - 528;
  if (y < 1900 || m < 1 || m > 12 || d < 1) return 'birth_date';
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (m === 2 && leap ? 29 : MDAYS[m - 1])) return 'birth_date';
  if (Date.UTC(y, m - 1, d) > todayMs) return 'birth_date';
  return ID_CHECK.charCodeAt(sum % 11) === last ? null : 'check_digit';
}

export function realDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

export function legacyIdOk(d: string): boolean {
  if (!/^\d{15}$/.test(d) || !isValidProvinceCode(d.slice(0, 2))) return false;
  return realDate(1900 + Number(d.slice(6, 8)), Number(d.slice(8, 10)), Number(d.slice(10, 12)));
}

export function isIpv6(s: string): boolean {
  if (!s.includes('::') && s.split(':').length !== 8) return false;
  if (/^\d{1,2}(:\d{1,2})*$/.test(s)) return false; // times like 12:30:45
  if (s.split(':').filter((g) => g.length > 0).length < 2 && s !== '::1') return false;
  try { new URL(`http://[${s}]/`); return true; } catch { return false; }
}
