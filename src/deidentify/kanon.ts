/** k-anonymity check and enforcement on quasi-identifiers. */
import type { Hierarchy } from './generalise.js';

export type Row = Record<string, unknown>;

export interface KAnonymityReport {
  k: number;
  satisfied: boolean;
  /** Size of the smallest equivalence class (0 for no rows). */
  smallestClass: number;
  classes: number;
  /** Indexes of rows in classes smaller than k. */
  violatingRows: number[];
}

function keyOf(r: Row, qis: string[]): string {
  return JSON.stringify(qis.map((q) => r[q] === undefined || r[q] === null ? '' : String(r[q])));
}

/** Equivalence classes over the quasi-identifiers and whether each has at least k rows. */
export function kAnonymity(rows: Row[], quasiIdentifiers: string[], k: number): KAnonymityReport {
  if (!Number.isInteger(k) || k < 1) throw new RangeError('k must be a positive integer');
  const groups = new Map<string, number[]>();
  rows.forEach((r, i) => { const key = keyOf(r, quasiIdentifiers); const g = groups.get(key); if (g) g.push(i); else groups.set(key, [i]); });
  let smallest = rows.length ? Infinity : 0;
  const violating: number[] = [];
  for (const g of groups.values()) { smallest = Math.min(smallest, g.length); if (g.length < k) violating.push(...g); }
  violating.sort((a, b) => a - b);
  return { k, satisfied: violating.length === 0, smallestClass: smallest, classes: groups.size, violatingRows: violating };
}

export interface EnforceOptions {
  /** Generalisation hierarchy per quasi-identifier (level 0 = original). Missing: ['as is', '*']. */
  hierarchies?: Record<string, Hierarchy>;
  /** Largest share of rows that may be suppressed instead of generalising further (default 0.05). */
  maxSuppression?: number;
}

export interface EnforceResult {
  rows: Row[];
  /** Generalisation level applied per quasi-identifier. */
  levels: Record<string, number>;
  /** Number of rows removed, and their indexes in the input. */
  suppressed: number;
  suppressedRows: number[];
  report: KAnonymityReport;
}

/**
 * Make rows k-anonymous: raise the generalisation level of the quasi-identifier with the most
 * distinct values, step by step, until the rows in classes smaller than k are few enough
 * (<= maxSuppression of all rows) to suppress. Returns new row objects; input is untouched.
 */
export function enforceKAnonymity(rows: Row[], quasiIdentifiers: string[], k: number, opts: EnforceOptions = {}): EnforceResult {
  const maxSup = opts.maxSuppression ?? 0.05;
  const hier: Record<string, Hierarchy> = {};
  for (const q of quasiIdentifiers) hier[q] = opts.hierarchies?.[q] ?? [(v: string) => v, () => '*'];
  const levels: Record<string, number> = Object.fromEntries(quasiIdentifiers.map((q) => [q, 0]));
  const apply = () => rows.map((r) => {
    const o: Row = { ...r };
    for (const q of quasiIdentifiers) o[q] = hier[q][levels[q]](r[q] === undefined || r[q] === null ? '' : String(r[q]));
    return o;
  });
  for (;;) {
    const cur = apply();
    const rep = kAnonymity(cur, quasiIdentifiers, k);
    const canRaise = quasiIdentifiers.filter((q) => levels[q] < hier[q].length - 1);
    if (rep.satisfied || rep.violatingRows.length <= Math.floor(rows.length * maxSup) || canRaise.length === 0) {
      const drop = new Set(rep.violatingRows);
      const kept = cur.filter((_, i) => !drop.has(i));
      return { rows: kept, levels: { ...levels }, suppressed: drop.size, suppressedRows: rep.violatingRows, report: kAnonymity(kept, quasiIdentifiers, k) };
    }
    // raise the QI with the most distinct values at its current level
    let best = canRaise[0], bestN = -1;
    for (const q of canRaise) { const n = new Set(cur.map((r) => String(r[q]))).size; if (n > bestN) { best = q; bestN = n; } }
    levels[best]++;
  }
}
