/** Streaming readers for XLSX cells and DOCX paragraphs (sax over zip parts, bounded memory). */
import { StringDecoder } from 'node:string_decoder';
import sax from 'sax';
import { DetectInputError } from './errors.js';
import { colName, LIMITS, xmlDecode, type ZipReader } from './formats.js';

export interface Cell { sheet: string; ref: string; row: number; col: number; value: string }
export interface SheetRef { name: string; part: string }

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:]+)="([^"]*)"/g)) out[m[1]] = xmlDecode(m[2]);
  return out;
}

export async function xlsxSheets(zip: ZipReader): Promise<SheetRef[]> {
  const wb = await zip.readText('xl/workbook.xml', 64 * 1024 * 1024);
  const rels = zip.names.includes('xl/_rels/workbook.xml.rels') ? await zip.readText('xl/_rels/workbook.xml.rels', 16 * 1024 * 1024) : '';
  const target = new Map<string, string>();
  for (const m of rels.matchAll(/<Relationship\b[^>]*>/g)) {
    const a = attrs(m[0]);
    if (a.Id && a.Target) target.set(a.Id, a.Target.startsWith('/') ? a.Target.slice(1) : `xl/${a.Target}`);
  }
  const out: SheetRef[] = [];
  let i = 1;
  for (const m of wb.matchAll(/<sheet\b[^>]*\/?>/g)) {
    const a = attrs(m[0]);
    const part = target.get(a['r:id']) ?? `xl/worksheets/sheet${i}.xml`;
    if (zip.names.includes(part)) out.push({ name: a.name ?? `Sheet${i}`, part });
    i++;
  }
  return out;
}

export async function sharedStrings(zip: ZipReader): Promise<string[]> {
  if (!zip.names.includes('xl/sharedStrings.xml')) return [];
  const xml = await zip.readText('xl/sharedStrings.xml', LIMITS.maxSharedStringsBytes);
  const out: string[] = [];
  for (const si of xml.matchAll(/<si>([\s\S]*?)<\/si>|<si\/>/g)) {
    const body = (si[1] ?? '').replace(/<rPh\b[\s\S]*?<\/rPh>/g, '');
    let s = '';
    for (const t of body.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)) s += xmlDecode(t[1]);
    out.push(s);
  }
  return out;
}

export function parseRef(ref: string): { row: number; col: number } {
  const m = /^([A-Z]+)(\d+)$/.exec(ref);
  if (!m) return { row: 0, col: 0 };
  let col = 0;
  for (const ch of m[1]) col = col * 26 + ch.charCodeAt(0) - 64;
  return { row: Number(m[2]), col };
}

/** Cells of every sheet, streamed. */
export async function* xlsxCells(zip: ZipReader, onPart?: (bytes: number) => void): AsyncGenerator<Cell> {
  const shared = await sharedStrings(zip);
  for (const sh of await xlsxSheets(zip)) {
    const parser = sax.parser(true);
    const queue: Cell[] = [];
    let ref = '', t = '', inV = false, inT = false, val = '', rowNo = 0, colNo = 0;
    parser.onopentag = (node) => {
      const a = node.attributes as Record<string, string>;
      if (node.name === 'row') { rowNo = Number(a.r ?? rowNo + 1); colNo = 0; }
      else if (node.name === 'c') {
        colNo++;
        ref = a.r ?? `${colName(colNo)}${rowNo}`;
        t = a.t ?? 'n'; val = '';
      } else if (node.name === 'v') inV = true;
      else if (node.name === 't') inT = true;
    };
    parser.ontext = (txt) => { if (inV || inT) val += txt; };
    parser.oncdata = (txt) => { if (inV || inT) val += txt; };
    parser.onclosetag = (name) => {
      if (name === 'v') inV = false;
      else if (name === 't') inT = false;
      else if (name === 'c') {
        const value = t === 's' ? shared[Number(val)] ?? '' : val;
        if (value !== '') { const p = parseRef(ref); queue.push({ sheet: sh.name, ref, row: p.row, col: p.col, value }); }
      }
    };
    parser.onerror = (e) => { throw new DetectInputError('detect.format', `xlsx: ${e.message.split('\n')[0]}`); };
    const dec = new StringDecoder('utf8');
    for await (const chunk of await zip.stream(sh.part)) {
      parser.write(dec.write(chunk as Buffer));
      onPart?.((chunk as Buffer).length);
      while (queue.length) yield queue.shift()!;
    }
    parser.write(dec.end());
    parser.close();
    while (queue.length) yield queue.shift()!;
  }
}

/** Paragraph texts of word/document.xml, streamed. */
export async function* docxParagraphs(zip: ZipReader, onPart?: (bytes: number) => void): AsyncGenerator<string> {
  const parser = sax.parser(true);
  const queue: string[] = [];
  let inT = false, para = '', inP = false;
  parser.onopentag = (node) => {
    if (node.name === 'w:p') { inP = true; para = ''; }
    else if (node.name === 'w:t') inT = true;
    else if (node.name === 'w:tab') para += '\t';
    else if (node.name === 'w:br' || node.name === 'w:cr') para += ' ';
  };
  parser.ontext = (txt) => { if (inT) para += txt; };
  parser.onclosetag = (name) => {
    if (name === 'w:t') inT = false;
    else if (name === 'w:p' && inP) { queue.push(para); inP = false; para = ''; }
  };
  parser.onerror = (e) => { throw new DetectInputError('detect.format', `docx: ${e.message.split('\n')[0]}`); };
  const dec = new StringDecoder('utf8');
  for await (const chunk of await zip.stream('word/document.xml')) {
    parser.write(dec.write(chunk as Buffer));
    onPart?.((chunk as Buffer).length);
    while (queue.length) yield queue.shift()!;
  }
  parser.write(dec.end());
  parser.close();
  while (queue.length) yield queue.shift()!;
}
