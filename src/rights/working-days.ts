/**
 * Working days on the official Chinese calendar (statutory holidays and make-up workdays, 调休) from
 * the maintained `chinese-days` package, corrected by the project-owned table in calendar-overrides.ts.
 * Years covered by neither are estimated from the statutory holidays of the 《全国年节及纪念日放假办法》
 * (2024 revision: 元旦 1, 春节 4 incl. 除夕, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3) without 调休, and
 * flagged `estimated` so that deadlines can be recomputed once the official schedule is known.
 * Dates are calendar dates in China Standard Time (UTC+8, no DST), written YYYY-MM-DD.
 */
import { createRequire } from 'node:module';
import { CALENDAR_OVERRIDES, OVERRIDE_YEARS } from './calendar-overrides.js';

const require = createRequire(import.meta.url);
const cd = require('chinese-days') as {
  getSolarDateFromLunar(d: string): { date: string };
  getSolarTermDate(y: number, m: number, term: string): string;
};
const data = require('chinese-days/dist/chinese-days.json') as { holidays: Record<string, string>; workdays: Record<string, string> };

export type CalendarBasis = 'official' | 'estimated';

const PACKAGE_YEARS = new Set(Object.keys(data.holidays).map((d) => Number(d.slice(0, 4))));
const COVERED = new Set([...PACKAGE_YEARS, ...OVERRIDE_YEARS]);
/** First and last year with an official schedule (package or override table). */
export const CALENDAR_COVERAGE = { from: Math.min(...COVERED), to: Math.max(...COVERED) };

const DAY = 86_400_000;
const CST = 8 * 3_600_000;

export function isoDay(d: Date): string { return new Date(d.getTime()).toISOString().slice(0, 10); }
/** Today's (or an instant's) calendar date in China. */
export function chinaDate(at: Date): string { return isoDay(new Date(at.getTime() + CST)); }
export function addCalendarDays(day: string, n: number): string { return isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY)); }
function weekday(day: string): number { return new Date(`${day}T00:00:00Z`).getUTCDay(); }

const estimatedCache = new Map<number, Set<string>>();
/** Statutory days off of a year the official data does not cover (no 调休 known). */
function estimatedHolidays(year: number): Set<string> {
  let s = estimatedCache.get(year);
  if (s) return s;
  s = new Set<string>();
  const add = (d: string, n = 1) => { for (let i = 0; i < n; i++) s!.add(addCalendarDays(d, i)); };
  add(`${year}-01-01`);
  add(addCalendarDays(cd.getSolarDateFromLunar(`${year}-01-01`).date, -1), 4); // 除夕 .. 初三
  add(cd.getSolarTermDate(year, 4, 'pure_brightness'));
  add(`${year}-05-01`, 2);
  add(cd.getSolarDateFromLunar(`${year}-05-05`).date);
  add(cd.getSolarDateFromLunar(`${year}-08-15`).date);
  add(`${year}-10-01`, 3);
  estimatedCache.set(year, s);
  return s;
}

/** Whether a date is a working day, and whether that answer is official or estimated. */
export function workingDay(day: string): { work: boolean; basis: CalendarBasis; name?: string } {
  const o = CALENDAR_OVERRIDES[day];
  if (o) return { work: o.work, basis: 'official', name: o.name };
  const year = Number(day.slice(0, 4));
  const wd = weekday(day);
  const weekend = wd === 0 || wd === 6;
  if (COVERED.has(year)) {
    if (data.workdays[day]) return { work: true, basis: 'official', name: data.workdays[day] };
    if (data.holidays[day]) return { work: false, basis: 'official', name: data.holidays[day] };
    return { work: !weekend, basis: 'official' };
  }
  if (estimatedHolidays(year).has(day)) return { work: false, basis: 'estimated', name: 'statutory holiday (estimated)' };
  return { work: !weekend, basis: 'estimated' };
}

/**
 * The n-th working day after `from` (the day of receipt does not count, as in the Civil Code's rule
 * on periods). Basis is `estimated` when any day on the way was.
 */
export function addWorkingDays(from: string, n: number): { day: string; basis: CalendarBasis } {
  let day = from;
  let basis: CalendarBasis = 'official';
  let left = n;
  while (left > 0) {
    day = addCalendarDays(day, 1);
    const w = workingDay(day);
    if (w.basis === 'estimated') basis = 'estimated';
    if (w.work) left -= 1;
  }
  return { day, basis };
}

/** Working days after `from` up to and including `to` (0 when to <= from). */
export function workingDaysBetween(from: string, to: string): number {
  let n = 0;
  for (let d = addCalendarDays(from, 1); d <= to; d = addCalendarDays(d, 1)) if (workingDay(d).work) n += 1;
  return n;
}

/** A `date` column as YYYY-MM-DD: node-postgres gives a Date at local midnight, PGlite may give either. */
export function dayString(v: unknown): string {
  if (typeof v === 'string') return v.slice(0, 10);
  const d = v as Date;
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
