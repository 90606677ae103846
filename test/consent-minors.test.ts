/** Consent rules at the API: guardians for minors under 14, separate consent, consent carried by a record write, bad input. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cnIdCheckChar } from '../src/core/pi-types.js';
import { BACKENDS, setupCustomers, startHarness, type Harness } from './harness.js';

const yearsAgo = (n: number) => { const d = new Date(); d.setUTCFullYear(d.getUTCFullYear() - n); d.setUTCDate(d.getUTCDate() - 30); return d.toISOString().slice(0, 10); };
const idFor = (birth: string) => { const f = `110105${birth.replace(/-/g, '')}052`; return f + cnIdCheckChar(f); };
const CHILD_ID = idFor(yearsAgo(10));
const ADULT_ID = idFor(yearsAgo(30));
const consent = (over: Record<string, unknown> = {}) => ({ purpose: 'marketing', notice: 'privacy', notice_version: 1, channel: 'app', ...over });

for (const kind of BACKENDS) {
  describe(`consent rules on ${kind}`, () => {
    let h: Harness;
    let child = '', adult = '', parent = '', unknownAge = '';
    const count = async (table: string) => Number((await h.raw(`select count(*)::int as n from ${table}`))[0].n);
    beforeAll(async () => {
      h = await startHarness(kind);
      await setupCustomers(h);
      await h.api('POST', '/api/v1/purposes', { name: 'marketing', title: '营销推广', legal_basis: 'consent' });
      await h.api('POST', '/api/v1/purposes', { name: 'kyc', title: '实名核验', legal_basis: 'consent' });
      await h.api('POST', '/api/v1/purposes', { name: 'partners', title: '合作伙伴营销', legal_basis: 'consent' });
      expect((await h.api('POST', '/api/v1/notices', { name: 'privacy', language: 'zh-CN', text: '隐私政策', purposes: ['marketing', 'kyc', 'partners'] })).status).toBe(201);
      const w = await h.api('POST', '/api/v1/collections/customers/records', { records: [
        { fields: { name: '王小宝', id_number: CHILD_ID } }, { fields: { name: '王大明', id_number: ADULT_ID } }, { fields: { name: '张三', birth_date: yearsAgo(40) } }, { fields: { name: '无名' } },
      ] });
      [child, adult, parent, unknownAge] = w.body.subject_ids;
    });
    afterAll(async () => { await h?.close(); });

    it('refuses consent for a child under 14 (age from the ID number in the vault) without a guardian, recording nothing', async () => {
      const before = await count('consent_events');
      const r = await h.api('POST', `/api/v1/subjects/${child}/consents`, consent({ separate: true }));
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('consent.guardian_required');
      expect(r.body.errors[0]).toMatchObject({ field: 'guardian', rule: 'guardian_required', article: 'PIPL 31' });
      const noName = await h.api('POST', `/api/v1/subjects/${child}/consents`, consent({ separate: true, guardian: { relation: 'mother' } }));
      expect(noName.body.errors[0].field).toBe('guardian.name');
      expect(await count('consent_events')).toBe(before);
      expect((await h.api('GET', `/api/v1/subjects/${child}/consents`)).body.consents).toEqual([]);
    });

    it('treats a minor\'s PI as sensitive: the guardian\'s consent must be separate', async () => {
      const r = await h.api('POST', `/api/v1/subjects/${child}/consents`, consent({ guardian: { name: '王大明', relation: 'father', subject_id: adult } }));
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('consent.separate_required');
      expect(r.body.errors[0]).toMatchObject({ field: 'separate', rules: ['minor'] });
      const ok = await h.api('POST', `/api/v1/subjects/${child}/consents`, consent({ separate: true, evidence: '纸质同意书 2026-001', guardian: { name: '王大明', relation: 'father', subject_id: adult, verification: '户口簿核验' } }));
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({ minor: true, separate: true, guardian_relation: 'father', separate_required: ['minor'] });
      const list = (await h.api('GET', `/api/v1/subjects/${child}/consents`)).body.consents;
      expect(list[0]).toMatchObject({ minor: true, age_source: 'vault', guardian: '王大明', guardian_relation: 'father', guardian_subject_id: adult, guardian_verification: '户口簿核验' });
      const ev = (await h.api('GET', `/api/v1/audit/events?subject_id=${child}&action=consent.grant`)).body.events;
      expect(ev[0].details).toMatchObject({ minor: true, age_source: 'vault', guardian_relation: 'father' });
      expect(JSON.stringify(ev)).not.toContain('王大明');
      expect(JSON.stringify(ev)).not.toContain(CHILD_ID);
      const hist = await h.api('GET', `/api/v1/subjects/${child}/consent-events`);
      expect(hist.body.events).toEqual([expect.objectContaining({ event: 'granted', purpose: 'marketing', minor: true, guardian_relation: 'father' })]);
    });

    it('takes the age from age evidence in the request; refuses an invalid ID number or a minor as guardian', async () => {
      const r = await h.api('POST', `/api/v1/subjects/${unknownAge}/consents`, consent({ age_evidence: { birth_date: yearsAgo(9) } }));
      expect(r.body.code).toBe('consent.guardian_required');
      const bad = await h.api('POST', `/api/v1/subjects/${unknownAge}/consents`, consent({ age_evidence: { id_number: '110105201501010000' } }));
      expect(bad.status).toBe(422);
      expect(bad.body.errors[0].field).toBe('age_evidence.id_number');
      const minorGuardian = await h.api('POST', `/api/v1/subjects/${unknownAge}/consents`, consent({ separate: true, age_evidence: { under_14: true }, guardian: { relation: 'other_guardian', subject_id: child } }));
      expect(minorGuardian.status).toBe(422);
      expect(minorGuardian.body.errors[0].field).toBe('guardian.subject_id');
      const unknownGuardian = await h.api('POST', `/api/v1/subjects/${unknownAge}/consents`, consent({ separate: true, age_evidence: { under_14: true }, guardian: { relation: 'mother', subject_id: 'sub_0000000000000000' } }));
      expect(unknownGuardian.body.errors[0].field).toBe('guardian.subject_id');
      const adultOk = await h.api('POST', `/api/v1/subjects/${adult}/consents`, consent());
      expect(adultOk.status).toBe(201);
      expect(adultOk.body.minor).toBe(false);
      expect((await h.api('POST', `/api/v1/subjects/${parent}/consents`, consent({ age_evidence: { id_number: ADULT_ID } }))).body.minor).toBe(false);
    });

    it('asks for separate consent when the notice declares sensitive PI or provision to another handler for the purpose', async () => {
      const sections = {
        handler: { name: '示例公司', contact: 'privacy@example.cn' }, rights: '邮件联系', retention_end: '删除',
        purposes: [{ purpose: 'kyc', manner: '核验身份', fields: ['customers.id_number'], retention: '5年' }, { purpose: 'partners', manner: '提供给合作方', pi_categories: ['basic'], retention: '1年' }],
        sensitive: { necessity: '法律要求实名', impact: '泄露可能导致身份冒用' },
        recipients: [{ kind: 'handler', name: '合作银行', contact: '95500', manner: '联合营销', pi_categories: ['basic'], purposes: ['partners'] }],
      };
      const n = await h.api('POST', '/api/v1/notices', { name: 'kyc-notice', language: 'zh-CN', text: '单独告知', purposes: ['kyc', 'partners'], sections });
      expect(n.status).toBe(201);
      const kyc = await h.api('POST', `/api/v1/subjects/${adult}/consents`, { purpose: 'kyc', notice: 'kyc-notice', notice_version: 1, channel: 'app', separate: false });
      expect(kyc.status).toBe(422);
      expect(kyc.body.errors[0]).toMatchObject({ field: 'separate', rules: ['sensitive_pi'], sources: ['notice'] });
      const p = await h.api('POST', `/api/v1/subjects/${adult}/consents`, { purpose: 'partners', notice: 'kyc-notice', notice_version: 1, channel: 'app' });
      expect(p.body.errors[0].rules).toEqual(['provision_to_others']);
      expect((await h.api('POST', `/api/v1/subjects/${adult}/consents`, { purpose: 'kyc', notice: 'kyc-notice', notice_version: 1, channel: 'app', separate: true })).status).toBe(201);
    });

    it('asks for separate consent when a registered activity of the purpose processes sensitive PI', async () => {
      const a = await h.api('POST', '/api/v1/activities', { name: '营销画像', purposes: ['marketing'], legal_basis: 'consent', data: [{ collection: 'customers', fields: ['phone', 'bank_card'] }] });
      expect(a.status).toBe(201);
      const r = await h.api('POST', `/api/v1/subjects/${parent}/consents`, consent());
      expect(r.status).toBe(422);
      expect(r.body.errors[0]).toMatchObject({ rules: ['sensitive_pi'], sources: [`activity:${a.body.id}`] });
      await h.api('POST', `/api/v1/activities/${a.body.id}/retire`, { reason: '不再开展' });
      expect((await h.api('POST', `/api/v1/subjects/${parent}/consents`, consent())).status).toBe(201);
    });

    it('refuses bad input with a 4xx and records nothing: unknown purpose, version, undeclared purpose, unknown subject, withdrawal without consent', async () => {
      const before = await count('consent_events');
      expect((await h.api('POST', `/api/v1/subjects/${adult}/consents`, consent({ purpose: 'nosuch' }))).status).toBe(422);
      expect((await h.api('POST', `/api/v1/subjects/${adult}/consents`, consent({ notice_version: 7 }))).body.errors[0].field).toBe('notice_version');
      expect((await h.api('POST', `/api/v1/subjects/${adult}/consents`, consent({ notice: 'nosuch' }))).status).toBe(422);
      expect((await h.api('POST', `/api/v1/subjects/${adult}/consents`, { purpose: 'customer_service', notice: 'privacy', notice_version: 1, channel: 'app' })).body.errors[0].field).toBe('purpose');
      expect((await h.api('POST', '/api/v1/subjects/sub_0000000000000000/consents', consent())).status).toBe(404);
      expect((await h.api('POST', `/api/v1/subjects/${adult}/consents`, consent({ channel: 'fax' }))).status).toBe(400);
      expect((await h.api('POST', `/api/v1/subjects/${adult}/consents`, consent({ guardian: 'mum' }))).status).toBe(400);
      const w = await h.api('DELETE', `/api/v1/subjects/${unknownAge}/consents/marketing`);
      expect(w.status).toBe(404);
      expect(w.body.code).toBe('consent.not_found');
      expect(await count('consent_events')).toBe(before);
    });

    it('records consent in the same call as the record write; a refused consent refuses the whole write', async () => {
      const subjectsBefore = await count('subjects');
      const recordsBefore = await count('records');
      const bad = await h.api('POST', '/api/v1/collections/customers/records', { records: [
        { fields: { name: '赵六', phone: '13700137000' }, consents: [consent({ purpose: 'partners', notice: 'kyc-notice', separate: true })] },
        { fields: { name: '小朋友', id_number: idFor(yearsAgo(8)) }, consents: [consent({ separate: true })] },
      ] });
      expect(bad.status).toBe(422);
      expect(bad.body.code).toBe('consent.guardian_required');
      expect(bad.body.errors[0].field).toBe('records[1].consents[0].guardian');
      expect(await count('subjects')).toBe(subjectsBefore);
      expect(await count('records')).toBe(recordsBefore);
      const ok = await h.api('POST', '/api/v1/collections/customers/records', { fields: { name: '小朋友', id_number: idFor(yearsAgo(8)), phone: '13600136000' },
        consents: [consent({ separate: true, guardian: { name: '小朋友妈妈', relation: 'mother' } })] });
      expect(ok.status).toBe(201);
      const list = (await h.api('GET', `/api/v1/subjects/${ok.body.subject_id}/consents`)).body.consents;
      expect(list).toEqual([expect.objectContaining({ purpose: 'marketing', state: 'granted', minor: true, age_source: 'record', guardian_relation: 'mother' })]);
      expect((await h.api('GET', `/api/v1/collections/customers/records/${ok.body.id}?purpose=marketing&fields=phone`)).status).toBe(200);
      const ev = (await h.api('GET', `/api/v1/audit/events?subject_id=${ok.body.subject_id}`)).body.events.map((e: any) => e.action);
      expect(ev).toEqual(expect.arrayContaining(['record.write', 'consent.grant']));
    });
  });
}
