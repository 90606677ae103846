import { describe, expect, it } from 'vitest';
import { defaultRuleSet, evaluate, networkOf, type ActorState, type AuditLite, type EvalContext } from './anomaly-rules.js';

const T0 = Date.parse('2025-06-03T02:00:00Z'); // a Tuesday, 10:00 in Beijing
const MIN = 60_000;
let seq = 0;
function ev(p: Partial<AuditLite> & { at: number }): AuditLite {
  seq += 1;
  return { seq, actorType: 'staff', actorId: 'stf_a', action: 'record.read', decision: 'allow', subjectId: `sub_${seq}`, collection: 'customers', fields: ['name'], clientIp: '10.1.2.3', records: null, ...p };
}
let ids = 0;
function ctx(over: Partial<EvalContext> = {}): EvalContext {
  return { rules: defaultRuleSet(), sensitive: (_c, f) => Boolean(f?.includes('id_number')), workingTime: () => true, newId: () => `alr_${++ids}`, ...over };
}

describe('anomaly rules', () => {
  it('bulk read: 100 distinct subjects within 10 minutes raise one alert that later reads extend', () => {
    const states = new Map<string, ActorState>();
    const first = evaluate(Array.from({ length: 99 }, (_, i) => ev({ at: T0 + i * 1000 })), states, ctx());
    expect(first.hits).toHaveLength(0);
    const second = evaluate([ev({ at: T0 + 100_000 })], states, ctx());
    expect(second.hits).toHaveLength(1);
    const h = second.hits[0];
    expect(h).toMatchObject({ rule: 'bulk_read', isNew: true, actorId: 'stf_a', count: 100, severity: 'high' });
    expect(h.evidence).toHaveLength(100);
    const third = evaluate(Array.from({ length: 5 }, (_, i) => ev({ at: T0 + 101_000 + i })), states, ctx());
    expect(third.hits).toHaveLength(1);
    expect(third.hits[0]).toMatchObject({ id: h.id, isNew: false, count: 5 });
  });

  it('bulk read: the same subject read again, or reads spread wider than the window, do not count', () => {
    const states = new Map<string, ActorState>();
    const same = Array.from({ length: 300 }, (_, i) => ev({ at: T0 + i * 1000, subjectId: `sub_${i % 50}` }));
    expect(evaluate(same, states, ctx()).hits).toHaveLength(0);
    const slow = Array.from({ length: 150 }, (_, i) => ev({ actorId: 'stf_b', at: T0 + i * 7 * MIN }));
    expect(evaluate(slow, states, ctx()).hits).toHaveLength(0);
  });

  it('off hours: staff reads outside working time alert, API keys and working time do not', () => {
    const states = new Map<string, ActorState>();
    const c = ctx({ workingTime: (at) => at < T0 + 12 * 60 * MIN });
    expect(evaluate([ev({ at: T0 })], states, c).hits).toHaveLength(0);
    const late = evaluate([ev({ at: T0 + 13 * 60 * MIN }), ev({ at: T0 + 13 * 60 * MIN + 1000 })], states, c);
    expect(late.hits).toHaveLength(1);
    expect(late.hits[0]).toMatchObject({ rule: 'off_hours', count: 2 });
    expect(evaluate([ev({ at: T0 + 13 * 60 * MIN, actorType: 'api_key', actorId: 'key_x' })], states, c).hits).toHaveLength(0);
  });

  it('refusal burst: 10 denials within 5 minutes', () => {
    const states = new Map<string, ActorState>();
    const out = evaluate(Array.from({ length: 10 }, (_, i) => ev({ at: T0 + i * 10_000, decision: 'deny', action: 'record.read' })), states, ctx());
    expect(out.hits.map((h) => h.rule)).toEqual(['refusal_burst']);
  });

  it('dormant account: activity after 30 idle days', () => {
    const states = new Map<string, ActorState>();
    evaluate([ev({ at: T0 })], states, ctx());
    expect(evaluate([ev({ at: T0 + 29 * 86_400_000 })], states, ctx()).hits).toHaveLength(0);
    const out = evaluate([ev({ at: T0 + 60 * 86_400_000 })], states, ctx());
    expect(out.hits[0]).toMatchObject({ rule: 'dormant_account', severity: 'high', summary: { idle_days: 31 } });
  });

  it('new network: an address outside every network the actor used, once it has a history', () => {
    const states = new Map<string, ActorState>();
    expect(evaluate(Array.from({ length: 25 }, (_, i) => ev({ at: T0 + i * MIN, subjectId: 'sub_same' })), states, ctx()).hits).toHaveLength(0);
    expect(evaluate([ev({ at: T0 + 30 * MIN, clientIp: '10.1.2.200', subjectId: 'sub_same' })], states, ctx()).hits).toHaveLength(0);
    const out = evaluate([ev({ at: T0 + 31 * MIN, clientIp: '198.51.100.7', subjectId: 'sub_same' })], states, ctx());
    expect(out.hits[0]).toMatchObject({ rule: 'new_network', summary: { network: '198.51.100.0/24' } });
    expect(evaluate([ev({ at: T0 + 32 * MIN, clientIp: '198.51.100.8', subjectId: 'sub_same' })], states, ctx()).hits).toHaveLength(0);
  });

  it('sensitive spike: far above the actor\'s own hourly baseline, not a fixed threshold', () => {
    const states = new Map<string, ActorState>();
    const H = 60 * MIN;
    const normal: AuditLite[] = [];
    // 30 working hours of 8–12 sensitive reads each: the baseline.
    for (let h = 0; h < 30; h++) for (let i = 0; i < 8 + (h % 5); i++) normal.push(ev({ at: T0 + h * H + i * 1000, fields: ['id_number'], subjectId: `sub_${h}_${i % 3}` }));
    expect(evaluate(normal, states, ctx()).hits.filter((x) => x.rule === 'sensitive_spike')).toHaveLength(0);
    const st = states.get('stf_a')!;
    expect(st.sens.n).toBe(29);
    expect(st.sens.mean).toBeGreaterThan(7);
    // An hour with 40 sensitive reads (spread over distinct subjects but under the bulk threshold).
    const spike = Array.from({ length: 40 }, (_, i) => ev({ at: T0 + 31 * H + i * 1000, fields: ['id_number'], subjectId: `sub_s${i % 20}` }));
    const out = evaluate(spike, states, ctx()).hits.filter((x) => x.rule === 'sensitive_spike');
    expect(out).toHaveLength(1);
    const s = out[0].summary as { threshold: number; baseline_mean: number };
    expect(s.threshold).toBeGreaterThanOrEqual(20);
    expect(s.threshold).toBeLessThan(40);
    // Another actor whose usual hour has 40 such reads is not alerted by the same 40.
    const busy = new Map<string, ActorState>();
    const heavy: AuditLite[] = [];
    for (let h = 0; h < 30; h++) for (let i = 0; i < 40; i++) heavy.push(ev({ actorId: 'stf_busy', at: T0 + h * H + i * 1000, fields: ['id_number'], subjectId: `sub_${i % 20}` }));
    heavy.push(...Array.from({ length: 40 }, (_, i) => ev({ actorId: 'stf_busy', at: T0 + 31 * H + i * 1000, fields: ['id_number'], subjectId: `sub_${i % 20}` })));
    expect(evaluate(heavy, busy, ctx()).hits.filter((x) => x.rule === 'sensitive_spike')).toHaveLength(0);
  });

  it('system actors, exempt actors and disabled rules are not alerted', () => {
    const rules = defaultRuleSet();
    rules.bulk_read.exempt = ['key_etl'];
    rules.refusal_burst.enabled = false;
    const evs = [
      ...Array.from({ length: 150 }, (_, i) => ev({ at: T0 + i, actorType: 'system', actorId: 'job:x' })),
      ...Array.from({ length: 150 }, (_, i) => ev({ at: T0 + i, actorType: 'api_key', actorId: 'key_etl' })),
      ...Array.from({ length: 20 }, (_, i) => ev({ at: T0 + i, decision: 'deny' })),
    ];
    expect(evaluate(evs, new Map(), ctx({ rules })).hits).toHaveLength(0);
  });

  it('networks: /24 for IPv4, /48 for IPv6, mapped addresses and loopback', () => {
    expect(networkOf('203.0.113.77')).toBe('203.0.113.0/24');
    expect(networkOf('::ffff:203.0.113.77')).toBe('203.0.113.0/24');
    expect(networkOf('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(networkOf('2001:db8::1')).toBe('2001:db8:0::/48');
    expect(networkOf('127.0.0.1')).toBe('loopback');
    expect(networkOf('::1')).toBe('loopback');
    expect(networkOf(null)).toBeNull();
    expect(networkOf('not-an-ip')).toBeNull();
  });
});
