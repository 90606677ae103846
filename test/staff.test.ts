import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { BACKENDS, setupCustomers, startHarness, type Harness } from './harness.js';

for (const kind of BACKENDS) {
  describe(`staff accounts, sessions, TOTP and training gate on ${kind}`, () => {
    let h: Harness;
    let staffId = '';
    let password = '';
    let recId = '';
    const login = (body: unknown) => h.server.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    const withSession = (method: string, url: string, cookie: string, csrf?: string, body?: unknown) => h.server.inject({ method: method as 'GET', url, headers: { cookie, ...(csrf ? { 'x-csrf-token': csrf } : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { payload: JSON.stringify(body) } : {}) });

    beforeAll(async () => {
      h = await startHarness(kind);
      await setupCustomers(h);
      recId = (await h.api('POST', '/api/v1/collections/customers/records', { fields: { name: '王小明', phone: '13800138000' } })).body.id;
      await h.api('POST', '/api/v1/roles', { name: 'cs_plain', grants: [{ collection: 'customers', fields: ['name', 'phone'], actions: ['read', 'search'], purposes: ['customer_service'], view: 'plain' }] });
      const s = await h.api('POST', '/api/v1/staff', { username: 'li.si', display_name: '李四', roles: ['cs_plain'] });
      expect(s.status).toBe(201);
      staffId = s.body.id; password = s.body.initial_password;
    });
    afterAll(async () => { await h?.close(); });

    it('signs in with a password, refuses PI until training is recorded, and needs the CSRF token for changes', async () => {
      const r = await login({ username: 'li.si', password });
      expect(r.statusCode).toBe(200);
      const setCookie = String(r.headers['set-cookie']);
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Strict/i);
      const cookie = setCookie.split(';')[0];
      const csrf = r.json().csrf_token;
      const untrained = await withSession('GET', `/api/v1/collections/customers/records/${recId}?purpose=customer_service&fields=name`, cookie);
      expect(untrained.statusCode).toBe(403);
      expect(untrained.json().errors[0].rule).toBe('training_required');
      await h.api('POST', '/api/v1/trainings', { staff_id: staffId, course: '个人信息保护培训 2026', completed_at: '2026-01-01', expires_at: '2099-01-01' });
      const ok = await withSession('GET', `/api/v1/collections/customers/records/${recId}?purpose=customer_service&fields=name`, cookie);
      expect(ok.json().fields).toEqual({ name: '王小明' });
      const noCsrf = await withSession('POST', '/api/v1/collections/customers/search', cookie, undefined, { field: 'phone', value: '13800138000', purpose: 'customer_service' });
      expect(noCsrf.statusCode).toBe(403);
      const withCsrf = await withSession('POST', '/api/v1/collections/customers/search', cookie, csrf, { field: 'phone', value: '13800138000', purpose: 'customer_service', fields: ['name'] });
      expect(withCsrf.statusCode).toBe(200);
      expect((await withSession('GET', '/api/v1/audit/events', cookie)).statusCode).toBe(403);
      expect((await withSession('GET', '/api/v1/collections', cookie.replace(/.$/, 'x'))).statusCode).toBe(401);
      await h.raw(`update sessions set expires_at = now() - interval '1 minute'`);
      expect((await withSession('GET', '/api/v1/collections', cookie)).statusCode).toBe(401);
    });

    it('requires TOTP once enrolled and accepts each code only once', async () => {
      const cookie2 = String((await login({ username: 'li.si', password })).headers['set-cookie']).split(';')[0];
      const setupRes = await withSession('POST', '/api/v1/auth/totp/setup', cookie2, undefined);
      expect(setupRes.statusCode).toBe(403);
      const l = await login({ username: 'li.si', password });
      const c3 = String(l.headers['set-cookie']).split(';')[0];
      const setup = await withSession('POST', '/api/v1/auth/totp/setup', c3, l.json().csrf_token);
      expect(setup.statusCode).toBe(200);
      const secret = setup.json().secret;
      expect(setup.json().otpauth_url).toMatch(/^otpauth:\/\/totp\//);
      expect((await withSession('POST', '/api/v1/auth/totp/enable', c3, l.json().csrf_token, { code: '000000' })).statusCode).toBe(422);
      await h.raw(`update staff set totp_last_step = null where id = $1`, [staffId]);
      const code = await generate({ secret });
      expect((await withSession('POST', '/api/v1/auth/totp/enable', c3, l.json().csrf_token, { code })).statusCode).toBe(200);
      expect((await login({ username: 'li.si', password })).json().code).toBe('auth.totp_required');
      await h.raw(`update staff set totp_last_step = null, failed_logins = 0 where id = $1`, [staffId]);
      const fresh = await generate({ secret });
      expect((await login({ username: 'li.si', password, totp: fresh })).statusCode).toBe(200);
      const reused = await login({ username: 'li.si', password, totp: fresh });
      expect(reused.statusCode).toBe(401);
      expect(reused.json().code).toBe('auth.totp_invalid');
    });

  });

  describe(`lock-out and rate limit on ${kind}`, () => {
    let h: Harness;
    let staffId = '';
    let password = '';
    const login = (body: unknown) => h.server.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    beforeAll(async () => {
      h = await startHarness(kind);
      const s = await h.api('POST', '/api/v1/staff', { username: 'wang.wu', display_name: '王五', roles: [] });
      staffId = s.body.id; password = s.body.initial_password;
    });
    afterAll(async () => { await h?.close(); });
    it('locks the account after repeated wrong passwords, and audits the failures', async () => {
      await h.raw(`update staff set failed_logins = 0, locked_until = null where id = $1`, [staffId]);
      for (let i = 0; i < 5; i++) expect((await login({ username: 'wang.wu', password: 'wrong-password' })).statusCode).toBe(401);
      const locked = await login({ username: 'wang.wu', password });
      expect(locked.statusCode).toBe(423);
      expect(locked.json().code).toBe('auth.locked');
      const ev = await h.api('GET', `/api/v1/audit/events?actor_id=${staffId}&action=auth.login&limit=100`);
      expect(ev.body.events.filter((e: any) => e.decision === 'deny').length).toBeGreaterThanOrEqual(5);
      expect(JSON.stringify(ev.body)).not.toContain('wrong-password');
    });
    it('rate-limits password guessing from one address', async () => {
      const codes: number[] = [];
      for (let i = 0; i < 6; i++) codes.push((await login({ username: 'nobody', password: 'x' })).statusCode);
      expect(codes).toContain(429);
    });
  });
}
