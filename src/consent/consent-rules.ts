/**
 * Pure rules of consent: a subject's age from a birth date or a resident ID number (GB 11643-1999),
 * guardian consent under 14 (PIPL Art. 31), and when consent must be separate (单独同意: sensitive PI
 * incl. all PI of minors under 14, provision to another handler, public disclosure, export abroad;
 * PIPL Art. 23, 25, 28, 29, 39).
 */
import { birthDateFromCnId, cnIdProblem, normaliseValue, toHalfWidth } from '../core/pi-types.js';
import { GUARDIAN_CONSENT_AGE, type AgeEvidence, type GuardianInput, type PurposeScope, type Triggers } from './consent-types.js';

/** The calendar date in China (UTC+8, no daylight saving) at an instant. */
export function chinaDate(now: Date): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** Age in full years on a day; birthdays on 29 February are reached on 1 March in common years. */
export function ageOn(birthDate: string, day: string): number {
  const [by, bmd] = [Number(birthDate.slice(0, 4)), birthDate.slice(5)];
  const [dy, dmd] = [Number(day.slice(0, 4)), day.slice(5)];
  return dy - by - (dmd < bmd ? 1 : 0);
}

export const isUnderGuardianAge = (birthDate: string, day: string) => ageOn(birthDate, day) < GUARDIAN_CONSENT_AGE;

export interface FieldProblem { field: string; zh: string; en: string }

/** The birth date stated by age evidence, or the problem with it. `under_14` alone gives no date. */
export function birthDateFromEvidence(e: AgeEvidence, today: string): { birthDate: string | null; declaredMinor: boolean; source: string | null } | { problem: FieldProblem } {
  if (e.id_number !== undefined) {
    const id = toHalfWidth(e.id_number).replace(/\s/g, '').toUpperCase();
    const why = cnIdProblem(id, new Date(`${today}T23:59:59+08:00`));
    if (why) return { problem: { field: 'age_evidence.id_number', zh: '不是有效的居民身份证号码', en: 'is not a valid resident ID number' } };
    return { birthDate: birthDateFromCnId(id), declaredMinor: Boolean(e.under_14), source: 'id_number' };
  }
  if (e.birth_date !== undefined) {
    const n = normaliseValue('birth_date', e.birth_date);
    if (!n.ok || n.value > today) return { problem: { field: 'age_evidence.birth_date', zh: '不是有效的出生日期（YYYY-MM-DD，不晚于今天）', en: 'is not a valid birth date (YYYY-MM-DD, not after today)' } };
    return { birthDate: n.value, declaredMinor: Boolean(e.under_14), source: 'birth_date' };
  }
  return { birthDate: null, declaredMinor: Boolean(e.under_14), source: e.under_14 ? 'declared' : null };
}

/** What is wrong with the guardian of a consent, or null. A minor needs one with a relation and an identity. */
export function guardianProblem(minor: boolean, g: GuardianInput | undefined, subjectId: string): FieldProblem | null {
  if (!g) {
    return minor ? { field: 'guardian', zh: '必填：不满十四周岁未成年人的同意须由其父母或其他监护人作出（PIPL 第31条）', en: 'is required: consent for a minor under 14 must come from a parent or guardian (PIPL Art. 31)' } : null;
  }
  if (!g.name?.trim() && !g.subject_id) return { field: 'guardian.name', zh: '必填：请提供监护人姓名或其主体 ID', en: 'is required: give the guardian\'s name or subject id' };
  if (g.subject_id && g.subject_id === subjectId) return { field: 'guardian.subject_id', zh: '不能是未成年人本人', en: 'cannot be the minor themself' };
  return null;
}

export interface SeparateReason { rule: 'minor' | 'sensitive_pi' | 'provision_to_others' | 'public_disclosure' | 'cross_border'; article: string; source: string; zh: string; en: string }

const REASON_TEXT: Record<SeparateReason['rule'], { article: string; zh: string; en: string }> = {
  minor: { article: 'PIPL 28, 29, 31', zh: '不满十四周岁未成年人的个人信息属于敏感个人信息', en: 'PI of a minor under 14 is sensitive PI' },
  sensitive_pi: { article: 'PIPL 29', zh: '该目的处理敏感个人信息', en: 'the purpose processes sensitive PI' },
  provision_to_others: { article: 'PIPL 23', zh: '该目的向其他个人信息处理者提供个人信息', en: 'the purpose provides PI to another handler' },
  public_disclosure: { article: 'PIPL 25', zh: '该目的公开个人信息', en: 'the purpose discloses PI publicly' },
  cross_border: { article: 'PIPL 39', zh: '该目的向境外提供个人信息', en: 'the purpose transfers PI abroad' },
};

/** Why consent for a purpose must be separate, from the notice version's scope and the registered activities. */
export function separateReasons(input: { minor: boolean; scope?: PurposeScope; activities: Array<{ id: string; name: string; triggers: Triggers }> }): SeparateReason[] {
  const out: SeparateReason[] = [];
  const add = (rule: SeparateReason['rule'], source: string) => { if (!out.some((r) => r.rule === rule)) out.push({ rule, source, ...REASON_TEXT[rule] }); };
  if (input.minor) add('minor', 'subject');
  const s = input.scope;
  if (s?.sensitive) add('sensitive_pi', 'notice');
  if (s?.recipients.some((r) => r.kind === 'handler' || r.kind === 'joint')) add('provision_to_others', 'notice');
  if (s?.recipients.some((r) => r.kind === 'public')) add('public_disclosure', 'notice');
  if (s && (s.cross_border.length > 0 || s.recipients.some((r) => r.country && !['CN', 'CHN'].includes(r.country)))) add('cross_border', 'notice');
  for (const a of input.activities) {
    const src = `activity:${a.id}`;
    if (a.triggers.sensitive_pi) add('sensitive_pi', src);
    if (a.triggers.provision_to_others) add('provision_to_others', src);
    if (a.triggers.public_disclosure) add('public_disclosure', src);
    if (a.triggers.cross_border) add('cross_border', src);
  }
  return out;
}
