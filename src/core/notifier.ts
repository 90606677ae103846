/**
 * Delivery of messages to individuals (incident notices, portal sign-in codes). `Notifier` is the adapter
 * interface an SMS or email gateway implements. Built in: a file outbox, one JSON line per message in
 * `<dir>/<channel>/<YYYY-MM-DD>.jsonl` (mode 0600), for a gateway or mail relay to pick up; and SMTP
 * (nodemailer) for email when CUSTODIAN_SMTP_URL is set. The outbox holds the recipient's address and the
 * message text, so it lives in the data folder with the store.
 */
import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
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

/** One adapter per channel; a channel without its own adapter uses the fallback (the outbox). */
export function createChannelNotifier(byChannel: Partial<Record<Channel, Notifier>>, fallback: Notifier): Notifier {
  return {
    name: [...new Set([...Object.values(byChannel).map((n) => n.name), fallback.name])].join('+'),
    async send(msg) { return (byChannel[msg.channel] ?? fallback).send(msg); },
  };
}
