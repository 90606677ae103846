/**
 * Privacy notices (隐私政策 / 个人信息处理规则): versioned texts stored with their SHA-256, the sections
 * PIPL requires, the scope each version declares per purpose, material changes that put earlier
 * consents into re-consent, and the diff between two versions. Changes are audited in their transaction.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Tx } from '../db/connection.js';
import { containsPattern, countOf, pageOf, type PageQuery, type SortSpec } from '../db/paging.js';
import { AppError, conflict, invalidField, notFound } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import type { CollectionStore } from '../vault/index.js';
import type { MissingSection, NoticeInput, NoticeScope, NoticeSections } from './consent-types.js';
import { buildScope, changedPurposes, diffText, missingSections, scopeChanges, type FieldInfo } from './notice-rules.js';

export interface NoticeDeps {
  db: Db;
  audit: Pick<AuditService, 'record'>;
  access: Pick<AccessService, 'requirePermission'>;
  collections: Pick<CollectionStore, 'list'>;
  clock: Clock;
}

export const NOTICE_SORT: SortSpec<'name' | 'version' | 'language' | 'created_at'> = { columns: { name: 'name', version: 'version', language: 'language', created_at: 'created_at' }, sort: 'name', order: 'asc', tiebreak: ['name', 'version'] };
export interface NoticeListQuery extends PageQuery<keyof typeof NOTICE_SORT.columns> { name?: string; q?: string; language?: string[]; material_change?: boolean; /** Only the newest version of each notice. */ latest?: boolean }
const LIST_COLUMNS = ['name', 'version', 'language', 'sha256', 'purposes', 'material_change', 'changed_purposes', 'missing_sections', 'scope', 'compared_with', 'created_at'] as const;

function sectionError(missing: MissingSection[]): AppError {
  const zh = missing.slice(0, 5).map((m) => `${m.zh}（${m.article}）`).join('；');
  const en = missing.slice(0, 5).map((m) => `${m.en} (${m.article})`).join('; ');
  const more = missing.length > 5 ? ` …(+${missing.length - 5})` : '';
  return new AppError(422, 'notice.section_missing', `告知文本缺少必备内容：${zh}${more}`, `The notice lacks required sections: ${en}${more}`,
    missing.map((m) => ({ field: m.field, reason: `missing: ${m.en}`, section: m.section, article: m.article })));
}

function presentVersion(r: { name: string; version: number; language: string; sha256: string; purposes: unknown; material_change: boolean; changed_purposes: unknown; missing_sections: unknown; scope: unknown; compared_with: number | null; created_at: Date }) {
  const missing = (r.missing_sections ?? []) as MissingSection[];
  return {
    name: r.name, version: r.version, language: r.language, sha256: r.sha256, purposes: r.purposes as string[],
    material_change: r.material_change, changed_purposes: (r.changed_purposes ?? []) as string[], compared_with: r.compared_with,
    complete: missing.length === 0, missing_sections: missing.map((m) => m.section),
    declares: r.scope as NoticeScope, created_at: r.created_at,
  };
}

export function createNoticeService(deps: NoticeDeps) {
  const { db, audit, access } = deps;

  async function fieldInfo(tx: Tx, tenantId: string): Promise<Map<string, FieldInfo>> {
    const out = new Map<string, FieldInfo>();
    for (const c of await deps.collections.list(tx, tenantId)) for (const f of c.fields) out.set(`${c.name}.${f.name}`, { sensitive: f.sensitive, category: f.category });
    return out;
  }

  async function requireSections(tx: Tx, tenantId: string): Promise<boolean> {
    const s = await tx.selectFrom('consent_settings').select('require_notice_sections').where('tenant_id', '=', tenantId).executeTakeFirst();
    return Boolean(s?.require_notice_sections);
  }

  /** Section entries must talk about declared purposes and existing vault fields. */
  function checkReferences(input: NoticeInput, info: Map<string, FieldInfo>) {
    const s = input.sections;
    if (!s) return;
    const declared = new Set(input.purposes);
    const seen = new Set<string>();
    (s.purposes ?? []).forEach((p, i) => {
      if (!declared.has(p.purpose)) throw invalidField(`sections.purposes[${i}].purpose`, `不在 purposes 中：${p.purpose}`, `is not one of the declared purposes: ${p.purpose}`);
      if (seen.has(p.purpose)) throw invalidField(`sections.purposes[${i}].purpose`, `重复：${p.purpose}`, `repeats purpose ${p.purpose}`);
      seen.add(p.purpose);
      (p.fields ?? []).forEach((f, j) => { if (!info.has(f)) throw invalidField(`sections.purposes[${i}].fields[${j}]`, `字段 ${f} 不存在（写作 集合.字段）`, `names no field ${f} (write collection.field)`); });
    });
    const checkPurposes = (list: string[] | undefined, at: string) => (list ?? []).forEach((p, j) => { if (!declared.has(p)) throw invalidField(`${at}.purposes[${j}]`, `不在 purposes 中：${p}`, `is not one of the declared purposes: ${p}`); });
    (s.recipients ?? []).forEach((r, i) => checkPurposes(r.purposes, `sections.recipients[${i}]`));
    (s.cross_border ?? []).forEach((c, i) => checkPurposes(c.purposes, `sections.cross_border[${i}]`));
  }

  async function getRow(tx: Tx, tenantId: string, name: string, version: number) {
    const r = await tx.selectFrom('notices').selectAll().where('tenant_id', '=', tenantId).where('name', '=', name).where('version', '=', version).executeTakeFirst();
    if (!r) throw notFound('notice.not_found', `告知文本 ${name} 没有第 ${version} 版`, `notice ${name} has no version ${version}`);
    return r;
  }

  return {
    /** Publish a new version; a material change for a purpose puts consents under earlier versions into re-consent. */
    async publish(actor: Actor, input: NoticeInput) {
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'consents.manage');
        const purposes = [...new Set(input.purposes)];
        const known = await tx.selectFrom('purposes').select('name').where('tenant_id', '=', actor.tenantId).where('name', 'in', purposes.length ? purposes : ['']).execute();
        const unknown = purposes.filter((p) => !known.some((k) => k.name === p));
        if (unknown.length) throw invalidField('purposes', `包含未登记的目的：${unknown.join(', ')}`, `names unregistered purposes: ${unknown.join(', ')}`);
        const info = await fieldInfo(tx, actor.tenantId);
        checkReferences({ ...input, purposes }, info);
        const scope = buildScope(purposes, input.sections, info);
        const missing = missingSections(purposes, input.sections, scope);
        if (missing.length && (input.sections || await requireSections(tx, actor.tenantId))) throw sectionError(missing);

        const last = await tx.selectFrom('notices').select('version').where('tenant_id', '=', actor.tenantId).where('name', '=', input.name).orderBy('version', 'desc').limit(1).forUpdate().executeTakeFirst();
        const version = (last?.version ?? 0) + 1;
        // Compare with the latest version in the same language (a translation is not a change), else the latest.
        const prev = last ? (await tx.selectFrom('notices').select(['version', 'purposes', 'scope', 'sections']).where('tenant_id', '=', actor.tenantId).where('name', '=', input.name)
          .orderBy((eb) => eb.case().when('language', '=', input.language).then(0).else(1).end()).orderBy('version', 'desc').limit(1).executeTakeFirst()) : undefined;
        const changed = changedPurposes(prev ? { purposes: prev.purposes as string[], scope: prev.scope as NoticeScope, structured: prev.sections !== null } : null,
          { purposes, scope, structured: Boolean(input.sections) }, input.material_change === true);
        const sha256 = createHash('sha256').update(input.text, 'utf8').digest('hex');
        await tx.insertInto('notices').values({
          tenant_id: actor.tenantId, name: input.name, version, language: input.language, text: input.text, sha256, purposes: JSON.stringify(purposes),
          material_change: changed.length > 0, sections: input.sections ? JSON.stringify(input.sections) : null, scope: JSON.stringify(scope),
          missing_sections: JSON.stringify(missing), changed_purposes: JSON.stringify(changed), compared_with: prev?.version ?? null, created_at: deps.clock.now(),
        }).execute().catch((e: unknown) => {
          // Two publications of the same notice at once: the second loses the race for the version number.
          if ((e as { code?: string }).code === '23505') throw conflict('notice.version_conflict', '同一告知文本正在同时发布，请重试', 'another version of this notice was published at the same moment; retry');
          throw e;
        });
        let reconsent = 0;
        if (changed.length) {
          const r = await tx.updateTable('consents').set({ needs_reconsent: true, reconsent_since: version })
            .where('tenant_id', '=', actor.tenantId).where('notice', '=', input.name).where('notice_version', '<', version)
            .where('state', '=', 'granted').where('needs_reconsent', '=', false).where('purpose', 'in', changed).executeTakeFirst();
          reconsent = Number(r.numUpdatedRows);
        }
        await audit.record(tx, actor, [{ action: 'notice.publish', decision: 'allow', details: { notice: input.name, version, sha256, language: input.language, changed_purposes: changed, needs_reconsent: reconsent, missing_sections: missing.map((m) => m.section) } }]);
        return {
          name: input.name, version, language: input.language, sha256, purposes, material_change: changed.length > 0, changed_purposes: changed,
          compared_with: prev?.version ?? null, needs_reconsent: reconsent, complete: missing.length === 0, missing_sections: missing.map((m) => m.section), declares: scope,
        };
      });
    },

    /** Versions (without texts), newest first within each notice. */
    async list(tenantId: string, filter: NoticeListQuery = {}) {
      const newest = sql<number>`(select max(n2.version) from notices n2 where n2.tenant_id = notices.tenant_id and n2.name = notices.name)`;
      let q = db.kysely.selectFrom('notices').select([...LIST_COLUMNS]).where('tenant_id', '=', tenantId);
      if (filter.name) q = q.where('name', '=', filter.name);
      if (filter.latest) q = q.where('version', '=', newest);
      if (filter.q) q = q.where('name', 'ilike', containsPattern(filter.q));
      if (filter.language?.length) q = q.where('language', 'in', filter.language);
      if (filter.material_change !== undefined) q = q.where('material_change', '=', filter.material_change);
      const rows = await pageOf(q.select(newest.as('latest_version')), filter, NOTICE_SORT).execute();
      return { notices: rows.map((r) => ({ ...presentVersion(r), latest_version: Number(r.latest_version) })), total: await countOf(q) };
    },

    /** One version with its text and sections, exactly as published. */
    async get(tenantId: string, name: string, version: number) {
      return db.transaction(async (tx) => {
        const r = await getRow(tx, tenantId, name, version);
        return { ...presentVersion(r), text: r.text, sections: (r.sections ?? null) as NoticeSections | null };
      });
    },

    /** What changed from one version to another: the text, and per purpose the declared scope. */
    async diff(tenantId: string, name: string, from: number, to: number) {
      return db.transaction(async (tx) => {
        const a = await getRow(tx, tenantId, name, from);
        const b = await getRow(tx, tenantId, name, to);
        const sa = a.scope as NoticeScope, sb = b.scope as NoticeScope;
        const purposes = [...new Set([...(a.purposes as string[]), ...(b.purposes as string[])])].sort();
        const byPurpose = purposes.map((p) => {
          const c = scopeChanges(sa[p], sb[p]);
          return { purpose: p, material: c.material, other: c.other, before: sa[p] ?? null, after: sb[p] ?? null };
        }).filter((x) => x.material.length || x.other.length);
        const t = diffText(a.text, b.text);
        return {
          name, from: { version: a.version, language: a.language, sha256: a.sha256, created_at: a.created_at }, to: { version: b.version, language: b.language, sha256: b.sha256, created_at: b.created_at },
          same_text: a.sha256 === b.sha256, text: t.parts, chars_inserted: t.inserted, chars_deleted: t.deleted,
          purposes: byPurpose, material: byPurpose.some((x) => x.material.length > 0),
          sections_changed: JSON.stringify(a.sections ?? null) !== JSON.stringify(b.sections ?? null),
        };
      });
    },

    async settings(actor: Actor) {
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'consents.manage');
        return { require_notice_sections: await requireSections(tx, actor.tenantId) };
      });
    },

    async updateSettings(actor: Actor, input: { require_notice_sections: boolean }) {
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'consents.manage');
        await tx.insertInto('consent_settings').values({ tenant_id: actor.tenantId, require_notice_sections: input.require_notice_sections, updated_at: deps.clock.now() })
          .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ require_notice_sections: input.require_notice_sections, updated_at: deps.clock.now() })).execute();
        await audit.record(tx, actor, [{ action: 'consent.settings', decision: 'allow', details: { ...input } }]);
        return { require_notice_sections: input.require_notice_sections };
      });
    },
  };
}
export type NoticeService = ReturnType<typeof createNoticeService>;
