/**
 * Append-only audit log (design decision 6): every access and change writes its event inside the
 * caller's transaction; events form a per-tenant hash chain; checkpoints are signed (Ed25519 or SM2).
 * Events never hold PI values: field names, ids, purposes and decisions only.
 */
import { sql } from 'kysely';
import type { Tx } from '../db/connection.js';
import { newId } from '../core/ids.js';
import { verifyData, signData } from '../crypto/signing.js';
import { eventHash, GENESIS, type ChainedEvent } from './audit-chain.js';

export interface Actor { type: 'api_key' | 'staff' | 'system' | 'subject' | 'cli'; id: string; tenantId: string; roles: string[]; clientIp?: string; requestId?: string }

export interface AuditInput {
  action: string;
  decision: 'allow' | 'deny';
  purpose?: string | null;
  subjectId?: string | null;
  collection?: string | null;
  recordId?: string | null;
  fields?: string[] | null;
  reason?: string | null;
  details?: Record<string, unknown> | null;
}

export interface VerifyResult { ok: boolean; events: number; checkpoints: number; brokenAt?: number; problem?: string }

export interface SigningDeps {
  hashName(tx: Tx, tenantId: string): Promise<'sha256' | 'sm3'>;
  signingKey(tx: Tx, tenantId: string): Promise<{ id: string; algorithm: string; privateKeyPem: string }>;
}

export interface AuditQuery { tenantId: string; subjectId?: string; actorId?: string; purpose?: string; action?: string; from?: Date; to?: Date; afterSeq?: number; limit?: number }

export function createAuditService(deps: SigningDeps) {
  /** Append events for one actor in this transaction (the head row lock orders the chain). */
  async function record(tx: Tx, actor: Actor, inputs: AuditInput[]): Promise<void> {
    if (inputs.length === 0) return;
    const hashName = await deps.hashName(tx, actor.tenantId);
    const n = inputs.length;
    // One statement takes the chain's head (row lock) and reserves n sequence numbers.
    let head = (await sql<{ seq: number; hash: Buffer }>`update audit_heads set seq = seq + ${n} where tenant_id = ${actor.tenantId} returning seq - ${n} as seq, hash`.execute(tx)).rows[0];
    if (!head) {
      await sql`insert into audit_heads (tenant_id, seq, hash) values (${actor.tenantId}, 0, ${GENESIS}) on conflict do nothing`.execute(tx);
      head = (await sql<{ seq: number; hash: Buffer }>`update audit_heads set seq = seq + ${n} where tenant_id = ${actor.tenantId} returning seq - ${n} as seq, hash`.execute(tx)).rows[0];
    }
    let prev: Buffer = Buffer.isBuffer(head.hash) ? head.hash : Buffer.from(head.hash);
    let seq = Number(head.seq);
    const at = new Date();
    const rows = inputs.map((i) => {
      seq += 1;
      const e: ChainedEvent = {
        seq, id: newId('evt'), at, actor_type: actor.type, actor_id: actor.id, action: i.action, decision: i.decision,
        purpose: i.purpose ?? null, subject_id: i.subjectId ?? null, collection: i.collection ?? null, record_id: i.recordId ?? null,
        fields: i.fields ?? null, reason: i.reason ?? null, client_ip: actor.clientIp ?? null, request_id: actor.requestId ?? null, details: i.details ?? null,
      };
      const hash = eventHash(hashName, prev, e);
      const row = { ...e, tenant_id: actor.tenantId, fields: e.fields ? JSON.stringify(e.fields) : null, details: e.details ? JSON.stringify(e.details) : null, prev_hash: prev, hash };
      prev = hash;
      return row;
    });
    // The events and the head's new hash are written by one statement.
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000);
      const last = i + 1000 >= rows.length;
      const insert = tx.insertInto('audit_events').values(chunk);
      if (last) await sql`with ins as (${insert}) update audit_heads set hash = ${prev} where tenant_id = ${actor.tenantId}`.execute(tx);
      else await insert.execute();
    }
  }

  /** Sign the current head of the chain. */
  async function checkpoint(tx: Tx, tenantId: string): Promise<{ seq: number } | null> {
    const head = await tx.selectFrom('audit_heads').select(['seq', 'hash']).where('tenant_id', '=', tenantId).executeTakeFirst();
    if (!head || head.seq === 0) return null;
    const key = await deps.signingKey(tx, tenantId);
    const signature = signData(key.algorithm, key.privateKeyPem, checkpointMessage(tenantId, head.seq, head.hash));
    await sql`insert into audit_checkpoints (tenant_id, seq, hash, signature, key_id) values (${tenantId}, ${head.seq}, ${head.hash}, ${signature}, ${key.id}) on conflict do nothing`.execute(tx);
    return { seq: head.seq };
  }

  /** Recompute the chain from the start; report the first event that does not fit. */
  async function verify(tx: Tx, tenantId: string): Promise<VerifyResult> {
    const hashName = await deps.hashName(tx, tenantId);
    let prev: Buffer = GENESIS;
    let expected = 1;
    let count = 0;
    const hashes = new Map<number, Buffer>();
    const checkpoints = await tx.selectFrom('audit_checkpoints as c').innerJoin('signing_keys as k', (j) => j.onRef('k.tenant_id', '=', 'c.tenant_id').onRef('k.id', '=', 'c.key_id'))
      .select(['c.seq', 'c.hash', 'c.signature', 'k.algorithm', 'k.public_key']).where('c.tenant_id', '=', tenantId).execute();
    const wanted = new Set(checkpoints.map((c) => c.seq));
    for (;;) {
      const rows = await tx.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId).where('seq', '>=', expected).orderBy('seq').limit(20_000).execute();
      if (rows.length === 0) break;
      for (const r of rows) {
        if (r.seq !== expected) return { ok: false, events: count, checkpoints: checkpoints.length, brokenAt: expected, problem: `event ${expected} is missing` };
        if (!r.prev_hash.equals(prev)) return { ok: false, events: count, checkpoints: checkpoints.length, brokenAt: r.seq, problem: `event ${r.seq} does not link to the event before it` };
        const e = { ...r, fields: r.fields as string[] | null, details: r.details as Record<string, unknown> | null };
        const h = eventHash(hashName, prev, e);
        if (!h.equals(r.hash)) return { ok: false, events: count, checkpoints: checkpoints.length, brokenAt: r.seq, problem: `event ${r.seq} was modified` };
        if (wanted.has(r.seq)) hashes.set(r.seq, h);
        prev = h;
        expected += 1;
        count += 1;
      }
    }
    const head = await tx.selectFrom('audit_heads').select(['seq', 'hash']).where('tenant_id', '=', tenantId).executeTakeFirst();
    if (head && (head.seq !== count || !head.hash.equals(prev))) {
      return { ok: false, events: count, checkpoints: checkpoints.length, brokenAt: count + 1, problem: `the chain ends at event ${count} but its head says ${head.seq}: events were removed from the end` };
    }
    for (const c of checkpoints) {
      const h = hashes.get(c.seq);
      if (!h || !h.equals(c.hash)) return { ok: false, events: count, checkpoints: checkpoints.length, brokenAt: c.seq, problem: `signed checkpoint at event ${c.seq} does not match the chain` };
      if (!verifyData(c.algorithm, c.public_key, checkpointMessage(tenantId, c.seq, c.hash), c.signature)) {
        return { ok: false, events: count, checkpoints: checkpoints.length, brokenAt: c.seq, problem: `checkpoint signature at event ${c.seq} is invalid` };
      }
    }
    return { ok: true, events: count, checkpoints: checkpoints.length };
  }

  async function query(tx: Tx, q: AuditQuery) {
    let s = tx.selectFrom('audit_events').select(['seq', 'id', 'at', 'actor_type', 'actor_id', 'action', 'decision', 'purpose', 'subject_id', 'collection', 'record_id', 'fields', 'reason', 'client_ip', 'request_id', 'details'])
      .where('tenant_id', '=', q.tenantId);
    if (q.subjectId) s = s.where('subject_id', '=', q.subjectId);
    if (q.actorId) s = s.where('actor_id', '=', q.actorId);
    if (q.purpose) s = s.where('purpose', '=', q.purpose);
    if (q.action) s = s.where('action', '=', q.action);
    if (q.from) s = s.where('at', '>=', q.from);
    if (q.to) s = s.where('at', '<', q.to);
    if (q.afterSeq) s = s.where('seq', '>', q.afterSeq);
    return s.orderBy('seq').limit(Math.min(q.limit ?? 100, 1000)).execute();
  }

  return { record, checkpoint, verify, query };
}

function checkpointMessage(tenantId: string, seq: number, hash: Buffer): Buffer {
  return Buffer.from(`custodian-audit-checkpoint/v1|${tenantId}|${seq}|${hash.toString('hex')}`);
}

export type AuditService = ReturnType<typeof createAuditService>;
