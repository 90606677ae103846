import { describe, expect, it } from 'vitest';
import { addWorkingDays, CALENDAR_COVERAGE, workingDay, workingDaysBetween } from './working-days.js';

describe('working days on the official calendar', () => {
  it('knows the package coverage', () => {
    expect(CALENDAR_COVERAGE.to).toBeGreaterThanOrEqual(2026);
  });
  it('counts across Spring Festival 2026 with its make-up Saturdays (调休)', () => {
    // 2026: Feb 14 (Sat) and Feb 28 (Sat) are working days; Feb 15-23 are off.
    expect(workingDay('2026-02-14')).toMatchObject({ work: true, basis: 'official' });
    expect(workingDay('2026-02-16').work).toBe(false);
    expect(workingDay('2026-02-23').work).toBe(false);
    // Received Tue 2026-02-10: 11,12,13,14(Sat, 调休) = 4; 24,25,26,27 = 8; 28(Sat, 调休) = 9;
    // Mar 2,3,4,5,6 = 14; Mar 9 = 15.
    expect(addWorkingDays('2026-02-10', 15)).toEqual({ day: '2026-03-09', basis: 'official' });
    expect(addWorkingDays('2026-02-10', 4)).toEqual({ day: '2026-02-14', basis: 'official' });
    expect(addWorkingDays('2026-02-10', 5)).toEqual({ day: '2026-02-24', basis: 'official' });
  });
  it('counts across Golden Week 2025 (Sep 28 and Oct 11 worked, Oct 1-8 off)', () => {
    // Received Thu 2025-09-25: 26 (Fri) 1, 28 (Sun 调休) 2, 29, 30 = 4, Oct 9, 10 = 6, 11 (Sat 调休) = 7,
    // 13..17 = 12, 20, 21, 22 = 15.
    expect(addWorkingDays('2025-09-25', 15)).toEqual({ day: '2025-10-22', basis: 'official' });
    expect(workingDaysBetween('2025-09-30', '2025-10-08')).toBe(0);
    expect(workingDaysBetween('2025-09-30', '2025-10-11')).toBe(3);
  });
  it('estimates years nobody has published yet, and says so', () => {
    const y = CALENDAR_COVERAGE.to + 1;
    expect(workingDay(`${y}-10-02`)).toMatchObject({ work: false, basis: 'estimated' });
    expect(workingDay(`${y}-01-01`).work).toBe(false);
    expect(addWorkingDays(`${CALENDAR_COVERAGE.to}-12-20`, 15).basis).toBe('estimated');
  });
  it('estimates Spring Festival 2027 from the lunar calendar (除夕 Feb 5 .. 初三 Feb 8)', () => {
    if (CALENDAR_COVERAGE.to >= 2027) return;
    for (const d of ['2027-02-05', '2027-02-08']) expect(workingDay(d).work).toBe(false);
    expect(workingDay('2027-02-09').work).toBe(true);
  });
});
