import { describe, it, expect } from 'vitest';
import {
  ageBand, ageFromBirthDate, generaliseRegion, generaliseDate, truncatePostalCode, HIERARCHIES,
  kAnonymity, enforceKAnonymity, createPrivacyBudget, laplaceCount, laplaceSum, laplaceNoise, PrivacyBudgetError,
} from './index.js';

describe('generalisation', () => {
  const today = new Date(Date.UTC(2025, 5, 1));
  it('ages and bands', () => {
    expect(ageFromBirthDate('1990-06-02', today)).toBe(34);
    expect(ageFromBirthDate('1990年6月1日', today)).toBe(35);
    expect(ageBand('1990-06-02', 10, today)).toBe('30-39');
    expect(ageBand(42, 5)).toBe('40-44');
    expect(ageBand(85)).toBe('80+');
    expect(ageBand('garbage')).toBe('*');
  });
  it('regions from codes, ID numbers and addresses', () => {
    expect(generaliseRegion('330106')).toBe('浙江省');
    expect(generaliseRegion('330106', 'city')).toBe('浙江省杭州市');
    expect(generaliseRegion('11010119900307451X', 'city')).toBe('北京市');
    expect(generaliseRegion('浙江省杭州市西湖区文三路88号', 'city')).toBe('浙江省杭州市');
    expect(generaliseRegion('广东深圳南山区', 'province')).toBe('广东省');
    expect(generaliseRegion('火星')).toBe('*');
  });
  it('dates and postal codes', () => {
    expect(generaliseDate('1990-05-12')).toBe('1990');
    expect(generaliseDate('1990年5月12日', 'month')).toBe('1990-05');
    expect(truncatePostalCode('100080')).toBe('10****');
    expect(truncatePostalCode('100080', 4)).toBe('1000**');
  });
});

describe('k-anonymity', () => {
  const rows = [
    { age: '31', region: '330106', d: 'a' }, { age: '33', region: '330102', d: 'b' }, { age: '35', region: '330105', d: 'c' },
    { age: '38', region: '330106', d: 'd' }, { age: '52', region: '110101', d: 'e' },
  ];
  it('reports the smallest class and the violating rows', () => {
    const r = kAnonymity(rows, ['age', 'region'], 2);
    expect(r).toMatchObject({ satisfied: false, smallestClass: 1, classes: 5 });
    expect(r.violatingRows).toEqual([0, 1, 2, 3, 4]);
  });
  it('enforces by generalising, then suppressing what is left', () => {
    const res = enforceKAnonymity(rows, ['age', 'region'], 2, { hierarchies: { age: HIERARCHIES.age, region: HIERARCHIES.region }, maxSuppression: 0.2 });
    expect(res.report.satisfied).toBe(true);
    expect(res.report.smallestClass).toBeGreaterThanOrEqual(2);
    expect(res.suppressed).toBe(1);
    expect(res.suppressedRows).toEqual([4]);
    expect(res.rows.map((r) => r.d)).toEqual(['a', 'b', 'c', 'd']);
    expect(rows[0].age).toBe('31'); // input untouched
  });
});

describe('differential privacy', () => {
  it('refuses queries once the budget is spent', () => {
    const b = createPrivacyBudget(1);
    laplaceCount(100, { epsilon: 0.5, budget: b });
    laplaceSum([1, 2, 3], { epsilon: 0.5, budget: b, lower: 0, upper: 10 });
    expect(b.remaining()).toBeCloseTo(0);
    expect(() => laplaceCount(100, { epsilon: 0.1, budget: b })).toThrow(PrivacyBudgetError);
    expect(b.ledger().length).toBe(2);
    const restored = createPrivacyBudget(1, b.ledger());
    expect(restored.canSpend(0.01)).toBe(false);
  });
  it('noise is centred with scale 1/epsilon', () => {
    const xs = Array.from({ length: 20000 }, () => laplaceNoise(2));
    const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
    const mad = xs.reduce((a, x) => a + Math.abs(x), 0) / xs.length; // E|X| = b
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(mad).toBeGreaterThan(1.85);
    expect(mad).toBeLessThan(2.15);
    const b = createPrivacyBudget(100);
    const c = laplaceCount(Array(1000).fill(0), { epsilon: 10, budget: b });
    expect(Math.abs(c - 1000)).toBeLessThan(5);
  });
});
