/** A minimal SMTP server on loopback (RFC 5321 happy path, no TLS, no auth) that keeps what it receives. */
import { createServer, type Server } from 'node:net';

export interface SmtpSink { url: string; messages: Array<{ from: string; to: string[]; data: string }>; close(): Promise<void> }

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SmtpSink['messages'] = [];
  const server: Server = createServer((sock) => {
    sock.setEncoding('utf8');
    let buf = '', inData = false, data = '', from = '', to: string[] = [];
    const say = (s: string) => sock.write(`${s}\r\n`);
    say('220 sink ESMTP');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === '.') { inData = false; messages.push({ from, to, data }); data = ''; to = []; say('250 queued'); } else data += `${line.startsWith('..') ? line.slice(1) : line}\n`;
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO' || cmd === 'HELO') say('250 sink');
        else if (cmd === 'MAIL') { from = line.slice(10); say('250 ok'); }
        else if (cmd === 'RCPT') { to.push(line.slice(8)); say('250 ok'); }
        else if (cmd === 'DATA') { inData = true; say('354 go on'); }
        else if (cmd === 'QUIT') { say('221 bye'); sock.end(); }
        else if (cmd === 'RSET' || cmd === 'NOOP') say('250 ok');
        else say('502 not implemented');
      }
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `smtp://127.0.0.1:${port}`, messages, close: () => new Promise<void>((r) => server.close(() => r())) };
}
