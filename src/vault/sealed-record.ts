/**
 * A record's fields sealed one by one under the subject's data key, packed into one bytea:
 * [1][u16 name length][name][u32 sealed length][sealed]... The associated data of each field binds
 * tenant, collection, record, subject, field and key generation, so a ciphertext moved anywhere else fails.
 */
import type { PreparedKey, Suite } from '../crypto/suites.js';

const KEY_GENERATION = 1;
export const fieldAad = (tenantId: string, collectionId: string, recordId: string, subjectId: string, field: string) =>
  Buffer.from(`field|${tenantId}|${collectionId}|${recordId}|${subjectId}|${field}|k${KEY_GENERATION}`);

export function packFields(entries: Array<[string, Buffer]>): Buffer {
  const parts: Buffer[] = [Buffer.of(1)];
  for (const [name, sealed] of entries) {
    const n = Buffer.from(name);
    const h = Buffer.alloc(6 + n.length);
    h.writeUInt16BE(n.length, 0);
    n.copy(h, 2);
    h.writeUInt32BE(sealed.length, 2 + n.length);
    parts.push(h, sealed);
  }
  return Buffer.concat(parts);
}

export function unpackFields(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (buf[0] !== 1) throw new Error('unknown sealed record format');
  let o = 1;
  while (o < buf.length) {
    const nl = buf.readUInt16BE(o);
    const name = buf.toString('utf8', o + 2, o + 2 + nl);
    const sl = buf.readUInt32BE(o + 2 + nl);
    const start = o + 6 + nl;
    out.set(name, buf.subarray(start, start + sl));
    o = start + sl;
  }
  return out;
}

export function sealFields(suite: Suite, key: PreparedKey, aad: (field: string) => Buffer, values: Record<string, string>): Buffer {
  return packFields(Object.entries(values).map(([f, v]) => [f, suite.seal(key, Buffer.from(v, 'utf8'), aad(f))]));
}
