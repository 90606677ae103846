/**
 * Crypto suites, chosen per tenant (design decision 3). All primitives come from node:crypto.
 * - aes: AES-256-GCM, HKDF-SHA256, HMAC-SHA256, SHA-256.
 * - sm:  SM4-CTR then HMAC-SM3 over (aad, iv, ciphertext) (encrypt-then-MAC), SM3-based HKDF, SM3
 *        (GB/T 39786-2021 commercial cryptography).
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomFillSync, timingSafeEqual } from 'node:crypto';

export type SuiteId = 'aes' | 'sm';

/** A data key made ready for a suite: derived sub-keys are computed once and cached by the caller. */
export interface PreparedKey { readonly suite: SuiteId; readonly enc: Buffer; readonly mac: Buffer }

export interface Suite {
  id: SuiteId;
  hashName: 'sha256' | 'sm3';
  prepare(raw: Buffer): PreparedKey;
  seal(key: PreparedKey, plaintext: Buffer, aad: Buffer): Buffer;
  /** Throws CryptoOpenError when the ciphertext, key or associated data do not match. */
  open(key: PreparedKey, sealed: Buffer, aad: Buffer): Buffer;
  hkdf(ikm: Buffer, info: string, length: number): Buffer;
  hmac(key: Buffer, data: Buffer | string): Buffer;
  digest(data: Buffer | string): Buffer;
}

export class CryptoOpenError extends Error {
  constructor() { super('ciphertext does not open under this key and associated data'); }
}

const AES_TAG = 0x41; // 'A'
const SM_TAG = 0x53; // 'S'

/**
 * Fresh random nonces, drawn from the operating system's CSPRNG 8 KiB at a time: one call per few hundred
 * seals instead of one per seal (a tenth of a batch write's time went to that call). Bytes are handed out
 * once and never reused.
 */
const NONCE_POOL = Buffer.alloc(8192);
let noncePos = NONCE_POOL.length;
function nonce(out: Buffer, at: number, n: number): void {
  if (noncePos + n > NONCE_POOL.length) { randomFillSync(NONCE_POOL); noncePos = 0; }
  NONCE_POOL.copy(out, at, noncePos, noncePos + n);
  NONCE_POOL.fill(0, noncePos, noncePos + n);
  noncePos += n;
}

function hkdf(hash: string, ikm: Buffer, info: string, length: number): Buffer {
  return Buffer.from(hkdfSync(hash, ikm, Buffer.alloc(0), info, length));
}

export const aesSuite: Suite = {
  id: 'aes',
  hashName: 'sha256',
  prepare(raw) {
    if (raw.length !== 32) throw new Error('AES-256 keys are 32 bytes');
    return { suite: 'aes', enc: raw, mac: raw };
  },
  seal(key, plaintext, aad) {
    // [tag][12-byte nonce][ciphertext][16-byte GCM tag], written into one buffer
    const out = Buffer.allocUnsafe(29 + plaintext.length);
    out[0] = AES_TAG;
    nonce(out, 1, 12);
    const c = createCipheriv('aes-256-gcm', key.enc, out.subarray(1, 13));
    c.setAAD(aad);
    const body = c.update(plaintext);
    body.copy(out, 13);
    c.final();
    c.getAuthTag().copy(out, 13 + plaintext.length);
    return out;
  },
  open(key, sealed, aad) {
    if (sealed.length < 29 || sealed[0] !== AES_TAG) throw new CryptoOpenError();
    try {
      const d = createDecipheriv('aes-256-gcm', key.enc, sealed.subarray(1, 13));
      d.setAAD(aad);
      d.setAuthTag(sealed.subarray(sealed.length - 16));
      return Buffer.concat([d.update(sealed.subarray(13, sealed.length - 16)), d.final()]);
    } catch {
      throw new CryptoOpenError();
    }
  },
  hkdf: (ikm, info, length) => hkdf('sha256', ikm, info, length),
  hmac: (key, data) => createHmac('sha256', key).update(data).digest(),
  digest: (data) => createHash('sha256').update(data).digest(),
};

function smMac(key: Buffer, aad: Buffer, iv: Buffer, ct: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(aad.length);
  return createHmac('sm3', key).update(len).update(aad).update(iv).update(ct).digest();
}

export const smSuite: Suite = {
  id: 'sm',
  hashName: 'sm3',
  prepare(raw) {
    if (raw.length !== 32) throw new Error('data keys are 32 bytes');
    const okm = hkdf('sm3', raw, 'custodian/sm4-ctr+hmac-sm3/v1', 48);
    return { suite: 'sm', enc: okm.subarray(0, 16), mac: okm.subarray(16) };
  },
  seal(key, plaintext, aad) {
    const iv = Buffer.allocUnsafe(16);
    nonce(iv, 0, 16);
    const c = createCipheriv('sm4-ctr', key.enc, iv);
    const ct = Buffer.concat([c.update(plaintext), c.final()]);
    return Buffer.concat([Buffer.of(SM_TAG), iv, ct, smMac(key.mac, aad, iv, ct)]);
  },
  open(key, sealed, aad) {
    if (sealed.length < 49 || sealed[0] !== SM_TAG) throw new CryptoOpenError();
    const iv = sealed.subarray(1, 17);
    const ct = sealed.subarray(17, sealed.length - 32);
    const mac = sealed.subarray(sealed.length - 32);
    if (!timingSafeEqual(mac, smMac(key.mac, aad, iv, ct))) throw new CryptoOpenError();
    const d = createDecipheriv('sm4-ctr', key.enc, iv);
    return Buffer.concat([d.update(ct), d.final()]);
  },
  hkdf: (ikm, info, length) => hkdf('sm3', ikm, info, length),
  hmac: (key, data) => createHmac('sm3', key).update(data).digest(),
  digest: (data) => createHash('sm3').update(data).digest(),
};

export function suiteFor(id: SuiteId): Suite {
  if (id === 'aes') return aesSuite;
  if (id === 'sm') return smSuite;
  throw new Error(`unknown crypto suite ${String(id)}`);
}
