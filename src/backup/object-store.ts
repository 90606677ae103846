/**
 * Off-site backups on S3-compatible object storage (AWS S3, Alibaba OSS, Tencent COS, Huawei OBS, MinIO…): a backup
 * location `s3://bucket/key` is written as a local file first (the backup format needs a file), then uploaded
 * whole with its SHA-256 in the signature; restores and drills download it to a temporary file first. Requests are
 * signed with AWS Signature V4 by the `aws4` package and sent with node:http(s); path-style addressing, so any
 * endpoint works without DNS per bucket.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';
import aws4 from 'aws4';
import { XMLParser } from 'fast-xml-parser';
import { BackupError } from './backup-format.js';

export interface S3Settings { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string }
export interface S3Location { bucket: string; key: string }
export interface StoredObject { key: string; size: number; lastModified: string }

const S3_URL = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

export const isS3Url = (s: string) => s.startsWith('s3://');

/** `s3://bucket/some/key` → bucket and key; refuses anything else with a clear reason. */
export function parseS3Url(url: string): S3Location {
  const m = S3_URL.exec(url);
  if (!m) throw new BackupError('backup.location', `不是有效的 S3 位置 / not an S3 location: ${url} (s3://bucket/key)`);
  const key = m[2] ?? '';
  if (key.split('/').some((p) => p === '..' || p === '.')) throw new BackupError('backup.location', `S3 对象名不能含 . 或 .. 段 / no . or .. segments in the key: ${url}`);
  return { bucket: m[1], key };
}

function rfc3986(s: string) { return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`); }
const objectPath = (l: S3Location) => `/${l.bucket}/${l.key.split('/').map(rfc3986).join('/')}`;

async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function text(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function createS3Store(s: S3Settings) {
  const base = new URL(s.endpoint);
  const send = (method: string, path: string, opts: { query?: string; headers?: Record<string, string>; body?: () => NodeJS.ReadableStream } = {}) => {
    const fullPath = opts.query ? `${path}?${opts.query}` : path;
    const signed = aws4.sign({ host: base.host, path: fullPath, method, service: 's3', region: s.region, headers: opts.headers ?? {} }, { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey });
    const request = base.protocol === 'https:' ? httpsRequest : httpRequest;
    const attempt = () => new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({ protocol: base.protocol, hostname: base.hostname, port: base.port || undefined, method, path: fullPath, headers: signed.headers as Record<string, string>, timeout: 60_000 }, resolve);
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('timed out')));
      if (opts.body) opts.body().pipe(req); else req.end();
    });
    // Every request here is idempotent and its body can be read again: a connection the storage closed while it sat
    // idle in the keep-alive pool (ECONNRESET, EPIPE, "socket hang up") is retried on a fresh one, twice at most.
    return (async () => {
      for (let i = 0; ; i++) {
        try { return await attempt(); } catch (e) {
          const err = e as NodeJS.ErrnoException;
          const stale = err.code === 'ECONNRESET' || err.code === 'EPIPE' || err.message === 'socket hang up';
          if (!stale || i >= 2) throw new BackupError('backup.storage', `对象存储不可达 / object storage unreachable at ${base.host}: ${err.message}`);
          await new Promise((r) => setTimeout(r, 50 * (i + 1)));
        }
      }
    })();
  };
  const fail = async (res: IncomingMessage, what: string) => {
    const body = await text(res);
    const code = /<Code>([^<]{1,100})<\/Code>/.exec(body)?.[1] ?? `HTTP ${res.statusCode}`;
    return new BackupError('backup.storage', `对象存储拒绝了${what} / object storage refused the ${what}: ${code}`);
  };

  return {
    /** Upload a local file; the payload hash is part of the signature, so a corrupted upload is refused. */
    async putFile(l: S3Location, file: string): Promise<void> {
      const size = statSync(file).size;
      const sha = await fileSha256(file);
      const res = await send('PUT', objectPath(l), { headers: { 'content-type': 'application/octet-stream', 'content-length': String(size), 'x-amz-content-sha256': sha }, body: () => createReadStream(file) });
      if (res.statusCode !== 200) throw await fail(res, '上传 upload');
      res.resume();
    },
    /** Download an object into a local file. */
    async getFile(l: S3Location, file: string): Promise<void> {
      const res = await send('GET', objectPath(l), { headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
      if (res.statusCode === 404) { res.resume(); throw new BackupError('backup.not_found', `对象存储中没有该备份 / no such backup in object storage: s3://${l.bucket}/${l.key}`); }
      if (res.statusCode !== 200) throw await fail(res, '下载 download');
      await pipeline(res, createWriteStream(file, { mode: 0o600 }));
    },
    async exists(l: S3Location): Promise<boolean> {
      const res = await send('HEAD', objectPath(l), { headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
      res.resume();
      if (res.statusCode === 404) return false;
      if (res.statusCode === 403) throw new BackupError('backup.storage', '对象存储拒绝访问（请检查访问密钥与存储桶权限） / object storage denied access (check the access keys and the bucket policy): HTTP 403');
      if (res.statusCode !== 200) throw new BackupError('backup.storage', `对象存储拒绝了查询 / object storage refused the lookup: HTTP ${res.statusCode}`);
      return true;
    },
    /** Objects under a prefix (all pages). */
    async list(bucket: string, prefix: string): Promise<StoredObject[]> {
      const out: StoredObject[] = [];
      const parser = new XMLParser({ isArray: (name) => name === 'Contents' });
      let token: string | undefined;
      do {
        const q = [`list-type=2`, `prefix=${rfc3986(prefix)}`, ...(token ? [`continuation-token=${rfc3986(token)}`] : [])].sort().join('&');
        const res = await send('GET', `/${bucket}`, { query: q, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
        if (res.statusCode !== 200) throw await fail(res, '列举 listing');
        const r = parser.parse(await text(res)).ListBucketResult ?? {};
        for (const c of r.Contents ?? []) out.push({ key: String(c.Key), size: Number(c.Size), lastModified: String(c.LastModified) });
        token = String(r.IsTruncated) === 'true' ? String(r.NextContinuationToken) : undefined;
      } while (token);
      return out;
    },
    async remove(l: S3Location): Promise<void> {
      const res = await send('DELETE', objectPath(l), { headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
      res.resume();
      if (res.statusCode !== 204 && res.statusCode !== 200) throw new BackupError('backup.storage', `对象存储拒绝了删除 / object storage refused the delete: HTTP ${res.statusCode}`);
    },
  };
}
export type S3Store = ReturnType<typeof createS3Store>;
