import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Custodian } from '../../app.js';
import { END_OF_TERM, SCREENING_RESULTS, SHARE_SORT, THIRD_PARTY_KINDS, THIRD_PARTY_SORT } from '../../sharing/index.js';
import { Day, IdParam, Name, SearchText, Sorting } from './schemas.js';

const Country = z.string().regex(/^[A-Z]{2}$/, 'is an ISO 3166-1 alpha-2 code such as CN, US, DE');
const Contact = z.strictObject({ name: z.string().min(1).max(100), role: z.string().max(100).optional(), phone: z.string().max(40).optional(), email: z.string().max(200).optional() });
const PartyBody = z.strictObject({ name: z.string().min(1).max(200), kind: z.enum(THIRD_PARTY_KINDS), uscc: z.string().max(30).optional(), country: Country.optional(), address: z.string().max(500).optional(), contacts: z.array(Contact).max(10).optional(), review_due: Day.optional() });
const PartyPatch = z.strictObject({ name: z.string().min(1).max(200).optional(), uscc: z.string().max(30).optional(), country: Country.optional(), address: z.string().max(500).optional(), contacts: z.array(Contact).max(10).optional(), review_due: Day.optional(), state: z.enum(['active', 'suspended', 'ended']).optional() });
const Scope = z.strictObject({ collection: Name, fields: z.array(z.union([Name, z.literal('*')])).min(1).max(200) });
const ContractBody = z.strictObject({
  reference: z.string().min(1).max(100), purpose: z.string().min(1).max(1000), processing_method: z.string().min(1).max(1000), pi_types: z.array(Scope).min(1).max(50),
  start_date: Day, end_date: Day, protection_duties: z.string().min(1).max(4000), end_of_term: z.enum(END_OF_TERM), sub_entrusting: z.boolean().optional(), signed_at: Day.optional(),
});
const ChannelBody = z.strictObject({ name: Name, third_party_id: IdParam, contract_id: IdParam, kind: z.enum(['export', 'api']), purpose: Name, collection: Name, fields: z.array(Name).min(1).max(200), separate_consent_purpose: Name.optional() });
const ShareBody = z.strictObject({ channel: z.string().min(1).max(80), record_ids: z.array(IdParam).min(1).max(1000), fields: z.array(Name).max(200).optional(), skip_refused: z.boolean().optional(), note: z.string().max(500).optional() });
const Page = { limit: z.coerce.number().int().min(1).max(200).optional(), offset: z.coerce.number().int().min(0).optional() };

export function sharingRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  const tags = ['third parties and sharing'];
  const params = z.strictObject({ id: IdParam });
  const cparams = z.strictObject({ id: IdParam, cid: IdParam });
  r.post('/api/v1/third-parties', { schema: { tags, summary: '登记第三方（受托人或其他处理者） / Register a third party', body: PartyBody } }, async (req, reply) => reply.status(201).send(await app.thirdParties.create(req.actor, req.body)));
  r.get('/api/v1/third-parties', { schema: { tags, summary: '第三方清单 / List third parties', querystring: z.strictObject({ kind: z.enum(THIRD_PARTY_KINDS).optional(), state: z.enum(['active', 'suspended', 'ended']).optional(), flagged: z.enum(['true', 'false']).optional(), q: SearchText.optional(), ...Page, ...Sorting(THIRD_PARTY_SORT.columns) }) } }, async (req) => app.thirdParties.list(req.actor, { ...req.query, flagged: req.query.flagged === 'true' }));
  r.get('/api/v1/third-parties/screening-questions', { schema: { tags, summary: '筛查问卷 / The screening questionnaire' } }, async (req) => { await app.thirdParties.list(req.actor, { limit: 1 }); return { questions: app.thirdParties.screeningQuestions() }; });
  r.get('/api/v1/third-parties/:id', { schema: { tags, summary: '查看第三方（含合同与通道） / Get a third party', params } }, async (req) => app.thirdParties.get(req.actor, req.params.id));
  r.patch('/api/v1/third-parties/:id', { schema: { tags, summary: '更新第三方 / Update a third party', params, body: PartyPatch } }, async (req) => app.thirdParties.update(req.actor, req.params.id, req.body));
  r.put('/api/v1/third-parties/:id/screening', { schema: { tags, summary: '记录安全筛查 / Record the screening', params, body: z.strictObject({ answers: z.record(z.string().max(63), z.boolean()), result: z.enum(SCREENING_RESULTS), note: z.string().max(2000).optional() }) } }, async (req) => app.thirdParties.screen(req.actor, req.params.id, req.body));
  r.put('/api/v1/third-parties/:id/key', { schema: { tags, summary: '登记接收方公钥（X25519、P-256、P-384、SM2、RSA≥2048） / Register the recipient public key', params, body: z.strictObject({ public_key: z.string().min(50).max(10_000) }) } }, async (req) => app.thirdParties.setKey(req.actor, req.params.id, req.body.public_key));
  r.post('/api/v1/third-parties/:id/contracts', { schema: { tags, summary: '登记合同 / Add a contract', params, body: ContractBody } }, async (req, reply) => reply.status(201).send(await app.thirdParties.addContract(req.actor, req.params.id, req.body)));
  r.post('/api/v1/third-parties/:id/contracts/:cid/end', { schema: { tags, summary: '终止合同并要求返还或删除 / End a contract and request deletion', params: cparams, body: z.strictObject({ reason: z.string().min(1).max(1000), deletion_due: Day.optional() }) } }, async (req) => app.thirdParties.endContract(req.actor, req.params.id, req.params.cid, req.body));
  r.post('/api/v1/third-parties/:id/contracts/:cid/deletion-confirmation', { schema: { tags, summary: '确认第三方已删除 / Confirm the deletion', params: cparams, body: z.strictObject({ evidence: z.string().min(1).max(2000) }) } }, async (req) => app.thirdParties.confirmDeletion(req.actor, req.params.id, req.params.cid, req.body));
  r.post('/api/v1/shares/channels', { schema: { tags, summary: '登记提供通道 / Register a sharing channel', body: ChannelBody } }, async (req, reply) => reply.status(201).send(await app.thirdParties.createChannel(req.actor, req.body)));
  r.get('/api/v1/shares/channels', { schema: { tags, summary: '提供通道 / Sharing channels', querystring: z.strictObject({ third_party_id: IdParam.optional() }) } }, async (req) => app.thirdParties.listChannels(req.actor, req.query));
  r.patch('/api/v1/shares/channels/:id', { schema: { tags, summary: '启用或停用通道 / Enable or disable a channel', params, body: z.strictObject({ state: z.enum(['active', 'disabled']) }) } }, async (req) => app.thirdParties.setChannelState(req.actor, req.params.id, req.body.state));
  r.post('/api/v1/shares', { schema: { tags, summary: '经登记通道向第三方提供（检查、最小化、加密、逐人记录） / Share through a channel', body: ShareBody } }, async (req, reply) => reply.status(201).send(await app.shares.create(req.actor, req.body)));
  r.get('/api/v1/shares', { schema: { tags, summary: '提供记录 / Shares made', querystring: z.strictObject({ third_party_id: IdParam.optional(), channel: IdParam.optional(), purpose: Name.optional(), ...Page, ...Sorting(SHARE_SORT.columns) }) } }, async (req) => app.shares.list(req.actor, req.query));
  r.get('/api/v1/shares/:id', { schema: { tags, summary: '查看提供记录（逐条） / Get a share with its records', params } }, async (req) => app.shares.get(req.actor, req.params.id));
  r.get('/api/v1/subjects/:id/shares', { schema: { tags, summary: '某个人的信息被提供给了谁 / To whom a subject\'s data went', params } }, async (req) => app.shares.forSubject(req.actor, req.params.id));
}
