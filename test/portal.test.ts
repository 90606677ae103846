import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { createWebhookNotifier } from '../src/core/notifier.js';
import { BACKENDS, setupCustomers, startHarness, type Harness } from './harness.js';
import { startSmtpSink } from './smtp-sink.js';
import { createLogger } from '../src/core/logger.js';
import { buildServer } from '../src/http/server.js';

const PHONE = '13800138000';
const EMAIL = 'zhang.san@example.com';

/** Every portal message in the outbox: reference -> line. */
function outbox(h: Harness): Array<{ to: string; body: string; reference: string; channel: string }> {
  const out = [];
  for (const ch of ['sms', 'email']) {
    const dir = join(h.dataDir, 'outbox', ch);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) out.push(...readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
  }
  return out;
}

for (const kind of BACKENDS) {
  describe(`customer portal on ${kind}`, () => {
    let h: Harness;
    let subject = '', recId = '';
    const codes: string[] = [];
    let session = { cookie: '', csrf: '' };
    const post = async (url: string, body: unknown, s?: { cookie: string; csrf?: string }) => {
      const res = await h.server.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...(s ? { cookie: s.cookie } : {}), ...(s?.csrf ? { 'x-csrf-token': s.csrf } : {}) }, payload: JSON.stringify(body) });
      return { status: res.statusCode, body: res.json(), headers: res.headers };
    };
    const get = async (url: string, s: { cookie: string }) => {
      const res = await h.server.inject({ method: 'GET', url, headers: { cookie: s.cookie } });
      return { status: res.statusCode, body: res.json() };
    };
    const askCode = (channel: 'sms' | 'email', contact: string) => post('/api/v1/portal/otp', { tenant: h.tenant, channel, contact });
    const codeFor = async (challenge: string) => {
      await h.app.portal.idle();
      const m = outbox(h).find((x) => x.reference === `portal/${challenge}`);
      const code = m ? (/\b(\d{6})\b/.exec(m.body) as RegExpExecArray)[1] : null;
      if (code) codes.push(code);
      return code;
    };
    const signIn = async (challenge: string, code: string) => {
      const r = await post('/api/v1/portal/session', { tenant: h.tenant, challenge_id: challenge, code });
      return { ...r, session: { cookie: String(r.headers['set-cookie'] ?? '').split(';')[0], csrf: r.body.csrf_token as string } };
    };

    beforeAll(async () => {
      h = await startHarness(kind);
      await setupCustomers(h);
      await h.api('POST', '/api/v1/purposes', { name: 'marketing', title: '营销推广', legal_basis: 'consent' });
      expect((await h.api('POST', '/api/v1/notices', { name: 'privacy', language: 'zh-CN', text: '隐私政策：我们向您发送优惠信息。', purposes: ['marketing'] })).status).toBe(201);
      const w = await h.api('POST', '/api/v1/collections/customers/records', { fields: { name: '张三', phone: PHONE, email: EMAIL, id_number: '11010519491231002X', address: '北京市朝阳区建国路88号' } });
      subject = w.body.subject_id; recId = w.body.id;
      expect((await h.api('POST', `/api/v1/subjects/${subject}/consents`, { purpose: 'marketing', notice: 'privacy', notice_version: 1, channel: 'app' })).status).toBe(201);
    });
    afterAll(async () => { await h?.close(); });

    it('answers a known and an unknown contact alike, and sends a code only to the known one', async () => {
      const known = await askCode('sms', '+86 138-0013-8000');
      const unknown = await askCode('sms', '13911112222');
      expect(known.status).toBe(202);
      expect(unknown.status).toBe(202);
      expect(Object.keys(unknown.body).sort()).toEqual(Object.keys(known.body).sort());
      expect({ ...unknown.body, challenge_id: 'x' }).toEqual({ ...known.body, challenge_id: 'x' });
      expect(await codeFor(known.body.challenge_id)).toMatch(/^\d{6}$/);
      expect(await codeFor(unknown.body.challenge_id)).toBeNull();
      const msg = outbox(h).find((x) => x.reference === `portal/${known.body.challenge_id}`);
      expect(msg?.to).toBe(PHONE);
      expect(msg?.body).toContain('验证码');
      // An unknown contact's challenge refuses every code exactly like a known one refuses a wrong code.
      const u = await signIn(unknown.body.challenge_id, '000000');
      const k = await signIn(known.body.challenge_id, codes[0] === '000000' ? '000001' : '000000');
      expect(u.status).toBe(401);
      expect(u.body.code).toBe(k.body.code);
      const bad = await askCode('sms', '12345');
      expect(bad.status).toBe(422);
      expect(bad.body.errors[0].field).toBe('contact');
      expect((await post('/api/v1/portal/otp', { tenant: 'ten_0000000000000000', channel: 'sms', contact: PHONE })).status).toBe(404);
    });

    it('signs in with the code from the outbox and shows only masked data, audited as the subject\'s access', async () => {
      const c = await askCode('sms', PHONE);
      const code = await codeFor(c.body.challenge_id) as string;
      const s = await signIn(c.body.challenge_id, code);
      expect(s.status).toBe(200);
      expect(String(s.headers['set-cookie'])).toMatch(/HttpOnly/i);
      expect(String(s.headers['set-cookie'])).toMatch(/SameSite=Strict/i);
      session = s.session;
      const again = await signIn(c.body.challenge_id, code);
      expect(again.status).toBe(401);
      expect(again.body.code).toBe('portal.code_expired');
      const me = await get('/api/v1/portal/me', session);
      expect(me.status).toBe(200);
      const fields = Object.fromEntries(me.body.collections[0].records[0].fields.map((f: any) => [f.name, f]));
      expect(fields.phone.value).toBe('138****8000');
      expect(fields.name.value).toBe('张*');
      expect(fields.phone.label_zh).toBeTruthy();
      const text = JSON.stringify(me.body);
      for (const plain of [PHONE, EMAIL, '张三', '11010519491231002X', '建国路88号']) expect(text).not.toContain(plain);
      const ev = await h.raw(`select actor_type, actor_id, purpose from audit_events where action = 'portal.subject_access' and subject_id = $1`, [subject]);
      expect(ev).toEqual([{ actor_type: 'subject', actor_id: subject, purpose: 'subject_access' }]);
    });

    it('kills a challenge after five wrong codes', async () => {
      const c = await askCode('sms', PHONE);
      const code = await codeFor(c.body.challenge_id) as string;
      const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
      for (let i = 1; i <= 5; i++) {
        const r = await signIn(c.body.challenge_id, wrong);
        expect(r.status).toBe(401);
        expect(r.body.code).toBe(i < 5 ? 'portal.code_invalid' : 'portal.code_locked');
      }
      const right = await signIn(c.body.challenge_id, code);
      expect(right.status).toBe(401);
      expect(right.body.code).toBe('portal.code_locked');
      expect((await post('/api/v1/portal/session', { tenant: h.tenant, challenge_id: c.body.challenge_id, code: '12ab56' })).status).toBe(400);
    });

    it('refuses an expired code', async () => {
      const c = await askCode('email', EMAIL.toUpperCase());
      const code = await codeFor(c.body.challenge_id) as string;
      expect(code).toMatch(/^\d{6}$/);
      await h.raw(`update portal_challenges set expires_at = now() - interval '1 second' where id = $1`, [c.body.challenge_id]);
      const r = await signIn(c.body.challenge_id, code);
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('portal.code_expired');
    });

    it('limits codes per contact with 429 and Retry-After, known or not', async () => {
      for (let i = 0; i < 5; i++) expect((await askCode('email', 'nobody@example.com')).status).toBe(202);
      const r = await askCode('email', 'Nobody@Example.com');
      expect(r.status).toBe(429);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      expect(r.body.code).toBe('portal.rate_limited');
      expect(r.body.detail_zh).toBeTruthy();
    });

    it('a portal session is no staff or API identity, and staff identities do not open the portal', async () => {
      for (const [method, url] of [['GET', `/api/v1/collections/customers/records/${recId}?purpose=customer_service`], ['GET', '/api/v1/complaints'], ['GET', `/api/v1/subjects/${subject}/consents`], ['GET', '/api/v1/auth/me'], ['GET', '/api/v1/outbox']] as const) {
        const res = await h.server.inject({ method, url, headers: { cookie: session.cookie, 'x-csrf-token': session.csrf } });
        expect(res.statusCode, url).toBe(401);
      }
      expect((await h.api('GET', '/api/v1/portal/me')).status).toBe(401);
      const staff = await h.api('POST', '/api/v1/staff', { username: 'cs.agent', display_name: '客服', roles: ['owner'] });
      const login = await h.server.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ username: 'cs.agent', password: staff.body.initial_password }) });
      expect(login.statusCode).toBe(200);
      const staffCookie = String(login.headers['set-cookie']).split(';')[0];
      expect((await get('/api/v1/portal/me', { cookie: staffCookie })).status).toBe(401);
    });

    it('withdraws a consent (CSRF required); staff see it withdrawn and the audit names the subject', async () => {
      const list = await get('/api/v1/portal/consents', session);
      expect(list.body.consents).toEqual([expect.objectContaining({ purpose: 'marketing', title: '营销推广', state: 'granted' })]);
      expect((await post('/api/v1/portal/consents/marketing/withdraw', {}, { cookie: session.cookie })).status).toBe(403);
      const w = await post('/api/v1/portal/consents/marketing/withdraw', {}, session);
      expect(w.status).toBe(200);
      expect(w.body.state).toBe('withdrawn');
      expect((await post('/api/v1/portal/consents/marketing/withdraw', {}, session)).status).toBe(404);
      const staffView = await h.api('GET', `/api/v1/subjects/${subject}/consents`);
      expect(staffView.body.consents[0]).toMatchObject({ purpose: 'marketing', state: 'withdrawn' });
      const ev = await h.raw(`select actor_type, actor_id from audit_events where action = 'consent.withdraw' and subject_id = $1`, [subject]);
      expect(ev).toEqual([{ actor_type: 'subject', actor_id: subject }]);
    });

    it('files a request and a complaint that staff see, and follows the request\'s state and due date', async () => {
      const r = await post('/api/v1/portal/requests', { kind: 'deletion', details: '请删除我的营销资料' }, session);
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ kind: 'deletion', state: 'received' });
      expect(r.body.due).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect((await post('/api/v1/portal/requests', { kind: 'deceased_relative' }, session)).status).toBe(400);
      const mine = await get('/api/v1/portal/requests', session);
      expect(mine.body.requests.map((x: any) => x.id)).toEqual([r.body.id]);
      const staffReq = await h.api('GET', `/api/v1/requests?subject_id=${subject}`);
      expect(staffReq.body.requests.find((x: any) => x.id === r.body.id)).toMatchObject({ kind: 'deletion', note: '请删除我的营销资料' });
      expect((await h.api('POST', `/api/v1/requests/${r.body.id}/transitions`, { to: 'verifying' })).status).toBeLessThan(300);
      expect((await get('/api/v1/portal/requests', session)).body.requests[0].state).toBe('verifying');

      const c = await post('/api/v1/portal/complaints', { category: 'marketing', summary: '撤回同意后仍收到短信', description: '我已撤回营销同意，但仍收到短信。' }, session);
      expect(c.status).toBe(201);
      const bad = await post('/api/v1/portal/complaints', { category: 'nonsense', summary: 'x', description: 'y' }, session);
      expect(bad.status).toBe(400);
      const staffList = await h.api('GET', '/api/v1/complaints?channel=portal');
      expect(staffList.body.complaints).toEqual([expect.objectContaining({ id: c.body.id, subject_id: subject, kind: 'complaint' })]);
      expect((await h.api('POST', `/api/v1/complaints/${c.body.id}/messages`, { direction: 'outbound', body: '已停止向您发送营销短信。' })).status).toBe(201);
      await h.api('POST', `/api/v1/complaints/${c.body.id}/messages`, { direction: 'note', body: '内部备注：核对退订名单' });
      const own = await get('/api/v1/portal/complaints', session);
      expect(own.body.complaints).toEqual([expect.objectContaining({ id: c.body.id, state: 'replied', replies: [expect.objectContaining({ body: '已停止向您发送营销短信。' })] })]);
      expect(JSON.stringify(own.body)).not.toContain('内部备注');
    });

    it('keeps codes and contacts out of the audit log and the challenge table; staff see the outbox masked', async () => {
      expect(codes.length).toBeGreaterThan(2);
      const events = JSON.stringify(await h.raw(`select * from audit_events`));
      const challenges = JSON.stringify(await h.raw(`select * from portal_challenges`));
      for (const secret of [...codes, PHONE, EMAIL, 'nobody@example.com', '13911112222']) {
        expect(events).not.toContain(secret);
        expect(challenges).not.toContain(secret);
      }
      const ob = await h.api('GET', '/api/v1/outbox');
      expect(ob.status).toBe(200);
      expect(ob.body.messages.length).toBeGreaterThan(0);
      expect(ob.body.messages[0]).toMatchObject({ kind: 'portal_code' });
      const text = JSON.stringify(ob.body);
      for (const secret of [...codes, PHONE, EMAIL]) expect(text).not.toContain(secret);
      expect(text).toContain('138****8000');
    });

    it('signs out: the session no longer works', async () => {
      expect((await post('/api/v1/portal/logout', {}, session)).status).toBe(200);
      expect((await get('/api/v1/portal/me', session)).status).toBe(401);
    });
  });
}

describe('portal delivery and logs (pglite)', () => {
  it('sends email codes through SMTP when CUSTODIAN_SMTP_URL is set (and SMS still to the outbox)', async () => {
    const sink = await startSmtpSink();
    const h = await startHarness('pglite', { config: { smtpUrl: sink.url, smtpFrom: 'Custodian <privacy@example.com>' } });
    try {
      await setupCustomers(h);
      await h.api('POST', '/api/v1/collections/customers/records', { fields: { name: '李四', phone: '13700137000', email: 'li.si@example.com' } });
      const e = await h.api('POST', '/api/v1/portal/otp', { tenant: h.tenant, channel: 'email', contact: 'li.si@example.com' }, null);
      expect(e.status).toBe(202);
      await h.app.portal.idle();
      expect(sink.messages).toHaveLength(1);
      expect(sink.messages[0].to).toEqual(['<li.si@example.com>']);
      expect(sink.messages[0].data).toMatch(/Subject: /);
      expect(outbox(h).filter((m) => m.channel === 'email')).toEqual([]);
      const s = await h.api('POST', '/api/v1/portal/otp', { tenant: h.tenant, channel: 'sms', contact: '13700137000' }, null);
      await h.app.portal.idle();
      expect(outbox(h).map((m) => m.reference)).toEqual([`portal/${s.body.challenge_id}`]);
    } finally { await h.close(); await sink.close(); }
  });

  it('sends SMS codes through a signed webhook gateway when CUSTODIAN_SMS_WEBHOOK_URL is set', async () => {
    const secret = 'gateway-shared-secret-1234';
    const got: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];
    let answer = 200;
    const gw = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => { got.push({ headers: req.headers, body }); res.writeHead(answer, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `gw-${got.length}` })); });
    });
    await new Promise<void>((r) => gw.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(gw.address() as { port: number }).port}/sms`;
    const h = await startHarness('pglite', { config: { smsWebhookUrl: url, smsWebhookSecret: secret } });
    try {
      await setupCustomers(h);
      await h.api('POST', '/api/v1/collections/customers/records', { fields: { name: '赵六', phone: '13600136000' } });
      const s = await h.api('POST', '/api/v1/portal/otp', { tenant: h.tenant, channel: 'sms', contact: '13600136000' }, null);
      expect(s.status).toBe(202);
      await h.app.portal.idle();
      expect(got).toHaveLength(1);
      const msg = JSON.parse(got[0].body);
      expect(msg).toMatchObject({ channel: 'sms', to: '13600136000', reference: `portal/${s.body.challenge_id}` });
      expect(msg.text).toMatch(/\b\d{6}\b/);
      // The gateway can check who sent it: HMAC-SHA256 of "<timestamp>.<body>" under the shared secret.
      const ts = String(got[0].headers['x-custodian-timestamp']);
      expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
      expect(got[0].headers['x-custodian-signature']).toBe(`sha256=${createHmac('sha256', secret).update(`${ts}.${got[0].body}`).digest('hex')}`);
      expect(got[0].headers['x-custodian-signature']).not.toBe(`sha256=${createHmac('sha256', 'another-secret-000000').update(`${ts}.${got[0].body}`).digest('hex')}`);
      // Nothing went to the file outbox.
      expect(outbox(h).filter((m) => m.channel === 'sms')).toEqual([]);
      // A gateway that refuses makes the send fail (the caller retries), and the error names neither number nor text.
      answer = 503;
      const n = createWebhookNotifier(url, secret, 'sms');
      const err = await n.send({ channel: 'sms', to: '+8613600136000', subject: 's', body: '验证码 123456', language: 'zh-CN', reference: 'r' }).catch((e: Error) => e);
      expect(String(err)).toMatch(/HTTP 503/);
      expect(String(err)).not.toMatch(/13600136000|123456/);
      await expect(n.send({ channel: 'email', to: 'a@b.cn', subject: 's', body: 'b', language: 'zh-CN', reference: 'r' })).rejects.toThrow(/sms only/);
    } finally { await h.close(); await new Promise((r) => gw.close(r)); }
  });

  it('writes neither the code nor the contact into the server log', async () => {
    const h = await startHarness('pglite');
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const server = await buildServer({ ...h.app, logger: createLogger({ level: 'trace', destination: sink }) }, {});
    try {
      await setupCustomers(h);
      await h.api('POST', '/api/v1/collections/customers/records', { fields: { name: '王五', phone: '13500135000' } });
      const call = (url: string, body: unknown, cookie?: string) => server.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, payload: JSON.stringify(body) });
      const c = (await call('/api/v1/portal/otp', { tenant: h.tenant, channel: 'sms', contact: '135 0013 5000' })).json();
      await call('/api/v1/portal/otp', { tenant: h.tenant, channel: 'sms', contact: '13511112222' });
      await call('/api/v1/portal/otp', { tenant: h.tenant, channel: 'email', contact: 'not-an-email' });
      await h.app.portal.idle();
      const code = (/\b(\d{6})\b/.exec(outbox(h)[0].body) as RegExpExecArray)[1];
      const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
      expect((await call('/api/v1/portal/session', { tenant: h.tenant, challenge_id: c.challenge_id, code: wrong })).statusCode).toBe(401);
      const ok = await call('/api/v1/portal/session', { tenant: h.tenant, challenge_id: c.challenge_id, code });
      expect(ok.statusCode).toBe(200);
      const cookie = String(ok.headers['set-cookie']).split(';')[0];
      expect((await server.inject({ method: 'GET', url: '/api/v1/portal/me', headers: { cookie } })).statusCode).toBe(200);
      const log = lines.join('');
      expect(log.length).toBeGreaterThan(0);
      for (const secret of [code, wrong, '13500135000', '135 0013 5000', '13511112222', 'not-an-email', cookie.split('=')[1]]) expect(log).not.toContain(secret);
    } finally { await server.close(); await h.close(); }
  });
});
