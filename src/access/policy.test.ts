import { describe, expect, it } from 'vitest';
import { decideGrant } from './policy.js';
import type { Grant } from './access-types.js';

const cs: Grant = { collection: 'customers', fields: ['name', 'phone'], actions: ['read', 'search'], purposes: ['customer_service'], view: 'masked' };
const acct: Grant = { collection: 'customers', fields: ['phone'], actions: ['read'], purposes: ['customer_service'], view: 'plain' };

describe('decideGrant', () => {
  it('denies by default', () => {
    expect(decideGrant([], { action: 'read', collection: 'customers', purpose: 'customer_service', fields: ['name'] })).toMatchObject({ allowed: false, rule: 'no_grant_for_action' });
  });
  it('names the rule that refused: purpose, then fields', () => {
    expect(decideGrant([cs], { action: 'read', collection: 'customers', purpose: 'marketing', fields: ['name'] })).toMatchObject({ allowed: false, rule: 'purpose_not_granted' });
    expect(decideGrant([cs], { action: 'read', collection: 'customers', purpose: 'customer_service', fields: ['name', 'id_number'] })).toMatchObject({ allowed: false, rule: 'field_not_granted', fields: ['id_number'] });
    expect(decideGrant([cs], { action: 'erase', collection: 'customers', purpose: 'customer_service', fields: ['name'] })).toMatchObject({ allowed: false, rule: 'no_grant_for_action' });
  });
  it('gives plain when any covering grant is plain', () => {
    const d = decideGrant([cs, acct], { action: 'read', collection: 'customers', purpose: 'customer_service', fields: ['name', 'phone'] });
    expect(d).toEqual({ allowed: true, fields: [{ field: 'name', view: 'masked' }, { field: 'phone', view: 'plain' }] });
  });
});
