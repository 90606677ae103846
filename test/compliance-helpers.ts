/** Small factories shared by the issue-10 tests (assessments, sharing, transfers, complaints). */
import { expect } from 'vitest';
import type { Harness } from './harness.js';

/** A key holding only the given permissions (no PI grants). */
export async function keyWith(h: Harness, role: string, permissions: string[]) {
  expect((await h.api('POST', '/api/v1/roles', { name: role, grants: [], permissions })).status).toBe(201);
  const k = await h.api('POST', '/api/v1/api-keys', { name: role, roles: [role] });
  expect(k.status).toBe(201);
  return k.body.api_key as string;
}

export const COMPLETE_ANSWERS = {
  purpose: '向境外母公司提供会员信息用于全球会员积分', legal_basis: 'consent', necessity: '积分在全球通用，必须共享会员标识与手机号', minimisation: '仅手机号和会员号，保存一年',
  team: '法务部、信息安全部', scope: '会员系统', subjects_count: 50000, lifecycle: ['collect', 'store', 'provide'], systems: '会员系统（上海机房）', retention: '一年后删除',
  pi_types: '姓名、手机号', existing_measures: '字段级加密、访问控制、审计', impact_summary: '泄露可能导致骚扰电话', treatment_plan: '传输前加密，合同约束境外接收方', conclusion: '在落实处置措施后可以开展',
};
export const LOW_RISK = [{ category: 'network_environment', description: '传输链路被窃听', rights_impacts: ['person_property'], likelihood: 1, impact: 3, mitigation: '端到端加密' }];

/** An approved impact assessment for an activity (the owner key holds every permission). */
export async function approvedAssessment(h: Harness, activity: string, triggers: string[]): Promise<string> {
  const c = await h.api('POST', '/api/v1/assessments', { title: `${activity} 评估`, activity, triggers });
  expect(c.status).toBe(201);
  expect((await h.api('PATCH', `/api/v1/assessments/${c.body.id}`, { answers: COMPLETE_ANSWERS, risk_sources: LOW_RISK })).status).toBe(200);
  expect((await h.api('POST', `/api/v1/assessments/${c.body.id}/submit`)).status).toBe(200);
  const d = await h.api('POST', `/api/v1/assessments/${c.body.id}/decision`, { decision: 'approve', note: '同意' });
  expect(d.status).toBe(200);
  return c.body.id as string;
}
