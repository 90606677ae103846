/**
 * One validated configuration, read once at start-up from an optional JSON file
 * (`<data>/custodian.json` or `--config FILE`) and then the environment. A wrong value stops
 * start-up with a one-line reason. Secrets have no defaults.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { z } from 'zod';
import { availableParallelism } from 'node:os';

/** Seal pool threads by default (ADR 0018): one core is left to the event loop (and on one machine, to the database). */
export const defaultSealWorkers = () => Math.min(4, Math.max(0, availableParallelism() - 1));

export const ConfigSchema = z.strictObject({
  dataDir: z.string().min(1),
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://').optional(),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  tlsCert: z.string().optional(),
  tlsKey: z.string().optional(),
  passphrase: z.string().min(12, 'must be at least 12 characters').optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  bodyLimitBytes: z.coerce.number().int().min(1024).max(512 * 1024 * 1024).default(16 * 1024 * 1024),
  maxBatchRecords: z.coerce.number().int().min(1).max(100_000).default(10_000),
  /** Worker threads that seal large batch writes (ADR 0018); 0 seals every write on the event loop. Default: cores - 1, at most 4. */
  sealWorkers: z.coerce.number().int().min(0).max(64).default(defaultSealWorkers),
  requestDeadlineWorkingDays: z.coerce.number().int().min(1).max(90).default(15),
  sessionTtlMinutes: z.coerce.number().int().min(5).max(24 * 60).default(480),
  corsOrigins: z.array(z.string().url()).default([]),
  publicUrl: z.string().url().optional(),
  pgPoolSize: z.coerce.number().int().min(1).max(200).default(10),
  /** The embedded store's buffer cache (PostgreSQL's shared_buffers inside PGlite); reads fall back to the OS page cache. */
  pgliteSharedBuffers: z.string().regex(/^[1-9][0-9]{0,5}(kB|MB|GB)$/, 'must be a size such as 32MB').default('32MB'),
  /** Folder for scheduled daily backups (and weekly drills); none when unset. */
  backupDir: z.string().min(1).optional(),
  backupKeep: z.coerce.number().int().min(1).max(365).default(7),
  /** S3-compatible object storage for `s3://bucket/key` backup locations (also as backupDir). */
  s3Endpoint: z.string().url().regex(/^https?:\/\//, 'must start with http:// or https://').optional(),
  s3Region: z.string().min(1).max(64).default('us-east-1'),
  s3AccessKeyId: z.string().min(1).optional(),
  s3SecretAccessKey: z.string().min(1).optional(),
  /** Customer portal: email through SMTP when set (`smtp://user:pass@host:587`), else the file outbox. */
  smtpUrl: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(),
  smtpFrom: z.string().min(3).default('Custodian <no-reply@localhost>'),
  /** SMS through an HTTP gateway (signed JSON POST, see docs/portal.md) when set, else the file outbox. */
  smsWebhookUrl: z.string().url().regex(/^https?:\/\//, 'must start with https:// (or http:// on a private network)').optional(),
  smsWebhookSecret: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Sign-in codes per contact and per client address within portalCodeWindowMinutes. */
  portalCodesPerContact: z.coerce.number().int().min(1).max(100).default(5),
  portalCodesPerIp: z.coerce.number().int().min(1).max(10_000).default(20),
  portalCodeWindowMinutes: z.coerce.number().int().min(1).max(24 * 60).default(15),
  portalSessionIdleMinutes: z.coerce.number().int().min(5).max(24 * 60).default(30),
  /** How often each server polls the durable job queue (every node polls; each due job runs on one). */
  jobsPollSeconds: z.coerce.number().int().min(1).max(3600).default(30),
});
export type Config = z.infer<typeof ConfigSchema>;

const ENV_MAP: Record<string, keyof Config> = {
  DATABASE_URL: 'databaseUrl',
  CUSTODIAN_DATA: 'dataDir',
  CUSTODIAN_HOST: 'host',
  CUSTODIAN_PORT: 'port',
  CUSTODIAN_TLS_CERT: 'tlsCert',
  CUSTODIAN_TLS_KEY: 'tlsKey',
  CUSTODIAN_PASSPHRASE: 'passphrase',
  LOG_LEVEL: 'logLevel',
  CUSTODIAN_BODY_LIMIT: 'bodyLimitBytes',
  CUSTODIAN_MAX_BATCH: 'maxBatchRecords',
  CUSTODIAN_SEAL_WORKERS: 'sealWorkers',
  CUSTODIAN_REQUEST_DEADLINE_DAYS: 'requestDeadlineWorkingDays',
  CUSTODIAN_SESSION_TTL_MINUTES: 'sessionTtlMinutes',
  CUSTODIAN_PUBLIC_URL: 'publicUrl',
  CUSTODIAN_PG_POOL: 'pgPoolSize',
  CUSTODIAN_PGLITE_SHARED_BUFFERS: 'pgliteSharedBuffers',
  CUSTODIAN_BACKUP_DIR: 'backupDir',
  CUSTODIAN_BACKUP_KEEP: 'backupKeep',
  CUSTODIAN_S3_ENDPOINT: 's3Endpoint',
  CUSTODIAN_S3_REGION: 's3Region',
  CUSTODIAN_S3_ACCESS_KEY_ID: 's3AccessKeyId',
  CUSTODIAN_S3_SECRET_ACCESS_KEY: 's3SecretAccessKey',
  CUSTODIAN_SMTP_URL: 'smtpUrl',
  CUSTODIAN_SMTP_FROM: 'smtpFrom',
  CUSTODIAN_SMS_WEBHOOK_URL: 'smsWebhookUrl',
  CUSTODIAN_SMS_WEBHOOK_SECRET: 'smsWebhookSecret',
  CUSTODIAN_PORTAL_CODES_PER_CONTACT: 'portalCodesPerContact',
  CUSTODIAN_PORTAL_CODES_PER_IP: 'portalCodesPerIp',
  CUSTODIAN_PORTAL_SESSION_IDLE_MINUTES: 'portalSessionIdleMinutes',
  CUSTODIAN_JOBS_POLL_SECONDS: 'jobsPollSeconds',
};

export class ConfigError extends Error {}

export interface LoadConfigInput {
  dataDir?: string;
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  overrides?: Partial<Config>;
}

/** Read file + environment + command-line overrides (in that order of precedence, last wins). */
export function loadConfig(input: LoadConfigInput = {}): Config {
  const env = input.env ?? process.env;
  const dataDir = resolve(input.overrides?.dataDir ?? input.dataDir ?? env.CUSTODIAN_DATA ?? './data');
  const file = input.configFile ?? join(dataDir, 'custodian.json');
  let fromFile: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ConfigError(`配置文件无法解析 / config file ${file} is not valid JSON: ${(e as Error).message}`);
    }
  } else if (input.configFile) {
    throw new ConfigError(`配置文件不存在 / config file ${file} does not exist`);
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_MAP)) {
    const v = env[name];
    if (v !== undefined && v !== '') fromEnv[key] = v;
  }
  const merged = { ...fromFile, ...fromEnv, ...stripUndefined(input.overrides ?? {}), dataDir };
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue.path.join('.') || '(root)';
    const envName = Object.entries(ENV_MAP).find(([, k]) => k === key)?.[0];
    throw new ConfigError(`配置无效 / invalid setting ${key}${envName ? ` (${envName})` : ''}: ${issue.message}`);
  }
  const cfg = parsed.data;
  if (cfg.s3Endpoint && (!cfg.s3AccessKeyId || !cfg.s3SecretAccessKey)) {
    throw new ConfigError('配置无效 / invalid setting s3AccessKeyId/s3SecretAccessKey: CUSTODIAN_S3_ENDPOINT needs CUSTODIAN_S3_ACCESS_KEY_ID and CUSTODIAN_S3_SECRET_ACCESS_KEY');
  }
  if (Boolean(cfg.smsWebhookUrl) !== Boolean(cfg.smsWebhookSecret)) {
    throw new ConfigError('配置无效 / invalid setting smsWebhookUrl/smsWebhookSecret: CUSTODIAN_SMS_WEBHOOK_URL and CUSTODIAN_SMS_WEBHOOK_SECRET go together (the secret signs every call)');
  }
  if (cfg.backupDir?.startsWith('s3://') && !cfg.s3Endpoint) {
    throw new ConfigError('配置无效 / invalid setting backupDir (CUSTODIAN_BACKUP_DIR): an s3:// folder needs CUSTODIAN_S3_ENDPOINT and its keys');
  }
  if (Boolean(cfg.tlsCert) !== Boolean(cfg.tlsKey)) {
    throw new ConfigError('配置无效 / invalid setting tlsCert/tlsKey: both CUSTODIAN_TLS_CERT and CUSTODIAN_TLS_KEY are needed for HTTPS');
  }
  for (const f of [cfg.tlsCert, cfg.tlsKey]) {
    if (f && !existsSync(f)) throw new ConfigError(`配置无效 / invalid setting: TLS file ${f} does not exist`);
  }
  return cfg;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
