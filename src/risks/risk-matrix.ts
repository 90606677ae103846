/** The likelihood x impact matrix shared by the risk register and impact assessments; configurable per tenant. */
import type { Tx } from '../db/connection.js';

export interface Scale { value: number; zh: string; en: string }
export interface LevelBand { level: string; zh: string; en: string; min_score: number }
/** Score = likelihood x impact; the level is the highest band whose min_score the score reaches. */
export interface RiskMatrix { likelihood: Scale[]; impact: Scale[]; levels: LevelBand[]; acceptable_level: string; review_months: number }

/** The default matrix: 4 x 4; bands low 1-3, medium 4-6, high 8-9, critical 12-16 (GB/T 39335 leaves the scales to the handler). */
export const DEFAULT_MATRIX: RiskMatrix = {
  likelihood: [
    { value: 1, zh: '很低', en: 'rare' }, { value: 2, zh: '低', en: 'unlikely' }, { value: 3, zh: '中', en: 'possible' }, { value: 4, zh: '高', en: 'likely' },
  ],
  impact: [
    { value: 1, zh: '低', en: 'low' }, { value: 2, zh: '中', en: 'medium' }, { value: 3, zh: '高', en: 'high' }, { value: 4, zh: '严重', en: 'severe' },
  ],
  levels: [
    { level: 'low', zh: '低', en: 'low', min_score: 1 }, { level: 'medium', zh: '中', en: 'medium', min_score: 4 },
    { level: 'high', zh: '高', en: 'high', min_score: 8 }, { level: 'critical', zh: '严重', en: 'critical', min_score: 12 },
  ],
  acceptable_level: 'low',
  review_months: 12,
};

/** Problems with a matrix (empty when valid): scales 1..n without gaps, bands ascending from 1, a known acceptable level. */
export function matrixProblems(m: RiskMatrix): Array<{ field: string; zh: string; en: string }> {
  const out: Array<{ field: string; zh: string; en: string }> = [];
  for (const axis of ['likelihood', 'impact'] as const) {
    const vals = m[axis].map((s) => s.value);
    if (vals.length < 2 || vals.some((v, i) => v !== i + 1)) out.push({ field: axis, zh: '必须是从 1 开始连续编号的等级（至少 2 级）', en: 'must be levels numbered 1, 2, … without gaps (at least 2)' });
  }
  const mins = m.levels.map((l) => l.min_score);
  if (m.levels.length < 2 || mins[0] !== 1 || mins.some((v, i) => i > 0 && v <= mins[i - 1])) out.push({ field: 'levels', zh: '必须从 min_score 1 开始且严格递增（至少 2 档）', en: 'must start at min_score 1 and strictly ascend (at least 2 bands)' });
  if (new Set(m.levels.map((l) => l.level)).size !== m.levels.length) out.push({ field: 'levels', zh: '等级名称不能重复', en: 'level names must be unique' });
  if (!m.levels.some((l) => l.level === m.acceptable_level)) out.push({ field: 'acceptable_level', zh: '不是矩阵中的等级', en: 'is not one of the levels' });
  return out;
}

export function levelOf(m: RiskMatrix, score: number): string {
  let level = m.levels[0].level;
  for (const b of m.levels) if (score >= b.min_score) level = b.level;
  return level;
}

/** Rank of a level in the matrix (0 = lowest); -1 when unknown. */
export function levelRank(m: RiskMatrix, level: string | null | undefined): number {
  return m.levels.findIndex((l) => l.level === level);
}

export function aboveAcceptable(m: RiskMatrix, level: string): boolean {
  return levelRank(m, level) > levelRank(m, m.acceptable_level);
}

/** Out-of-range likelihood or impact for this matrix, as a reason (null when fine). */
export function scaleProblem(m: RiskMatrix, axis: 'likelihood' | 'impact', v: number): { zh: string; en: string } | null {
  return Number.isInteger(v) && v >= 1 && v <= m[axis].length ? null : { zh: `必须是 1 到 ${m[axis].length} 的整数`, en: `must be an integer from 1 to ${m[axis].length}` };
}

/** The tenant's matrix, else the default. */
export async function loadMatrix(tx: Tx, tenantId: string): Promise<RiskMatrix> {
  const row = await tx.selectFrom('compliance_settings').select('risk_matrix').where('tenant_id', '=', tenantId).executeTakeFirst();
  return (row?.risk_matrix as RiskMatrix | null) ?? DEFAULT_MATRIX;
}
