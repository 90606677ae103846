/**
 * Identities (API keys), roles, purposes, and the purpose-bound access decision for PI (design
 * decision 5): a grant of a role, a legal basis for this subject (consent on record when the basis is
 * consent), and no restriction by the subject. Deny by default.
 */
import { createHash } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import { prepared, type Tx } from '../db/connection.js';
import { containsPattern, countOf, pageOf, type PageQuery, type SortSpec } from '../db/paging.js';
import { AppError, conflict, forbidden, notFound } from '../core/errors.js';
import { newId, newSecret } from '../core/ids.js';
import type { Actor } from '../audit/index.js';
import type { Decision, Grant, LegalBasis, Permission, PiAction, Role } from './access-types.js';
import { decideGrant, grantedFields } from './policy.js';

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest();

export interface PurposeInput { name: string; title: string; title_en?: string; legal_basis: LegalBasis; description?: string; requires_training?: boolean; automated_decision?: boolean; reconsent_mode?: 'block' | 'warn' }
export type PurposePatch = Partial<Pick<PurposeInput, 'title' | 'title_en' | 'description' | 'requires_training' | 'automated_decision' | 'reconsent_mode'>>;
export interface RoleInput { name: string; title?: string; grants: Grant[]; permissions?: Permission[] }

/** Server-side sort keys of the access lists (the routes allow only these). */
export const PURPOSE_SORT: SortSpec<'name' | 'title' | 'legal_basis' | 'created_at'> = { columns: { name: 'name', title: 'title', legal_basis: 'legal_basis', created_at: 'created_at' }, sort: 'name', order: 'asc', tiebreak: ['name'] };
export const ROLE_SORT: SortSpec<'name' | 'title' | 'created_at'> = { columns: { name: 'name', title: 'title', created_at: 'created_at' }, sort: 'name', order: 'asc', tiebreak: ['name'] };
export const API_KEY_SORT: SortSpec<'name' | 'created_at' | 'expires_at' | 'last_used_at'> = { columns: { name: 'name', created_at: 'created_at', expires_at: 'expires_at', last_used_at: 'last_used_at' }, sort: 'created_at', order: 'asc', tiebreak: ['id'] };
export interface PurposeListQuery extends PageQuery<keyof typeof PURPOSE_SORT.columns> { legal_basis?: LegalBasis[]; q?: string }
export interface RoleListQuery extends PageQuery<keyof typeof ROLE_SORT.columns> { q?: string; builtin?: boolean }
export interface ApiKeyListQuery extends PageQuery<keyof typeof API_KEY_SORT.columns> { q?: string; state?: Array<'active' | 'revoked' | 'expired'> }

export interface Refusal { rule: string; zh: string; en: string }

/** Rules of the legal-basis check that let the access through with a warning (purpose in `warn` re-consent mode). */
export const BASIS_WARNINGS = new Set(['reconsent_pending']);

/** The reason people read for a legal-basis refusal rule. */
export function basisRefusal(rule: string, purposeName: string): Refusal {
  if (rule === 'purpose_unknown') return { rule, zh: `目的 ${purposeName} 未登记`, en: `purpose ${purposeName} is not registered` };
  if (rule === 'restricted_by_subject') return { rule, zh: '个人已限制该处理', en: 'the individual has restricted this processing' };
  if (rule === 'reconsent_required') return { rule, zh: '告知文本已重大变更，须重新取得该个人的同意', en: 'the notice changed materially; the individual must consent again' };
  if (rule === 'reconsent_pending') return { rule, zh: '告知文本已重大变更，该个人尚未重新同意', en: 'the notice changed materially and the individual has not consented again' };
  return { rule: 'no_consent', zh: '该个人未就此目的同意（或已撤回同意）', en: 'no consent on record for this purpose (or it was withdrawn)' };
}

export function createAccessService() {
  const roleCache = new Map<string, { at: number; roles: Role[] }>();
  // Purposes and roles change rarely; a 2-second cache saves a query per access. Consent and restriction are never cached.
  const purposeCache = new Map<string, { at: number; p: { legal_basis: string; requires_training: boolean; reconsent_mode: string } | undefined }>();
  async function purposeBasis(tx: Tx, tenantId: string, name: string) {
    const k = `${tenantId}|${name}`;
    const hit = purposeCache.get(k);
    if (hit && Date.now() - hit.at < 2000) return hit.p;
    const p = await tx.selectFrom('purposes').select(['legal_basis', 'requires_training', 'reconsent_mode']).where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirst();
    if (purposeCache.size > 10_000) purposeCache.clear();
    purposeCache.set(k, { at: Date.now(), p });
    return p;
  }

  async function rolesOf(tx: Tx, tenantId: string, names: string[]): Promise<Role[]> {
    if (names.length === 0) return [];
    const key = `${tenantId}|${names.join(',')}`;
    const hit = roleCache.get(key);
    if (hit && Date.now() - hit.at < 2000) return hit.roles;
    const rows = await tx.selectFrom('roles').selectAll().where('tenant_id', '=', tenantId).where('name', 'in', names).execute();
    const roles = rows.map((r) => ({ name: r.name, title: r.title, grants: r.grants as Grant[], permissions: r.permissions as Permission[], builtin: r.builtin }));
    roleCache.set(key, { at: Date.now(), roles });
    return roles;
  }

  // A tenant being deregistered is frozen: no PI processing. Cached 1 s; the deregistration service clears it.
  const stateCache = new Map<string, { at: number; state: string }>();
  async function tenantState(tx: Tx, tenantId: string): Promise<string> {
    const hit = stateCache.get(tenantId);
    if (hit && Date.now() - hit.at < 1000) return hit.state;
    const t = await tx.selectFrom('tenants').select('state').where('id', '=', tenantId).executeTakeFirst();
    const state = t?.state ?? 'unknown';
    if (stateCache.size > 10_000) stateCache.clear();
    stateCache.set(tenantId, { at: Date.now(), state });
    return state;
  }

  return {
    /** Forget the cached state of a tenant (after a freeze, thaw or destruction). */
    forgetTenantState(tenantId: string) { stateCache.delete(tenantId); },

    /** The actor behind an API key, or null when the key is unknown, revoked or expired. */
    async authenticateApiKey(tx: Tx, key: string): Promise<Actor | null> {
      if (!/^cst_[A-Za-z0-9_-]{20,80}$/.test(key)) return null;
      const row = await tx.selectFrom('api_keys as k').innerJoin('tenants as t', 't.id', 'k.tenant_id')
        .select(['k.id', 'k.tenant_id', 'k.roles', 'k.expires_at', 'k.revoked_at', 't.state'])
        .where('k.key_hash', '=', hashApiKey(key)).executeTakeFirst();
      // A frozen tenant (deregistration approved) still signs in: PI processing is refused in decide().
      if (!row || row.revoked_at || (row.expires_at && row.expires_at < new Date()) || (row.state !== 'active' && row.state !== 'frozen')) return null;
      return { type: 'api_key', id: row.id, tenantId: row.tenant_id, roles: row.roles };
    },

    async createApiKey(tx: Tx, tenantId: string, input: { name: string; roles: string[]; expires_at?: string }) {
      await requireRoles(tx, tenantId, input.roles);
      const id = newId('key');
      const apiKey = newSecret('cst');
      await tx.insertInto('api_keys').values({ tenant_id: tenantId, id, name: input.name, key_hash: hashApiKey(apiKey), roles: JSON.stringify(input.roles), expires_at: input.expires_at ?? null }).execute();
      return { id, name: input.name, roles: input.roles, api_key: apiKey };
    },

    async listApiKeys(tx: Tx, tenantId: string, q: ApiKeyListQuery = {}) {
      let s = tx.selectFrom('api_keys').select(['id', 'name', 'roles', 'created_at', 'expires_at', 'revoked_at', 'last_used_at']).where('tenant_id', '=', tenantId);
      if (q.q) s = s.where('name', 'ilike', containsPattern(q.q));
      if (q.state?.length) {
        const now = new Date();
        const states = q.state;
        s = s.where((eb) => eb.or(states.map((st) => (st === 'revoked' ? eb('revoked_at', 'is not', null)
          : st === 'expired' ? eb.and([eb('revoked_at', 'is', null), eb('expires_at', '<=', now)])
            : eb.and([eb('revoked_at', 'is', null), eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)])])))));
      }
      return { api_keys: await pageOf(s, q, API_KEY_SORT).execute(), total: await countOf(s) };
    },

    async revokeApiKey(tx: Tx, tenantId: string, id: string) {
      const r = await tx.updateTable('api_keys').set({ revoked_at: new Date() }).where('tenant_id', '=', tenantId).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw notFound('access.api_key_not_found', 'API 密钥不存在', 'API key not found');
    },

    async createRole(tx: Tx, tenantId: string, input: RoleInput) {
      const exists = await tx.selectFrom('roles').select('name').where('tenant_id', '=', tenantId).where('name', '=', input.name).executeTakeFirst();
      if (exists) throw conflict('access.role_exists', `角色 ${input.name} 已存在`, `role ${input.name} already exists`, [{ field: 'name', reason: 'already exists' }]);
      await tx.insertInto('roles').values({ tenant_id: tenantId, name: input.name, title: input.title ?? null, grants: JSON.stringify(input.grants), permissions: JSON.stringify(input.permissions ?? []) }).execute();
      roleCache.clear();
      return { name: input.name, title: input.title ?? null, grants: input.grants, permissions: input.permissions ?? [] };
    },

    async listRoles(tx: Tx, tenantId: string) {
      return (await this.pageRoles(tx, tenantId)).roles;
    },

    async pageRoles(tx: Tx, tenantId: string, q: RoleListQuery = {}) {
      let s = tx.selectFrom('roles').selectAll().where('tenant_id', '=', tenantId);
      if (q.q) { const pat = containsPattern(q.q); s = s.where((eb) => eb.or([eb('name', 'ilike', pat), eb('title', 'ilike', pat)])); }
      if (q.builtin !== undefined) s = s.where('builtin', '=', q.builtin);
      const rows = await pageOf(s, q, ROLE_SORT).execute();
      return { roles: rows.map((r) => ({ name: r.name, title: r.title, grants: r.grants as Grant[], permissions: r.permissions as Permission[], builtin: r.builtin })), total: await countOf(s) };
    },

    async createPurpose(tx: Tx, tenantId: string, p: PurposeInput) {
      const exists = await tx.selectFrom('purposes').select('name').where('tenant_id', '=', tenantId).where('name', '=', p.name).executeTakeFirst();
      if (exists) throw conflict('access.purpose_exists', `目的 ${p.name} 已存在`, `purpose ${p.name} already exists`, [{ field: 'name', reason: 'already exists' }]);
      await tx.insertInto('purposes').values({
        tenant_id: tenantId, name: p.name, title: p.title, title_en: p.title_en ?? null, legal_basis: p.legal_basis, description: p.description ?? null,
        requires_training: p.requires_training ?? true, automated_decision: p.automated_decision ?? false, reconsent_mode: p.reconsent_mode ?? 'block',
      }).execute();
      purposeCache.clear();
      return this.getPurpose(tx, tenantId, p.name);
    },

    async getPurpose(tx: Tx, tenantId: string, name: string) {
      const p = await tx.selectFrom('purposes').select(['name', 'title', 'title_en', 'legal_basis', 'description', 'requires_training', 'automated_decision', 'reconsent_mode', 'created_at'])
        .where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirst();
      if (!p) throw notFound('access.purpose_not_found', `目的 ${name} 不存在`, `purpose ${name} does not exist`);
      return p;
    },

    /** Change what a purpose says about itself; its name and legal basis stay. */
    async updatePurpose(tx: Tx, tenantId: string, name: string, patch: PurposePatch) {
      const before = await this.getPurpose(tx, tenantId, name);
      const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      if (Object.keys(set).length) await tx.updateTable('purposes').set({ ...set, updated_at: new Date() }).where('tenant_id', '=', tenantId).where('name', '=', name).execute();
      purposeCache.clear();
      const after = await this.getPurpose(tx, tenantId, name);
      const changed = (Object.keys(set) as Array<keyof typeof after>).filter((k) => before[k] !== after[k]);
      return { purpose: after, changed };
    },

    async listPurposes(tx: Tx, tenantId: string) {
      return (await this.pagePurposes(tx, tenantId)).purposes;
    },

    async pagePurposes(tx: Tx, tenantId: string, q: PurposeListQuery = {}) {
      let s = tx.selectFrom('purposes').select(['name', 'title', 'title_en', 'legal_basis', 'description', 'requires_training', 'automated_decision', 'reconsent_mode', 'created_at'])
        .where('tenant_id', '=', tenantId);
      if (q.legal_basis?.length) s = s.where('legal_basis', 'in', q.legal_basis);
      if (q.q) { const pat = containsPattern(q.q); s = s.where((eb) => eb.or([eb('name', 'ilike', pat), eb('title', 'ilike', pat), eb('title_en', 'ilike', pat)])); }
      return { purposes: await pageOf(s, q, PURPOSE_SORT).execute(), total: await countOf(s) };
    },

    /** Refuse unless a role of the actor holds the administrative permission. */
    async requirePermission(tx: Tx, actor: Actor, perm: Permission): Promise<void> {
      const roles = await rolesOf(tx, actor.tenantId, actor.roles);
      if (roles.some((r) => r.permissions.includes('admin') || r.permissions.includes(perm))) return;
      throw forbidden('access.permission_denied', `缺少管理权限 ${perm}`, `missing permission ${perm}`, [{ rule: 'permission_required', permission: perm }]);
    },

    /** Grant decision for a PI action on fields for a purpose (no subject-specific checks). */
    async decide(tx: Tx, actor: Actor, req: { action: PiAction; collection: string; purpose: string | null; fields: string[] }): Promise<Decision> {
      if ((await tenantState(tx, actor.tenantId)) !== 'active') {
        return { allowed: false, rule: 'tenant_frozen', zh: '企业注销程序进行中，个人信息处理已冻结', en: 'the enterprise is being deregistered: processing of personal information is frozen' };
      }
      const roles = await rolesOf(tx, actor.tenantId, actor.roles);
      return decideGrant(roles.flatMap((r) => r.grants), req);
    },

    async visibleFields(tx: Tx, actor: Actor, req: { action: PiAction; collection: string; purpose: string; all: string[] }): Promise<string[]> {
      const roles = await rolesOf(tx, actor.tenantId, actor.roles);
      return grantedFields(roles.flatMap((r) => r.grants), req);
    },

    /** Staff must hold an unexpired PI-protection training record when the purpose requires it. */
    async trainingRefusal(tx: Tx, actor: Actor, purposeName: string): Promise<{ rule: string; zh: string; en: string } | null> {
      if (actor.type !== 'staff') return null;
      const p = await purposeBasis(tx, actor.tenantId, purposeName);
      if (!p || !p.requires_training) return null;
      const today = new Date().toISOString().slice(0, 10);
      const t = await tx.selectFrom('trainings').select('id').where('tenant_id', '=', actor.tenantId).where('staff_id', '=', actor.id).where('expires_at', '>=', today).limit(1).executeTakeFirst();
      return t ? null : { rule: 'training_required', zh: '未完成个人信息保护培训或培训已过期', en: 'PI protection training is missing or expired' };
    },

    /**
     * A SQL expression naming the legal-basis rule for the subject `subjectRef` (`purpose_unknown`,
     * `restricted_by_subject`, `no_consent`, `reconsent_required`, or the warning `reconsent_pending`), or
     * null when processing is allowed: for embedding in the statement that reads the data, so the check
     * and the read see the same moment.
     */
    basisRefusalSql,

    /**
     * The purpose exists and has a basis; for consent, the subjects without consent on record are
     * refused. A consent awaiting re-consent after a material notice change is refused when the purpose's
     * `reconsent_mode` is `block`, and allowed with a warning when it is `warn`.
     */
    async subjectsWithoutBasis(tx: Tx, tenantId: string, purposeName: string, subjectIds: string[]): Promise<{ refused: Map<string, { rule: string; en: string; zh: string }>; warned: Map<string, { rule: string; en: string; zh: string }> }> {
      const refused = new Map<string, { rule: string; en: string; zh: string }>();
      const warned = new Map<string, { rule: string; en: string; zh: string }>();
      const p = await purposeBasis(tx, tenantId, purposeName);
      if (!p) {
        for (const s of subjectIds) refused.set(s, { rule: 'purpose_unknown', zh: `目的 ${purposeName} 未登记`, en: `purpose ${purposeName} is not registered` });
        return { refused, warned };
      }
      if (subjectIds.length === 0) return { refused, warned };
      // Restriction and consent are read live on every access (one query): withdrawal takes effect at once.
      // consent: 0 none or withdrawn, 1 granted, 2 granted but awaiting re-consent.
      const consentBased = p.legal_basis === 'consent';
      // One query, planned once per connection (prepared): a read's common case is one subject.
      const rows = subjectIds.length === 1
        ? (consentBased
          ? (await sql<{ id: string; restricted: boolean; consent: number | null }>`${sql.raw(prepared('basis_one'))}select ${subjectIds[0]}::text as id,
              exists (select 1 from subject_restrictions r where r.tenant_id = ${tenantId} and r.subject_id = ${subjectIds[0]} and r.purpose in (${purposeName}, '*')) as restricted,
              (select case when c.state <> 'granted' then 0 when c.needs_reconsent then 2 else 1 end from consents c where c.tenant_id = ${tenantId} and c.subject_id = ${subjectIds[0]} and c.purpose = ${purposeName}) as consent`.execute(tx)).rows
          : (await sql<{ id: string; restricted: boolean; consent: number | null }>`${sql.raw(prepared('restriction_one'))}select ${subjectIds[0]}::text as id,
              exists (select 1 from subject_restrictions r where r.tenant_id = ${tenantId} and r.subject_id = ${subjectIds[0]} and r.purpose in (${purposeName}, '*')) as restricted, 1 as consent`.execute(tx)).rows)
        : consentBased
          ? (await sql<{ id: string; restricted: boolean; consent: number | null }>`${sql.raw(prepared('basis_many'))}select s.id,
              exists (select 1 from subject_restrictions r where r.tenant_id = ${tenantId} and r.subject_id = s.id and r.purpose in (${purposeName}, '*')) as restricted,
              (select case when c.state <> 'granted' then 0 when c.needs_reconsent then 2 else 1 end from consents c where c.tenant_id = ${tenantId} and c.subject_id = s.id and c.purpose = ${purposeName}) as consent
            from unnest(${subjectIds}::text[]) as s(id)`.execute(tx)).rows
          : (await sql<{ id: string; restricted: boolean; consent: number | null }>`${sql.raw(prepared('restriction_many'))}select s.id,
              exists (select 1 from subject_restrictions r where r.tenant_id = ${tenantId} and r.subject_id = s.id and r.purpose in (${purposeName}, '*')) as restricted, 1 as consent
            from unnest(${subjectIds}::text[]) as s(id)`.execute(tx)).rows;
      for (const r of rows) {
        const consent = Number(r.consent ?? 0);
        if (r.restricted) refused.set(r.id, { rule: 'restricted_by_subject', zh: '个人已限制该处理', en: 'the individual has restricted this processing' });
        else if (consent === 0) refused.set(r.id, { rule: 'no_consent', zh: '该个人未就此目的同意（或已撤回同意）', en: 'no consent on record for this purpose (or it was withdrawn)' });
        else if (consent === 2 && p.reconsent_mode === 'warn') warned.set(r.id, { rule: 'reconsent_pending', zh: '告知文本已重大变更，该个人尚未重新同意', en: 'the notice changed materially and the individual has not consented again' });
        else if (consent === 2) refused.set(r.id, { rule: 'reconsent_required', zh: '告知文本已重大变更，须重新取得该个人的同意', en: 'the notice changed materially; the individual must consent again' });
      }
      return { refused, warned };
    },
  };

  async function basisRefusalSql(tx: Tx, tenantId: string, purposeName: string, subjectRef: RawBuilder<unknown> | ReturnType<typeof sql.ref>) {
    const p = await purposeBasis(tx, tenantId, purposeName);
    if (!p) return sql<string | null>`'purpose_unknown'::text`;
    const pending = p.reconsent_mode === 'warn' ? 'reconsent_pending' : 'reconsent_required';
    const consent = p.legal_basis === 'consent'
      ? sql`coalesce((select case when cs.state <> 'granted' then 'no_consent' when cs.needs_reconsent then ${pending}::text else '' end
          from consents cs where cs.tenant_id = ${tenantId} and cs.subject_id = ${subjectRef} and cs.purpose = ${purposeName}::text), 'no_consent')`
      : sql`''`;
    return sql<string | null>`nullif(case
      when exists (select 1 from subject_restrictions rs where rs.tenant_id = ${tenantId} and rs.subject_id = ${subjectRef} and rs.purpose in (${purposeName}::text, '*')) then 'restricted_by_subject'
      else ${consent} end, '')`;
  }

  async function requireRoles(tx: Tx, tenantId: string, names: string[]) {
    const rows = await tx.selectFrom('roles').select('name').where('tenant_id', '=', tenantId).where('name', 'in', names.length ? names : ['']).execute();
    const have = new Set(rows.map((r) => r.name));
    const missing = names.filter((n) => !have.has(n));
    if (missing.length) throw new AppError(422, 'access.role_not_found', `角色不存在：${missing.join(', ')}`, `unknown roles: ${missing.join(', ')}`, [{ field: 'roles', reason: `unknown roles: ${missing.join(', ')}` }]);
  }
}

export type AccessService = ReturnType<typeof createAccessService>;
