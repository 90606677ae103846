/** Pure rules of the request workflow: allowed transitions and what each needs. */
import { OPEN_STATES, type RequestState } from './rights-types.js';

const NEXT: Record<RequestState, RequestState[]> = {
  received: ['verifying', 'rejected'],
  verifying: ['in_progress', 'rejected'],
  in_progress: ['completed', 'rejected'],
  completed: [],
  rejected: [],
};

export function canTransition(from: RequestState, to: RequestState): boolean { return NEXT[from].includes(to); }
export function isOpen(state: string): boolean { return (OPEN_STATES as string[]).includes(state); }
export function allowedNext(from: RequestState): RequestState[] { return NEXT[from]; }

/** Prefix a spreadsheet formula trigger so a CSV opened in Excel/WPS shows text, never runs it. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
