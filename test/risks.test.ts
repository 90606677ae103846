import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startHarness, type Harness } from './harness.js';
import { keyWith } from './compliance-helpers.js';

for (const kind of BACKENDS) {
  describe(`risk register on ${kind}`, () => {
    let h: Harness;
    let officer = '';
    let id = '';
    beforeAll(async () => { h = await startHarness(kind); officer = await keyWith(h, 'risk_owner', ['risks.manage']); });
    afterAll(async () => { await h?.close(); });

    it('registers a risk scored on the matrix, refusing values outside it', async () => {
      const r = await h.api('POST', '/api/v1/risks', { title: '客服导出客户清单未审批', owner: '张经理', department: '客服部', likelihood: 3, impact: 4, treatment: 'mitigate', treatment_plan: '导出需审批并水印', due_date: '2020-01-31', review_interval_days: 30 }, officer);
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ score: 12, level: 'critical', status: 'open', treatment_overdue: true });
      id = r.body.id;
      const bad = await h.api('POST', '/api/v1/risks', { title: 'x', owner: 'y', likelihood: 5, impact: 1, treatment: 'accept' }, officer);
      expect(bad.status).toBe(422);
      expect(bad.body.errors[0].field).toBe('likelihood');
      await h.api('POST', '/api/v1/risks', { title: '供应商弱口令', owner: '李工', department: '信息部', likelihood: 2, impact: 2, treatment: 'mitigate' }, officer);
      expect((await h.api('GET', '/api/v1/risks?department=客服部', undefined, officer)).body.total).toBe(1);
      expect((await h.api('POST', '/api/v1/risks', { title: 'x', owner: 'y', likelihood: 1, impact: 1, treatment: 'accept' }, await keyWith(h, 'no_risks', ['assessments.manage']))).status).toBe(403);
    });

    it('draws the heat map of open risks', async () => {
      const m = await h.api('GET', '/api/v1/risks/heatmap', undefined, officer);
      expect(m.body.cells).toHaveLength(16);
      expect(m.body.cells.find((c: any) => c.likelihood === 3 && c.impact === 4)).toMatchObject({ count: 1, level: 'critical' });
      expect(m.body.cells.find((c: any) => c.likelihood === 2 && c.impact === 2)).toMatchObject({ count: 1, level: 'medium' });
      expect(m.body.total).toBe(2);
    });

    it('flags overdue reviews and treatments, and a review clears the flag', async () => {
      await h.raw(`update risks set next_review = '2020-01-01' where tenant_id = $1 and id = $2`, [h.tenant, id]);
      const job = await h.app.risks.flagReviews(h.tenant, new Date());
      expect(job.review_overdue).toBe(1);
      expect((await h.api('GET', '/api/v1/risks?flagged=true', undefined, officer)).body.risks.map((r: any) => r.id)).toEqual([id]);
      const rv = await h.api('POST', `/api/v1/risks/${id}/reviews`, { note: '已上线导出审批', likelihood: 1, status: 'treating' }, officer);
      expect(rv.status).toBe(201);
      expect(rv.body).toMatchObject({ likelihood: 1, score: 4, level: 'medium', status: 'treating', flag: null, review_overdue: false });
      const got = await h.api('GET', `/api/v1/risks/${id}`, undefined, officer);
      expect(got.body.reviews).toHaveLength(1);
      const closed = await h.api('PATCH', `/api/v1/risks/${id}`, { status: 'closed' }, officer);
      expect(closed.body.closed_at).not.toBeNull();
      expect((await h.api('GET', '/api/v1/risks/heatmap', undefined, officer)).body.total).toBe(1);
    });

    it('lets the PI protection officer configure the matrix (5 x 5), and refuses a matrix open risks do not fit', async () => {
      const five = (n: number) => Array.from({ length: n }, (_, i) => ({ value: i + 1, zh: `${i + 1}级`, en: `level ${i + 1}` }));
      const m = { likelihood: five(5), impact: five(5), levels: [{ level: 'low', zh: '低', en: 'low', min_score: 1 }, { level: 'high', zh: '高', en: 'high', min_score: 10 }], acceptable_level: 'low', review_months: 6 };
      expect((await h.api('PUT', '/api/v1/assessments/matrix', m, officer)).status).toBe(403);
      const ok = await h.api('PUT', '/api/v1/assessments/matrix', m);
      expect(ok.status).toBe(200);
      expect((await h.api('POST', '/api/v1/risks', { title: '五级', owner: 'y', likelihood: 5, impact: 5, treatment: 'avoid' }, officer)).body.level).toBe('high');
      const small = { ...m, likelihood: five(3), impact: five(3), levels: [{ level: 'low', zh: '低', en: 'low', min_score: 1 }, { level: 'high', zh: '高', en: 'high', min_score: 6 }] };
      const refused = await h.api('PUT', '/api/v1/assessments/matrix', small);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('risk.matrix_in_use');
      const invalid = await h.api('PUT', '/api/v1/assessments/matrix', { ...m, acceptable_level: 'medium' });
      expect(invalid.status).toBe(422);
    });
  });
}
