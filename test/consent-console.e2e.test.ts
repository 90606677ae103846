/**
 * End-to-end in headless Chromium: the register of processing activities (create in the form, activate,
 * export XLSX), a notice diff, and the re-consent list. Needs `npm run build:web` (built here if missing).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import ExcelJS from 'exceljs';
import { setupCustomers, type Harness } from './harness.js';
import { launchChromium, listeningHarness, SHOTS } from './browser-stage.js';

let h: Harness;
let browser: Browser;
let base = '';

async function pick(page: Page, label: string, option: string | RegExp) {
  await page.locator('.ant-select-selector', { has: page.getByLabel(label, { exact: true }) }).click();
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: option }).first().click();
}

beforeAll(async () => {
  ({ h, base } = await listeningHarness());
  await setupCustomers(h);
  await h.api('POST', '/api/v1/purposes', { name: 'marketing', title: '营销推广', legal_basis: 'consent' });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => { await browser?.close(); await h?.close(); });

describe('consent console pages (headless Chromium)', () => {
  it('registers, activates and exports a processing activity; shows a notice diff and who must consent again', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/console/`);
    await page.getByRole('tab', { name: /API 密钥/ }).click();
    await page.getByLabel(/^API 密钥$/).fill(h.key);
    await page.getByRole('button', { name: /使用密钥登录/ }).click();
    await page.getByTestId('account').waitFor();

    // A new activity through the form; it becomes active from its detail drawer.
    await page.getByRole('menuitem', { name: '处理活动记录' }).click();
    await page.getByRole('button', { name: '登记处理活动' }).click();
    await page.getByLabel('处理活动名称').fill('会员客户服务');
    await pick(page, '处理目的', 'customer_service');
    await page.getByRole('button', { name: '添加集合字段' }).click();
    await page.locator('.ant-drawer .ant-select-selector').filter({ hasText: '集合' }).click();
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: 'customers' }).click();
    await page.locator('.ant-drawer .ant-select-selector').filter({ hasText: '字段' }).click();
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: 'phone' }).click();
    await page.getByLabel('保存期限', { exact: true }).fill('服务结束后3年');
    await page.getByRole('textbox', { name: '负责部门' }).fill('客户服务部'); // a sortable column header is labelled 负责部门 too
    await page.getByLabel('负责人', { exact: true }).fill('李四');
    await page.screenshot({ path: join(SHOTS, 'activity-form.png'), fullPage: true });
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByRole('cell', { name: '会员客户服务' }).click();
    await page.getByRole('button', { name: '生效' }).click();
    await page.locator('.ant-drawer .ant-tag').filter({ hasText: '生效' }).waitFor();
    await page.getByText('第 2 版 · 生效').waitFor();
    await page.screenshot({ path: join(SHOTS, 'activity-detail.png'), fullPage: true });
    const stored = (await h.api('GET', '/api/v1/activities')).body.activities[0];
    expect(stored).toMatchObject({ name: '会员客户服务', state: 'active', purposes: ['customer_service'], legal_basis: 'contract', data: [{ collection: 'customers', fields: ['phone'] }], department: '客户服务部', owner: '李四' });
    await page.locator('.ant-drawer-close').click();
    await page.getByRole('button', { name: '导出' }).hover();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByText('Excel (XLSX)').click()]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(await dl.path()) as unknown as ArrayBuffer);
    expect(wb.getWorksheet('处理活动记录')!.getRow(3).getCell(2).value).toBe('会员客户服务');

    // A notice in two versions; the diff shows what was added; the consent under v1 awaits re-consent.
    const sections = (fields: string[]) => ({ handler: { name: '示例公司', contact: 'privacy@example.cn' }, rights: '发邮件', retention_end: '删除', purposes: [{ purpose: 'marketing', manner: '短信', fields, retention: '1年' }] });
    await h.api('POST', '/api/v1/notices', { name: 'privacy', language: 'zh-CN', text: '我们使用您的手机号发送优惠。', purposes: ['marketing'], sections: sections(['customers.phone']) });
    const w = await h.api('POST', '/api/v1/collections/customers/records', { fields: { name: '王小明', phone: '13800138000' }, consents: [{ purpose: 'marketing', notice: 'privacy', notice_version: 1, channel: 'app' }] });
    await h.api('POST', '/api/v1/notices', { name: 'privacy', language: 'zh-CN', text: '我们使用您的手机号和姓名发送优惠。', purposes: ['marketing'], sections: sections(['customers.phone', 'customers.name']) });
    await page.getByRole('menuitem', { name: '告知文本' }).click();
    await page.getByRole('button', { name: '差异' }).first().click();
    await expect(page.getByTestId('notice-diff').locator('ins').first().textContent()).resolves.toBe('和姓名');
    await page.getByText('重大变更：须重新取得同意').waitFor();
    await page.screenshot({ path: join(SHOTS, 'notice-diff.png') });
    await page.locator('.ant-modal-close').click();
    await page.locator('.ant-modal-wrap').waitFor({ state: 'hidden' });
    await page.getByRole('menuitem', { name: '同意管理' }).click();
    await page.getByRole('tab', { name: '待重新同意' }).click();
    await page.getByText(w.body.subject_id).waitFor();
    await page.screenshot({ path: join(SHOTS, 'reconsent.png'), fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
