/**
 * Enterprise deregistration (issue 11): /api/v1/tenants/{id}/deregistration and its steps. The tenant in
 * the path must be the caller's own (another tenant is "not found"). Destruction certificates and the
 * installation's signing keys are public (no customer PI) under /certificates, outside /api.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Custodian } from '../../app.js';
import { IdParam, Name } from './schemas.js';

const Text = (max: number) => z.string().trim().min(1).max(max);
const ArchiveSpec = z.strictObject({ collection: Name, fields: z.array(Name).min(1).max(200).optional(), legal_basis: Text(500), keep_years: z.number().int().min(1).max(100).optional() });
const RequestBody = z.strictObject({
  reason: Text(2000),
  archive: z.array(ArchiveSpec).max(100).optional(),
  witness: z.strictObject({ name: Text(100), organisation: z.string().max(200).optional(), role: z.string().max(100).optional() }).optional(),
});
const NoticeBody = z.strictObject({
  channel: z.enum(['announcement', 'email', 'sms', 'letter', 'app', 'other']), published_at: z.iso.datetime(), summary: Text(4000),
  url: z.url().max(2000).optional(), recipients: z.number().int().min(0).optional(),
});
const ExecuteBody = z.strictObject({
  confirm_tenant_name: Text(200), archive_passphrase: z.string().min(12).max(1024).optional(),
  backups: z.array(z.strictObject({ file: z.string().min(1).max(4096), passphrase: z.string().min(1).max(1024).optional() })).max(50).optional(),
});

export function tenantRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  /** The local `custodian` command (control token, loopback) is the installation's operator: it may act for any tenant. */
  const as = (req: FastifyRequest & { params: { id: string } }) => (req.actor.type === 'cli' ? { ...req.actor, tenantId: req.params.id } : req.actor);
  const tags = ['deregistration'];
  const params = z.strictObject({ id: IdParam });
  const base = '/api/v1/tenants/:id/deregistration';
  r.post(base, { schema: { tags, summary: '申请企业注销 / Request deregistration of the enterprise', params, body: RequestBody } }, async (req, reply) => reply.status(201).send(await app.deregistration.request(as(req), req.params.id, req.body)));
  r.get(base, { schema: { tags, summary: '注销进度 / Deregistration status', params } }, async (req) => app.deregistration.get(as(req), req.params.id));
  r.post(`${base}/approve`, { schema: { tags, summary: '审批（第二人，监督人）并冻结处理 / Approve (second person) and freeze processing', params, body: z.strictObject({ note: z.string().max(2000).optional() }) } }, async (req) => app.deregistration.approve(as(req), req.params.id, req.body));
  r.post(`${base}/notice`, { schema: { tags, summary: '记录对客户的通知 / Record the notice to customers', params, body: NoticeBody } }, async (req) => app.deregistration.recordNotice(as(req), req.params.id, req.body));
  r.post(`${base}/cancel`, { schema: { tags, summary: '撤销注销申请并解冻 / Cancel and unfreeze', params, body: z.strictObject({ reason: Text(2000) }) } }, async (req) => app.deregistration.cancel(as(req), req.params.id, req.body));
  r.post(`${base}/execute`, { schema: { tags, summary: '执行销毁并签发销毁证明 / Destroy and issue the destruction certificate', params, body: ExecuteBody } }, async (req) => app.deregistration.execute(as(req), req.params.id, req.body));
}

/** Public: the installation's certificate-signing keys and certificates by id (no authentication). */
export function certificateRoutes(f: FastifyInstance, app: Custodian, renderPdf?: (cert: Record<string, unknown>) => Promise<Buffer>) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  const tags = ['certificates'];
  r.get('/certificates/keys', { schema: { tags, summary: '安装实例签名公钥（用于离线校验销毁证明） / Installation signing keys for offline verification' } }, async () => ({ keys: (await app.installationKeys.publicKeys()).filter((k) => !k.retired_at) }));
  r.get('/certificates/:id', { schema: { tags, summary: '销毁证明（JSON 或 PDF） / A destruction certificate (JSON or PDF)', params: z.strictObject({ id: IdParam }), querystring: z.strictObject({ format: z.enum(['json', 'pdf']).optional() }) } }, async (req, reply) => {
    const cert = await app.deregistration.certificate(req.params.id);
    if (req.query.format === 'pdf' && renderPdf) {
      const pdf = await renderPdf(cert);
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="${req.params.id}.pdf"`).send(pdf);
    }
    return reply.header('content-disposition', `attachment; filename="${req.params.id}.json"`).send(cert);
  });
}
