import { describe, expect, it } from 'vitest';
import { contractFlag, contractRefusal, fieldsOutside, suggestedScreening, SCREENING_QUESTIONS } from './sharing-rules.js';

describe('sharing rules', () => {
  it('suggests a screening result from the must-have answers', () => {
    const yes = Object.fromEntries(SCREENING_QUESTIONS.map((q) => [q.id, true]));
    expect(suggestedScreening(yes)).toBe('passed');
    expect(suggestedScreening({ ...yes, training: false })).toBe('conditional');
    expect(suggestedScreening({ ...yes, encryption: false })).toBe('failed');
    expect(suggestedScreening({})).toBe('failed');
  });
  it('allows a share only while the contract is in force', () => {
    const c = { state: 'active', start_date: '2026-01-01', end_date: '2026-12-31' };
    expect(contractRefusal(c, '2025-12-31')?.rule).toBe('contract_not_started');
    expect(contractRefusal(c, '2026-01-01')).toBeNull();
    expect(contractRefusal(c, '2026-12-31')).toBeNull();
    expect(contractRefusal(c, '2027-01-01')?.rule).toBe('contract_expired');
    expect(contractRefusal({ ...c, state: 'ended' }, '2026-06-01')?.rule).toBe('contract_ended');
  });
  it('finds fields outside what is allowed', () => {
    expect(fieldsOutside(['name', 'phone'], ['name'])).toEqual(['phone']);
    expect(fieldsOutside(['name'], '*')).toEqual([]);
  });
  it('flags contracts: expiring, expired, deletion pending and overdue', () => {
    const f = (state: string, end: string, due: string | null, confirmed = false) => contractFlag({ state, end_date: end, deletion_due: due, deletion_confirmed: confirmed }, '2026-06-01', '2026-07-01');
    expect(f('active', '2026-12-31', null)).toBeNull();
    expect(f('active', '2026-06-20', null)).toBe('expiring');
    expect(f('active', '2026-05-31', null)).toBe('expired');
    expect(f('ended', '2026-05-31', '2026-06-10')).toBe('deletion_pending');
    expect(f('ended', '2026-05-31', '2026-05-20')).toBe('deletion_overdue');
    expect(f('ended', '2026-05-31', '2026-05-20', true)).toBeNull();
  });
});
