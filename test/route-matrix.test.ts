import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupCustomers, startHarness, type Harness } from './harness.js';

/** Routes a key without grants or permissions may use: metadata only, never PI. */
const OPEN_TO_ANY_KEY = new Set(['GET /api/v1/collections', 'GET /api/v1/purposes', 'GET /api/v1/notices', 'GET /api/v1/auth/me', 'POST /api/v1/auth/logout']);
const PUBLIC = new Set(['POST /api/v1/auth/login', 'POST /api/v1/portal/otp', 'POST /api/v1/portal/session']);
/** Customer-portal routes: a portal session cookie only; API keys (and staff sessions) get 401 there. */
const PORTAL = /^\/api\/v1\/portal\//;

describe('every /api route x every identity: nothing is reachable that the grants do not allow', () => {
  let h: Harness;
  let routes: Array<{ method: string; path: string }> = [];
  const keys: Record<string, string | null> = {};
  let recId = '';
  let subjectId = '';
  beforeAll(async () => {
    h = await startHarness('pglite');
    await setupCustomers(h);
    const w = await h.api('POST', '/api/v1/collections/customers/records', { fields: { name: '张三', phone: '13800138000' } });
    recId = w.body.id; subjectId = w.body.subject_id;
    await h.api('POST', '/api/v1/roles', { name: 'nothing', grants: [] });
    await h.api('POST', '/api/v1/roles', { name: 'cs_masked', grants: [{ collection: 'customers', fields: ['name', 'phone'], actions: ['read', 'search'], purposes: ['customer_service'], view: 'masked' }] });
    keys.none = null;
    keys.empty_role = (await h.api('POST', '/api/v1/api-keys', { name: 'empty', roles: ['nothing'] })).body.api_key;
    keys.masked = (await h.api('POST', '/api/v1/api-keys', { name: 'masked', roles: ['cs_masked'] })).body.api_key;
    const doc = await h.api('GET', '/openapi.json', undefined, null);
    for (const [path, ops] of Object.entries(doc.body.paths as Record<string, object>)) {
      if (!path.startsWith('/api/')) continue;
      for (const m of Object.keys(ops)) routes.push({ method: m.toUpperCase(), path });
    }
  });
  afterAll(async () => { await h?.close(); });

  const fill = (p: string) => p.replace('{c}', 'customers').replace('{id}', p.includes('records') ? recId : p.includes('subjects') ? subjectId : 'key_00000000000000000000000000000000').replace('{purpose}', 'customer_service');
  const bodyFor = (method: string, path: string) => {
    if (method === 'GET' || method === 'DELETE') return undefined;
    if (path.endsWith('/search')) return { field: 'phone', value: '13800138000', purpose: 'customer_service', fields: ['name'] };
    if (path.endsWith('/records')) return { fields: { name: '李四' } };
    if (path.endsWith('/scan') || path.endsWith('/redact')) return { text: '手机 13800138000' };
    return {};
  };

  it('lists the routes it checks', () => { expect(routes.length).toBeGreaterThan(20); });

  it('answers 401 to every route without credentials (but sign-in)', async () => {
    for (const r of routes) {
      if (PUBLIC.has(`${r.method} ${r.path}`)) continue;
      const res = await h.api(r.method, fill(r.path) + (r.path.includes('/records/{id}') && r.method === 'GET' ? '?purpose=customer_service' : ''), bodyFor(r.method, r.path), null);
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
    }
  });

  it('refuses a key whose role grants nothing on every route but metadata', async () => {
    for (const r of routes) {
      const id = `${r.method} ${r.path}`;
      if (PUBLIC.has(id) || OPEN_TO_ANY_KEY.has(id)) continue;
      const res = await h.api(r.method, fill(r.path) + (r.path.includes('/records/{id}') && r.method === 'GET' ? '?purpose=customer_service' : ''), bodyFor(r.method, r.path), keys.empty_role);
      if (PORTAL.test(r.path)) expect(res.status, id).toBe(401);
      expect(res.status, id).toBeGreaterThanOrEqual(400);
      expect(res.status, id).toBeLessThan(500);
      expect(JSON.stringify(res.body), id).not.toContain('13800138000');
    }
  });

  it('lets the masked role only read and search masked name and phone', async () => {
    const allowed = new Set(['POST /api/v1/collections/{c}/search', 'GET /api/v1/collections/{c}/records/{id}', ...OPEN_TO_ANY_KEY]);
    for (const r of routes) {
      const id = `${r.method} ${r.path}`;
      if (PUBLIC.has(id)) continue;
      const url = fill(r.path) + (r.path.includes('/records/{id}') && r.method === 'GET' ? '?purpose=customer_service&fields=name,phone' : '');
      const res = await h.api(r.method, url, bodyFor(r.method, r.path), keys.masked);
      if (allowed.has(id)) {
        expect(res.status, id).toBe(200);
      } else {
        if (PORTAL.test(r.path)) expect(res.status, id).toBe(401);
        expect(res.status, id).toBeGreaterThanOrEqual(400);
        expect(res.status, id).toBeLessThan(500);
      }
      expect(JSON.stringify(res.body), id).not.toContain('13800138000');
    }
  });
});
