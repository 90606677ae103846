import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Custodian } from '../../app.js';
import { forbidden } from '../../core/errors.js';

const FileBody = (key: 'out' | 'from') => z.strictObject({ [key]: z.string().min(1).max(4096), passphrase: z.string().min(1).max(1024).optional() });

export function backupRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  const tags = ['backup'];
  /** Paths on the server's disk: only the local `custodian` command (control token, loopback) may name them. */
  const localOnly = async (req: FastifyRequest) => {
    if (req.actor.type !== 'cli') throw forbidden('backup.local_only', '只有本机的 custodian 命令可以操作备份文件', 'Only the local custodian command may act on backup files');
    await app.db.transaction((tx) => app.access.requirePermission(tx, req.actor, 'backup.manage'));
  };
  r.post('/api/v1/backups', { schema: { tags, summary: '写备份（仅本机命令） / Write a backup (local command only)', body: FileBody('out') } }, async (req, reply) => {
    await localOnly(req);
    const b = req.body as { out: string; passphrase?: string };
    return reply.status(201).send(await app.backup.create({ out: b.out, passphrase: b.passphrase }));
  });
  r.post('/api/v1/backups/verify', { schema: { tags, summary: '恢复演练（仅本机命令） / Restore drill (local command only)', body: FileBody('from') } }, async (req) => {
    await localOnly(req);
    const b = req.body as { from: string; passphrase?: string };
    return app.backup.drill({ from: b.from, passphrase: b.passphrase });
  });
  r.post('/api/v1/backups/restore', { schema: { tags, summary: '从备份恢复并重放删除台账（仅本机命令） / Restore and replay the erasure ledger (local command only)', body: FileBody('from') } }, async (req) => {
    await localOnly(req);
    const b = req.body as { from: string; passphrase?: string };
    return app.backup.restore({ from: b.from, passphrase: b.passphrase });
  });
  // ADR 0013: the key store (tenant backup keys and erasure ledger) lives outside backups; its export is a file on the server's disk.
  r.post('/api/v1/keys/store/export', { schema: { tags: ['keys'], summary: '导出密钥库（租户备份密钥与删除台账，仅本机命令） / Export the key store (local command only)', body: z.strictObject({ out: z.string().min(1).max(4096) }) } }, async (req) => {
    await localOnly(req);
    return app.backup.exportKeyStore({ out: (req.body as { out: string }).out });
  });
  r.post('/api/v1/keys/store/import', { schema: { tags: ['keys'], summary: '导入密钥库导出（仅本机命令） / Import a key store export (local command only)', body: z.strictObject({ from: z.string().min(1).max(4096) }) } }, async (req) => {
    await localOnly(req);
    return app.backup.importKeyStore({ from: (req.body as { from: string }).from });
  });
  r.post('/api/v1/keys/backup-rotate', { schema: { tags: ['keys'], summary: '轮换租户备份密钥（仅本机命令） / Rotate tenant backup keys (local command only)', body: z.strictObject({ tenant: z.string().min(1).max(64).optional(), destroy_older: z.boolean().optional() }) } }, async (req) => {
    await localOnly(req);
    const b = req.body as { tenant?: string; destroy_older?: boolean };
    return app.backup.rotateBackupKeys({ tenant: b.tenant, destroyOlder: b.destroy_older });
  });
  r.get('/api/v1/drills', { schema: { tags, summary: '备份恢复演练记录（审计证据） / Backup restore drills (audit evidence)', querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).optional() }) } }, async (req) => ({ drills: await app.backup.listDrills(req.actor, req.query.limit) }));
  r.get('/api/v1/jobs', { schema: { tags: ['jobs'], summary: '后台作业 / Durable jobs', querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).optional() }) } }, async (req) => {
    await app.db.transaction((tx) => app.access.requirePermission(tx, req.actor, 'backup.manage'));
    return { jobs: await app.jobs.list(req.actor.tenantId, req.query.limit) };
  });
}
