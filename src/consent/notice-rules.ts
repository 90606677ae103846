/**
 * Pure rules of privacy notices: the scope a version declares per purpose, the sections PIPL requires
 * (Art. 17 always; Art. 23/25 for recipients, Art. 30 for sensitive PI, Art. 39 for export; NDSR Art. 21),
 * which purposes changed materially between two versions (PIPL Art. 14: purpose, manner or PI types),
 * and a readable text diff.
 */
import { diffChars, diffLines } from 'diff';
import { SENSITIVE_CATEGORY_LIST } from '../core/pi-catalog.js';
import type { MissingSection, NoticeScope, NoticeSections, PurposeScope } from './consent-types.js';

const SENSITIVE = new Set<string>(SENSITIVE_CATEGORY_LIST);
const blank = (s: string | undefined | null) => !s || !s.trim();
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

export interface FieldInfo { sensitive: boolean; category: string }

/** Resolve what each declared purpose covers; `fieldInfo` knows the vault's fields as "collection.field". */
export function buildScope(purposes: string[], sections: NoticeSections | undefined, fieldInfo: Map<string, FieldInfo>): NoticeScope {
  const scope: NoticeScope = {};
  for (const p of purposes) {
    const s = sections?.purposes?.find((x) => x.purpose === p);
    const fields = sorted(s?.fields ?? []);
    const sensitiveFields = fields.filter((f) => fieldInfo.get(f)?.sensitive);
    const categories = sorted([...(s?.pi_categories ?? []), ...fields.map((f) => fieldInfo.get(f)?.category).filter((c): c is string => Boolean(c))]);
    const applies = (list?: string[]) => !list || list.length === 0 || list.includes(p);
    scope[p] = {
      manner: s?.manner?.trim() || null,
      categories,
      fields,
      sensitive: Boolean(s?.sensitive) || sensitiveFields.length > 0 || categories.some((c) => SENSITIVE.has(c)),
      sensitive_fields: sensitiveFields,
      retention: s?.retention?.trim() || null,
      retention_days: s?.retention_days ?? null,
      recipients: (sections?.recipients ?? []).filter((r) => applies(r.purposes)).map((r) => ({ name: (r.name ?? '').trim(), kind: r.kind, country: r.country?.toUpperCase() ?? null }))
        .sort((a, b) => a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind)),
      cross_border: (sections?.cross_border ?? []).filter((c) => applies(c.purposes)).map((c) => ({ recipient: (c.recipient ?? '').trim(), country: c.country?.toUpperCase() ?? null }))
        .sort((a, b) => a.recipient.localeCompare(b.recipient)),
    };
  }
  return scope;
}

const isForeign = (country: string | null | undefined) => Boolean(country) && !['CN', 'CHN'].includes(String(country).toUpperCase());

function need(out: MissingSection[], ok: boolean, section: string, field: string, article: string, zh: string, en: string) {
  if (!ok) out.push({ section, field, article, zh, en });
}

/**
 * The required sections a notice lacks, in a stable order. With no `sections` at all every base
 * section is missing (the text cannot be checked).
 */
export function missingSections(purposes: string[], sections: NoticeSections | undefined, scope: NoticeScope): MissingSection[] {
  const out: MissingSection[] = [];
  const s = sections ?? {};
  need(out, !blank(s.handler?.name), 'handler_name', 'sections.handler.name', 'PIPL 17(1)(1)', '个人信息处理者的名称或者姓名', 'the handler\'s name');
  need(out, !blank(s.handler?.contact), 'handler_contact', 'sections.handler.contact', 'PIPL 17(1)(1)', '个人信息处理者的联系方式', 'the handler\'s contact details');
  need(out, purposes.length > 0, 'purposes', 'purposes', 'PIPL 17(1)(2)', '处理目的', 'the purposes of processing');
  purposes.forEach((p) => {
    const i = (s.purposes ?? []).findIndex((x) => x.purpose === p);
    const at = i >= 0 ? `sections.purposes[${i}]` : 'sections.purposes';
    const sec = i >= 0 ? (s.purposes ?? [])[i] : undefined;
    need(out, Boolean(sec), `purpose:${p}`, at, 'PIPL 17(1)(2)', `目的 ${p} 的处理说明`, `the section for purpose ${p}`);
    if (!sec) return;
    need(out, !blank(sec.manner), `manner:${p}`, `${at}.manner`, 'PIPL 17(1)(2)', `目的 ${p} 的处理方式`, `the manner of processing for ${p}`);
    need(out, (sec.pi_categories?.length ?? 0) + (sec.fields?.length ?? 0) > 0 || !blank(sec.pi_description), `pi_types:${p}`, `${at}.pi_categories`, 'PIPL 17(1)(2)', `目的 ${p} 处理的个人信息种类`, `the types of PI processed for ${p}`);
    need(out, !blank(sec.retention), `retention:${p}`, `${at}.retention`, 'PIPL 17(1)(3)', `目的 ${p} 的保存期限`, `the retention period for ${p}`);
  });
  need(out, !blank(s.rights), 'rights', 'sections.rights', 'PIPL 17(1)(4)', '个人行使权利的方式和程序', 'how individuals exercise their rights');
  need(out, !blank(s.retention_end), 'retention_end', 'sections.retention_end', 'NDSR 21(3)', '保存期限届满后的处理方式', 'what happens when the retention period ends');
  if (Object.values(scope).some((x) => x.sensitive)) {
    need(out, !blank(s.sensitive?.necessity), 'sensitive_necessity', 'sections.sensitive.necessity', 'PIPL 30', '处理敏感个人信息的必要性', 'why processing sensitive PI is necessary');
    need(out, !blank(s.sensitive?.impact), 'sensitive_impact', 'sections.sensitive.impact', 'PIPL 30', '处理敏感个人信息对个人权益的影响', 'the impact of processing sensitive PI on the individual');
  }
  (s.recipients ?? []).forEach((r, i) => {
    const at = `sections.recipients[${i}]`;
    const art = r.kind === 'public' ? 'PIPL 25' : r.kind === 'entrusted' ? 'NDSR 21' : 'PIPL 23';
    if (r.kind !== 'public') need(out, !blank(r.name), `recipient_name:${i}`, `${at}.name`, art, `第 ${i + 1} 个接收方的名称`, `the name of recipient ${i + 1}`);
    if (r.kind === 'handler' || r.kind === 'joint') {
      need(out, !blank(r.contact), `recipient_contact:${i}`, `${at}.contact`, art, `第 ${i + 1} 个接收方的联系方式`, `the contact details of recipient ${i + 1}`);
      need(out, !blank(r.manner), `recipient_manner:${i}`, `${at}.manner`, art, `第 ${i + 1} 个接收方的处理方式`, `how recipient ${i + 1} processes the PI`);
    }
    need(out, (r.pi_categories?.length ?? 0) > 0, `recipient_pi:${i}`, `${at}.pi_categories`, art, `提供给第 ${i + 1} 个接收方的个人信息种类`, `the PI types given to recipient ${i + 1}`);
  });
  const foreign = (s.recipients ?? []).some((r) => isForeign(r.country));
  if (foreign) need(out, (s.cross_border?.length ?? 0) > 0, 'cross_border', 'sections.cross_border', 'PIPL 39', '向境外提供个人信息的说明', 'the section on export abroad');
  (s.cross_border ?? []).forEach((c, i) => {
    const at = `sections.cross_border[${i}]`;
    need(out, !blank(c.recipient), `cb_recipient:${i}`, `${at}.recipient`, 'PIPL 39', `境外接收方 ${i + 1} 的名称`, `the name of foreign recipient ${i + 1}`);
    need(out, !blank(c.contact), `cb_contact:${i}`, `${at}.contact`, 'PIPL 39', `境外接收方 ${i + 1} 的联系方式`, `the contact details of foreign recipient ${i + 1}`);
    need(out, !blank(c.country), `cb_country:${i}`, `${at}.country`, 'PIPL 39', `境外接收方 ${i + 1} 所在国家或地区`, `the country of foreign recipient ${i + 1}`);
    need(out, !blank(c.manner), `cb_manner:${i}`, `${at}.manner`, 'PIPL 39', `境外接收方 ${i + 1} 的处理方式`, `how foreign recipient ${i + 1} processes the PI`);
    need(out, (c.pi_categories?.length ?? 0) > 0, `cb_pi:${i}`, `${at}.pi_categories`, 'PIPL 39', `向境外接收方 ${i + 1} 提供的个人信息种类`, `the PI types exported to recipient ${i + 1}`);
    need(out, !blank(c.rights), `cb_rights:${i}`, `${at}.rights`, 'PIPL 39', `向境外接收方 ${i + 1} 行使权利的方式和程序`, `how to exercise rights with foreign recipient ${i + 1}`);
  });
  return out;
}

/** The aspects of one purpose's scope that differ; manner, PI types, sensitivity, recipients and export are material (PIPL Art. 14, 23, 39). */
export function scopeChanges(a: PurposeScope | undefined, b: PurposeScope | undefined): { material: string[]; other: string[] } {
  if (!a || !b) return { material: [a ? 'removed' : 'added'], other: [] };
  const eq = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  const material: string[] = [], other: string[] = [];
  if ((a.manner ?? '') !== (b.manner ?? '')) material.push('manner');
  if (!eq(a.categories, b.categories) || !eq(a.fields, b.fields)) material.push('pi_types');
  if (a.sensitive !== b.sensitive) material.push('sensitive');
  if (!eq(a.recipients, b.recipients)) material.push('recipients');
  if (!eq(a.cross_border, b.cross_border)) material.push('cross_border');
  if ((a.retention ?? '') !== (b.retention ?? '') || a.retention_days !== b.retention_days) other.push('retention');
  return { material, other };
}

/**
 * Purposes whose consents under the earlier version must be given again: a purpose dropped from the
 * notice; with structured sections on both sides, a purpose whose scope changed materially; and every
 * declared purpose when the publisher flags the change as material (the only signal for text-only notices).
 */
export function changedPurposes(prev: { purposes: string[]; scope: NoticeScope; structured: boolean } | null, next: { purposes: string[]; scope: NoticeScope; structured: boolean }, flagged: boolean): string[] {
  if (!prev) return [];
  const out = new Set<string>(flagged ? next.purposes : []);
  for (const p of prev.purposes) {
    if (!next.purposes.includes(p)) out.add(p);
    else if (prev.structured && next.structured && scopeChanges(prev.scope[p], next.scope[p]).material.length) out.add(p);
  }
  return [...out].sort();
}

export interface TextPart { op: 'equal' | 'insert' | 'delete'; value: string }

/** Line diff, refined to characters inside a changed line pair (Chinese text has no word boundaries). */
export function diffText(a: string, b: string): { parts: TextPart[]; inserted: number; deleted: number } {
  const lines = diffLines(a, b);
  const parts: TextPart[] = [];
  let inserted = 0, deleted = 0;
  const push = (op: TextPart['op'], value: string) => {
    if (!value) return;
    const last = parts[parts.length - 1];
    if (last && last.op === op) last.value += value; else parts.push({ op, value });
    if (op === 'insert') inserted += value.length;
    if (op === 'delete') deleted += value.length;
  };
  for (let i = 0; i < lines.length; i++) {
    const c = lines[i], n = lines[i + 1];
    if (c.removed && n?.added && c.value.length + n.value.length <= 20_000) {
      for (const x of diffChars(c.value, n.value)) push(x.added ? 'insert' : x.removed ? 'delete' : 'equal', x.value);
      i++;
      continue;
    }
    push(c.added ? 'insert' : c.removed ? 'delete' : 'equal', c.value);
  }
  return { parts, inserted, deleted };
}
