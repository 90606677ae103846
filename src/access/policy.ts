/**
 * The grant decision (design decision 5, first half): deny by default; a role of the caller must grant
 * the action on every asked field of the collection for the declared purpose. Plain wins over masked
 * when two grants cover a field. Legal basis, training and restriction are checked by the access service.
 */
import type { Decision, FieldDecision, Grant, PiAction } from './access-types.js';

const covers = (list: string[], v: string) => list.includes('*') || list.includes(v);

export function decideGrant(grants: Grant[], req: { action: PiAction; collection: string; purpose: string | null; fields: string[] }): Decision {
  const forAction = grants.filter((g) => g.actions.includes(req.action) && covers([g.collection], req.collection));
  if (forAction.length === 0) {
    return { allowed: false, rule: 'no_grant_for_action', zh: `没有对集合 ${req.collection} 执行 ${req.action} 的授权`, en: `no grant allows ${req.action} on collection ${req.collection}` };
  }
  // A write or change declares no purpose: any grant of the action suffices.
  const forPurpose = req.purpose === null ? forAction : forAction.filter((g) => covers(g.purposes, req.purpose as string));
  if (forPurpose.length === 0) {
    return { allowed: false, rule: 'purpose_not_granted', zh: `角色未被授权为目的 ${req.purpose} 处理`, en: `no grant covers purpose ${req.purpose}` };
  }
  const fields: FieldDecision[] = [];
  const outside: string[] = [];
  for (const f of req.fields) {
    const gs = forPurpose.filter((g) => covers(g.fields, f));
    if (gs.length === 0) outside.push(f);
    else fields.push({ field: f, view: gs.some((g) => g.view === 'plain') ? 'plain' : 'masked' });
  }
  if (outside.length > 0) {
    return { allowed: false, rule: 'field_not_granted', zh: `字段不在授权范围内：${outside.join(', ')}`, en: `fields outside the grant: ${outside.join(', ')}`, fields: outside };
  }
  return { allowed: true, fields };
}

/** The fields a grant set lets the caller see, when the caller did not name fields. */
export function grantedFields(grants: Grant[], req: { action: PiAction; collection: string; purpose: string; all: string[] }): string[] {
  return req.all.filter((f) => grants.some((g) => g.actions.includes(req.action) && covers([g.collection], req.collection) && covers(g.purposes, req.purpose) && covers(g.fields, f)));
}
