/**
 * Signatures for audit checkpoints and destruction certificates: Ed25519 under the `aes` suite,
 * SM2 with SM3 under the `sm` suite (node:crypto; see docs/adr/0003 for the SM2 signer ID).
 */
import { generateKeyPairSync, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import type { SuiteId } from './suites.js';

export interface SigningKeyPair { algorithm: 'ed25519' | 'ecdsa-sm2curve-sm3'; publicKeyPem: string; privateKeyPem: string }

export function generateSigningKey(suite: SuiteId): SigningKeyPair {
  if (suite === 'sm') {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    return { algorithm: 'ecdsa-sm2curve-sm3', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
  }
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { algorithm: 'ed25519', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

export function signData(algorithm: string, privateKeyPem: string, data: Buffer): Buffer {
  const key = createPrivateKey(privateKeyPem);
  return sign(algorithm === 'ecdsa-sm2curve-sm3' ? 'sm3' : null, data, key);
}

export function verifyData(algorithm: string, publicKeyPem: string, data: Buffer, signature: Buffer): boolean {
  try {
    return verify(algorithm === 'ecdsa-sm2curve-sm3' ? 'sm3' : null, data, createPublicKey(publicKeyPem), signature);
  } catch {
    return false;
  }
}
