/**
 * The register of processing activities as files: JSON (machine-readable, every field) and XLSX
 * (exceljs; three sheets — activities, PI fields, recipients — with zh-CN and en headers) for
 * regulators, auditors and the PI protection officer.
 */
import type ExcelJS from 'exceljs';
import { loadExcel } from '../core/lazy-libs.js';
import { CATEGORY_LABELS, TYPE_INFO, type Category, type FieldType } from '../core/pi-catalog.js';
import {
  ACTIVITY_STATE_LABELS, END_ACTION_LABELS, LEGAL_BASIS_SHORT, OPERATION_LABELS, RECIPIENT_KIND_LABELS, SECURITY_MEASURE_LABELS, SOURCE_LABELS,
  SUBJECT_CATEGORY_LABELS, TRANSFER_MECHANISM_LABELS, TRIGGER_LABELS,
} from './consent-catalog.js';
import type { ActivityComputed, ActivityRecipient, Triggers } from './consent-types.js';

/** The shape the service presents; only what the files need. */
export interface ExportActivity {
  id: string; name: string; state: string; revision: number; description?: string; purposes: string[]; legal_basis: string;
  subject_categories?: string[]; estimated_subjects?: number; other_pi?: Array<{ label: string; category: Category; sensitive?: boolean }>;
  sources?: string[]; operations?: string[]; manner?: string; automated_decision?: boolean; recipients?: ActivityRecipient[];
  cross_border?: { countries: string[]; recipients?: string[]; mechanism?: string; note?: string } | null;
  retention?: { period: string; days?: number; end_action?: string }; security_measures?: string[]; security_notes?: string;
  department?: string; owner?: string; owner_contact?: string; systems?: string[]; notice?: string;
  computed: ActivityComputed; triggers: Triggers; created_at: Date; updated_at: Date; activated_at: Date | null; retired_at: Date | null;
}
export interface ExportContext { tenant: string; generatedAt: Date; purposes: Array<{ name: string; title: string; title_en: string | null; legal_basis: string }> }

type L = { zh: string; en: string };
const zh = (labels: Record<string, L>, keys: string[] | undefined) => (keys ?? []).map((k) => labels[k]?.zh ?? k).join('、');
const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export function buildActivitiesJson(rows: ExportActivity[], ctx: ExportContext) {
  return {
    format: 'custodian.processing-activities/1',
    tenant: ctx.tenant,
    generated_at: ctx.generatedAt.toISOString(),
    count: rows.length,
    activities: rows.map((a) => ({
      ...a,
      purposes: a.purposes.map((p) => { const x = ctx.purposes.find((y) => y.name === p); return { name: p, title: x?.title ?? null, title_en: x?.title_en ?? null }; }),
      created_at: iso(a.created_at), updated_at: iso(a.updated_at), activated_at: iso(a.activated_at), retired_at: iso(a.retired_at),
    })),
  };
}

const COLUMNS: Array<{ zh: string; en: string; width: number; value: (a: ExportActivity, ctx: ExportContext) => string | number | null }> = [
  { zh: '编号', en: 'ID', width: 24, value: (a) => a.id },
  { zh: '处理活动名称', en: 'Activity', width: 24, value: (a) => a.name },
  { zh: '状态', en: 'State', width: 8, value: (a) => (ACTIVITY_STATE_LABELS as Record<string, L>)[a.state]?.zh ?? a.state },
  { zh: '处理目的', en: 'Purposes', width: 24, value: (a, ctx) => a.purposes.map((p) => { const x = ctx.purposes.find((y) => y.name === p); return x ? `${x.title}（${p}）` : p; }).join('、') },
  { zh: '合法性基础', en: 'Legal basis', width: 18, value: (a) => LEGAL_BASIS_SHORT[a.legal_basis]?.zh ?? a.legal_basis },
  { zh: '个人信息主体类别', en: 'Categories of individuals', width: 18, value: (a) => zh(SUBJECT_CATEGORY_LABELS, a.subject_categories) },
  { zh: '主体规模（估计）', en: 'Individuals (estimate)', width: 12, value: (a) => a.estimated_subjects ?? null },
  { zh: '个人信息种类', en: 'PI categories', width: 24, value: (a) => a.computed.categories.map((c) => CATEGORY_LABELS[c as Category]?.zh ?? c).join('、') },
  { zh: '个人信息字段', en: 'PI fields', width: 30, value: (a) => [...a.computed.fields.map((f) => `${f.collection}.${f.field}`), ...(a.other_pi ?? []).map((o) => o.label)].join('、') },
  { zh: '敏感个人信息', en: 'Sensitive PI', width: 24, value: (a) => a.computed.sensitive_fields.join('、') || '无' },
  { zh: '来源', en: 'Sources', width: 16, value: (a) => zh(SOURCE_LABELS, a.sources) },
  { zh: '处理方式', en: 'Manner of processing', width: 24, value: (a) => [zh(OPERATION_LABELS, a.operations), a.manner].filter(Boolean).join('；') },
  { zh: '自动化决策', en: 'Automated decisions', width: 10, value: (a) => (a.triggers.automated_decision ? '是' : '否') },
  { zh: '接收方（提供、委托、共同处理、公开）', en: 'Recipients', width: 30, value: (a) => (a.recipients ?? []).map((r) => `${r.name}（${RECIPIENT_KIND_LABELS[r.kind]?.zh ?? r.kind}${r.country ? `，${r.country}` : ''}）`).join('；') },
  { zh: '向境外提供', en: 'Export abroad', width: 24, value: (a) => (a.computed.cross_border_countries.length ? `${a.computed.cross_border_countries.join('、')}${a.cross_border?.mechanism ? `；${(TRANSFER_MECHANISM_LABELS as Record<string, L>)[a.cross_border.mechanism]?.zh ?? a.cross_border.mechanism}` : ''}` : '否') },
  { zh: '保存期限', en: 'Retention', width: 18, value: (a) => a.retention?.period ?? null },
  { zh: '到期处理', en: 'At retention end', width: 10, value: (a) => (a.retention?.end_action ? (END_ACTION_LABELS as Record<string, L>)[a.retention.end_action]?.zh ?? a.retention.end_action : null) },
  { zh: '安全保护措施', en: 'Security measures', width: 30, value: (a) => [zh(SECURITY_MEASURE_LABELS, a.security_measures), a.security_notes].filter(Boolean).join('；') },
  { zh: '负责部门', en: 'Department', width: 14, value: (a) => a.department ?? null },
  { zh: '负责人', en: 'Responsible person', width: 12, value: (a) => [a.owner, a.owner_contact].filter(Boolean).join('，') || null },
  { zh: '涉及系统', en: 'Systems', width: 18, value: (a) => (a.systems ?? []).join('、') || null },
  { zh: '告知文本', en: 'Notice', width: 14, value: (a) => a.notice ?? null },
  { zh: '需开展影响评估的情形', en: 'Impact assessment triggers (PIPL 55)', width: 24, value: (a) => (Object.keys(a.triggers) as Array<keyof Triggers>).filter((k) => a.triggers[k]).map((k) => TRIGGER_LABELS[k].zh).join('、') || '无' },
  { zh: '版本', en: 'Revision', width: 8, value: (a) => a.revision },
  { zh: '更新时间', en: 'Updated', width: 20, value: (a) => iso(a.updated_at) },
];

function header(ws: ExcelJS.Worksheet, cols: Array<{ zh: string; en: string; width: number }>) {
  ws.columns = cols.map((c) => ({ width: c.width }));
  const row = ws.addRow(cols.map((c) => `${c.zh}\n${c.en}`));
  row.font = { bold: true };
  row.alignment = { wrapText: true, vertical: 'middle' };
  row.eachCell((cell) => { cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDCE6F2' } }; });
  ws.views = [{ state: 'frozen', ySplit: row.number }];
}

export async function buildActivitiesXlsx(rows: ExportActivity[], ctx: ExportContext): Promise<Buffer> {
  const ExcelJS = await loadExcel();
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Custodian';
  wb.created = ctx.generatedAt;
  const main = wb.addWorksheet('处理活动记录');
  main.addRow([`个人信息处理活动记录 / Register of processing activities — ${ctx.tenant} — ${ctx.generatedAt.toISOString()}`]).font = { bold: true, size: 12 };
  header(main, COLUMNS);
  for (const a of rows) main.addRow(COLUMNS.map((c) => c.value(a, ctx))).alignment = { wrapText: true, vertical: 'top' };

  const fields = wb.addWorksheet('个人信息字段');
  header(fields, [{ zh: '处理活动编号', en: 'Activity ID', width: 24 }, { zh: '处理活动', en: 'Activity', width: 24 }, { zh: '集合', en: 'Collection', width: 16 }, { zh: '字段', en: 'Field', width: 16 },
    { zh: '类型', en: 'Type', width: 16 }, { zh: '类别（GB/T 35273）', en: 'Category', width: 18 }, { zh: '敏感', en: 'Sensitive', width: 8 }]);
  for (const a of rows) {
    for (const f of a.computed.fields) fields.addRow([a.id, a.name, f.collection, f.field, TYPE_INFO[f.type as FieldType]?.zh ?? f.type, CATEGORY_LABELS[f.category as Category]?.zh ?? f.category, f.sensitive ? '是' : '否']);
    for (const o of a.other_pi ?? []) fields.addRow([a.id, a.name, '（库外）', o.label, '', CATEGORY_LABELS[o.category]?.zh ?? o.category, o.sensitive ? '是' : '否']);
  }

  const rec = wb.addWorksheet('接收方');
  header(rec, [{ zh: '处理活动编号', en: 'Activity ID', width: 24 }, { zh: '处理活动', en: 'Activity', width: 24 }, { zh: '接收方', en: 'Recipient', width: 24 }, { zh: '类型', en: 'Kind', width: 22 },
    { zh: '国家或地区', en: 'Country', width: 10 }, { zh: '联系方式', en: 'Contact', width: 20 }, { zh: '合同编号', en: 'Contract', width: 16 }, { zh: '目的', en: 'Purpose', width: 16 }, { zh: '字段', en: 'Fields', width: 24 }]);
  for (const a of rows) {
    for (const r of a.recipients ?? []) rec.addRow([a.id, a.name, r.name, RECIPIENT_KIND_LABELS[r.kind]?.zh ?? r.kind, r.country ?? 'CN', r.contact ?? '', r.contract_ref ?? '', r.purpose ?? '', (r.fields ?? []).join('、')]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
