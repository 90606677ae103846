/**
 * The root key (design decision 2): 32 random bytes in a keyfile sealed with a passphrase through
 * scrypt and AES-256-GCM. `RootKeyProvider` is the interface a KMS (HashiCorp Vault Transit, a
 * cloud KMS) implements instead: it wraps and unwraps tenant keys, and the root key never leaves it.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { suiteFor, type SuiteId, CryptoOpenError } from './suites.js';

export interface RootKeyProvider {
  readonly id: string;
  wrap(plain: Buffer, aad: string, suite: SuiteId): Promise<Buffer>;
  unwrap(wrapped: Buffer, aad: string, suite: SuiteId): Promise<Buffer>;
}

interface KeyfileJson {
  format: 'custodian-keyfile';
  version: 1;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: 'aes-256-gcm';
  iv: string;
  ciphertext: string;
  tag: string;
  created: string;
}

const SCRYPT = { N: 1 << 16, r: 8, p: 1 };

export class KeyfileError extends Error {}

function kek(passphrase: string, salt: Buffer, p: { N: number; r: number; p: number }): Buffer {
  return scryptSync(passphrase.normalize('NFKC'), salt, 32, { N: p.N, r: p.r, p: p.p, maxmem: 256 * 1024 * 1024 });
}

/** Create a new keyfile holding a fresh root key, sealed under the passphrase. Refuses to overwrite. */
export function createKeyfile(path: string, passphrase: string): void {
  if (existsSync(path)) throw new KeyfileError(`密钥文件已存在 / keyfile ${path} already exists`);
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', kek(passphrase, salt, SCRYPT), iv);
  c.setAAD(Buffer.from('custodian-root-key/v1'));
  const ct = Buffer.concat([c.update(randomBytes(32)), c.final()]);
  const json: KeyfileJson = {
    format: 'custodian-keyfile', version: 1, kdf: { name: 'scrypt', ...SCRYPT, salt: salt.toString('base64') },
    cipher: 'aes-256-gcm', iv: iv.toString('base64'), ciphertext: ct.toString('base64'), tag: c.getAuthTag().toString('base64'),
    created: new Date().toISOString(),
  };
  writeFileSync(path, JSON.stringify(json, null, 2), { mode: 0o600, flag: 'wx' });
}

/** Open the keyfile with the passphrase; a wrong passphrase or a modified file is refused. */
export function openKeyfile(path: string, passphrase: string): Buffer {
  let json: KeyfileJson;
  try { json = JSON.parse(readFileSync(path, 'utf8')); } catch (e) {
    throw new KeyfileError(`无法读取密钥文件 / cannot read keyfile ${path}: ${(e as Error).message}`);
  }
  if (json.format !== 'custodian-keyfile' || json.version !== 1 || json.kdf?.name !== 'scrypt') throw new KeyfileError(`密钥文件格式未知 / keyfile ${path} has an unknown format`);
  try {
    const d = createDecipheriv('aes-256-gcm', kek(passphrase, Buffer.from(json.kdf.salt, 'base64'), json.kdf), Buffer.from(json.iv, 'base64'));
    d.setAAD(Buffer.from('custodian-root-key/v1'));
    d.setAuthTag(Buffer.from(json.tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(json.ciphertext, 'base64')), d.final()]);
  } catch {
    throw new KeyfileError('口令错误或密钥文件已被修改 / wrong passphrase, or the keyfile was modified');
  }
}

/** Root key held in process memory, read from the local sealed keyfile. */
export function localRootKeyProvider(rootKey: Buffer): RootKeyProvider {
  const prepared = { aes: suiteFor('aes').prepare(rootKey), sm: suiteFor('sm').prepare(rootKey) };
  return {
    id: 'local-keyfile',
    async wrap(plain, aad, suite) { return suiteFor(suite).seal(prepared[suite], plain, Buffer.from(aad)); },
    async unwrap(wrapped, aad, suite) {
      try { return suiteFor(suite).open(prepared[suite], wrapped, Buffer.from(aad)); } catch (e) {
        if (e instanceof CryptoOpenError) throw new KeyfileError('根密钥无法解开租户密钥 / the root key does not open this tenant key (wrong keyfile for this store?)');
        throw e;
      }
    },
  };
}
