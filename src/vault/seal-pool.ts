/**
 * Worker threads that seal the chunks of large batch writes (ADR 0018). Sealing is most of a batch write's CPU (one
 * AES-GCM or SM4 + HMAC-SM3 message per field, a wrapped key per new subject, an HMAC per searchable field); in worker
 * threads it runs beside the server's event loop, which meanwhile sends the sealed chunks to the database and answers
 * other requests. Workers start on first use, and hold the process open only while they have work.
 *
 * The jobs carry the keys they need (the subject keys, the current KEK, the fields' index keys), copied into buffers of
 * their own for the message and zeroed once it is sent; the worker zeroes its copies after each chunk. Workers are
 * threads of this process: the keys never leave its memory.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { PreparedKey } from '../crypto/suites.js';
import { type Packed, type SealedChunk, type SealJob } from './seal-chunk.js';

interface Slot { worker: Worker; jobs: Set<number> }
interface Waiter { resolve(r: SealedChunk): void; reject(e: Error): void; slot: Slot }

const copy = (b: Uint8Array) => new Uint8Array(b); // its own ArrayBuffer: a pooled Buffer's neighbours stay here
const wireKey = (k: PreparedKey) => ({ suite: k.suite, enc: copy(k.enc), mac: copy(k.mac) });
const packed = (p: Packed): Packed => ({ blob: Buffer.from(p.blob.buffer, p.blob.byteOffset, p.blob.byteLength), lengths: p.lengths });

/**
 * The built server runs seal-worker.js. From the TypeScript sources (tests, benchmarks) the worker first registers tsx's
 * loader (a development dependency): a worker's own entry point does not go through loader hooks given on its command
 * line in Node 20.
 */
function startWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./seal-worker.js', here));
  const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const entry = new URL('./seal-worker.ts', here).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, { eval: true });
}

export class SealPool {
  private slots: Slot[] = [];
  private waiting = new Map<number, Waiter>();
  private seq = 0;
  private closed = false;

  /** `size` worker threads; a write of at least `minRecords` records uses them, a smaller one seals in-process. */
  constructor(readonly size: number, readonly minRecords = 256) {
    if (!Number.isInteger(size) || size < 1) throw new Error('a seal pool needs at least one worker');
  }

  private spawn(): Slot {
    const worker = startWorker();
    worker.unref();
    const slot: Slot = { worker, jobs: new Set() };
    worker.on('message', (m: { n: number; r?: SealedChunk; error?: string }) => {
      const w = this.waiting.get(m.n);
      if (!w) return;
      this.settle(slot, m.n);
      if (m.error !== undefined || !m.r) { w.reject(new Error(`seal worker: ${m.error ?? 'no result'}`)); return; }
      const r = m.r;
      w.resolve({ ...r, wrapped: packed(r.wrapped), sealed: packed(r.sealed), hashes: packed(r.hashes) });
    });
    const fail = (e: Error) => {
      this.slots = this.slots.filter((s) => s !== slot);
      for (const n of [...slot.jobs]) { const w = this.waiting.get(n); this.settle(slot, n); w?.reject(e); }
    };
    worker.on('error', (e) => fail(e instanceof Error ? e : new Error(String(e))));
    worker.on('exit', (code) => fail(new Error(`seal worker exited (${code})`)));
    this.slots.push(slot);
    return slot;
  }

  private settle(slot: Slot, n: number) {
    this.waiting.delete(n);
    slot.jobs.delete(n);
    if (slot.jobs.size === 0) slot.worker.unref();
  }

  /** Seal one chunk in the least busy worker. */
  seal(job: SealJob): Promise<SealedChunk> {
    if (this.closed) return Promise.reject(new Error('seal pool closed'));
    const slot = this.slots.length < this.size ? this.spawn() : this.slots.reduce((a, b) => (b.jobs.size < a.jobs.size ? b : a));
    const n = ++this.seq;
    const wire = { ...job, kek: wireKey(job.kek), keys: job.keys.map((k) => (k ? wireKey(k) : null)), indexKeys: Object.fromEntries(Object.entries(job.indexKeys).map(([f, k]) => [f, copy(k)])) };
    return new Promise<SealedChunk>((resolve, reject) => {
      this.waiting.set(n, { resolve, reject, slot });
      if (slot.jobs.size === 0) slot.worker.ref();
      slot.jobs.add(n);
      slot.worker.postMessage({ n, job: wire });
      // postMessage has cloned the job: this thread's copies of the keys are not needed any more.
      for (const k of [wire.kek, ...wire.keys]) if (k) { k.enc.fill(0); k.mac.fill(0); }
      for (const k of Object.values(wire.indexKeys)) k.fill(0);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
