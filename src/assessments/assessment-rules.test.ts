import { describe, expect, it } from 'vitest';
import { DEFAULT_MATRIX } from '../risks/index.js';
import { addMonths, addYears, answerProblem, assessmentTriggers, deletionLocked, overallLevels, scoreSource, submissionProblems, triggersCovered } from './assessment-rules.js';

describe('assessment triggers (PIPL Art. 55)', () => {
  it('lists what an activity involves, in a stable order', () => {
    expect(assessmentTriggers({})).toEqual([]);
    expect(assessmentTriggers({ cross_border: true, sensitive_pi: true, public_disclosure: false })).toEqual(['sensitive_pi', 'cross_border']);
    expect(assessmentTriggers({ automated_decision: true, entrusted_processing: true, provision_to_others: true, public_disclosure: true })).toEqual(['automated_decision', 'entrusted_processing', 'provision_to_others', 'public_disclosure']);
  });
  it('an approval covers the triggers it assessed, not new ones', () => {
    expect(triggersCovered(['sensitive_pi', 'cross_border'], ['cross_border'])).toBe(true);
    expect(triggersCovered(['sensitive_pi'], ['sensitive_pi', 'cross_border'])).toBe(false);
    expect(triggersCovered([], [])).toBe(true);
  });
});

describe('scoring on the matrix', () => {
  it('scores likelihood x impact and takes the highest band reached', () => {
    const s = scoreSource(DEFAULT_MATRIX, { id: 'a', category: 'participants', description: 'x', likelihood: 3, impact: 4, residual_likelihood: 1 });
    expect(s).toMatchObject({ score: 12, level: 'critical', residual_score: 4, residual_level: 'medium' });
    expect(scoreSource(DEFAULT_MATRIX, { id: 'b', category: 'participants', description: 'x', likelihood: 1, impact: 3 })).toMatchObject({ score: 3, level: 'low', residual_level: 'low' });
    expect(overallLevels(DEFAULT_MATRIX, [s, scoreSource(DEFAULT_MATRIX, { id: 'b', category: 'participants', description: 'x', likelihood: 2, impact: 4 })])).toEqual({ inherent: 'critical', residual: 'high' });
    expect(overallLevels(DEFAULT_MATRIX, [])).toEqual({ inherent: null, residual: null });
  });
  it('requires mitigation above the acceptable level and the rights impact', () => {
    const high = scoreSource(DEFAULT_MATRIX, { id: 'a', category: 'participants', description: 'x', likelihood: 3, impact: 3, rights_impacts: ['autonomy'] });
    expect(submissionProblems(DEFAULT_MATRIX, {}, [high]).map((p) => p.field)).toContain('risk_sources[0].mitigation');
    const low = scoreSource(DEFAULT_MATRIX, { id: 'a', category: 'participants', description: 'x', likelihood: 1, impact: 1 });
    expect(submissionProblems(DEFAULT_MATRIX, {}, [low]).map((p) => p.field)).toContain('risk_sources[0].rights_impacts');
    expect(submissionProblems(DEFAULT_MATRIX, {}, []).map((p) => p.field)).toContain('answers.purpose');
  });
  it('checks answers against the question kinds', () => {
    expect(answerProblem('subjects_count', 10)).toBeNull();
    expect(answerProblem('subjects_count', '10')).not.toBeNull();
    expect(answerProblem('lifecycle', ['collect', 'delete'])).toBeNull();
    expect(answerProblem('lifecycle', ['teleport'])).not.toBeNull();
    expect(answerProblem('legal_basis', 'consent')).toBeNull();
    expect(answerProblem('nope', 'x')).not.toBeNull();
  });
});

describe('the three-year lock (PIPL Art. 56)', () => {
  it('adds years (29 February to 28 February) and months', () => {
    expect(addYears('2026-03-15', 3)).toBe('2029-03-15');
    expect(addYears('2028-02-29', 3)).toBe('2031-02-28');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-11-15', 12)).toBe('2027-11-15');
  });
  it('locks completed assessments until the lock date, submitted ones always, drafts never', () => {
    expect(deletionLocked('draft', null, '2026-01-01')).toBe(false);
    expect(deletionLocked('submitted', null, '2030-01-01')).toBe(true);
    expect(deletionLocked('approved', '2029-03-15', '2029-03-14')).toBe(true);
    expect(deletionLocked('approved', '2029-03-15', '2029-03-15')).toBe(false);
    expect(deletionLocked('rejected', '2029-03-15', '2028-01-01')).toBe(true);
  });
});
