/** Plain-text table of findings for `custodian scan --format table`. */
import { TYPE_LABELS, type Finding } from './types.js';

function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}
function pad(s: string, w: number): string { return s + ' '.repeat(Math.max(0, w - width(s))); }

export function formatFindingsTable(findings: Array<Finding & { file: string }>): string {
  const head = ['文件 File', '位置 Where', '类型 Type', '预览 Preview', '置信度 Score'];
  const rows = findings.map((f) => [
    f.file,
    f.location?.cell ? `${f.location.sheet ? f.location.sheet + '!' : ''}${f.location.cell}` : f.location?.path ? `${f.line}:${f.column} ${f.location.path}` : `${f.line}:${f.column}`,
    `${TYPE_LABELS[f.type].zh} ${f.type}`,
    f.preview,
    f.score.toFixed(2),
  ]);
  const w = head.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]))));
  const line = (r: string[]) => r.map((c, i) => pad(c, w[i])).join('  ').trimEnd();
  const out = [line(head), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)];
  out.push(`共 ${findings.length} 处 / ${findings.length} finding(s)`);
  return out.join('\n');
}
