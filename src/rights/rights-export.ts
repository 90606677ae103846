/**
 * The export of an access, copy or portability request: everything held about the subject across
 * collections (decrypted, field names in zh-CN and en), its consents, and the registered processing
 * purposes that concern it, as JSON (machine-readable, for portability), CSV (UTF-8 with BOM, opens
 * in Excel and WPS) or XLSX (one sheet per part, zh-CN and en headers).
 */
import { loadExcel } from '../core/lazy-libs.js';
import type { SubjectExport } from '../vault/index.js';
import { csvCell } from './rights-rules.js';

export interface ConsentLine { purpose: string; state: string; notice: string; notice_version: number; channel: string; separate: boolean; granted_at: Date | string; withdrawn_at: Date | string | null }
export interface PurposeLine { name: string; title: string; title_en: string | null; legal_basis: string; description: string | null; automated_decision: boolean }

export interface ExportDocument {
  format: 'custodian-subject-export/v1';
  request_id: string;
  kind: string;
  generated_at: string;
  subject: { id: string; created_at: string };
  collections: SubjectExport['collections'];
  consents: Array<Omit<ConsentLine, 'granted_at' | 'withdrawn_at'> & { granted_at: string; withdrawn_at: string | null }>;
  processing: Array<{ purpose: string; title_zh: string; title_en: string | null; legal_basis: string; description: string | null; automated_decision: boolean; basis_for_you: string }>;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

export function buildExportDocument(input: { requestId: string; kind: string; now: Date; data: SubjectExport; consents: ConsentLine[]; purposes: PurposeLine[] }): ExportDocument {
  const consented = new Map(input.consents.map((c) => [c.purpose, c.state]));
  // Purposes that concern the subject: those with a non-consent basis (they apply to everyone held),
  // and consent-based ones the subject has a consent record for.
  const processing = input.purposes
    .filter((p) => p.legal_basis !== 'consent' || consented.has(p.name))
    .map((p) => ({
      purpose: p.name, title_zh: p.title, title_en: p.title_en, legal_basis: p.legal_basis, description: p.description, automated_decision: p.automated_decision,
      basis_for_you: p.legal_basis === 'consent' ? `consent ${consented.get(p.name)}` : p.legal_basis,
    }));
  return {
    format: 'custodian-subject-export/v1', request_id: input.requestId, kind: input.kind, generated_at: input.now.toISOString(),
    subject: { id: input.data.subject_id, created_at: input.data.created_at }, collections: input.data.collections,
    consents: input.consents.map((c) => ({ ...c, granted_at: iso(c.granted_at) as string, withdrawn_at: iso(c.withdrawn_at) })),
    processing,
  };
}

/** One row per value: section, collection, record, field, label zh, label en, value. */
export function exportCsv(doc: ExportDocument): string {
  const rows: unknown[][] = [['部分 section', '集合 collection', '记录 record', '字段 field', '字段名称', 'field name', '值 value']];
  for (const c of doc.collections) for (const r of c.records) for (const f of r.fields) rows.push(['data', c.name, r.id, f.name, f.label_zh, f.label_en, f.value]);
  for (const c of doc.consents) {
    rows.push(['consent', '', '', c.purpose, '同意状态', 'consent state', c.state]);
    rows.push(['consent', '', '', c.purpose, '告知文本版本', 'notice version', `${c.notice} v${c.notice_version}`]);
  }
  for (const p of doc.processing) rows.push(['processing', '', '', p.purpose, p.title_zh, p.title_en ?? '', p.basis_for_you]);
  return '\uFEFF' + rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** The same content as a workbook: sheets 个人信息 data, 同意 consents, 处理目的 processing. Cells are text, never formulas. */
export async function exportXlsx(doc: ExportDocument): Promise<Buffer> {
  const ExcelJS = await loadExcel();
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Custodian';
  wb.created = new Date(doc.generated_at);
  const sheet = (name: string, cols: Array<[string, number]>, rows: unknown[][]) => {
    const ws = wb.addWorksheet(name);
    ws.columns = cols.map(([header, width]) => ({ header, width }));
    ws.getRow(1).font = { bold: true };
    // A value that looks like a formula stays text: exceljs writes strings as shared strings, never formulas.
    for (const r of rows) ws.addRow(r.map((v) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : v)));
    ws.views = [{ state: 'frozen', ySplit: 1 }];
  };
  const data: unknown[][] = [];
  for (const c of doc.collections) for (const r of c.records) for (const f of r.fields) data.push([c.name, r.id, f.name, f.label_zh, f.label_en, f.value]);
  sheet('个人信息 data', [['集合 collection', 16], ['记录 record', 38], ['字段 field', 14], ['字段名称', 14], ['field name', 16], ['值 value', 40]], data);
  sheet('同意 consents', [['目的 purpose', 18], ['状态 state', 12], ['告知文本 notice', 20], ['版本 version', 10], ['渠道 channel', 10], ['单独同意 separate', 14], ['同意时间 granted at', 24], ['撤回时间 withdrawn at', 24]],
    doc.consents.map((c) => [c.purpose, c.state, c.notice, c.notice_version, c.channel, c.separate ? '是 yes' : '否 no', c.granted_at, c.withdrawn_at]));
  sheet('处理目的 processing', [['目的 purpose', 18], ['名称', 16], ['title', 20], ['合法性基础 legal basis', 18], ['对您的依据 basis for you', 22], ['自动化决策 automated decision', 16], ['说明 description', 40]],
    doc.processing.map((p) => [p.purpose, p.title_zh, p.title_en, p.legal_basis, p.basis_for_you, p.automated_decision ? '是 yes' : '否 no', p.description]));
  return Buffer.from(await wb.xlsx.writeBuffer());
}
