import { describe, expect, it } from 'vitest';
import { cnIdCheckChar } from '../core/pi-types.js';
import { ageOn, birthDateFromEvidence, chinaDate, guardianProblem, isUnderGuardianAge, separateReasons } from './consent-rules.js';
import type { PurposeScope } from './consent-types.js';

const id = (birth: string) => { const f = `110105${birth.replace(/-/g, '')}123`; return f + cnIdCheckChar(f); };
const scope = (p: Partial<PurposeScope> = {}): PurposeScope => ({ manner: null, categories: [], fields: [], sensitive: false, sensitive_fields: [], retention: null, retention_days: null, recipients: [], cross_border: [], ...p });
const noTriggers = { sensitive_pi: false, automated_decision: false, entrusting: false, provision_to_others: false, public_disclosure: false, cross_border: false };

describe('age and guardian (PIPL Art. 31)', () => {
  it('counts full years; the 14th birthday ends guardian consent on that day', () => {
    expect(ageOn('2012-06-15', '2026-06-14')).toBe(13);
    expect(ageOn('2012-06-15', '2026-06-15')).toBe(14);
    expect(isUnderGuardianAge('2012-06-15', '2026-06-14')).toBe(true);
    expect(isUnderGuardianAge('2012-06-15', '2026-06-15')).toBe(false);
    expect(ageOn('2012-02-29', '2026-02-28')).toBe(13);
    expect(ageOn('2012-02-29', '2026-03-01')).toBe(14);
  });
  it('uses the date in China (UTC+8)', () => {
    expect(chinaDate(new Date('2026-06-14T16:30:00Z'))).toBe('2026-06-15');
    expect(chinaDate(new Date('2026-06-14T15:59:00Z'))).toBe('2026-06-14');
  });
  it('reads the birth date from a resident ID number and refuses an invalid one', () => {
    const r = birthDateFromEvidence({ id_number: id('2015-03-08') }, '2026-01-01');
    expect(r).toEqual({ birthDate: '2015-03-08', declaredMinor: false, source: 'id_number' });
    const bad = birthDateFromEvidence({ id_number: id('2015-03-08').slice(0, 17) + (id('2015-03-08')[17] === '1' ? '2' : '1') }, '2026-01-01');
    expect('problem' in bad && bad.problem.field).toBe('age_evidence.id_number');
    const future = birthDateFromEvidence({ birth_date: '2030-01-01' }, '2026-01-01');
    expect('problem' in future && future.problem.field).toBe('age_evidence.birth_date');
    expect(birthDateFromEvidence({ under_14: true }, '2026-01-01')).toEqual({ birthDate: null, declaredMinor: true, source: 'declared' });
  });
  it('requires a guardian with a name or subject id for a minor, and never the minor themself', () => {
    expect(guardianProblem(true, undefined, 'sub_1')?.field).toBe('guardian');
    expect(guardianProblem(false, undefined, 'sub_1')).toBeNull();
    expect(guardianProblem(true, { relation: 'mother' }, 'sub_1')?.field).toBe('guardian.name');
    expect(guardianProblem(true, { relation: 'mother', subject_id: 'sub_1' }, 'sub_1')?.field).toBe('guardian.subject_id');
    expect(guardianProblem(true, { relation: 'father', name: '王大明' }, 'sub_1')).toBeNull();
  });
});

describe('separate consent (单独同意)', () => {
  it('is required for minors, sensitive PI, provision, public disclosure and export; not for entrusting', () => {
    expect(separateReasons({ minor: false, scope: scope(), activities: [] })).toEqual([]);
    expect(separateReasons({ minor: true, activities: [] }).map((r) => r.rule)).toEqual(['minor']);
    expect(separateReasons({ minor: false, scope: scope({ sensitive: true }), activities: [] }).map((r) => r.rule)).toEqual(['sensitive_pi']);
    const s = scope({ recipients: [{ name: 'A', kind: 'handler', country: null }, { name: '', kind: 'public', country: null }, { name: 'B', kind: 'entrusted', country: 'SG' }] });
    expect(separateReasons({ minor: false, scope: s, activities: [] }).map((r) => r.rule)).toEqual(['provision_to_others', 'public_disclosure', 'cross_border']);
    expect(separateReasons({ minor: false, scope: scope({ recipients: [{ name: 'B', kind: 'entrusted', country: 'CN' }] }), activities: [] })).toEqual([]);
  });
  it('takes the triggers of the registered activities of the purpose, naming the activity', () => {
    const r = separateReasons({ minor: false, activities: [{ id: 'act_1', name: 'x', triggers: { ...noTriggers, sensitive_pi: true, entrusting: true } }] });
    expect(r).toEqual([expect.objectContaining({ rule: 'sensitive_pi', source: 'activity:act_1', article: 'PIPL 29' })]);
  });
});
