/**
 * Delivery of notices to individuals. `Notifier` is the adapter interface an SMS or email gateway
 * implements; the built-in one is a file outbox: one JSON line per message in
 * `<dir>/<channel>/<YYYY-MM-DD>.jsonl` (mode 0600), for a gateway or mail relay to pick up. The outbox
 * holds the recipient's address, so it lives in the data folder with the store.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Channel } from './incident-types.js';

export interface OutboundMessage { channel: Channel; to: string; subject: string; body: string; language: string; reference: string }
export interface Notifier {
  /** A short name shown with each delivery (e.g. `outbox`). */
  readonly name: string;
  send(msg: OutboundMessage): Promise<{ messageRef: string }>;
}

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
