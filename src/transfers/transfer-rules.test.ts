import { describe, expect, it } from 'vitest';
import { DEFAULT_TRANSFER_RULES, requiredRoute, routeRefusal, volumeAlerts } from './transfer-rules.js';

const v = (non_sensitive: number, sensitive = 0) => ({ non_sensitive, sensitive });

describe('route engine thresholds (CAC 2024)', () => {
  it('non-sensitive: 99,999 exempt, 100,000 contract, 999,999 contract, 1,000,000 security assessment', () => {
    expect(requiredRoute(v(99_999))).toBe('none');
    expect(requiredRoute(v(100_000))).toBe('contract_or_certification');
    expect(requiredRoute(v(999_999))).toBe('contract_or_certification');
    expect(requiredRoute(v(1_000_000))).toBe('security_assessment');
  });
  it('sensitive: 1 to 9,999 contract, 10,000 security assessment', () => {
    expect(requiredRoute(v(0, 1))).toBe('contract_or_certification');
    expect(requiredRoute(v(0, 9_999))).toBe('contract_or_certification');
    expect(requiredRoute(v(0, 10_000))).toBe('security_assessment');
    expect(requiredRoute(v(50, 9_999))).toBe('contract_or_certification');
  });
  it('a CIIO always needs a security assessment', () => {
    expect(requiredRoute(v(1), { ...DEFAULT_TRANSFER_RULES, ciio: true })).toBe('security_assessment');
  });
  it('alerts at 80% of each threshold and when the route escalates', () => {
    expect(volumeAlerts(v(0), v(79_999))).toEqual([]);
    expect(volumeAlerts(v(0), v(80_000)).map((a) => [a.kind, a.threshold])).toEqual([['approaching', 100_000]]);
    expect(volumeAlerts(v(0), v(800_000)).map((a) => [a.kind, a.threshold])).toEqual([['approaching', 1_000_000], ['route_escalated', 100_000]]);
    expect(volumeAlerts(v(0, 7_999), v(0, 8_000)).map((a) => [a.kind, a.measure, a.threshold])).toEqual([['approaching', 'sensitive', 10_000]]);
    expect(volumeAlerts(v(0, 9_999), v(0, 10_000)).map((a) => [a.kind, a.route])).toEqual([['route_escalated', 'security_assessment']]);
    expect(volumeAlerts(v(99_999), v(100_000)).map((a) => a.kind)).toEqual(['route_escalated']);
  });
  it('checks the evidence of the route', () => {
    expect(routeRefusal('none', { route: 'exemption', exemption_ground: 'under_threshold' }, '2026-06-01', null)).toBeNull();
    expect(routeRefusal('contract_or_certification', { route: 'exemption', exemption_ground: 'under_threshold' }, '2026-06-01', null)?.rule).toBe('route_missing');
    expect(routeRefusal('security_assessment', { route: 'exemption', exemption_ground: 'cross_border_hr' }, '2026-06-01', null)).toBeNull();
    expect(routeRefusal('security_assessment', { route: 'standard_contract', contract_effective_date: '2026-01-01', filing_date: '2026-01-05' }, '2026-06-01', '2026-01-15')?.rule).toBe('route_missing');
    expect(routeRefusal('security_assessment', { route: 'security_assessment' }, '2026-06-01', null)?.rule).toBe('route_evidence_missing');
    expect(routeRefusal('security_assessment', { route: 'security_assessment', route_ref: 'CAC-2026-1' }, '2026-06-01', null)).toBeNull();
    expect(routeRefusal('contract_or_certification', { route: 'standard_contract', contract_effective_date: '2026-05-25' }, '2026-06-01', '2026-06-08')).toBeNull();
    expect(routeRefusal('contract_or_certification', { route: 'standard_contract', contract_effective_date: '2026-05-01' }, '2026-06-01', '2026-05-18')?.rule).toBe('standard_contract_not_filed');
    expect(routeRefusal('contract_or_certification', { route: 'certification' }, '2026-06-01', null)?.field).toBe('route_ref');
  });
});
