/**
 * End-to-end for the issue-10 console pages in headless Chromium: assessments (questionnaire drawer),
 * risk heat map, third parties, cross-border volume, complaints; each renders its data without a page
 * error. Screenshots go to $CUSTODIAN_SHOTS (default /tmp/custodian-shots).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { setupCustomers, type Harness } from './harness.js';
import { launchChromium, listeningHarness, SHOTS } from './browser-stage.js';
import { approvedAssessment } from './compliance-helpers.js';


let h: Harness;
let browser: Browser;
let base: string;

beforeAll(async () => {
  ({ h, base } = await listeningHarness());
  await setupCustomers(h);
  const pia = await approvedAssessment(h, 'global_membership', ['cross_border', 'provision_to_others']);
  await h.api('POST', '/api/v1/assessments', { title: '人脸识别门禁', activity: 'face_access', triggers: ['sensitive_pi'] });
  await h.api('POST', '/api/v1/risks', { title: '客服导出客户清单未审批', owner: '张经理', department: '客服部', likelihood: 3, impact: 4, treatment: 'mitigate' });
  await h.api('POST', '/api/v1/risks', { title: '供应商弱口令', owner: '李工', likelihood: 2, impact: 2, treatment: 'mitigate' });
  const p = await h.api('POST', '/api/v1/third-parties', { name: 'Acme 物流', kind: 'handler', uscc: '91350100M000100Y43' });
  await h.api('POST', `/api/v1/third-parties/${p.body.id}/contracts`, { reference: 'HT-2026-001', purpose: '配送', processing_method: '加密文件', pi_types: [{ collection: 'customers', fields: ['name', 'phone'] }], start_date: '2025-01-01', end_date: '2099-12-31', protection_duties: '加密存储', end_of_term: 'delete' });
  await h.api('POST', '/api/v1/transfers', { destination_country: 'SG', recipient: 'Acme Pte. Ltd.', purpose: '全球会员', pi_types: ['姓名'], non_sensitive: 85_000, sensitive: 0, route: 'exemption', exemption_ground: 'under_threshold', legal_basis: 'contract', assessment_id: pia });
  await h.api('POST', '/api/v1/complaints', { kind: 'complaint', channel: 'phone', category: 'marketing', summary: '拒绝后仍收到营销短信', description: '客户来电。', contact: '13600136000' });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function signInWithKey(page: Page, key: string) {
  await page.goto(`${base}/console/`);
  await page.getByRole('tab', { name: /API 密钥|API key/ }).click();
  await page.getByLabel(/^(API 密钥|API key)$/).fill(key);
  await page.getByRole('button', { name: /使用密钥登录|Sign in with key/ }).click();
  await page.getByTestId('account').waitFor();
}

describe('compliance pages (headless Chromium)', () => {
  it('shows assessments, the risk heat map, third parties, transfers and complaints', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInWithKey(page, h.key);
    for (const item of ['影响评估', '风险台账', '第三方与提供', '数据出境', '投诉与举报']) await expect(page.getByRole('menuitem', { name: item }).count()).resolves.toBe(1);

    await page.goto(`${base}/console/assessments`);
    await page.getByRole('cell', { name: '人脸识别门禁' }).click();
    await page.getByText('GB/T 39335-2020 5.1', { exact: true }).first().waitFor();
    await page.getByLabel('处理目的', { exact: true }).fill('门禁通行');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('已保存').waitFor();
    await page.screenshot({ path: join(SHOTS, 'assessment-drawer.png') });
    const saved = await h.api('GET', '/api/v1/assessments?activity=face_access');
    expect(saved.body.assessments[0].answers.purpose).toBe('门禁通行');

    await page.goto(`${base}/console/risks`);
    await page.getByRole('table', { name: '风险热力图' }).waitFor();
    await page.getByRole('cell', { name: '客服导出客户清单未审批' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'risks-heatmap.png'), fullPage: true });

    await page.goto(`${base}/console/third-parties`);
    await page.getByRole('cell', { name: 'Acme 物流' }).click();
    await page.getByRole('cell', { name: 'HT-2026-001' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'third-party.png') });

    await page.goto(`${base}/console/transfers`);
    await page.getByText('85,000 / 100,000').waitFor();
    await page.getByText(/已达门槛 100,000 的 85%/).waitFor();
    await page.screenshot({ path: join(SHOTS, 'transfers.png'), fullPage: true });

    await page.goto(`${base}/console/complaints`);
    await page.getByRole('cell', { name: '拒绝后仍收到营销短信' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'complaints.png'), fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  }, 120_000);
});
