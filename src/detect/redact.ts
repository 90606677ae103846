/** De-identified copies: mask / tag / keyed pseudonym, for text, CSV, JSON, XLSX and DOCX. */
import { createHmac } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { basename } from 'node:path';
import iconv from 'iconv-lite';
import yazl from 'yazl';
import { normaliseValue, toHalfWidth } from '../core/pi-types.js';
import { DetectInputError } from './errors.js';
import {
  decodedPieces, detectEncoding, jsonTokens, LIMITS, openZip, sniffKind, sourceHead, sourceSize, sourceStream,
  textWindows, xmlDecode, xmlEncode, type Source,
} from './formats.js';
import { csvDelimiter, csvLineSpans, csvRecords, csvSplit } from './csv.js';
import { previewOf, scanSpans, toFindings } from './scan.js';
import { TYPE_LABELS, type DetectType, type Finding, type Span } from './types.js';

export type RedactMode = 'mask' | 'tag' | 'pseudonym';
export interface RedactOptions { mode: RedactMode; key?: Buffer; types?: DetectType[] }

const NORMALISED: Partial<Record<DetectType, Parameters<typeof normaliseValue>[0]>> = {
  cn_id: 'cn_id', uscc: 'uscc', mobile: 'mobile', landline: 'landline', bank_card: 'bank_card', email: 'email',
  ip: 'ip', plate: 'plate', birth_date: 'birth_date', passport: 'passport',
};

/**
 * Keyed, consistent pseudonym: HMAC-SHA256(key, type + "\0" + normalised value), first 8 hex
 * digits, rendered PSN_<中文类型>_<hex>. Same value + same key => same token; the vault can keep
 * token -> value for authorised re-identification.
 */
export function pseudonymToken(type: DetectType, value: string, key: Buffer): string {
  if (!Buffer.isBuffer(key) || key.length !== 32) throw new DetectInputError('detect.key');
  const f = NORMALISED[type];
  let norm = toHalfWidth(value).replace(/\s+/g, type === 'address' || type === 'person_name' ? ' ' : '');
  if (f) { const n = normaliseValue(f, value); if (n.ok) norm = n.value; }
  if (type === 'passport' || type === 'hk_id' || type === 'taiwan_id' || type === 'mainland_permit') norm = norm.replace(/[()]/g, '').toUpperCase();
  const mac = createHmac('sha256', key).update(`${type}\0${norm}`).digest('hex');
  return `PSN_${TYPE_LABELS[type].zh}_${mac.slice(0, 8)}`;
}

function replacement(s: Span, opts: RedactOptions): string {
  if (opts.mode === 'tag') return `[${TYPE_LABELS[s.type].zh}]`;
  if (opts.mode === 'pseudonym') return pseudonymToken(s.type, s.value, opts.key!);
  return previewOf(s.type, s.value);
}

function checkOpts(opts: RedactOptions): void {
  if (!['mask', 'tag', 'pseudonym'].includes(opts.mode)) throw new TypeError(`unknown redact mode: ${String(opts.mode)}`);
  if (opts.mode === 'pseudonym' && (!opts.key || opts.key.length !== 32)) throw new DetectInputError('detect.key');
}

/** Apply replacements for non-overlapping spans (sorted by start). */
export function applySpans(text: string, spans: Span[], opts: RedactOptions): string {
  let out = '', pos = 0;
  for (const s of spans) {
    if (s.start < pos) continue;
    out += text.slice(pos, s.start) + replacement(s, opts);
    pos = s.end;
  }
  return out + text.slice(pos);
}

/** De-identify a string. Findings refer to offsets in the input text. */
export function redactText(text: string, opts: RedactOptions): { text: string; findings: Finding[] } {
  checkOpts(opts);
  const spans = scanSpans(text, { types: opts.types });
  return { text: applySpans(text, spans, opts), findings: toFindings(text, spans) };
}

function redactJson(text: string, opts: RedactOptions): { text: string; findings: Finding[] } {
  const spans: Span[] = [];
  let out = '', pos = 0;
  for (const tok of jsonTokens(text)) {
    const raw = text.slice(tok.start, tok.end);
    const value = tok.number ? raw : raw.includes('\\') ? (() => { try { return JSON.parse(`"${raw}"`) as string; } catch { return raw; } })() : raw;
    const found = scanSpans(value, { types: opts.types });
    if (!found.length) continue;
    const red = applySpans(value, found, opts);
    const enc = JSON.stringify(red);
    out += text.slice(pos, tok.number ? tok.start : tok.start) + (tok.number ? enc : enc.slice(1, -1));
    pos = tok.end;
    for (const s of found) spans.push(raw === value ? { ...s, start: s.start + tok.start, end: s.end + tok.start } : { ...s, start: tok.start, end: tok.end });
  }
  return { text: out + text.slice(pos), findings: toFindings(text, spans) };
}

/** Redact text-like content (TXT / CSV / JSONL) window by window. */
async function redactStreamText(kind: string, src: Source, encoding: string, opts: RedactOptions, write: (b: Buffer) => void | Promise<void>): Promise<Finding[]> {
  const findings: Finding[] = [];
  let headers: string[] | null = null;
  let delim = '';
  for await (const w of textWindows(decodedPieces(sourceStream(src), encoding))) {
    const { text, ctx } = w;
    let spans: Span[];
    if (kind === 'csv' && !ctx.partial) {
      spans = [];
      for (const { record: line, offset: off } of csvRecords(text)) {
        if (!delim) delim = csvDelimiter(line);
        if (!headers) { headers = csvSplit(line, delim).map((f) => line.slice(f.start, f.end)); for (const s of scanSpans(line, opts)) spans.push({ ...s, start: s.start + off, end: s.end + off }); }
        else for (const s of csvLineSpans(line, delim, headers, { types: opts.types })) spans.push({ ...s, start: s.start + off, end: s.end + off });
      }
    } else {
      spans = scanSpans(text, { types: opts.types });
      if (ctx.partial) {
        const cut = text.length - LIMITS.overlap;
        spans = spans.filter((s) => s.start < cut);
        w.consumed = Math.max(cut, ...spans.map((s) => s.end));
      }
    }
    const part = text.slice(0, w.consumed);
    await write(iconv.encode(applySpans(part, spans, opts), encoding === 'gb18030' ? 'gb18030' : 'utf8'));
    findings.push(...toFindings(text, spans, ctx));
  }
  return findings;
}

/** Redact the text of every <w:t> run, per paragraph, so PI split over runs is still found. */
function redactDocxXml(xml: string, opts: RedactOptions, findings: Finding[]): string {
  let para = 0;
  return xml.replace(/<w:p[ >][\s\S]*?<\/w:p>/g, (p) => {
    para++;
    const runs: Array<{ m: string; open: string; text: string }> = [];
    const re = /(<w:t(?:\s[^>]*)?>)([\s\S]*?)<\/w:t>/g;
    for (const m of p.matchAll(re)) runs.push({ m: m[0], open: m[1], text: xmlDecode(m[2]) });
    if (!runs.length) return p;
    const full = runs.map((r) => r.text).join('');
    const spans = scanSpans(full, { types: opts.types });
    if (!spans.length) return p;
    for (const f of toFindings(full, spans)) findings.push({ ...f, line: para, location: { path: `paragraph ${para}` } });
    const owner: number[] = [];
    runs.forEach((r, i) => { for (let k = 0; k < r.text.length; k++) owner.push(i); });
    const outRuns = runs.map(() => '');
    let si = 0;
    for (let pos = 0; pos < full.length; pos++) {
      while (si < spans.length && spans[si].end <= pos) si++;
      const s = spans[si];
      if (s && pos >= s.start && pos < s.end) { if (pos === s.start) outRuns[owner[pos]] += replacement(s, opts); }
      else outRuns[owner[pos]] += full[pos];
    }
    let k = 0;
    return p.replace(re, (_m, open: string) => {
      const t = outRuns[k++] ?? '';
      return `${open.includes('xml:space') ? open : open.replace('<w:t', '<w:t xml:space="preserve"')}${xmlEncode(t)}</w:t>`;
    });
  });
}

function redactXlsxXml(name: string, xml: string, opts: RedactOptions, findings: Finding[]): string {
  const red = (v: string, where: { sheet?: string; cell?: string }) => {
    const spans = scanSpans(v, { types: opts.types });
    if (!spans.length) return v;
    for (const f of toFindings(v, spans)) findings.push({ ...f, location: where });
    return applySpans(v, spans, opts);
  };
  if (name === 'xl/sharedStrings.xml') {
    return xml.replace(/(<t(?:\s[^>]*)?>)([\s\S]*?)<\/t>/g, (_m, open: string, body: string) => `${open}${xmlEncode(red(xmlDecode(body), { sheet: 'sharedStrings' }))}</t>`);
  }
  const sheet = basename(name, '.xml');
  return xml.replace(/<c\b([^>]*?)(\/>|>([\s\S]*?)<\/c>)/g, (m, attrs: string, _rest: string, body: string | undefined) => {
    if (!body) return m;
    const ref = /\br="([A-Z]+\d+)"/.exec(attrs)?.[1];
    const t = /\bt="(\w+)"/.exec(attrs)?.[1] ?? 'n';
    if (t === 's' || /<f[ >]/.test(body)) return m;
    if (t === 'inlineStr' || t === 'str') {
      return m.replace(/(<t(?:\s[^>]*)?>)([\s\S]*?)<\/t>|(<v>)([\s\S]*?)<\/v>/g, (mm, o1: string, b1: string, o2: string, b2: string) =>
        o1 ? `${o1}${xmlEncode(red(xmlDecode(b1), { sheet, cell: ref }))}</t>` : `${o2}${xmlEncode(red(xmlDecode(b2), { sheet, cell: ref }))}</v>`);
    }
    const v = /<v>([\s\S]*?)<\/v>/.exec(body)?.[1];
    if (v === undefined) return m;
    const r = red(xmlDecode(v), { sheet, cell: ref });
    if (r === xmlDecode(v)) return m;
    return `<c${attrs.replace(/\s*\bt="\w+"/, '')} t="inlineStr"><is><t>${xmlEncode(r)}</t></is></c>`;
  });
}

async function redactZip(kind: 'xlsx' | 'docx', src: Source, opts: RedactOptions): Promise<{ zip: yazl.ZipFile; findings: Finding[] }> {
  const zr = await openZip(src);
  const out = new yazl.ZipFile();
  const findings: Finding[] = [];
  try {
    for (const name of zr.names) {
      if (name.endsWith('/')) continue;
      const isTarget = kind === 'docx' ? /^word\/(document|header\d*|footer\d*)\.xml$/.test(name) : name === 'xl/sharedStrings.xml' || /^xl\/worksheets\/[^/]+\.xml$/.test(name);
      if (isTarget) {
        const xml = await zr.readText(name);
        const red = kind === 'docx' ? redactDocxXml(xml, opts, findings) : redactXlsxXml(name, xml, opts, findings);
        out.addBuffer(Buffer.from(red, 'utf8'), name);
      } else {
        const chunks: Buffer[] = [];
        for await (const c of await zr.stream(name)) chunks.push(c as Buffer);
        out.addBuffer(Buffer.concat(chunks), name);
      }
    }
  } finally { zr.close(); }
  out.end();
  return { zip: out, findings };
}

async function redactSource(name: string, src: Source, opts: RedactOptions, write: (b: Buffer) => void | Promise<void>): Promise<Finding[]> {
  checkOpts(opts);
  const total = await sourceSize(src);
  if (total === 0) throw new DetectInputError('detect.empty');
  const head = await sourceHead(src);
  const kind = sniffKind(name, head);
  if (kind === 'xlsx' || kind === 'docx') {
    const { zip, findings } = await redactZip(kind, src, opts);
    for await (const c of zip.outputStream) await write(c as Buffer);
    return findings;
  }
  const encoding = detectEncoding(head);
  if (kind === 'json') {
    if (total > LIMITS.maxJsonBytes) throw new DetectInputError('detect.too_large', 'JSON; use JSON Lines');
    const chunks: Buffer[] = [];
    for await (const c of sourceStream(src)) chunks.push(c as Buffer);
    const text = iconv.decode(Buffer.concat(chunks), encoding).replace(/^\uFEFF/, '');
    let valid = true;
    try { JSON.parse(text); } catch { valid = false; }
    const r = valid ? redactJson(text, opts) : redactText(text, opts);
    await write(iconv.encode(r.text, encoding === 'gb18030' ? 'gb18030' : 'utf8'));
    return r.findings;
  }
  return redactStreamText(kind, src, encoding, opts, write);
}

/** De-identified copy of an upload (format from the name and content). */
export async function redactBuffer(name: string, data: Buffer, opts: RedactOptions): Promise<{ data: Buffer; findings: Finding[] }> {
  const parts: Buffer[] = [];
  const findings = await redactSource(basename(name), { data }, opts, (b) => { parts.push(b); });
  return { data: Buffer.concat(parts), findings };
}

/** Write a de-identified copy of inPath to outPath (streamed for TXT/CSV). */
export async function redactFile(inPath: string, outPath: string, opts: RedactOptions): Promise<{ findings: number }> {
  checkOpts(opts);
  const ws = createWriteStream(outPath);
  const done = new Promise<void>((resolve, reject) => { ws.on('finish', resolve); ws.on('error', reject); });
  let n = 0;
  try {
    const f = await redactSource(inPath, { path: inPath }, opts, (b) => new Promise<void>((resolve, reject) => {
      if (ws.write(b)) resolve(); else ws.once('drain', resolve);
      ws.once('error', reject);
    }));
    n = f.length;
  } catch (e) { ws.destroy(); throw e; }
  ws.end();
  await done;
  return { findings: n };
}
