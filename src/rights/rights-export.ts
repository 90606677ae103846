/**
 * The export of an access, copy or portability request: everything held about the subject across
 * collections (decrypted, field names in zh-CN and en), its consents, and the registered processing
 * purposes that concern it, as JSON (machine-readable, for portability) or CSV (UTF-8 with BOM, opens
 * in Excel and WPS).
 */
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
