/**
 * Input handling: format sniffing, binary refusal, encoding detection (UTF-8/UTF-16/GBK-GB18030),
 * bounded-memory text windows, a JSON tokenizer that knows each string's JSON path, and a
 * zip-bomb-safe reader for XLSX/DOCX parts.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import jschardet from 'jschardet';
import yauzl from 'yauzl';
import { DetectInputError } from './errors.js';

export type Kind = 'text' | 'csv' | 'json' | 'jsonl' | 'xlsx' | 'docx';
export type Source = { path: string } | { data: Buffer };

export const LIMITS = {
  /** Characters per scanning window on long lines (bounded memory); windows overlap by OVERLAP. */
  window: 1 << 20,
  overlap: 2048,
  /** Whole-document formats (JSON) are parsed in memory up to this many bytes. */
  maxJsonBytes: 256 * 1024 * 1024,
  /** Zip parts (XLSX/DOCX): entry count, one part's and all parts' uncompressed bytes, ratio. */
  maxZipEntries: 10_000,
  maxZipEntryBytes: 512 * 1024 * 1024,
  maxZipTotalBytes: 1024 * 1024 * 1024,
  maxZipRatio: 200,
  /** Shared strings kept in memory for XLSX. */
  maxSharedStringsBytes: 128 * 1024 * 1024,
};

export async function sourceSize(src: Source): Promise<number> {
  return 'data' in src ? src.data.length : (await stat(src.path)).size;
}

export async function sourceHead(src: Source, n = 65536): Promise<Buffer> {
  if ('data' in src) return src.data.subarray(0, n);
  const fh = await open(src.path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally { await fh.close(); }
}

export function sourceStream(src: Source): Readable {
  if ('path' in src) return createReadStream(src.path, { highWaterMark: 1 << 20 });
  const data = src.data;
  return Readable.from((function* () { for (let i = 0; i < data.length; i += 1 << 20) yield data.subarray(i, i + (1 << 20)); })());
}

const MAGIC: Array<[string, number[]]> = [
  ['pdf', [0x25, 0x50, 0x44, 0x46]], ['png', [0x89, 0x50, 0x4e, 0x47]], ['jpeg', [0xff, 0xd8, 0xff]],
  ['gif', [0x47, 0x49, 0x46, 0x38]], ['gzip', [0x1f, 0x8b]], ['elf', [0x7f, 0x45, 0x4c, 0x46]],
  ['ole2 (xls/doc)', [0xd0, 0xcf, 0x11, 0xe0]], ['7z', [0x37, 0x7a, 0xbc, 0xaf]], ['rar', [0x52, 0x61, 0x72, 0x21]],
];

/** Which reader to use, from the file name and the first bytes. Throws detect.binary / detect.empty. */
export function sniffKind(name: string, head: Buffer): Kind {
  if (head.length === 0) throw new DetectInputError('detect.empty');
  const ext = name.toLowerCase().replace(/^.*\./, '');
  const isZip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  if (isZip) {
    if (ext === 'xlsx' || ext === 'xlsm') return 'xlsx';
    if (ext === 'docx') return 'docx';
    const s = head.toString('latin1');
    if (s.includes('xl/')) return 'xlsx';
    if (s.includes('word/')) return 'docx';
    throw new DetectInputError('detect.binary', 'zip archive');
  }
  if (ext === 'xlsx' || ext === 'docx') throw new DetectInputError('detect.format', `not a ${ext} (zip) file`);
  for (const [what, m] of MAGIC) if (m.every((b, i) => head[i] === b)) throw new DetectInputError('detect.binary', what);
  const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  if (!utf16) {
    let ctrl = 0;
    const n = Math.min(head.length, 8192);
    for (let i = 0; i < n; i++) {
      const b = head[i];
      if (b === 0) throw new DetectInputError('detect.binary', 'NUL bytes');
      if (b < 9 || (b > 13 && b < 32 && b !== 27)) ctrl++;
    }
    if (ctrl > n * 0.05) throw new DetectInputError('detect.binary', 'control bytes');
  }
  if (ext === 'csv' || ext === 'tsv') return 'csv';
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  if (ext === 'json') return 'json';
  return 'text';
}

/** Text encoding of a sample: BOMs, strict UTF-8, then GB18030 (GBK) via jschardet. */
export function detectEncoding(head: Buffer): 'utf8' | 'utf16le' | 'utf16be' | 'gb18030' {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf16be';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return 'utf8';
  } catch { /* not UTF-8 */ }
  const guess = jschardet.detect(head);
  const enc = String(guess.encoding ?? '').toLowerCase();
  if (/gb2312|gbk|gb18030|hz-gb/.test(enc)) return 'gb18030';
  // jschardet is unsure on short samples: accept GB18030 when it decodes to mostly CJK text
  const s = iconv.decode(head, 'gb18030');
  const cjk = (s.match(/[\u4e00-\u9fff]/g) ?? []).length;
  const bad = (s.match(/\uFFFD/g) ?? []).length;
  if (cjk > 0 && bad === 0 && cjk >= s.replace(/[\x00-\x7f]/g, '').length * 0.8) return 'gb18030';
  throw new DetectInputError('detect.encoding', guess.encoding ? `looks like ${guess.encoding}` : undefined);
}

/** Decoded text pieces of a byte stream (BOM stripped), with byte progress. */
export async function* decodedPieces(stream: AsyncIterable<Buffer>, encoding: string, onBytes?: (n: number) => void): AsyncGenerator<string> {
  const dec = iconv.getDecoder(encoding);
  let first = true;
  for await (const chunk of stream) {
    let s = dec.write(chunk as Buffer);
    if (first && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    first = false;
    onBytes?.((chunk as Buffer).length);
    if (s) yield s;
  }
  const rest = dec.end();
  if (rest) yield rest;
}

export interface WindowCtx { offset: number; line: number; column: number; partial: boolean }
export interface Window { text: string; ctx: WindowCtx; /** set by the consumer before resuming; default all */ consumed: number }
/**
 * Text in bounded windows: complete lines up to LIMITS.window chars, or — for a longer line — a
 * window of it (ctx.partial). For a partial window the consumer may set `consumed` lower so that
 * the rest (the overlap) is seen again in the next window. Memory stays O(LIMITS.window).
 */
export async function* textWindows(pieces: AsyncIterable<string>): AsyncGenerator<Window> {
  let buf = '';
  const pos = { offset: 0, line: 1, column: 1 };
  const consume = (n: number) => {
    const eaten = buf.slice(0, n);
    buf = buf.slice(n);
    const nl = eaten.lastIndexOf('\n');
    if (nl === -1) pos.column += eaten.length;
    else {
      let c = 0;
      for (let i = eaten.indexOf('\n'); i !== -1; i = eaten.indexOf('\n', i + 1)) c++;
      pos.line += c;
      pos.column = eaten.length - nl;
    }
    pos.offset += n;
  };
  async function* drain(final: boolean): AsyncGenerator<Window> {
    while (buf.length > 0) {
      const limit = Math.min(buf.length, LIMITS.window);
      const nl = buf.lastIndexOf('\n', limit - 1);
      if (nl !== -1) {
        const w: Window = { text: buf.slice(0, nl + 1), ctx: { ...pos, partial: false }, consumed: nl + 1 };
        yield w;
        consume(nl + 1);
      } else if (buf.length >= LIMITS.window) {
        const w: Window = { text: buf.slice(0, LIMITS.window), ctx: { ...pos, partial: true }, consumed: LIMITS.window };
        yield w;
        consume(Math.max(1, Math.min(w.consumed, LIMITS.window)));
      } else if (final) {
        const w: Window = { text: buf, ctx: { ...pos, partial: false }, consumed: buf.length };
        yield w;
        consume(buf.length);
      } else return;
    }
  }
  for await (const p of pieces) {
    buf += p;
    if (buf.length >= LIMITS.window || p.includes('\n')) yield* drain(false);
  }
  yield* drain(true);
}

// ---------- JSON ----------
export interface JsonToken { start: number; end: number; path: string; number: boolean }
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** String-value and number tokens of a JSON text with their JSON paths ($.a.b[0]); start/end exclude quotes. */
export function jsonTokens(text: string): JsonToken[] {
  const out: JsonToken[] = [];
  const stack: Array<{ arr: boolean; key: string; idx: number; expectKey: boolean }> = [];
  const path = () => '$' + stack.map((f) => f.arr ? `[${f.idx}]` : IDENT.test(f.key) ? `.${f.key}` : `[${JSON.stringify(f.key)}]`).join('');
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '{') stack.push({ arr: false, key: '', idx: 0, expectKey: true });
    else if (c === '[') stack.push({ arr: true, key: '', idx: 0, expectKey: false });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') { if (top) { if (top.arr) top.idx++; else top.expectKey = true; } }
    else if (c === ':') { if (top) top.expectKey = false; }
    else if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (top && !top.arr && top.expectKey) {
        const raw = text.slice(i + 1, j);
        try { top.key = raw.includes('\\') ? JSON.parse(`"${raw}"`) : raw; } catch { top.key = raw; }
      } else out.push({ start: i + 1, end: j, path: path(), number: false });
      i = j;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let j = i + 1;
      while (j < n && /[0-9eE+.\-]/.test(text[j])) j++;
      out.push({ start: i, end: j, path: path(), number: true });
      i = j - 1;
    }
  }
  return out;
}

// ---------- zip (XLSX / DOCX) ----------
export interface ZipReader {
  names: string[];
  size(name: string): number;
  readText(name: string, maxBytes?: number): Promise<string>;
  stream(name: string): Promise<Readable>;
  close(): void;
}

function tooLarge(detail: string): DetectInputError { return new DetectInputError('detect.too_large', detail); }

/** Open a zip with caps on entry count, uncompressed size and compression ratio (zip bombs). */
export async function openZip(src: Source): Promise<ZipReader> {
  const zip: yauzl.ZipFile = await new Promise((resolve, reject) => {
    const cb = (err: Error | null, z?: yauzl.ZipFile) => err || !z ? reject(new DetectInputError('detect.format', err?.message ?? 'bad zip')) : resolve(z);
    if ('data' in src) yauzl.fromBuffer(src.data, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, cb);
    else yauzl.open(src.path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, cb);
  });
  if (zip.entryCount > LIMITS.maxZipEntries) { zip.close(); throw tooLarge(`${zip.entryCount} zip entries`); }
  const entries = new Map<string, yauzl.Entry>();
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      total += e.uncompressedSize;
      const ratio = e.compressedSize > 0 ? e.uncompressedSize / e.compressedSize : 0;
      if (e.uncompressedSize > LIMITS.maxZipEntryBytes || total > LIMITS.maxZipTotalBytes || (ratio > LIMITS.maxZipRatio && e.uncompressedSize > 10 * 1024 * 1024)) {
        zip.close();
        reject(tooLarge(`zip entry ${e.fileName} expands to ${e.uncompressedSize} bytes`));
        return;
      }
      entries.set(e.fileName, e);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', (err: Error) => reject(new DetectInputError('detect.format', err.message)));
    zip.readEntry();
  });
  const stream = (name: string): Promise<Readable> => new Promise((resolve, reject) => {
    const e = entries.get(name);
    if (!e) { reject(new DetectInputError('detect.format', `missing ${name}`)); return; }
    zip.openReadStream(e, (err, rs) => {
      if (err || !rs) { reject(new DetectInputError('detect.format', err?.message ?? name)); return; }
      // count real bytes too: declared sizes can lie
      let seen = 0;
      const limit = e.uncompressedSize;
      rs.on('data', (c: Buffer) => { seen += c.length; if (seen > limit || seen > LIMITS.maxZipEntryBytes) rs.destroy(tooLarge(`${name} inflates beyond its declared size`)); });
      resolve(rs);
    });
  });
  return {
    names: [...entries.keys()],
    size: (name) => entries.get(name)?.uncompressedSize ?? 0,
    stream,
    async readText(name, maxBytes = LIMITS.maxZipEntryBytes) {
      if ((entries.get(name)?.uncompressedSize ?? 0) > maxBytes) throw tooLarge(`${name} is too large to load`);
      const chunks: Buffer[] = [];
      for await (const c of await stream(name)) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    close: () => zip.close(),
  };
}

/** XML entity decoding for text nodes we read with regular expressions. */
export function xmlDecode(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) =>
    e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'amp' ? '&' : e === 'quot' ? '"' : e === 'apos' ? "'" :
      String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)));
}
export function xmlEncode(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Column letters (1 -> A, 27 -> AA). */
export function colName(n: number): string {
  let s = '';
  while (n > 0) { const m = (n - 1) % 26; s = String.fromCharCode(65 + m) + s; n = Math.floor((n - 1) / 26); }
  return s;
}
