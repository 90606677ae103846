import { pino, type Logger } from 'pino';

/**
 * Logs never hold PI or secrets: known sensitive keys are censored wherever they appear, request
 * bodies and query strings are never logged, and values shaped like PI are masked by the serializer.
 */
export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]',
  '*.password', '*.passphrase', '*.api_key', '*.apiKey', '*.secret', '*.token', '*.fields', '*.value', '*.values', '*.totp', '*.code',
  'password', 'passphrase', 'api_key', 'secret', 'token', 'fields', 'value', 'values',
];

const PI_SHAPES: RegExp[] = [
  /\b\d{17}[\dXx]\b/g, // resident ID
  /(?<!\d)1[3-9]\d{9}(?!\d)/g, // mobile
  /\b\d{12,19}\b/g, // card numbers
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, // email
];
/** Replace anything shaped like PI in a free-text string (error messages, URLs) with [redacted]. */
export function scrubText(s: string): string {
  let out = s;
  for (const re of PI_SHAPES) out = out.replace(re, '[redacted]');
  return out;
}

export function createLogger(opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: {
        req: (req: { method?: string; url?: string; id?: string }) => ({ id: req.id, method: req.method, url: scrubText((req.url ?? '').split('?')[0]) }),
        err: (err: Error & { code?: string }) => ({ type: err.name, code: err.code, message: scrubText(err.message ?? ''), stack: err.stack ? scrubText(err.stack) : undefined }),
      },
    },
    opts.destination as never,
  );
}
export type { Logger };
