/**
 * Encryption of a share to its recipient's registered public key (node:crypto only, nothing hand-rolled):
 * - X25519, P-256, P-384: ephemeral ECDH -> HKDF-SHA256 -> AES-256-GCM.
 * - RSA (>= 2048 bits): a random AES-256-GCM key wrapped with RSA-OAEP-SHA256.
 * - EC on the SM2 curve (for tenants on the `sm` suite): ephemeral ECDH on the SM2 curve -> HKDF-SM3 ->
 *   SM4-CTR + HMAC-SM3. This is NOT SM2 public-key encryption (GB/T 32918.4): node:crypto does not offer
 *   it, so a recipient decrypts with ECDH + HKDF-SM3 + SM4 as described in docs/assessments.md.
 * The share id travels as associated data, so an envelope cannot be passed off as another share.
 */
import { createCipheriv, createDecipheriv, createECDH, createHash, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, privateDecrypt, publicEncrypt, randomBytes, constants, type KeyObject } from 'node:crypto';
import { smSuite } from '../crypto/suites.js';

export type RecipientAlgorithm = 'X25519-HKDF-SHA256-A256GCM' | 'ECDH-P256-HKDF-SHA256-A256GCM' | 'ECDH-P384-HKDF-SHA256-A256GCM' | 'RSA-OAEP-256-A256GCM' | 'ECDH-SM2CURVE-HKDF-SM3-SM4CTR-HMACSM3';

export interface Envelope {
  v: 1;
  alg: RecipientAlgorithm;
  kid: string;
  aad: string;
  epk?: string;
  ek?: string;
  iv?: string;
  tag?: string;
  ct: string;
}

export class RecipientKeyError extends Error {}

const INFO = 'custodian/share/v1';

/**
 * OpenSSL 3 turns an SM2-curve key read from PEM into its own SM2 key type, which node's ECDH does not
 * accept; the SM2 path therefore uses node's ECDH class on raw points taken from the standard DER forms.
 */
const SM2_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex');
const SM2_CURVE_OID = Buffer.from('06082a811ccf5501822d', 'hex');
function sm2Point(spki: Buffer): Buffer | null {
  return spki.length === SM2_SPKI_PREFIX.length + 65 && spki.subarray(0, SM2_SPKI_PREFIX.length).equals(SM2_SPKI_PREFIX) ? spki.subarray(SM2_SPKI_PREFIX.length) : null;
}
/** The private scalar of an SM2-curve PKCS#8 key (ECPrivateKey: version 1, OCTET STRING of 32 bytes). */
function sm2Scalar(pkcs8: Buffer): Buffer | null {
  if (!pkcs8.includes(SM2_CURVE_OID)) return null;
  const at = pkcs8.indexOf(Buffer.from('0201010420', 'hex'));
  return at < 0 ? null : pkcs8.subarray(at + 5, at + 37);
}

/** The algorithm a public key (PEM, SPKI) is used with, or a RecipientKeyError saying why it cannot be. */
export function recipientAlgorithm(publicKeyPem: string): { alg: RecipientAlgorithm; key: KeyObject; fingerprint: string } {
  let key: KeyObject;
  try { key = createPublicKey(publicKeyPem); } catch { throw new RecipientKeyError('not a PEM public key (SPKI)'); }
  if (key.type !== 'public') throw new RecipientKeyError('not a public key');
  const fingerprint = createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex');
  const t = key.asymmetricKeyType;
  if (t === 'x25519') return { alg: 'X25519-HKDF-SHA256-A256GCM', key, fingerprint };
  if (t === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) throw new RecipientKeyError(`RSA keys need at least 2048 bits (this one has ${bits})`);
    return { alg: 'RSA-OAEP-256-A256GCM', key, fingerprint };
  }
  const point = sm2Point(key.export({ type: 'spki', format: 'der' }));
  if (point) {
    try { const e = createECDH('SM2'); e.generateKeys(); e.computeSecret(point); } catch { throw new RecipientKeyError('not a valid point on the SM2 curve'); }
    return { alg: 'ECDH-SM2CURVE-HKDF-SM3-SM4CTR-HMACSM3', key, fingerprint };
  }
  if (t === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return { alg: 'ECDH-P256-HKDF-SHA256-A256GCM', key, fingerprint };
    if (curve === 'secp384r1') return { alg: 'ECDH-P384-HKDF-SHA256-A256GCM', key, fingerprint };
    throw new RecipientKeyError(`EC curve ${curve} is not supported (use P-256, P-384 or SM2)`);
  }
  throw new RecipientKeyError(`key type ${t} is not supported (use X25519, P-256, P-384, SM2 or RSA >= 2048)`);
}

function ephemeralFor(alg: RecipientAlgorithm): { publicKey: KeyObject; privateKey: KeyObject } {
  if (alg.startsWith('X25519')) return generateKeyPairSync('x25519');
  if (alg.includes('P256')) return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
}

const b64 = (b: Buffer) => b.toString('base64');

/** Encrypt a payload to the recipient's public key; `aad` (the share id) is bound to the ciphertext. */
export function encryptToRecipient(publicKeyPem: string, payload: Buffer, aad: string): Envelope {
  const { alg, key, fingerprint } = recipientAlgorithm(publicKeyPem);
  const kid = fingerprint.slice(0, 32);
  if (alg === 'RSA-OAEP-256-A256GCM') {
    const cek = randomBytes(32);
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', cek, iv);
    c.setAAD(Buffer.from(aad));
    const ct = Buffer.concat([c.update(payload), c.final()]);
    const ek = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, cek);
    return { v: 1, alg, kid, aad, ek: b64(ek), iv: b64(iv), tag: b64(c.getAuthTag()), ct: b64(ct) };
  }
  const recipientDer = key.export({ type: 'spki', format: 'der' });
  if (alg === 'ECDH-SM2CURVE-HKDF-SM3-SM4CTR-HMACSM3') {
    const eph = createECDH('SM2');
    const epkDer = Buffer.concat([SM2_SPKI_PREFIX, eph.generateKeys()]);
    const shared = eph.computeSecret(sm2Point(recipientDer) as Buffer);
    const raw = Buffer.from(hkdfSync('sm3', shared, Buffer.concat([epkDer, recipientDer]), INFO, 32));
    const sealed = smSuite.seal(smSuite.prepare(raw), payload, Buffer.from(aad));
    return { v: 1, alg, kid, aad, epk: b64(epkDer), ct: b64(sealed) };
  }
  const eph = ephemeralFor(alg);
  const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: key });
  const epkDer = eph.publicKey.export({ type: 'spki', format: 'der' });
  const salt = Buffer.concat([epkDer, recipientDer]);
  const cek = Buffer.from(hkdfSync('sha256', shared, salt, INFO, 32));
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', cek, iv);
  c.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([c.update(payload), c.final()]);
  return { v: 1, alg, kid, aad, epk: b64(epkDer), iv: b64(iv), tag: b64(c.getAuthTag()), ct: b64(ct) };
}

/** What the recipient runs with its private key (PEM, PKCS#8); throws when the envelope was altered. */
export function decryptEnvelope(privateKeyPem: string, e: Envelope): Buffer {
  const priv = createPrivateKey(privateKeyPem);
  const aad = Buffer.from(e.aad);
  const from = (s?: string) => Buffer.from(s ?? '', 'base64');
  if (e.alg === 'RSA-OAEP-256-A256GCM') {
    const cek = privateDecrypt({ key: priv, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, from(e.ek));
    const d = createDecipheriv('aes-256-gcm', cek, from(e.iv));
    d.setAAD(aad); d.setAuthTag(from(e.tag));
    return Buffer.concat([d.update(from(e.ct)), d.final()]);
  }
  if (e.alg === 'ECDH-SM2CURVE-HKDF-SM3-SM4CTR-HMACSM3') {
    const scalar = sm2Scalar(priv.export({ type: 'pkcs8', format: 'der' }));
    const point = sm2Point(from(e.epk));
    if (!scalar || !point) throw new RecipientKeyError('not an SM2-curve private key or envelope');
    const ecdh = createECDH('SM2');
    ecdh.setPrivateKey(scalar);
    const shared = ecdh.computeSecret(point);
    const raw = Buffer.from(hkdfSync('sm3', shared, Buffer.concat([from(e.epk), SM2_SPKI_PREFIX, ecdh.getPublicKey()]), INFO, 32));
    return smSuite.open(smSuite.prepare(raw), from(e.ct), aad);
  }
  const epk = createPublicKey({ key: from(e.epk), format: 'der', type: 'spki' });
  const shared = diffieHellman({ privateKey: priv, publicKey: epk });
  const salt = Buffer.concat([from(e.epk), createPublicKey(priv).export({ type: 'spki', format: 'der' })]);
  const cek = Buffer.from(hkdfSync('sha256', shared, salt, INFO, 32));
  const d = createDecipheriv('aes-256-gcm', cek, from(e.iv));
  d.setAAD(aad); d.setAuthTag(from(e.tag));
  return Buffer.concat([d.update(from(e.ct)), d.final()]);
}
