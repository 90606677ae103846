/** Pure rules of impact assessments: triggers, the risk matrix, scoring, completeness, the 3-year lock. */
import { QUESTIONS, QUESTIONNAIRE } from './questionnaire.js';
import { aboveAcceptable, levelOf, levelRank, type RiskMatrix } from '../risks/index.js';
import { TRIGGERS, type ActivityProfile, type AnswerValue, type RiskSource, type RiskSourceInput, type Trigger } from './assessment-types.js';

/** Years an assessment report and its processing record are kept (PIPL Art. 56: at least three). */
export const LOCK_YEARS = 3;

/** The assessment triggers an activity has (PIPL Art. 55), in a stable order. */
export function assessmentTriggers(profile: ActivityProfile): Trigger[] {
  return TRIGGERS.filter((t) => profile[t] === true);
}

/** True when an approved assessment's triggers cover every trigger the activity has now. */
export function triggersCovered(approved: readonly string[], current: readonly string[]): boolean {
  return current.every((t) => approved.includes(t));
}

/** Score a risk source on the matrix; residual values default to the inherent ones when no mitigation changes them. */
export function scoreSource(m: RiskMatrix, s: RiskSourceInput & { id: string }): RiskSource {
  const score = s.likelihood * s.impact;
  const rl = s.residual_likelihood ?? s.likelihood;
  const ri = s.residual_impact ?? s.impact;
  const residual = rl * ri;
  return { ...s, score, level: levelOf(m, score), residual_score: residual, residual_level: levelOf(m, residual) };
}

/** Range problems of a risk source against the matrix, with field paths under `risk_sources[i]`. */
export function sourceProblems(m: RiskMatrix, s: RiskSourceInput, i: number): Array<{ field: string; zh: string; en: string }> {
  const out: Array<{ field: string; zh: string; en: string }> = [];
  const check = (name: keyof RiskSourceInput, axis: 'likelihood' | 'impact') => {
    const v = s[name];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > m[axis].length) out.push({ field: `risk_sources[${i}].${name}`, zh: `必须是 1 到 ${m[axis].length} 的整数`, en: `must be an integer from 1 to ${m[axis].length}` });
  };
  check('likelihood', 'likelihood'); check('impact', 'impact'); check('residual_likelihood', 'likelihood'); check('residual_impact', 'impact');
  return out;
}

/** Overall risk: the highest level among the sources, inherent and residual. */
export function overallLevels(m: RiskMatrix, sources: RiskSource[]): { inherent: string | null; residual: string | null } {
  if (sources.length === 0) return { inherent: null, residual: null };
  const max = (key: 'level' | 'residual_level') => sources.reduce((a, s) => (levelRank(m, s[key]) > levelRank(m, a) ? s[key] : a), sources[0][key]);
  return { inherent: max('level'), residual: max('residual_level') };
}

/** An answer's problem against its question (null when fine). */
export function answerProblem(id: string, v: AnswerValue): { zh: string; en: string } | null {
  const q = QUESTIONS.get(id);
  if (!q) return { zh: '不是问卷中的问题', en: 'is not a question of the questionnaire' };
  const opts = new Set((q.options ?? []).map((o) => o.value));
  switch (q.kind) {
    case 'text': return typeof v === 'string' && v.length <= 20_000 ? null : { zh: '必须是文本（最多 20000 字）', en: 'must be text (at most 20,000 characters)' };
    case 'number': return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? null : { zh: '必须是非负数', en: 'must be a non-negative number' };
    case 'boolean': return typeof v === 'boolean' ? null : { zh: '必须是 true 或 false', en: 'must be true or false' };
    case 'choice': return typeof v === 'string' && opts.has(v) ? null : { zh: `必须是以下之一：${[...opts].join(', ')}`, en: `must be one of: ${[...opts].join(', ')}` };
    case 'multi': return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && opts.has(x)) ? null : { zh: `必须是以下选项的非空列表：${[...opts].join(', ')}`, en: `must be a non-empty list of: ${[...opts].join(', ')}` };
  }
}

const answered = (v: unknown) => v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '') && !(Array.isArray(v) && v.length === 0);

/** What keeps an assessment from being submitted: required answers, at least one risk source, mitigation above acceptable. */
export function submissionProblems(m: RiskMatrix, answers: Record<string, unknown>, sources: RiskSource[]): Array<{ field: string; zh: string; en: string }> {
  const out: Array<{ field: string; zh: string; en: string }> = [];
  for (const step of QUESTIONNAIRE) for (const q of step.questions) {
    if (q.required && !answered(answers[q.id])) out.push({ field: `answers.${q.id}`, zh: `未回答（${step.zh}：${q.zh}）`, en: `is not answered (${step.en}: ${q.en})` });
  }
  if (sources.length === 0) out.push({ field: 'risk_sources', zh: '至少识别一个风险源', en: 'must list at least one risk source' });
  sources.forEach((s, i) => {
    if (aboveAcceptable(m, s.level) && !answered(s.mitigation)) out.push({ field: `risk_sources[${i}].mitigation`, zh: '风险高于可接受水平，必须提出处置措施', en: 'is required: the risk is above the acceptable level' });
    if (!s.rights_impacts?.length) out.push({ field: `risk_sources[${i}].rights_impacts`, zh: '必须说明对个人权益的影响', en: 'must name the impact on individuals\' rights' });
  });
  return out;
}

/** Add whole years to a YYYY-MM-DD day (29 February goes to 28 February in a common year). */
export function addYears(day: string, years: number): string {
  const [y, mo, d] = day.split('-').map(Number);
  const last = new Date(Date.UTC(y + years, mo, 0)).getUTCDate();
  return `${String(y + years).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

export function addMonths(day: string, months: number): string {
  const [y, mo, d] = day.split('-').map(Number);
  const total = y * 12 + (mo - 1) + months;
  const ny = Math.floor(total / 12), nm = (total % 12) + 1;
  const last = new Date(Date.UTC(ny, nm, 0)).getUTCDate();
  return `${String(ny).padStart(4, '0')}-${String(nm).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** A completed (approved or rejected) assessment may be deleted only from its lock date on. */
export function deletionLocked(state: string, lockedUntil: string | null, today: string): boolean {
  if (state === 'draft') return false;
  if (state === 'submitted') return true;
  return !lockedUntil || today < lockedUntil;
}
