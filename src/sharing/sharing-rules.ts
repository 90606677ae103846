/** Pure rules of third parties and sharing: screening, contract validity, allowed fields, deadlines. */

export const THIRD_PARTY_KINDS = ['entrusted', 'handler', 'joint'] as const;
export type ThirdPartyKind = (typeof THIRD_PARTY_KINDS)[number];
export const SCREENING_RESULTS = ['passed', 'conditional', 'failed'] as const;
export type ScreeningResult = (typeof SCREENING_RESULTS)[number];
export const END_OF_TERM = ['return', 'delete', 'return_and_delete'] as const;

/** Screening questionnaire for a processor or recipient (PIPL Art. 21: the handler supervises the processor). */
export const SCREENING_QUESTIONS: Array<{ id: string; zh: string; en: string; must: boolean }> = [
  { id: 'legal_entity', zh: '具有合法经营资质（营业执照、统一社会信用代码）', en: 'Lawfully registered (business licence, USCC)', must: true },
  { id: 'security_certification', zh: '通过网络安全等级保护测评或 ISO/IEC 27001 等认证', en: 'MLPS (等保) evaluation or ISO/IEC 27001 certification', must: false },
  { id: 'pi_officer', zh: '设有个人信息保护负责人或专门机构', en: 'Has a PI protection officer or team', must: false },
  { id: 'encryption', zh: '对个人信息传输和存储加密', en: 'Encrypts PI in transit and at rest', must: true },
  { id: 'access_control', zh: '最小授权的访问控制与操作日志', en: 'Least-privilege access control and operation logs', must: true },
  { id: 'no_incidents', zh: '近三年无重大个人信息安全事件或行政处罚', en: 'No major PI incident or penalty in the last three years', must: false },
  { id: 'no_sub_entrusting', zh: '未经同意不转委托他人处理', en: 'Does not sub-entrust without consent', must: true },
  { id: 'deletion_capability', zh: '合同结束时能够返还或删除个人信息并出具证明', en: 'Can return or delete the PI at the end and prove it', must: true },
  { id: 'data_location', zh: '个人信息存储于境内（如在境外须走出境程序）', en: 'Stores PI in China (else the cross-border route applies)', must: false },
  { id: 'training', zh: '员工接受个人信息保护培训', en: 'Staff are trained in PI protection', must: false },
];

/** The result the answers suggest: failed when a must-have is not met, conditional when another is not, else passed. */
export function suggestedScreening(answers: Record<string, boolean>): ScreeningResult {
  if (SCREENING_QUESTIONS.some((q) => q.must && answers[q.id] !== true)) return 'failed';
  if (SCREENING_QUESTIONS.some((q) => answers[q.id] !== true)) return 'conditional';
  return 'passed';
}

/** Why a contract does not allow a share today (null when it does). */
export function contractRefusal(c: { state: string; start_date: string; end_date: string }, today: string): { rule: string; zh: string; en: string } | null {
  if (c.state !== 'active') return { rule: 'contract_ended', zh: '合同已终止', en: 'the contract has ended' };
  if (today < c.start_date) return { rule: 'contract_not_started', zh: `合同尚未生效（${c.start_date} 起）`, en: `the contract starts on ${c.start_date}` };
  if (today > c.end_date) return { rule: 'contract_expired', zh: `合同已于 ${c.end_date} 到期`, en: `the contract expired on ${c.end_date}` };
  return null;
}

export interface PiScope { collection: string; fields: string[] }

/** Fields of a collection the contract's PI types allow ('*' allows all of that collection). */
export function contractFields(scope: PiScope[], collection: string): Set<string> | '*' {
  const s = scope.filter((p) => p.collection === collection);
  if (s.some((p) => p.fields.includes('*'))) return '*';
  return new Set(s.flatMap((p) => p.fields));
}

/** Fields outside what is allowed. */
export function fieldsOutside(asked: string[], allowed: Set<string> | '*' | string[]): string[] {
  if (allowed === '*') return [];
  const set = Array.isArray(allowed) ? new Set(allowed) : allowed;
  return asked.filter((f) => !set.has(f));
}

/** Flag of a contract on a day: deletion overdue, expired (still active), expiring within `warnDays`, or none. */
export function contractFlag(c: { state: string; end_date: string; deletion_due: string | null; deletion_confirmed: boolean }, today: string, soon: string): string | null {
  if (c.state === 'ended') return c.deletion_due && !c.deletion_confirmed && c.deletion_due < today ? 'deletion_overdue' : c.deletion_confirmed ? null : 'deletion_pending';
  if (c.end_date < today) return 'expired';
  if (c.end_date <= soon) return 'expiring';
  return null;
}
