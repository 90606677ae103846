import { describe, expect, it } from 'vitest';
import { canMove, countdown, effectiveGrade, gradeFor, reportDueAt } from './incident-rules.js';
import { DEFAULT_SETTINGS } from './incident-types.js';
import { missingNoticeParts, renderNotice } from './notice-text.js';

const T = DEFAULT_SETTINGS.grade_thresholds;

describe('incident rules', () => {
  it('grades by affected individuals: >=1,000,000 较大, >=10,000,000 重大, >=100,000,000 特别重大', () => {
    expect(gradeFor(999_999, T)).toBe('general');
    expect(gradeFor(1_000_000, T)).toBe('major');
    expect(gradeFor(9_999_999, T)).toBe('major');
    expect(gradeFor(10_000_000, T)).toBe('serious');
    expect(gradeFor(100_000_000, T)).toBe('especially_serious');
    expect(gradeFor(50, { major: 10, serious: 100, especially_serious: 1000 })).toBe('major');
  });

  it('an override can only raise the grade', () => {
    expect(effectiveGrade('major', 'serious')).toBe('serious');
    expect(effectiveGrade('serious', 'general')).toBe('serious');
    expect(effectiveGrade('general', null)).toBe('general');
  });

  it('reports major and above within 4 hours of detection (1 hour for CII), none fixed for general', () => {
    const d = new Date('2025-11-03T01:00:00Z');
    expect(reportDueAt(d, 'major', DEFAULT_SETTINGS)?.toISOString()).toBe('2025-11-03T05:00:00.000Z');
    expect(reportDueAt(d, 'especially_serious', { ...DEFAULT_SETTINGS, cii_operator: true })?.toISOString()).toBe('2025-11-03T02:00:00.000Z');
    expect(reportDueAt(d, 'general', DEFAULT_SETTINGS)).toBeNull();
    expect(reportDueAt(d, 'general', { ...DEFAULT_SETTINGS, general_report_hours: 24 })?.toISOString()).toBe('2025-11-04T01:00:00.000Z');
  });

  it('counts down from the due time and stops when filed', () => {
    const due = new Date('2025-11-03T05:00:00Z');
    expect(countdown(due, null, new Date('2025-11-03T04:00:00Z'))).toMatchObject({ seconds_left: 3600, overdue: false });
    expect(countdown(due, null, new Date('2025-11-03T05:00:10Z'))).toMatchObject({ seconds_left: -10, overdue: true });
    expect(countdown(due, new Date('2025-11-03T06:00:00Z'), new Date('2025-11-03T07:00:00Z'))).toMatchObject({ seconds_left: null, overdue: false, filed_late: true });
  });

  it('moves: open -> contained -> reviewing -> closed; nothing leaves closed', () => {
    expect(canMove('open', 'contained')).toBe(true);
    expect(canMove('reviewing', 'closed')).toBe(true);
    expect(canMove('open', 'closed')).toBe(false);
    expect(canMove('closed', 'open')).toBe(false);
  });

  it('a notice holds the three parts of PIPL Art. 57 with the individual\'s own PI types', () => {
    const f = { organisation: '某某公司', kind: 'leak' as const, detectedAt: new Date('2025-11-03T01:00:00Z'), cause: '员工账号被盗用', harm: '可能遭受诈骗', remedies: '已冻结账号', subjectActions: '警惕可疑来电', contact: '400-800-0000' };
    const zh = renderNotice(f, ['mobile:basic', 'cn_id:identity'], 'zh-CN');
    expect(zh.body).toContain('手机号码、居民身份证号码');
    for (const part of ['员工账号被盗用', '可能遭受诈骗', '已冻结账号', '警惕可疑来电', '400-800-0000', '2025-11-03 09:00']) expect(zh.body).toContain(part);
    const en = renderNotice(f, ['bank_card:financial'], 'en');
    expect(en.body).toContain('Bank card number');
    expect(missingNoticeParts({ ...f, harm: ' ', contact: null })).toEqual(['harm', 'contact']);
  });
});
