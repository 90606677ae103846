/** Differential privacy: Laplace mechanism for counts and sums, with a per-dataset epsilon budget. */
import { randomBytes } from 'node:crypto';

export class PrivacyBudgetError extends Error {
  readonly code = 'dp.budget_exhausted';
  readonly status = 403;
  readonly zh: string;
  readonly en: string;
  constructor(requested: number, remaining: number) {
    const zh = `隐私预算不足：本次需要 ε=${requested}，剩余 ε=${remaining}`;
    const en = `privacy budget exhausted: query needs epsilon=${requested}, remaining ${remaining}`;
    super(`${zh} / ${en}`);
    this.name = 'PrivacyBudgetError';
    this.zh = zh; this.en = en;
  }
}

export interface LedgerEntry { epsilon: number; label: string; at: string }

/** In-memory privacy budget of one dataset; persist `ledger()` / restore with `createPrivacyBudget(total, entries)`. */
export interface PrivacyBudget {
  readonly total: number;
  spent(): number;
  remaining(): number;
  /** True when a query of this epsilon still fits. */
  canSpend(epsilon: number): boolean;
  /** Record a spend, or throw PrivacyBudgetError (nothing recorded) when it does not fit. */
  spend(epsilon: number, label?: string): void;
  ledger(): LedgerEntry[];
}

export function createPrivacyBudget(epsilonTotal: number, entries: LedgerEntry[] = []): PrivacyBudget {
  if (!(epsilonTotal > 0) || !Number.isFinite(epsilonTotal)) throw new RangeError('epsilonTotal must be a positive number');
  const log: LedgerEntry[] = entries.map((e) => ({ ...e }));
  const spent = () => log.reduce((a, e) => a + e.epsilon, 0);
  const EPS = 1e-12;
  return {
    total: epsilonTotal,
    spent,
    remaining: () => Math.max(0, epsilonTotal - spent()),
    canSpend: (e) => e > 0 && spent() + e <= epsilonTotal + EPS,
    spend(e, label = '') {
      if (!(e > 0) || !Number.isFinite(e)) throw new RangeError('epsilon must be a positive number');
      if (spent() + e > epsilonTotal + EPS) throw new PrivacyBudgetError(e, Math.max(0, epsilonTotal - spent()));
      log.push({ epsilon: e, label, at: new Date().toISOString() });
    },
    ledger: () => log.map((x) => ({ ...x })),
  };
}

/** Uniform in the open interval (0, 1) from node:crypto (53 random bits). */
function uniform(): number {
  const b = randomBytes(8);
  const hi = b.readUInt32BE(0) >>> 5, lo = b.readUInt32BE(4) >>> 6;
  const u = (hi * 67108864 + lo) / 9007199254740992;
  return u === 0 ? Number.MIN_VALUE : u;
}

/** One draw of Laplace(0, scale) noise (inverse CDF on crypto randomness). */
export function laplaceNoise(scale: number): number {
  const u = uniform() - 0.5;
  return -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}

export interface DpOptions { epsilon: number; budget: PrivacyBudget; label?: string }

/** Noisy count (sensitivity 1): count + Laplace(1/epsilon). Spends epsilon from the budget first. */
export function laplaceCount(count: number | unknown[], opts: DpOptions): number {
  const n = Array.isArray(count) ? count.length : count;
  opts.budget.spend(opts.epsilon, opts.label ?? 'count');
  return n + laplaceNoise(1 / opts.epsilon);
}

/**
 * Noisy sum of values clamped to [lower, upper]: sensitivity max(|lower|, |upper|), noise
 * Laplace(sensitivity/epsilon). Spends epsilon from the budget first.
 */
export function laplaceSum(values: number[], opts: DpOptions & { lower: number; upper: number }): number {
  if (!(opts.upper >= opts.lower)) throw new RangeError('upper must be >= lower');
  opts.budget.spend(opts.epsilon, opts.label ?? 'sum');
  let s = 0;
  for (const v of values) s += Math.min(opts.upper, Math.max(opts.lower, Number(v) || 0));
  const sens = Math.max(Math.abs(opts.lower), Math.abs(opts.upper));
  return s + laplaceNoise(sens / opts.epsilon);
}
