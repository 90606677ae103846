/**
 * Throughput of detection on mixed Chinese text, one core: structured recognisers alone and with
 * the name/address model. Median of several runs. Wall-clock rates are the headline; the rates per
 * second of this process's CPU time (user + system) are given beside them, because on a shared
 * machine wall time also counts the time other processes hold the core. The 1-minute load average
 * at the start tells how shared it was. Writes nothing; returns the figures.
 * Run alone: node --import tsx bench/detect.bench.ts
 */
import os from 'node:os';
import { scanText } from '../src/detect/index.js';
import { Rng, genCnId, genMobile, genBankCard, genUscc } from '../src/detect/synth.js';

function corpus(bytesTarget: number, density = 1): string {
  const r = new Rng(5);
  const filler = [
    '本合同自双方签字盖章之日起生效，未尽事宜由双方另行协商解决。',
    '客服：您好，请问有什么可以帮您？用户：我想查询一下订单的物流进度。',
    '根据《中华人民共和国个人信息保护法》，处理个人信息应当具有明确、合理的目的。',
    '会议纪要：第三季度营收同比增长12.5%，净利润为3,456.78万元。',
  ];
  const parts: string[] = [];
  let bytes = 0;
  while (bytes < bytesTarget) {
    const s = r.pick(filler) + (r.chance(0.3 * density) ? `联系人王建国，手机${genMobile(r)}，身份证${genCnId(r)}。` : '') +
      (r.chance(0.1 * density) ? `卡号${genBankCard(r)}，信用代码${genUscc(r)}，订单号${r.digits(20)}。` : '') + '\n';
    parts.push(s);
    bytes += Buffer.byteLength(s);
  }
  return parts.join('');
}

function median(a: number[]): number { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; }

export async function run(): Promise<Record<string, unknown>> {
  const text = corpus(8 * 1024 * 1024);
  const mb = Buffer.byteLength(text) / (1024 * 1024);
  scanText(text.slice(0, 100_000)); // warm-up (loads the model)
  const loadAvg1m = Math.round(os.loadavg()[0] * 100) / 100;
  const measure = (names: boolean, runs: number, t: string) => {
    const rates: number[] = [], cpuRates: number[] = [];
    let findings = 0;
    const mbIn = Buffer.byteLength(t) / (1024 * 1024);
    for (let i = 0; i < runs; i++) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      findings = scanText(t, { names }).length;
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      const c = process.cpuUsage(c0);
      rates.push(mbIn / s);
      cpuRates.push(mbIn / ((c.user + c.system) / 1e6));
    }
    return { mbPerSec: Math.round(median(rates) * 10) / 10, cpuMbPerSec: Math.round(median(cpuRates) * 10) / 10, runs, findings };
  };
  const structured = measure(false, 9, text);
  const sparse = measure(false, 9, corpus(8 * 1024 * 1024, 0.05));
  const small = text.slice(0, Math.floor(text.length / 4));
  const withNames = measure(true, 5, small);
  return {
    bench: 'detect',
    inputMB: Math.round(mb * 10) / 10,
    structuredMBps: structured.mbPerSec,
    structuredCpuMBps: structured.cpuMbPerSec,
    structuredTarget: 100,
    structuredSparseMBps: sparse.mbPerSec,
    structuredSparseCpuMBps: sparse.cpuMbPerSec,
    findingsPerMB: Math.round(structured.findings / mb),
    findingsPerMBSparse: Math.round(sparse.findings / 8),
    withNamesMBps: withNames.mbPerSec,
    withNamesCpuMBps: withNames.cpuMbPerSec,
    withNamesTarget: 5,
    loadAvg1m,
    findingsStructured: structured.findings,
    node: process.version,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then((r) => console.log(JSON.stringify(r, null, 2)));
}
