/**
 * `npm run bench`: runs every benchmark of the project and writes bench/results/latest.json plus a
 * short markdown table (bench/results/latest.md) with each figure beside its target and baseline.
 * Benchmarks are measurements, never pass/fail tests. Set BENCH_ONLY=vault,detect to pick some.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.env.BENCH_ONLY?.split(',');
const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).filter((f) => !only || only.includes(f.replace('.bench.ts', '')));
const results: Record<string, unknown> = {
  at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memory_gb: Math.round(os.totalmem() / 2 ** 30),
};
for (const f of files) {
  const name = f.replace('.bench.ts', '');
  process.stderr.write(`bench ${name}…\n`);
  const t0 = performance.now();
  try {
    const mod = await import(pathToFileURL(join(here, f)).href) as { run: () => Promise<Record<string, unknown>> };
    results[name] = { ...(await mod.run()), seconds: Math.round((performance.now() - t0) / 1000) };
  } catch (e) {
    results[name] = { error: (e as Error).message };
  }
}
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'latest.json'), JSON.stringify(results, null, 2) + '\n');

const lines = ['# Benchmark results', '', `${results.at} · Node ${results.node} · ${results.cpus} cores · ${results.cpu}`, '', '| benchmark | figure | measured | target / baseline |', '|---|---|---|---|'];
function walk(prefix: string, v: unknown, bench: string) {
  if (v && typeof v === 'object' && !Array.isArray(v)) { for (const [k, x] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, x, bench); return; }
  if (typeof v === 'number' && !prefix.startsWith('targets')) lines.push(`| ${bench} | ${prefix} | ${v} | ${targetFor(bench, prefix)} |`);
}
function targetFor(bench: string, key: string): string {
  const t = (results[bench] as { targets?: Record<string, number> })?.targets ?? {};
  const leaf = key.split('.').pop() as string;
  const match = Object.entries(t).find(([k]) => leaf.startsWith(k) || k.startsWith(leaf));
  return match ? String(match[1]) : '';
}
for (const f of files) { const b = f.replace('.bench.ts', ''); walk('', results[b], b); }
writeFileSync(join(here, 'results', 'latest.md'), lines.join('\n') + '\n');
console.log(JSON.stringify(results, null, 2));
