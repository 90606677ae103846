/**
 * Person-name and address recogniser: a character-level linear-chain model (BIO tags, plus OTH for
 * other named things, never reported) trained as a structured averaged perceptron
 * (scripts/train-detect.ts), decoded with Viterbi. Features: ner-features.ts; decoding:
 * ner-decode.ts. The weights ship as a quantised binary file (src/detect/model/ner.bin).
 */
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { BUCKETS, NT, NFEAT, WORD_BITS, features, buildGazetteer, titleIndex, type CharSets } from './ner-features.js';
import { WS, emissionsF, emissions16, emissionsP, packWeights, decode } from './ner-decode.js';

export { TAGS, NT, HASH_BITS, BUCKETS, NFEAT, WORD_BITS, wordKey, titleIndex, buildGazetteer, features, allowed, isGivenChar, type CharSets, type Gazetteer, type TitleIndex } from './ner-features.js';
export { viterbi, decode, emissionsF, WS } from './ner-decode.js';

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
