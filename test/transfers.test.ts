import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startHarness, type Harness } from './harness.js';
import { approvedAssessment } from './compliance-helpers.js';

const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

for (const kind of BACKENDS) {
  describe(`cross-border transfers on ${kind}`, () => {
    let h: Harness;
    let pia = '';
    const base = () => ({ destination_country: 'SG', recipient: 'Acme Pte. Ltd.', purpose: '全球会员积分', pi_types: ['姓名', '手机号'], legal_basis: 'contract', assessment_id: pia });
    beforeAll(async () => {
      h = await startHarness(kind);
      pia = await approvedAssessment(h, 'global_membership', ['cross_border']);
    });
    afterAll(async () => { await h?.close(); });

    it('the route engine answers each threshold boundary', async () => {
      const check = async (non_sensitive: number, sensitive = 0) => (await h.api('POST', '/api/v1/transfers/check', { non_sensitive, sensitive })).body.required_route;
      expect(await check(99_999)).toBe('none');
      expect(await check(100_000)).toBe('contract_or_certification');
      expect(await check(999_999)).toBe('contract_or_certification');
      expect(await check(1_000_000)).toBe('security_assessment');
      expect(await check(0, 9_999)).toBe('contract_or_certification');
      expect(await check(0, 10_000)).toBe('security_assessment');
    });

    it('needs an approved impact assessment covering export, and separate consent for a consent basis', async () => {
      const other = await approvedAssessment(h, 'local_only', ['sensitive_pi']);
      const noPia = await h.api('POST', '/api/v1/transfers', { ...base(), assessment_id: other, non_sensitive: 10, sensitive: 0, route: 'exemption', exemption_ground: 'under_threshold' });
      expect(noPia.status).toBe(409);
      expect(noPia.body.code).toBe('transfer.assessment_required');
      const consent = await h.api('POST', '/api/v1/transfers', { ...base(), legal_basis: 'consent', non_sensitive: 10, sensitive: 0, route: 'exemption', exemption_ground: 'under_threshold' });
      expect(consent.status).toBe(422);
      expect(consent.body.errors[0].field).toBe('consent_purpose');
      expect((await h.api('GET', '/api/v1/transfers/volume')).body).toMatchObject({ non_sensitive: 0, sensitive: 0 });
    });

    it('adds transfers up since 1 January, alerts at 80%, and blocks the one that needs a route it does not have', async () => {
      const t = (n: number, extra: Record<string, unknown> = { route: 'exemption', exemption_ground: 'under_threshold' }) => h.api('POST', '/api/v1/transfers', { ...base(), non_sensitive: n, sensitive: 0, ...extra });
      const first = await t(60_000);
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ required_route: 'none', cumulative: { non_sensitive: 60_000 }, alerts: [] });
      const second = await t(20_000);
      expect(second.body.alerts).toEqual([expect.objectContaining({ kind: 'approaching', threshold: 100_000, value: 80_000 })]);
      expect((await t(19_999)).status).toBe(201);
      const split = await t(1);
      expect(split.status).toBe(409);
      expect(split.body.code).toBe('transfer.route_missing');
      expect(split.body.errors[0].required_route).toBe('contract_or_certification');
      const vol = await h.api('GET', '/api/v1/transfers/volume');
      expect(vol.body).toMatchObject({ non_sensitive: 99_999, required_route: 'none' });
      const contract = await t(1, { route: 'standard_contract', contract_effective_date: today() });
      expect(contract.status).toBe(201);
      expect(contract.body).toMatchObject({ required_route: 'contract_or_certification', cumulative: { non_sensitive: 100_000 } });
      expect(contract.body.alerts.map((a: any) => a.kind)).toContain('route_escalated');
      const ev = await h.api('GET', '/api/v1/audit/events?action=transfer.create&limit=100');
      expect(ev.body.events.some((e: any) => e.decision === 'deny' && e.reason === 'route_missing')).toBe(true);
    });

    it('blocks the 10,000th sensitive individual without a security assessment', async () => {
      const t = (n: number, extra: Record<string, unknown>) => h.api('POST', '/api/v1/transfers', { ...base(), non_sensitive: 0, sensitive: n, ...extra });
      const sc = { route: 'standard_contract', contract_effective_date: today(), filing_date: today() };
      expect((await t(9_999, sc)).status).toBe(201);
      const blocked = await t(1, sc);
      expect(blocked.status).toBe(409);
      expect(blocked.body.errors[0].required_route).toBe('security_assessment');
      const noRef = await t(1, { route: 'security_assessment' });
      expect(noRef.body.code).toBe('transfer.route_evidence_missing');
      const ok = await t(1, { route: 'security_assessment', route_ref: '国网信办数出评〔2026〕001号' });
      expect(ok.status).toBe(201);
      expect(ok.body.cumulative.sensitive).toBe(10_000);
    });

    it('refuses an unfiled standard contract past its 10 working days, and exempts cross-border HR at any volume', async () => {
      // Last year's volume is small (a contract is enough); the contract took effect on 2 January and was never filed.
      const y = Number(today().slice(0, 4)) - 1;
      const late = await h.api('POST', '/api/v1/transfers', { ...base(), transfer_date: `${y}-03-01`, non_sensitive: 5, sensitive: 1, route: 'standard_contract', contract_effective_date: `${y}-01-02` });
      expect(late.status).toBe(409);
      expect(late.body.code).toBe('transfer.standard_contract_not_filed');
      const hr = await h.api('POST', '/api/v1/transfers', { ...base(), non_sensitive: 2_000_000, sensitive: 0, route: 'exemption', exemption_ground: 'cross_border_hr', legal_basis: 'hr' });
      expect(hr.status).toBe(201);
      expect(hr.body.required_route).toBe('security_assessment');
    });

    it('counts a transfer in the year of its date (yearly reset)', async () => {
      const lastYear = `${Number(today().slice(0, 4)) - 1}-06-30`;
      const old = await h.api('POST', '/api/v1/transfers', { ...base(), transfer_date: lastYear, non_sensitive: 500, sensitive: 0, route: 'exemption', exemption_ground: 'under_threshold' });
      expect(old.status).toBe(201);
      expect(old.body.cumulative.non_sensitive).toBe(500);
      expect((await h.api('GET', `/api/v1/transfers/volume?year=${lastYear.slice(0, 4)}`)).body.non_sensitive).toBe(500);
      const list = await h.api('GET', `/api/v1/transfers?year=${today().slice(0, 4)}&limit=2`);
      expect(list.body.transfers).toHaveLength(2);
      expect(list.body.next_offset).toBe(2);
      expect((await h.api('POST', '/api/v1/transfers', { ...base(), destination_country: 'CN', non_sensitive: 1, sensitive: 0, route: 'exemption', exemption_ground: 'under_threshold' })).status).toBe(400);
    });
  });
}
