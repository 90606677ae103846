import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Custodian } from '../../app.js';
import { LEGAL_BASES } from '../../access/index.js';
import { EXEMPTION_GROUNDS, ROUTES, TRANSFER_MODES, TRANSFER_SORT } from '../../transfers/index.js';
import { Day, IdParam, Name, Sorting } from './schemas.js';

const Country = z.string().regex(/^[A-Z]{2}$/, 'is an ISO 3166-1 alpha-2 code such as US, DE, SG');
const Count = z.number().int().min(0).max(2_000_000_000);
const TransferBody = z.strictObject({
  transfer_date: Day.optional(), destination_country: Country.refine((c) => c !== 'CN', 'is the destination abroad (not CN)'), recipient: z.string().min(1).max(200), mode: z.enum(TRANSFER_MODES).optional(), third_party_id: IdParam.optional(),
  purpose: z.string().min(1).max(500), pi_types: z.array(z.string().min(1).max(100)).min(1).max(100), non_sensitive: Count, sensitive: Count,
  route: z.enum(ROUTES), route_ref: z.string().max(200).optional(), filing_date: Day.optional(), contract_effective_date: Day.optional(), exemption_ground: z.enum(EXEMPTION_GROUNDS).optional(),
  legal_basis: z.enum(LEGAL_BASES), consent_purpose: Name.optional(), assessment_id: IdParam,
});
const Rules = z.strictObject({ ciio: z.boolean().optional(), alert_ratio: z.number().min(0.1).max(0.99).optional(), thresholds: z.strictObject({ non_sensitive_contract: Count, non_sensitive_assessment: Count, sensitive_assessment: Count }).optional() });

export function transferRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  const tags = ['cross-border transfers'];
  r.post('/api/v1/transfers', { schema: { tags, summary: '登记数据出境（路径不满足时阻止） / Record a transfer abroad (blocked without its route)', body: TransferBody } }, async (req, reply) => reply.status(201).send(await app.transfers.create(req.actor, req.body)));
  r.get('/api/v1/transfers', { schema: { tags, summary: '出境记录 / Transfers', querystring: z.strictObject({ year: z.coerce.number().int().min(2000).max(2200).optional(), destination_country: Country.optional(), third_party_id: IdParam.optional(), route: z.enum(ROUTES).optional(), limit: z.coerce.number().int().min(1).max(200).optional(), offset: z.coerce.number().int().min(0).optional(), ...Sorting(TRANSFER_SORT.columns) }) } }, async (req) => app.transfers.list(req.actor, req.query));
  r.post('/api/v1/transfers/check', { schema: { tags, summary: '预检：本次出境需要的路径 / Which route would this transfer need', body: z.strictObject({ non_sensitive: Count, sensitive: Count, transfer_date: Day.optional() }) } }, async (req) => app.transfers.check(req.actor, req.body));
  r.get('/api/v1/transfers/volume', { schema: { tags, summary: '当年累计出境人数与所需路径 / Volume since 1 January', querystring: z.strictObject({ year: z.coerce.number().int().min(2000).max(2200).optional() }) } }, async (req) => app.transfers.volume(req.actor, req.query.year));
  r.put('/api/v1/transfers/rules', { schema: { tags, summary: '出境规则设置（关键信息基础设施运营者、预警比例） / Transfer settings', body: Rules } }, async (req) => app.transfers.setRules(req.actor, req.body));
  r.get('/api/v1/transfers/:id', { schema: { tags, summary: '查看出境记录 / Get a transfer', params: z.strictObject({ id: IdParam }) } }, async (req) => app.transfers.get(req.actor, req.params.id));
}
