/**
 * Pushes alert and incident changes to a SIEM: a webhook (JSON POST signed with HMAC-SHA256), syslog
 * (RFC 5424 over UDP or TCP) or NATS (a subject). Events are written to `incident_pushes` in the
 * transaction of the change (one row per enabled sink) and delivered by a job, at least once, with
 * retries; they hold ids, names and counts only, never PI.
 */
import { createHmac } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect as tcpConnect } from 'node:net';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { Db, Tx } from '../db/connection.js';
import { newId } from '../core/ids.js';
import { invalidField } from '../core/errors.js';
import type { SinkKind } from './incident-types.js';

export interface PushEvent { type: string; tenant: string; at: string; [k: string]: unknown }

export interface SecretBox {
  seal(tx: Tx, tenantId: string, secret: Buffer, aad: string): Promise<Buffer>;
  open(tx: Tx, tenantId: string, sealed: Buffer, aad: string): Promise<Buffer>;
}

/** Record an event for every enabled sink of the tenant (inside the caller's transaction). */
export async function publish(tx: Tx, tenantId: string, events: Array<Omit<PushEvent, 'tenant' | 'at'> & { at?: string }>): Promise<void> {
  if (events.length === 0) return;
  const sinks = await tx.selectFrom('incident_sinks').select('id').where('tenant_id', '=', tenantId).where('enabled', '=', true).execute();
  if (sinks.length === 0) return;
  const now = new Date();
  const rows = sinks.flatMap((s) => events.map((e) => ({
    tenant_id: tenantId, id: newId('psh'), sink_id: s.id, event: JSON.stringify({ ...e, tenant: tenantId, at: e.at ?? now.toISOString() }), next_attempt_at: now, created_at: now,
  })));
  for (let i = 0; i < rows.length; i += 500) await tx.insertInto('incident_pushes').values(rows.slice(i, i + 500)).execute();
}

/** Check a sink target: https?:// URL, syslog udp://host:port or tcp://host:port, nats://host:port/subject. */
export function parseTarget(kind: SinkKind, target: string): URL {
  let u: URL;
  try { u = new URL(target); } catch { throw invalidField('target', '不是有效的地址', 'is not a valid URL'); }
  const ok = kind === 'webhook' ? ['http:', 'https:'].includes(u.protocol)
    : kind === 'syslog' ? ['udp:', 'tcp:'].includes(u.protocol) && Boolean(u.port)
      : u.protocol === 'nats:' && u.pathname.length > 1;
  if (!ok) {
    const shape = { webhook: 'http(s)://host/path', syslog: 'udp://host:514 or tcp://host:514', nats: 'nats://host:4222/subject' }[kind];
    throw invalidField('target', `格式应为 ${shape}`, `must look like ${shape}`);
  }
  if (u.username || u.password) throw invalidField('target', '不能在地址中包含凭据（webhook 使用签名密钥）', 'must not carry credentials (webhooks are signed with the sink secret)');
  return u;
}

/** RFC 5424 line: facility security/authorization (10, "authpriv"), severity from the event. */
export function syslogLine(e: PushEvent, sev: number): string {
  const pri = 10 * 8 + sev;
  const msg = JSON.stringify(e);
  return `<${pri}>1 ${e.at} ${hostname() || '-'} custodian - ${e.type} - ${msg}`;
}

function severityOf(e: PushEvent): number {
  const s = (e.severity ?? e.grade) as string | undefined;
  if (s === 'high' || s === 'serious' || s === 'especially_serious') return 2;
  if (s === 'medium' || s === 'major') return 4;
  return 5;
}

async function sendUdp(u: URL, line: string): Promise<void> {
  const sock = createSocket(u.hostname.includes(':') ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((res, rej) => sock.send(Buffer.from(line), Number(u.port), u.hostname.replace(/^\[|\]$/g, ''), (err) => (err ? rej(err) : res())));
  } finally { sock.close(); }
}

async function sendTcp(u: URL, lines: string[]): Promise<void> {
  await new Promise<void>((res, rej) => {
    const s = tcpConnect({ host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) }, () => {
      // RFC 6587 octet counting.
      s.end(lines.map((l) => `${Buffer.byteLength(l)} ${l}`).join(''), () => res());
    });
    s.setTimeout(10_000, () => { s.destroy(new Error('syslog connection timed out')); });
    s.on('error', rej);
  });
}

async function sendNats(u: URL, events: PushEvent[]): Promise<void> {
  const { connect, StringCodec } = await import('nats');
  const nc = await connect({ servers: `${u.hostname}:${u.port || 4222}`, timeout: 5000, reconnect: false });
  try {
    const sc = StringCodec();
    const subject = decodeURIComponent(u.pathname.slice(1));
    for (const e of events) nc.publish(subject, sc.encode(JSON.stringify(e)));
    await nc.flush();
  } finally { await nc.close(); }
}

async function sendWebhook(u: URL, events: PushEvent[], secret: Buffer | null): Promise<void> {
  const body = JSON.stringify({ events });
  const ts = Math.floor(Date.now() / 1000).toString();
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'custodian-incidents/1', 'x-custodian-timestamp': ts };
  if (secret) headers['x-custodian-signature'] = `sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`;
  const res = await fetch(u, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000), redirect: 'error' });
  if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}`);
}

const MAX_ATTEMPTS = 8;

/** Deliver due pushes of a tenant, one batch per sink; failed ones retry with backoff. */
export async function deliverPushes(db: Db, box: SecretBox, tenantId: string, now: Date, limit = 500) {
  const sinks = await db.kysely.selectFrom('incident_sinks').selectAll().where('tenant_id', '=', tenantId).execute();
  let sent = 0, failed = 0;
  for (const sink of sinks) {
    const due = await db.kysely.selectFrom('incident_pushes').select(['id', 'event', 'attempts']).where('tenant_id', '=', tenantId).where('sink_id', '=', sink.id)
      .where('state', '=', 'pending').where('next_attempt_at', '<=', now).orderBy('created_at').orderBy('id').limit(limit).execute();
    if (due.length === 0) continue;
    const events = due.map((d) => d.event as unknown as PushEvent);
    try {
      if (!sink.enabled) throw new Error('sink disabled');
      const u = new URL(sink.target);
      const secret = sink.secret_sealed ? await db.transaction((tx) => box.open(tx, tenantId, sink.secret_sealed as Buffer, `sink|${sink.id}`)) : null;
      if (sink.kind === 'webhook') await sendWebhook(u, events, secret);
      else if (sink.kind === 'syslog') {
        const lines = events.map((e) => syslogLine(e, severityOf(e)));
        if (u.protocol === 'udp:') for (const l of lines) await sendUdp(u, l); else await sendTcp(u, lines);
      } else await sendNats(u, events);
      await db.transaction(async (tx) => {
        await tx.updateTable('incident_pushes').set({ state: 'sent', sent_at: now, last_error: null, attempts: sql`attempts + 1` }).where('tenant_id', '=', tenantId).where('id', 'in', due.map((d) => d.id)).execute();
        await tx.updateTable('incident_sinks').set({ last_sent_at: now, last_error: null }).where('tenant_id', '=', tenantId).where('id', '=', sink.id).execute();
      });
      sent += due.length;
    } catch (e) {
      const message = String((e as Error)?.message ?? e).slice(0, 300);
      await db.transaction(async (tx) => {
        for (const d of due) {
          const attempts = d.attempts + 1;
          await tx.updateTable('incident_pushes').set({ attempts, last_error: message, state: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending', next_attempt_at: new Date(now.getTime() + 30_000 * 2 ** Math.min(attempts, 10)) })
            .where('tenant_id', '=', tenantId).where('id', '=', d.id).execute();
        }
        await tx.updateTable('incident_sinks').set({ last_error: message }).where('tenant_id', '=', tenantId).where('id', '=', sink.id).execute();
      });
      failed += due.length;
    }
  }
  return { sent, failed };
}
