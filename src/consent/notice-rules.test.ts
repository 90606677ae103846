import { describe, expect, it } from 'vitest';
import type { NoticeSections } from './consent-types.js';
import { buildScope, changedPurposes, diffText, missingSections, scopeChanges } from './notice-rules.js';

const info = new Map([['customers.phone', { sensitive: false, category: 'basic' }], ['customers.id_number', { sensitive: true, category: 'identity' }]]);
const full = (over: Partial<NoticeSections> = {}): NoticeSections => ({
  handler: { name: '某某科技有限公司', contact: 'privacy@example.cn' },
  purposes: [{ purpose: 'marketing', manner: '短信推送', pi_categories: ['basic'], fields: ['customers.phone'], retention: '撤回同意后30日内删除' }],
  rights: '在“我的-隐私”中查阅、更正、删除，或发邮件至 privacy@example.cn', retention_end: '到期删除或匿名化',
  ...over,
});

describe('required sections (PIPL Art. 17, 23, 30, 39)', () => {
  it('accepts a complete notice and names each missing section with its article', () => {
    const s = full();
    expect(missingSections(['marketing'], s, buildScope(['marketing'], s, info))).toEqual([]);
    const noContact = full({ handler: { name: '某某科技有限公司' } });
    expect(missingSections(['marketing'], noContact, buildScope(['marketing'], noContact, info)).map((m) => [m.section, m.field, m.article])).toEqual([['handler_contact', 'sections.handler.contact', 'PIPL 17(1)(1)']]);
    const noRetention = full({ purposes: [{ purpose: 'marketing', manner: 'x', pi_categories: ['basic'] }] });
    expect(missingSections(['marketing'], noRetention, buildScope(['marketing'], noRetention, info)).map((m) => m.section)).toEqual(['retention:marketing']);
  });
  it('lists every base section when there are no sections at all', () => {
    expect(missingSections(['marketing'], undefined, buildScope(['marketing'], undefined, info)).map((m) => m.section)).toEqual(['handler_name', 'handler_contact', 'purpose:marketing', 'rights', 'retention_end']);
  });
  it('asks for necessity and impact when a declared field is sensitive (Art. 30)', () => {
    const s = full({ purposes: [{ purpose: 'marketing', manner: 'x', fields: ['customers.id_number'], retention: '1年' }] });
    const sc = buildScope(['marketing'], s, info);
    expect(sc.marketing.sensitive).toBe(true);
    expect(sc.marketing.categories).toEqual(['identity']);
    expect(missingSections(['marketing'], s, sc).map((m) => m.section)).toEqual(['sensitive_necessity', 'sensitive_impact']);
  });
  it('asks for the Art. 39 items of a foreign recipient and the Art. 23 items of another handler', () => {
    const s = full({ recipients: [{ kind: 'handler', name: '合作方', pi_categories: ['basic'] }, { kind: 'entrusted', name: 'Cloud SG', pi_categories: ['basic'], country: 'SG' }] });
    const m = missingSections(['marketing'], s, buildScope(['marketing'], s, info)).map((x) => x.section);
    expect(m).toEqual(['recipient_contact:0', 'recipient_manner:0', 'cross_border']);
    const cb = full({ cross_border: [{ recipient: 'Cloud SG', country: 'SG', pi_categories: ['basic'] }] });
    expect(missingSections(['marketing'], cb, buildScope(['marketing'], cb, info)).map((x) => x.section)).toEqual(['cb_contact:0', 'cb_manner:0', 'cb_rights:0']);
  });
});

describe('material change (PIPL Art. 14)', () => {
  const v = (s: NoticeSections, purposes = ['marketing']) => ({ purposes, scope: buildScope(purposes, s, info), structured: true });
  it('flags a purpose whose manner, PI types or recipients changed, not one whose retention changed', () => {
    const a = full();
    expect(changedPurposes(v(a), v(full({ purposes: [{ ...a.purposes![0], retention: '一年' }] })), false)).toEqual([]);
    expect(scopeChanges(v(a).scope.marketing, v(full({ purposes: [{ ...a.purposes![0], retention: '一年' }] })).scope.marketing)).toEqual({ material: [], other: ['retention'] });
    expect(changedPurposes(v(a), v(full({ purposes: [{ ...a.purposes![0], fields: ['customers.phone', 'customers.id_number'] }] })), false)).toEqual(['marketing']);
    expect(changedPurposes(v(a), v(full({ recipients: [{ kind: 'handler', name: 'X', contact: 'x', manner: 'x', pi_categories: ['basic'] }] })), false)).toEqual(['marketing']);
  });
  it('flags a dropped purpose; a text-only notice changes only when flagged', () => {
    const two = full({ purposes: [...full().purposes!, { purpose: 'analytics', manner: 'x', pi_categories: ['basic'], retention: 'x' }] });
    expect(changedPurposes(v(two, ['marketing', 'analytics']), v(full()), false)).toEqual(['analytics']);
    const text = (p: string[]) => ({ purposes: p, scope: buildScope(p, undefined, info), structured: false });
    expect(changedPurposes(text(['marketing']), text(['marketing']), false)).toEqual([]);
    expect(changedPurposes(text(['marketing']), text(['marketing']), true)).toEqual(['marketing']);
    expect(changedPurposes(null, text(['marketing']), true)).toEqual([]);
  });
});

describe('text diff', () => {
  it('refines a changed line to the characters that changed', () => {
    const d = diffText('第一条 我们收集手机号。\n第二条 不变。\n', '第一条 我们收集手机号和地址。\n第二条 不变。\n');
    expect(d.parts.filter((p) => p.op !== 'equal')).toEqual([{ op: 'insert', value: '和地址' }]);
    expect(d.parts.map((p) => p.value).join('')).toBe('第一条 我们收集手机号和地址。\n第二条 不变。\n');
    expect(d.inserted).toBe(3);
    expect(d.deleted).toBe(0);
  });
});
