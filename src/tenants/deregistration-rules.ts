/**
 * Rules of enterprise deregistration (企业注销): the states and who may move it on. Two people: the
 * approver (supervisor, a signed-in staff member holding `deregistration.approve`) is never the one who
 * requested it nor the one who executes it.
 */
export type DeregistrationState = 'requested' | 'approved' | 'destroyed' | 'cancelled';
export type DeregistrationStep = 'approve' | 'notice' | 'execute' | 'cancel';

const FROM: Record<DeregistrationStep, DeregistrationState[]> = {
  approve: ['requested'],
  notice: ['approved'],
  execute: ['approved'],
  cancel: ['requested', 'approved'],
};

export function canTake(step: DeregistrationStep, state: DeregistrationState): boolean {
  return FROM[step].includes(state);
}

export interface People { requestedBy: string; approvedBy?: string | null }

/** Why this actor may not take the step (two-person rule), or null. */
export function separationRefusal(step: 'approve' | 'execute', actor: { id: string; type: string }, people: People): { zh: string; en: string } | null {
  if (step === 'approve') {
    if (actor.type !== 'staff') return { zh: '审批须由登录的员工本人进行', en: 'approval must be given by a signed-in staff member' };
    if (actor.id === people.requestedBy) return { zh: '申请人不能审批自己的注销申请（双人规则）', en: 'the requester cannot approve their own request (two-person rule)' };
  }
  if (step === 'execute' && people.approvedBy && actor.id === people.approvedBy) {
    return { zh: '监督人（审批人）不能同时执行销毁（双人规则）', en: 'the supervisor who approved cannot also execute the destruction (two-person rule)' };
  }
  return null;
}

/** The method statement printed on every certificate. */
export const DESTRUCTION_METHOD = {
  name: 'crypto-shredding',
  zh: '加密擦除：销毁租户的全部密钥加密密钥（KEK）各版本与盲索引密钥，以及各备份中封装这些密钥所用的租户备份密钥（保存在备份之外），使每个个人数据密钥及其加密的全部字段（在线数据、副本与备份，即使持有根密钥）无法解密；随后删除全部记录与盲索引条目，并将租户写入删除台账，任何备份恢复时都会重放。',
  en: 'Crypto-shredding: every version of the tenant key-encryption key (KEK) and the blind-index key are destroyed, with the tenant backup keys (kept outside backups) under which every backup sealed them, so no subject data key, and no field sealed under one (live rows, replicas and backups, even with the root key), can be decrypted; then every record and blind-index entry is deleted and the tenant is written to the erasure ledger, which every backup restore replays.',
};
