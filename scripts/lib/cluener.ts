/** Read CLUENER2020 train.json (pretty-printed JSON values one after another) and the fixed split. */
import { readFileSync } from 'node:fs';

export interface ClueSentence { text: string; label: Record<string, Record<string, Array<[number, number]>>> }
export const CLUENER_PATH = process.env.CLUENER_PATH ?? '/work/shared/data/cluener/train.json';

/** Split a stream of concatenated JSON values by brace depth (strings respected). */
export function parseJsonValues(src: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0, start = -1, inStr = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (inStr) { if (c === '\\') i++; else if (c === '"') inStr = false; continue; }
    if (c === '"') inStr = true;
    else if (c === '{') { if (depth++ === 0) start = i; }
    else if (c === '}') { if (--depth === 0) out.push(JSON.parse(src.slice(start, i + 1))); }
  }
  return out;
}

export function loadCluener(path = CLUENER_PATH): ClueSentence[] {
  return parseJsonValues(readFileSync(path, 'utf8')) as ClueSentence[];
}

/** Fixed held-out split: every 10th sentence (index % 10 === 0) is for evaluation only. */
export function isHeldOut(index: number): boolean { return index % 10 === 0; }

/** Gold spans [start, endExclusive) of a label type. */
export function spansOf(s: ClueSentence, type: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const occ of Object.values(s.label[type] ?? {})) for (const [a, b] of occ) out.push([a, b + 1]);
  return out.sort((x, y) => x[0] - y[0]);
}
