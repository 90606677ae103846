/** CSV helpers: delimiter sniffing, quote-aware field positions, per-field scanning with header context. */
import { scanSpans } from './scan.js';
import type { ScanOptions, Span } from './types.js';

/** The CSV delimiter of a header line. */
export function csvDelimiter(line: string): string {
  const counts = [',', '\t', ';', '|'].map((d) => [d, line.split(d).length] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][1] > 1 ? counts[0][0] : ',';
}

/** Field content positions [start, end) of one CSV line (quotes excluded; one record per line). */
export function csvSplit(line: string, delim: string): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  let i = 0;
  const n = line.endsWith('\r') ? line.length - 1 : line.length;
  while (i <= n) {
    if (line[i] === '"') {
      let j = i + 1;
      while (j < n && !(line[j] === '"' && line[j + 1] !== '"')) j += line[j] === '"' ? 2 : 1;
      out.push({ start: i + 1, end: j });
      const next = line.indexOf(delim, j);
      i = next === -1 ? n + 1 : next + 1;
    } else {
      const next = line.indexOf(delim, i);
      const e = next === -1 || next > n ? n : next;
      out.push({ start: i, end: e });
      i = e + 1;
    }
  }
  return out;
}

/**
 * The CSV records of a window of complete lines: a quoted field may hold line breaks (RFC 4180), so physical lines
 * are joined while a quote is open. `offset` is the record's start in `text`, `lines` how many lines it spans.
 */
export function csvRecords(text: string): Array<{ record: string; offset: number; lines: number }> {
  const out: Array<{ record: string; offset: number; lines: number }> = [];
  let start = 0, lines = 0, open = false;
  let pos = 0;
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl === -1 ? text.length : nl;
    for (let i = pos; i < end; i++) if (text.charCodeAt(i) === 34) open = !open;
    lines++;
    if (!open || nl === -1) {
      out.push({ record: text.slice(start, end), offset: start, lines });
      start = end + 1; lines = 0; open = false;
    }
    if (nl === -1) break;
    pos = nl + 1;
  }
  return out;
}

/** Context prefix for a header that names a PI column: the model then sees "姓名：张三". */
export function headerContext(header: string | undefined): string {
  if (!header) return '';
  const h = header.trim();
  if (/姓名|名字|联系人|收件人|客户名|户名|负责人|法定代表人|^name$|full_?name|contact/i.test(h)) return '姓名：';
  if (/地址|住址|住所|address|addr/i.test(h)) return '地址：';
  return '';
}

/** Spans of one CSV data line, each field scanned alone with its header as context. */
export function csvLineSpans(line: string, delim: string, headers: string[], opts: ScanOptions): Span[] {
  const out: Span[] = [];
  csvSplit(line, delim).forEach((f, idx) => {
    if (f.end <= f.start) return;
    const value = line.slice(f.start, f.end);
    const pre = headerContext(headers[idx]);
    for (const s of scanSpans(pre + value, opts)) {
      if (s.start < pre.length) continue;
      out.push({ ...s, start: s.start - pre.length + f.start, end: s.end - pre.length + f.start });
    }
  });
  return out;
}
