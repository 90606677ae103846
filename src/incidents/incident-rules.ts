/** Pure incident rules: grade from the affected count, reporting deadline and countdown, state moves. */
import { GRADES, type Grade, type IncidentSettings, type IncidentState } from './incident-types.js';

export const GRADE_LABELS: Record<Grade, { zh: string; en: string }> = {
  general: { zh: '一般', en: 'general' },
  major: { zh: '较大', en: 'major' },
  serious: { zh: '重大', en: 'serious' },
  especially_serious: { zh: '特别重大', en: 'especially serious' },
};

/** Grade from the number of affected individuals (reporting measures 2025; thresholds configurable). */
export function gradeFor(affected: number, t: IncidentSettings['grade_thresholds']): Grade {
  if (affected >= t.especially_serious) return 'especially_serious';
  if (affected >= t.serious) return 'serious';
  if (affected >= t.major) return 'major';
  return 'general';
}

/** The effective grade: an override can only raise the computed one. */
export function effectiveGrade(computed: Grade, override: Grade | null | undefined): Grade {
  if (!override) return computed;
  return GRADES.indexOf(override) > GRADES.indexOf(computed) ? override : computed;
}

/** Hours allowed from detection to the regulator report, or null when the grade has no fixed deadline. */
export function reportHours(grade: Grade, s: IncidentSettings): number | null {
  if (grade === 'general') return s.general_report_hours;
  return s.cii_operator ? s.cii_report_hours : s.report_hours;
}

export function reportDueAt(detectedAt: Date, grade: Grade, s: IncidentSettings): Date | null {
  const h = reportHours(grade, s);
  return h === null ? null : new Date(detectedAt.getTime() + h * 3_600_000);
}

/** Countdown shown to the user: seconds left (negative when late), or the time it was filed. */
export function countdown(dueAt: Date | null, filedAt: Date | null, now: Date) {
  if (!dueAt) return { due_at: null, seconds_left: null, overdue: false, filed_at: filedAt?.toISOString() ?? null, filed_late: null };
  const left = Math.floor((dueAt.getTime() - now.getTime()) / 1000);
  return {
    due_at: dueAt.toISOString(),
    seconds_left: filedAt ? null : left,
    overdue: !filedAt && left < 0,
    filed_at: filedAt?.toISOString() ?? null,
    filed_late: filedAt ? filedAt.getTime() > dueAt.getTime() : null,
  };
}

const MOVES: Record<IncidentState, IncidentState[]> = {
  open: ['contained', 'reviewing'],
  contained: ['reviewing', 'open'],
  reviewing: ['closed', 'contained'],
  closed: [],
};
export function canMove(from: IncidentState, to: IncidentState): boolean { return MOVES[from].includes(to); }

/** Summary report due date: `days` calendar days after closing. */
export function summaryDueAt(closedAt: Date, days: number): Date { return new Date(closedAt.getTime() + days * 86_400_000); }
