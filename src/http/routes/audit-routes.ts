import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Custodian } from '../../app.js';
import { AuditQuery } from './schemas.js';

export function auditRoutes(f: FastifyInstance, app: Custodian) {
  const r = f.withTypeProvider<ZodTypeProvider>();
  const tags = ['audit'];
  r.get('/api/v1/audit/events', { schema: { tags, summary: '查询审计日志（不含个人信息值） / Query the audit log (no PI values)', querystring: AuditQuery } }, async (req) => {
    const q = req.query;
    const events = await app.db.transaction(async (tx) => {
      await app.access.requirePermission(tx, req.actor, 'audit.read');
      return app.audit.query(tx, { tenantId: req.actor.tenantId, subjectId: q.subject_id, actorId: q.actor_id, purpose: q.purpose, action: q.action, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined, afterSeq: q.after_seq, beforeSeq: q.before_seq, order: q.order, decision: q.decision, limit: q.limit });
    });
    const last = events.length ? events[events.length - 1].seq : null;
    return q.order === 'desc' ? { events, next_before_seq: last } : { events, next_after_seq: last };
  });
  r.get('/api/v1/audit/verify', { schema: { tags, summary: '校验审计哈希链与签名检查点 / Verify the hash chain and signed checkpoints' } }, async (req) => {
    return app.db.transaction(async (tx) => {
      await app.access.requirePermission(tx, req.actor, 'audit.read');
      await app.audit.checkpoint(tx, req.actor.tenantId);
      return app.audit.verify(tx, req.actor.tenantId);
    });
  });
}
