import { describe, expect, it } from 'vitest';
import { generateSigningKey } from '../crypto/signing.js';
import { canonicalJson, keyFingerprint, signCertificate, verifyCertificate } from './certificate.js';

const body = { certificate_id: 'crt_0123456789abcdef', tenant: { name: '某公司', id: 'ten_x' }, counts: { records: 3, subjects: 2 } };

describe('destruction certificates', () => {
  it('canonical JSON sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: null }], c: undefined } })).toBe('{"a":{"d":[2,{"y":null,"z":1}]},"b":1}');
  });
  for (const suite of ['aes', 'sm'] as const) {
    it(`signs and verifies offline (${suite}), and any edit breaks it`, () => {
      const k = generateSigningKey(suite);
      const cert = signCertificate(body, { id: 'isk_1', algorithm: k.algorithm, privateKeyPem: k.privateKeyPem, publicKeyPem: k.publicKeyPem });
      expect(verifyCertificate(cert)).toMatchObject({ ok: true, trusted: null, fingerprint: keyFingerprint(k.publicKeyPem) });
      expect(verifyCertificate(JSON.parse(JSON.stringify(cert)), { trustedFingerprints: [keyFingerprint(k.publicKeyPem).toUpperCase()] })).toMatchObject({ ok: true, trusted: true });
      const edited = { ...cert, counts: { records: 2, subjects: 2 } };
      expect(verifyCertificate(edited).problems.join()).toMatch(/altered or forged/);
      const reordered = Object.fromEntries(Object.entries(cert).reverse());
      expect(verifyCertificate(reordered).ok).toBe(true);
      const other = generateSigningKey(suite);
      expect(verifyCertificate({ ...cert, signer: { ...cert.signer, public_key: other.publicKeyPem } }).ok).toBe(false);
      expect(verifyCertificate({ nope: 1 }).ok).toBe(false);
    });
  }
});
