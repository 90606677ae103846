import { describe, expect, it } from 'vitest';
import { bucketDomain, bucketOf } from './analytics-service.js';
import { decodeSigned, encodeSigned } from './paillier-service.js';

describe('DP histogram buckets', () => {
  const today = new Date('2026-06-01T00:00:00Z');
  it('generalises each value into a bucket of a domain fixed in advance', () => {
    expect(bucketOf({ type: 'birth_date' }, '1990-05-01', undefined, today)).toBe('30-39');
    expect(bucketOf({ type: 'cn_id' }, '11010519491231002X', undefined, today)).toBe('北京市');
    expect(bucketOf({ type: 'address' }, '广东省深圳市南山区', undefined, today)).toBe('广东省');
    expect(bucketOf({ type: 'number' }, '15', [0, 10, 20], today)).toBe('[10,20)');
    expect(bucketOf({ type: 'number' }, '-1', [0, 10, 20], today)).toBe('<0');
    expect(bucketOf({ type: 'number' }, '20', [0, 10, 20], today)).toBe('>=20');
    for (const [t, v, bins] of [['birth_date', '2001-01-01', undefined], ['cn_id', '11010519491231002X', undefined], ['number', '5', [0, 10]], ['boolean', 'true', undefined]] as const) {
      expect(bucketDomain({ type: t }, bins as number[] | undefined)).toContain(bucketOf({ type: t }, v, bins as number[] | undefined, today));
    }
  });
});

describe('Paillier signed encoding', () => {
  it('round-trips negative values through Z_n', () => {
    const n = 1_000_003n;
    for (const v of [0n, 5n, -5n, 500_000n, -500_000n]) expect(decodeSigned(encodeSigned(v, n), n)).toBe(v);
  });
});
