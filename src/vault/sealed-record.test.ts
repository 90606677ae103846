import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { fieldAad, packFields, recordAadWriter, unpackFields } from './sealed-record.js';

describe('sealed record layout', () => {
  it('writes each field\'s associated data exactly as fieldAad does, for any field name', () => {
    const aad = recordAadWriter('ten_1', 'col_2', 'rec_3', 'sub_4');
    const names = ['phone', '手机号', 'x', 'a'.repeat(300), 'é'.repeat(200), 'name'];
    for (const f of names) expect(aad(f).equals(fieldAad('ten_1', 'col_2', 'rec_3', 'sub_4', f))).toBe(true);
    // Each call's bytes stand alone (the buffer is reused): a later, shorter field does not keep the earlier tail.
    expect(aad('a').toString()).toBe('field|ten_1|col_2|rec_3|sub_4|a|k1');
  });

  it('packs fields into one buffer and unpacks the same names and bytes', () => {
    const entries: Array<[string, Buffer]> = [['name', randomBytes(40)], ['手机号', randomBytes(45)], ['empty', Buffer.alloc(0)], ['x'.repeat(70), randomBytes(300)]];
    const packed = packFields(entries);
    expect(packed[0]).toBe(1);
    const back = unpackFields(packed);
    expect([...back.keys()]).toEqual(entries.map(([n]) => n));
    for (const [n, b] of entries) expect(back.get(n)!.equals(b)).toBe(true);
    expect(packed.length).toBe(1 + entries.reduce((s, [n, b]) => s + 6 + Buffer.byteLength(n) + b.length, 0));
  });
});
