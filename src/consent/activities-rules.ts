/**
 * Pure rules of the register of processing activities (处理活动记录, PIPL Art. 54-56; GB/T 35273-2020
 * §11.3): resolve the PI an activity touches against the vault's collections, compute what triggers
 * an impact assessment (Art. 55), check what activation requires, and name what a change altered.
 */
import { SENSITIVE_CATEGORY_LIST } from '../core/pi-catalog.js';
import type { FieldDef } from '../vault/index.js';
import type { FieldProblem } from './consent-rules.js';
import type { ActivityComputed, ActivityInput, Triggers } from './consent-types.js';

const SENSITIVE = new Set<string>(SENSITIVE_CATEGORY_LIST);
const blank = (s: string | undefined | null) => !s || !s.trim();
export const isForeignCountry = (c: string | undefined | null) => Boolean(c) && !['CN', 'CHN'].includes(String(c).toUpperCase());

export interface PurposeFacts { legal_basis: string; automated_decision: boolean }

/** Resolve fields and purposes; problems name the input field (e.g. `data[0].fields[2]`). */
export function resolveActivity(entry: ActivityInput, collections: Map<string, FieldDef[]>, purposes: Map<string, PurposeFacts>): { computed: ActivityComputed; triggers: Triggers; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  entry.purposes.forEach((p, i) => {
    const f = purposes.get(p);
    if (!f) problems.push({ field: `purposes[${i}]`, zh: `未登记的目的 ${p}`, en: `names unregistered purpose ${p}` });
    else if (f.legal_basis !== entry.legal_basis) {
      problems.push({ field: `purposes[${i}]`, zh: `目的 ${p} 登记的合法性基础为 ${f.legal_basis}，与本活动的 ${entry.legal_basis} 不一致`, en: `purpose ${p} is registered with legal basis ${f.legal_basis}, not ${entry.legal_basis}` });
    }
  });
  const fields: ActivityComputed['fields'] = [];
  (entry.data ?? []).forEach((d, i) => {
    const defs = collections.get(d.collection);
    if (!defs) { problems.push({ field: `data[${i}].collection`, zh: `集合 ${d.collection} 不存在`, en: `collection ${d.collection} does not exist` }); return; }
    const names = d.fields.length === 1 && d.fields[0] === '*' ? defs.map((x) => x.name) : d.fields;
    names.forEach((n, j) => {
      const def = defs.find((x) => x.name === n);
      if (!def) { problems.push({ field: `data[${i}].fields[${j}]`, zh: `不是集合 ${d.collection} 的字段`, en: `is not a field of collection ${d.collection}` }); return; }
      if (!fields.some((x) => x.collection === d.collection && x.field === n)) fields.push({ collection: d.collection, field: n, type: def.type, category: def.category, sensitive: def.sensitive });
    });
  });
  (entry.recipients ?? []).forEach((r, i) => {
    if (r.purpose && !entry.purposes.includes(r.purpose)) problems.push({ field: `recipients[${i}].purpose`, zh: `不是本活动的目的：${r.purpose}`, en: `is not one of the activity's purposes: ${r.purpose}` });
  });
  (entry.recipients ?? []).forEach((r, i) => (r.fields ?? []).forEach((f, j) => {
    const [c, n] = f.split('.');
    if (!collections.get(c)?.some((x) => x.name === n)) problems.push({ field: `recipients[${i}].fields[${j}]`, zh: `字段 ${f} 不存在（写作 集合.字段）`, en: `field ${f} does not exist (write collection.field)` });
  }));
  const other = entry.other_pi ?? [];
  const categories = [...new Set([...fields.map((f) => f.category), ...other.map((o) => o.category)])].sort();
  const sensitiveFields = [...fields.filter((f) => f.sensitive).map((f) => `${f.collection}.${f.field}`), ...other.filter((o) => o.sensitive || SENSITIVE.has(o.category)).map((o) => o.label)];
  const recipients = entry.recipients ?? [];
  const countries = [...new Set([...(entry.cross_border?.countries ?? []), ...recipients.map((r) => r.country).filter(isForeignCountry)].map((c) => String(c).toUpperCase()))].sort();
  const ops = new Set(entry.operations ?? []);
  const triggers: Triggers = {
    sensitive_pi: sensitiveFields.length > 0 || (entry.subject_categories ?? []).includes('minors_under_14'),
    automated_decision: Boolean(entry.automated_decision) || entry.purposes.some((p) => purposes.get(p)?.automated_decision),
    entrusting: recipients.some((r) => r.kind === 'entrusted'),
    provision_to_others: recipients.some((r) => r.kind === 'handler' || r.kind === 'joint') || ops.has('provide'),
    public_disclosure: recipients.some((r) => r.kind === 'public') || ops.has('disclose'),
    cross_border: countries.length > 0,
  };
  return { computed: { categories, fields, sensitive_fields: sensitiveFields, cross_border_countries: countries }, triggers, problems };
}

/** What an activity lacks before it may become active (the register's required columns). */
export function missingForActivation(e: ActivityInput): FieldProblem[] {
  const out: FieldProblem[] = [];
  const need = (ok: boolean, field: string, zh: string, en: string) => { if (!ok) out.push({ field, zh, en }); };
  need(e.purposes.length > 0, 'purposes', '处理目的', 'the purposes');
  need((e.subject_categories?.length ?? 0) > 0, 'subject_categories', '个人信息主体类别', 'the categories of individuals');
  need((e.data?.length ?? 0) + (e.other_pi?.length ?? 0) > 0, 'data', '处理的个人信息种类及字段', 'the PI types and fields processed');
  need((e.operations?.length ?? 0) > 0 || !blank(e.manner), 'operations', '处理方式', 'the manner of processing');
  need(!blank(e.retention?.period), 'retention.period', '保存期限', 'the retention period');
  need((e.security_measures?.length ?? 0) > 0, 'security_measures', '安全保护措施', 'the security measures');
  need(!blank(e.department), 'department', '负责部门', 'the owning department');
  need(!blank(e.owner), 'owner', '负责人', 'the responsible person');
  if (e.cross_border && e.cross_border.countries.length > 0) need(Boolean(e.cross_border.mechanism), 'cross_border.mechanism', '出境途径（安全评估、标准合同、认证或豁免）', 'the export route (assessment, standard contract, certification or exemption)');
  (e.recipients ?? []).forEach((r, i) => { if (r.kind === 'entrusted' || r.kind === 'handler' || r.kind === 'joint') need(!blank(r.contract_ref), `recipients[${i}].contract_ref`, `接收方 ${r.name} 的合同或协议编号`, `the contract reference for recipient ${r.name}`); });
  return out;
}

const ENTRY_KEYS: Array<keyof ActivityInput> = ['name', 'description', 'purposes', 'legal_basis', 'subject_categories', 'estimated_subjects', 'data', 'other_pi', 'sources', 'operations', 'manner', 'automated_decision', 'recipients', 'cross_border', 'retention', 'security_measures', 'security_notes', 'department', 'owner', 'owner_contact', 'systems', 'notice'];

/** The entry with only known keys, empty optionals dropped (what is stored and exported). */
export function normaliseEntry(e: ActivityInput): ActivityInput {
  const out: Record<string, unknown> = {};
  for (const k of ENTRY_KEYS) {
    const v = e[k];
    if (v === undefined || v === null || (typeof v === 'string' && !v.trim())) continue;
    out[k] = typeof v === 'string' ? v.trim() : v;
  }
  return out as unknown as ActivityInput;
}

/** Top-level keys whose values differ between two entries. */
export function changedKeys(a: ActivityInput, b: ActivityInput): string[] {
  return ENTRY_KEYS.filter((k) => JSON.stringify(a[k] ?? null) !== JSON.stringify(b[k] ?? null));
}

export const triggerList = (t: Triggers) => (Object.keys(t) as Array<keyof Triggers>).filter((k) => t[k]);
