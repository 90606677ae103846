/** Canonical form and hash of an audit event (pure). jsonb reorders keys, so objects are key-sorted. */
import { createHash } from 'node:crypto';

export interface ChainedEvent {
  seq: number; id: string; at: Date; actor_type: string; actor_id: string; action: string; decision: string;
  purpose: string | null; subject_id: string | null; collection: string | null; record_id: string | null;
  fields: string[] | null; reason: string | null; client_ip: string | null; request_id: string | null;
  details: Record<string, unknown> | null;
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  }
  return v;
}

export function eventHash(hashName: 'sha256' | 'sm3', prev: Buffer, e: ChainedEvent): Buffer {
  const body = JSON.stringify([
    e.seq, e.id, e.at.toISOString(), e.actor_type, e.actor_id, e.action, e.decision, e.purpose, e.subject_id,
    e.collection, e.record_id, e.fields, e.reason, e.client_ip, e.request_id, canonical(e.details),
  ]);
  return createHash(hashName).update(prev).update(body).digest();
}

export const GENESIS = Buffer.alloc(32);
