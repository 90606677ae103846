import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, setupCustomers, startHarness, type Harness } from './harness.js';
import { decryptEnvelope } from '../src/sharing/index.js';
import { keyWith } from './compliance-helpers.js';

const x25519 = () => {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return { pub: publicKey.export({ type: 'spki', format: 'pem' }) as string, priv: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
};
const ALL_YES = { legal_entity: true, security_certification: true, pi_officer: true, encryption: true, access_control: true, no_incidents: true, no_sub_entrusting: true, deletion_capability: true, data_location: true, training: true };
const CONTRACT = { reference: 'HT-2026-001', purpose: '会员积分兑换配送', processing_method: '接收加密文件后导入配送系统', pi_types: [{ collection: 'customers', fields: ['name', 'phone', 'address'] }], start_date: '2025-01-01', end_date: '2099-12-31', protection_duties: '加密存储、仅用于配送、不得转委托', end_of_term: 'delete' };

async function person(h: Harness, name: string, phone: string) {
  const w = await h.api('POST', '/api/v1/collections/customers/records', { fields: { name, phone, address: '上海市浦东新区世纪大道100号', id_number: '11010519491231002X' } });
  expect(w.status).toBe(201);
  return { record: w.body.id as string, subject: w.body.subject_id as string };
}

for (const kind of BACKENDS) {
  describe(`third parties and sharing on ${kind}`, () => {
    let h: Harness;
    const keys = x25519();
    let party = '', contract = '', channel = '';
    let a: { record: string; subject: string }, b: typeof a, c: typeof a;
    beforeAll(async () => {
      h = await startHarness(kind);
      await setupCustomers(h);
      expect((await h.api('POST', '/api/v1/purposes', { name: 'partner_sharing', title: '向合作方提供用于配送', legal_basis: 'consent' })).status).toBe(201);
      expect((await h.api('POST', '/api/v1/notices', { name: 'partner-notice', language: 'zh-CN', text: '我们将向 Acme 物流提供您的姓名、手机号和地址用于配送。', purposes: ['partner_sharing'] })).status).toBe(201);
      a = await person(h, '张三', '13800138000');
      b = await person(h, '李四', '13900139000');
      c = await person(h, '王五', '13700137000');
      const consent = (s: string, separate: boolean) => h.api('POST', `/api/v1/subjects/${s}/consents`, { purpose: 'partner_sharing', notice: 'partner-notice', notice_version: 1, channel: 'app', separate });
      expect((await consent(a.subject, true)).status).toBe(201);
      expect((await consent(b.subject, false)).status).toBe(201);
    });
    afterAll(async () => { await h?.close(); });

    it('registers a handler with contacts, refuses a bad credit code, and screens it', async () => {
      const bad = await h.api('POST', '/api/v1/third-parties', { name: 'Acme 物流', kind: 'handler', uscc: '913100007109330436' });
      expect(bad.status).toBe(422);
      expect(bad.body.errors[0].field).toBe('uscc');
      const p = await h.api('POST', '/api/v1/third-parties', { name: 'Acme 物流', kind: 'handler', uscc: '91350100M000100Y43', contacts: [{ name: '赵经理', role: 'DPO', email: 'dpo@acme.example' }] });
      expect(p.status).toBe(201);
      party = p.body.id;
      expect((await h.api('POST', '/api/v1/third-parties', { name: 'Acme 物流', kind: 'handler' })).status).toBe(409);
      const inconsistent = await h.api('PUT', `/api/v1/third-parties/${party}/screening`, { answers: { ...ALL_YES, encryption: false }, result: 'passed' });
      expect(inconsistent.status).toBe(422);
      expect(inconsistent.body.errors[0]).toMatchObject({ field: 'result', suggested: 'failed' });
      const ok = await h.api('PUT', `/api/v1/third-parties/${party}/screening`, { answers: ALL_YES, result: 'passed', note: '现场审核' });
      expect(ok.body).toMatchObject({ suggested: 'passed', screening: { result: 'passed' } });
    });

    it('registers a contract and a channel within it; a handler channel needs a separate-consent purpose', async () => {
      const wide = await h.api('POST', `/api/v1/third-parties/${party}/contracts`, { ...CONTRACT, pi_types: [{ collection: 'customers', fields: ['shoe_size'] }] });
      expect(wide.status).toBe(422);
      const k = await h.api('POST', `/api/v1/third-parties/${party}/contracts`, CONTRACT);
      expect(k.status).toBe(201);
      contract = k.body.id;
      const base = { name: 'acme_delivery', third_party_id: party, contract_id: contract, kind: 'export', purpose: 'partner_sharing', collection: 'customers', fields: ['name', 'phone', 'address'] };
      const noConsent = await h.api('POST', '/api/v1/shares/channels', base);
      expect(noConsent.status).toBe(422);
      expect(noConsent.body.errors[0].field).toBe('separate_consent_purpose');
      const beyond = await h.api('POST', '/api/v1/shares/channels', { ...base, fields: ['name', 'id_number'], separate_consent_purpose: 'partner_sharing' });
      expect(beyond.status).toBe(422);
      expect(beyond.body.errors[0].field).toBe('fields');
      const ch = await h.api('POST', '/api/v1/shares/channels', { ...base, separate_consent_purpose: 'partner_sharing' });
      expect(ch.status).toBe(201);
      channel = ch.body.id;
    });

    it('refuses to share without a registered recipient key, and refuses weak keys', async () => {
      const s = await h.api('POST', '/api/v1/shares', { channel: 'acme_delivery', record_ids: [a.record] });
      expect(s.status).toBe(403);
      expect(s.body.code).toBe('share.recipient_key_missing');
      const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
      expect((await h.api('PUT', `/api/v1/third-parties/${party}/key`, { public_key: weak })).status).toBe(422);
      const k = await h.api('PUT', `/api/v1/third-parties/${party}/key`, { public_key: keys.pub });
      expect(k.body.algorithm).toBe('X25519-HKDF-SHA256-A256GCM');
    });

    it('refuses a share when a subject has not given separate consent, and audits the refusal per subject', async () => {
      const s = await h.api('POST', '/api/v1/shares', { channel: 'acme_delivery', record_ids: [a.record, b.record, c.record] });
      expect(s.status).toBe(403);
      expect(s.body.code).toBe('share.separate_consent_missing');
      expect(s.body.errors[0].refused_records.sort()).toEqual([b.record, c.record].sort());
      expect(JSON.stringify(s.body)).not.toMatch(/13900139000|李四/);
      const ev = await h.api('GET', `/api/v1/audit/events?subject_id=${b.subject}&action=share.provide`);
      expect(ev.body.events.some((e: any) => e.decision === 'deny' && e.reason === 'separate_consent_missing')).toBe(true);
      expect((await h.api('GET', '/api/v1/shares')).body.total).toBe(0);
    });

    it('shares only the allowed fields, encrypted to the recipient, recorded per subject', async () => {
      const outside = await h.api('POST', '/api/v1/shares', { channel: 'acme_delivery', record_ids: [a.record], fields: ['name', 'id_number'] });
      expect(outside.status).toBe(403);
      expect(outside.body.errors[0]).toMatchObject({ rule: 'field_not_allowed', fields_outside: ['id_number'] });
      const s = await h.api('POST', '/api/v1/shares', { channel: channel, record_ids: [a.record], fields: ['name', 'phone'] });
      expect(s.status).toBe(201);
      expect(s.body).toMatchObject({ records: 1, subjects: 1, refused: [], fields: ['name', 'phone'] });
      expect(JSON.stringify(s.body)).not.toContain('13800138000');
      const doc = JSON.parse(decryptEnvelope(keys.priv, s.body.envelope).toString('utf8'));
      expect(doc.records).toEqual([{ ref: a.record, fields: { name: '张三', phone: '13800138000' } }]);
      expect(doc).toMatchObject({ share_id: s.body.id, recipient: 'Acme 物流', contract: 'HT-2026-001' });
      expect(() => decryptEnvelope(x25519().priv, s.body.envelope)).toThrow();
      const all = await h.api('POST', '/api/v1/shares', { channel: 'acme_delivery', record_ids: [a.record, b.record, c.record], skip_refused: true });
      expect(all.status).toBe(201);
      expect(all.body.records).toBe(1);
      expect(all.body.refused.map((r: any) => r.record_id).sort()).toEqual([b.record, c.record].sort());
      const minimised = JSON.parse(decryptEnvelope(keys.priv, all.body.envelope).toString('utf8'));
      expect(Object.keys(minimised.records[0].fields).sort()).toEqual(['address', 'name', 'phone']);
      const history = await h.api('GET', `/api/v1/subjects/${a.subject}/shares`);
      expect(history.body.shares).toHaveLength(2);
      expect(history.body.shares[0].third_party).toMatchObject({ name: 'Acme 物流', kind: 'handler' });
      expect((await h.api('GET', `/api/v1/subjects/${b.subject}/shares`)).body.shares).toHaveLength(0);
      const one = await h.api('GET', `/api/v1/shares/${s.body.id}`);
      expect(one.body.items).toEqual([{ record_id: a.record, subject_id: a.subject }]);
      const ev = await h.api('GET', `/api/v1/audit/events?subject_id=${a.subject}`);
      const actions = ev.body.events.filter((e: any) => e.decision === 'allow').map((e: any) => e.action);
      expect(actions).toContain('share.provide');
      expect(actions).toContain('record.read');
    });

    it('needs the export grant and the shares permission', async () => {
      const noGrant = await keyWith(h, 'sharer_no_grant', ['shares.create']);
      const r = await h.api('POST', '/api/v1/shares', { channel: 'acme_delivery', record_ids: [a.record] }, noGrant);
      expect(r.status).toBe(403);
      expect(r.body.errors[0].rule).toBe('no_grant_for_action');
      // An export grant with only a masked read grant: masked values would leave unnoticed, so the share is refused.
      expect((await h.api('POST', '/api/v1/roles', { name: 'sharer_masked', permissions: ['shares.create'], grants: [{ collection: 'customers', fields: ['*'], actions: ['read', 'export'], purposes: ['partner_sharing'], view: 'masked' }] })).status).toBe(201);
      const maskedKey = (await h.api('POST', '/api/v1/api-keys', { name: 'sharer_masked', roles: ['sharer_masked'] })).body.api_key;
      const m = await h.api('POST', '/api/v1/shares', { channel: 'acme_delivery', record_ids: [a.record] }, maskedKey);
      expect(m.status).toBe(403);
      expect(m.body.errors[0]).toMatchObject({ rule: 'masked_view', fields_masked: ['name', 'phone', 'address'] });
      const noPerm = await keyWith(h, 'third_party_clerk', ['third_parties.manage']);
      expect((await h.api('POST', '/api/v1/shares', { channel: 'acme_delivery', record_ids: [a.record] }, noPerm)).status).toBe(403);
    });

    it('stops sharing when the contract ends, then tracks the deletion confirmation', async () => {
      const expired = await h.api('POST', `/api/v1/third-parties/${party}/contracts`, { ...CONTRACT, reference: 'HT-2020', start_date: '2020-01-01', end_date: '2020-12-31' });
      const ch = await h.api('POST', '/api/v1/shares/channels', { name: 'acme_old', third_party_id: party, contract_id: expired.body.id, kind: 'api', purpose: 'partner_sharing', collection: 'customers', fields: ['name'], separate_consent_purpose: 'partner_sharing' });
      const old = await h.api('POST', '/api/v1/shares', { channel: ch.body.id, record_ids: [a.record] });
      expect(old.body.code).toBe('share.contract_expired');
      const job = await h.app.thirdParties.flagContracts(h.tenant, new Date());
      expect(job.contracts_ended).toBe(1);
      const after = await h.api('GET', `/api/v1/third-parties/${party}`);
      expect(after.body.contracts.find((x: any) => x.id === expired.body.id)).toMatchObject({ state: 'ended', flag: 'deletion_pending', deletion: { confirmed_at: null } });
      const end = await h.api('POST', `/api/v1/third-parties/${party}/contracts/${contract}/end`, { reason: '合作结束' });
      expect(end.body).toMatchObject({ state: 'ended', deletion: { confirmed_at: null } });
      expect((await h.api('POST', '/api/v1/shares', { channel: 'acme_delivery', record_ids: [a.record] })).body.code).toBe('share.channel_disabled');
      const conf = await h.api('POST', `/api/v1/third-parties/${party}/contracts/${contract}/deletion-confirmation`, { evidence: 'Acme 出具的删除证明 2026-01-10' });
      expect(conf.body.deletion.confirmed_at).not.toBeNull();
      expect((await h.api('POST', `/api/v1/third-parties/${party}/contracts/${contract}/deletion-confirmation`, { evidence: 'again' })).status).toBe(409);
    });

    it('makes an entrusted processor with sensitive fields need separate consent too', async () => {
      const p = await h.api('POST', '/api/v1/third-parties', { name: '云客服外包', kind: 'entrusted' });
      const k = await h.api('POST', `/api/v1/third-parties/${p.body.id}/contracts`, { ...CONTRACT, pi_types: [{ collection: 'customers', fields: ['*'] }], sub_entrusting: false });
      expect(k.status).toBe(201);
      const plain = await h.api('POST', '/api/v1/shares/channels', { name: 'cs_outsource', third_party_id: p.body.id, contract_id: k.body.id, kind: 'api', purpose: 'customer_service', collection: 'customers', fields: ['name', 'phone'] });
      expect(plain.status).toBe(201);
      const sens = await h.api('POST', '/api/v1/shares/channels', { name: 'cs_outsource_id', third_party_id: p.body.id, contract_id: k.body.id, kind: 'api', purpose: 'customer_service', collection: 'customers', fields: ['name', 'id_number'] });
      expect(sens.status).toBe(422);
      expect(sens.body.errors[0].field).toBe('separate_consent_purpose');
    });
  });
}

describe('recipient keys under the commercial-cryptography suite', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness('pglite', { suite: 'sm' }); });
  afterAll(async () => { await h?.close(); });
  it('accepts only SM2-curve keys and encrypts with SM4', async () => {
    const p = await h.api('POST', '/api/v1/third-parties', { name: '国密伙伴', kind: 'handler' });
    expect((await h.api('PUT', `/api/v1/third-parties/${p.body.id}/key`, { public_key: x25519().pub })).status).toBe(422);
    const sm2 = generateKeyPairSync('ec', { namedCurve: 'SM2' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const k = await h.api('PUT', `/api/v1/third-parties/${p.body.id}/key`, { public_key: sm2 });
    expect(k.status).toBe(200);
    expect(k.body.algorithm).toBe('ECDH-SM2CURVE-HKDF-SM3-SM4CTR-HMACSM3');
  });
});
