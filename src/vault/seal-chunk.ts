/**
 * The cryptographic part of a batch write for one chunk of records: a data key for each new subject (wrapped under the
 * tenant's current KEK), each field sealed under its subject's key with its own associated data, and the blind index of
 * each searchable field. Pure and synchronous: the same function runs in-process for small writes and in a worker thread
 * for large ones (seal-pool.ts), so both paths write the same bytes. Results are packed (one buffer and the lengths) so
 * they cross between threads as a few copies, not thousands of small buffers, and go to byteaColumnPacked as they are.
 */
import { randomBytes } from 'node:crypto';
import { suiteFor, type PreparedKey, type SuiteId } from '../crypto/suites.js';
import { subjectAad } from '../crypto/keyring.js';
import { packFields, recordAadWriter } from './sealed-record.js';

export interface SealJob {
  suite: SuiteId;
  tenantId: string;
  collectionId: string;
  /** The tenant's current KEK: wraps the data key of each new subject. */
  kek: PreparedKey;
  ids: string[];
  subjects: string[];
  /** The data key of an existing subject, or null for a new subject (a key is made here and wrapped). */
  keys: Array<PreparedKey | null>;
  /** Normalised values per record. */
  values: Array<Record<string, string>>;
  /** HMAC key of each searchable field's blind index. */
  indexKeys: Record<string, Uint8Array>;
}

export interface Packed { blob: Buffer; lengths: number[] }

export interface SealedChunk {
  /** New subjects in record order, and their wrapped data keys. */
  fresh: string[];
  wrapped: Packed;
  /** One sealed body per record, in record order. */
  sealed: Packed;
  /** Blind-index rows: hash, field and record of each. */
  hashes: Packed;
  hashField: string[];
  hashRecord: string[];
}

function pack(values: readonly Buffer[]): Packed {
  return { blob: Buffer.concat(values as Buffer[]), lengths: values.map((v) => v.length) };
}

export function sealChunk(job: SealJob): SealedChunk {
  const suite = suiteFor(job.suite);
  const n = job.ids.length;
  const newCount = job.keys.reduce((c, k) => c + (k ? 0 : 1), 0);
  const raw = newCount ? randomBytes(32 * newCount) : Buffer.alloc(0);
  const fresh: string[] = [], wrapped: Buffer[] = [], sealed: Buffer[] = [];
  const hashes: Buffer[] = [], hashField: string[] = [], hashRecord: string[] = [];
  let k = 0;
  for (let i = 0; i < n; i++) {
    const id = job.ids[i], subjectId = job.subjects[i];
    let key = job.keys[i];
    if (!key) {
      const r = raw.subarray(k * 32, k * 32 + 32);
      k++;
      key = suite.prepare(Buffer.from(r));
      fresh.push(subjectId);
      wrapped.push(suite.seal(job.kek, r, subjectAad(job.tenantId, subjectId)));
    }
    const entries: Array<[string, Buffer]> = [];
    const aad = recordAadWriter(job.tenantId, job.collectionId, id, subjectId);
    for (const [f, v] of Object.entries(job.values[i])) {
      entries.push([f, suite.seal(key, Buffer.from(v, 'utf8'), aad(f))]);
      const ik = job.indexKeys[f];
      if (ik) { hashes.push(suite.hmac(ik as Buffer, v)); hashField.push(f); hashRecord.push(id); }
    }
    sealed.push(packFields(entries));
  }
  raw.fill(0);
  return { fresh, wrapped: pack(wrapped), sealed: pack(sealed), hashes: pack(hashes), hashField, hashRecord };
}
