import { describe, expect, it } from 'vitest';
import { DEFAULT_MATRIX, aboveAcceptable, levelOf, matrixProblems, scaleProblem } from './risk-matrix.js';

describe('risk matrix', () => {
  it('maps scores to bands', () => {
    expect([1, 3, 4, 6, 8, 9, 12, 16].map((s) => levelOf(DEFAULT_MATRIX, s))).toEqual(['low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical']);
    expect(aboveAcceptable(DEFAULT_MATRIX, 'low')).toBe(false);
    expect(aboveAcceptable(DEFAULT_MATRIX, 'medium')).toBe(true);
  });
  it('validates a configured matrix', () => {
    expect(matrixProblems(DEFAULT_MATRIX)).toEqual([]);
    expect(matrixProblems({ ...DEFAULT_MATRIX, likelihood: [{ value: 1, zh: '低', en: 'low' }, { value: 3, zh: '高', en: 'high' }] })[0].field).toBe('likelihood');
    expect(matrixProblems({ ...DEFAULT_MATRIX, levels: [{ level: 'a', zh: 'a', en: 'a', min_score: 2 }, { level: 'b', zh: 'b', en: 'b', min_score: 5 }], acceptable_level: 'a' })[0].field).toBe('levels');
    expect(matrixProblems({ ...DEFAULT_MATRIX, acceptable_level: 'tiny' })[0].field).toBe('acceptable_level');
    const five = { ...DEFAULT_MATRIX, likelihood: [1, 2, 3, 4, 5].map((v) => ({ value: v, zh: String(v), en: String(v) })) };
    expect(matrixProblems(five)).toEqual([]);
    expect(scaleProblem(five, 'likelihood', 5)).toBeNull();
    expect(scaleProblem(DEFAULT_MATRIX, 'likelihood', 5)).not.toBeNull();
  });
});
