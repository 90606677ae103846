/**
 * Transport and browser security as a user's security review checks it: response headers, CORS closed by default
 * (open only to listed origins, never with cookies), session cookie flags, CSRF on cookie-authenticated writes,
 * and TLS 1.2+ only when HTTPS is on.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTarget, type Target } from './fuzz/target.js';

const owner = (t: Target) => ({ authorization: `Bearer ${t.ownerKey}` });

describe('security headers, CORS, cookies and CSRF', () => {
  let t: Target;
  beforeAll(async () => { t = await startTarget('pglite'); });
  afterAll(async () => { await t?.close(); });

  it('sends the hardening headers on API answers, errors and pages, and no X-Powered-By', async () => {
    for (const [url, headers] of [['/api/v1/collections', owner(t)], ['/api/v1/nothing-here', owner(t)], ['/api/v1/collections', {}], ['/health', {}]] as const) {
      const r = await t.send({ method: 'GET', url, headers: { ...headers } });
      expect(r.headers['x-content-type-options'], url).toBe('nosniff');
      expect(r.headers['x-frame-options'], url).toBe('SAMEORIGIN');
      expect(r.headers['referrer-policy'], url).toBe('no-referrer');
      expect(r.headers['cross-origin-opener-policy'], url).toBe('same-origin');
      expect(r.headers['cross-origin-resource-policy'], url).toBe('same-origin');
      expect(r.headers['x-powered-by'], url).toBeUndefined();
      expect(r.headers['strict-transport-security'], `${url}: HSTS only over HTTPS`).toBeUndefined();
    }
  });

  it('serves the console and portal with a strict Content-Security-Policy (when built)', async () => {
    for (const app of ['console', 'portal']) {
      const r = await t.send({ method: 'GET', url: `/${app}/`, headers: { accept: 'text/html' } });
      if (r.status === 503) continue; // web/dist not built (npm run build:web): the not-built page has no scripts
      expect(r.status).toBe(200);
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/);
    }
  });

  it('marks API answers (which hold PI) as not to be stored by browsers or proxies', async () => {
    const r = await t.send({ method: 'GET', url: `/api/v1/collections/customers/records/${t.ids.record[0]}?purpose=customer_service&fields=name`, headers: owner(t) });
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('keeps CORS closed by default: no Access-Control-* header for any origin, preflights refused', async () => {
    const pre = await t.send({ method: 'OPTIONS', url: '/api/v1/collections', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    expect(pre.status).toBeGreaterThanOrEqual(400);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    const get = await t.send({ method: 'GET', url: '/api/v1/collections', headers: { ...owner(t), origin: 'https://evil.example' } });
    expect(get.status).toBe(200);
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
    expect(get.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('sets the session cookie HttpOnly, SameSite=Strict, Path=/, and not Secure on plain HTTP', async () => {
    const r = await t.send({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ username: 'admin', password: t.adminPassword }) });
    expect(r.status).toBe(200);
    const c = String(r.headers['set-cookie']);
    expect(c).toMatch(/^custodian_session=[^;]+;/);
    expect(c).toMatch(/; HttpOnly/);
    expect(c).toMatch(/; SameSite=Strict/);
    expect(c).toMatch(/; Path=\//);
    expect(c).not.toMatch(/; Secure/);
    expect(r.body).not.toContain(c.split(';')[0].split('=')[1]); // the token travels only in the cookie
  });

  it('requires the CSRF token on every cookie-authenticated write, not on reads or API-key calls', async () => {
    const { cookie, csrf } = t.session;
    const body = JSON.stringify({ name: 'csrf_check', title: 'CSRF', legal_basis: 'contract' });
    const post = (headers: Record<string, string>) => t.send({ method: 'POST', url: '/api/v1/purposes', headers: { 'content-type': 'application/json', ...headers }, payload: body });
    const none = await post({ cookie });
    expect(none.status).toBe(403);
    expect(JSON.parse(none.body).code).toBe('auth.csrf');
    expect((await post({ cookie, 'x-csrf-token': 'not-the-token' })).status).toBe(403);
    expect((await post({ cookie, 'x-csrf-token': '' })).status).toBe(403);
    for (const method of ['DELETE', 'PATCH', 'PUT']) {
      const r = await t.send({ method, url: `/api/v1/subjects/${t.ids.subject[0]}/consents/marketing`, headers: { cookie } });
      expect(r.status, method).toBeGreaterThanOrEqual(400);
      expect(r.status, method).toBeLessThan(500);
      if (method === 'DELETE') expect(JSON.parse(r.body).code).toBe('auth.csrf');
    }
    const me = await t.send({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
    expect(me.status).toBe(200);
    // The admin role manages purposes: with the token the same write goes through.
    expect((await post({ cookie, 'x-csrf-token': csrf })).status).toBe(201);
    // API keys are not ambient credentials, so they need no CSRF token.
    const viaKey = await t.send({ method: 'POST', url: '/api/v1/purposes', headers: { 'content-type': 'application/json', ...owner(t) }, payload: JSON.stringify({ name: 'csrf_key', title: 'K', legal_basis: 'contract' }) });
    expect(viaKey.status).toBe(201);
  });
});

describe('CORS for listed origins', () => {
  let t: Target;
  beforeAll(async () => { t = await startTarget('pglite', { corsOrigins: ['https://app.example.com'] }); });
  afterAll(async () => { await t?.close(); });

  it('answers preflights and requests from a listed origin only, and never allows credentials', async () => {
    const pre = await t.send({ method: 'OPTIONS', url: '/api/v1/collections', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(String(pre.headers['access-control-allow-headers'])).toContain('authorization');
    expect(pre.headers['access-control-allow-credentials']).toBeUndefined();
    const get = await t.send({ method: 'GET', url: '/api/v1/collections', headers: { ...owner(t), origin: 'https://app.example.com' } });
    expect(get.headers['access-control-allow-origin']).toBe('https://app.example.com');
    for (const origin of ['https://evil.example', 'https://app.example.com.evil.example', 'http://app.example.com', 'null']) {
      const r = await t.send({ method: 'OPTIONS', url: '/api/v1/collections', headers: { origin, 'access-control-request-method': 'POST' } });
      expect(r.headers['access-control-allow-origin'], origin).toBeUndefined();
    }
  });

  it('marks the session cookie Secure when the public URL is HTTPS (TLS ends at a proxy)', async () => {
    const p = await startTarget('pglite', { publicUrl: 'https://custodian.example.com' });
    try {
      const r = await p.send({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ username: 'admin', password: p.adminPassword }) });
      expect(String(r.headers['set-cookie'])).toMatch(/; Secure/);
    } finally { await p.close(); }
  });
});

function openssl(): boolean { try { execFileSync('openssl', ['version'], { stdio: 'ignore' }); return true; } catch { return false; } }

describe.skipIf(!openssl())('HTTPS', () => {
  let t: Target;
  let dir: string;
  let port = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custodian-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    t = await startTarget('pglite', { tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem') });
    await t.server.listen({ port: 0, host: '127.0.0.1' });
    port = (t.server.server.address() as { port: number }).port;
  });
  afterAll(async () => { await t?.close(); rmSync(dir, { recursive: true, force: true }); });

  const handshake = (opts: tls.ConnectionOptions, to = port) => new Promise<string>((res, rej) => {
    const s = tls.connect({ host: '127.0.0.1', port: to, rejectUnauthorized: false, ciphers: 'DEFAULT@SECLEVEL=0', ...opts }, () => { const v = s.getProtocol() as string; s.end(); res(v); });
    s.on('error', rej);
  });

  it('accepts TLS 1.2 and 1.3 and refuses TLS 1.0 and 1.1', async () => {
    expect(await handshake({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })).toBe('TLSv1.2');
    expect(await handshake({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' })).toBe('TLSv1.3');
    await expect(handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1' })).rejects.toThrow();
    await expect(handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1' })).rejects.toThrow();
    // Control: this client does speak TLS 1.1 to a server that allows it, so the refusal above is the server's.
    const { readFileSync } = await import('node:fs');
    const lax = tls.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')), minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, (c) => c.end());
    await new Promise<void>((r) => lax.listen(0, '127.0.0.1', () => r()));
    try { expect(await handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }, (lax.address() as { port: number }).port)).toBe('TLSv1.1'); } finally { lax.close(); }
  });

  it('cuts off clients that trickle a request (slowloris): headers and body within bounded time', async () => {
    const srv = t.server.server as unknown as { requestTimeout: number; headersTimeout: number };
    expect(srv.requestTimeout).toBeGreaterThan(0);
    expect(srv.requestTimeout).toBeLessThanOrEqual(300_000);
    expect(srv.headersTimeout).toBeGreaterThan(0);
    expect(srv.headersTimeout).toBeLessThanOrEqual(srv.requestTimeout);
  });

  it('sends HSTS over HTTPS', async () => {
    const r = await t.send({ method: 'GET', url: '/health', headers: {} });
    expect(String(r.headers['strict-transport-security'])).toMatch(/max-age=\d{7,}/);
  });
});
