/**
 * End-to-end: the built console and portal in headless Chromium (Debian's /usr/bin/chromium through
 * playwright-core) against a real server on a fresh store. Screenshots go to $CUSTODIAN_SHOTS (default
 * /tmp/custodian-shots) for review.
 */
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { generate } from 'otplib';
import type { Harness } from './harness.js';
import { axeViolations, launchChromium, listeningHarness, SHOTS } from './browser-stage.js';


let h: Harness;
let browser: Browser;
let base: string;
let maskedKey: string;

async function pick(page: Page, label: string | RegExp, option: string | RegExp) {
  await page.locator('.ant-select-selector', { has: page.getByLabel(label, { exact: typeof label === 'string' }) }).click();
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: option }).first().click();
}

async function signInWithKey(page: Page, key: string) {
  await page.goto(`${base}/console/`);
  await page.getByRole('tab', { name: /API 密钥|API key/ }).click();
  await page.getByLabel(/^(API 密钥|API key)$/).fill(key);
  await page.getByRole('button', { name: /使用密钥登录|Sign in with key/ }).click();
  await page.getByTestId('account').waitFor();
}

/** Sign out from the account menu (a hover menu: on a loaded machine the first hover can miss, so try again). */
async function signOut(page: Page) {
  for (let i = 0; ; i++) {
    await page.mouse.move(0, 0);
    await page.getByTestId('account').hover();
    try {
      await page.getByText('退出登录').click({ timeout: 10_000 });
      await page.getByRole('button', { name: '登录' }).waitFor({ timeout: 15_000 });
      return;
    } catch (e) { if (i >= 2) throw e; }
  }
}

async function lookup(page: Page, value: string) {
  await page.goto(`${base}/console/lookup`);
  await pick(page, '集合', 'customers');
  await pick(page, '处理目的', 'customer_service');
  await pick(page, '按字段', 'phone');
  await page.getByLabel('值', { exact: true }).fill(value);
  await page.getByRole('button', { name: '查询' }).click();
}

beforeAll(async () => {
  ({ h, base } = await listeningHarness());
  expect((await h.api('POST', '/api/v1/purposes', { name: 'customer_service', title: '客户服务', title_en: 'Customer service', legal_basis: 'contract' })).status).toBe(201);
  expect((await h.api('POST', '/api/v1/roles', { name: 'cs_masked', title: '客服（掩码）', grants: [{ collection: 'customers', fields: ['*'], actions: ['read', 'search'], purposes: ['customer_service'], view: 'masked' }] })).status).toBe(201);
  const k = await h.api('POST', '/api/v1/api-keys', { name: 'cs desk', roles: ['cs_masked'] });
  expect(k.status).toBe(201);
  maskedKey = k.body.api_key;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('web console (headless Chromium)', () => {
  it('signs in with a key, defines a collection, finds a customer (plain for owner, masked for a masked role), switches language', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // zh-CN by default; the menu shows everything for the owner key.
    await signInWithKey(page, h.key);
    await expect(page.getByRole('menuitem', { name: '审计日志' }).count()).resolves.toBe(1);
    await page.getByText('审计链状态').waitFor();
    await page.getByText('完整').first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'dashboard.png'), fullPage: true });
    const a11y: string[] = (await axeViolations(page)).map((v) => `dashboard ${v}`);

    // Define a collection in the UI: name (person_name, the default type) and phone (mobile, searchable).
    await page.goto(`${base}/console/collections`);
    await page.getByRole('button', { name: '新建集合' }).first().click();
    await page.getByLabel('名称（英文小写）').fill('customers');
    await page.getByRole('textbox', { name: '标题', exact: true }).fill('客户'); // the list's sortable column header is labelled 标题 too
    await page.getByLabel('字段名').fill('name');
    await page.getByRole('button', { name: '添加字段' }).click();
    await page.getByLabel('字段名').nth(1).fill('phone');
    await page.getByLabel('个人信息类型').nth(1).fill('手机', { force: true });
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: '手机号码' }).click();
    await page.getByRole('heading', { name: '字段', exact: true }).click(); // closes the dropdown
    await page.getByRole('switch', { name: '可检索' }).nth(1).click();
    await expect(page.getByRole('switch', { name: '可检索' }).nth(1).getAttribute('aria-checked')).resolves.toBe('true');
    await page.screenshot({ path: join(SHOTS, 'collection-form.png') });
    await page.getByRole('button', { name: '创建' }).click();
    await page.getByRole('cell', { name: 'customers' }).waitFor();
    const cols = await h.api('GET', '/api/v1/collections');
    const phone = cols.body.collections[0].fields.find((f: { name: string }) => f.name === 'phone');
    expect(phone).toMatchObject({ type: 'mobile', searchable: true });

    // A customer written through the API…
    const w = await h.api('POST', '/api/v1/collections/customers/records', { fields: { name: '张三', phone: '13800138000' } });
    expect(w.status).toBe(201);

    // …is found in the console, plain for the owner key (any phone notation).
    await lookup(page, '+86 138-0013-8000');
    await expect(page.getByTestId('value-phone').first().textContent()).resolves.toBe('13800138000');
    await expect(page.getByTestId('value-name').first().textContent()).resolves.toBe('张三');
    await page.screenshot({ path: join(SHOTS, 'lookup-plain.png') });
    // antd's Select puts aria-required / aria-selected on elements without a role that allows them (its own ARIA,
    // reported upstream); everything else on the page is checked.
    a11y.push(...(await axeViolations(page, [{ rule: 'aria-allowed-attr', inside: 'ant-select' }])).map((v) => `lookup ${v}`));

    // Audit: verify the chain from the UI; the lookup is in the log.
    await page.goto(`${base}/console/audit`);
    await page.getByRole('button', { name: '校验哈希链与签名' }).click();
    await page.getByText(/审计链完整/).waitFor();
    await page.getByRole('cell', { name: 'record.search' }).first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'audit.png'), fullPage: true });
    a11y.push(...(await axeViolations(page)).map((v) => `audit ${v}`));
    // Accessibility basics (axe-core): no serious or critical violation on the dashboard, lookup and audit pages.
    expect(a11y).toEqual([]);

    // Switch to English; the choice is kept after a reload.
    await page.getByText('EN', { exact: true }).click();
    await page.getByRole('menuitem', { name: 'Customer lookup' }).waitFor();
    await page.reload();
    await page.getByRole('menuitem', { name: 'Audit log' }).waitFor();
    await page.goto(`${base}/console/dashboard`);
    await page.getByText('Audit chain', { exact: true }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'dashboard-en.png'), fullPage: true });
    await page.getByText('中文', { exact: true }).click();
    await page.getByRole('menuitem', { name: '客户查询' }).waitFor();

    // Sign out; a key with a masked-only role sees masked values and no administration menu.
    await signOut(page);
    await page.getByRole('tab', { name: 'API 密钥（开发用）' }).waitFor();
    await signInWithKey(page, maskedKey);
    await expect(page.getByRole('menuitem', { name: '审计日志' }).count()).resolves.toBe(0);
    await expect(page.getByRole('menuitem', { name: 'API 密钥' }).count()).resolves.toBe(0);
    await lookup(page, '13800138000');
    const masked = await page.getByTestId('value-phone').first().textContent();
    expect(masked).not.toBe('13800138000');
    expect(masked).toMatch(/^138\*+8000$/);
    await page.screenshot({ path: join(SHOTS, 'lookup-masked.png') });

    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('staff sign-in with password, then TOTP enrolment and sign-in with a code; session survives a reload; writes carry the CSRF token', async () => {
    const s = await h.api('POST', '/api/v1/staff', { username: 'zhao.liu', display_name: '赵六', roles: ['owner'] });
    expect(s.status).toBe(201);
    await h.api('POST', '/api/v1/trainings', { staff_id: s.body.id, course: '个人信息保护培训', completed_at: '2026-01-01', expires_at: '2099-01-01' });
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(`${base}/console/`);
    await page.getByLabel('用户名').fill('zhao.liu');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('alert').filter({ hasText: '用户名或密码错误' }).waitFor();
    await page.getByLabel('密码').fill(s.body.initial_password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByTestId('account').filter({ hasText: '赵六' }).waitFor();

    // A write through the session (cookie + x-csrf-token): register a purpose in the UI.
    await page.goto(`${base}/console/purposes`);
    await page.getByRole('button', { name: '登记目的' }).click();
    await page.getByLabel('名称（英文小写）').fill('marketing');
    await page.getByLabel('中文标题').fill('营销');
    await pick(page, '合法性基础（PIPL 第13条）', '取得个人同意');
    await page.getByRole('button', { name: '登记', exact: true }).click();
    await page.getByRole('cell', { name: 'marketing' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'purposes.png') });

    // The session survives a reload; staff with training may look customers up.
    await page.reload();
    await page.getByTestId('account').filter({ hasText: '赵六' }).waitFor();
    await lookup(page, '13800138000');
    await expect(page.getByTestId('value-phone').first().textContent()).resolves.toBe('13800138000');

    // Enrol TOTP from the account menu.
    await page.getByTestId('account').hover();
    await page.getByText('启用两步验证').click();
    const secret = (await page.locator('.ant-modal .ant-typography code').first().textContent())!.trim();
    await page.getByLabel('验证码').fill(await generate({ secret }));
    await page.screenshot({ path: join(SHOTS, 'totp.png') });
    await page.getByRole('button', { name: '启用' }).click();
    await page.getByText('已启用两步验证').waitFor();
    await h.raw('update staff set totp_last_step = null where id = $1', [s.body.id]); // the same 30 s step may be used again below

    // Sign out; signing in now asks for the code.
    await signOut(page);
    await page.getByLabel('用户名').fill('zhao.liu');
    await page.getByLabel('密码').fill(s.body.initial_password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByLabel('动态验证码（TOTP）').fill(await generate({ secret }));
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByTestId('account').filter({ hasText: '赵六' }).waitFor();
    const logins = await h.api('GET', `/api/v1/audit/events?actor_id=${s.body.id}&action=auth.login&limit=100`);
    expect(logins.body.events.map((e: { decision: string; reason: string | null }) => e.reason ?? e.decision))
      .toEqual(['auth.invalid_credentials', 'allow', 'auth.totp_required', 'allow']);
    await ctx.close();
  });

  it('shows a designed state for routes this server does not offer, and the portal in zh and en', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await signInWithKey(page, h.key);
    await page.goto(`${base}/console/requests`);
    const hasRequests = (await h.api('GET', '/api/v1/requests')).status !== 404;
    if (!hasRequests) await page.getByText('此服务器尚未提供个人权利请求功能').waitFor();
    else await page.getByRole('button', { name: '受理请求' }).waitFor();

    await page.goto(`${base}/portal/`);
    await page.getByText('个人信息权利服务').waitFor();
    // Without a tenant in the link the portal explains where to start and shows no form (test/portal.e2e.test.ts signs in).
    await page.getByText('请通过企业提供的链接进入在线服务', { exact: false }).waitFor();
    await expect(page.locator('form').count()).resolves.toBe(0);
    await page.screenshot({ path: join(SHOTS, 'portal.png'), fullPage: true });
    await page.getByText('EN', { exact: true }).click();
    await page.getByText('Your rights', { exact: true }).waitFor();
    await ctx.close();
  });

  it('serves the built apps with caching headers and deep-link fallback', async () => {
    const res = await fetch(`${base}/console/audit/anything`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const html = await res.text();
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();
    const js = await fetch(`${base}${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    // First load: the entry script and the modules it preloads stay under 1.5 MB of JavaScript, gzip.
    const firstLoad = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
    let gz = 0;
    for (const a of firstLoad) gz += gzipSync(Buffer.from(await (await fetch(`${base}${a}`)).arrayBuffer())).length;
    expect(firstLoad.length).toBeGreaterThan(0);
    expect(gz).toBeLessThan(1.5 * 1024 * 1024);
    expect((await fetch(`${base}/console/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/console`, { redirect: 'manual' })).status).toBe(301);
    expect((await fetch(`${base}/portal/`)).status).toBe(200);
  });
});
