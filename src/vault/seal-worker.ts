/**
 * Worker thread of the seal pool (seal-pool.ts): seals chunks of batch writes with sealChunk, the function the server
 * also runs in-process. Keys and buffers arrive as Uint8Array (structured clone) and are viewed as Buffers again.
 * Error messages go back without the job's content: no values and no keys leave this thread except in the result.
 */
import { parentPort } from 'node:worker_threads';
import type { PreparedKey } from '../crypto/suites.js';
import { sealChunk, type SealJob } from './seal-chunk.js';

const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
const key = (k: PreparedKey): PreparedKey => ({ suite: k.suite, enc: buf(k.enc), mac: buf(k.mac) });

parentPort?.on('message', (m: { n: number; job: SealJob }) => {
  const j = m.job;
  try {
    const indexKeys: Record<string, Uint8Array> = {};
    for (const [f, k] of Object.entries(j.indexKeys)) indexKeys[f] = buf(k);
    const r = sealChunk({ ...j, kek: key(j.kek), keys: j.keys.map((k) => (k ? key(k) : null)), indexKeys });
    parentPort?.postMessage({ n: m.n, r });
  } catch (e) {
    parentPort?.postMessage({ n: m.n, error: e instanceof Error ? `${e.name}: ${e.message}` : 'sealing failed' });
  } finally {
    // The copies of the keys this job brought: zeroed once the chunk is sealed.
    for (const k of [j.kek, ...j.keys]) if (k) { k.enc.fill(0); k.mac.fill(0); }
    for (const k of Object.values(j.indexKeys)) k.fill(0);
  }
});
