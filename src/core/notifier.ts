/**
 * Delivery of messages to individuals (incident notices, portal sign-in codes). `Notifier` is the adapter
 * interface an SMS or email gateway implements. Built in: a file outbox, one JSON line per message in
 * `<dir>/<channel>/<YYYY-MM-DD>.jsonl` (mode 0600), for a gateway or mail relay to pick up; and SMTP
 * (nodemailer) for email when CUSTODIAN_SMTP_URL is set. The outbox holds the recipient's address and the
 * message text, so it lives in the data folder with the store.
 */
import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHmac, randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';

export type Channel = 'sms' | 'email';
export interface OutboundMessage { channel: Channel; to: string; subject: string; body: string; language: string; reference: string }
export interface Notifier {
  /** A short name shown with each delivery (e.g. `outbox`). */
  readonly name: string;
  send(msg: OutboundMessage): Promise<{ messageRef: string }>;
}
export interface OutboxLine { id: string; at: string; channel: Channel; to: string; subject: string; body: string; language: string; reference: string }

export function createOutboxNotifier(dir: string): Notifier {
  return {
    name: 'outbox',
    async send(msg) {
      const day = new Date().toISOString().slice(0, 10);
      const folder = join(dir, msg.channel);
      await mkdir(folder, { recursive: true, mode: 0o700 });
      const id = `msg_${randomUUID().replace(/-/g, '')}`;
      const line = JSON.stringify({ id, at: new Date().toISOString(), channel: msg.channel, to: msg.to, subject: msg.subject, body: msg.body, language: msg.language, reference: msg.reference });
      await appendFile(join(folder, `${day}.jsonl`), `${line}\n`, { mode: 0o600 });
      return { messageRef: `outbox:${msg.channel}/${day}.jsonl#${id}` };
    },
  };
}

/** The newest outbox messages (all channels), newest first; for the console's outbox view (callers mask them). */
export async function readOutbox(dir: string, limit: number): Promise<OutboxLine[]> {
  const out: OutboxLine[] = [];
  for (const channel of ['sms', 'email'] as const) {
    let files: string[] = [];
    try { files = (await readdir(join(dir, channel))).filter((f) => f.endsWith('.jsonl')).sort().reverse().slice(0, 7); } catch { continue; }
    for (const f of files) {
      const lines = (await readFile(join(dir, channel, f), 'utf8')).split('\n').filter(Boolean);
      for (const l of lines) { try { out.push(JSON.parse(l) as OutboxLine); } catch { /* a torn line */ } }
    }
  }
  return out.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, limit);
}

/** Email through an SMTP server (`smtp://user:pass@host:587` or `smtps://…`), From as configured. */
export function createSmtpNotifier(url: string, from: string): Notifier {
  const transport = nodemailer.createTransport(url);
  return {
    name: 'smtp',
    async send(msg) {
      if (msg.channel !== 'email') throw new Error('the SMTP adapter only sends email');
      const info = await transport.sendMail({ from, to: msg.to, subject: msg.subject, text: msg.body, headers: { 'Content-Language': msg.language } });
      return { messageRef: `smtp:${String(info.messageId ?? '')}` };
    },
  };
}

/**
 * SMS (or email) through an HTTP gateway the operator runs or rents: each message is POSTed as JSON
 * `{ id, channel, to, subject, text, language, reference }` with `X-Custodian-Timestamp` and
 * `X-Custodian-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" under the shared secret>`, so the gateway
 * can refuse forged or replayed calls. A 2xx answer is delivery to the gateway (its JSON `id`, if any, becomes the
 * message reference); anything else, or no answer within 10 s, is a failed send that the caller retries.
 */
export function createWebhookNotifier(url: string, secret: string, channel: Channel = 'sms'): Notifier {
  return {
    name: `${channel}-webhook`,
    async send(msg) {
      if (msg.channel !== channel) throw new Error(`this webhook adapter sends ${channel} only`);
      const id = `msg_${randomUUID().replace(/-/g, '')}`;
      const body = JSON.stringify({ id, channel: msg.channel, to: msg.to, subject: msg.subject, text: msg.body, language: msg.language, reference: msg.reference });
      const ts = String(Math.floor(Date.now() / 1000));
      const sig = createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-custodian-timestamp': ts, 'x-custodian-signature': `sha256=${sig}` }, body, signal: AbortSignal.timeout(10_000), redirect: 'error' });
      } catch (e) {
        // The gateway's address only, never the recipient or the text.
        throw new Error(`${channel} gateway unreachable at ${new URL(url).host}: ${(e as Error).name === 'TimeoutError' ? 'no answer in 10 s' : (e as Error).message}`);
      }
      const text = await res.text();
      if (!res.ok) throw new Error(`${channel} gateway refused the message: HTTP ${res.status}`);
      let ref = id;
      try { const j = JSON.parse(text) as { id?: unknown }; if (typeof j.id === 'string' && j.id.length <= 200) ref = j.id; } catch { /* not JSON: keep our id */ }
      return { messageRef: `${channel}-webhook:${ref}` };
    },
  };
}

/** One adapter per channel; a channel without its own adapter uses the fallback (the outbox). */
export function createChannelNotifier(byChannel: Partial<Record<Channel, Notifier>>, fallback: Notifier): Notifier {
  return {
    name: [...new Set([...Object.values(byChannel).map((n) => n.name), fallback.name])].join('+'),
    async send(msg) { return (byChannel[msg.channel] ?? fallback).send(msg); },
  };
}
