import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

/** The scanner behind /api/v1/scan and /api/v1/redact loads on the first call (not with the server): it must answer all the same. */
describe('scan and redact over HTTP', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness('pglite'); });
  afterAll(async () => { await h?.close(); });

  it('finds a mobile number and an ID number in text, and audits the scan without the values', async () => {
    const r = await h.api('POST', '/api/v1/scan', { text: '客户手机 13800138000，身份证 11010519491231002X。' });
    expect(r.status).toBe(200);
    const types = r.body.findings.map((f: { type: string }) => f.type);
    expect(types).toEqual(expect.arrayContaining(['mobile', 'cn_id']));
    const ev = await h.api('GET', '/api/v1/audit/events?action=detect.scan');
    expect(ev.status).toBe(200);
    expect(ev.body.events.length).toBeGreaterThan(0);
    expect(JSON.stringify(ev.body)).not.toContain('13800138000');
  });

  it('redacts a CSV file: the copy no longer holds the number', async () => {
    const csv = 'name,phone\n张三,13800138000\n';
    const r = await h.api('POST', '/api/v1/redact', { filename: 'customers.csv', content_base64: Buffer.from(csv).toString('base64'), mode: 'mask' });
    expect(r.status).toBe(200);
    const out = Buffer.from(r.body.content_base64, 'base64').toString('utf8');
    expect(out).not.toContain('13800138000');
    expect(out.split('\n')[0]).toBe('name,phone');
  });

  it('a file without its name gets 422 problem+json naming the field', async () => {
    const r = await h.api('POST', '/api/v1/scan', { content_base64: Buffer.from('x').toString('base64') });
    expect(r.status).toBe(422);
    expect(JSON.stringify(r.body)).toContain('filename');
  });
});
