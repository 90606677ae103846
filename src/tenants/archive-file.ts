/**
 * The handler's archive written at deregistration: what the law requires the enterprise to keep
 * (configured per collection), as JSON Lines sealed under a passphrase the handler chooses (scrypt ->
 * AES-256-GCM in chunks whose associated data binds the header hash, the chunk index and a final flag,
 * so a truncated, reordered or altered archive is refused). `custodian archive open` reads it back.
 *
 * Layout: "CSTDNAR1" | u32 header length | header JSON | { u32 sealed length | iv(12) | ct | tag(16) }*
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

const MAGIC = Buffer.from('CSTDNAR1');
const SCRYPT = { N: 1 << 15, r: 8, p: 1 };
const CHUNK = 1024 * 1024;

export interface ArchiveHeader { format: 'custodian-archive'; version: 1; tenant_id: string; deregistration_id: string; created_at: string; kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string } }

export class ArchiveError extends Error {}

const derive = (passphrase: string, salt: Buffer, k: { N: number; r: number; p: number }) => scryptSync(passphrase.normalize('NFKC'), salt, 32, { N: k.N, r: k.r, p: k.p, maxmem: 256 * 1024 * 1024 });

function aad(headerHash: Buffer, index: number, final: boolean) {
  const b = Buffer.alloc(headerHash.length + 9);
  headerHash.copy(b);
  b.writeBigUInt64BE(BigInt(index), headerHash.length);
  b[headerHash.length + 8] = final ? 1 : 0;
  return b;
}

export class ArchiveWriter {
  private fd: number;
  private key: Buffer;
  private headerHash: Buffer;
  private pending: Buffer[] = [];
  private size = 0;
  private index = 0;
  private hash = createHash('sha256');
  bytes = 0;
  lines = 0;

  constructor(path: string, meta: { tenant_id: string; deregistration_id: string }, passphrase: string) {
    const salt = randomBytes(16);
    const header: ArchiveHeader = { format: 'custodian-archive', version: 1, ...meta, created_at: new Date().toISOString(), kdf: { name: 'scrypt', ...SCRYPT, salt: salt.toString('base64') } };
    this.key = derive(passphrase, salt, SCRYPT);
    const h = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(h.length);
    this.fd = openSync(path, 'wx', 0o600);
    this.write(Buffer.concat([MAGIC, len, h]));
    this.headerHash = createHash('sha256').update(MAGIC).update(h).digest();
  }

  private write(b: Buffer) { writeSync(this.fd, b); this.hash.update(b); this.bytes += b.length; }

  line(obj: unknown) {
    const b = Buffer.from(JSON.stringify(obj) + '\n', 'utf8');
    this.pending.push(b);
    this.size += b.length;
    this.lines += 1;
    if (this.size >= CHUNK) this.flush(false);
  }

  private flush(final: boolean) {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(aad(this.headerHash, this.index, final));
    const ct = Buffer.concat([c.update(Buffer.concat(this.pending)), c.final()]);
    const sealed = Buffer.concat([iv, ct, c.getAuthTag()]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(sealed.length);
    this.write(Buffer.concat([len, sealed]));
    this.pending = [];
    this.size = 0;
    this.index += 1;
  }

  /** Seal the last chunk and close; returns the SHA-256 of the whole file. */
  finish(): string { this.flush(true); closeSync(this.fd); this.key.fill(0); return this.hash.digest('hex'); }
  abort() { try { closeSync(this.fd); } catch { /* closed */ } this.key.fill(0); }
}

/** Decrypt an archive into its lines (parsed JSON); refuses a wrong passphrase, truncation or alteration. */
export function readArchive(path: string, passphrase: string): { header: ArchiveHeader; lines: unknown[] } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(12);
    if (size < 12 || readSync(fd, head, 0, 12, 0) !== 12 || !head.subarray(0, 8).equals(MAGIC)) throw new ArchiveError('不是 Custodian 归档文件 / not a Custodian archive file');
    const hl = head.readUInt32BE(8);
    if (hl > 1 << 20 || 12 + hl > size) throw new ArchiveError('归档文件头不完整 / the archive header is incomplete');
    const hb = Buffer.alloc(hl);
    readSync(fd, hb, 0, hl, 12);
    const header = JSON.parse(hb.toString('utf8')) as ArchiveHeader;
    if (header.format !== 'custodian-archive' || header.version !== 1) throw new ArchiveError('归档格式未知 / unknown archive format');
    const key = derive(passphrase, Buffer.from(header.kdf.salt, 'base64'), header.kdf);
    const headerHash = createHash('sha256').update(MAGIC).update(hb).digest();
    let pos = 12 + hl, index = 0, text = '';
    const len = Buffer.alloc(4);
    for (;;) {
      if (pos + 4 > size) throw new ArchiveError('归档文件被截断 / the archive is truncated');
      readSync(fd, len, 0, 4, pos);
      const n = len.readUInt32BE(0);
      if (n < 28 || pos + 4 + n > size) throw new ArchiveError('归档文件被截断 / the archive is truncated');
      const sealed = Buffer.alloc(n);
      readSync(fd, sealed, 0, n, pos + 4);
      pos += 4 + n;
      const open = (final: boolean) => {
        try {
          const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
          d.setAAD(aad(headerHash, index, final));
          d.setAuthTag(sealed.subarray(n - 16));
          return Buffer.concat([d.update(sealed.subarray(12, n - 16)), d.final()]);
        } catch { return null; }
      };
      let plain = open(false);
      let final = false;
      if (!plain) { plain = open(true); final = true; }
      if (!plain) throw new ArchiveError('口令错误或归档已被修改 / wrong passphrase, or the archive was altered');
      text += plain.toString('utf8');
      index += 1;
      if (final) {
        if (pos !== size) throw new ArchiveError('归档结尾后有多余数据 / extra data after the archive end');
        break;
      }
    }
    return { header, lines: text.split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
  } finally { closeSync(fd); }
}
