/**
 * Every console page in headless Chromium after a staff owner signs in with the keyboard: axe-core finds no serious
 * or critical violation on any page of the menu, the menu is operable by keyboard, and a list shows its designed
 * states (loading, empty, error with the problem+json detail and a retry) while paging and sorting on the server.
 * Screenshots go to $CUSTODIAN_SHOTS (default /tmp/custodian-shots), one per page.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { setupCustomers, type Harness } from './harness.js';
import { approvedAssessment } from './compliance-helpers.js';
import { axeViolations, launchChromium, listeningHarness, SHOTS } from './browser-stage.js';

let h: Harness;
let browser: Browser;
let base: string;
let owner: { username: string; password: string };

// antd's Select puts aria-required / aria-selected on elements without a role that allows them (its own ARIA,
// reported upstream); everything else on every page is checked.
const IGNORE = [{ rule: 'aria-allowed-attr', inside: 'ant-select' }];

beforeAll(async () => {
  ({ h, base } = await listeningHarness());
  await setupCustomers(h);
  // A little of everything, so that the pages show rows as well as their empty states.
  for (let i = 1; i <= 24; i++) await h.api('POST', '/api/v1/purposes', { name: `purpose_${String(i).padStart(2, '0')}`, title: `目的 ${i}`, legal_basis: i % 2 ? 'contract' : 'consent' });
  const w = await h.api('POST', '/api/v1/collections/customers/records', { fields: { name: '张三', phone: '13800138000' } });
  await h.api('POST', '/api/v1/notices', { name: 'privacy', language: 'zh-CN', text: '隐私政策正文', purposes: ['purpose_02'] });
  await h.api('POST', '/api/v1/requests', { subject_id: w.body.subject_id, kind: 'access' });
  await h.api('POST', '/api/v1/complaints', { kind: 'complaint', channel: 'phone', category: 'marketing', summary: '拒绝后仍收到营销短信', description: '客户来电。', contact: '13600136000' });
  await h.api('POST', '/api/v1/risks', { title: '客服导出客户清单未审批', owner: '张经理', likelihood: 3, impact: 4, treatment: 'mitigate' });
  await h.api('POST', '/api/v1/third-parties', { name: 'Acme 物流', kind: 'handler', uscc: '91350100M000100Y43' });
  await approvedAssessment(h, 'global_membership', ['cross_border']);
  await h.api('POST', '/api/v1/incidents', { title: '客服账号异常导出', kind: 'leak' });
  await h.api('POST', '/api/v1/roles', { name: 'cs_masked', title: '客服（掩码）', grants: [{ collection: 'customers', fields: ['*'], actions: ['read', 'search'], purposes: ['*'], view: 'masked' }] });
  const s = await h.api('POST', '/api/v1/staff', { username: 'wang.owner', display_name: '王负责人', roles: ['owner'] });
  expect(s.status).toBe(201);
  owner = { username: 'wang.owner', password: s.body.initial_password };
  await h.api('POST', '/api/v1/trainings', { staff_id: s.body.id, course: '个人信息保护培训', completed_at: '2026-01-01', expires_at: '2099-01-01' });
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** The element that has the keyboard focus, described by what a test can check. */
const focused = (page: Page) => page.evaluate(() => {
  const d = (globalThis as unknown as { document: { activeElement: { id?: string; tagName: string; getAttribute(n: string): string | null; textContent: string | null } | null } }).document;
  const e = d.activeElement;
  return e ? { id: e.id ?? '', tag: e.tagName.toLowerCase(), type: e.getAttribute('type') ?? '', role: e.getAttribute('role') ?? '', text: (e.textContent ?? '').trim().slice(0, 40) } : null;
});

/** Wait until the page's lists and cards have loaded (no spinner left, no request in flight). */
async function settled(page: Page) {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('.ant-spin-spinning, .ant-skeleton-active').length === 0, undefined, { timeout: 15_000 });
}

/** Signs in with the keyboard only: Tab reaches the username, the password and the submit button in that order. */
async function signInByKeyboard(page: Page) {
  await page.goto(`${base}/console/`);
  await page.getByLabel('用户名').waitFor();
  // Start the focus walk at the page's title (the username field has autofocus; the walk must reach it anyway).
  await page.getByText('Custodian 管理控制台').click();
  await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { blur?: () => void } | null } }).document.activeElement?.blur?.());
  const order: string[] = [];
  for (let i = 0; i < 12 && !order.includes('submit'); i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (f?.id === 'staff-login_username') { order.push('username'); await page.keyboard.type(owner.username); }
    else if (f?.id === 'staff-login_password') { order.push('password'); await page.keyboard.type(owner.password); }
    else if (f?.tag === 'button' && f.type === 'submit' && f.text.replace(/\s/g, '') === '登录') order.push('submit');
  }
  expect(order).toEqual(['username', 'password', 'submit']);
  await page.keyboard.press('Enter');
  await page.getByTestId('account').filter({ hasText: '王负责人' }).waitFor();
}

describe('console accessibility (headless Chromium, staff owner)', () => {
  it('signs in by keyboard, walks the menu by keyboard, and finds no serious or critical axe violation on any page', async () => {
    // bypassCSP: only so the test can inject axe-core; the app itself runs under the console's CSP.
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', bypassCSP: true });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(`${base}/console/`);
    await page.getByLabel('用户名').waitFor();
    await settled(page);
    const found: string[] = (await axeViolations(page, IGNORE)).map((v) => `login ${v}`);
    await page.screenshot({ path: join(SHOTS, 'a11y-login.png') });
    await signInByKeyboard(page);

    // The main menu by keyboard: focus it, move down with the arrow keys, open an item with Enter. rc-menu marks the
    // item active at once but moves the focus in the next animation frame, so each step waits for the focus itself:
    // an Enter pressed in between lands on the item before (概览, the page already open), which is what made this
    // walk fail now and then in CI (2026-11-24) without any change to the console.
    await settled(page);
    const menu = page.locator('.ant-layout-sider ul[role="menu"]');
    const focusedItem = () => page.evaluate(() => {
      const e = (globalThis as unknown as { document: { activeElement: { closest(s: string): { textContent: string | null } | null } | null } }).document.activeElement;
      return (e?.closest('[role="menuitem"]')?.textContent ?? '').trim();
    });
    const active = () => page.locator('.ant-layout-sider .ant-menu-item-active').first().textContent({ timeout: 1000 }).catch(() => null);
    await menu.focus();
    for (let i = 0; i < 6 && (await focusedItem()) !== '客户查询'; i++) {
      const before = await focusedItem();
      await page.keyboard.press('ArrowDown');
      // The focus follows the highlighted item within a frame or two.
      await expect.poll(focusedItem, { timeout: 2000 }).not.toBe(before);
    }
    expect(await focusedItem()).toBe('客户查询');
    expect(await active()).toBe('客户查询');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname.endsWith('/lookup'), { timeout: 5000 });
    expect(new URL(page.url()).pathname).toBe('/console/lookup');

    // Every page of the owner's menu, as the menu lists it.
    const items = await page.locator('.ant-layout-sider [role="menuitem"]').evaluateAll((els) => els.map((e) => (e as unknown as { getAttribute(n: string): string | null }).getAttribute('data-menu-id') ?? ''));
    const paths = items.map((id) => id.slice(id.indexOf('/'))).filter((p) => p.startsWith('/'));
    expect(paths.length).toBeGreaterThanOrEqual(25);
    const checked: string[] = [];
    for (const p of paths) {
      await page.goto(`${base}/console${p}`);
      await page.getByTestId('account').waitFor();
      await settled(page);
      found.push(...(await axeViolations(page, IGNORE)).map((v) => `${p} ${v}`));
      await page.screenshot({ path: join(SHOTS, `a11y${p.replace(/\//g, '-')}.png`), fullPage: true });
      checked.push(p);
    }
    // English too, on a list page and the dashboard.
    await page.getByText('EN', { exact: true }).click();
    for (const p of ['/dashboard', '/purposes']) {
      await page.goto(`${base}/console${p}`);
      await settled(page);
      found.push(...(await axeViolations(page, IGNORE)).map((v) => `en${p} ${v}`));
    }
    await page.screenshot({ path: join(SHOTS, 'a11y-purposes-en.png'), fullPage: true });
    await page.getByText('中文', { exact: true }).click();
    expect(checked).toEqual(paths);
    expect(found).toEqual([]);
    expect(errors).toEqual([]);
    await ctx.close();
  }, 600_000);

  it('finds no serious or critical axe violation in the forms that create things (modals and drawers)', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', bypassCSP: true });
    const page = await ctx.newPage();
    await signInByKeyboard(page);
    const forms: Array<[string, string]> = [
      ['/collections', '新建集合'], ['/purposes', '登记目的'], ['/notices', '发布新版本'], ['/roles', '新建角色'], ['/staff', '新建员工'],
      ['/api-keys', '创建密钥'], ['/requests', '受理请求'], ['/complaints', '受理'], ['/assessments', '发起评估'], ['/risks', '登记风险'],
      ['/third-parties', '登记第三方'], ['/transfers', '登记出境'], ['/activities', '登记处理活动'], ['/incidents', '登记事件'], ['/compliance', '开始审计'],
    ];
    const found: string[] = [];
    for (const [p, button] of forms) {
      await page.goto(`${base}/console${p}`);
      await settled(page);
      await page.getByRole('button', { name: button }).first().click();
      const dialog = page.locator('.ant-modal-wrap:not([style*="display: none"]) .ant-modal, .ant-drawer-open .ant-drawer-content').first();
      await dialog.waitFor();
      await settled(page);
      found.push(...(await axeViolations(page, IGNORE)).map((v) => `${p} form ${v}`));
      await page.screenshot({ path: join(SHOTS, `a11y-form${p.replace(/\//g, '-')}.png`) });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
    }
    expect(found).toEqual([]);
    await ctx.close();
  }, 300_000);

  it('pages and sorts a list on the server, and shows its empty, loading and error states', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    await signInByKeyboard(page);
    const asked: string[] = [];
    page.on('request', (r) => { if (r.url().includes('/api/v1/purposes?')) asked.push(decodeURIComponent(new URL(r.url()).search)); });

    await page.goto(`${base}/console/purposes`);
    await page.getByRole('cell', { name: 'customer_service' }).waitFor();
    expect(asked.at(-1)).toBe('?sort=name&order=asc&limit=20&offset=0');
    await page.getByText('共 25 条').waitFor();
    // Page 2 comes from the server (offset 20), not from rows already in the browser.
    await page.getByRole('listitem', { name: '2' }).click();
    await page.getByRole('cell', { name: 'purpose_20' }).waitFor();
    expect(asked.at(-1)).toBe('?sort=name&order=asc&limit=20&offset=20');
    expect(await page.locator('.ant-table-tbody tr.ant-table-row').count()).toBe(5);
    // Sorting by name descending asks the server again, from page 1.
    await page.getByRole('columnheader', { name: /名称/ }).first().click();
    await page.waitForFunction(() => true);
    await page.getByRole('cell', { name: 'purpose_24' }).first().waitFor();
    expect(asked.at(-1)).toBe('?sort=name&order=desc&limit=20&offset=0');
    // A filter with no match: the designed empty state with a way back.
    await page.getByLabel('按名称或标题搜索').fill('没有这个目的');
    await page.keyboard.press('Enter');
    await page.getByText('没有符合筛选条件的记录').waitFor();
    expect(asked.at(-1)).toContain('q=没有这个目的');
    await page.screenshot({ path: join(SHOTS, 'list-empty-filtered.png') });
    await page.getByRole('button', { name: '清除筛选' }).click();
    await page.getByRole('cell', { name: 'purpose_24' }).first().waitFor();

    // The error state: the server's problem+json detail and a retry that loads the list again.
    await page.route('**/api/v1/purposes?**', (route) => route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', status: 503, title: 'Store unavailable', code: 'store.unavailable', detail: 'The database is not reachable; retry shortly', detail_zh: '数据库暂不可用，请稍后重试' }) }));
    await page.getByRole('button', { name: '刷新' }).click();
    await page.getByRole('alert').filter({ hasText: '数据库暂不可用，请稍后重试' }).waitFor();
    await page.getByText('列表未能加载').waitFor();
    await page.screenshot({ path: join(SHOTS, 'list-error.png') });
    // Loading: while the retried request is held, the table shows its spinner.
    let release: () => void = () => undefined;
    await page.unroute('**/api/v1/purposes?**');
    await page.route('**/api/v1/purposes?**', async (route) => { await new Promise<void>((r) => { release = r; }); await route.continue(); });
    await page.getByRole('alert').getByRole('button', { name: '重试' }).click();
    await page.locator('.ant-table-wrapper .ant-spin-spinning').waitFor();
    await page.screenshot({ path: join(SHOTS, 'list-loading.png') });
    release();
    await page.getByRole('cell', { name: 'purpose_24' }).first().waitFor();
    await expect(page.getByRole('alert').count()).resolves.toBe(0);
    await page.unroute('**/api/v1/purposes?**');

    // A list with nothing in it yet: its own message.
    await page.goto(`${base}/console/transfers`);
    await page.getByText('没有出境记录').waitFor();
    await ctx.close();
  }, 180_000);
});
