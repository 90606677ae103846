import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Custodian } from '../../app.js';

export function backupRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  r.get('/api/v1/drills', { schema: { tags: ['backup'], summary: '备份恢复演练记录（审计证据） / Backup restore drills (audit evidence)', querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).optional() }) } }, async (req) => ({ drills: await app.backup.listDrills(req.actor, req.query.limit) }));
  r.get('/api/v1/jobs', { schema: { tags: ['jobs'], summary: '后台作业 / Durable jobs', querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).optional() }) } }, async (req) => {
    await app.db.transaction((tx) => app.access.requirePermission(tx, req.actor, 'backup.manage'));
    return { jobs: await app.jobs.list(req.actor.tenantId, req.query.limit) };
  });
}
