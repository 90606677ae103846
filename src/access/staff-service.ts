/**
 * Staff accounts: argon2id passwords, optional TOTP second factor (a code is accepted once), lock-out
 * after repeated failures, sessions that expire (stored hashed, with a CSRF token), and PI-protection
 * training records that gate access to PI for purposes that require training.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { generateSecret, generateURI, verify as verifyTotp } from 'otplib';
import { sql } from 'kysely';
import type { Db, Tx } from '../db/connection.js';
import { containsPattern, countOf, pageOf, type PageQuery, type SortSpec } from '../db/paging.js';
import { AppError, conflict, invalidField, notFound, unauthorized } from '../core/errors.js';
import { newId, newSecret } from '../core/ids.js';
import type { Actor } from '../audit/index.js';
import type { RootKeyProvider } from '../crypto/keyfile.js';

export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;
const sha256 = (s: string) => createHash('sha256').update(s).digest();
const totpAad = (tenantId: string, staffId: string) => `staff-totp|${tenantId}|${staffId}`;

export const STAFF_SORT: SortSpec<'username' | 'display_name' | 'created_at' | 'last_login_at'> = { columns: { username: 'username', display_name: 'display_name', created_at: 'created_at', last_login_at: 'last_login_at' }, sort: 'username', order: 'asc', tiebreak: ['id'] };
export const TRAINING_SORT: SortSpec<'completed_at' | 'expires_at' | 'course' | 'staff_id'> = { columns: { completed_at: 'completed_at', expires_at: 'expires_at', course: 'course', staff_id: 'staff_id' }, sort: 'completed_at', order: 'desc', tiebreak: ['id'] };
export interface StaffListQuery extends PageQuery<keyof typeof STAFF_SORT.columns> { q?: string; role?: string; state?: Array<'active' | 'disabled' | 'locked'> }
export interface TrainingListQuery extends PageQuery<keyof typeof TRAINING_SORT.columns> { staff_id?: string; course?: string; current?: boolean }

export interface LoginInput { username: string; password: string; totp?: string; tenant?: string; clientIp?: string }

export function createStaffService(deps: { db: Db; root: RootKeyProvider; sessionTtlMinutes: number; suiteOf: (tx: Tx, tenantId: string) => Promise<'aes' | 'sm'> }) {
  const { db } = deps;

  async function permissionsOf(tx: Tx, tenantId: string, roles: string[]): Promise<string[]> {
    if (!roles.length) return [];
    const rows = await tx.selectFrom('roles').select('permissions').where('tenant_id', '=', tenantId).where('name', 'in', roles).execute();
    return [...new Set(rows.flatMap((r) => r.permissions as string[]))];
  }

  return {
    async createStaff(tx: Tx, tenantId: string, input: { username: string; display_name: string; roles: string[]; email?: string }) {
      const exists = await tx.selectFrom('staff').select('id').where('tenant_id', '=', tenantId).where('username', '=', input.username).executeTakeFirst();
      if (exists) throw conflict('staff.exists', `用户名 ${input.username} 已存在`, `username ${input.username} already exists`, [{ field: 'username', reason: 'already exists' }]);
      const roles = await tx.selectFrom('roles').select('name').where('tenant_id', '=', tenantId).where('name', 'in', input.roles.length ? input.roles : ['']).execute();
      const missing = input.roles.filter((r) => !roles.some((x) => x.name === r));
      if (missing.length) throw invalidField('roles', `不存在：${missing.join(', ')}`, `unknown roles: ${missing.join(', ')}`);
      const password = randomBytes(15).toString('base64url');
      const id = newId('stf');
      await tx.insertInto('staff').values({ tenant_id: tenantId, id, username: input.username, display_name: input.display_name, email: input.email ?? null, password_hash: await argon2Hash(password), roles: JSON.stringify(input.roles) }).execute();
      return { id, username: input.username, display_name: input.display_name, roles: input.roles, initial_password: password };
    },

    async listStaff(tx: Tx, tenantId: string, q: StaffListQuery = {}) {
      let s = tx.selectFrom('staff').select(['id', 'username', 'display_name', 'email', 'roles', 'totp_enabled', 'locked_until', 'disabled_at', 'last_login_at', 'created_at']).where('tenant_id', '=', tenantId);
      if (q.q) { const pat = containsPattern(q.q); s = s.where((eb) => eb.or([eb('username', 'ilike', pat), eb('display_name', 'ilike', pat)])); }
      if (q.role) s = s.where(sql<boolean>`roles @> ${JSON.stringify([q.role])}::jsonb`);
      if (q.state?.length) {
        const now = new Date();
        const states = q.state;
        s = s.where((eb) => eb.or(states.map((st) => (st === 'disabled' ? eb('disabled_at', 'is not', null)
          : st === 'locked' ? eb.and([eb('disabled_at', 'is', null), eb('locked_until', '>', now)])
            : eb.and([eb('disabled_at', 'is', null), eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)])])))));
      }
      return { staff: await pageOf(s, q, STAFF_SORT).execute(), total: await countOf(s) };
    },

    /** Password (+ TOTP when enabled) -> a session token (returned once) and its CSRF token. */
    async login(input: LoginInput) {
      return db.transaction(async (tx) => {
        let q = tx.selectFrom('staff').selectAll().where('username', '=', input.username);
        if (input.tenant) q = q.where('tenant_id', '=', input.tenant);
        const rows = await q.limit(2).execute();
        if (rows.length > 1) throw invalidField('tenant', '该用户名存在于多个租户，请指定租户', 'is required: the username exists in several tenants');
        const s = rows[0];
        const bad = unauthorized('auth.invalid_credentials', '用户名或密码错误', 'Wrong username or password');
        if (!s || !s.password_hash || s.disabled_at) { await argon2Hash('timing-equaliser'); throw bad; }
        if (s.locked_until && s.locked_until > new Date()) throw new AppError(423, 'auth.locked', `账户已锁定，请于 ${s.locked_until.toISOString()} 后重试`, `Account locked until ${s.locked_until.toISOString()}`);
        const fail = async () => {
          const n = s.failed_logins + 1;
          await tx.updateTable('staff').set({ failed_logins: n, locked_until: n >= MAX_FAILED_LOGINS ? new Date(Date.now() + LOCK_MINUTES * 60_000) : null }).where('tenant_id', '=', s.tenant_id).where('id', '=', s.id).execute();
        };
        if (!(await argon2Verify(s.password_hash, input.password))) { await fail(); return { error: bad, tenantId: s.tenant_id, staffId: s.id }; }
        let step: number | null = null;
        if (s.totp_enabled && s.totp_sealed) {
          if (!input.totp) return { error: unauthorized('auth.totp_required', '需要动态验证码', 'A TOTP code is required'), tenantId: s.tenant_id, staffId: s.id };
          const secret = (await deps.root.unwrap(s.totp_sealed, totpAad(s.tenant_id, s.id), await deps.suiteOf(tx, s.tenant_id))).toString('utf8');
          const r = await verifyTotp({ secret, token: input.totp, epochTolerance: 30 });
          step = Math.floor(Date.now() / 30_000) + (r.valid ? (r.delta ?? 0) : 0);
          if (!r.valid || (s.totp_last_step !== null && step <= s.totp_last_step)) {
            await fail();
            return { error: unauthorized('auth.totp_invalid', '动态验证码错误或已使用', 'Wrong or already used TOTP code'), tenantId: s.tenant_id, staffId: s.id };
          }
        }
        const token = newSecret('ses');
        const csrf = randomBytes(24).toString('base64url');
        const expires = new Date(Date.now() + deps.sessionTtlMinutes * 60_000);
        await tx.insertInto('sessions').values({ token_hash: sha256(token), tenant_id: s.tenant_id, staff_id: s.id, mfa: step !== null, csrf_token: csrf, expires_at: expires }).execute();
        await tx.updateTable('staff').set({ failed_logins: 0, locked_until: null, last_login_at: new Date(), ...(step !== null ? { totp_last_step: step } : {}) }).where('tenant_id', '=', s.tenant_id).where('id', '=', s.id).execute();
        const roles = s.roles as string[];
        return { token, csrf_token: csrf, expires_at: expires, staff: { id: s.id, username: s.username, display_name: s.display_name, roles, permissions: await permissionsOf(tx, s.tenant_id, roles), tenant: s.tenant_id } };
      }).then((r) => { if ('error' in r && r.error) throw Object.assign(r.error, { tenantId: r.tenantId, staffId: r.staffId }); return r as Exclude<typeof r, { error: AppError }>; });
    },

    /** The actor of a live session, or null. */
    async sessionActor(tx: Tx, token: string): Promise<(Actor & { csrf: string }) | null> {
      const s = await tx.selectFrom('sessions as se').innerJoin('staff as st', (j) => j.onRef('st.tenant_id', '=', 'se.tenant_id').onRef('st.id', '=', 'se.staff_id'))
        .select(['se.tenant_id', 'se.staff_id', 'se.csrf_token', 'se.expires_at', 'se.revoked_at', 'st.roles', 'st.disabled_at'])
        .where('se.token_hash', '=', sha256(token)).executeTakeFirst();
      if (!s || s.revoked_at || s.disabled_at || s.expires_at < new Date()) return null;
      return { type: 'staff', id: s.staff_id, tenantId: s.tenant_id, roles: s.roles as string[], csrf: s.csrf_token };
    },

    async me(tx: Tx, actor: Actor) {
      const s = await tx.selectFrom('staff').select(['id', 'username', 'display_name', 'roles', 'totp_enabled']).where('tenant_id', '=', actor.tenantId).where('id', '=', actor.id).executeTakeFirst();
      if (!s) throw notFound('staff.not_found', '用户不存在', 'staff member not found');
      return { ...s, tenant: actor.tenantId, permissions: await permissionsOf(tx, actor.tenantId, s.roles as string[]) };
    },

    async logout(token: string) {
      await db.kysely.updateTable('sessions').set({ revoked_at: new Date() }).where('token_hash', '=', sha256(token)).execute();
    },

    /** Start TOTP enrolment: a new secret (sealed at rest) and its otpauth:// URI for an authenticator app. */
    async setupTotp(tx: Tx, actor: Actor) {
      const secret = generateSecret();
      const me = await this.me(tx, actor);
      const sealed = await deps.root.wrap(Buffer.from(secret), totpAad(actor.tenantId, actor.id), await deps.suiteOf(tx, actor.tenantId));
      await tx.updateTable('staff').set({ totp_sealed: sealed, totp_enabled: false }).where('tenant_id', '=', actor.tenantId).where('id', '=', actor.id).execute();
      return { secret, otpauth_url: generateURI({ issuer: 'Custodian', label: me.username, secret }) };
    },

    async enableTotp(tx: Tx, actor: Actor, code: string) {
      const s = await tx.selectFrom('staff').select(['totp_sealed']).where('tenant_id', '=', actor.tenantId).where('id', '=', actor.id).executeTakeFirst();
      if (!s) throw notFound('staff.not_found', '用户不存在', 'staff member not found'); // e.g. an API key, not a staff sign-in
      if (!s.totp_sealed) throw invalidField('code', '请先开始绑定', 'start enrolment first (POST /api/v1/auth/totp/setup)');
      const secret = (await deps.root.unwrap(s.totp_sealed, totpAad(actor.tenantId, actor.id), await deps.suiteOf(tx, actor.tenantId))).toString('utf8');
      const r = await verifyTotp({ secret, token: code, epochTolerance: 30 });
      if (!r.valid) throw invalidField('code', '动态验证码错误', 'is not the current code');
      await tx.updateTable('staff').set({ totp_enabled: true, totp_last_step: Math.floor(Date.now() / 30_000) + (r.delta ?? 0) }).where('tenant_id', '=', actor.tenantId).where('id', '=', actor.id).execute();
      return { totp_enabled: true };
    },

    async recordTraining(tx: Tx, tenantId: string, input: { staff_id: string; course: string; completed_at: string; expires_at: string }) {
      const s = await tx.selectFrom('staff').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.staff_id).executeTakeFirst();
      if (!s) throw invalidField('staff_id', '不存在', 'does not exist');
      if (input.expires_at <= input.completed_at) throw invalidField('expires_at', '必须晚于完成日期', 'must be after completed_at');
      const id = newId('trn');
      await tx.insertInto('trainings').values({ tenant_id: tenantId, id, ...input }).execute();
      return { id, ...input };
    },

    async listTrainings(tx: Tx, tenantId: string, q: TrainingListQuery = {}) {
      let s = tx.selectFrom('trainings').select(['id', 'staff_id', 'course', 'completed_at', 'expires_at']).where('tenant_id', '=', tenantId);
      if (q.staff_id) s = s.where('staff_id', '=', q.staff_id);
      if (q.course) s = s.where('course', '=', q.course);
      if (q.current !== undefined) s = s.where('expires_at', q.current ? '>=' : '<', new Date().toISOString().slice(0, 10));
      return { trainings: await pageOf(s, q, TRAINING_SORT).execute(), total: await countOf(s) };
    },
  };
}
export type StaffService = ReturnType<typeof createStaffService>;
