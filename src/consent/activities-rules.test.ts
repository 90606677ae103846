import { describe, expect, it } from 'vitest';
import type { FieldDef } from '../vault/index.js';
import type { ActivityInput } from './consent-types.js';
import { changedKeys, missingForActivation, normaliseEntry, resolveActivity } from './activities-rules.js';

const collections = new Map<string, FieldDef[]>([['customers', [
  { name: 'name', type: 'person_name', category: 'basic', sensitive: false, searchable: false },
  { name: 'phone', type: 'mobile', category: 'basic', sensitive: false, searchable: true },
  { name: 'id_number', type: 'cn_id', category: 'identity', sensitive: true, searchable: true },
]]]);
const purposes = new Map([['customer_service', { legal_basis: 'contract', automated_decision: false }], ['scoring', { legal_basis: 'contract', automated_decision: true }], ['marketing', { legal_basis: 'consent', automated_decision: false }]]);
const base: ActivityInput = { name: '客户服务', purposes: ['customer_service'], legal_basis: 'contract', data: [{ collection: 'customers', fields: ['name', 'phone'] }] };

describe('processing activity rules', () => {
  it('resolves fields against the collections and computes no trigger for plain PI', () => {
    const r = resolveActivity(base, collections, purposes);
    expect(r.problems).toEqual([]);
    expect(r.computed.fields.map((f) => f.field)).toEqual(['name', 'phone']);
    expect(r.computed.categories).toEqual(['basic']);
    expect(Object.values(r.triggers).some(Boolean)).toBe(false);
  });
  it('computes every PIPL Art. 55 trigger from what the entry says', () => {
    const r = resolveActivity({ ...base, purposes: ['customer_service', 'scoring'], data: [{ collection: 'customers', fields: ['*'] }],
      recipients: [{ name: '云服务商', kind: 'entrusted' }, { name: '合作银行', kind: 'handler' }, { name: '海外总部', kind: 'joint', country: 'US' }], operations: ['disclose'] }, collections, purposes);
    expect(r.problems).toEqual([]);
    expect(r.triggers).toEqual({ sensitive_pi: true, automated_decision: true, entrusting: true, provision_to_others: true, public_disclosure: true, cross_border: true });
    expect(r.computed.sensitive_fields).toEqual(['customers.id_number']);
    expect(r.computed.cross_border_countries).toEqual(['US']);
    expect(resolveActivity({ ...base, subject_categories: ['minors_under_14'] }, collections, purposes).triggers.sensitive_pi).toBe(true);
  });
  it('names unknown collections, fields and purposes, and a legal basis that differs from the purpose\'s', () => {
    const r = resolveActivity({ ...base, purposes: ['customer_service', 'marketing', 'nosuch'], data: [{ collection: 'customers', fields: ['name', 'nosuch'] }, { collection: 'orders', fields: ['x'] }] }, collections, purposes);
    expect(r.problems.map((p) => p.field)).toEqual(['purposes[1]', 'purposes[2]', 'data[0].fields[1]', 'data[1].collection']);
  });
  it('lists what activation needs, including the export route and recipient contracts', () => {
    expect(missingForActivation(base).map((p) => p.field)).toEqual(['subject_categories', 'operations', 'retention.period', 'security_measures', 'department', 'owner']);
    const e = { ...base, subject_categories: ['customers'], operations: ['collect'], retention: { period: '3年' }, security_measures: ['encryption'], department: '客服部', owner: '李四',
      cross_border: { countries: ['SG'] }, recipients: [{ name: 'X', kind: 'entrusted' as const }] };
    expect(missingForActivation(e).map((p) => p.field)).toEqual(['cross_border.mechanism', 'recipients[0].contract_ref']);
  });
  it('normalises entries and names changed keys', () => {
    const n = normaliseEntry({ ...base, description: '  ', owner: ' 李四 ' } as ActivityInput);
    expect(n).not.toHaveProperty('description');
    expect(n.owner).toBe('李四');
    expect(changedKeys(n, { ...n, owner: '王五', purposes: ['customer_service'] })).toEqual(['owner']);
  });
});
