import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptEnvelope, encryptToRecipient, recipientAlgorithm, RecipientKeyError } from './recipient-crypto.js';

const pair = (type: 'x25519' | 'rsa' | 'ec', opts: Record<string, unknown> = {}) => {
  const { publicKey, privateKey } = (generateKeyPairSync as unknown as (t: string, o: unknown) => { publicKey: KeyObject; privateKey: KeyObject })(type, opts);
  return { pub: publicKey.export({ type: 'spki', format: 'pem' }) as string, priv: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
};

describe('encryption to the recipient', () => {
  const payload = Buffer.from(JSON.stringify({ records: [{ fields: { name: '张三', phone: '13800138000' } }] }));
  const cases: Array<[string, ReturnType<typeof pair>]> = [
    ['X25519-HKDF-SHA256-A256GCM', pair('x25519')],
    ['ECDH-P256-HKDF-SHA256-A256GCM', pair('ec', { namedCurve: 'prime256v1' })],
    ['ECDH-P384-HKDF-SHA256-A256GCM', pair('ec', { namedCurve: 'secp384r1' })],
    ['RSA-OAEP-256-A256GCM', pair('rsa', { modulusLength: 2048 })],
    ['ECDH-SM2CURVE-HKDF-SM3-SM4CTR-HMACSM3', pair('ec', { namedCurve: 'SM2' })],
  ];
  for (const [alg, k] of cases) {
    it(`${alg}: only the private key opens it, and the share id is bound`, () => {
      const e = encryptToRecipient(k.pub, payload, 'shr_1');
      expect(e.alg).toBe(alg);
      expect(Buffer.from(e.ct, 'base64').includes(Buffer.from('13800138000'))).toBe(false);
      expect(decryptEnvelope(k.priv, e).equals(payload)).toBe(true);
      expect(() => decryptEnvelope(k.priv, { ...e, aad: 'shr_2' })).toThrow();
      const flipped = Buffer.from(e.ct, 'base64'); flipped[flipped.length - 1] ^= 1;
      expect(() => decryptEnvelope(k.priv, { ...e, ct: flipped.toString('base64') })).toThrow();
    });
  }
  it('refuses weak or unsupported keys', () => {
    expect(() => recipientAlgorithm(pair('rsa', { modulusLength: 1024 }).pub)).toThrow(RecipientKeyError);
    expect(() => recipientAlgorithm(pair('ec', { namedCurve: 'secp256k1' }).pub)).toThrow(/not supported/);
    expect(() => recipientAlgorithm('hello')).toThrow(/PEM/);
    const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(() => recipientAlgorithm(ed)).toThrow(/not supported/);
  });
  it('a different recipient cannot open it', () => {
    const a = pair('x25519'), b = pair('x25519');
    expect(() => decryptEnvelope(b.priv, encryptToRecipient(a.pub, payload, 's'))).toThrow();
  });
});
