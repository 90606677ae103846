/**
 * Train the person-name / address model (structured averaged perceptron over characters, BIO tags)
 * on the CLUENER2020 training sentences (minus the fixed held-out tenth) plus synthetic training
 * forms/contracts/chats, and write src/detect/model/ner.bin.   Run: npm run train:detect
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { BUCKETS, NT, NFEAT, WORD_BITS, wordKey, titleIndex, buildGazetteer, features, viterbi, encodeModel, decodeModel, tagText, modelPath } from '../src/detect/ner.js';
import { Rng } from '../src/detect/synth.js';
import { loadCluener, isHeldOut, spansOf } from './lib/cluener.js';
import { trainDoc } from './lib/train-data.js';
import { nameDoc, tableDoc, makeName, GIVEN_COMMON } from './lib/train-names.js';
import { SINGLE_SURNAMES, COMPOUND_SURNAMES } from '../src/detect/surnames.js';

const EPOCHS = Number(process.env.EPOCHS ?? 26);
const THRESH = Number(process.env.PRUNE ?? 0.0);
interface Sample { text: string; gold: Uint8Array; fold: number }

function toSample(text: string, spans: Array<{ type: string; start: number; end: number }>): Sample {
  const gold = new Uint8Array(text.length);
  for (const s of spans) {
    const b = s.type === 'PER' ? 1 : s.type === 'ADR' ? 3 : 5;
    gold[s.start] = b;
    for (let i = s.start + 1; i < s.end; i++) gold[i] = b + 1;
  }
  return { text, gold, fold: -1 };
}

/** CLUENER addresses are often bare place names (北京, 美国); keep only detailed ones as ADR. */
const DETAILED = /[路街道号巷弄村镇乡室栋楼区县]/;

const t0 = Date.now();
const clue = loadCluener();
// gazetteer entries per fold (training sentences only): a sentence is trained with the other fold's
// gazetteer, so the model learns how far to trust a match on text it has not seen
const gazEntries: Array<Array<[string, number]>> = [];
const train: Sample[] = [];
const held: Array<{ text: string; per: Array<[number, number]> }> = [];
const names: string[] = [];
const surnameCount = new Map<string, number>();
clue.forEach((s, idx) => {
  const per = spansOf(s, 'name');
  if (isHeldOut(idx)) { held.push({ text: s.text, per }); return; }
  const spans = per.map(([a, b]) => ({ type: 'PER', start: a, end: b }));
  for (const [a, b] of spansOf(s, 'address')) {
    const v = s.text.slice(a, b);
    spans.push({ type: v.length >= 5 && DETAILED.test(v) ? 'ADR' : 'OTH', start: a, end: b });
  }
  // every other CLUENER entity (works, organisations, scenes, positions...) is OTH
  if (process.env.NO_OTH !== '1') for (const t of Object.keys(s.label)) if (t !== 'name' && t !== 'address') for (const [a, b] of spansOf(s, t)) spans.push({ type: 'OTH', start: a, end: b });
  // drop overlaps (rare)
  spans.sort((x, y) => x.start - y.start);
  const clean = spans.filter((x, i) => i === 0 || x.start >= spans[i - 1].end);
  const smp = toSample(s.text, clean); smp.fold = idx % 2; train.push(smp);
  for (const t of Object.keys(s.label)) for (const [a, b] of spansOf(s, t)) (gazEntries[idx % 2] ??= []).push([s.text.slice(a, b), t === 'name' ? 1 : 2]);
  for (const [a, b] of per) {
    const v = s.text.slice(a, b);
    if (/^[\u4e00-\u9fff]{2,4}$/.test(v)) { names.push(v); surnameCount.set(v[0], (surnameCount.get(v[0]) ?? 0) + 1); }
  }
});
const surnames = [...surnameCount].filter(([, c]) => c >= 3).map(([ch]) => ch).join('');
const surnameSet = new Set([...surnames].map((c) => c.charCodeAt(0)));
// given-name characters: seen at least twice after a surname in CLUENER training names, plus a general list
const stdSur = new Set([...SINGLE_SURNAMES, ...COMPOUND_SURNAMES.map((w) => w[0])]);
const givenCount = new Map<string, number>();
for (const n of names) if (stdSur.has(n[0])) for (const ch of n.slice(COMPOUND_SURNAMES.includes(n.slice(0, 2)) ? 2 : 1)) givenCount.set(ch, (givenCount.get(ch) ?? 0) + 1);
const given = [...new Set([...GIVEN_COMMON, ...[...givenCount].filter(([, c]) => c >= 2).map(([ch]) => ch)])].join('');
const givenSet = new Set([...given].map((c) => c.charCodeAt(0)));
const givenList = [...given];
// chars of transliterated / foreign names: names not led by a Chinese surname
const trCount = new Map<string, number>();
for (const n of names) if (!stdSur.has(n[0]) || n.length >= 4 && !COMPOUND_SURNAMES.includes(n.slice(0, 2))) for (const ch of n) trCount.set(ch, (trCount.get(ch) ?? 0) + 1);
const translit = [...trCount].filter(([, c]) => c >= 3).map(([ch]) => ch).join('');
// frequent bigrams outside names in the CLUENER training text
const bigrams = new Map<number, number>();
clue.forEach((s, idx) => {
  if (isHeldOut(idx)) return;
  const inName = new Uint8Array(s.text.length);
  for (const [a, b] of spansOf(s, 'name')) inName.fill(1, a, b);
  for (let i = 0; i + 1 < s.text.length; i++) {
    if (inName[i] || inName[i + 1]) continue;
    const a = s.text.charCodeAt(i), b = s.text.charCodeAt(i + 1);
    if (a < 0x4e00 || a > 0x9fff || b < 0x4e00 || b > 0x9fff) continue;
    const k = a * 65536 + b;
    bigrams.set(k, (bigrams.get(k) ?? 0) + 1);
  }
});
const words = new Uint8Array(1 << (WORD_BITS - 3));
let nWords = 0;
for (const [k, c] of bigrams) if (c >= Number(process.env.WORD_MIN ?? 3)) { const h = wordKey(Math.floor(k / 65536), k % 65536); words[h >>> 3] |= 1 << (h & 7); nWords++; }
// job titles / positions labelled in the CLUENER training sentences (seen at least twice)
const posCount = new Map<string, number>();
clue.forEach((s, idx) => { if (!isHeldOut(idx)) for (const k of Object.keys(s.label.position ?? {})) posCount.set(k, (posCount.get(k) ?? 0) + 1); });
const titles = [...posCount].filter(([k, c]) => c >= 2 && k.length >= 2 && k.length <= 6).map(([k]) => k).sort();
const gazOf = (entries: Array<[string, number]>) => buildGazetteer(entries.filter(([w, k]) => k === 1 ? /^[\u4e00-\u9fff·]{2,8}$/.test(w) : w.length >= 2));
const gazAll = gazOf([...gazEntries[0], ...gazEntries[1]]);
const gazFold = [gazOf(gazEntries[1]), gazOf(gazEntries[0])];
const uniq = (k: number) => [...new Set([...gazEntries[0], ...gazEntries[1]].filter(([w, kk]) => kk === k && (k === 1 ? /^[\u4e00-\u9fff·]{2,8}$/.test(w) : w.length >= 2 && w.length <= 12)).map(([w]) => w))].sort();
const gazNames = uniq(1), gazOther = uniq(2);
const base = { titles: titleIndex(titles), surnames: surnameSet, given: givenSet, translit: new Set([...translit].map((c) => c.charCodeAt(0))), words };
const sets = { ...base, gaz: gazAll };
const foldSets = [{ ...base, gaz: gazFold[0] }, { ...base, gaz: gazFold[1] }];
console.log(`gazetteer: ${gazNames.length} names, ${gazOther.length} other entities`);
console.log(`translit chars ${translit.length}; frequent bigrams ${nWords}; titles ${titles.length}`);
const rng = new Rng(20240601);
// broad pool: CJK chars frequent in CLUENER training text
const charCount = new Map<string, number>();
clue.forEach((s, idx) => { if (!isHeldOut(idx)) for (const ch of s.text) if (/[\u4e00-\u9fff]/.test(ch)) charCount.set(ch, (charCount.get(ch) ?? 0) + 1); });
const pool = [...charCount].filter(([, c]) => c >= 5).map(([ch]) => ch);
const nameGen = (r: Rng) => r.chance(Number(process.env.REAL_NAMES ?? 0.35)) ? r.pick(names) : makeName(r, givenList, pool);
const SYN = Number(process.env.SYNTH ?? 6000);
const SYN_NAMES = Number(process.env.SYNTH_NAMES ?? 6000);
const SYN_TABLES = Number(process.env.SYNTH_TABLES ?? 800);
for (let i = 0; i < SYN; i++) { const d = trainDoc(rng, nameGen); train.push(toSample(d.text, d.spans)); }
for (let i = 0; i < SYN_NAMES; i++) { const d = nameDoc(rng, nameGen); train.push(toSample(d.text, d.spans)); }
for (let i = 0; i < SYN_TABLES; i++) { const d = tableDoc(rng, nameGen); train.push(toSample(d.text, d.spans)); }
console.log(`train sentences ${train.length} (CLUENER ${clue.length - held.length}, synthetic ${SYN} + ${SYN_NAMES} name phrases + ${SYN_TABLES} tables); held-out ${held.length}; surnames ${surnameSet.size}, given chars ${givenSet.size}`);

const w = new Float32Array(BUCKETS * NT);
const u = new Float64Array(BUCKETS * NT);
const trans = new Float32Array((NT + 1) * NT);
const ut = new Float64Array((NT + 1) * NT);
let c = 1;
const featBuf = new Int32Array(4096 * NFEAT);
function avg(): { w: Float32Array; trans: Float32Array } {
  const aw = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) aw[i] = w[i] - u[i] / c;
  const at = new Float32Array(trans.length);
  for (let i = 0; i < trans.length; i++) at[i] = trans[i] - ut[i] / c;
  return { w: aw, trans: at };
}

function evalHeld(model: { w: Float32Array; trans: Float32Array } & typeof sets): string {
  let tp = 0, fp = 0, fn = 0;
  for (const h of held) {
    const got = tagText(h.text, model).filter((s) => s.type === 'person_name').map((s) => `${s.start}:${s.end}`);
    const gold = new Set(h.per.map(([a, b]) => `${a}:${b}`));
    for (const g of got) if (gold.has(g)) tp++; else fp++;
    fn += gold.size - got.filter((g) => gold.has(g)).length;
  }
  const p = tp / (tp + fp || 1), r = tp / (tp + fn || 1);
  return `P=${p.toFixed(3)} R=${r.toFixed(3)} F1=${(2 * p * r / (p + r || 1)).toFixed(3)}`;
}

for (let ep = 0; ep < EPOCHS; ep++) {
  // shuffle
  for (let i = train.length - 1; i > 0; i--) { const j = rng.int(0, i); [train[i], train[j]] = [train[j], train[i]]; }
  let errs = 0;
  for (const s of train) {
    const n = s.text.length;
    if (n === 0 || n > 4096) { c++; continue; }
    const f = features(s.text, s.fold === 1 ? foldSets[1] : foldSets[0], featBuf);
    const pred = viterbi(f, n, w, trans);
    let diff = false;
    for (let i = 0; i < n; i++) if (pred[i] !== s.gold[i]) { diff = true; break; }
    if (diff) {
      errs++;
      for (let i = 0; i < n; i++) {
        const g = s.gold[i], p = pred[i];
        if (g !== p) {
          const o = i * NFEAT;
          for (let k = 0; k < NFEAT; k++) {
            const b = f[o + k] * NT;
            w[b + g] += 1; u[b + g] += c;
            w[b + p] -= 1; u[b + p] -= c;
          }
        }
        const gp = i === 0 ? 0 : s.gold[i - 1] + 1, pp = i === 0 ? 0 : pred[i - 1] + 1;
        if (gp !== pp || g !== p) {
          trans[gp * NT + g] += 1; ut[gp * NT + g] += c;
          trans[pp * NT + p] -= 1; ut[pp * NT + p] -= c;
        }
      }
    }
    c++;
  }
  const a = avg();
  console.log(`epoch ${ep + 1}: sentence errors ${errs}/${train.length}; held-out CLUENER person ${evalHeld({ ...a, ...sets })} (${((Date.now() - t0) / 1000).toFixed(0)}s)`);
}
const a = avg();
const file = encodeModel(a.w, a.trans, { surnames, given, translit, words, titles, gazNames, gazOther }, THRESH);
const out = modelPath();
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, file);
const back = decodeModel(file);
console.log(`wrote ${out}: ${(file.length / 1024).toFixed(0)} KiB; quantised model held-out person ${evalHeld(back)}`);
