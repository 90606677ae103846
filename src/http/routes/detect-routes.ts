import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Custodian } from '../../app.js';
import { DETECT_TYPES } from '../../detect/types.js';
import { DetectInputError } from '../../detect/errors.js';

/** The scanner (its name model and division tables) loads on the first scan, not with the server. */
const detect = () => import('../../detect/index.js');
import { AppError, invalidField } from '../../core/errors.js';

const Source = { text: z.string().max(50_000_000).optional(), filename: z.string().max(255).optional(), content_base64: z.string().max(70_000_000).optional() };
const ScanBody = z.strictObject({ ...Source, types: z.array(z.enum(DETECT_TYPES)).optional(), names: z.boolean().optional() });
const RedactBody = z.strictObject({ ...Source, mode: z.enum(['mask', 'tag', 'pseudonym']).default('mask') });

function input(b: { text?: string; filename?: string; content_base64?: string }): { name: string; data: Buffer } {
  if (b.text !== undefined && b.content_base64 === undefined) return { name: b.filename ?? 'input.txt', data: Buffer.from(b.text, 'utf8') };
  if (b.content_base64 !== undefined && b.text === undefined) {
    if (!b.filename) throw invalidField('filename', '上传文件时必须提供', 'is required with content_base64');
    return { name: b.filename, data: Buffer.from(b.content_base64, 'base64') };
  }
  throw invalidField('text', '请提供 text 或 content_base64 之一', 'give either text or content_base64');
}

function asApp(e: unknown): never {
  if (e instanceof DetectInputError) throw new AppError(e.status ?? 422, e.code, e.zh, e.en);
  throw e;
}

export function detectRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  const tags = ['detect'];
  r.post('/api/v1/scan', { schema: { tags, summary: '发现文本或文件中的个人信息 / Find PI in text or a file', body: ScanBody } }, async (req) => {
    await app.db.transaction((tx) => app.access.requirePermission(tx, req.actor, 'scan.use'));
    const { name, data } = input(req.body);
    const findings = await (await detect()).scanBuffer(name, data, { types: req.body.types, names: req.body.names }).catch(asApp);
    await app.db.transaction((tx) => app.audit.record(tx, req.actor, [{ action: 'detect.scan', decision: 'allow', details: { bytes: data.length, findings: findings.length } }]));
    return { findings };
  });
  r.post('/api/v1/redact', { schema: { tags, summary: '生成去标识化副本 / Write a de-identified copy', body: RedactBody } }, async (req) => {
    await app.db.transaction((tx) => app.access.requirePermission(tx, req.actor, 'scan.use'));
    const { name, data } = input(req.body);
    const key = req.body.mode === 'pseudonym' ? await app.db.transaction(async (tx) => (await app.keys.keyring(tx, req.actor.tenantId)).pseudonymKey()) : undefined;
    const out = await (await detect()).redactBuffer(name, data, { mode: req.body.mode, key }).catch(asApp);
    await app.db.transaction((tx) => app.audit.record(tx, req.actor, [{ action: 'detect.redact', decision: 'allow', details: { bytes: data.length, findings: out.findings.length, mode: req.body.mode } }]));
    return req.body.text !== undefined ? { text: out.data.toString('utf8'), findings: out.findings } : { filename: name, content_base64: out.data.toString('base64'), findings: out.findings };
  });
}
