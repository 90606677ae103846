/**
 * A record's fields sealed one by one under the subject's data key, packed into one bytea:
 * [1][u16 name length][name][u32 sealed length][sealed]... The associated data of each field binds
 * tenant, collection, record, subject, field and key generation, so a ciphertext moved anywhere else fails.
 */
import type { PreparedKey, Suite } from '../crypto/suites.js';

const KEY_GENERATION = 1;
const aadPrefix = (tenantId: string, collectionId: string, recordId: string, subjectId: string) => `field|${tenantId}|${collectionId}|${recordId}|${subjectId}|`;
const AAD_SUFFIX = `|k${KEY_GENERATION}`;
export const fieldAad = (tenantId: string, collectionId: string, recordId: string, subjectId: string, field: string) =>
  Buffer.from(aadPrefix(tenantId, collectionId, recordId, subjectId) + field + AAD_SUFFIX);

/**
 * The associated data of each field of one record, written into one reusable buffer: `aad(field)` returns the same bytes
 * as fieldAad, valid until the next call (the ciphers copy it at once). A batch write seals thousands of fields; this
 * spares a string and a buffer per field.
 */
export function recordAadWriter(tenantId: string, collectionId: string, recordId: string, subjectId: string): (field: string) => Buffer {
  const prefix = aadPrefix(tenantId, collectionId, recordId, subjectId);
  let buf = Buffer.allocUnsafe(Buffer.byteLength(prefix) + 256);
  const at = buf.write(prefix);
  return (field) => {
    const need = at + Buffer.byteLength(field) + AAD_SUFFIX.length;
    if (need > buf.length) { const b = Buffer.allocUnsafe(need * 2); buf.copy(b, 0, 0, at); buf = b; }
    let end = at + buf.write(field, at);
    end += buf.write(AAD_SUFFIX, end);
    return buf.subarray(0, end);
  };
}

export function packFields(entries: Array<[string, Buffer]>): Buffer {
  let size = 1;
  for (const [name, sealed] of entries) size += 6 + Buffer.byteLength(name) + sealed.length;
  const out = Buffer.allocUnsafe(size);
  out[0] = 1;
  let o = 1;
  for (const [name, sealed] of entries) {
    const nl = out.write(name, o + 2);
    out.writeUInt16BE(nl, o);
    out.writeUInt32BE(sealed.length, o + 2 + nl);
    sealed.copy(out, o + 6 + nl);
    o += 6 + nl + sealed.length;
  }
  return out;
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
