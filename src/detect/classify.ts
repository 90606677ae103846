/** Column classification (CSV / XLSX / database rows) and vault collection suggestions. */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { TYPE_INFO, type Category, type FieldType } from '../core/pi-types.js';
import { DetectInputError } from './errors.js';
import { detectEncoding, openZip, sniffKind, sourceHead, sourceSize } from './formats.js';
import { xlsxCells } from './office.js';
import { csvDelimiter } from './csv.js';
import { scanSpans } from './scan.js';
import type { DetectType } from './types.js';

export interface ColumnSuggestion {
  /** Column name as in the header / row object key. */
  column: string;
  /** Detected PI type, or null when the column does not look like PI. */
  detectType: DetectType | null;
  /** Vault field type (FIELD_TYPES). */
  type: FieldType;
  /** GB/T 35273 category (from TYPE_INFO). */
  category: Category;
  sensitive: boolean;
  /** 0..1: share of sampled non-empty values that are this type, raised by a matching header. */
  confidence: number;
  sampled: number;
  matched: number;
}

const FIELD_OF: Record<DetectType, FieldType> = {
  cn_id: 'cn_id', uscc: 'uscc', mobile: 'mobile', landline: 'landline', bank_card: 'bank_card', passport: 'passport',
  mainland_permit: 'passport', hk_id: 'passport', taiwan_id: 'passport', plate: 'plate', email: 'email', ip: 'ip',
  birth_date: 'birth_date', postal_code: 'text', person_name: 'person_name', address: 'address',
};

const HEADER_HINTS: Array<[RegExp, DetectType]> = [
  [/身份证|证件号|id_?card|id_?no|cn_?id|citizen/i, 'cn_id'],
  [/信用代码|uscc|credit_?code/i, 'uscc'],
  [/手机|mobile|cell/i, 'mobile'],
  [/电话|座机|固话|phone|tel/i, 'landline'],
  [/卡号|银行卡|账号|card|account/i, 'bank_card'],
  [/护照|passport/i, 'passport'],
  [/通行证|回乡证|台胞证|permit/i, 'mainland_permit'],
  [/车牌|plate/i, 'plate'],
  [/邮箱|email|e-mail|mail/i, 'email'],
  [/\bip\b|ip地址|ip_?addr/i, 'ip'],
  [/出生|生日|birth|dob/i, 'birth_date'],
  [/邮编|邮政编码|postcode|zip/i, 'postal_code'],
  [/地址|住址|住所|address|addr/i, 'address'],
  [/姓名|名字|联系人|收件人|户名|^name$|full_?name|real_?name|contact_?name/i, 'person_name'],
];

function headerHint(h: string): DetectType | null {
  for (const [re, t] of HEADER_HINTS) if (re.test(h)) return t;
  return null;
}

/** Types a single value is (a finding covering >= 80% of it). */
function valueTypes(v: string, hint: DetectType | null): Set<DetectType> {
  const out = new Set<DetectType>();
  const s = v.trim();
  if (!s || s.length > 500) return out;
  const tries = [''];
  if (hint === 'person_name') tries.unshift('姓名：');
  if (hint === 'address') tries.unshift('地址：');
  if (hint === 'birth_date') tries.unshift('出生日期：');
  if (hint === 'postal_code') tries.unshift('邮编：');
  for (const pre of tries) {
    for (const sp of scanSpans(pre + s)) {
      if (sp.start < pre.length) continue;
      if ((sp.end - sp.start) >= s.length * 0.8) out.add(sp.type);
    }
    if (out.size) break;
  }
  return out;
}

function plainType(values: string[]): FieldType {
  const ne = values.filter((v) => v.trim() !== '');
  if (!ne.length) return 'text';
  if (ne.every((v) => /^(true|false|是|否|yes|no|0|1)$/i.test(v.trim())) && new Set(ne).size <= 2) return 'boolean';
  if (ne.every((v) => /^-?\d+(\.\d+)?$/.test(v.trim()))) return 'number';
  if (ne.every((v) => /^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?$/.test(v.trim()))) return 'date';
  return 'text';
}

async function* csvRows(path: string, limit: number): AsyncGenerator<Record<string, unknown>> {
  const head = await sourceHead({ path });
  const enc = detectEncoding(head);
  const firstLine = iconv.decode(head, enc).split('\n')[0];
  const parser = createReadStream(path).pipe(iconv.decodeStream(enc)).pipe(parse({
    columns: true, bom: true, delimiter: csvDelimiter(firstLine), relax_column_count: true, relax_quotes: true, skip_empty_lines: true, to_line: limit + 1,
  }));
  for await (const row of parser) yield row as Record<string, unknown>;
}

async function* xlsxRows(path: string, limit: number): AsyncGenerator<Record<string, unknown>> {
  const zip = await openZip({ path });
  try {
    let sheet: string | null = null;
    const headers = new Map<number, string>();
    let row: Record<string, unknown> = {}, rowNo = 0, n = 0;
    for await (const c of xlsxCells(zip)) {
      if (sheet === null) sheet = c.sheet;
      if (c.sheet !== sheet) break;
      if (c.row === 1) { headers.set(c.col, c.value); continue; }
      if (c.row !== rowNo) { if (rowNo) { yield row; if (++n >= limit) return; } row = {}; rowNo = c.row; }
      row[headers.get(c.col) ?? `col${c.col}`] = c.value;
    }
    if (rowNo) yield row;
  } finally { zip.close(); }
}

/**
 * Suggest each column's PI type and GB/T 35273 category from a CSV/XLSX path or rows from a
 * database table (async iterable of row objects), sampling the first `sampleRows` rows.
 */
export async function classifyColumns(input: string | AsyncIterable<Record<string, unknown>>, opts: { sampleRows?: number } = {}): Promise<ColumnSuggestion[]> {
  const limit = opts.sampleRows ?? 200;
  let rows: AsyncIterable<Record<string, unknown>>;
  if (typeof input === 'string') {
    if ((await sourceSize({ path: input })) === 0) throw new DetectInputError('detect.empty');
    const kind = sniffKind(input, await sourceHead({ path: input }));
    if (kind === 'xlsx') rows = xlsxRows(input, limit);
    else if (kind === 'csv' || kind === 'text') rows = csvRows(input, limit);
    else throw new DetectInputError('detect.format', 'column classification needs CSV or XLSX');
  } else rows = input;
  const values = new Map<string, string[]>();
  let n = 0;
  for await (const r of rows) {
    for (const [k, v] of Object.entries(r)) {
      if (!values.has(k)) values.set(k, []);
      values.get(k)!.push(v === null || v === undefined ? '' : v instanceof Date ? v.toISOString().slice(0, 10) : String(v));
    }
    if (++n >= limit) break;
  }
  const out: ColumnSuggestion[] = [];
  for (const [column, vals] of values) {
    const hint = headerHint(column);
    const ne = vals.filter((v) => v.trim() !== '');
    const counts = new Map<DetectType, number>();
    for (const v of ne) for (const t of valueTypes(v, hint)) counts.set(t, (counts.get(t) ?? 0) + 1);
    let best: DetectType | null = null, bestN = 0;
    for (const [t, c] of counts) if (c > bestN || (c === bestN && t === hint)) { best = t; bestN = c; }
    let conf = ne.length ? bestN / ne.length : 0;
    if (best && hint === best) conf = Math.min(1, conf + 0.2);
    if (!best || conf < 0.5) {
      if (hint && ne.length === 0) { best = hint; conf = 0.4; } else if (hint && (counts.get(hint) ?? 0) > 0) { best = hint; conf = Math.max(conf, 0.5); } else best = null;
    }
    const type: FieldType = best ? FIELD_OF[best] : plainType(vals);
    const info = TYPE_INFO[type];
    out.push({
      column, detectType: best, type,
      category: best === 'mainland_permit' || best === 'hk_id' || best === 'taiwan_id' ? 'identity' : best === 'postal_code' ? 'basic' : info.category,
      sensitive: info.sensitive, confidence: Math.round((best ? conf : 1 - conf) * 100) / 100, sampled: ne.length, matched: bestN,
    });
  }
  return out;
}

const SEARCHABLE = new Set<FieldType>(['person_name', 'mobile', 'landline', 'cn_id', 'email', 'bank_card', 'passport', 'uscc', 'plate', 'ip']);

/** A vault collection definition from column suggestions; field names sanitised to ^[a-z][a-z0-9_]*$. */
export function suggestCollection(name: string, cols: ColumnSuggestion[]): { name: string; fields: Array<{ name: string; type: string; category: string; searchable: boolean }> } {
  const used = new Set<string>();
  const clean = (s: string, fallback: string) => {
    let v = s.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').replace(/_+/g, '_');
    if (!/^[a-z]/.test(v)) v = v ? `f_${v}` : fallback;
    v = v.slice(0, 63);
    let u = v, i = 2;
    while (used.has(u)) u = `${v}_${i++}`;
    used.add(u);
    return u;
  };
  const coll = clean(name, 'collection');
  used.clear();
  return {
    name: coll,
    fields: cols.map((c, i) => ({
      name: clean(/[a-z]/i.test(c.column) ? c.column : c.detectType ?? c.type, `col_${i + 1}`),
      type: c.type, category: c.category, searchable: SEARCHABLE.has(c.type),
    })),
  };
}
