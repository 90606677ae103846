/** Notices with required sections, their diff, and re-consent after a material change (block or warn). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, setupCustomers, startHarness, type Harness } from './harness.js';

const sections = (over: Record<string, unknown> = {}, purpose: Record<string, unknown> = {}) => ({
  handler: { name: '示例科技有限公司', contact: '隐私保护负责人 privacy@example.cn，400-800-0000' },
  purposes: [{ purpose: 'marketing', manner: '通过短信向您推送优惠信息', fields: ['customers.phone'], retention: '至您撤回同意后30日', ...purpose }],
  rights: '您可在 App“我的-隐私设置”中查阅、复制、更正、删除个人信息、撤回同意或注销账号，也可发邮件至 privacy@example.cn。',
  retention_end: '保存期限届满后删除或匿名化处理。',
  ...over,
});

for (const kind of BACKENDS) {
  describe(`notices and re-consent on ${kind}`, () => {
    let h: Harness;
    let recId = '', subjectId = '', other = '';
    const read = (id = recId) => h.api('GET', `/api/v1/collections/customers/records/${id}?purpose=marketing&fields=phone`);
    const publish = (body: Record<string, unknown>) => h.api('POST', '/api/v1/notices', { name: 'privacy', language: 'zh-CN', purposes: ['marketing'], ...body });
    const grant = (sid: string, version: number) => h.api('POST', `/api/v1/subjects/${sid}/consents`, { purpose: 'marketing', notice: 'privacy', notice_version: version, channel: 'app' });
    beforeAll(async () => {
      h = await startHarness(kind);
      await setupCustomers(h);
      await h.api('POST', '/api/v1/purposes', { name: 'marketing', title: '营销推广', legal_basis: 'consent' });
      const w = await h.api('POST', '/api/v1/collections/customers/records', { records: [{ fields: { name: '王小明', phone: '13800138000' } }, { fields: { name: '李雷', phone: '13900139000' } }] });
      recId = w.body.ids[0]; subjectId = w.body.subject_ids[0]; other = w.body.subject_ids[1];
    });
    afterAll(async () => { await h?.close(); });

    it('refuses a notice missing a required section with 422 naming it, and stores nothing', async () => {
      const s = sections();
      delete (s.handler as Record<string, unknown>).contact;
      const r = await publish({ text: '隐私政策 v1', sections: s });
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('notice.section_missing');
      expect(r.body.errors).toEqual([expect.objectContaining({ field: 'sections.handler.contact', section: 'handler_contact', article: 'PIPL 17(1)(1)' })]);
      expect(r.body.detail_zh).toContain('联系方式');
      const noRights = await publish({ text: 'x', sections: sections({ rights: '' }) });
      expect(noRights.body.errors.map((e: any) => e.field)).toEqual(['sections.rights']);
      const sensitive = await publish({ text: 'x', sections: sections({}, { fields: ['customers.phone', 'customers.id_number'] }) });
      expect(sensitive.body.errors.map((e: any) => e.section)).toEqual(['sensitive_necessity', 'sensitive_impact']);
      const unknownField = await publish({ text: 'x', sections: sections({}, { fields: ['customers.nosuch'] }) });
      expect(unknownField.status).toBe(422);
      expect(unknownField.body.errors[0].field).toBe('sections.purposes[0].fields[0]');
      expect((await h.api('GET', '/api/v1/notices')).body.notices).toEqual([]);
    });

    it('publishes a complete notice with its SHA-256 and the scope it declares per purpose', async () => {
      const r = await publish({ text: '隐私政策 第1版：我们收集您的手机号用于营销短信。', sections: sections() });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ name: 'privacy', version: 1, complete: true, missing_sections: [], material_change: false });
      expect(r.body.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(r.body.declares.marketing).toMatchObject({ fields: ['customers.phone'], categories: ['basic'], sensitive: false, retention: '至您撤回同意后30日' });
      const v = await h.api('GET', '/api/v1/notices/privacy/versions/1');
      expect(v.body.text).toBe('隐私政策 第1版：我们收集您的手机号用于营销短信。');
      expect(v.body.sections.handler.name).toBe('示例科技有限公司');
      expect((await h.api('GET', '/api/v1/notices/privacy/versions/9')).status).toBe(404);
    });

    it('accepts a text-only notice marked incomplete, unless the tenant requires sections', async () => {
      const t = await h.api('POST', '/api/v1/notices', { name: 'short', language: 'en', text: 'We text you offers.', purposes: ['marketing'] });
      expect(t.status).toBe(201);
      expect(t.body.complete).toBe(false);
      expect(t.body.missing_sections).toContain('handler_contact');
      expect((await h.api('PUT', '/api/v1/consent-settings', { require_notice_sections: true })).body).toEqual({ require_notice_sections: true });
      const refused = await h.api('POST', '/api/v1/notices', { name: 'short', language: 'en', text: 'We text you offers again.', purposes: ['marketing'] });
      expect(refused.status).toBe(422);
      expect(refused.body.errors.map((e: any) => e.field)).toContain('sections.handler.name');
      await h.api('PUT', '/api/v1/consent-settings', { require_notice_sections: false });
      expect((await h.api('GET', '/api/v1/notices?name=short')).body.notices).toHaveLength(1);
    });

    it('keeps consents on a change that is not material (retention) and shows the diff', async () => {
      expect((await grant(subjectId, 1)).status).toBe(201);
      expect((await grant(other, 1)).status).toBe(201);
      const v2 = await publish({ text: '隐私政策 第2版：我们收集您的手机号用于营销短信。保存一年。', sections: sections({}, { retention: '一年' }) });
      expect(v2.body).toMatchObject({ version: 2, material_change: false, changed_purposes: [], needs_reconsent: 0, compared_with: 1 });
      expect((await read()).status).toBe(200);
      const d = await h.api('GET', '/api/v1/notices/privacy/diff?from=1&to=2');
      expect(d.status).toBe(200);
      expect(d.body.material).toBe(false);
      expect(d.body.purposes).toEqual([expect.objectContaining({ purpose: 'marketing', material: [], other: ['retention'] })]);
      expect(d.body.text.filter((p: any) => p.op === 'insert').map((p: any) => p.value).join('')).toContain('保存一年');
      expect(d.body.text.map((p: any) => (p.op === 'delete' ? '' : p.value)).join('')).toBe('隐私政策 第2版：我们收集您的手机号用于营销短信。保存一年。');
    });

    it('puts consents under older versions into re-consent when the PI types change, and blocks reads until re-consent', async () => {
      const v3 = await publish({ text: '隐私政策 第3版：我们收集您的手机号和姓名用于营销短信。', sections: sections({}, { fields: ['customers.phone', 'customers.name'], retention: '一年' }) });
      expect(v3.body).toMatchObject({ version: 3, material_change: true, changed_purposes: ['marketing'], needs_reconsent: 2 });
      const refused = await read();
      expect(refused.status).toBe(403);
      expect(refused.body.errors[0].rule).toBe('reconsent_required');
      const list = await h.api('GET', '/api/v1/consents?needs_reconsent=true&purpose=marketing');
      expect(list.body.total).toBe(2);
      expect(list.body.consents.map((c: any) => c.subject_id).sort()).toEqual([subjectId, other].sort());
      expect(list.body.consents[0]).toMatchObject({ notice_version: 1, reconsent_since: 3 });
      const summary = await h.api('GET', '/api/v1/consents/summary');
      expect(summary.body.purposes).toEqual([expect.objectContaining({ purpose: 'marketing', granted: 2, needs_reconsent: 2, reconsent_mode: 'block' })]);
      const d = await h.api('GET', '/api/v1/notices/privacy/diff?from=1&to=3');
      expect(d.body.purposes[0].material).toEqual(['pi_types']);
      // Recording consent to a superseded version leaves it awaiting re-consent; the current version clears it.
      expect((await grant(subjectId, 2)).body.needs_reconsent).toBe(true);
      expect((await read()).status).toBe(403);
      const again = await grant(subjectId, 3);
      expect(again.body.needs_reconsent).toBe(false);
      expect((await read()).status).toBe(200);
      expect((await h.api('GET', '/api/v1/consents?needs_reconsent=true&purpose=marketing')).body.total).toBe(1);
    });

    it('in warn mode lets the read through with a warning, audited', async () => {
      const w = await h.api('POST', '/api/v1/collections/customers/search', { field: 'phone', value: '13900139000', purpose: 'marketing', fields: ['phone'] });
      expect(w.body.records).toEqual([]);
      const p = await h.api('PATCH', '/api/v1/purposes/marketing', { reconsent_mode: 'warn' });
      expect(p.status).toBe(200);
      expect(p.body.reconsent_mode).toBe('warn');
      const s = await h.api('POST', '/api/v1/collections/customers/search', { field: 'phone', value: '13900139000', purpose: 'marketing', fields: ['phone'] });
      expect(s.body.records).toHaveLength(1);
      expect(s.body.records[0].warnings).toEqual(['reconsent_pending']);
      const ev = (await h.api('GET', `/api/v1/audit/events?subject_id=${other}&action=record.search`)).body.events as any[];
      expect(ev.some((e) => e.decision === 'allow' && e.details?.warning === 'reconsent_pending')).toBe(true);
      expect(ev.some((e) => e.decision === 'deny' && e.reason === 'reconsent_required')).toBe(true);
      const pub = (await h.api('GET', '/api/v1/audit/events?action=notice.publish')).body.events as any[];
      expect(pub.find((e) => e.details.version === 3).details).toMatchObject({ changed_purposes: ['marketing'], needs_reconsent: 2 });
    });

    it('answers concurrent publications of a new notice with 201 or 409, never a 500 or a duplicate version', async () => {
      const all = await Promise.all([1, 2, 3, 4].map((i) => h.api('POST', '/api/v1/notices', { name: 'race', language: 'zh-CN', text: `第${i}稿`, purposes: [] })));
      expect(all.every((r) => r.status === 201 || (r.status === 409 && r.body.code === 'notice.version_conflict'))).toBe(true);
      const created = all.filter((r) => r.status === 201).map((r) => r.body.version).sort();
      expect(created).toEqual(created.map((_, i) => i + 1));
      expect((await h.api('GET', '/api/v1/notices?name=race')).body.notices).toHaveLength(created.length);
    });

    it('lets any key read notices but only consents.manage publish or see consents', async () => {
      await h.api('POST', '/api/v1/roles', { name: 'reader', grants: [] });
      const k = (await h.api('POST', '/api/v1/api-keys', { name: 'app', roles: ['reader'] })).body.api_key;
      expect((await h.api('GET', '/api/v1/notices/privacy/versions/1', undefined, k)).status).toBe(200);
      expect((await h.api('POST', '/api/v1/notices', { name: 'x', language: 'en', text: 'x', purposes: [] }, k)).status).toBe(403);
      expect((await h.api('GET', '/api/v1/consents', undefined, k)).status).toBe(403);
      expect((await h.api('PUT', '/api/v1/consent-settings', { require_notice_sections: true }, k)).status).toBe(403);
      expect((await h.api('GET', '/api/v1/consents/summary', undefined, k)).status).toBe(403);
    });
  });
}
