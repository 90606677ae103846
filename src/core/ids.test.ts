import { describe, expect, it } from 'vitest';
import { looksLikeId, newId, idSql } from './ids.js';

/** Milliseconds since 1970 held by the first 12 hex digits of an id. */
const msOf = (id: string) => parseInt(id.slice(id.indexOf('_') + 1, id.indexOf('_') + 13), 16);

describe('ids', () => {
  it('are a prefix and a UUID version 7 in 32 hex digits, accepted as ids', () => {
    const id = newId('rec');
    expect(id).toMatch(/^rec_[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
    expect(looksLikeId(id)).toBe(true);
  });

  it('carry the time they were made, so later ids sort after earlier ones', async () => {
    const before = Date.now();
    const a = newId('sub');
    await new Promise((r) => setTimeout(r, 3));
    const b = newId('sub');
    expect(msOf(a)).toBeGreaterThanOrEqual(before);
    expect(msOf(b)).toBeLessThanOrEqual(Date.now());
    expect(b > a).toBe(true);
  });

  it('do not repeat, also within one millisecond (74 random bits each)', () => {
    const ids = Array.from({ length: 100_000 }, () => newId('evt'));
    expect(new Set(ids).size).toBe(ids.length);
    // the random part differs even where the millisecond is the same
    const sameMs = ids.filter((x) => msOf(x) === msOf(ids[0]));
    expect(new Set(sameMs.map((x) => x.slice(17))).size).toBe(sameMs.length);
  });

  it('refuses a prefix that could break out of the SQL it builds', () => {
    expect(() => idSql("evt'; drop table x; --")).toThrow();
    expect(idSql('evt')).toContain("'evt_'");
  });
});
