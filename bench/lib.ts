/** Shared benchmark helpers: a Custodian on either store, timing, medians, percentiles. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig, type Config } from '../src/core/config.js';
import { createKeyfile, localRootKeyProvider, openKeyfile } from '../src/crypto/keyfile.js';
import { openDb } from '../src/db/connection.js';
import { assemble, keyfilePath, type Custodian } from '../src/app.js';
import { createLogger } from '../src/core/logger.js';
import { cnIdCheckChar, luhnValid } from '../src/core/pi-types.js';

export const PG_URL = process.env.CUSTODIAN_BENCH_DATABASE_URL ?? process.env.CUSTODIAN_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function pgAvailable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try { await c.connect(); await c.end(); return true; } catch { return false; }
}

export interface BenchStore { app: Custodian; tenant: string; key: string; /** PostgreSQL only: the schema, also the application_name of the store's connections. */ schema?: string; close(): Promise<void> }

/** `pgOptions`: extra `-c name=value` settings for the store's PostgreSQL sessions (attribution runs only). */
/** BENCH_SEAL_WORKERS sets the seal pool's size for a whole run (default: the server's default); `config` for one store. */
export async function openBenchStore(kind: 'pglite' | 'postgres', suite: 'aes' | 'sm' = 'aes', pgOptions = '', config: Partial<Config> = {}): Promise<BenchStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'custodian-bench-'));
  let databaseUrl: string | undefined;
  let schema: string | undefined;
  if (kind === 'postgres') {
    schema = `b_${randomBytes(5).toString('hex')}`;
    const c = new pg.Client({ connectionString: PG_URL }); await c.connect(); await c.query(`create schema ${schema}`); await c.end();
    const u = new URL(PG_URL); u.searchParams.set('options', `-c search_path=${schema},public -c application_name=${schema}${process.env.PGLOGALL ? ' -c log_min_duration_statement=0' : ''}${pgOptions ? ` ${pgOptions}` : ''}`); databaseUrl = u.toString();
  }
  const cfg = loadConfig({ dataDir, env: {}, overrides: { databaseUrl, passphrase: 'bench-passphrase-123', logLevel: 'silent', maxBatchRecords: 10_000, bodyLimitBytes: 64 * 1024 * 1024, ...(process.env.BENCH_SEAL_WORKERS ? { sealWorkers: Number(process.env.BENCH_SEAL_WORKERS) } : {}), ...config } });
  createKeyfile(keyfilePath(cfg), 'bench-passphrase-123');
  const db = await openDb({ dataDir, databaseUrl, poolSize: 8 });
  const app = assemble(cfg, db, localRootKeyProvider(openKeyfile(keyfilePath(cfg), 'bench-passphrase-123')), createLogger({ level: 'silent' }));
  const t = await app.tenants.createTenant({ name: 'bench', suite });
  return {
    app, tenant: t.tenant, key: t.api_key, schema,
    async close() {
      await app.close();
      if (schema) { const c = new pg.Client({ connectionString: PG_URL }); await c.connect(); await c.query(`drop schema ${schema} cascade`); await c.end(); }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
export const percentile = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
export const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英';
/** A realistic customer with valid checksums; `i` makes the phone unique. */
export function customer(i: number) {
  const phone = `13${String(i).padStart(9, '0')}`;
  const first17 = `110105${1950 + (i % 50)}0${1 + (i % 9)}1${i % 10}${String(i % 1000).padStart(3, '0')}`;
  let card = `622202${String(i).padStart(12, '0')}`;
  for (let d = 0; d < 10; d++) if (luhnValid(card + d)) { card += d; break; }
  return {
    name: SURNAMES[i % SURNAMES.length] + GIVEN[(i * 7) % GIVEN.length] + GIVEN[(i * 13) % GIVEN.length],
    phone,
    id_number: first17 + cnIdCheckChar(first17),
    email: `user${i}@example.cn`,
    address: `上海市浦东新区世纪大道${i % 2000}号`,
    bank_card: card,
    birth_date: `${1950 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`,
  };
}

export const CUSTOMERS_DEF = {
  name: 'customers',
  fields: [
    { name: 'name', type: 'person_name' as const }, { name: 'phone', type: 'mobile' as const, searchable: true },
    { name: 'id_number', type: 'cn_id' as const, searchable: true }, { name: 'email', type: 'email' as const, searchable: true },
    { name: 'address', type: 'address' as const }, { name: 'bank_card', type: 'bank_card' as const }, { name: 'birth_date', type: 'birth_date' as const },
  ],
};
