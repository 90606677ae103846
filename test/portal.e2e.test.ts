/**
 * End-to-end: the customer portal in headless Chromium against a real server on a fresh store. A customer
 * asks for a code, the test reads it from the file outbox, signs in, sees masked data, withdraws a consent
 * and files a request; axe-core checks accessibility. Screenshots go to $CUSTODIAN_SHOTS (default /tmp/custodian-shots).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { setupCustomers, type Harness } from './harness.js';
import { axeViolations, launchChromium, listeningHarness, SHOTS } from './browser-stage.js';

const PHONE = '13800138000';

let h: Harness;
let browser: Browser;
let base: string;
let subject = '';

function codeFromOutbox(): string {
  const dir = join(h.dataDir, 'outbox', 'sms');
  const lines = readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
  const last = lines.filter((l) => String(l.reference).startsWith('portal/')).pop();
  return (/\b(\d{6})\b/.exec(last.body) as RegExpExecArray)[1];
}

const axe = axeViolations;

beforeAll(async () => {
  ({ h, base } = await listeningHarness());
  await setupCustomers(h);
  await h.api('POST', '/api/v1/purposes', { name: 'marketing', title: '营销推广', title_en: 'Marketing', legal_basis: 'consent' });
  expect((await h.api('POST', '/api/v1/notices', { name: 'privacy', language: 'zh-CN', text: '隐私政策：我们向您发送优惠信息。', purposes: ['marketing'] })).status).toBe(201);
  const w = await h.api('POST', '/api/v1/collections/customers/records', { fields: { name: '张三', phone: PHONE, email: 'zhang.san@example.com', address: '北京市朝阳区建国路88号' } });
  subject = w.body.subject_id;
  expect((await h.api('POST', `/api/v1/subjects/${subject}/consents`, { purpose: 'marketing', notice: 'privacy', notice_version: 1, channel: 'app' })).status).toBe(201);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('customer portal (headless Chromium)', () => {
  it('signs in with a code from the outbox, shows masked data, withdraws a consent, files a request; accessible', async () => {
    // bypassCSP: only so the test can inject axe-core; the app itself runs under the portal's CSP.
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', bypassCSP: true });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/portal/?tenant=${h.tenant}`);
    await page.getByText('您的权利', { exact: true }).waitFor();
    expect(await axe(page)).toEqual([]);
    // Keyboard only: from the sign-in card's title, Tab reaches the channel choice, the number and the button in order.
    await page.locator('#signin-title').click();
    const reached: string[] = [];
    for (let i = 0; i < 10 && !reached.includes('button'); i++) {
      await page.keyboard.press('Tab');
      const f = await page.evaluate(() => { const e = (globalThis as unknown as { document: { activeElement: { id?: string; tagName: string; getAttribute(n: string): string | null; textContent: string | null } | null } }).document.activeElement; return e ? { id: e.id ?? '', tag: e.tagName.toLowerCase(), type: e.getAttribute('type') ?? '', text: (e.textContent ?? '').replace(/\s/g, '') } : null; });
      if (f?.type === 'radio' && !reached.includes('channel')) reached.push('channel');
      else if (f?.id === 'otp_contact') { reached.push('contact'); await page.keyboard.type(PHONE); }
      else if (f?.tag === 'button' && f.text === '获取验证码') reached.push('button');
    }
    expect(reached).toEqual(['channel', 'contact', 'button']);
    await page.keyboard.press('Enter');
    await page.getByLabel('6 位验证码').waitFor();
    expect(await axe(page)).toEqual([]);
    await h.app.portal.idle();
    await page.screenshot({ path: join(SHOTS, 'portal-code.png') });
    // Keyboard only: type the code and press Enter.
    await page.getByLabel('6 位验证码').fill(codeFromOutbox());
    await page.keyboard.press('Enter');
    await page.getByRole('tab', { name: '我的信息' }).waitFor();
    await page.getByText('138****8000').waitFor();
    const html = await page.content();
    expect(html).not.toContain(PHONE);
    expect(html).not.toContain('张三');
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'portal-me.png'), fullPage: true });

    await page.getByRole('tab', { name: '同意' }).click();
    await page.getByRole('button', { name: '撤回同意: 营销推广' }).click();
    await page.getByRole('button', { name: '撤回', exact: true }).click();
    await page.getByText('已撤回“营销推广”的同意').waitFor();
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'portal-consents.png'), fullPage: true });
    const staff = await h.api('GET', `/api/v1/subjects/${subject}/consents`);
    expect(staff.body.consents[0]).toMatchObject({ purpose: 'marketing', state: 'withdrawn' });

    await page.getByRole('tab', { name: '申请' }).click();
    await page.locator('.ant-select-selector', { has: page.getByLabel('您要行使的权利') }).click();
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: '复制我的个人信息' }).click();
    await page.getByRole('button', { name: '提交申请' }).click();
    await page.getByText(/已受理，我们将在 \d{4}-\d{2}-\d{2} 前答复/).waitFor();
    await page.getByRole('cell', { name: '已受理' }).waitFor();
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'portal-requests.png'), fullPage: true });
    const reqs = await h.api('GET', `/api/v1/requests?subject_id=${subject}`);
    expect(reqs.body.requests.map((r: any) => r.kind)).toEqual(['copy']);

    await page.getByRole('tab', { name: '投诉' }).click();
    await page.getByLabel('投诉类别').waitFor();
    await page.locator('.ant-select-selector', { has: page.getByLabel('投诉类别') }).click();
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: '营销骚扰' }).click();
    await page.getByLabel('标题').fill('撤回后仍收到营销短信');
    await page.getByLabel('具体情况').fill('我已撤回营销同意，但仍收到短信。');
    await page.getByRole('button', { name: '提交投诉' }).click();
    await page.getByText('投诉已提交').waitFor();
    await page.getByRole('cell', { name: '撤回后仍收到营销短信' }).waitFor();
    expect((await h.api('GET', '/api/v1/complaints?channel=portal')).body.complaints.map((c: any) => c.subject_id)).toEqual([subject]);
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'portal-complaint.png'), fullPage: true });
    await page.getByText('EN', { exact: true }).click();
    await page.getByRole('tab', { name: 'My information' }).waitFor();
    await page.getByRole('tab', { name: 'My information' }).click();
    await page.getByText('138****8000').waitFor();
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'portal-me-en.png'), fullPage: true });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Send me a code' }).waitFor();
    expect(await axe(page)).toEqual([]);
    // The page without a tenant in its link (where to start, no form).
    await page.goto(`${base}/portal/`);
    await page.getByText('Your rights', { exact: true }).waitFor();
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'portal-no-tenant-en.png'), fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  }, 120_000);

  it('staff see the outbox in the console: masked recipient, no code', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    await page.goto(`${base}/console/`);
    await page.getByRole('tab', { name: /API 密钥|API key/ }).click();
    await page.getByLabel(/^(API 密钥|API key)$/).fill(h.key);
    await page.getByRole('button', { name: /使用密钥登录|Sign in with key/ }).click();
    await page.getByTestId('account').waitFor();
    await page.goto(`${base}/console/outbox`);
    await page.getByRole('cell', { name: '138****8000' }).first().waitFor();
    const html = await page.content();
    expect(html).not.toContain(PHONE);
    expect(html).not.toContain(codeFromOutbox());
    await page.screenshot({ path: join(SHOTS, 'console-outbox.png'), fullPage: true });
    await ctx.close();
  }, 60_000);
});
