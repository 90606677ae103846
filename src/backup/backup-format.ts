/**
 * The backup file: magic, a JSON header (authenticated), then chunks sealed with AES-256-GCM under a
 * random backup data key. Each chunk's associated data binds the header hash, the chunk index and a
 * final flag, so an altered, reordered, truncated or extended file fails before anything is restored.
 * The data key is wrapped by the root key provider (default) or by a key derived from a passphrase
 * (scrypt), for backups kept where the keyfile is not.
 *
 * Version 2 (ADR 0013) adds `tenant_seal`: every tenant's key material inside is additionally sealed under that
 * tenant's backup key, which lives outside backups; version 1 files (without it) still restore.
 *
 * Layout: "CSTDNBK1" | u32 header length | header JSON | { u32 sealed length | iv(12) | ct | tag(16) }*
 * The key store export (`custodian keys export`) uses the same layout with `format: 'custodian-keystore'`.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { AppError } from '../core/errors.js';
import type { RootKeyProvider } from '../crypto/keyfile.js';
import type { SuiteId } from '../crypto/suites.js';

export const MAGIC = Buffer.from('CSTDNBK1');
const MAX_CHUNK = 64 * 1024 * 1024;
const SCRYPT = { N: 1 << 15, r: 8, p: 1 };

/** A refused backup file: 422 problem over HTTP, exit code 2 on the command line. The message is zh-CN / en. */
export class BackupError extends AppError {
  constructor(code: string, message: string) { super(422, code, message, message); }
}

/** Which tenants' key material is sealed, under which version of their backup key, and where those keys live. */
export interface TenantSeal { key_store: string; columns: string[]; tenants: Record<string, { version: number; suite: SuiteId }> }

export interface BackupHeader {
  format: 'custodian-backup' | 'custodian-keystore';
  version: 1 | 2;
  backup_id: string;
  created_at: string;
  store: string;
  migrations: string[];
  key: { mode: 'root'; provider: string; wrapped: string } | { mode: 'passphrase'; kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string }; wrapped: string };
  /** Version 2: the tenant seal; absent in version 1 backups (made before ADR 0013). */
  tenant_seal?: TenantSeal;
}

const keyAad = (id: string) => `backup-key|${id}`;

function gcmSeal(key: Buffer, plain: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([iv, ct, c.getAuthTag()]);
}

function gcmOpen(key: Buffer, sealed: Buffer, aad: Buffer): Buffer | null {
  if (sealed.length < 28) return null;
  try {
    const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
    d.setAAD(aad);
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()]);
  } catch { return null; }
}

const passKey = (passphrase: string, salt: Buffer, k: { N: number; r: number; p: number }) =>
  scryptSync(passphrase.normalize('NFKC'), salt, 32, { N: k.N, r: k.r, p: k.p, maxmem: 256 * 1024 * 1024 });

/** A fresh data key and the header that carries it wrapped. */
export async function newBackupKey(base: Omit<BackupHeader, 'key'>, opts: { root: RootKeyProvider; passphrase?: string }): Promise<{ key: Buffer; header: BackupHeader }> {
  const key = randomBytes(32);
  if (opts.passphrase) {
    const salt = randomBytes(16);
    const wrapped = gcmSeal(passKey(opts.passphrase, salt, SCRYPT), key, Buffer.from(keyAad(base.backup_id)));
    return { key, header: { ...base, key: { mode: 'passphrase', kdf: { name: 'scrypt', ...SCRYPT, salt: salt.toString('base64') }, wrapped: wrapped.toString('base64') } } };
  }
  const wrapped = await opts.root.wrap(key, keyAad(base.backup_id), 'aes');
  return { key, header: { ...base, key: { mode: 'root', provider: opts.root.id, wrapped: wrapped.toString('base64') } } };
}

export async function openBackupKey(header: BackupHeader, opts: { root: RootKeyProvider; passphrase?: string }): Promise<Buffer> {
  if (header.key.mode === 'passphrase') {
    if (!opts.passphrase) throw new BackupError('backup.passphrase_required', '该备份用口令加密：请提供备份口令 / this backup is sealed with a passphrase: give it (CUSTODIAN_BACKUP_PASSPHRASE or --passphrase-file)');
    const k = header.key.kdf;
    const key = gcmOpen(passKey(opts.passphrase, Buffer.from(k.salt, 'base64'), k), Buffer.from(header.key.wrapped, 'base64'), Buffer.from(keyAad(header.backup_id)));
    if (!key) throw new BackupError('backup.wrong_passphrase', '备份口令错误（或备份头已被修改） / wrong backup passphrase (or the backup header was altered)');
    return key;
  }
  try {
    return await opts.root.unwrap(Buffer.from(header.key.wrapped, 'base64'), keyAad(header.backup_id), 'aes');
  } catch {
    throw new BackupError('backup.wrong_key', '根密钥无法解开该备份：备份来自另一个密钥文件，或备份头已被修改 / the root key does not open this backup: it was made with another keyfile, or its header was altered');
  }
}

/** Writes the header and sealed chunks to a file. */
export class ChunkWriter {
  private fd: number;
  private index = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private headerHash: Buffer;
  bytes = 0;

  constructor(path: string, header: BackupHeader, private readonly key: Buffer, private readonly chunkSize = 4 * 1024 * 1024) {
    this.fd = openSync(path, 'wx', 0o600);
    const h = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(h.length);
    this.write(Buffer.concat([MAGIC, len, h]));
    this.headerHash = createHash('sha256').update(MAGIC).update(h).digest();
  }

  private write(b: Buffer) { writeSync(this.fd, b); this.bytes += b.length; }

  push(text: string) {
    const b = Buffer.from(text, 'utf8');
    this.pending.push(b);
    this.pendingBytes += b.length;
    if (this.pendingBytes >= this.chunkSize) this.flush(false);
  }

  private flush(final: boolean) {
    const plain = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    const sealed = gcmSeal(this.key, plain, chunkAad(this.headerHash, this.index, final));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(sealed.length);
    this.write(Buffer.concat([len, sealed]));
    this.index += 1;
  }

  finish() { this.flush(true); closeSync(this.fd); }
  abort() { try { closeSync(this.fd); } catch { /* closed */ } }
}

function chunkAad(headerHash: Buffer, index: number, final: boolean): Buffer {
  const b = Buffer.alloc(headerHash.length + 9);
  headerHash.copy(b);
  b.writeBigUInt64BE(BigInt(index), headerHash.length);
  b[headerHash.length + 8] = final ? 1 : 0;
  return b;
}

/** Read and check the header only (no key needed). */
export function readHeader(path: string, format: BackupHeader['format'] = 'custodian-backup'): { header: BackupHeader; offset: number; headerHash: Buffer; size: number } {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch (e) { throw new BackupError('backup.unreadable', `无法读取备份文件 / cannot read backup file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(12);
    if (size < 12 || readSync(fd, head, 0, 12, 0) !== 12 || !head.subarray(0, 8).equals(MAGIC)) throw new BackupError('backup.not_a_backup', '不是 Custodian 备份文件（或文件头已损坏） / not a Custodian backup file (or its beginning is damaged)');
    const hl = head.readUInt32BE(8);
    if (hl > 1024 * 1024 || 12 + hl > size) throw new BackupError('backup.truncated', '备份文件头不完整 / the backup header is incomplete (truncated file)');
    const h = Buffer.alloc(hl);
    readSync(fd, h, 0, hl, 12);
    let header: BackupHeader;
    try { header = JSON.parse(h.toString('utf8')); } catch { throw new BackupError('backup.altered', '备份文件头已损坏 / the backup header is damaged'); }
    if (header.format !== format) throw new BackupError('backup.unknown_version', format === 'custodian-backup' ? '不是备份文件（可能是密钥库导出） / not a backup file (a key store export?)' : '不是密钥库导出文件 / not a key store export file');
    const versionOk = format === 'custodian-backup' ? header.version === 1 || (header.version === 2 && isTenantSeal(header.tenant_seal)) : header.version === 1;
    if (!versionOk) throw new BackupError('backup.unknown_version', '备份格式或版本未知 / unknown backup format or version');
    return { header, offset: 12 + hl, headerHash: createHash('sha256').update(MAGIC).update(h).digest(), size };
  } finally { closeSync(fd); }
}

function isTenantSeal(x: unknown): x is TenantSeal {
  const t = x as TenantSeal | undefined;
  return Boolean(t && typeof t.key_store === 'string' && Array.isArray(t.columns) && t.tenants && typeof t.tenants === 'object'
    && Object.values(t.tenants).every((v) => Number.isInteger(v?.version) && v.version > 0 && (v.suite === 'aes' || v.suite === 'sm')));
}

/** Decrypt the chunks in order, yielding plaintext; throws BackupError on any damage, truncation or extension. */
export function* readChunks(path: string, key: Buffer, format: BackupHeader['format'] = 'custodian-backup'): Generator<Buffer> {
  const { offset, headerHash, size } = readHeader(path, format);
  const fd = openSync(path, 'r');
  try {
    let pos = offset;
    let index = 0;
    const len = Buffer.alloc(4);
    for (;;) {
      if (pos === size) throw new BackupError('backup.truncated', '备份文件被截断（缺少结尾块） / the backup file is truncated (its final chunk is missing)');
      if (pos + 4 > size || readSync(fd, len, 0, 4, pos) !== 4) throw new BackupError('backup.truncated', '备份文件被截断 / the backup file is truncated');
      const n = len.readUInt32BE(0);
      if (n > MAX_CHUNK || pos + 4 + n > size) throw new BackupError('backup.truncated', `备份文件在第 ${index} 块处被截断或损坏 / the backup file is truncated or damaged at chunk ${index}`);
      const sealed = Buffer.alloc(n);
      readSync(fd, sealed, 0, n, pos + 4);
      pos += 4 + n;
      let plain = gcmOpen(key, sealed, chunkAad(headerHash, index, false));
      let final = false;
      if (!plain) { plain = gcmOpen(key, sealed, chunkAad(headerHash, index, true)); final = true; }
      if (!plain) throw new BackupError('backup.altered', `备份文件第 ${index} 块校验失败：文件被修改、重排或口令不符 / chunk ${index} fails its integrity check: the file was altered or reordered`);
      yield plain;
      index += 1;
      if (final) {
        if (pos !== size) throw new BackupError('backup.altered', '备份文件结尾后有多余数据 / the backup file has extra data after its final chunk');
        return;
      }
    }
  } finally { closeSync(fd); }
}

/** Split decrypted chunks into lines (lines may straddle chunks). */
export function* readLines(chunks: Iterable<Buffer>): Generator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for (const c of chunks) {
    const text = rest + decoder.write(c);
    const parts = text.split('\n');
    rest = parts.pop() as string;
    for (const p of parts) yield p;
  }
  rest += decoder.end();
  if (rest) yield rest;
}
