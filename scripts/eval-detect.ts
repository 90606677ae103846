/**
 * Evaluate detection: exact-span precision / recall / F1 per type on the labelled corpus
 * test/fixtures/detect/eval.jsonl (person_name/address also per genre), and person-name F1 on the
 * fixed held-out tenth of CLUENER2020 (never used for training).   Run: npm run eval:detect
 */
import { readFileSync, existsSync } from 'node:fs';
import { scanText } from '../src/detect/index.js';
import { loadCluener, isHeldOut, spansOf, CLUENER_PATH } from './lib/cluener.js';

interface Doc { id: string; genre: string; text: string; spans: Array<{ type: string; start: number; end: number }> }
const docs: Doc[] = readFileSync(new URL('../test/fixtures/detect/eval.jsonl', import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
type C = { tp: number; fp: number; fn: number };
const per = new Map<string, C>();
const get = (k: string) => { let c = per.get(k); if (!c) per.set(k, c = { tp: 0, fp: 0, fn: 0 }); return c; };
const errors: string[] = [];
for (const d of docs) {
  const got = scanText(d.text).map((f) => ({ type: f.type as string, start: f.start, end: f.end }));
  const key = (s: { type: string; start: number; end: number }) => `${s.type}:${s.start}:${s.end}`;
  const gold = new Set(d.spans.map(key));
  const pred = new Set(got.map(key));
  for (const g of got) {
    const hit = gold.has(key(g));
    for (const k of [g.type, ...(g.type === 'person_name' || g.type === 'address' ? [`${g.type}@${d.genre}`] : [])]) get(k)[hit ? 'tp' : 'fp']++;
    if (d.genre === 'negative') get('negative-docs-fp').fp++;
    if (!hit && errors.length < 40) errors.push(`FP ${g.type} ${JSON.stringify(d.text.slice(g.start, g.end))} in ${d.id}`);
  }
  for (const s of d.spans) if (!pred.has(key(s))) {
    get(s.type).fn++;
    if (s.type === 'person_name' || s.type === 'address') get(`${s.type}@${d.genre}`).fn++;
    if (errors.length < 4000) errors.push(`FN ${s.type} ${JSON.stringify(d.text.slice(s.start, s.end))} in ${d.id}`);
  }
}
const f1 = (c: C) => { const p = c.tp / (c.tp + c.fp || 1), r = c.tp / (c.tp + c.fn || 1); return { p, r, f: 2 * p * r / (p + r || 1) }; };
const rows: string[] = [];
rows.push(`${'type'.padEnd(26)} ${'P'.padStart(6)} ${'R'.padStart(6)} ${'F1'.padStart(6)}   tp/fp/fn`);
for (const [k, c] of [...per].sort()) {
  if (k === 'negative-docs-fp') continue;
  const { p, r, f } = f1(c);
  rows.push(`${k.padEnd(26)} ${p.toFixed(3).padStart(6)} ${r.toFixed(3).padStart(6)} ${f.toFixed(3).padStart(6)}   ${c.tp}/${c.fp}/${c.fn}`);
}
console.log(`Labelled corpus: ${docs.length} documents, ${docs.reduce((a, d) => a + d.spans.length, 0)} spans (exact span match)`);
console.log(rows.join('\n'));
console.log(`false positives in hard-negative documents: ${per.get('negative-docs-fp')?.fp ?? 0}`);
if (process.argv.includes('--errors')) console.log(errors.join('\n'));

if (existsSync(CLUENER_PATH)) {
  const clue = loadCluener();
  const c: C = { tp: 0, fp: 0, fn: 0 };
  let n = 0;
  clue.forEach((s, i) => {
    if (!isHeldOut(i)) return;
    n++;
    const gold = new Set(spansOf(s, 'name').map(([a, b]) => `${a}:${b}`));
    const got = new Set(scanText(s.text, { types: ['person_name'] }).map((f) => `${f.start}:${f.end}`));
    for (const g of got) if (gold.has(g)) c.tp++; else c.fp++;
    for (const g of gold) if (!got.has(g)) c.fn++;
  });
  const { p, r, f } = f1(c);
  console.log(`CLUENER held-out (every 10th sentence, ${n} sentences) person_name: P=${p.toFixed(3)} R=${r.toFixed(3)} F1=${f.toFixed(3)}`);
} else console.log(`CLUENER not found at ${CLUENER_PATH}; skipped`);
