import { describe, expect, it } from 'vitest';
import { PIPL_RULES } from './pipl-rules.js';
import { addMonths, auditIntervalMonths, auditOutcome, CHECKLIST, consecutiveSameFirm, nextAuditDue } from './audit-rules.js';

describe('compliance audit rules', () => {
  it('sets the frequency from the individuals counter and minors (Audit Measures 2025; minors regs 37)', () => {
    expect(auditIntervalMonths({ individuals: 10_000_000, minors: false })).toBeNull();
    expect(auditIntervalMonths({ individuals: 10_000_001, minors: false })).toBe(24);
    expect(auditIntervalMonths({ individuals: 10, minors: true })).toBe(12);
    expect(auditIntervalMonths({ individuals: 20_000_000, minors: true })).toBe(12);
  });
  it('counts months on the calendar and clamps to the month end', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2026-12-31', 24)).toBe('2028-12-31');
  });
  it('is due an interval after the last period, and at once when none was done', () => {
    expect(nextAuditDue({ interval: 24, lastPeriodEnd: '2025-12-31', today: '2026-06-01' })).toEqual({ due: '2027-12-31', overdue: false });
    expect(nextAuditDue({ interval: 12, lastPeriodEnd: '2024-12-31', today: '2026-06-01' })).toEqual({ due: '2025-12-31', overdue: true });
    expect(nextAuditDue({ interval: 12, lastPeriodEnd: null, today: '2026-06-01' })).toEqual({ due: '2026-06-01', overdue: true });
    expect(nextAuditDue({ interval: null, lastPeriodEnd: null, today: '2026-06-01' })).toEqual({ due: null, overdue: false });
  });
  it('counts the same firm in a row, ignoring spaces and brackets', () => {
    expect(consecutiveSameFirm(['某所（特殊普通合伙）', '某所(特殊普通合伙)', '某 所 特殊普通合伙', '他所'], '某所特殊普通合伙')).toBe(3);
    expect(consecutiveSameFirm(['他所', '某所'], '某所')).toBe(0);
  });
  it('concludes from the item statuses', () => {
    expect(auditOutcome(['pass', 'not_available', 'not_applicable']).conclusion).toBe('compliant');
    expect(auditOutcome(['pass', 'warn']).conclusion).toBe('findings');
    expect(auditOutcome(['pass', 'fail', 'warn']).conclusion).toBe('non_compliant');
    expect(auditOutcome(['fail', 'open']).conclusion).toBe('incomplete');
  });
  it('maps every item to an article and has unique keys', () => {
    expect(new Set(CHECKLIST.map((c) => c.key)).size).toBe(CHECKLIST.length);
    for (const c of CHECKLIST) expect(c.article).toMatch(/PIPL|条例/);
  });
  it('the rules library links only to checklist items that exist, and every item is linked from a rule or is manual', () => {
    const keys = new Set(CHECKLIST.map((c) => c.key));
    const linked = new Set(PIPL_RULES.flatMap((r) => r.enforced_by.map((e) => e.check).filter(Boolean)));
    for (const k of linked) expect(keys.has(k as string), String(k)).toBe(true);
    for (const c of CHECKLIST) if (c.kind === 'auto') expect(linked.has(c.key), c.key).toBe(true);
    expect(new Set(PIPL_RULES.map((r) => r.id)).size).toBe(PIPL_RULES.length);
  });
});
