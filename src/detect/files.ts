/** scanFile / scanBuffer: every supported format, streamed, with progress. */
import { basename } from 'node:path';
import { DetectInputError } from './errors.js';
import {
  colName, decodedPieces, detectEncoding, textWindows, jsonTokens, LIMITS, openZip, sniffKind,
  sourceHead, sourceSize, sourceStream, type Source,
} from './formats.js';
import { docxParagraphs, xlsxCells } from './office.js';
import { csvDelimiter, csvLineSpans, csvRecords, csvSplit, headerContext } from './csv.js';
import { scanSpans, scanText, toFindings } from './scan.js';
import type { Finding, ScanOptions, Span } from './types.js';

export type FileFinding = Finding & { file: string };
export type FileScanOptions = ScanOptions & { onProgress?: (done: number, total: number) => void };

async function readAll(src: Source, total: number): Promise<Buffer> {
  if ('data' in src) return src.data;
  if (total > LIMITS.maxJsonBytes) throw new DetectInputError('detect.too_large', `JSON over ${LIMITS.maxJsonBytes} bytes; use JSON Lines`);
  const chunks: Buffer[] = [];
  for await (const c of sourceStream(src)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Findings of a JSON text with their JSON paths (string values and numbers). */
export function scanJsonText(text: string, opts: ScanOptions, pathPrefix = ''): Finding[] {
  const spans: Array<Span & { path: string }> = [];
  for (const tok of jsonTokens(text)) {
    const raw = text.slice(tok.start, tok.end);
    if (!raw.includes('\\')) {
      for (const s of scanSpans(raw, opts)) spans.push({ ...s, start: s.start + tok.start, end: s.end + tok.start, path: tok.path });
    } else {
      let v: string;
      try { v = JSON.parse(`"${raw}"`); } catch { continue; }
      // escaped strings: report against the whole string token
      for (const s of scanSpans(v, opts)) spans.push({ ...s, start: tok.start, end: tok.end, path: tok.path });
    }
  }
  spans.sort((a, b) => a.start - b.start);
  const f = toFindings(text, spans);
  return f.map((x, i) => ({ ...x, location: { path: pathPrefix ? pathPrefix + spans[i].path.slice(1) : spans[i].path } }));
}

async function* scanSource(file: string, src: Source, opts: FileScanOptions): AsyncGenerator<FileFinding> {
  const total = await sourceSize(src);
  if (total === 0) throw new DetectInputError('detect.empty');
  const head = await sourceHead(src);
  const kind = sniffKind(file, head);
  let done = 0;
  const progress = (n: number) => { done += n; opts.onProgress?.(Math.min(done, total), total); };

  if (kind === 'xlsx' || kind === 'docx') {
    const zip = await openZip(src);
    try {
      const partTotal = zip.names.reduce((a, n) => a + zip.size(n), 0) || 1;
      const scaled = (n: number) => progress(n * total / partTotal);
      if (kind === 'xlsx') {
        const headers = new Map<string, string>();
        for await (const cell of xlsxCells(zip, scaled)) {
          if (cell.row === 1) headers.set(`${cell.sheet}\0${cell.col}`, cell.value);
          const pre = cell.row > 1 ? headerContext(headers.get(`${cell.sheet}\0${cell.col}`)) : '';
          const spans = scanSpans(pre + cell.value, opts).filter((s) => s.start >= pre.length).map((s) => ({ ...s, start: s.start - pre.length, end: s.end - pre.length }));
          for (const f of toFindings(cell.value, spans)) yield { ...f, line: cell.row, column: cell.col, file, location: { sheet: cell.sheet, cell: cell.ref } };
        }
      } else {
        let offset = 0, line = 1;
        for await (const p of docxParagraphs(zip, scaled)) {
          for (const f of scanText(p, opts)) yield { ...f, start: f.start + offset, end: f.end + offset, line, column: f.column, file, location: { path: `paragraph ${line}` } };
          offset += p.length + 1; line++;
        }
      }
      opts.onProgress?.(total, total);
    } finally { zip.close(); }
    return;
  }

  const encoding = detectEncoding(head);
  if (kind === 'json') {
    const buf = await readAll(src, total);
    const text = (await import('iconv-lite')).default.decode(buf, encoding).replace(/^\uFEFF/, '');
    if (!text.trim()) throw new DetectInputError('detect.empty');
    try { JSON.parse(text); } catch {
      // not valid JSON: scan as plain text
      for (const f of scanText(text, opts)) yield { ...f, file };
      opts.onProgress?.(total, total);
      return;
    }
    for (const f of scanJsonText(text, opts)) yield { ...f, file };
    opts.onProgress?.(total, total);
    return;
  }

  // text, CSV, JSON Lines: bounded windows of complete lines
  let delim = '';
  let headers: string[] | null = null;
  let csvRow = 1;
  let sawText = false;
  for await (const w of textWindows(decodedPieces(sourceStream(src), encoding, progress))) {
    const { text, ctx } = w;
    if (!sawText && text.trim()) sawText = true;
    if (kind === 'jsonl') {
      for (const f of jsonlFindings(text, ctx.line, opts)) yield { ...f, start: f.start + ctx.offset, end: f.end + ctx.offset, file };
      continue;
    }
    let spans: Span[];
    const cellOf = new Map<Span, string>();
    if (kind === 'csv' && !ctx.partial) {
      spans = [];
      for (const { record: l, offset: off } of csvRecords(text)) {
        if (!delim) delim = csvDelimiter(l);
        const fields = csvSplit(l, delim);
        if (!headers) {
          headers = fields.map((f) => l.slice(f.start, f.end));
          for (const s of scanSpans(l, opts)) spans.push({ ...s, start: s.start + off, end: s.end + off });
        } else {
          for (const s of csvLineSpans(l, delim, headers, opts)) {
            const idx = fields.findIndex((f) => s.start >= f.start && s.start < f.end);
            const sp = { ...s, start: s.start + off, end: s.end + off };
            cellOf.set(sp, `${colName(idx + 1)}${csvRow}`); // rows count records, as a spreadsheet shows them
            spans.push(sp);
          }
        }
        csvRow++;
      }
    } else {
      spans = scanSpans(text, opts);
      if (ctx.partial) {
        // keep findings that start before the overlap zone; the rest is scanned again next window
        const cut = text.length - LIMITS.overlap;
        spans = spans.filter((s) => s.start < cut);
        w.consumed = Math.max(cut, ...spans.map((s) => s.end));
      }
    }
    const found = toFindings(text, spans, ctx);
    for (let i = 0; i < found.length; i++) {
      const cell = cellOf.get(spans[i]);
      yield cell ? { ...found[i], file, location: { cell } } : { ...found[i], file };
    }
  }
  if (!sawText) throw new DetectInputError('detect.empty');
}

function jsonlFindings(text: string, firstLine: number, opts: ScanOptions): Finding[] {
  const out: Finding[] = [];
  let off = 0, line = firstLine;
  for (const l of text.split('\n')) {
    let parsedOk = true;
    try { if (l.trim()) JSON.parse(l); } catch { parsedOk = false; }
    const fs = parsedOk ? scanJsonText(l, opts, `$[${line - 1}]`) : scanText(l, opts);
    for (const f of fs) out.push({ ...f, start: f.start + off, end: f.end + off, line });
    off += l.length + 1; line++;
  }
  return out;
}

/**
 * Scan a file (TXT, CSV/TSV, JSON, JSON Lines, XLSX, DOCX; format from extension and content) in
 * bounded memory. Findings of each window are yielded after the window is scanned.
 */
export async function* scanFile(path: string, opts: FileScanOptions = {}): AsyncGenerator<FileFinding> {
  yield* scanSource(path, { path }, opts);
}

/** Scan an in-memory upload; the format comes from the name's extension and the content. */
export async function scanBuffer(name: string, data: Buffer, opts: ScanOptions = {}): Promise<FileFinding[]> {
  const out: FileFinding[] = [];
  for await (const f of scanSource(basename(name), { data }, opts)) out.push(f);
  return out;
}
