/**
 * Emission sums and Viterbi decoding for the name model: float weights while training, a packed
 * table (three tags' integer weights per float64) for the shipped model, and a Viterbi unrolled
 * for the 7 tags.
 */
import { NT, NFEAT, BUCKETS } from './ner-features.js';

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
export function emissions16(feat: Int32Array, n: number, w: Int16Array, scale: number, em: Float32Array): void {
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
export function emissionsP(feat: Int32Array, n: number, wp: Float64Array, scale: number, em: Float32Array): void {
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
