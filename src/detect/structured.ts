/**
 * Pattern + checksum recognisers for structured PI (IDs, phones, cards, email, IP, plates, dates...).
 *
 * One pass over the text: a char-class table finds maximal ASCII alphanumeric runs; each run (and
 * digit groups joined by single spaces/dashes) is validated per candidate type, with context words
 * looked up only for the few candidates. '@' is found with indexOf for e-mail, birth dates with a
 * keyword search. Numbers embedded in longer alphanumeric runs never match.
 */
import { isValidUscc, luhnValid } from '../core/pi-types.js';
import type { DetectType, Span } from './types.js';
import { isCnMobile, isCnLandline, isValidHkId, isValidTaiwanId, idProblem, realDate, legacyIdOk, isIpv6 } from './validators.js';

export { isCnMobile, isCnLandline, isValidHkId, isValidTaiwanId } from './validators.js';

const DIGIT = 1, UPPER = 2, LOWER = 4, PROV = 8;
const ALNUM = DIGIT | UPPER | LOWER;
const CLS = new Uint8Array(65536);
for (let c = 48; c <= 57; c++) CLS[c] = DIGIT;
for (let c = 65; c <= 90; c++) CLS[c] = UPPER;
for (let c = 97; c <= 122; c++) CLS[c] = LOWER;
const PLATE_PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';
for (const ch of PLATE_PROVINCES) CLS[ch.charCodeAt(0)] |= PROV;

/** Context words that raise a candidate's score, per type (looked up in the 20 chars before it). */
const CTX: Partial<Record<DetectType, RegExp>> = {
  cn_id: /身份证|证件|公民身份|ID/i,
  mobile: /手机|电话|联系|致电|来电|拨打|mobile|phone|tel|短信|微信/i,
  landline: /电话|座机|固话|传真|联系|tel|fax|phone|总机|热线/i,
  bank_card: /卡号|银行|账号|帐号|账户|帐户|card|开户|借记卡|信用卡|收款/i,
  passport: /护照|passport/i,
  mainland_permit: /通行证|回乡证|台胞证|permit/i,
  hk_id: /香港|身份证|HKID|HK ID/i,
  taiwan_id: /台湾|身份证|身分證|身分证/i,
  postal_code: /邮编|邮政编码|邮码|postcode|zip/i,
};
/** Words meaning "this number is not about a person". */
const NEG_CTX = /订单|单号|运单|快递|物流|流水|编号|序号|批次|发票|交易号|合同号|工单|票号|金额|order|tracking|invoice|SKU|No\./i;

/**
 * First chars of a context regex's words (both cases for ASCII), or null when the regex is not a
 * plain list of words and must always run.
 */
function firstChars(re: RegExp): Uint8Array | null {
  const u = new Uint8Array(65536);
  for (const alt of re.source.split('|')) {
    const c = alt.charAt(0);
    if (!c || '\\[(.?*+^$'.includes(c)) return null;
    u[c.charCodeAt(0)] = 1;
    if (re.ignoreCase) { u[c.toLowerCase().charCodeAt(0)] = 1; u[c.toUpperCase().charCodeAt(0)] = 1; }
  }
  return u;
}
const NEG_FIRST = firstChars(NEG_CTX);
const CTX_FIRST: Partial<Record<DetectType, Uint8Array | null>> = {};
for (const [k, re] of Object.entries(CTX)) CTX_FIRST[k as DetectType] = firstChars(re);
const ALNUM_NEXT = /[0-9A-Za-z]/g;
const BANK_IIN = /^(?:62|4|5[1-5]|2[2-7]|35|60|65|95|94)/;

const IPV4_Y = /(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.]\d)/y;
const IPV6_Y = /[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}/y;
const EMAIL_RE = /^[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}$/;
const LOCAL_CH = /[A-Za-z0-9._%+-]/;
const DOMAIN_CH = /[A-Za-z0-9.-]/;
const BIRTH_KW = /出生日期|出生年月日?|出生于|出生|生日|DOB|[Dd]ate of [Bb]irth|[Bb]irthday/g;
const DATE_Y = /[\s:：是为于在的]{0,3}(\d{4})(?:([-/.年])(\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2})(?!\d))/y;
const PLATE_NORMAL = /^[A-HJ-NP-Z][A-HJ-NP-Z0-9]{5}$/;
const PLATE_NEV = /^[A-HJ-NP-Z](?:[DF][A-HJ-NP-Z0-9]\d{4}|\d{5}[DF])$/;
const PLATE_SUFFIX = '挂学警港澳';

export class StructuredScanner {
  private out: Span[] = [];
  private text = '';
  private todayMs = 0;

  scan(text: string, want?: ReadonlySet<DetectType>): Span[] {
    this.out = [];
    this.text = text;
    this.todayMs = Date.now();
    const n = text.length;
    const taken: Array<[number, number]> = [];
    const allow = (t: DetectType) => !want || want.has(t);
    // e-mail: from each '@'
    if (allow('email')) {
      let at = text.indexOf('@');
      while (at !== -1) {
        let s = at, e = at + 1;
        while (s > 0 && s > at - 64 && LOCAL_CH.test(text[s - 1])) s--;
        while (e < n && e < at + 255 && DOMAIN_CH.test(text[e])) e++;
        while (s < at && !/[A-Za-z0-9]/.test(text[s])) s++;
        while (e > at + 1 && (text[e - 1] === '.' || text[e - 1] === '-')) e--;
        const v = text.slice(s, e);
        if (s < at && EMAIL_RE.test(v)) {
          this.out.push({ type: 'email', start: s, end: e, score: 0.99, value: v });
          taken.push([s, e]);
        }
        at = text.indexOf('@', Math.max(e, at + 1));
      }
    }
    // birth dates: keyword, then a date
    if (allow('birth_date')) {
      BIRTH_KW.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = BIRTH_KW.exec(text)) !== null) {
        DATE_Y.lastIndex = m.index + m[0].length;
        const d = DATE_Y.exec(text);
        if (!d) continue;
        const y = Number(d[1]);
        const mo = Number(d[3] ?? d[5]), day = Number(d[4] ?? d[6]);
        if (y < 1900 || y > new Date().getUTCFullYear() || !realDate(y, mo, day)) continue;
        const start = d.index + d[0].indexOf(d[1]);
        const end = d.index + d[0].length;
        // a date that is the middle of a longer run (e.g. an ID number) is not a birth date
        if (start > 0 && CLS[text.charCodeAt(start - 1)] & ALNUM) continue;
        if (end < n && CLS[text.charCodeAt(end)] & ALNUM) continue;
        const value = `${d[1]}-${String(mo).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
        this.out.push({ type: 'birth_date', start, end, score: 0.95, value });
        taken.push([start, end]);
      }
    }
    taken.sort((a, b) => a[0] - b[0]);
    let ti = 0;
    for (let i = 0; i < n; i++) {
      let k = CLS[text.charCodeAt(i)];
      if (!(k & ALNUM)) {
        // jump to the next ASCII letter or digit: the regex engine's scan is far faster than a JS loop
        ALNUM_NEXT.lastIndex = i;
        if (!ALNUM_NEXT.test(text)) break;
        i = ALNUM_NEXT.lastIndex - 1;
        k = CLS[text.charCodeAt(i)];
      }
      while (ti < taken.length && taken[ti][1] <= i) ti++;
      if (ti < taken.length && taken[ti][0] <= i) { i = taken[ti][1] - 1; continue; }
      let j = i + 1, or = k;
      for (; j < n; j++) { const kj = CLS[text.charCodeAt(j)]; if (!(kj & ALNUM)) break; or |= kj; }
      const next = this.run(i, j, allow, (or & ALNUM) === DIGIT);
      i = Math.max(j, next) - 1;
    }
    return this.out;
  }

  /** Up to `n` chars before start, cut at the line start (and, when `clause`, at tabs/commas too). */
  /**
   * Whether `re` matches the up-to-n chars before start (cut at the line start, and when `clause`
   * at tabs/commas too). The chars are first checked against the first chars of re's words, so
   * the slice and the regex run only when one of them is there (rarely).
   */
  private before(start: number, n: number, clause: boolean, re: RegExp, first: Uint8Array | null): boolean {
    const t = this.text;
    const lo = start > n ? start - n : 0;
    let s = start, seen = first === null;
    for (; s > lo; s--) {
      const c = t.charCodeAt(s - 1);
      if (c === 10 || clause && (c === 9 || c === 44 || c === 0xff0c || c === 0xff1b || c === 0x3002)) break;
      if (!seen && first![c]) seen = true;
    }
    return seen && re.test(t.slice(s, start));
  }

  private ctx(start: number, type: DetectType): boolean {
    const re = CTX[type];
    return re ? this.before(start, 20, false, re, CTX_FIRST[type] ?? null) : false;
  }

  private neg(start: number): boolean {
    return this.before(start, 12, true, NEG_CTX, NEG_FIRST);
  }

  private push(type: DetectType, start: number, end: number, score: number, value: string): void {
    this.out.push({ type, start, end, score, value });
  }

  /** Classify the maximal alphanumeric run text[i, j). Returns the index scanning resumes at. */
  private run(i: number, j: number, allow: (t: DetectType) => boolean, allDigits: boolean): number {
    const t = this.text;
    const n = t.length;
    const p = i > 0 ? t[i - 1] : '';
    const q = j < n ? t[j] : '';
    const q1 = j + 1 < n ? t.charCodeAt(j + 1) : 0;
    // part of a decimal / version / path / URL token: skip numeric types
    if (p === '.' && i > 1 && CLS[t.charCodeAt(i - 2)] & ALNUM) return j;
    if (p === '/' || p === '_' || p === '#' || p === '=' || p === '&' || p === '%') return j;
    const len = j - i;

    // IPv4
    if (allDigits && len <= 3 && q === '.' && allow('ip')) {
      IPV4_Y.lastIndex = i;
      const m = IPV4_Y.exec(t);
      if (m) {
        this.push('ip', i, i + m[0].length, 0.9, m[0]);
        return i + m[0].length;
      }
    }
    if (q === '.' && CLS[q1] & DIGIT) return this.skipNumberish(j); // 123.45, 1.2.3
    // IPv6
    if (q === ':' && len <= 4 && (allDigits || /^[0-9A-Fa-f]+$/.test(t.slice(i, j))) && allow('ip')) {
      IPV6_Y.lastIndex = i;
      const m = IPV6_Y.exec(t);
      if (m && isIpv6(m[0])) {
        this.push('ip', i, i + m[0].length, 0.9, m[0]);
        return i + m[0].length;
      }
    }
    if (p === ',' && allDigits && len === 3) return j; // thousands separator

    if (allDigits) return this.digits(i, j, allow);
    const run = t.slice(i, j);
    // plates: province char (+ optional ·) before a letter-led run
    if (k(run, 0) & UPPER && allow('plate')) {
      const pc = p === '·' || p === '-' ? (i > 1 ? t.charCodeAt(i - 2) : 0) : p ? p.charCodeAt(0) : 0;
      if (CLS[pc] & PROV) {
        const st = p === '·' || p === '-' ? i - 2 : i - 1;
        let body = run, end = j;
        let r = run;
        if (len === 1 && (q === '·' || q === ' ' || q === '-') && CLS[q1] & ALNUM) {
          let f = j + 1;
          while (f < n && CLS[t.charCodeAt(f)] & ALNUM) f++;
          r = body = run + t.slice(j + 1, f); end = f;
        }
        if (PLATE_NORMAL.test(r) && /\d/.test(r) || PLATE_NEV.test(r)) {
          this.push('plate', st, end, 0.9, t.slice(st, st + 1) + r);
          return end;
        }
        if (len === 5 && PLATE_SUFFIX.includes(q)) { body = run + q; end = j + 1; }
        if (PLATE_NORMAL.test(run) && /\d/.test(run) || PLATE_NEV.test(run) || body !== run && /^[A-HJ-NP-Z][A-HJ-NP-Z0-9]{4}$/.test(run)) {
          this.push('plate', st, end, 0.9, t.slice(st, end).replace(/[·-]/, ''));
          return end;
        }
      }
    }

    if (len === 18 && /^\d{17}[Xx]$/.test(run)) return this.digits(i, j, allow);

    const up = run.toUpperCase();
    if (len === 18 && allow('uscc') && isValidUscc(up)) { this.push('uscc', i, j, 0.98, up); return j; }
    if (run !== up) return j; // lower-case letters: not an ID
    // HK ID with bracketed check digit: A123456(7)
    if (/^[A-Z]{1,2}\d{6}$/.test(run) && q === '(' && allow('hk_id')) {
      const m = /^\(([0-9A])\)/.exec(t.slice(j, j + 3));
      if (m && isValidHkId(run + m[1])) { this.push('hk_id', i, j + 3, 0.95, run + m[1]); return j + 3; }
    }
    if (allow('taiwan_id') && len === 10 && isValidTaiwanId(run)) {
      this.push('taiwan_id', i, j, this.ctx(i, 'taiwan_id') ? 0.97 : 0.85, run); return j;
    }
    if (allow('mainland_permit') && /^[HM](?:\d{8}|\d{10})$/.test(run)) {
      this.push('mainland_permit', i, j, this.ctx(i, 'mainland_permit') ? 0.97 : 0.8, run); return j;
    }
    if (allow('passport')) {
      const strong = /^(?:E[0-9A-HJ-NP-Z]\d{7}|[EGDSP]\d{8})$/.test(run);
      const ctx = this.ctx(i, 'passport');
      if (strong || ctx && /^[A-Z]{1,2}\d{6,8}$/.test(run)) {
        if (!this.neg(i)) { this.push('passport', i, j, ctx ? 0.97 : 0.8, run); return j; }
      }
    }
    if (allow('hk_id') && /^[A-Z]{1,2}\d{6}[0-9A]$/.test(run) && isValidHkId(run)) {
      this.push('hk_id', i, j, this.ctx(i, 'hk_id') ? 0.9 : 0.55, run); return j;
    }
    return j;
  }

  private skipNumberish(j: number): number {
    const t = this.text;
    while (j < t.length && (CLS[t.charCodeAt(j)] & ALNUM || t[j] === '.')) j++;
    return j;
  }

  /** Digit run at [i, j), possibly the first of several groups joined by single spaces/dashes. */
  private digits(i: number, j: number, allow: (t: DetectType) => boolean): number {
    const t = this.text;
    const n = t.length;
    let start = i;
    let plus = false;
    if (i > 0 && t[i - 1] === '+') { start = i - 1; plus = true; }
    // fast path, one group (most runs): no arrays, and lengths no type has are not even sliced
    const q = j < n ? t.charCodeAt(j) : 0;
    if (!((q === 32 || q === 45) && j + 1 < n && CLS[t.charCodeAt(j + 1)] & DIGIT) && !(start > 0 && t.charCodeAt(start - 1) === 40)) {
      const L = j - i;
      if (CLS[q] & ALNUM || L < 6 || L === 7 || L === 9 || L > 19) return j;
      this.classifyDigits(t.slice(i, j), start, i, j, plus, false, allow);
      return j;
    }
    // collect groups
    const ends = [j];
    let d = t.slice(i, j);
    const groups = [d];
    let e = j;
    let sep = '';
    while (groups.length < 6 && e + 1 < n && (t[e] === ' ' || t[e] === '-') && CLS[t.charCodeAt(e + 1)] & DIGIT) {
      if (sep && t[e] !== sep) break;
      let f = e + 1;
      while (f < n && CLS[t.charCodeAt(f)] & ALNUM) f++;
      const g = t.slice(e + 1, f);
      if (!/^\d+[Xx]?$/.test(g) || d.length + g.length > 20) break;
      sep = t[e];
      groups.push(g); d += g; ends.push(f); e = f;
    }
    // (010)12345678 / (0755) 8888 8888
    if (start > 0 && t[start - 1] === '(' && groups.length === 1 && /^0\d{2,3}$/.test(d) && t[j] === ')' && allow('landline')) {
      let f = j + 1;
      if (t[f] === ' ') f++;
      let g = f;
      while (g < n && (CLS[t.charCodeAt(g)] & DIGIT || (t[g] === ' ' || t[g] === '-') && CLS[t.charCodeAt(g + 1)] & DIGIT)) g++;
      const local = t.slice(f, g).replace(/[\s-]/g, '');
      if (g > f && !(CLS[t.charCodeAt(g)] & ALNUM) && isCnLandline(d + local)) {
        this.push('landline', start - 1, g, 0.92, d + local); return g;
      }
    }
    // try the longest prefix of groups first
    for (let gi = groups.length; gi >= 1; gi--) {
      const digits = gi === groups.length ? d : groups.slice(0, gi).join('');
      const end = ends[gi - 1];
      const after = end < n ? t.charCodeAt(end) : 0;
      if (CLS[after] & ALNUM) continue;
      if (gi < groups.length || gi === groups.length) {
        const r = this.classifyDigits(digits, start, i, end, plus, gi > 1, allow);
        if (r) return end;
      }
    }
    return j;
  }

  private classifyDigits(d: string, start: number, i: number, end: number, plus: boolean, grouped: boolean, allow: (t: DetectType) => boolean): boolean {
    const L = d.length;
    const negAt = plus ? start : i; // the "not about a person" context is looked up only for a hit
    // mobile, with +86 / 0086 / 86 prefixes
    if (allow('mobile')) {
      let m = '';
      if (L === 11) m = d;
      else if (L === 13 && d.startsWith('86')) m = d.slice(2);
      else if (L === 15 && d.startsWith('0086')) m = d.slice(4);
      if (m && isCnMobile(m) && (L === 11 || plus || d.startsWith('0086') || grouped)) {
        const s = L === 11 && !grouped ? i : plus ? start : i;
        const score = this.neg(negAt) ? 0.3 : this.ctx(s, 'mobile') ? 0.99 : 0.93;
        this.push('mobile', L === 11 ? i : s, end, score, m);
        return true;
      }
    }
    if (L === 18 && allow('cn_id')) {
      const id = d.charCodeAt(17) === 120 ? d.toUpperCase() : d;
      const problem = idProblem(id, this.todayMs);
      if (!problem) { this.push('cn_id', i, end, this.neg(negAt) ? 0.6 : 0.99, id); return true; }
      // ID-shaped (region + birth date fine) with a wrong check digit: a mistyped ID, not a card,
      // unless a bank-card keyword says otherwise
      if (problem === 'check_digit' && (this.ctx(i, 'cn_id') || !this.ctx(i, 'bank_card'))) return true;
      const card = /^\d+$/.test(id) && luhnValid(id) && BANK_IIN.test(id);
      if (!card && allow('uscc') && isValidUscc(id)) { this.push('uscc', i, end, 0.97, id); return true; }
    }
    if (/[Xx]/.test(d)) return false;
    if (allow('landline') && d.charCodeAt(0) === 48 && L >= 10 && L <= 12 && isCnLandline(d)) {
      const ctx = this.ctx(i, 'landline');
      this.push('landline', i, end, this.neg(negAt) ? 0.3 : ctx ? 0.96 : grouped ? 0.88 : 0.7, d);
      return true;
    }
    if (allow('bank_card') && L >= 16 && L <= 19 && luhnValid(d)) {
      const ctx = this.ctx(i, 'bank_card');
      if (BANK_IIN.test(d) || ctx) {
        this.push('bank_card', i, end, this.neg(negAt) ? 0.3 : ctx ? 0.97 : BANK_IIN.test(d) ? 0.88 : 0.7, d);
        return true;
      }
    }
    if (grouped) return false;
    if (L === 15 && allow('cn_id') && legacyIdOk(d)) {
      this.push('cn_id', i, end, this.ctx(i, 'cn_id') ? 0.9 : 0.4, d); return true;
    }
    if (L === 8 && allow('mainland_permit') && /台胞|台湾居民/.test(this.text.slice(Math.max(0, i - 20), i))) {
      this.push('mainland_permit', i, end, 0.9, d); return true;
    }
    if (L === 6 && allow('postal_code') && /^[0-8]\d{5}$/.test(d) && !d.startsWith('00')) {
      // kept at low score unless next to a postal keyword; scan.ts promotes it next to an address
      this.push('postal_code', i, end, this.ctx(i, 'postal_code') ? 0.95 : 0.3, d); return true;
    }
    return false;
  }
}

function k(s: string, idx: number): number { return CLS[s.charCodeAt(idx)]; }

const shared = new StructuredScanner();
/** Structured findings (raw spans with their normalised values) in text. */
export function scanStructured(text: string, want?: ReadonlySet<DetectType>): Span[] {
  return shared.scan(text, want);
}
