/**
 * The HTTP load client of the benchmarks, in a worker thread of its own so the client's work does not
 * share the server's event loop (as with a load generator in another process). Each request is a search
 * by phone with keep-alive; returns per-request latencies in ms. The worker is plain JavaScript
 * (http-load-worker.mjs) so it starts without a TypeScript loader.
 */
import { Worker } from 'node:worker_threads';

interface Job { base: string; path: string; key: string; bodies: string[]; concurrency: number }

export function runLoad(job: Job): Promise<{ latencies: number[]; seconds: number }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./http-load-worker.mjs', import.meta.url), { workerData: job });
    w.once('message', (m) => { resolve(m); void w.terminate(); });
    w.once('error', reject);
  });
}

