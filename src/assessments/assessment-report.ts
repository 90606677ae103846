/**
 * The assessment report (个人信息保护影响评估报告) in zh-CN, as PDF (pdfkit, with Noto Sans SC embedded
 * as a subset) and DOCX (docx; Word and WPS supply the CJK font). One document model feeds both.
 * The font comes from the npm package @embedpdf/fonts-sc (SIL OFL 1.1), else Debian's fonts-noto-cjk;
 * with neither, the PDF is refused with a clear error and the DOCX still works.
 */
import { loadDocx, loadPdfkit } from '../core/lazy-libs.js';
import { useCjkFonts } from '../core/cjk-font.js';
import { QUESTIONNAIRE } from './questionnaire.js';
import type { RiskMatrix } from '../risks/index.js';
import { RIGHTS_IMPACT_TITLES, RISK_SOURCE_TITLES, TRIGGER_TITLES, type RiskSource, type RightsImpact, type RiskSourceCategory, type Trigger } from './assessment-types.js';
import { overallLevels } from './assessment-rules.js';

export interface ReportInput {
  id: string; title: string; activity: string; triggers: string[]; state: string; answers: Record<string, unknown>; risk_sources: RiskSource[]; matrix: RiskMatrix;
  created_by: string; created_at: string; submitted_at: string | null; decided_by: string | null; decided_at: string | null; decision_note: string | null; locked_until: string | null; next_review: string | null;
  tenant: string; generated_at: string;
}

type Block = { h1: string } | { h2: string } | { p: string; muted?: boolean } | { kv: Array<[string, string]> } | { table: { head: string[]; rows: string[][]; widths: number[] } };

const STATE_ZH: Record<string, string> = { draft: '草稿', submitted: '待审批', approved: '已批准', rejected: '未通过' };

function answerText(v: unknown, options?: Array<{ value: string; zh: string }>): string {
  if (v === undefined || v === null || v === '') return '（未填写）';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (Array.isArray(v)) return v.map((x) => options?.find((o) => o.value === x)?.zh ?? String(x)).join('、');
  if (typeof v === 'string' && options) return options.find((o) => o.value === v)?.zh ?? v;
  return String(v);
}

/** The report's content as blocks, in the order of GB/T 39335-2020. */
export function reportBlocks(r: ReportInput): Block[] {
  const levelZh = (l: string | null) => (l ? r.matrix.levels.find((x) => x.level === l)?.zh ?? l : '—');
  const scaleZh = (axis: 'likelihood' | 'impact', v: number) => `${v} ${r.matrix[axis].find((s) => s.value === v)?.zh ?? ''}`.trim();
  const overall = overallLevels(r.matrix, r.risk_sources);
  const blocks: Block[] = [
    { h1: '个人信息保护影响评估报告' },
    { p: `依据《中华人民共和国个人信息保护法》第五十五条、第五十六条及 GB/T 39335-2020《信息安全技术 个人信息安全影响评估指南》`, muted: true },
    { kv: [
      ['评估名称', r.title], ['评估编号', r.id], ['处理活动', r.activity],
      ['评估触发情形', r.triggers.length ? r.triggers.map((t) => TRIGGER_TITLES[t as Trigger]?.zh ?? t).join('；') : '无（自愿评估）'],
      ['状态', STATE_ZH[r.state] ?? r.state], ['发起人', r.created_by], ['发起时间', r.created_at], ['提交审批时间', r.submitted_at ?? '—'],
      ['审批人（个人信息保护负责人）', r.decided_by ?? '—'], ['审批时间', r.decided_at ?? '—'], ['保存至（不得删除）', r.locked_until ?? '—'], ['下次复评', r.next_review ?? '—'],
    ] },
  ];
  for (const step of QUESTIONNAIRE) {
    blocks.push({ h2: step.zh });
    for (const q of step.questions) blocks.push({ kv: [[q.zh, answerText(r.answers[q.id], q.options)]] });
    if (step.id === 'risk_sources') {
      blocks.push({ table: {
        head: ['序号', '风险源类别', '描述', '个人权益影响', '可能性', '影响程度', '风险值', '风险等级'],
        widths: [5, 14, 27, 18, 9, 9, 8, 10],
        rows: r.risk_sources.map((s, i) => [String(i + 1), RISK_SOURCE_TITLES[s.category as RiskSourceCategory]?.zh ?? s.category, s.description,
          (s.rights_impacts ?? []).map((x) => RIGHTS_IMPACT_TITLES[x as RightsImpact]?.zh ?? x).join('；') || '—', scaleZh('likelihood', s.likelihood), scaleZh('impact', s.impact), String(s.score), levelZh(s.level)]),
      } });
    }
    if (step.id === 'likelihood') {
      blocks.push({ h2: '七、风险判定' });
      blocks.push({ kv: [['固有风险（最高）', levelZh(overall.inherent)], ['残余风险（最高）', levelZh(overall.residual)], ['可接受水平', levelZh(r.matrix.acceptable_level)]] });
      blocks.push({ p: `风险矩阵：风险值 = 可能性 × 影响程度；${r.matrix.levels.map((l) => `${l.zh}（≥${l.min_score}）`).join('，')}。` });
    }
    if (step.id === 'treatment') {
      blocks.push({ table: {
        head: ['序号', '处置措施', '残余可能性', '残余影响', '残余风险值', '残余风险等级'],
        widths: [6, 44, 13, 13, 12, 12],
        rows: r.risk_sources.map((s, i) => [String(i + 1), s.mitigation ?? '（无需处置）', scaleZh('likelihood', s.residual_likelihood ?? s.likelihood), scaleZh('impact', s.residual_impact ?? s.impact), String(s.residual_score), levelZh(s.residual_level)]),
      } });
    }
  }
  blocks.push({ h2: '十、审批意见' });
  blocks.push({ p: r.decision_note ?? '（尚未审批）' });
  blocks.push({ p: `本报告由 Custodian 于 ${r.generated_at} 生成（租户 ${r.tenant}）。依法至少保存三年。`, muted: true });
  return blocks;
}

export async function renderPdf(r: ReportInput): Promise<Buffer> {
  const PDFDocument = await loadPdfkit();
  const doc = new PDFDocument({ size: 'A4', margin: 56, bufferPages: true, info: { Title: `个人信息保护影响评估报告 ${r.title}`, Author: 'Custodian', CreationDate: new Date(r.generated_at) } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => { doc.on('end', () => resolve()); doc.on('error', reject); });
  useCjkFonts(doc);
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const ensure = (h: number) => { if (doc.y + h > doc.page.height - doc.page.margins.bottom) doc.addPage(); };
  for (const b of reportBlocks(r)) {
    if ('h1' in b) { doc.font('cjk-bold').fontSize(20).fillColor('#000').text(b.h1, { align: 'center' }); doc.moveDown(0.6); }
    else if ('h2' in b) { ensure(60); doc.moveDown(0.6); doc.font('cjk-bold').fontSize(14).fillColor('#000').text(b.h2); doc.moveDown(0.3); }
    else if ('p' in b) { doc.font('cjk').fontSize(b.muted ? 9 : 10.5).fillColor(b.muted ? '#555' : '#000').text(b.p, { width }); doc.moveDown(0.4); }
    else if ('kv' in b) {
      for (const [k, v] of b.kv) {
        ensure(30);
        doc.font('cjk-bold').fontSize(10.5).fillColor('#000').text(`${k}：`, { continued: true }).font('cjk').text(v, { width });
      }
      doc.moveDown(0.3);
    } else {
      const t = b.table;
      const total = t.widths.reduce((a, x) => a + x, 0);
      const cols = t.widths.map((w) => (w / total) * width);
      const row = (cells: string[], bold: boolean) => {
        doc.font(bold ? 'cjk-bold' : 'cjk').fontSize(9);
        const h = Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: cols[i] - 6 }))) + 6;
        ensure(h);
        const y = doc.y;
        let x = doc.page.margins.left;
        cells.forEach((c, i) => {
          doc.rect(x, y, cols[i], h).strokeColor('#999').lineWidth(0.5).stroke();
          doc.fillColor('#000').text(c, x + 3, y + 3, { width: cols[i] - 6 });
          x += cols[i];
        });
        doc.x = doc.page.margins.left;
        doc.y = y + h;
      };
      row(t.head, true);
      if (t.rows.length === 0) row(t.head.map((_, i) => (i === 0 ? '—' : '')), false);
      for (const cells of t.rows) row(cells, false);
      doc.moveDown(0.5);
    }
  }
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font('cjk').fontSize(8).fillColor('#777').text(`${r.title} · 第 ${i + 1} 页 / 共 ${range.count} 页`, doc.page.margins.left, doc.page.height - 36, { width, align: 'center' });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

export async function renderDocx(r: ReportInput): Promise<Buffer> {
  const { AlignmentType, BorderStyle, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } = await loadDocx();
  const font = { ascii: 'Arial', eastAsia: 'SimSun', hAnsi: 'Arial' };
  const run = (text: string, opts: { bold?: boolean; size?: number; color?: string } = {}) => new TextRun({ text, bold: opts.bold, size: opts.size, color: opts.color, font });
  const border = { style: BorderStyle.SINGLE, size: 4, color: '999999' };
  const children: Array<InstanceType<typeof Paragraph> | InstanceType<typeof Table>> = [];
  for (const b of reportBlocks(r)) {
    if ('h1' in b) children.push(new Paragraph({ heading: HeadingLevel.TITLE, alignment: AlignmentType.CENTER, children: [run(b.h1, { bold: true, size: 36 })] }));
    else if ('h2' in b) children.push(new Paragraph({ heading: HeadingLevel.HEADING_2, spacing: { before: 240, after: 120 }, children: [run(b.h2, { bold: true, size: 28 })] }));
    else if ('p' in b) children.push(new Paragraph({ children: [run(b.p, { size: b.muted ? 18 : 21, color: b.muted ? '555555' : undefined })] }));
    else if ('kv' in b) for (const [k, v] of b.kv) children.push(new Paragraph({ children: [run(`${k}：`, { bold: true, size: 21 }), run(v, { size: 21 })] }));
    else {
      const t = b.table;
      const total = t.widths.reduce((a, x) => a + x, 0);
      const cell = (text: string, i: number, bold: boolean) => new TableCell({ width: { size: Math.round((t.widths[i] / total) * 100), type: WidthType.PERCENTAGE }, borders: { top: border, bottom: border, left: border, right: border }, children: [new Paragraph({ children: [run(text, { bold, size: 18 })] })] });
      children.push(new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows: [
        new TableRow({ tableHeader: true, children: t.head.map((h, i) => cell(h, i, true)) }),
        ...t.rows.map((cells) => new TableRow({ children: cells.map((c, i) => cell(c, i, false)) })),
      ] }));
    }
  }
  const doc = new Document({ creator: 'Custodian', title: `个人信息保护影响评估报告 ${r.title}`, styles: { default: { document: { run: { font } } } }, sections: [{ children }] });
  return Packer.toBuffer(doc);
}
