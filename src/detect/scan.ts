/** scanText: structured recognisers + name/address model, merged into Findings with masked previews. */
import { maskValue, normaliseValue, type FieldType } from '../core/pi-types.js';
import { scanStructured } from './structured.js';
import { tagText, getModel, isGivenChar, type NerSpan } from './ner.js';
import { DETECT_TYPES, type DetectType, type Finding, type ScanOptions, type Span } from './types.js';

/**
 * Full-width ASCII to half-width, one char for one char (offsets are kept). Chinese text is full of
 * full-width punctuation, so this works on UTF-16 code units in a typed array (one copy in, one out)
 * rather than a regex replace with a callback per character.
 */
export function halfWidthSameLength(s: string): string {
  if (s.length < 64) {
    let out = '';
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      out += c >= 0xff01 && c <= 0xff5e ? String.fromCharCode(c - 0xfee0) : c === 0x3000 ? ' ' : s[i];
    }
    return out;
  }
  // one scratch buffer reused across calls (grown as needed; dropped when very large)
  if (hwBuf.length < s.length * 2) hwBuf = Buffer.allocUnsafeSlow(s.length * 2 + 1024);
  const len = hwBuf.write(s, 0, 'utf16le');
  const buf = hwBuf.subarray(0, len);
  const u = new Uint16Array(buf.buffer, buf.byteOffset, len >> 1);
  let changed = false;
  for (let i = 0; i < u.length; i++) {
    const c = u[i];
    if (c >= 0x3000 && (c >= 0xff01 && c <= 0xff5e || c === 0x3000)) { u[i] = c === 0x3000 ? 32 : c - 0xfee0; changed = true; }
  }
  const out = changed ? buf.toString('utf16le') : s;
  if (hwBuf.length > 64 << 20) hwBuf = Buffer.alloc(0);
  return out;
}
let hwBuf = Buffer.alloc(0);

const FIELD_OF: Partial<Record<DetectType, FieldType>> = {
  cn_id: 'cn_id', uscc: 'uscc', mobile: 'mobile', landline: 'landline', bank_card: 'bank_card',
  passport: 'passport', plate: 'plate', email: 'email', ip: 'ip', birth_date: 'birth_date',
  person_name: 'person_name', address: 'address', mainland_permit: 'passport', hk_id: 'passport', taiwan_id: 'passport',
};

const STARS = '*'.repeat(32);
/** Masked preview of a value of a detected type (never the raw value). */
export function previewOf(type: DetectType, value: string): string {
  if (type === 'postal_code') return value.slice(0, 2) + '****';
  const f = FIELD_OF[type]!;
  // structured values are already canonical (digits / upper case): mask directly
  if (type === 'mobile' || type === 'cn_id' || type === 'bank_card' || type === 'uscc') {
    if (type === 'mobile') return value.slice(0, 3) + '****' + value.slice(7);
    if (type === 'bank_card') return STARS.slice(0, value.length - 4) + value.slice(-4);
    if (type === 'cn_id' && value.length === 18) return value.slice(0, 3) + '***********' + value.slice(14);
    if (type === 'uscc') return value.length === 18 ? value.slice(0, 6) + '********' + value.slice(14) : maskValue('uscc', value);
  }
  const n = normaliseValue(f, value);
  const v = n.ok ? n.value : value;
  if (type === 'cn_id' && v.length === 15) return v.slice(0, 3) + '*'.repeat(8) + v.slice(-4);
  return maskValue(f, v);
}

/** Shapes a person name may take: 2-5 CJK chars, transliterations with ·, or a Latin-script name. */
const NAME_OK = /^[\u4e00-\u9fff]{2,5}$|^[\u4e00-\u9fff]{1,6}[·-][\u4e00-\u9fff]{1,8}$|^[A-Za-z][a-z]+(?:[ .]?[A-Z][a-z]+){0,3}$/u;
/** A personal address names something below a district (road, number, village, building...); a bare division is not one. */
const ADDR_DETAIL = /[路街道号巷弄村镇乡室栋楼幢院组园苑厦层单元]/;
const ADDR_STRONG = /[路街道号巷弄村镇乡室栋楼幢区县市省州旗园苑府城大厦中心]/;

/** Role and form words that are never a person's name, whatever the model says. */
const NOT_NAME = new Set(['甲方', '乙方', '丙方', '丁方', '双方', '对方', '本人', '客户', '用户', '客服', '先生', '女士', '小姐', '老师', '同志', '股东', '法人', '委托人', '受托人', '申请人', '联系人', '收件人', '负责人', '经办人', '出让方', '受让方', '签字', '盖章', '姓名', '性别', '民族', '住址']);
const NAME_TAIL = /(?:担任|先生|女士|小姐|同志|经理|总监|老师|律师|医生|教授|博士|记者|主任|院长|校长|局长|书记|师傅|阿姨|老板|总裁|董事长|同学|主席|本人|负责|出资|持有|签字|签名)$/;
/** One-char function words the model sometimes runs a name into; stripped only from 4+ char spans. */
const NAME_TAIL1 = /[为的是和与及等说称在]$/;
const LABEL_BEFORE = /(?:[：:]|姓名|联系人|收件人|收货人|负责人|代表人|经办人|申请人|委托人|受托人|来访人|被访人|户名|股东[一二三四五六七八九十\d]*|[甲乙丙]方|出让方|受让方|由|请问是|我叫|我是)[\s\u3000]*$/;
/** Chars a name is not extended over: verbs and particles that follow names. */
const NOT_NAME_NEXT = /[说称讲道表认指在是为的和与及等向对把被从到也都就还又已曾将会要能]/;
const CJK = /[\u4e00-\u9fff]/;
const DELIM = /[\s，,。；;：:、（(）)\t\n]/;
/**
 * Name boundaries next to a label ("姓名：", "负责人"): the model tends to cut 3-char names to 2
 * or to run into the next word. Extend to the delimiter when the label is clear; strip verbs.
 */
function fixNameBoundary(text: string, start: number, end: number): [number, number] {
  let v = text.slice(start, end);
  for (;;) {
    const m = v.length > 2 ? NAME_TAIL.exec(v) ?? (v.length > 3 ? NAME_TAIL1.exec(v) : null) : null;
    if (!m) break;
    v = v.slice(0, v.length - m[0].length); end = start + v.length;
  }
  if (!LABEL_BEFORE.test(text.slice(Math.max(0, start - 8), start))) return [start, end];
  // extend over given-name chars up to a delimiter when the result stays a plausible name length (<= 4)
  let e = end;
  const model = getModel();
  while (e < text.length && e - start < 4 && CJK.test(text[e]) && !NOT_NAME_NEXT.test(text[e]) && (!model || isGivenChar(model, text.charCodeAt(e))) && !/^(?:先生|女士|小姐|担任|同志|本人)/.test(text.slice(e, e + 2))) e++;
  if (e > end && (e >= text.length || DELIM.test(text[e]) || /^(?:先生|女士|小姐|担任|同志|本人)/.test(text.slice(e, e + 2)))) end = e;
  return [start, end];
}

/** Raw spans (structured + model), merged and filtered, before line/column are attached. */
export function scanSpans(text: string, opts: ScanOptions = {}): Span[] {
  const want = opts.types ? new Set(opts.types) : undefined;
  const minScore = opts.minScore ?? 0.5;
  const norm = halfWidthSameLength(text);
  const spans = scanStructured(norm, want);
  const useModel = opts.names !== false && (!want || want.has('person_name') || want.has('address'));
  let ner: NerSpan[] = [];
  if (useModel) ner = tagText(text);
  // filters on model spans
  const keptNer: Span[] = [];
  for (const s of ner) {
    if (want && !want.has(s.type)) continue;
    let { start, end } = s;
    // trim whitespace / punctuation at the edges
    while (start < end && /[\s,，:：、()（）"'“”]/.test(text[start])) start++;
    while (end > start && /[\s,，:：、()（）"'“”]/.test(text[end - 1])) end--;
    if (s.type === 'person_name') {
      [start, end] = fixNameBoundary(text, start, end);
    }
    const v = text.slice(start, end);
    if (s.type === 'person_name' && (!NAME_OK.test(v) || NOT_NAME.has(v))) continue;
    if (s.type === 'address' && (v.length < 4 || !ADDR_STRONG.test(v) || !ADDR_DETAIL.test(v))) continue;
    keptNer.push({ type: s.type, start, end, score: s.score, value: v });
  }
  // postal codes are PI only next to an address (or with a postal keyword)
  // (addresses are sorted and do not overlap: binary search, then look back over the few that end near)
  const addrs = keptNer.filter((a) => a.type === 'address');
  const all: Span[] = [];
  for (const s of spans) {
    if (s.type === 'postal_code' && s.score < 0.5 && addrs.length) {
      let lo = 0, hi = addrs.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (addrs[mid].start <= s.end + 3) lo = mid + 1; else hi = mid; }
      let near = false;
      for (let k = lo - 1; k >= 0 && addrs[k].end >= s.start - 6 && !near; k--) {
        const a = addrs[k];
        near = s.start >= a.end && s.start - a.end <= 6 && /^[\s,，;；(（邮编政码:：]*$/.test(norm.slice(a.end, s.start)) ||
          a.start >= s.end && a.start - s.end <= 3;
      }
      if (near) s.score = 0.85;
    }
    all.push(s);
  }
  // structured findings win over overlapping model spans; an address may be trimmed before them
  sortIfNeeded(all, byStart);
  const nStruct = all.length;
  // structured spans do not overlap each other: ends are sorted too, binary search the first candidate
  const firstEndAfter = (x: number) => { let lo = 0, hi = nStruct; while (lo < hi) { const mid = (lo + hi) >> 1; if (all[mid].end <= x) lo = mid + 1; else hi = mid; } return lo; };
  for (const m of keptNer) {
    let { start, end } = m;
    let drop = false;
    for (let k = firstEndAfter(start); k < nStruct && all[k].start < end; k++) {
      const s = all[k];
      if (s.end <= start || s.start >= end) continue;
      if (m.type === 'address' && s.start > start + 4) { end = s.start; while (end > start && /[\s,，:：、(（]/.test(text[end - 1])) end--; } else { drop = true; break; }
    }
    if (!drop && end > start) all.push({ ...m, start, end, value: text.slice(start, end) });
  }
  const kept: Span[] = [];
  for (const s of all) if (s.score >= minScore) kept.push(s);
  return sortIfNeeded(kept, byStartLongest);
}

const byStart = (a: Span, b: Span) => a.start - b.start;
const byStartLongest = (a: Span, b: Span) => a.start - b.start || b.end - a.end;
/** Spans mostly come out of the scanners in order already: check in O(n) before sorting. */
function sortIfNeeded(a: Span[], cmp: (x: Span, y: Span) => number): Span[] {
  for (let i = 1; i < a.length; i++) if (cmp(a[i - 1], a[i]) > 0) return a.sort(cmp);
  return a;
}

/** Attach 1-based line/column (relative to base) and the masked preview. */
export function toFindings(text: string, spans: Span[], base = { offset: 0, line: 1, column: 1 }): Finding[] {
  const out: Finding[] = [];
  let line = base.line, lineStart = 0, firstLine = true;
  // spans are sorted by start: the next newline is found once, not once per span (long lines)
  let nl = spans.length ? text.indexOf('\n') : -1;
  for (const s of spans) {
    while (nl !== -1 && nl < s.start) { line++; lineStart = nl + 1; firstLine = false; nl = text.indexOf('\n', nl + 1); }
    const column = firstLine ? base.column + s.start : s.start - lineStart + 1;
    out.push({ type: s.type, start: base.offset + s.start, end: base.offset + s.end, line, column, score: Math.round(s.score * 1000) / 1000, preview: previewOf(s.type, s.value) });
  }
  return out;
}

/** Find Chinese PI in a string. Offsets are JS string indices (UTF-16 code units). */
export function scanText(text: string, opts: ScanOptions = {}): Finding[] {
  if (opts.types) for (const t of opts.types) if (!DETECT_TYPES.includes(t)) throw new TypeError(`unknown detect type: ${t}`);
  return toFindings(text, scanSpans(text, opts));
}
