/**
 * One document model rendered three ways: XLSX (exceljs), DOCX (docx) and PDF (pdfkit). Audit reports,
 * management reports and destruction certificates build a `Doc`; the renderers know nothing of them.
 * PDF uses the CJK font of src/core/cjk-font.ts; without one a PDF is refused with a clear problem (XLSX/DOCX still work).
 */
import { loadDocx, loadExcel, loadPdfkit } from '../core/lazy-libs.js';
import { useCjkFonts } from '../core/cjk-font.js';

export type Cell = string | number | boolean | null;
export interface Section { heading: string; paragraphs?: string[]; pairs?: Array<[string, Cell]>; table?: { columns: string[]; rows: Cell[][]; /** relative column widths (PDF) */ widths?: number[] } }
export interface Doc { title: string; subtitle?: string; sections: Section[] }
export type DocFormat = 'xlsx' | 'docx' | 'pdf';

export const CONTENT_TYPES: Record<DocFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
};

const text = (c: Cell) => (c === null || c === undefined ? '' : typeof c === 'boolean' ? (c ? '是 yes' : '否 no') : String(c));

export async function renderXlsx(doc: Doc): Promise<Buffer> {
  const ExcelJS = await loadExcel();
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Custodian';
  wb.created = new Date();
  const summary = wb.addWorksheet('摘要 Summary');
  summary.columns = [{ width: 40 }, { width: 80 }];
  summary.addRow([doc.title]).font = { bold: true, size: 14 };
  if (doc.subtitle) summary.addRow([doc.subtitle]);
  for (const s of doc.sections) {
    if (s.table) continue;
    summary.addRow([]);
    summary.addRow([s.heading]).font = { bold: true };
    for (const p of s.paragraphs ?? []) summary.addRow([p]);
    for (const [k, v] of s.pairs ?? []) summary.addRow([k, typeof v === 'number' ? v : text(v)]);
  }
  const used = new Set<string>();
  for (const s of doc.sections) {
    if (!s.table) continue;
    let name = s.heading.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31).trim() || 'Sheet';
    for (let i = 2; used.has(name); i++) name = `${name.slice(0, 28)} ${i}`;
    used.add(name);
    const ws = wb.addWorksheet(name);
    ws.addRow(s.table.columns).font = { bold: true };
    for (const row of s.table.rows) ws.addRow(row.map((c) => (typeof c === 'number' ? c : text(c))));
    ws.columns.forEach((c, i) => { c.width = Math.min(60, Math.max(12, ...s.table!.rows.slice(0, 200).map((r) => text(r[i]).length + 2), s.table!.columns[i].length + 2)); });
    ws.views = [{ state: 'frozen', ySplit: 1 }];
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function renderDocx(doc: Doc): Promise<Buffer> {
  const { AlignmentType, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } = await loadDocx();
  const children: Array<InstanceType<typeof Paragraph> | InstanceType<typeof Table>> = [new Paragraph({ text: doc.title, heading: HeadingLevel.TITLE })];
  if (doc.subtitle) children.push(new Paragraph({ children: [new TextRun({ text: doc.subtitle, italics: true })] }));
  const cell = (c: Cell, bold = false) => new TableCell({ children: [new Paragraph({ children: [new TextRun({ text: text(c), bold })] })] });
  for (const s of doc.sections) {
    children.push(new Paragraph({ text: s.heading, heading: HeadingLevel.HEADING_2 }));
    for (const p of s.paragraphs ?? []) children.push(new Paragraph({ text: p }));
    if (s.pairs?.length) children.push(new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows: s.pairs.map(([k, v]) => new TableRow({ children: [cell(k, true), cell(v)] })) }));
    if (s.table) {
      children.push(new Table({
        width: { size: 100, type: WidthType.PERCENTAGE },
        rows: [new TableRow({ tableHeader: true, children: s.table.columns.map((c) => cell(c, true)) }), ...s.table.rows.map((r) => new TableRow({ children: r.map((c) => cell(c)) }))],
      }));
    }
  }
  children.push(new Paragraph({ alignment: AlignmentType.RIGHT, children: [new TextRun({ text: `Custodian · ${new Date().toISOString()}`, size: 16 })] }));
  return Buffer.from(await Packer.toBuffer(new Document({ creator: 'Custodian', title: doc.title, sections: [{ children }] })));
}

export async function renderPdf(doc: Doc): Promise<Buffer> {
  const PDFDocument = await loadPdfkit();
  const pdf = new PDFDocument({ size: 'A4', margin: 50, info: { Title: doc.title, Creator: 'Custodian' } });
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((res, rej) => { pdf.on('end', () => res(Buffer.concat(chunks))); pdf.on('error', rej); });
  useCjkFonts(pdf);
  pdf.font('cjk');
  const width = pdf.page.width - 100;
  pdf.fontSize(18).text(doc.title, { align: 'center' });
  if (doc.subtitle) pdf.moveDown(0.3).fontSize(10).fillColor('#555').text(doc.subtitle, { align: 'center' }).fillColor('black');
  for (const s of doc.sections) {
    pdf.moveDown(0.8).fontSize(13).text(s.heading);
    pdf.moveTo(50, pdf.y + 2).lineTo(50 + width, pdf.y + 2).strokeColor('#999').stroke();
    pdf.moveDown(0.4).fontSize(9.5);
    for (const p of s.paragraphs ?? []) pdf.text(p, { width }).moveDown(0.3);
    for (const [k, v] of s.pairs ?? []) {
      const y = pdf.y;
      pdf.text(k, 50, y, { width: width * 0.35 });
      const yk = pdf.y;
      pdf.text(text(v), 50 + width * 0.37, y, { width: width * 0.63 });
      pdf.y = Math.max(yk, pdf.y) + 2;
      pdf.x = 50;
    }
    if (s.table) {
      const weights = s.table.widths ?? s.table.columns.map(() => 1);
      const sum = weights.reduce((a, b) => a + b, 0);
      const ws = weights.map((x) => (x / sum) * width);
      const xs = ws.map((_, i) => 50 + ws.slice(0, i).reduce((a, b) => a + b, 0));
      const row = (cells: string[], bold: boolean) => {
        // Keep a row on one page: measure it first, start a new page when it does not fit.
        const h = Math.max(...cells.map((c, i) => pdf.heightOfString(c || ' ', { width: ws[i] - 4 })));
        if (pdf.y + h > pdf.page.height - 50) pdf.addPage();
        const y = pdf.y;
        let bottom = y;
        cells.forEach((c, i) => { pdf.fillColor(bold ? '#000' : '#222').text(c, xs[i], y, { width: ws[i] - 4 }); bottom = Math.max(bottom, pdf.y); });
        pdf.y = bottom + 3;
        pdf.x = 50;
        pdf.moveTo(50, pdf.y - 1).lineTo(50 + width, pdf.y - 1).strokeColor('#ddd').stroke();
      };
      row(s.table.columns, true);
      for (const r of s.table.rows) row(r.map(text), false);
    }
  }
  pdf.end();
  return done;
}

export async function renderDoc(doc: Doc, format: DocFormat): Promise<Buffer> {
  return format === 'xlsx' ? renderXlsx(doc) : format === 'docx' ? renderDocx(doc) : renderPdf(doc);
}
