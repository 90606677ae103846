// Load client for bench/http-load.ts, in a worker thread (plain JavaScript: workers start without the TypeScript loader),
// or as a process of its own for bench/search-cpu.ts.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';

function post(agent, url, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function load(job) {
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const url = new URL(job.base + job.path);
  const headers = { authorization: `Bearer ${job.key}`, 'content-type': 'application/json' };
  const latencies = new Array(job.bodies.length);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: job.concurrency }, async () => {
    while (next < job.bodies.length) {
      const i = next++;
      const t = performance.now();
      const r = await post(agent, url, headers, job.bodies[i]);
      const j = JSON.parse(r.text);
      if (r.status !== 200 || j.records?.length !== 1) throw new Error(`search answered ${r.status}`);
      latencies[i] = performance.now() - t;
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { latencies, seconds };
}

if (!isMainThread) parentPort.postMessage(await load(workerData));
else if (process.argv[2]) {
  // As a process of its own (bench/search-cpu.ts): the job from a JSON file; prints the result and this process's CPU per request.
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const c0 = process.cpuUsage();
  const r = await load(job);
  const c = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ ...r, client_cpu_us: (c.user + c.system) / job.bodies.length }));
}
